// Policy: the spot/on-demand decision for one deadline-bound job, taken once
// per tick. A policy is a pure function of PolicyInput: no I/O, no clock, no
// hidden state, so the simulator and the job controller call the very same
// code. Every quantity is in seconds and dollars per hour.
//
// The model (Wu et al., "Can't Be Late", NSDI'24, section 3.1), shared with
// src/sim/simulator.h:
//   - the job needs `work_s` seconds of compute and must finish within
//     `deadline_s` of its start; progress is kept across instances;
//   - an instance is idle (none), spot or on-demand; on-demand is always
//     available, spot only when the market says so;
//   - every switch INTO spot or on-demand costs `overhead_s` of changeover,
//     billed at the new instance's price, with no progress; going idle is free;
//   - a spot instance is lost (preempted) when spot becomes unavailable.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string_view>

#include "util/status.h"

namespace spotrun {

// What runs now, and what a policy asks to run next.
enum class Mode : uint8_t {
  kIdle,      // No instance.
  kSpot,      // A spot instance.
  kOnDemand,  // An on-demand instance.
};

// "idle", "spot" or "on-demand".
std::string_view ModeName(Mode market);

// The constants of one job on one market; they do not change while it runs.
struct JobTerms {
  double work_s = 48 * 3600.0;      // Compute the job needs in total.
  double deadline_s = 52 * 3600.0;  // Time from the start to the deadline.
  double overhead_s = 0.2 * 3600;   // Changeover paid on every launch.
  double on_demand_price = 3.06;    // $/h of an on-demand instance.
  double spot_price = 0.9731;       // $/h of a spot instance.
  double tick_s = 195;              // How often the policy is asked.
};

// What a policy sees at one tick.
struct PolicyInput {
  JobTerms terms;
  double remaining_work_s = 0;  // Work left; > 0 while the job runs.
  double time_left_s = 0;       // Until the deadline; negative once missed.
  Mode instance = Mode::kIdle;  // What runs now (after any preemption).
  double overhead_left_s = 0;   // Changeover the current instance still owes.
  bool spot_available = false;  // Whether a spot launch would succeed now.
  int64_t tick = 0;             // Ticks since the job started.

  // Seconds since the job started.
  double elapsed_s() const { return terms.deadline_s - time_left_s; }
  // Seconds of work done.
  double progress_s() const { return terms.work_s - remaining_work_s; }
  // Time that may still be lost (idle or changeover) without missing the
  // deadline, if the current instance keeps running: time left minus
  // remaining work minus the changeover still owed.
  double slack_s() const { return time_left_s - remaining_work_s - overhead_left_s; }
};

class Policy {
 public:
  virtual ~Policy() = default;
  // The instance to run for the next tick. Returning kSpot while
  // !in.spot_available breaks the contract (the simulator treats it as idle).
  // Returning the current instance keeps it (no new changeover).
  // Thread-safe: const and free of side effects.
  virtual Mode Decide(const PolicyInput& in) const = 0;
};

// Builds the policy `name` for a job with `terms` (policy/registry.h's
// MakePolicy, or a simulator's, which knows the trace's future).
using PolicyFactory =
    std::function<Result<std::unique_ptr<Policy>>(std::string_view name, const JobTerms& terms)>;

}  // namespace spotrun
