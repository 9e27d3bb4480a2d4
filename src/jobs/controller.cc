// Provisioning: placement in recovery order, launch, waiting for running.
#include "jobs/controller.h"

#include <algorithm>
#include <sstream>

#include "jobs/job_driver.h"

namespace spotrun {

std::string LocalAttemptLogPath(const std::string& jobs_dir, const std::string& job_id,
                                int attempt) {
  return jobs_dir + "/" + job_id + "/attempt-" + std::to_string(attempt) + ".log";
}

std::string LocalCheckpointDir(const std::string& jobs_dir, const std::string& job_id) {
  return jobs_dir + "/" + job_id + "/checkpoints";
}

JobDriver::JobDriver(const ControllerContext& ctx, JobRecord record, JobSpec spec)
    : ctx_(ctx),
      job_(std::move(record)),
      spec_(std::move(spec)),
      layout_(RemoteLayout::ForJob(job_.id)),
      checkpoints_(LocalCheckpointDir(ctx.options.jobs_dir, job_.id)) {}

Status JobDriver::Transition(JobState next, const std::string& detail) {
  double now = ctx_.clock->Now();
  if (phase_started_ > 0 && next != job_.state) {
    ctx_.reporter->PhaseDone(job_.state, now - phase_started_);
  }
  // The state in memory follows the store's: a write that fails (a lock held
  // too long) leaves both as they were, so the next step tries again.
  const JobRecord before = job_;
  job_.state = next;
  job_.updated_at = now;
  if (Status s = ctx_.store->UpdateJob(job_); !s.ok()) {
    job_ = before;
    return s;
  }
  SPOTRUN_RETURN_IF_ERROR(ctx_.store->AddEvent(job_.id, now, JobStateName(next), detail));
  phase_started_ = now;
  if (!IsTerminal(next)) ctx_.reporter->Phase(next, detail);
  return Status::Ok();
}

Result<std::vector<Offer>> OffersFor(Cloud& cloud, const Resources& resources) {
  const std::vector<std::string> unpinned = UnpinnedRegions(resources, cloud.Regions());
  const std::vector<std::string> regions = RegionsOf(resources, unpinned);
  std::vector<std::string> named = NamedTypes(resources);
  auto offers = cloud.OffersIn(regions, named);
  if (!offers.ok()) return offers;
  std::string why;
  if (!RankCandidates(resources, unpinned, *offers, &why).empty()) return offers;
  // Nothing in the catalog fits: the types the cloud sells beyond it that
  // do, priced as named ones (a GPU the snapshot lacks, say).
  auto more = cloud.TypesBeyondCatalog(
      regions, [&resources](const Offer& shape) { return ShapeFits(resources, shape); },
      kTypesBeyondCatalog);
  if (!more.ok() || more->empty()) return offers;
  named.insert(named.end(), more->begin(), more->end());
  return cloud.OffersIn(regions, named);
}

std::vector<Candidate> JobDriver::CandidatesInOrder(std::string* why_none) {
  const auto region = UnpinnedRegions(spec_.resources, ctx_.cloud->Regions());
  auto offers = OffersFor(*ctx_.cloud, spec_.resources);
  if (!offers.ok()) {
    *why_none = offers.status().message();
    return {};
  }
  std::vector<Candidate> out = RankCandidates(spec_.resources, region, *offers, why_none);
  if (spec_.resources.use_spot && spec_.recovery.on_demand_fallback) {
    Resources on_demand = WithMarket(spec_.resources, false);
    for (auto& c : RankCandidates(on_demand, region, *offers, nullptr)) out.push_back(c);
  }
  if (history_.empty()) return out;
  // Recovery order: the same zone, then other zones of the same type, then
  // other types; on-demand stays last.
  const AttemptRecord& last = history_.back();
  auto rank = [&](const Candidate& c) {
    if (c.market == Market::kOnDemand && spec_.resources.use_spot) return 3;
    if (c.offer.instance_type != last.instance_type) return 2;
    return c.offer.zone == last.zone ? 0 : 1;
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](const Candidate& a, const Candidate& b) { return rank(a) < rank(b); });
  return out;
}

std::vector<Candidate> JobDriver::CandidatesIn(Market market, std::string* why_none) {
  std::vector<Candidate> all = CandidatesInOrder(why_none);
  if (market == Market::kOnDemand && spec_.resources.use_spot &&
      !spec_.recovery.on_demand_fallback) {
    // A deadline policy may choose on-demand even without the fallback.
    const auto region = UnpinnedRegions(spec_.resources, ctx_.cloud->Regions());
    Resources on_demand = WithMarket(spec_.resources, false);
    auto offers = OffersFor(*ctx_.cloud, on_demand);
    if (offers.ok()) all = RankCandidates(on_demand, region, *offers, why_none);
  }
  std::vector<Candidate> out;
  for (auto& c : all) {
    if (c.market == market && out.size() < kCandidatesPerRound) out.push_back(c);
  }
  return out;
}

std::vector<Candidate> JobDriver::CandidatesToTry(std::string* why_none) {
  std::vector<Candidate> out = CandidatesInOrder(why_none);
  // A round asks for the first few only: the costlier tail rarely beats a short wait.
  if (out.size() > kCandidatesPerRound) {
    std::vector<Candidate> on_demand;
    for (size_t i = kCandidatesPerRound; i < out.size(); ++i) {
      if (out[i].market == Market::kOnDemand && spec_.resources.use_spot)
        on_demand.push_back(out[i]);
    }
    out.resize(kCandidatesPerRound);
    // The on-demand fallback, when allowed, is always in the round.
    if (!on_demand.empty() && out.back().market != Market::kOnDemand)
      out.back() = on_demand.front();
  }
  return out;
}

