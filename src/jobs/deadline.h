// DeadlinePlanner: asks the job's spot/on-demand policy (src/policy/) what to
// run, from the job's progress and deadline. The controller consults it
// before every launch and, while `run` runs, once per tick; the policy is the
// same object `spotrun simulate` replays.
//
// Progress is what the job reports ($SPOTRUN_PROGRESS_FILE: the fraction
// done), when it reports anything: the work left is (1 - fraction) times the
// job's length, and the length is budget.expected_hours until the job's own
// rate is measured (once it has gained 2% over 10 minutes of `run`, summed over
// attempts). A job that reports nothing progresses by its `run` time
// accumulated over attempts (work redone after a preemption is not
// subtracted: checkpoints make it small).
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
  // `make_policy` builds the policy (default: MakePolicy, online policies only).
  static Result<std::unique_ptr<DeadlinePlanner>> Make(const JobSpec& spec, double job_start,
                                                       double changeover_s, double tick_s,
                                                       double on_demand_price, double spot_price,
                                                       const PolicyFactory& make_policy = nullptr);

  // What to run now: `current` is what runs (kIdle between instances).
  Mode Decide(Mode current, bool spot_available, double now) const;

  // Bookkeeping of `run` time: call when `run` starts (with when the instance
  // was launched, to measure the changeover) and when the instance ends.
  void RunStarted(double now, double launched_at);
  void RunEnded(double now);
  // The fraction of the job done, as the job reported it at `now`.
  void ReportProgress(double fraction, double now);
  // Rebuilds the progress of earlier attempts from the job's events.
  void RestoreFrom(const std::vector<EventRecord>& events);

  // `run` time accumulated over attempts.
  double progress_s(double now) const;
  // Seconds of work left: from the job's reports when there are any.
  double remaining_work_s(double now) const;
  // The job's length: budget.expected_hours, or measured from its reports.
  double work_estimate_s() const;
  double tick_s() const { return terms_.tick_s; }

 private:
  DeadlinePlanner(JobTerms terms, double job_start, std::unique_ptr<Policy> policy)
      : terms_(terms), job_start_(job_start), policy_(std::move(policy)) {}
  JobTerms terms_;
  double job_start_;
  std::unique_ptr<Policy> policy_;
  double done_s_ = 0;       // `run` time of finished attempts.
  double run_started_ = 0;  // When the current attempt's `run` started; 0 = not running.
  // Job-reported progress: the latest fraction and when it came, and the rate
  // measured over attempts (fraction gained, seconds of `run` it took); the
  // current attempt's span starts at its first report.
  double fraction_ = -1;  // < 0 = the job reports nothing.
  double fraction_at_ = 0;
  double gained_ = 0, gained_over_s_ = 0;
  double span_fraction_ = -1, span_at_ = 0;
};

}  // namespace spotrun
