// The dashboard's simulate page: the cost distribution of each policy for a
// bundled trace and a job, from the replay behind `spotrun simulate`
// (sim/replay.h ReplayAll: every start a job driven by the controller on a
// simulated cloud and clock).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "policy/policy.h"
#include "util/status.h"

namespace spotrun {

struct SimulateQuery {
  std::string trace;                  // Stem of a bundled trace, "us-east-1a_v100_1".
  std::vector<std::string> policies;  // Registry names; empty = every online policy.
  JobTerms terms;                     // Hours and prices from the form.
  int starts = 12;                    // Evenly spaced starts (1..200).
};

// Reads the form's query string: trace, policies (comma-separated), job_hours,
// deadline_hours, overhead_hours, on_demand_price, spot_price, starts; the
// defaults of JobTerms and SimulateQuery where absent. Fails with
// InvalidArgument naming the field.
Result<SimulateQuery> ParseSimulateQuery(const std::string& query);

// The bundled traces and the policies the form offers.
nlohmann::json SimulateChoices();

// Runs the replay: {"trace", "terms", "policies": [{"policy", "costs": [...],
// "mean_cost", "p90_cost", "misses", "runs", "score"}]}. Fails as ReplayAll
// does, or NotFound for an unknown trace.
Result<nlohmann::json> RunSimulation(const SimulateQuery& q);

}  // namespace spotrun
