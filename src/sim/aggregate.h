// Summaries of many simulated runs of one policy: the numbers `spotrun
// simulate` and the policy benchmark print.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "policy/policy.h"
#include "sim/simulator.h"

namespace spotrun {

struct Summary {
  std::string policy;
  int runs = 0;
  int misses = 0;              // Runs that did not finish by the deadline.
  double mean_cost = 0;        // Dollars per run.
  double p90_cost = 0;         // 90th percentile of the cost (see Percentile).
  double spot_hours = 0;       // Mean billed spot hours per run.
  double on_demand_hours = 0;  // Mean billed on-demand hours per run.
  double launches = 0;         // Mean launches per run.
  // 100 * (OD - mean_cost) / (OD - SPOT), where OD = work hours x on-demand
  // price and SPOT = work hours x spot price: 0 is the cost of on-demand only,
  // 100 that of the whole job on spot with no changeover. Not clipped.
  double score = 0;
};

// The q-quantile (0 <= q <= 1) of `values` by linear interpolation between the
// closest ranks (numpy's default): position q * (n - 1) in sorted order.
// Returns 0 for no values.
double Percentile(std::vector<double> values, double q);

// 100 * (OD - mean_cost) / (OD - SPOT) as in Summary::score; 0 when spot is
// not cheaper than on-demand.
double Score(double mean_cost, const JobTerms& terms);

// Aggregates `runs` of `policy` for a job with `terms`.
Summary Summarize(const std::string& policy, std::span<const RunResult> runs,
                  const JobTerms& terms);

}  // namespace spotrun
