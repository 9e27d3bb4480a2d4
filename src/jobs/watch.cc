// Setting up an attempt and watching it: agent start, polls, checkpoint
// syncs, stop conditions, and what a silent instance means.
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "jobs/job_driver.h"
#include "jobs/s3_checkpoint_mirror.h"
#include "jobs/upload_excludes.h"
#include "util/embedded.h"
#include "util/fs.h"

namespace spotrun {

namespace fs = std::filesystem;

namespace {

// A value on one line: '\\' and newlines escaped (the agent undoes it).
std::string EscapeLine(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string JobDriver::AttemptLogPath() const {
  return LocalAttemptLogPath(ctx_.options.jobs_dir, job_.id, attempt_.number);
}

AttemptConfig JobDriver::MakeAttemptConfig() const {
  AttemptConfig c;
  c.attempt = attempt_.number;
  c.shutdown_command = ctx_.cloud->SelfTerminateCommand(instance_);
  c.snapshot_base = checkpoints_.Current().generation;
  c.cloud = ctx_.cloud->Name();
  c.region = instance_.region;
  c.zone = instance_.zone;
  if (!instance_.address.empty()) c.node_ip = instance_.address;
  c.gpus = gpus_ >= 0 ? gpus_ : spec_.resources.accelerator_count;
  if (spec_.budget.max_duration_s) {
    c.stop_at = job_.created_at + *spec_.budget.max_duration_s;
    c.stop_at_reason = "budget.max_duration reached";
  }
  if (spec_.budget.max_cost && attempt_.price_per_hour > 0) {
    double spent = 0;
    for (const auto& a : history_) spent += a.Cost(ctx_.clock->Now());
    // Stop a minute before the remaining budget is billed.
    double at = attempt_.started_at +
                (*spec_.budget.max_cost - spent) / attempt_.price_per_hour * 3600.0 - 60;
    if (c.stop_at == 0 || at < c.stop_at) {
      c.stop_at = at;
      c.stop_at_reason = "budget.max_cost reached";
    }
  }
  return c;
}

Status JobDriver::SetUp() {
  const std::string config = AgentConfigJson(spec_, layout_, job_.id, MakeAttemptConfig());
  const std::string staging = ctx_.options.jobs_dir + "/" + job_.id + "/agent";
  if (!spec_.workdir.empty()) {  // workdir: false uploads nothing.
    ctx_.reporter->Note("uploading " + spec_.workdir);
    SPOTRUN_RETURN_IF_ERROR(host_->Push(spec_.workdir, layout_.workdir, WorkdirExcludes()));
  }
  for (const auto& in : spec_.inputs) {
    if (in.is_url) continue;
    ctx_.reporter->Note("uploading input " + in.source + " -> " + in.remote);
    const bool home = in.remote.rfind("~/", 0) == 0;
    const std::string dest = home ? in.remote.substr(2) : layout_.workdir + "/" + in.remote;
    SPOTRUN_RETURN_IF_ERROR(host_->Push(in.source, dest, {}));
  }
  SPOTRUN_RETURN_IF_ERROR(PushSecrets());
  std::vector<std::pair<std::string, std::string_view>> files = {
      {"config.json", config}, {"spotrun_agent.py", *EmbeddedFile("agent/spotrun_agent.py")}};
  if (spec_.notebook.enabled) {
    files.push_back({"spotrun_notebook.py", *EmbeddedFile("agent/spotrun_notebook.py")});
  }
  SPOTRUN_RETURN_IF_ERROR(host_->PushFiles(files, staging, layout_.root));
  if (spec_.notebook.enabled) {
    // What was uploaded, before the restore: the snapshots and outputs hold the rest.
    auto baseline =
        host_->Run(AgentBaselineCommand(layout_), {.env = {}, .timeout_s = 600}, nullptr);
    if (!baseline.ok()) return baseline.status();
    if (*baseline != 0) return Unavailable("the agent could not list the workdir");
  }
  SPOTRUN_RETURN_IF_ERROR(FetchMirroredCheckpoint());
  auto restored = checkpoints_.Restore(*host_, layout_.CheckpointDir(spec_.checkpoint.dir));
  if (!restored.ok()) return restored.status();
  if (*restored > 0) {
    ctx_.reporter->Note("restored checkpoint snapshot " + std::to_string(*restored));
  }
  auto rc = host_->Run(AgentStartCommand(layout_), {}, nullptr);
  if (!rc.ok()) return rc.status();
  if (*rc != 0) return Unavailable("the agent did not start (exit " + std::to_string(*rc) + ")");
  last_sync_ = ctx_.clock->Now();
  return Status::Ok();
}

std::vector<std::string> JobDriver::WorkdirExcludes() const {
  std::vector<std::string> results = {job_.results_dir};
  // Only the jobs whose results lie under the workdir, as written or resolved
  // (not every job of the store: a controller may drive thousands).
  std::error_code ec;
  const std::filesystem::path lexical = std::filesystem::absolute(spec_.workdir, ec);
  const std::filesystem::path resolved = std::filesystem::weakly_canonical(spec_.workdir, ec);
  std::vector<std::string> prefixes = {lexical.lexically_normal().string()};
  if (!ec && resolved.string() != prefixes[0]) prefixes.push_back(resolved.string());
  for (std::string& p : prefixes) {
    while (p.size() > 1 && p.back() == '/') p.pop_back();
  }
  if (auto dirs = ctx_.store->ResultsDirsUnder(prefixes); dirs.ok()) {
    results.insert(results.end(), dirs->begin(), dirs->end());
  }
  return ResultsExcludes(spec_.workdir, results);
}

Status JobDriver::SetUpRetried() {
  Status s = SetUp();
  for (int retry = 1; retry < kSetUpTries && s.code() == Code::kUnavailable && !Stopping();
       ++retry) {
    auto d = ctx_.cloud->Describe(instance_.id);
    if (!d.ok() || d->state != InstanceState::kRunning) break;  // Taken back: not a drop.
    ctx_.reporter->Note("setting up " + instance_.id + " failed (" + s.message() +
                        "); trying again");
    if (!PauseUnlessStopping(5.0 * retry)) return Cancelled(stop_reason_);
    auto host = ctx_.cloud->HostFor(instance_);
    if (!host.ok()) return host.status();
    UseHost(std::move(host).value());
    s = SetUp();
  }
  return s;
}

Status JobDriver::PushSecrets() {
  if (spec_.secrets.empty()) return Status::Ok();
  if (ctx_.secrets.empty()) {
    return InvalidArgument(
        "the job's secrets are gone from this machine (SPOTRUN_HOME/jobs/<id>.secrets); "
        "launch the job again");
  }
  // The file exists on this machine only while it is copied, outside
  // SPOTRUN_HOME, readable by this user alone; the agent deletes its copy.
  std::string path = (fs::temp_directory_path() / "spotrun-secrets-XXXXXX").string();
  const int fd = mkstemp(path.data());
  if (fd < 0) return Internal("cannot create a temporary file for the job's secrets");
  std::string body;
  for (const auto& [key, value] : ctx_.secrets) body += key + "=" + EscapeLine(value) + "\n";
  const bool written = write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size());
  close(fd);
  Status pushed = written ? host_->Push(path, layout_.root + "/secrets.env", {})
                          : Internal("cannot write the job's secrets");
  unlink(path.c_str());
  return pushed;
}

Status JobDriver::StoreLost() {
  SPOTRUN_RETURN_IF_ERROR(ctx_.store->CheckFile());
  if (!ctx_.watch_cancel_requests) return Status::Ok();
  auto asked = ctx_.store->CancelRequested(job_.id);
  // A lock held past the busy timeout passes; a store that lost the job or
  // cannot be read does not.
  if (asked.ok() || asked.status().code() == Code::kUnavailable) return Status::Ok();
  return asked.status();
}

bool JobDriver::PauseUnlessStopping(double seconds) {
  for (double waited = 0; waited < seconds; waited += ctx_.options.poll_interval_s) {
    if (Stopping()) return false;
    ctx_.clock->Sleep(ctx_.options.poll_interval_s);
  }
  return !Stopping();
}

void JobDriver::UseHost(std::unique_ptr<Host> host) {
  session_.reset();
  polls_until_session_ = 0;
  host_ = std::move(host);
  host_->SetStop([this] { return !stop_handled_ && Stopping(); });
}

double JobDriver::Spent() const {
  const double now = ctx_.clock->Now();
  double spent = attempt_.Cost(now);
  for (const auto& a : history_) spent += a.Cost(now);
  // A replacement standing by bills too (the overlap is billed on both).
  if (replacement_) spent += replacement_->attempt.Cost(now);
  return spent;
}

bool JobDriver::Stopping() {
  if (!stop_reason_.empty()) return true;
  if (ctx_.interrupted()) {
    stop_reason_ = "interrupted (Ctrl-C)";
    stop_state_ = JobState::kCancelled;
  } else if (Status lost = StoreLost(); !lost.ok()) {
    // No one can see or cancel this job any more: stop paying for it.
    stop_reason_ = "lost the state store: " + lost.message();
    stop_state_ = JobState::kFailed;
  } else if (auto asked = ctx_.watch_cancel_requests ? ctx_.store->CancelRequested(job_.id)
                                                     : Result<bool>(false);
             asked.ok() && *asked) {
    stop_reason_ = "cancelled by `spotrun cancel`";
    stop_state_ = JobState::kCancelled;
  } else if (spec_.budget.max_duration_s &&
             ctx_.clock->Now() - job_.created_at >= *spec_.budget.max_duration_s) {
    stop_reason_ = "budget.max_duration reached";
    stop_state_ = JobState::kFailed;
  } else if (spec_.budget.max_cost && attempt_.started_at > 0 &&
             Spent() + attempt_.price_per_hour / 60.0 > *spec_.budget.max_cost) {
    // Stop before the next billed minute would cross the cap.
    stop_reason_ = "budget.max_cost reached";
    stop_state_ = JobState::kFailed;
  } else if (auto idle = NotebookIdleStop()) {
    stop_reason_ = *idle;
    stop_state_ = JobState::kSucceeded;
  }
  return !stop_reason_.empty();
}

void JobDriver::SyncCheckpoint(const std::string& why) {
  last_sync_ = ctx_.clock->Now();
  if (why == "periodic") {
    auto rc = host_->Run(AgentSnapshotCommand(layout_), {.env = {}, .timeout_s = 600}, nullptr);
    if (!rc.ok() || *rc != 0) return;
    // The log up to the snapshot comes first: a checkpoint kept without the
    // lines written before it would resume past lines no one ever saw. (The
    // final snapshot is taken before the poll that reports it.)
    if (!PollOnce().ok()) return;
  }
  int before = checkpoints_.Current().generation;
  auto gen = checkpoints_.Save(*host_, layout_.snapshot_dir);
  if (!gen.ok()) {
    ctx_.reporter->Note("checkpoint sync failed (" + gen.status().message() +
                        "); keeping snapshot " + std::to_string(before));
  } else if (*gen > before) {
    ctx_.reporter->Note("checkpoint snapshot " + std::to_string(*gen) + " saved (" + why + ")");
    (void)ctx_.store->AddEvent(job_.id, ctx_.clock->Now(), "CHECKPOINT",
                               "snapshot " + std::to_string(*gen) + " (" + why + ")");
    MirrorCheckpoint();
  }
}

Result<AttemptEnd> JobDriver::Watch(AgentStatus* final_status) {
  int failures = 0, dead_polls = 0;
  double dead_since = 0;
  bool stop_sent = false;
  notice_seen_ = false;
  final_synced_ = false;
  for (;;) {
    if (Stopping() && !stop_sent) {
      ctx_.reporter->Note("stopping: " + stop_reason_);
      stop_sent = true;
      stop_handled_ = true;
      auto rc = host_->Run(AgentStopCommand(layout_), {.env = {}, .timeout_s = 120}, nullptr);
      // Gone just now (taken back, say): the cloud tells how the attempt ended.
      if (!rc.ok()) {
        if (auto end = OnPollFailure(rc.status(), &failures)) return *end;
      }
    }
    auto polled = PollOnce();
    // A stop cut the poll short: the next turn tells the agent.
    if (!polled.ok() && polled.status().code() == Code::kCancelled && Stopping()) continue;
    if (!polled.ok()) {
      if (auto end = OnPollFailure(polled.status(), &failures)) return *end;
    } else {
      failures = 0;
      *final_status = *polled;
      NoteNotebook(*polled);
      // The replacement launches while this instance takes its final
      // checkpoint, which PollRunning syncs if it comes meanwhile.
      if (NoteNotice(*polled) && !stop_sent) ReplaceOnNotice();
      if (polled->phase == "interrupted" || final_synced_) {
        if (!final_synced_) SyncCheckpoint("final, on the interruption notice");
        final_synced_ = true;
        return AttemptEnd::kInterrupted;
      }
      if (polled->phase == "done") return stop_sent ? AttemptEnd::kStopped : AttemptEnd::kDone;
      if (auto end = CheckAgentAlive(*polled, &dead_polls, &dead_since)) return *end;
      if (!stop_sent && !notice_seen_ && polled->phase == "run" && PolicyWantsSwitch()) {
        SyncCheckpoint("periodic");
        auto rc = host_->Run(AgentStopCommand(layout_), {.env = {}, .timeout_s = 120}, nullptr);
        if (!rc.ok()) {
          if (auto end = OnPollFailure(rc.status(), &failures)) return *end;
        }
        (void)PollOnce();  // The old instance's last lines.
        return AttemptEnd::kMigrated;
      }
      if (!stop_sent && !notice_seen_ && polled->phase == "run" &&
          ctx_.clock->Now() - last_sync_ >= spec_.checkpoint.sync_interval_s) {
        SyncCheckpoint("periodic");
      }
    }
    ctx_.clock->Sleep(ctx_.options.poll_interval_s);
  }
}

bool JobDriver::NoteNotice(const AgentStatus& status) {
  if (status.notice.empty() || notice_seen_) return false;
  notice_seen_ = true;
  ctx_.reporter->Note("spot interruption notice: " + status.notice);
  reclaim_at_ = NoticeActionTime(status.notice).value_or(ctx_.clock->Now());
  (void)ctx_.store->AddEvent(job_.id, ctx_.clock->Now(), "NOTICE", status.notice);
  return true;
}

void JobDriver::MirrorCheckpoint() {
  if (!ctx_.checkpoint_mirror) return;
  S3CheckpointMirror mirror(ctx_.checkpoint_mirror);
  Status s = mirror.Upload(checkpoints_.CurrentDir());
  ctx_.reporter->Note(s.ok() ? "checkpoint mirrored to " + ctx_.checkpoint_mirror->Describe()
                             : "checkpoint mirror failed: " + s.message());
}

Status JobDriver::FetchMirroredCheckpoint() {
  if (!ctx_.checkpoint_mirror || checkpoints_.Current().generation > 0) return Status::Ok();
  S3CheckpointMirror mirror(ctx_.checkpoint_mirror);
  const std::string dest = LocalCheckpointDir(ctx_.options.jobs_dir, job_.id) + "/downloaded";
  auto gen = mirror.Download(dest);
  if (!gen.ok()) return gen.status();
  if (*gen == 0) return Status::Ok();
  auto adopted = checkpoints_.Adopt(dest);
  if (!adopted.ok()) return adopted.status();
  ctx_.reporter->Note("checkpoint snapshot " + std::to_string(*adopted) + " fetched from " +
                      ctx_.checkpoint_mirror->Describe());
  return Status::Ok();
}

std::optional<AttemptEnd> JobDriver::OnPollFailure(const Status& failure, int* failures) {
  // Unreachable is not preempted: ask the cloud what became of the instance.
  auto d = ctx_.cloud->Describe(instance_.id);
  if (d.ok() &&
      (d->state == InstanceState::kTerminated || d->state == InstanceState::kShuttingDown)) {
    bool spot_reclaim = d->state_reason.find("Spot") != std::string::npos ||
                        d->state_reason.find("spot") != std::string::npos;
    ctx_.reporter->Note("instance " + instance_.id + " is " + InstanceStateName(d->state) +
                        (d->state_reason.empty() ? "" : " (" + d->state_reason + ")"));
    return spot_reclaim ? AttemptEnd::kInterrupted : AttemptEnd::kLost;
  }
  if (++*failures >= ctx_.options.max_poll_failures) {
    ctx_.reporter->Note("instance " + instance_.id + " unreachable: " + failure.message());
    return AttemptEnd::kLost;
  }
  return std::nullopt;  // Not decided yet: poll again.
}

std::optional<AttemptEnd> JobDriver::CheckAgentAlive(const AgentStatus& status, int* dead_polls,
                                                     double* dead_since) {
  // Before "inputs" the supervisor has not written its pid yet; after "done"
  // and "interrupted" it may be gone.
  const bool drives = status.phase == "inputs" || status.phase == "setup" ||
                      status.phase == "run" || status.phase == "collecting";
  if (status.supervisor_alive || !drives) {
    *dead_polls = 0;
    *dead_since = 0;
    return std::nullopt;
  }
  if (*dead_since == 0) *dead_since = ctx_.clock->Now();
  if (++*dead_polls < kDeadAgentPolls || ctx_.clock->Now() - *dead_since < kDeadAgentSeconds) {
    return std::nullopt;
  }
  // An instance being taken back loses its processes before its disk.
  int unused = 0;
  auto d = ctx_.cloud->Describe(instance_.id);
  if (d.ok() && d->state != InstanceState::kRunning) {
    return OnPollFailure(Unavailable("the agent is gone"), &unused);
  }
  ctx_.reporter->Note("the agent on " + instance_.id + " stopped in phase " + status.phase +
                      " without finishing");
  agent_died_in_ = status.phase;
  return AttemptEnd::kAgentDied;
}

Result<std::string> JobDriver::PollAgent() {
  // Over the attempt's session while it works; a command per poll on hosts
  // without sessions, and for a while after a session broke.
  if (!session_ && polls_until_session_-- <= 0) {
    auto session = host_->OpenSession(AgentServeCommand(layout_));
    if (session.ok()) session_ = std::move(session).value();
    polls_until_session_ = kPollsBetweenSessions;
  }
  if (session_) {
    auto answer = session_->Call(AgentPollRequest(log_offset_), 60);
    if (answer.ok()) return answer;
    session_.reset();
  }
  std::string out;
  auto rc = host_->Run(AgentPollCommand(layout_, log_offset_), {.env = {}, .timeout_s = 60},
                       [&out](std::string_view s) { out.append(s); });
  if (!rc.ok()) return rc.status();
  if (*rc != 0) return Unavailable("agent poll exited " + std::to_string(*rc) + ": " + out);
  return out;
}

Result<AgentStatus> JobDriver::PollOnce() {
  auto out = PollAgent();
  if (!out.ok()) return out.status();
  auto parsed = ParsePollOutput(*out);
  if (!parsed.ok()) return parsed.status();
  std::string_view log = parsed->log;
  log_offset_ += static_cast<long long>(log.size());
  if (!log.empty()) std::ofstream(AttemptLogPath(), std::ios::app) << log;
  // Enter RUNNING where the log says `run` started, so output lands under its phase.
  size_t marker = log.find(kAgentRunMarker);
  if (job_.state == JobState::kSettingUp &&
      (marker != std::string_view::npos || parsed->status.phase == "run")) {
    if (marker == std::string_view::npos) marker = log.size();
    ctx_.reporter->Output(log.substr(0, marker));
    log.remove_prefix(marker);
    SPOTRUN_RETURN_IF_ERROR(Transition(JobState::kRunning, "running `run`"));
    // The agent knows when `run` started; the poll only saw it later.
    const double now = ctx_.clock->Now();
    const double started = parsed->status.run_started_at > 0
                               ? std::clamp(parsed->status.run_started_at, attempt_.started_at, now)
                               : now;
    if (planner_) planner_->RunStarted(started, attempt_.started_at);
  }
  ctx_.reporter->Output(log);
  if (parsed->status.progress) NoteProgress(*parsed->status.progress);
  if (parsed->status.gpus && gpus_noted_attempt_ != attempt_.number) NoteGpus(parsed->status);
  return parsed->status;
}

void JobDriver::NoteGpus(const AgentStatus& status) {
  gpus_noted_attempt_ = attempt_.number;
  GpuReport report{attempt_.number, *status.gpus, status.gpus_missing_reason};
  (void)ctx_.store->AddEvent(job_.id, ctx_.clock->Now(), "GPUS", GpuReportToJson(report));
}

void JobDriver::NoteProgress(double fraction) {
  const double now = ctx_.clock->Now();
  if (planner_ && job_.state == JobState::kRunning) planner_->ReportProgress(fraction, now);
  // Kept as events (one per percent gained) for `spotrun status` and for a
  // controller that picks the job up.
  if (fraction < stored_progress_ + 0.01 && !(fraction == 1 && stored_progress_ < 1)) return;
  stored_progress_ = fraction;
  char detail[32];
  std::snprintf(detail, sizeof(detail), "%.4f", fraction);
  (void)ctx_.store->AddEvent(job_.id, now, "PROGRESS", detail);
}

}  // namespace spotrun