Status JobDriver::LaunchFirstAvailable(const std::vector<Candidate>& candidates) {
  Status last = CapacityError("no offer");
  const int number = static_cast<int>(history_.size()) + 1;
  for (const Candidate& c : candidates) {
    const std::string token = job_.id + "-a" + std::to_string(number) + "-" +
                              c.offer.instance_type + "-" + c.offer.zone + "-" +
                              MarketName(c.market);
    last = LaunchCandidate(c, token);
    if (last.ok() || last.code() != Code::kCapacity) return last;
  }
  return last;
}

Status JobDriver::Provision() {
  if (planner_) return ProvisionByPolicy();
  for (;;) {
    std::string why;
    std::vector<Candidate> candidates = CandidatesToTry(&why);
    if (candidates.empty()) return InvalidArgument(why);
    Status last = LaunchFirstAvailable(candidates);
    if (last.ok() || last.code() != Code::kCapacity) return last;
    // Every pool is out of capacity: wait and try again, unless told to stop.
    std::ostringstream m;
    m << "no capacity in any of " << candidates.size() << " offers (" << last.message()
      << "); trying again in " << ctx_.options.capacity_retry_s << " s";
    ctx_.reporter->Note(m.str());
    if (!PauseUnlessStopping(ctx_.options.capacity_retry_s)) return Cancelled(stop_reason_);
  }
}

Status JobDriver::LaunchCandidate(const Candidate& c, const std::string& client_token) {
  attempt_ = AttemptRecord{};
  attempt_.job_id = job_.id;
  attempt_.number = static_cast<int>(history_.size()) + 1;
  attempt_.client_token = client_token;
  attempt_.instance_type = c.offer.instance_type;
  attempt_.region = c.offer.region;
  attempt_.zone = c.offer.zone;
  attempt_.market = MarketName(c.market);
  attempt_.price_per_hour = c.price;
  attempt_.on_demand_price_per_hour = c.offer.on_demand_price;
  // Written before the launch so that a restarted controller reuses the token
  // (Reattach), unless the store has it already: the launch failed with this
  // token before, and is tried again (a job waiting for spot, every tick).
  const bool stored =
      attempt_.number == failed_launch_.number && client_token == failed_launch_.client_token;
  if (!stored) SPOTRUN_RETURN_IF_ERROR(ctx_.store->UpsertAttempt(attempt_));
  LaunchRequest req;
  req.instance_type = c.offer.instance_type;
  req.region = c.offer.region;
  req.zone = c.offer.zone;
  req.market = c.market;
  req.max_price = c.max_price;
  const Resources& r = ResourcesOf(spec_.resources, c);
  req.disk_size_gb = r.disk_size_gb;
  req.image = r.image;
  req.image_owner = r.image_owner;
  req.ssh_user = r.ssh_user;
  req.ports = r.ports;
  req.client_token = client_token;
  req.cpus = r.cpus;
  req.memory_gib = r.memory_gib;
  req.accelerator = r.accelerator;
  req.accelerator_count = r.accelerator_count;
  req.tags = r.labels;  // The job's labels; spotrun's own keys win.
  req.tags[kTagManagedBy] = "spotrun";
  req.tags[kTagJobId] = job_.id;
  req.tags[kTagAttempt] = std::to_string(attempt_.number);
  gpus_ = c.offer.accelerator_count;
  auto inst = ctx_.cloud->Launch(req);
  if (!inst.ok()) {
    attempt_.outcome = "launch-failed";
    if (!stored) SPOTRUN_RETURN_IF_ERROR(ctx_.store->UpsertAttempt(attempt_));
    failed_launch_ = attempt_;
    return inst.status();
  }
  instance_ = *inst;
  attempt_.instance_id = instance_.id;
  attempt_.zone = instance_.zone;
  // The cloud's own price when it reports one (AWS may not), else the offer's.
  if (instance_.price_per_hour > 0) attempt_.price_per_hour = instance_.price_per_hour;
  attempt_.started_at = instance_.launch_time;
  SPOTRUN_RETURN_IF_ERROR(ctx_.store->UpsertAttempt(attempt_));
  std::ostringstream m;
  m << "attempt " << attempt_.number << ": instance " << instance_.id << ", "
    << instance_.instance_type << " " << attempt_.market << " in " << instance_.zone << " at $"
    << instance_.price_per_hour << "/h (on-demand $" << c.offer.on_demand_price << "/h)";
  ctx_.reporter->Note(m.str());
  for (const std::string& notice : instance_.notices) ctx_.reporter->Note(notice);
  return WaitRunning();
}

Status JobDriver::WaitRunning() {
  for (int i = 0; i < 600; ++i) {
    auto d = ctx_.cloud->Describe(instance_.id);
    if (d.ok() && d->state == InstanceState::kRunning) {
      instance_ = *d;
      auto host = ctx_.cloud->HostFor(instance_);
      if (!host.ok()) return host.status();
      UseHost(std::move(host).value());
      return Status::Ok();
    }
    if (d.ok() && d->state != InstanceState::kPending) {
      return Unavailable("instance " + instance_.id + " is " + InstanceStateName(d->state) + " " +
                         d->state_reason);
    }
    if (Stopping()) return Cancelled(stop_reason_);
    if (while_launching_) while_launching_();
    ctx_.clock->Sleep(1);
  }
  return Unavailable("instance " + instance_.id + " did not reach running");
}

}  // namespace spotrun
