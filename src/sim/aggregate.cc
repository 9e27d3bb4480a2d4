#include "sim/aggregate.h"

#include <algorithm>
#include <cmath>

namespace spotrun {

double Percentile(std::vector<double> values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double pos = std::clamp(q, 0.0, 1.0) * static_cast<double>(values.size() - 1);
  const auto below = static_cast<size_t>(std::floor(pos));
  const size_t above = std::min(below + 1, values.size() - 1);
  const double frac = pos - static_cast<double>(below);
  return values[below] + (values[above] - values[below]) * frac;
}

double Score(double mean_cost, const JobTerms& terms) {
  const double hours = terms.work_s / 3600;
  const double on_demand = hours * terms.on_demand_price;
  const double spot = hours * terms.spot_price;
  if (on_demand <= spot) return 0;
  return 100 * (on_demand - mean_cost) / (on_demand - spot);
}

Summary Summarize(const std::string& policy, std::span<const RunResult> runs,
                  const JobTerms& terms) {
  Summary s;
  s.policy = policy;
  s.runs = static_cast<int>(runs.size());
  if (runs.empty()) return s;
  std::vector<double> costs;
  costs.reserve(runs.size());
  for (const RunResult& r : runs) {
    costs.push_back(r.cost);
    s.misses += r.deadline_met ? 0 : 1;
    s.mean_cost += r.cost;
    s.spot_hours += r.spot_hours;
    s.on_demand_hours += r.on_demand_hours;
    s.launches += r.launches;
  }
  const auto n = static_cast<double>(runs.size());
  s.mean_cost /= n;
  s.spot_hours /= n;
  s.on_demand_hours /= n;
  s.launches /= n;
  s.p90_cost = Percentile(std::move(costs), 0.9);
  s.score = Score(s.mean_cost, terms);
  return s;
}

}  // namespace spotrun
