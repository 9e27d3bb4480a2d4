// Replay through the controller: one start of a trace, run as a real job.
// The job is driven by DriveJob (src/jobs/), the code `spotrun launch` runs,
// with a TraceCloud (sim/trace_cloud.h) for the cloud and the instances, a
// SimClock for time and an in-memory Store. The controller polls, and asks
// the job's policy, once per trace tick. This is what `spotrun simulate`
// measures; the model loop of sim/simulator.h is the reference it is checked
// against (tests/unit/replay_test.cc).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "jobs/reporter.h"
#include "policy/policy.h"
#include "sim/simulator.h"
#include "sim/trace.h"
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

// ReplayRun for every policy and start, on `threads` threads (0: one per
// core; each run is independent: its own clock, cloud and store). Result i
// holds policies[i]'s runs, in the order of `starts`. Fails with the first
// failing run's error.
Result<std::vector<std::vector<RunResult>>> ReplayAll(const std::vector<std::string>& policies,
                                                      const Trace& trace,
                                                      const std::vector<int64_t>& starts,
                                                      const JobTerms& terms,
                                                      const std::string& scratch_dir,
                                                      int threads = 0);

}  // namespace spotrun
