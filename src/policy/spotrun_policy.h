// spotrun's own policy, the one `spotrun launch` uses (registry name
// "spotrun", alias "default"). Uniform Progress (baseline_policies.h) spends
// much of its slack on changeovers: it leaves on-demand as soon as it is back
// on its progress line, then pays another changeover to return when spot stays
// down. SpotrunPolicy keeps UP's appetite for spot but budgets slack:
//
//   1. Safety net: not on spot and slack < 2d + tick -> on-demand to the end.
//   2. Spot available -> spot (keep a running spot, leave on-demand for it).
//   3. On-demand while spot is down -> stay on-demand (never idle from it:
//      every return to on-demand would pay another changeover).
//   4. Idle while spot is down -> on-demand if slack < Reserve(), else wait.
//
// Reserve(time left R) = slack_share x initial slack x R / deadline
//                      + changeovers_per_hour x d x R / 1 h,
// the slack kept for the rest of the job: part of Uniform Progress's line, and
// the changeovers that the preemptions still to come will cost (the bundled
// traces see 2-8 preemptions a day, each costing a changeover or two).
//
// It never misses a deadline the model allows: slack only shrinks while idle
// (then it is >= 2d + tick at each decision) or in a changeover (a spot launch
// starts with slack >= 2d + tick, so a preemption still leaves d for the
// on-demand launch).
#pragma once

#include "policy/policy.h"

namespace spotrun {

struct SpotrunParams {
  // Share of Uniform Progress's slack line (initial slack x time left /
  // deadline) kept in reserve; 1 would be UP's line, 0 greedy's.
  double slack_share = 0.5;
  // Changeovers per hour left to keep slack for.
  double changeovers_per_hour = 0.3;
};

class SpotrunPolicy : public Policy {
 public:
  explicit SpotrunPolicy(SpotrunParams params = {}) : params_(params) {}
  Mode Decide(const PolicyInput& in) const override;
  // The slack kept back at this point of the job (rule 4 above), in seconds.
  double Reserve(const PolicyInput& in) const;

 private:
  SpotrunParams params_;
};

}  // namespace spotrun
