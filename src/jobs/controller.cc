#include "jobs/controller.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/layout.h"
#include "jobs/agent_protocol.h"
#include "jobs/job_driver.h"
#include "policy/placement.h"
#include "remote/host.h"
#include "spec/job_spec.h"
#include "util/embedded.h"
#include "util/fs.h"

namespace spotrun {

std::string LocalJobLogPath(const std::string& jobs_dir, const std::string& job_id) {
  return jobs_dir + "/" + job_id + "/job.log";
}

JobDriver::JobDriver(const ControllerContext& ctx, JobRecord record, JobSpec spec)
    : ctx_(ctx),
      job_(std::move(record)),
      spec_(std::move(spec)),
      layout_(RemoteLayout::ForJob(job_.id)) {}

Status JobDriver::Transition(JobState next, const std::string& detail) {
  double now = ctx_.clock->Now();
  if (phase_started_ > 0) ctx_.reporter->PhaseDone(job_.state, now - phase_started_);
  job_.state = next;
  job_.updated_at = now;
  SPOTRUN_RETURN_IF_ERROR(ctx_.store->UpdateJob(job_));
  SPOTRUN_RETURN_IF_ERROR(ctx_.store->AddEvent(job_.id, now, JobStateName(next), detail));
  phase_started_ = now;
  if (!IsTerminal(next)) ctx_.reporter->Phase(next, detail);
  return Status::Ok();
}

Status JobDriver::Provision() {
  auto offers = ctx_.cloud->Offers(spec_.resources.region.empty() ? ctx_.cloud->DefaultRegion()
                                                                  : spec_.resources.region);
  if (!offers.ok()) return offers.status();
  std::string why;
  auto candidates = RankCandidates(spec_.resources, ctx_.cloud->DefaultRegion(), *offers, &why);
  if (candidates.empty()) return CapacityError(why);
  Status last;
  // Cheapest first; capacity errors move on to the next candidate.
  for (const Candidate& c : candidates) {
    last = LaunchCandidate(c);
    if (last.ok() || last.code() != Code::kCapacity) return last;
    ctx_.reporter->Note("no capacity for " + c.offer.instance_type + " in " + c.offer.zone + ": " +
                        last.message());
    if (last.message().find("the local cloud cannot run this job") != std::string::npos) break;
  }
  return last;
}

Status JobDriver::LaunchCandidate(const Candidate& c) {
  attempt_ = AttemptRecord{};
  attempt_.job_id = job_.id;
  attempt_.number = 1;
  attempt_.client_token = job_.id + "-a1-" + c.offer.instance_type + "-" + c.offer.zone;
  attempt_.instance_type = c.offer.instance_type;
  attempt_.region = c.offer.region;
  attempt_.zone = c.offer.zone;
  attempt_.market = MarketName(c.market);
  attempt_.price_per_hour = c.price;
  attempt_.on_demand_price_per_hour = c.offer.on_demand_price;
  // Written before the launch so that a restart finds the token.
  SPOTRUN_RETURN_IF_ERROR(ctx_.store->UpsertAttempt(attempt_));
  LaunchRequest req;
  req.instance_type = c.offer.instance_type;
  req.region = c.offer.region;
  req.zone = c.offer.zone;
  req.market = c.market;
  req.max_price = c.max_price;
  req.disk_size_gb = spec_.resources.disk_size_gb;
  req.image = spec_.resources.image;
  req.client_token = attempt_.client_token;
  req.cpus = spec_.resources.cpus;
  req.memory_gib = spec_.resources.memory_gib;
  req.accelerator = spec_.resources.accelerator;
  req.accelerator_count = spec_.resources.accelerator_count;
  req.tags = {{kTagManagedBy, "spotrun"}, {kTagJobId, job_.id}, {kTagAttempt, "1"}};
  auto inst = ctx_.cloud->Launch(req);
  if (!inst.ok()) {
    attempt_.outcome = "launch-failed";
    (void)ctx_.store->UpsertAttempt(attempt_);
    return inst.status();
  }
  instance_ = *inst;
  attempt_.instance_id = instance_.id;
  attempt_.zone = instance_.zone;
  attempt_.price_per_hour = instance_.price_per_hour;
  attempt_.started_at = instance_.launch_time;
  SPOTRUN_RETURN_IF_ERROR(ctx_.store->UpsertAttempt(attempt_));
  std::ostringstream m;
  m << "instance " << instance_.id << ": " << instance_.instance_type << " " << attempt_.market
    << " in " << instance_.zone << " at $" << instance_.price_per_hour << "/h (on-demand $"
    << c.offer.on_demand_price << "/h)";
  ctx_.reporter->Note(m.str());
  return WaitRunning();
}

Status JobDriver::WaitRunning() {
  for (int i = 0; i < 600; ++i) {
    auto d = ctx_.cloud->Describe(instance_.id);
    if (d.ok() && d->state == InstanceState::kRunning) {
      instance_ = *d;
      auto host = ctx_.cloud->HostFor(instance_);
      if (!host.ok()) return host.status();
      host_ = std::move(host).value();
      return Status::Ok();
    }
    if (d.ok() && d->state != InstanceState::kPending) {
      return Unavailable("instance " + instance_.id + " is " + InstanceStateName(d->state) + " " +
                         d->state_reason);
    }
    if (Stopping()) return Cancelled("cancelled while provisioning");
    ctx_.clock->Sleep(1);
  }
  return Unavailable("instance " + instance_.id + " did not reach running");
}

Status JobDriver::SetUp() {
  const std::string config = AgentConfigJson(spec_, layout_, job_.id, attempt_.number);
  const std::string staging = ctx_.options.jobs_dir + "/" + job_.id + "/agent";
  SPOTRUN_RETURN_IF_ERROR(MakeDirs(staging));
  SPOTRUN_RETURN_IF_ERROR(WriteFileAtomic(staging + "/config.json", config));
  SPOTRUN_RETURN_IF_ERROR(WriteFileAtomic(staging + "/spotrun_agent.py",
                                          std::string(*EmbeddedFile("agent/spotrun_agent.py"))));
  ctx_.reporter->Note("uploading " + spec_.workdir);
  SPOTRUN_RETURN_IF_ERROR(host_->Push(spec_.workdir, layout_.workdir, {}));
  for (const auto& in : spec_.inputs) {
    if (in.is_url) continue;
    ctx_.reporter->Note("uploading input " + in.source + " -> " + in.remote);
    SPOTRUN_RETURN_IF_ERROR(host_->Push(in.source, layout_.workdir + "/" + in.remote, {}));
  }
  SPOTRUN_RETURN_IF_ERROR(host_->Push(staging, layout_.root, {}));
  auto rc = host_->Run(AgentStartCommand(layout_), {}, nullptr);
  if (!rc.ok()) return rc.status();
  if (*rc != 0) return Unavailable("the agent did not start (exit " + std::to_string(*rc) + ")");
  return Status::Ok();
}

bool JobDriver::Stopping() {
  if (!stop_reason_.empty()) return true;
  if (ctx_.interrupted()) {
    stop_reason_ = "interrupted (Ctrl-C)";
    stop_state_ = JobState::kCancelled;
  } else if (auto rec = ctx_.store->GetJob(job_.id); rec.ok() && rec->cancel_requested) {
    stop_reason_ = "cancelled by `spotrun cancel`";
    stop_state_ = JobState::kCancelled;
  } else if (spec_.budget.max_duration_s &&
             ctx_.clock->Now() - job_.created_at >= *spec_.budget.max_duration_s) {
    stop_reason_ = "budget.max_duration reached";
    stop_state_ = JobState::kFailed;
  } else if (spec_.budget.max_cost && attempt_.started_at > 0 &&
             attempt_.Cost(ctx_.clock->Now()) + attempt_.price_per_hour / 60.0 >
                 *spec_.budget.max_cost) {
    // Stop before the next billed minute would cross the cap.
    stop_reason_ = "budget.max_cost reached";
    stop_state_ = JobState::kFailed;
  }
  return !stop_reason_.empty();
}

Result<AgentStatus> JobDriver::Watch() {
  int failures = 0;
  bool stop_sent = false;
  for (;;) {
    if (Stopping() && !stop_sent) {
      ctx_.reporter->Note("stopping: " + stop_reason_);
      stop_sent = true;
      auto rc = host_->Run(AgentStopCommand(layout_), {.env = {}, .timeout_s = 60}, nullptr);
      if (!rc.ok()) return rc.status();
    }
    auto polled = PollOnce();
    if (polled.ok()) {
      failures = 0;
      if (polled->phase == "done") return *polled;
    } else if (++failures >= ctx_.options.max_poll_failures) {
      return polled.status();
    }
    ctx_.clock->Sleep(ctx_.options.poll_interval_s);
  }
}

Result<AgentStatus> JobDriver::PollOnce() {
  std::string out;
  auto rc = host_->Run(AgentPollCommand(layout_, log_offset_), {.env = {}, .timeout_s = 60},
                       [&out](std::string_view s) { out.append(s); });
  if (!rc.ok()) return rc.status();
  if (*rc != 0) return Unavailable("agent poll exited " + std::to_string(*rc) + ": " + out);
  auto parsed = ParsePollOutput(out);
  if (!parsed.ok()) return parsed.status();
  std::string_view log = parsed->log;
  log_offset_ += static_cast<long long>(log.size());
  std::ofstream(LocalJobLogPath(ctx_.options.jobs_dir, job_.id), std::ios::app) << log;
  // Enter RUNNING where the log says `run` started, so output lands under its phase.
  size_t marker = log.find(kAgentRunMarker);
  if (job_.state == JobState::kSettingUp &&
      (marker != std::string_view::npos || parsed->status.phase == "run")) {
    if (marker == std::string_view::npos) marker = log.size();
    ctx_.reporter->Output(log.substr(0, marker));
    log.remove_prefix(marker);
    SPOTRUN_RETURN_IF_ERROR(Transition(JobState::kRunning, "running `run`"));
  }
  ctx_.reporter->Output(log);
  return parsed->status;
}

}  // namespace spotrun
