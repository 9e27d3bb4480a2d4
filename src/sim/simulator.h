// The trace-driven simulator: replays a spot trace from a start tick through a
// Policy under the model of src/policy/policy.h, one decision per trace tick.
//
// Per tick, in this order:
//   1. if the instance is spot and spot is unavailable at this tick, it is
//      preempted (the instance becomes idle; progress is kept);
//   2. the policy decides; a decision of spot while spot is unavailable is
//      taken as idle;
//   3. a decision that differs from the current instance launches it (a new
//      changeover of d seconds) or, for idle, stops it;
//   4. the instance runs the tick: the changeover is paid first, then work;
//      every second the instance runs is billed at its price (per-second
//      billing), and the tick ends early, billing stops, when the work is done.
// Work, deadline and overhead are rounded to whole seconds, so costs and
// finish times are exact. Ticks past the end of the trace have no spot.
// A run ends when the job finishes, or unfinished at the horizon
// deadline + work + overhead (time enough to finish on-demand after a miss);
// after the deadline the policy keeps deciding, with a negative time left.
#pragma once

#include <cstdint>

#include "policy/policy.h"
#include "sim/trace.h"

namespace spotrun {

struct RunResult {
  int64_t start_tick = 0;
  double cost = 0;             // Dollars billed.
  bool finished = false;       // The work was done before the horizon.
  bool deadline_met = false;   // The work was done by the deadline.
  double finish_hours = 0;     // When the work was done (or the horizon).
  double spot_hours = 0;       // Billed spot time, changeovers included.
  double on_demand_hours = 0;  // Billed on-demand time, changeovers included.
  int launches = 0;            // Switches into spot or on-demand.
  int preemptions = 0;         // Spot instances lost to the market.
};

// `terms` with its times rounded to whole seconds and tick_s set to the
// trace's gap: the terms every policy sees during a replay of `trace`.
JobTerms TermsForTrace(const JobTerms& terms, const Trace& trace);

// Replays `trace` from `start_tick` (the job starts there, idle) through
// `policy`. REQUIRES: terms.work_s > 0, terms.overhead_s >= 0.
RunResult SimulateRun(const Trace& trace, int64_t start_tick, const JobTerms& terms,
                      const Policy& policy);

}  // namespace spotrun
