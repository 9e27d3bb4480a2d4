// DriveJob and the end of a job: outputs, termination, the final state.
#include <filesystem>
#include <sstream>

#include "jobs/job_driver.h"
#include "util/fs.h"

namespace spotrun {

namespace fs = std::filesystem;

Result<JobState> DriveJob(const ControllerContext& ctx, const std::string& job_id) {
  auto rec = ctx.store->GetJob(job_id);
  if (!rec.ok()) return rec.status();
  auto spec = ParseJobSpec(rec->spec_text, rec->spec_path);
  if (!spec.ok()) return spec.status();
  JobDriver driver(ctx, *rec, *spec);
  return driver.Run();
}

Result<JobState> JobDriver::Run() {
  SPOTRUN_RETURN_IF_ERROR(MakeDirs(ctx_.options.jobs_dir + "/" + job_.id));
  SPOTRUN_RETURN_IF_ERROR(Transition(JobState::kProvisioning, "choosing the cheapest offer"));
  Status s = Provision();
  if (s.ok()) {
    SPOTRUN_RETURN_IF_ERROR(Transition(JobState::kSettingUp, "uploading and running `setup`"));
    s = SetUp();
  }
  if (!s.ok()) {
    SalvageLogs();
    bool cancelled = s.code() == Code::kCancelled ||
                     (stop_state_ == JobState::kCancelled && !stop_reason_.empty());
    SPOTRUN_RETURN_IF_ERROR(TerminateInstance(cancelled ? "cancelled" : "failed"));
    return Finish(cancelled ? JobState::kCancelled : JobState::kFailed,
                  stop_reason_.empty() ? s.message() : stop_reason_, -1);
  }
  auto status = Watch();
  if (!status.ok()) {
    SalvageLogs();
    SPOTRUN_RETURN_IF_ERROR(TerminateInstance("lost"));
    return Finish(JobState::kFailed, "lost the instance: " + status.status().message(), -1);
  }
  Status collected = Collect();
  JobState final_state = JobState::kSucceeded;
  std::string message = status->message;
  if (!stop_reason_.empty()) {
    final_state = stop_state_;
    message = stop_reason_;
  } else if (status->exit_code != 0) {
    final_state = JobState::kFailed;
  } else if (!collected.ok()) {
    final_state = JobState::kFailed;
    message = collected.message();
  } else if (!status->missing_outputs.empty()) {
    final_state = JobState::kFailed;
    message = "outputs not found: " + status->missing_outputs.front();
  }
  SPOTRUN_RETURN_IF_ERROR(TerminateInstance(final_state == JobState::kSucceeded   ? "succeeded"
                                            : final_state == JobState::kCancelled ? "cancelled"
                                                                                  : "failed"));
  return Finish(final_state, message, status->exit_code);
}

Status JobDriver::Collect() {
  const std::string partial = job_.results_dir + ".partial";
  SPOTRUN_RETURN_IF_ERROR(RemoveAll(partial));
  Status pulled = host_->Pull(layout_.out_dir, partial);
  if (!pulled.ok()) {
    (void)RemoveAll(partial);
    return pulled;
  }
  // Earlier content (an empty directory, or logs salvaged before) is replaced whole.
  SPOTRUN_RETURN_IF_ERROR(RemoveAll(job_.results_dir));
  std::error_code ec;
  fs::rename(partial, job_.results_dir, ec);
  if (ec) return Internal("cannot move results into " + job_.results_dir + ": " + ec.message());
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
  Status s;
  for (int i = 0; i < 5; ++i) {
    s = ctx_.cloud->Terminate(instance_.id);
    if (s.ok() || s.code() != Code::kUnavailable) break;
    ctx_.clock->Sleep(1 << i);
  }
  if (!s.ok()) {
    ctx_.reporter->Note("could not terminate " + instance_.id + ": " + s.message() +
                        " (the next spotrun command retries)");
    return Status::Ok();
  }
  auto d = ctx_.cloud->Describe(instance_.id);
  attempt_.ended_at = d.ok() && d->end_time > 0 ? d->end_time : ctx_.clock->Now();
  attempt_.outcome = outcome;
  SPOTRUN_RETURN_IF_ERROR(ctx_.store->UpsertAttempt(attempt_));
  ctx_.reporter->Note("terminated " + instance_.id);
  return Status::Ok();
}

Result<JobState> JobDriver::Finish(JobState state, const std::string& message, int exit_code) {
  job_.message = message;
  job_.exit_code = exit_code;
  job_.controller_pid = 0;
  SPOTRUN_RETURN_IF_ERROR(Transition(state, message));
  return state;
}

}  // namespace spotrun
