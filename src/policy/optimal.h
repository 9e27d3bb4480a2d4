// The offline optimum: the cheapest decision sequence that meets the deadline,
// given the whole future of spot availability. It is the lower bound against
// which online policies are measured; it cannot run a real job.
//
// PlanOptimal solves the simulator's model exactly (src/sim/simulator.h: the
// same ticks, changeover, preemption and per-second billing, in whole
// seconds) by forward dynamic programming over ticks x slack used x instance
// state. Slack used (idle time plus changeover time so far) is a multiple of
// gcd(tick, overhead), so the grid is exact, and progress = elapsed - slack.
// It skips only decision sequences that another sequence matches or beats on
// cost with no later finish (tests/unit/optimal_test.cc checks it against
// brute force):
//   - a state costing no less than one at the same tick and state with less
//     slack used (the same decisions from there finish no later, for less);
//   - leaving a launch during its changeover, or a spot launch that is
//     preempted before its changeover ends (idling instead costs the same
//     slack and less money);
//   - leaving a running spot instance while spot is available (continuing
//     puts the job a tick ahead for no more than that tick saves at the end);
//   - an idle state no better than a running on-demand one (which can do all
//     an idle one can, for less).
// Time grows with ticks x non-dominated states per tick. For a 48 h job with
// d = 0.2 h on this project's 2-core build machine: about 5 ms (52 h deadline)
// to 25 ms (70 h) per start on the bundled 195 s traces, 0.3 s to 2 s on the
// 32 s ones (docs/benchmarks.md). Memory: one byte per (tick, slack step).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "policy/policy.h"
#include "util/status.h"

namespace spotrun {

struct Plan {
  std::vector<Mode> decisions;  // One per tick from the start until the finish.
  bool meets_deadline = false;  // False when no decision sequence can.
  double cost = 0;              // Dollars, as the simulator bills it.
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
  explicit PlanPolicy(std::vector<Mode> decisions) : decisions_(std::move(decisions)) {}
  Mode Decide(const PolicyInput& in) const override;

 private:
  std::vector<Mode> decisions_;
};

}  // namespace spotrun
