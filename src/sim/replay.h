// Replay through the controller: one start of a trace, run as a real job.
// The job is driven by DriveJob (src/jobs/), the code `spotrun launch` runs,
// with a TraceCloud (sim/trace_cloud.h) for the cloud and the instances, a
// SimClock for time and an in-memory Store. The controller polls, and asks
// the job's policy, once per trace tick. This is what `spotrun simulate`
// measures; the model loop of sim/simulator.h is the reference it is checked
// against (tests/unit/replay_test.cc).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "jobs/controller.h"
#include "jobs/reporter.h"
#include "policy/policy.h"
#include "sim/sim_clock.h"
#include "sim/simulator.h"
#include "sim/trace.h"
#include "sim/trace_cloud.h"
#include "util/status.h"

namespace spotrun {

// Replays `trace` from `start_tick` through policy `policy` (a registry
// name; offline policies get the trace's future) for a job with `terms`.
// `scratch_dir` holds the job's local files while it runs (removed after).
// The result counts what the controller billed (its attempts) and when the
// job's work was done. A job still unfinished at the horizon (deadline +
// work + changeover) is stopped, as the model loop stops it. `reporter`, if
// given, hears what the controller says (its clock is the replay's).
Result<RunResult> ReplayRun(const Trace& trace, int64_t start_tick, const JobTerms& terms,
                            std::string_view policy, const std::string& scratch_dir,
                            Reporter* reporter = nullptr);

// ReplayRun for every policy and start, all as jobs of one controller loop
// (util/task_loop.h) on one simulated clock and one store, on one market of
// the trace (each start is submitted when the clock reaches its tick). Result
// i holds policies[i]'s runs, in the order of `starts`. Fails with the first
// failing run's error.
Result<std::vector<std::vector<RunResult>>> ReplayAll(const std::vector<std::string>& policies,
                                                      const Trace& trace,
                                                      const std::vector<int64_t>& starts,
                                                      const JobTerms& terms,
                                                      const std::string& scratch_dir);

// One replayed job on `market` (shared with other jobs; its trace, terms and
// clock are the job's), from tick `start_tick` of the trace.
class ReplayJob {
 public:
  ReplayJob(TraceCloud* market, int64_t start_tick, std::string_view policy,
            std::string scratch_dir, Reporter* reporter);
  ReplayJob(const ReplayJob&) = delete;
  ReplayJob& operator=(const ReplayJob&) = delete;
  // Makes the job `job_id` of `store` (not owned; shared with other jobs)
  // instead of the only job of a store of its own. Before Run.
  void ShareStore(Store* store, std::string job_id);
  // Waits for the start tick, submits the job and drives it to its end: in a
  // task of a loop on the market's clock, or alone.
  void Run();
  // What the run cost and did; the job's error, if it failed.
  Result<RunResult> Outcome() const;

 private:
  Status Submit();

  TraceCloud* market_;
  const JobTerms& terms_;
  int64_t start_tick_;
  std::string policy_;
  std::string scratch_dir_;
  SimClock* clock_;
  double start_ = 0;
  SilentReporter silent_;
  std::unique_ptr<Store> own_store_;
  Store* store_ = nullptr;
  std::string job_id_;
  ControllerContext ctx_;
  JobRecord job_;
  Result<JobState> end_ = Internal("not driven");
  double ended_at_ = 0;
};

}  // namespace spotrun
