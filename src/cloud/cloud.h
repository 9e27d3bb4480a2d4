// Cloud: the seam around a provider's control plane (offers, launch, describe,
// terminate, tagged-resource listing). Abstract so that it can be faked and
// wrapped with faults; implementations: LocalCloud (cloud/local/), AWS (cloud/aws/).
// Value types only cross this seam.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "util/status.h"

namespace spotrun {

class Host;

enum class Market { kSpot, kOnDemand };
const char* MarketName(Market m);  // "spot" / "on-demand"

struct LaunchRequest {
  std::string instance_type;
  std::string region;
  std::string zone;  // Empty = any zone the cloud picks.
  Market market = Market::kSpot;
  double max_price = 0;  // USD/h; spot only.
  // Root volume in GB; 0 = the cloud's default (aws: 50, or the image's size).
  int disk_size_gb = 0;
  // An image id ("ami-..."), an alias ("ubuntu-24.04"), or with image_owner a
  // name pattern; empty = the cloud's choice for the instance type.
  std::string image;
  std::string image_owner;  // Owner of a name pattern in `image` (id or alias, "amazon").
  std::string ssh_user;     // Login user; empty = the image's.
  // TCP port ranges (first, last) opened to the caller's address, besides SSH.
  std::vector<std::pair<int, int>> ports;
  std::map<std::string, std::string> tags;
  std::string user_data;
  // Idempotency key: launching twice with one token yields one instance.
  std::string client_token;
  // Resources the job asked for; a cloud that cannot give them fails with kCapacity.
  double cpus = 0;
  double memory_gib = 0;
  std::string accelerator;
  int accelerator_count = 0;
};

enum class InstanceState { kPending, kRunning, kShuttingDown, kTerminated };
const char* InstanceStateName(InstanceState s);

struct Instance {
  std::string id;
  InstanceState state = InstanceState::kPending;
  std::string instance_type;
  std::string region;
  std::string zone;
  Market market = Market::kSpot;
  double price_per_hour = 0;  // What this instance bills at.
  double launch_time = 0;     // Epoch seconds.
  double end_time = 0;        // Epoch seconds when terminated; 0 while alive.
  std::string address;        // Where SSH reaches it ("" for the local cloud).
  std::string state_reason;   // e.g. "Server.SpotInstanceTermination".
  std::map<std::string, std::string> tags;
  // Lines the cloud has to say about this instance at launch (the local
  // cloud: what this machine cannot enforce); not stored.
  std::vector<std::string> notices;
};

class Cloud {
 public:
  virtual ~Cloud() = default;
  // "local" or "aws".
  virtual std::string Name() const = 0;
  // Default region when the job names none.
  virtual std::string DefaultRegion() const = 0;
  // Offers in `region` (the catalog, with live prices where the cloud has them).
  virtual Result<std::vector<Offer>> Offers(const std::string& region) = 0;
  // Regions placement considers for a job that pins none, the default region
  // first. Default: the default region alone.
  virtual std::vector<std::string> Regions() const { return {DefaultRegion()}; }
  // The offers of every region of `regions`, in that order; fails with the
  // first failing region's error, its message naming the region. A cloud
  // that can describe types beyond its catalog (AWS) adds offers for the
  // instance types of `named_types` that the catalog lacks. Default: Offers
  // region by region, `named_types` unused (the catalog is all there is).
  virtual Result<std::vector<Offer>> OffersIn(const std::vector<std::string>& regions,
                                              const std::vector<std::string>& named_types) {
    (void)named_types;
    std::vector<Offer> all;
    for (const std::string& region : regions) {
      auto offers = Offers(region);
      if (!offers.ok())
        return Status(offers.status().code(), region + ": " + offers.status().message());
      all.insert(all.end(), offers->begin(), offers->end());
    }
    return all;
  }
  // The instance types beyond the catalog that the cloud sells in `regions`
  // and whose shape (vCPUs, memory, accelerators: an Offer without prices)
  // `fits`, the smallest first, at most `most`; OffersIn prices them when
  // named. Default: none (the catalog is all there is).
  virtual Result<std::vector<std::string>> TypesBeyondCatalog(
      const std::vector<std::string>& regions, const std::function<bool(const Offer&)>& fits,
      size_t most) {
    (void)regions;
    (void)fits;
    (void)most;
    return std::vector<std::string>{};
  }
  // Starts an instance. Idempotent per request.client_token.
  virtual Result<Instance> Launch(const LaunchRequest& request) = 0;
  virtual Result<Instance> Describe(const std::string& instance_id) = 0;
  // Terminates; terminating a terminated or unknown instance is OK.
  virtual Status Terminate(const std::string& instance_id) = 0;
  // Instances (any state but terminated) whose tags include all of `tags`.
  virtual Result<std::vector<Instance>> ListTagged(
      const std::map<std::string, std::string>& tags) = 0;
  // The data plane to a running instance.
  virtual Result<std::unique_ptr<Host>> HostFor(const Instance& instance) = 0;
  // Once job `job_id` has ended: removes what the cloud made for it that no
  // instance of it uses any more (on AWS its key pair and security group,
  // left by a launch that failed, say for want of capacity). What it cannot
  // remove now is left to the orphan sweep. Default: nothing to remove.
  virtual Status ReleaseJob(const std::string& job_id) {
    (void)job_id;
    return Status::Ok();
  }
  // One line saying which image `request` would boot and why, for
  // `launch --dry-run`; "" when the cloud has no images to choose from (the
  // default). Fails like Launch would on an image it cannot use.
  virtual Result<std::string> DescribeImageChoice(const LaunchRequest& request) {
    (void)request;
    return std::string();
  }
  // A shell command that, run on `instance`, terminates it (the agent's dead
  // man's switch). EC2 instances are launched with shutdown behaviour
  // "terminate", so shutting down is terminating.
  virtual std::string SelfTerminateCommand(const Instance& instance) const {
    (void)instance;
    return "sudo shutdown -h now || shutdown -h now";
  }
};

// Tag keys put on every resource spotrun creates (names defined once here).
inline constexpr const char* kTagManagedBy = "spotrun:managed-by";  // value "spotrun"
inline constexpr const char* kTagJobId = "spotrun:job-id";
inline constexpr const char* kTagOwner = "spotrun:owner";
inline constexpr const char* kTagAttempt = "spotrun:attempt";

}  // namespace spotrun
