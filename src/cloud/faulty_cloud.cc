#include "cloud/faulty_cloud.h"

#include <algorithm>
#include <cassert>
#include <sstream>

namespace spotrun {

const char* CloudCallName(CloudCall call) {
  switch (call) {
    case CloudCall::kAny:
      return "any";
    case CloudCall::kOffers:
      return "offers";
    case CloudCall::kLaunch:
      return "launch";
    case CloudCall::kDescribe:
      return "describe";
    case CloudCall::kTerminate:
      return "terminate";
    case CloudCall::kListTagged:
      return "list-tagged";
    case CloudCall::kHostFor:
      return "host-for";
  }
  return "?";
}

FaultyCloud::FaultyCloud(Cloud* base, const Clock* clock, std::vector<std::string>* log)
    : base_(base), clock_(clock), log_(log) {}

void FaultyCloud::FailNext(CloudCall call, int n, Status error) {
  assert(!error.ok());
  for (int i = 0; i < n; ++i) queue_.push_back({call, error});
}

void FaultyCloud::Throttle(CloudCall call, int n) {
  FailNext(call, n, Unavailable("RequestLimitExceeded: Request limit exceeded. (injected)"));
}

void FaultyCloud::Reclaim(const std::string& instance_id, double at, double notice_s) {
  scheduled_[instance_id] = Scheduled{.at = at, .notice_s = notice_s};
}

void FaultyCloud::Vanish(const std::string& instance_id, double at) {
  scheduled_[instance_id] = Scheduled{.at = at, .vanish = true};
}

void FaultyCloud::Note(const std::string& line) {
  if (log_) log_->push_back("fault: " + line);
}

void FaultyCloud::CatchUp() {
  const double now = clock_->Now();
  for (auto& [id, s] : scheduled_) {
    if (s.taken || s.given_back) continue;
    const bool notice_due = !s.vanish && !s.noticed && s.notice_s > 0 && now >= s.at - s.notice_s;
    if (!notice_due && now < s.at) continue;
    auto d = base_->Describe(id);
    if (!d.ok()) continue;  // Not launched yet: its time comes once it is.
    if (d->state == InstanceState::kTerminated) {
      s.given_back = true;  // Ended some other way: nothing left to take.
      continue;
    }
    if (notice_due) {
      s.noticed = true;
      std::ostringstream line;
      line << "notice " << id << " (reclaim at " << s.at << ")";
      Note(line.str());
      if (deliver_notice) (void)deliver_notice(id, s.at);
    }
    if (now < s.at) continue;
    s.taken = true;
    Note((s.vanish ? "vanish " : "reclaim ") + id);
    (void)base_->Terminate(id);  // The capacity is gone, and its billing with it.
  }
}

Status FaultyCloud::Take(CloudCall call, const std::string& subject) {
  CatchUp();
  ++calls_;
  if (queue_.empty()) return Status::Ok();
  const Entry front = queue_.front();
  if (front.call != CloudCall::kAny && front.call != call) return Status::Ok();
  queue_.pop_front();
  ++injected_;
  Note(std::string(CloudCallName(call)) + (subject.empty() ? "" : " " + subject) + ": " +
       CodeName(front.error.code()));
  return front.error;
}

Status FaultyCloud::Reachable(const std::string& instance_id) const {
  auto it = scheduled_.find(instance_id);
  if (it == scheduled_.end() || !it->second.taken) return Status::Ok();
  return Unavailable(
      "ssh: connect to instance " + instance_id +
      ": Connection refused (injected: " + (it->second.vanish ? "vanished" : "reclaimed") + ")");
}

Result<std::vector<Offer>> FaultyCloud::Offers(const std::string& region) {
  SPOTRUN_RETURN_IF_ERROR(Take(CloudCall::kOffers, region));
  return base_->Offers(region);
}

Result<Instance> FaultyCloud::Launch(const LaunchRequest& request) {
  SPOTRUN_RETURN_IF_ERROR(Take(CloudCall::kLaunch, request.instance_type + " " + request.zone));
  return base_->Launch(request);
}

Result<Instance> FaultyCloud::Describe(const std::string& instance_id) {
  SPOTRUN_RETURN_IF_ERROR(Take(CloudCall::kDescribe, instance_id));
  auto it = scheduled_.find(instance_id);
  const bool gone = it != scheduled_.end() && it->second.taken;
  if (gone && it->second.vanish) {
    return NotFound("InvalidInstanceID.NotFound: The instance ID '" + instance_id +
                    "' does not exist (injected)");
  }
  auto d = base_->Describe(instance_id);
  if (!d.ok() || !gone) return d;
  d->state = InstanceState::kTerminated;
  d->end_time = it->second.at;
  d->state_reason = kSpotReclaimReason;
  return d;
}

Status FaultyCloud::Terminate(const std::string& instance_id) {
  SPOTRUN_RETURN_IF_ERROR(Take(CloudCall::kTerminate, instance_id));
  Status s = base_->Terminate(instance_id);
  // Given back before its reclaim: there is nothing left to take.
  if (auto it = scheduled_.find(instance_id); s.ok() && it != scheduled_.end()) {
    it->second.given_back = !it->second.taken;
  }
  return s;
}

Result<std::vector<Instance>> FaultyCloud::ListTagged(
    const std::map<std::string, std::string>& tags) {
  SPOTRUN_RETURN_IF_ERROR(Take(CloudCall::kListTagged, ""));
  auto listed = base_->ListTagged(tags);
  if (!listed.ok()) return listed;
  std::erase_if(*listed, [&](const Instance& i) { return !Reachable(i.id).ok(); });
  return listed;
}

Result<std::unique_ptr<Host>> FaultyCloud::HostFor(const Instance& instance) {
  SPOTRUN_RETURN_IF_ERROR(Take(CloudCall::kHostFor, instance.id));
  SPOTRUN_RETURN_IF_ERROR(Reachable(instance.id));
  auto base = base_->HostFor(instance);
  if (!base.ok()) return base.status();
  auto host = std::make_unique<FaultyHost>(std::move(base).value(), log_);
  host->SetGate([this, id = instance.id] {
    CatchUp();
    return Reachable(id);
  });
  if (on_host) on_host(instance, host.get());
  return std::unique_ptr<Host>(std::move(host));
}

}  // namespace spotrun
