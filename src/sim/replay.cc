#include "sim/replay.h"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <limits>
#include <mutex>
#include <span>
#include <thread>

#include "jobs/controller.h"
#include "jobs/reporter.h"
#include "policy/registry.h"
#include "sim/sim_clock.h"
#include "sim/trace_cloud.h"
#include "store/store.h"
#include "util/fs.h"

namespace spotrun {
namespace {

// Where replayed jobs start: a fixed epoch, so replays are reproducible.
constexpr double kReplayEpoch = 1'700'000'000;

// The job file of a replayed job. It names the default policy, which the
// job file can name (offline ones cannot); the controller's policy factory
// builds the policy under test instead.
std::string ReplaySpec(const JobTerms& t) {
  char text[512];
  std::snprintf(text, sizeof(text),
                "name: replay\n"
                "resources:\n"
                "  instance_type: %s\n"
                "  region: trace\n"
                "run: train\n"
                "deadline: %.0fs\n"
                "budget:\n"
                "  expected_hours: %.17g\n"
                "policy: default\n",
                TraceCloud::kInstanceType, t.deadline_s, t.work_s / 3600);
  return text;
}

}  // namespace

Result<RunResult> ReplayRun(const Trace& trace, int64_t start_tick, const JobTerms& terms,
                            std::string_view policy, const std::string& scratch_dir,
                            Reporter* reporter) {
  const JobTerms t = TermsForTrace(terms, trace);
  SimClock clock(kReplayEpoch);
  TraceCloud cloud(trace, start_tick, t, &clock);
  auto store = Store::Open(":memory:");
  if (!store.ok()) return store.status();
  SPOTRUN_RETURN_IF_ERROR(MakeDirs(scratch_dir));

  JobRecord job;
  job.id = "replay-" + std::to_string(start_tick);
  job.name = "replay";
  job.cloud = "trace";
  job.spec_path = scratch_dir + "/job.yaml";
  job.spec_text = ReplaySpec(t);
  job.results_dir = scratch_dir + "/results-" + job.id;
  job.created_at = clock.Now();
  job.updated_at = job.created_at;
  SPOTRUN_RETURN_IF_ERROR((*store)->InsertJob(job));

  SilentReporter silent;

  ControllerContext ctx;
  ctx.cloud = &cloud;
  ctx.store = store->get();
  ctx.clock = &clock;
  ctx.reporter = reporter ? reporter : &silent;
  ctx.options.jobs_dir = scratch_dir + "/jobs";
  // One poll, and one policy decision, per trace tick.
  ctx.options.poll_interval_s = static_cast<double>(trace.gap_s);
  ctx.options.policy_tick_s = static_cast<double>(trace.gap_s);
  ctx.options.capacity_retry_s = static_cast<double>(trace.gap_s);
  ctx.options.default_changeover_s = t.overhead_s;
  // A flapping market may take many instances; the horizon ends the run.
  ctx.options.max_attempts = std::numeric_limits<int>::max();
  std::span<const uint8_t> future(trace.available);
  future = future.subspan(static_cast<size_t>(std::clamp<int64_t>(start_tick, 0, trace.ticks())));
  const std::string name(policy);
  ctx.make_policy = [&name, future](std::string_view, const JobTerms& planned) {
    return MakePolicy(name, planned, future);
  };
  const auto horizon = static_cast<int64_t>(t.deadline_s + t.work_s + t.overhead_s);
  ctx.interrupted = [&clock, horizon] { return clock.elapsed_s() >= horizon; };
  ctx.watch_cancel_requests = false;

  Result<JobState> end = DriveJob(ctx, job.id);
  auto attempts = (*store)->Attempts(job.id);
  (void)RemoveAll(ctx.options.jobs_dir + "/" + job.id);
  (void)RemoveAll(job.results_dir);
  if (!end.ok()) return end.status();
  if (!attempts.ok()) return attempts.status();
  auto record = (*store)->GetJob(job.id);
  if (!record.ok()) return record.status();
  if (*end == JobState::kFailed) {
    return Internal("replay from tick " + std::to_string(start_tick) +
                    " failed: " + record->message);
  }

  RunResult r;
  r.start_tick = start_tick;
  for (const AttemptRecord& a : *attempts) {
    if (a.instance_id.empty() || a.started_at == 0) continue;
    const double end_at = a.ended_at > 0 ? a.ended_at : clock.Now();
    const double hours = (end_at - a.started_at) / 3600;
    r.cost += a.Cost(clock.Now());
    (a.market == "spot" ? r.spot_hours : r.on_demand_hours) += hours;
    ++r.launches;
    if (a.outcome == "preempted") ++r.preemptions;
  }
  const double finished_at = cloud.finished_at();
  r.finished = finished_at > 0;
  const double elapsed = (r.finished ? finished_at : clock.Now()) - kReplayEpoch;
  r.finish_hours = elapsed / 3600;
  r.deadline_met = r.finished && elapsed <= t.deadline_s;
  return r;
}

Result<std::vector<std::vector<RunResult>>> ReplayAll(const std::vector<std::string>& policies,
                                                      const Trace& trace,
                                                      const std::vector<int64_t>& starts,
                                                      const JobTerms& terms,
                                                      const std::string& scratch_dir, int threads) {
  for (const std::string& p : policies) {
    Result<const PolicyInfo*> info = FindPolicy(p);
    if (!info.ok()) return info.status();
  }
  std::vector<std::vector<RunResult>> results(policies.size(),
                                              std::vector<RunResult>(starts.size()));
  const size_t total = policies.size() * starts.size();
  std::atomic<size_t> next{0};
  std::mutex mu;
  Status first_error;
  auto work = [&](int worker) {
    // Job ids repeat across policies: every worker has a directory of its own.
    const std::string dir = scratch_dir + "/worker-" + std::to_string(worker);
    for (size_t i = next++; i < total; i = next++) {
      const size_t p = i / starts.size(), s = i % starts.size();
      Result<RunResult> r = ReplayRun(trace, starts[s], terms, policies[p], dir);
      if (r.ok()) {
        results[p][s] = *r;
        continue;
      }
      std::lock_guard<std::mutex> lock(mu);
      if (first_error.ok()) first_error = r.status();
      next = total;
    }
  };
  std::vector<std::thread> pool;
  if (threads <= 0) threads = static_cast<int>(std::thread::hardware_concurrency());
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (std::thread& t : pool) t.join();
  if (!first_error.ok()) return first_error;
  return results;
}

}  // namespace spotrun
