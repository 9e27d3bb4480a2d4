// The offline optimum: the cheapest decision sequence that meets the deadline,
// given the whole future of spot availability. It is the lower bound against
// which online policies are measured; it cannot run a real job.
//
// PlanOptimal solves the simulator's model exactly (src/sim/simulator.h: the
// same ticks, changeover, preemption and per-second billing, in whole
// seconds) by dynamic programming over ticks x slack used x instance state.
// Slack used (idle time plus changeover time so far) is a multiple of
// gcd(tick, overhead), so the grid is exact, and progress = elapsed - slack.
// Two reductions keep the search small without losing the optimum:
//   - a launch is never abandoned during its changeover except by a
//     preemption (idling instead costs the same slack and less money);
//   - a spot launch that would be preempted before its changeover ends is
//     skipped for the same reason.
// Time O(ticks x slack/gcd), memory one byte per (tick, slack step).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "policy/policy.h"
#include "util/status.h"

namespace spotrun {

struct Plan {
  std::vector<Market> decisions;  // One per tick from the start until the finish.
  bool meets_deadline = false;    // False when no decision sequence can.
  double cost = 0;                // Dollars, as the simulator bills it.
};

// The cheapest plan for `terms` (times in whole seconds, tick_s = the trace
// gap) when spot is available at tick k iff available[k] != 0 (none past the
// end). When no plan meets the deadline, returns an empty plan with
// meets_deadline false (PlanPolicy then runs on-demand, the earliest finish).
// Fails with InvalidArgument when the grid would exceed `max_cells` bytes.
Result<Plan> PlanOptimal(const JobTerms& terms, std::span<const uint8_t> available,
                         int64_t max_cells = int64_t{1} << 30);

// Replays a plan: decisions[in.tick], then on-demand once the plan runs out.
class PlanPolicy : public Policy {
 public:
  explicit PlanPolicy(std::vector<Market> decisions) : decisions_(std::move(decisions)) {}
  Market Decide(const PolicyInput& in) const override;

 private:
  std::vector<Market> decisions_;
};

}  // namespace spotrun
