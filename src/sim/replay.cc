#include "sim/replay.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <span>

#include "jobs/controller.h"
#include "jobs/reporter.h"
#include "policy/registry.h"
#include "sim/sim_clock.h"
#include "sim/trace_cloud.h"
#include "store/store.h"
#include "util/fs.h"
#include "util/task_loop.h"

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
                "workdir: false\n"
                "run: train\n"
                "deadline: %.0fs\n"
                "budget:\n"
                "  expected_hours: %.17g\n"
                "policy: default\n",
                TraceCloud::kInstanceType, t.deadline_s, t.work_s / 3600);
  return text;
}

}  // namespace

ReplayJob::ReplayJob(TraceCloud* market, int64_t start_tick, std::string_view policy,
                     std::string scratch_dir, Reporter* reporter)
    : market_(market),
      terms_(market->terms()),
      start_tick_(start_tick),
      policy_(policy),
      scratch_dir_(std::move(scratch_dir)),
      clock_(market->clock()) {
  const Trace& trace = market->trace();
  ctx_.cloud = market;
  ctx_.clock = clock_;
  ctx_.reporter = reporter ? reporter : &silent_;
  ctx_.options.jobs_dir = scratch_dir_ + "/jobs";
  // One poll, and one policy decision, per trace tick.
  ctx_.options.poll_interval_s = static_cast<double>(trace.gap_s);
  ctx_.options.policy_tick_s = static_cast<double>(trace.gap_s);
  ctx_.options.capacity_retry_s = static_cast<double>(trace.gap_s);
  ctx_.options.default_changeover_s = terms_.overhead_s;
  // A flapping market may take many instances; the horizon ends the run.
  ctx_.options.max_attempts = std::numeric_limits<int>::max();
  std::span<const uint8_t> future(trace.available);
  future = future.subspan(static_cast<size_t>(std::clamp<int64_t>(start_tick, 0, trace.ticks())));
  ctx_.make_policy = [this, future](std::string_view, const JobTerms& planned) {
    return MakePolicy(policy_, planned, future);
  };
  const double horizon = terms_.deadline_s + terms_.work_s + terms_.overhead_s;
  ctx_.interrupted = [this, horizon] {
    return static_cast<double>(static_cast<int64_t>(clock_->Now() - start_)) >=
           static_cast<double>(static_cast<int64_t>(horizon));
  };
  ctx_.watch_cancel_requests = false;
}

void ReplayJob::ShareStore(Store* store, std::string job_id) {
  store_ = store;
  job_id_ = std::move(job_id);
}

Status ReplayJob::Submit() {
  start_ = clock_->Now();
  if (store_ == nullptr) {
    auto store = Store::Open(":memory:");
    if (!store.ok()) return store.status();
    own_store_ = std::move(store).value();
    store_ = own_store_.get();
    job_id_ = "replay-" + std::to_string(start_tick_);
  }
  ctx_.store = store_;
  SPOTRUN_RETURN_IF_ERROR(MakeDirs(scratch_dir_));
  job_.id = job_id_;
  job_.name = "replay";
  job_.cloud = "trace";
  job_.spec_path = scratch_dir_ + "/spec/job.yaml";
  job_.spec_text = ReplaySpec(terms_);
  job_.results_dir = scratch_dir_ + "/results/" + job_.id;
  job_.created_at = clock_->Now();
  job_.updated_at = job_.created_at;
  return store_->InsertJob(job_);
}

void ReplayJob::Run() {
  clock_->Sleep(market_->TimeOfTick(start_tick_) - clock_->Now());
  if (Status submitted = Submit(); !submitted.ok()) {
    end_ = submitted;
    return;
  }
  end_ = DriveJob(ctx_, job_.id);
  ended_at_ = clock_->Now();
  (void)RemoveAll(ctx_.options.jobs_dir + "/" + job_.id);
  (void)RemoveAll(job_.results_dir);
}

Result<RunResult> ReplayJob::Outcome() const {
  if (!end_.ok()) return end_.status();
  auto attempts = store_->Attempts(job_.id);
  if (!attempts.ok()) return attempts.status();
  auto record = store_->GetJob(job_.id);
  if (!record.ok()) return record.status();
  if (*end_ == JobState::kFailed) {
    return Internal("replay from tick " + std::to_string(start_tick_) +
                    " failed: " + record->message);
  }
  RunResult r;
  r.start_tick = start_tick_;
  for (const AttemptRecord& a : *attempts) {
    if (a.instance_id.empty() || a.started_at == 0) continue;
    const double end_at = a.ended_at > 0 ? a.ended_at : ended_at_;
    const double hours = (end_at - a.started_at) / 3600;
    r.cost += a.Cost(ended_at_);
    (a.market == "spot" ? r.spot_hours : r.on_demand_hours) += hours;
    ++r.launches;
    if (a.outcome == "preempted") ++r.preemptions;
  }
  const double finished_at = market_->FinishedAt(job_.id);
  r.finished = finished_at > 0;
  const double elapsed = (r.finished ? finished_at : ended_at_) - start_;
  r.finish_hours = elapsed / 3600;
  r.deadline_met = r.finished && elapsed <= terms_.deadline_s;
  return r;
}

Result<RunResult> ReplayRun(const Trace& trace, int64_t start_tick, const JobTerms& terms,
                            std::string_view policy, const std::string& scratch_dir,
                            Reporter* reporter) {
  SPOTRUN_RETURN_IF_ERROR(FindPolicy(policy).status());
  SimClock clock(kReplayEpoch);
  TraceCloud market(trace, TermsForTrace(terms, trace), &clock, start_tick);
  ReplayJob job(&market, start_tick, policy, scratch_dir, reporter);
  job.Run();
  return job.Outcome();
}

Result<std::vector<std::vector<RunResult>>> ReplayAll(const std::vector<std::string>& policies,
                                                      const Trace& trace,
                                                      const std::vector<int64_t>& starts,
                                                      const JobTerms& terms,
                                                      const std::string& scratch_dir) {
  for (const std::string& p : policies) {
    Result<const PolicyInfo*> info = FindPolicy(p);
    if (!info.ok()) return info.status();
  }
  // Every start of every policy is a job of one controller loop on one
  // simulated clock, with one store, on one market of the trace: a start's
  // job is submitted when the clock reaches its tick.
  SimClock clock(kReplayEpoch);
  TaskLoop loop(&clock, LoopTime::kSimulated);
  TraceCloud market(trace, TermsForTrace(terms, trace), &clock);
  auto store = Store::Open(":memory:");
  if (!store.ok()) return store.status();
  std::vector<std::unique_ptr<ReplayJob>> jobs;
  jobs.reserve(policies.size() * starts.size());
  for (size_t p = 0; p < policies.size(); ++p) {
    const std::string dir = scratch_dir + "/policy-" + std::to_string(p);
    for (int64_t start : starts) {
      jobs.push_back(std::make_unique<ReplayJob>(&market, start, policies[p], dir, nullptr));
      jobs.back()->ShareStore(store->get(),
                              "replay-" + std::to_string(p) + "-" + std::to_string(start));
      loop.Spawn([job = jobs.back().get()] { job->Run(); });
    }
  }
  loop.Run();
  std::vector<std::vector<RunResult>> results(policies.size(),
                                              std::vector<RunResult>(starts.size()));
  for (size_t i = 0; i < jobs.size(); ++i) {
    Result<RunResult> r = jobs[i]->Outcome();
    if (!r.ok()) return r.status();
    results[i / starts.size()][i % starts.size()] = *r;
  }
  return results;
}

}  // namespace spotrun
