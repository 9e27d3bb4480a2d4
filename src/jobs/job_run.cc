// DriveJob: the attempt loop, picking up after a dead controller, and the
// end of a job (outputs, termination, the final state).
#include <algorithm>
#include <filesystem>
#include <sstream>

#include "jobs/attempt_logs.h"
#include "jobs/job_driver.h"
#include "util/fs.h"

namespace spotrun {

namespace fs = std::filesystem;

Result<JobState> DriveJob(const ControllerContext& ctx, const std::string& job_id) {
  auto rec = ctx.store->GetJob(job_id);
  if (!rec.ok()) return rec.status();
  auto spec = ParseJobSpec(rec->spec_text, rec->spec_path,
                           StoredSpecOptions(rec->kind == JobKind::kNotebook));
  if (!spec.ok()) return spec.status();
  JobDriver driver(ctx, *rec, *spec);
  auto state = driver.Run();
  if (!state.ok()) driver.Abandon();
  return state;
}

void JobDriver::Abandon() {
  for (const std::string& id :
       {instance_.id, replacement_ ? replacement_->instance.id : std::string()}) {
    if (id.empty()) continue;
    Status s = ctx_.cloud->Terminate(id);
    ctx_.reporter->Note(s.ok() ? "terminated " + id
                               : "could not terminate " + id + ": " + s.message());
  }
  session_.reset();
  host_.reset();
  instance_ = Instance{};
  replacement_.reset();
}

Result<JobState> JobDriver::Run() {
  SPOTRUN_RETURN_IF_ERROR(MakeDirs(ctx_.options.jobs_dir + "/" + job_.id));
  if (Status s = SetUpPlanner(); !s.ok()) return Finish(JobState::kFailed, s.message(), -1);
  auto reattached = Reattach();
  if (!reattached.ok()) return reattached.status();
  bool attached = *reattached;
  int restarts = 0;
  for (const auto& a : history_) restarts += a.outcome == "failed" ? 1 : 0;
  for (;;) {
    if (!attached) {
      // After a stop is asked for, no instance is launched.
      if (Stopping()) return StopBeforeRun();
      if (static_cast<int>(history_.size()) >= ctx_.options.max_attempts) {
        return Finish(JobState::kFailed,
                      "gave up after " + std::to_string(ctx_.options.max_attempts) + " instances",
                      -1);
      }
      Status s = Status::Ok();
      if (!TakeReplacement()) {
        SPOTRUN_RETURN_IF_ERROR(Transition(JobState::kProvisioning, "choosing the cheapest offer"));
        s = Provision();
      }
      if (s.ok()) {
        log_offset_ = 0;
        SPOTRUN_RETURN_IF_ERROR(Transition(JobState::kSettingUp, "uploading and running `setup`"));
        s = SetUpRetried();
        setup_failures_ = s.ok() ? 0 : setup_failures_ + 1;
      }
      // A stop cut the launch or the setup short: the job ends here.
      if (!s.ok() && Stopping()) return StopBeforeRun();
      if (!s.ok() && !instance_.id.empty()) {
        // An instance taken back while being set up is a preemption, not a
        // failure; one that cannot be set up is replaced, a few times in a row
        // at most (the failure may follow the job to every instance).
        int failures = setup_failures_ < kMaxSetUpFailures ? ctx_.options.max_poll_failures : 0;
        if (auto end = OnPollFailure(s, &failures)) {
          SPOTRUN_RETURN_IF_ERROR(EndAttempt(*end));
          continue;
        }
      }
      if (!s.ok()) {
        SalvageLogs();
        bool cancelled = s.code() == Code::kCancelled && stop_state_ == JobState::kCancelled;
        SPOTRUN_RETURN_IF_ERROR(TerminateInstance(cancelled ? "cancelled" : "failed"));
        return Finish(cancelled ? JobState::kCancelled : JobState::kFailed,
                      stop_reason_.empty() ? s.message() : stop_reason_, -1);
      }
    }
    attached = false;
    AgentStatus status;
    auto end = Watch(&status);
    if (!end.ok()) {
      SalvageLogs();
      SPOTRUN_RETURN_IF_ERROR(TerminateInstance("lost"));
      return Finish(JobState::kFailed, "lost the instance: " + end.status().message(), -1);
    }
    if (*end == AttemptEnd::kAgentDied) {
      SalvageLogs();
      SPOTRUN_RETURN_IF_ERROR(TerminateInstance("failed"));
      return Finish(JobState::kFailed,
                    "the agent on the instance stopped in phase " + agent_died_in_ +
                        " without finishing (see logs/agent.log in the results)",
                    -1);
    }
    if (*end == AttemptEnd::kMigrated) {
      SPOTRUN_RETURN_IF_ERROR(TerminateInstance("migrated"));
      SPOTRUN_RETURN_IF_ERROR(ctx_.store->AddEvent(job_.id, ctx_.clock->Now(), "MIGRATED", ""));
      continue;
    }
    if (*end == AttemptEnd::kInterrupted || *end == AttemptEnd::kLost) {
      SPOTRUN_RETURN_IF_ERROR(EndAttempt(*end));
      if (Stopping()) return Finish(stop_state_, stop_reason_, -1);
      continue;
    }
    if (*end == AttemptEnd::kDone && status.exit_code != 0 && stop_reason_.empty() &&
        restarts < spec_.recovery.max_restarts) {
      ++restarts;
      SalvageLogs();
      SPOTRUN_RETURN_IF_ERROR(TerminateInstance("failed"));
      ctx_.reporter->Note(status.message + "; restart " + std::to_string(restarts) + " of " +
                          std::to_string(spec_.recovery.max_restarts));
      continue;
    }
    return FinishDone(status);
  }
}

Result<JobState> JobDriver::StopBeforeRun() {
  stop_handled_ = true;
  ctx_.reporter->Note("stopping: " + stop_reason_);
  SPOTRUN_RETURN_IF_ERROR(
      TerminateInstance(stop_state_ == JobState::kCancelled ? "cancelled" : "failed"));
  return Finish(stop_state_, stop_reason_, -1);
}

Status JobDriver::EndAttempt(AttemptEnd end) {
  const bool preempted = end == AttemptEnd::kInterrupted;
  const std::string id = instance_.id;
  SPOTRUN_RETURN_IF_ERROR(TerminateInstance(preempted ? "preempted" : "lost"));
  SPOTRUN_RETURN_IF_ERROR(
      ctx_.store->AddEvent(job_.id, ctx_.clock->Now(), preempted ? "PREEMPTED" : "LOST", id));
  ctx_.reporter->Note(std::string(preempted ? "preempted" : "lost the instance") +
                      "; relaunching from checkpoint snapshot " +
                      std::to_string(checkpoints_.Current().generation));
  // The capacity is being taken back: with no replacement launched during
  // the notice (notice_replacement.cc), relaunch once the reclaim has
  // happened. Notice times are whole seconds, so wait one more.
  while (!replacement_ && reclaim_at_ > 0 && ctx_.clock->Now() < reclaim_at_ + 1 && !Stopping()) {
    ctx_.clock->Sleep(ctx_.options.poll_interval_s);
  }
  reclaim_at_ = 0;
  return Status::Ok();
}

Result<bool> JobDriver::Reattach() {
  auto attempts = ctx_.store->Attempts(job_.id);
  if (!attempts.ok()) return attempts.status();
  history_ = *attempts;
  SPOTRUN_RETURN_IF_ERROR(CloseStaleAttempts());
  if (history_.empty()) return false;
  AttemptRecord last = history_.back();
  if (last.ended_at > 0) return false;
  // A launch that failed may have been tried again, with its token, when the
  // controller died: resume it like one in flight.
  if (last.outcome == "launch-failed") last.outcome.clear();
  history_.pop_back();
  attempt_ = last;
  ctx_.reporter->Note("picking up attempt " + std::to_string(last.number) + " after a restart");
  if (last.instance_id.empty()) {
    // The launch was in flight: the same client token yields the same instance.
    Candidate c;
    c.offer.instance_type = last.instance_type;
    c.offer.region = last.region;
    c.offer.zone = last.zone;
    c.offer.on_demand_price = last.on_demand_price_per_hour;
    c.market = last.market == "spot" ? Market::kSpot : Market::kOnDemand;
    c.price = last.price_per_hour;
    c.max_price = spec_.resources.max_price.value_or(last.on_demand_price_per_hour);
    SPOTRUN_RETURN_IF_ERROR(Transition(JobState::kProvisioning, "resuming the launch"));
    if (!LaunchCandidate(c, last.client_token).ok()) return false;
  } else {
    auto d = ctx_.cloud->Describe(last.instance_id);
    if (!d.ok() || d->state != InstanceState::kRunning) {
      // Gone while nobody watched: close the attempt and relaunch.
      attempt_.ended_at = d.ok() && d->end_time > 0 ? d->end_time : ctx_.clock->Now();
      attempt_.outcome =
          d.ok() && d->state_reason.find("Spot") != std::string::npos ? "preempted" : "lost";
      SPOTRUN_RETURN_IF_ERROR(ctx_.store->UpsertAttempt(attempt_));
      history_.push_back(attempt_);
      return false;
    }
    instance_ = *d;
    auto host = ctx_.cloud->HostFor(instance_);
    if (!host.ok()) return false;
    UseHost(std::move(host).value());
  }
  std::error_code ec;
  log_offset_ = static_cast<long long>(fs::file_size(AttemptLogPath(), ec));
  if (ec) log_offset_ = 0;
  auto probe = PollOnce();
  // An agent gone while collecting had finished `run`: Watch ends the attempt.
  if (!probe.ok() || (!probe->supervisor_alive && probe->phase != "done" &&
                      probe->phase != "interrupted" && probe->phase != "collecting")) {
    // The agent never started (or died with its instance half set up).
    SPOTRUN_RETURN_IF_ERROR(Transition(JobState::kSettingUp, "uploading and running `setup`"));
    if (Status s = SetUp(); !s.ok()) return s;
  }
  return true;
}

Status JobDriver::CloseStaleAttempts() {
  auto open = [](const AttemptRecord& a) {
    return a.ended_at == 0 && a.outcome != "launch-failed" && !a.client_token.empty();
  };
  auto newest = std::find_if(history_.rbegin(), history_.rend(), open);
  if (newest == history_.rend()) return Status::Ok();
  // A controller that died while moving the job to spot, or while replacing
  // a noticed instance, leaves two attempts open: the newer one carries on,
  // the older one is given back (preempted when it had the notice).
  auto events = ctx_.store->Events(job_.id);
  const double newer_from = newest->started_at > 0 ? newest->started_at : ctx_.clock->Now();
  auto noticed = [&](const AttemptRecord& a) {
    return events.ok() && std::any_of(events->begin(), events->end(), [&](const EventRecord& e) {
             return e.kind == "NOTICE" && e.at >= a.started_at && e.at <= newer_from;
           });
  };
  for (auto it = std::next(newest); it != history_.rend(); ++it) {
    if (!open(*it)) continue;
    if (!it->instance_id.empty() && !ctx_.cloud->Terminate(it->instance_id).ok()) {
      ctx_.reporter->Note("could not terminate " + it->instance_id +
                          " (the next spotrun command retries)");
      continue;
    }
    it->ended_at = ctx_.clock->Now();
    it->outcome = noticed(*it) ? "preempted" : "migrated";
    SPOTRUN_RETURN_IF_ERROR(ctx_.store->UpsertAttempt(*it));
  }
  // The one to pick up goes last (after a failed launch of a replacement).
  std::rotate(std::prev(newest.base()), newest.base(), history_.end());
  return Status::Ok();
}

Result<JobState> JobDriver::FinishDone(const AgentStatus& status) {
  Status collected = Collect();
  JobState state = JobState::kSucceeded;
  std::string message = status.message;
  if (!stop_reason_.empty()) {
    state = stop_state_;
    message = stop_reason_;
  } else if (status.exit_code != 0) {
    state = JobState::kFailed;
  } else if (!status.staging_error.empty()) {
    state = JobState::kFailed;
    message = status.staging_error;
  } else if (!collected.ok()) {
    state = JobState::kFailed;
    message = "cannot collect the results into " + job_.results_dir + ": " + collected.message();
  } else if (!status.missing_outputs.empty()) {
    state = JobState::kFailed;
    message = "outputs not found: " + status.missing_outputs.front();
  }
  const char* outcome = state == JobState::kSucceeded   ? "succeeded"
                        : state == JobState::kCancelled ? "cancelled"
                                                        : "failed";
  SPOTRUN_RETURN_IF_ERROR(TerminateInstance(outcome));
  return Finish(state, message, status.exit_code);
}

Status JobDriver::Collect() {
  const std::string partial = job_.results_dir + ".partial";
  SPOTRUN_RETURN_IF_ERROR(RemoveAll(partial));
  Status pulled = host_->Pull(layout_.out_dir, partial);
  if (!pulled.ok()) {
    (void)RemoveAll(partial);
    return pulled;
  }
  // The instance's log has what the polls brought and maybe more (the last
  // lines); the results keep every attempt's log.
  SPOTRUN_RETURN_IF_ERROR(
      TopUpAttemptLog(partial + "/logs/job.log", AttemptLogPath(), &log_offset_));
  SPOTRUN_RETURN_IF_ERROR(MakeDirs(partial + "/logs"));
  SPOTRUN_RETURN_IF_ERROR(WriteAllAttemptLogs(ctx_.options.jobs_dir, job_.id, AllAttempts(),
                                              partial + "/logs/job.log"));
  // Earlier content (an empty directory, or logs salvaged before) is replaced whole.
  SPOTRUN_RETURN_IF_ERROR(RemoveAll(job_.results_dir));
  std::error_code ec;
  fs::rename(partial, job_.results_dir, ec);
  if (ec) return Internal("cannot move results into " + job_.results_dir + ": " + ec.message());
  collected_ = true;
  return Status::Ok();
}

void JobDriver::SalvageLogs() {
  if (!host_) return;
  auto rc = host_->Run(AgentStopCommand(layout_), {.env = {}, .timeout_s = 60}, nullptr);
  if (rc.ok() && *rc == 0 && Collect().ok()) {
    ctx_.reporter->Note("logs saved in " + job_.results_dir + "/logs");
  }
}

Status JobDriver::TerminateInstance(const std::string& outcome) {
  if (instance_.id.empty()) return Status::Ok();
  // Throttling outlasts a few quick tries, and the instance bills until it is gone.
  const double give_up_at = ctx_.clock->Now() + kTerminateRetryS;
  Status s;
  for (double delay = 1;; delay = std::min(delay * 2, 30.0)) {
    s = ctx_.cloud->Terminate(instance_.id);
    if (s.ok() || s.code() != Code::kUnavailable || ctx_.clock->Now() + delay > give_up_at) break;
    ctx_.clock->Sleep(delay);
  }
  if (!s.ok()) {
    ctx_.reporter->Note("could not terminate " + instance_.id + ": " + s.message() +
                        " (the next spotrun command retries)");
    return Status::Ok();
  }
  auto d = ctx_.cloud->Describe(instance_.id);
  attempt_.ended_at = d.ok() && d->end_time > 0 ? d->end_time : ctx_.clock->Now();
  // `run` stopped when the instance did (a preempted one before we noticed).
  if (planner_) planner_->RunEnded(std::min(attempt_.ended_at, ctx_.clock->Now()));
  attempt_.outcome = outcome;
  SPOTRUN_RETURN_IF_ERROR(ctx_.store->UpsertAttempt(attempt_));
  history_.push_back(attempt_);
  ctx_.reporter->Note("terminated " + instance_.id);
  session_.reset();
  host_.reset();
  instance_ = Instance{};
  attempt_ = AttemptRecord{};
  return Status::Ok();
}

std::vector<AttemptRecord> JobDriver::AllAttempts() const {
  std::vector<AttemptRecord> all = history_;
  if (attempt_.number > 0) all.push_back(attempt_);
  return all;
}

void JobDriver::KeepLogsInResults() {
  const std::string logs = job_.results_dir + "/logs";
  if (job_.results_dir.empty() || PathExists(logs + "/job.log")) return;
  bool any = false;
  for (const AttemptRecord& a : AllAttempts()) {
    any = any || PathExists(LocalAttemptLogPath(ctx_.options.jobs_dir, job_.id, a.number));
  }
  if (!any || !MakeDirs(logs).ok()) return;
  (void)WriteAllAttemptLogs(ctx_.options.jobs_dir, job_.id, AllAttempts(), logs + "/job.log");
}

Result<JobState> JobDriver::Finish(JobState state, const std::string& message, int exit_code) {
  if (replacement_) {
    // The job ended while moving to spot: the new instance goes too.
    SPOTRUN_RETURN_IF_ERROR(TerminateInstance("cancelled"));
    TakeReplacement();
    SPOTRUN_RETURN_IF_ERROR(TerminateInstance("cancelled"));
  }
  // What the cloud made for the job and no instance uses goes now (a launch
  // that failed leaves some); what cannot go yet is the orphan sweep's.
  if (Status released = ctx_.cloud->ReleaseJob(job_.id); !released.ok()) {
    ctx_.reporter->Note("could not remove what the cloud kept for the job (" + released.message() +
                        "); the next orphan sweep will");
  }
  KeepNotebookFilesInResults();
  // However the job ended, its results keep the logs of every attempt.
  KeepLogsInResults();
  job_.message = message;
  job_.exit_code = exit_code;
  job_.controller_pid = 0;
  SPOTRUN_RETURN_IF_ERROR(Transition(state, message));
  return state;
}

}  // namespace spotrun
