// spotrun's own policy, the one `spotrun launch` uses (registry name
// "spotrun", alias "default"). Uniform Progress (baseline_policies.h) spends
// much of its slack on changeovers: it leaves on-demand as soon as it is back
// on its progress line, then pays another changeover to return when spot stays
// down, and it takes every short spot window early in the job, leaving no
// slack for the long ones later. SpotrunPolicy keeps UP's appetite for spot
// but budgets slack:
//
//   1. Safety net: not on spot and slack < 2d + tick -> on-demand to the end.
//   2. Spot available: keep a running spot; from idle take it; from
//      on-demand take it only while slack >= SwitchReserve() and at least
//      `min_work_to_switch` changeovers of work are left (a move to spot and
//      back costs two changeovers of slack, kept for later spot windows).
//   3. On-demand while spot is down -> stay on-demand (never idle from it:
//      every return to on-demand would pay another changeover).
//   4. Idle while spot is down -> on-demand if slack < Reserve(), else wait.
//
// Both reserves have the form
//   share x initial slack x R / deadline + per_hour x d x R / 1 h + fixed x d
// for time left R: part of Uniform Progress's line, the changeovers that the
// preemptions still to come will cost, and a fixed margin.
//
// It never misses a deadline the model allows: slack only shrinks while idle
// (then it is >= 2d + tick at each decision) or in a changeover (a spot launch
// starts with slack >= 2d + tick, so a preemption still leaves d for the
// on-demand launch).
#pragma once

#include "policy/policy.h"

namespace spotrun {

// One reserve of slack, in the form above.
struct SlackReserve {
  double share = 0;     // Of UP's slack line (initial slack x R / deadline).
  double per_hour = 0;  // Changeovers per hour left.
  double fixed = 0;     // Changeovers, whatever the time left.
};

// The constants, chosen on the train split of the bundled traces
// (sim/trace_split.h) by `bench_policy_tune` (bench/policy_tune.cc), which
// prints these values; docs/benchmarks.md has the run.
struct SpotrunParams {
  // Idle while spot is down until slack falls below this (rule 4).
  SlackReserve idle{0.6, 0.3, 1};
  // From on-demand, move to spot only while slack is at least this (rule 2).
  SlackReserve switch_from_od{0.7, 0.1, 0};
  // ... and only while this many changeovers of work are left.
  double min_work_to_switch = 2;
};

class SpotrunPolicy : public Policy {
 public:
  explicit SpotrunPolicy(SpotrunParams params = {}) : params_(params) {}
  Mode Decide(const PolicyInput& in) const override;
  // The slack kept back while idle (rule 4), in seconds.
  double Reserve(const PolicyInput& in) const;
  // The slack needed to leave on-demand for spot (rule 2), in seconds.
  double SwitchReserve(const PolicyInput& in) const;

 private:
  SpotrunParams params_;
};

// `r` in seconds of slack for the job and time left in `in`.
double ReserveSeconds(const SlackReserve& r, const PolicyInput& in);

}  // namespace spotrun
