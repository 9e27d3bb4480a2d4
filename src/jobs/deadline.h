// DeadlinePlanner: asks the job's spot/on-demand policy (src/policy/) what to
// run, from the job's progress and deadline. The controller consults it
// before every launch and, while `run` runs, once per tick; the policy is the
// same object `spotrun simulate` replays.
//
// Progress is the `run` time accumulated over attempts (work redone after a
// preemption is not subtracted: checkpoints make it small).
#pragma once

#include <memory>
#include <optional>

#include "policy/policy.h"
#include "spec/job_spec.h"
#include "store/store.h"
#include "util/status.h"

namespace spotrun {

class DeadlinePlanner {
 public:
  // Nullptr-free only for specs with a deadline; see Make.
  static Result<std::unique_ptr<DeadlinePlanner>> Make(const JobSpec& spec, double job_start,
                                                       double changeover_s, double tick_s,
                                                       double on_demand_price, double spot_price);

  // What to run now: `current` is what runs (kIdle between instances).
  Mode Decide(Mode current, bool spot_available, double now) const;

  // Bookkeeping of `run` time: call when `run` starts (with when the instance
  // was launched, to measure the changeover) and when the instance ends.
  void RunStarted(double now, double launched_at);
  void RunEnded(double now);
  // Rebuilds the progress of earlier attempts from the job's events.
  void RestoreFrom(const std::vector<EventRecord>& events);

  double progress_s(double now) const;
  double tick_s() const { return terms_.tick_s; }

 private:
  DeadlinePlanner(JobTerms terms, double job_start, std::unique_ptr<Policy> policy)
      : terms_(terms), job_start_(job_start), policy_(std::move(policy)) {}
  JobTerms terms_;
  double job_start_;
  std::unique_ptr<Policy> policy_;
  double done_s_ = 0;       // `run` time of finished attempts.
  double run_started_ = 0;  // When the current attempt's `run` started; 0 = not running.
};

}  // namespace spotrun
