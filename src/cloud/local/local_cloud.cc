#include "cloud/local/local_cloud.h"

#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <thread>

#include "cloud/local/gpu_allocation.h"
#include "cloud/local/local_host.h"
#include "cloud/local/local_sshd.h"
#include "cloud/local/market.h"
#include "cloud/local/sandbox.h"
#include "util/ascii.h"
#include "util/fs.h"
#include "util/subprocess.h"
#include "util/task_loop.h"

namespace spotrun {
namespace {

using nlohmann::json;

json ToJson(const Instance& i) {
  return {{"id", i.id},
          {"state", InstanceStateName(i.state)},
          {"instance_type", i.instance_type},
          {"region", i.region},
          {"zone", i.zone},
          {"market", MarketName(i.market)},
          {"price_per_hour", i.price_per_hour},
          {"launch_time", i.launch_time},
          {"end_time", i.end_time},
          {"state_reason", i.state_reason},
          {"tags", i.tags}};
}

Instance FromJson(const json& j) {
  Instance i;
  i.id = j.value("id", "");
  std::string state = j.value("state", "terminated");
  for (auto s : {InstanceState::kPending, InstanceState::kRunning, InstanceState::kShuttingDown,
                 InstanceState::kTerminated}) {
    if (state == InstanceStateName(s)) i.state = s;
  }
  i.instance_type = j.value("instance_type", "");
  i.region = j.value("region", "");
  i.zone = j.value("zone", "");
  i.market = j.value("market", "spot") == "spot" ? Market::kSpot : Market::kOnDemand;
  i.price_per_hour = j.value("price_per_hour", 0.0);
  i.launch_time = j.value("launch_time", 0.0);
  i.end_time = j.value("end_time", 0.0);
  i.state_reason = j.value("state_reason", "");
  i.tags = j.value("tags", std::map<std::string, std::string>{});
  return i;
}

std::string TokenFileName(const std::string& token) {
  std::string out;
  for (char c : token) out += std::isalnum(static_cast<unsigned char>(c)) || c == '-' ? c : '_';
  return out;
}

std::string NewInstanceId() {
  std::random_device rd;
  std::ostringstream ss;
  ss << "i-local" << std::hex << (static_cast<uint64_t>(rd()) << 16 | (rd() & 0xffff));
  return ss.str();
}

}  // namespace

const char* MarketName(Market m) { return m == Market::kSpot ? "spot" : "on-demand"; }

const char* InstanceStateName(InstanceState s) {
  switch (s) {
    case InstanceState::kPending:
      return "pending";
    case InstanceState::kRunning:
      return "running";
    case InstanceState::kShuttingDown:
      return "shutting-down";
    case InstanceState::kTerminated:
      return "terminated";
  }
  return "unknown";
}

LocalCloud::LocalCloud(LocalCloudOptions options, Clock* clock)
    : options_(std::move(options)), clock_(clock) {}

std::string LocalCloud::InstanceDir(const std::string& id) const {
  return options_.root + "/instances/" + id;
}

Result<std::vector<Offer>> LocalCloud::Offers(const std::string& region) {
  std::vector<Offer> out;
  for (const Offer& o : MachineOffers(Catalog::Bundled().offers(), options_.capacity)) {
    if (region.empty() || o.region == region) out.push_back(o);
  }
  return out;
}

std::vector<std::string> LocalCloud::Regions() const {
  return OfferRegions(Catalog::Bundled().offers(), DefaultRegion());
}

Status LocalCloud::CheckCapacity(const LaunchRequest& r) const {
  const MachineCapacity& c = options_.capacity;
  std::ostringstream why;
  if (r.cpus > c.cpus) why << r.cpus << " CPUs requested, this machine has " << c.cpus;
  if (r.memory_gib > c.memory_gib) {
    why << (why.tellp() ? "; " : "") << r.memory_gib << " GiB memory requested, this machine has "
        << static_cast<int>(c.memory_gib);
  }
  if (r.accelerator_count > 0 && c.CountOf(r.accelerator) < r.accelerator_count) {
    why << (why.tellp() ? "; " : "") << r.accelerator << ":" << r.accelerator_count
        << " requested, nvidia-smi shows " << c.CountOf(r.accelerator) << " such GPU(s) of "
        << c.gpus.size();
  }
  // Permanent: this machine will not grow, so no other zone or wait helps.
  if (why.tellp()) return InvalidArgument("the local cloud cannot run this job: " + why.str());
  return Status::Ok();
}

Result<Offer> LocalCloud::FindOffer(const LaunchRequest& r) {
  auto offers = Offers(r.region);
  if (!offers.ok()) return offers.status();
  for (const Offer& o : *offers) {
    if (o.instance_type == r.instance_type && (r.zone.empty() || o.zone == r.zone)) {
      if (r.market == Market::kSpot && !o.has_spot()) continue;
      return o;
    }
  }
  return CapacityError("no " + std::string(MarketName(r.market)) + " offer for " + r.instance_type +
                       " in " + r.region + (r.zone.empty() ? "" : "/" + r.zone));
}

Status LocalCloud::SaveInstance(const Instance& instance) {
  return WriteFileAtomic(InstanceDir(instance.id) + "/meta.json", ToJson(instance).dump(2));
}

Result<Instance> LocalCloud::Launch(const LaunchRequest& r) {
  const std::string token_path = options_.root + "/tokens/" + TokenFileName(r.client_token);
  SPOTRUN_RETURN_IF_ERROR(CheckCapacity(r));
  auto share = options_.instance_env.find("SPOTRUN_LOCAL_SHARE");
  const char* own_share = options_.instance_env.empty() ? getenv("SPOTRUN_LOCAL_SHARE") : nullptr;
  auto shared = ParseSharedDirs(share != options_.instance_env.end() ? share->second
                                : own_share                          ? own_share
                                                                     : "");
  if (!shared.ok()) return shared.status();
  if (auto existing = ReadFile(token_path); existing.ok()) return Resume(*existing, r, *shared);
  auto offer = FindOffer(r);
  if (!offer.ok()) return offer.status();
  double price = r.market == Market::kSpot ? offer->spot_price : offer->on_demand_price;
  if (r.market == Market::kSpot && r.max_price > 0 && r.max_price < price) {
    std::ostringstream m;
    m << "SpotMaxPriceTooLow: max price " << r.max_price << " is below the spot price " << price
      << " of " << r.instance_type << " in " << offer->zone;
    return CapacityError(m.str());
  }
  Instance inst;
  inst.id = NewInstanceId();
  SPOTRUN_RETURN_IF_ERROR(CreateSandbox(inst.id, *offer));
  std::optional<PreemptSchedule> schedule;
  if (r.market == Market::kSpot) {
    auto drawn = DrawSchedule(r);
    if (!drawn.ok()) {
      (void)RemoveAll(InstanceDir(inst.id));
      return drawn.status();
    }
    schedule = *drawn;
  }
  inst.state = InstanceState::kRunning;
  inst.instance_type = r.instance_type;
  inst.region = offer->region;
  inst.zone = offer->zone;
  inst.market = r.market;
  inst.price_per_hour = price;
  inst.launch_time = clock_->Now();
  inst.tags = r.tags;
  SPOTRUN_RETURN_IF_ERROR(MakeDirs(InstanceDir(inst.id) + "/home"));
  SPOTRUN_RETURN_IF_ERROR(MakeDirs(options_.root + "/tokens"));
  SPOTRUN_RETURN_IF_ERROR(SaveInstance(inst));
  if (schedule)
    SPOTRUN_RETURN_IF_ERROR(SaveSchedule(InstanceDir(inst.id) + "/preempt.json", *schedule));
  SPOTRUN_RETURN_IF_ERROR(WriteFileAtomic(token_path, inst.id));
  // After the token: a controller killed meanwhile finds this instance again
  // and finishes starting it (Resume).
  if (Status s = StartDaemons(inst, r, *shared); !s.ok()) {
    (void)Terminate(inst.id);
    return s;
  }
  if (Status s = options_.ssh ? StartLocalSshd(inst, InstanceDir(inst.id), options_.ssh_settings,
                                               options_.spotrun_bin)
                              : Status::Ok();
      !s.ok()) {
    (void)Terminate(inst.id);
    return s;
  }
  return inst;
}

Status LocalCloud::StartDaemons(Instance& inst, const LaunchRequest& r,
                                const std::vector<std::string>& shared) {
  const std::string dir = InstanceDir(inst.id);
  if (!PathExists(dir + "/sandbox.json")) {
    AbandonSandbox(dir);
    SandboxPlan sandbox = PlanSandbox(dir, r.cpus, r.memory_gib, HiddenPaths(), shared);
    SPOTRUN_RETURN_IF_ERROR(StartSandbox(&sandbox));
    inst.notices = sandbox.notices;
  }
  return PathExists(dir + "/imds.port") ? Status::Ok() : StartImds(inst.id);
}

Result<Instance> LocalCloud::Resume(const std::string& id, const LaunchRequest& r,
                                    const std::vector<std::string>& shared) {
  auto inst = Describe(id);
  if (!inst.ok() || inst->state != InstanceState::kRunning) return inst;
  if (Status s = StartDaemons(*inst, r, shared); !s.ok()) {
    (void)Terminate(id);
    return s;
  }
  return inst;
}

std::vector<std::string> LocalCloud::HiddenPaths() const {
  // SPOTRUN_HOME (other jobs' files and keys), and the caller's AWS files.
  std::vector<std::string> hidden = {std::filesystem::path(options_.root).parent_path().string()};
  auto home = options_.instance_env.find("HOME");
  const char* own = getenv("HOME");
  std::string caller = home != options_.instance_env.end() ? home->second : own ? own : "";
  std::error_code ec;
  if (!caller.empty() && std::filesystem::is_directory(caller + "/.aws", ec)) {
    hidden.push_back(caller + "/.aws");
  }
  return hidden;
}

Status LocalCloud::CreateSandbox(const std::string& id, const Offer& offer) {
  if (offer.accelerator_count == 0) return MakeDirs(InstanceDir(id));
  auto gpus = AllocateGpus(options_.root, id, options_.capacity, offer.accelerator,
                           offer.accelerator_count);
  return gpus.ok() ? Status::Ok() : gpus.status();
}

Status LocalCloud::StartImds(const std::string& id) {
  const std::string dir = InstanceDir(id);
  ProcessOptions p;
  p.argv = {options_.spotrun_bin, "_imds", dir};
  p.env["SPOTRUN_LOCAL_INSTANCE"] = id;
  p.output_path = dir + "/imds.log";
  auto pid = StartDetached(p);
  if (!pid.ok()) return pid.status();
  // Up to 15 s: a machine busy with many jobs starts processes slowly.
  for (int i = 0; i < 600; ++i) {
    if (PathExists(dir + "/imds.port")) return Status::Ok();
    if (!ProcessAlive(*pid)) break;
    PauseRealTime(0.025);
  }
  return Internal("the local cloud's IMDS endpoint did not start (see " + dir + "/imds.log)");
}

Result<Instance> LocalCloud::Describe(const std::string& id) {
  auto text = ReadFile(InstanceDir(id) + "/meta.json");
  if (!text.ok()) return NotFound("InvalidInstanceID.NotFound: no local instance " + id);
  try {
    return FromJson(json::parse(*text));
  } catch (const json::exception& e) {
    return Internal("corrupt local instance record " + id + ": " + e.what());
  }
}

std::string LocalCloud::MarketPlanPath(const std::string& job_id) const {
  return options_.root + "/market/" + job_id + ".json";
}

Result<std::optional<PreemptSchedule>> LocalCloud::DrawSchedule(const LaunchRequest& r) {
  auto job = r.tags.find(kTagJobId);
  if (job == r.tags.end()) return std::optional<PreemptSchedule>();
  const std::string path = MarketPlanPath(job->second);
  auto plan = LoadMarketPlan(path);
  if (!plan.ok()) return std::optional<PreemptSchedule>();  // No plan: never taken back.
  auto s = NextSpotLaunch(&*plan, clock_->Now());
  if (!s.ok()) return s.status();
  SPOTRUN_RETURN_IF_ERROR(SaveMarketPlan(path, *plan));
  return *s;
}

Status LocalCloud::Preempt(const std::string& id) {
  return TerminateWithReason(id, "Server.SpotInstanceTermination: Spot instance termination");
}

Status LocalCloud::Terminate(const std::string& id) {
  return TerminateWithReason(id, "Client.UserInitiatedShutdown: User initiated shutdown");
}

Status LocalCloud::TerminateWithReason(const std::string& id, const std::string& reason) {
  auto inst = Describe(id);
  if (!inst.ok()) return inst.status().code() == Code::kNotFound ? Status::Ok() : inst.status();
  if (inst->state == InstanceState::kTerminated) return Status::Ok();
  inst->state = InstanceState::kShuttingDown;
  inst->state_reason = reason;
  SPOTRUN_RETURN_IF_ERROR(SaveInstance(*inst));
  if (auto sandbox = LoadSandbox(InstanceDir(id)); sandbox.ok()) StopSandbox(*sandbox, 2.0);
  AbandonSandbox(InstanceDir(id));  // One whose start was cut short.
  KillInstanceProcesses(id, 2.0);   // Its daemons outside the sandbox (IMDS, sshd).
  inst->state = InstanceState::kTerminated;
  inst->end_time = clock_->Now();
  SPOTRUN_RETURN_IF_ERROR(SaveInstance(*inst));
  // A terminated instance's disk is gone.
  SPOTRUN_RETURN_IF_ERROR(RemoveAll(InstanceDir(id) + "/venv"));
  return RemoveAll(InstanceDir(id) + "/home");
}

Status LocalCloud::SendInterruptionNotice(const std::string& id, double action_at) {
  json notice = {{"action", "terminate"}, {"time", action_at}};
  return WriteFileAtomic(InstanceDir(id) + "/instance-action.json", notice.dump());
}

Result<std::vector<Instance>> LocalCloud::ListTagged(
    const std::map<std::string, std::string>& tags) {
  std::vector<Instance> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(options_.root + "/instances", ec)) {
    auto inst = Describe(entry.path().filename().string());
    if (!inst.ok() || inst->state == InstanceState::kTerminated) continue;
    bool match = true;
    for (const auto& [k, v] : tags) {
      auto it = inst->tags.find(k);
      match = match && it != inst->tags.end() && it->second == v;
    }
    if (match) out.push_back(*inst);
  }
  return out;
}

std::string LocalCloud::SelfTerminateCommand(const Instance& instance) const {
  return "'" + options_.spotrun_bin + "' _local-terminate '" + InstanceDir(instance.id) + "'";
}

Result<std::unique_ptr<Host>> LocalCloud::HostFor(const Instance& instance) {
  if (HasLocalSshd(InstanceDir(instance.id))) {
    return LocalSshHostFor(InstanceDir(instance.id), instance, options_.ssh_settings, clock_);
  }
  // One whose launch was cut short before its sandbox started never runs a
  // command outside it.
  if (!PathExists(InstanceDir(instance.id) + "/sandbox.json")) {
    return Unavailable("local instance " + instance.id + " has no sandbox");
  }
  auto port = ReadFile(InstanceDir(instance.id) + "/imds.port");
  if (!port.ok()) return Unavailable("local instance " + instance.id + " has no IMDS endpoint");
  std::unique_ptr<Host> host = std::make_unique<LocalHost>(
      instance.id, InstanceDir(instance.id) + "/home", "http://127.0.0.1:" + *port + "/",
      InstanceGpuEnvironment(InstanceDir(instance.id)), options_.instance_env);
  return host;
}

}  // namespace spotrun
