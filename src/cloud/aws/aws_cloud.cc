#include "cloud/aws/aws_cloud.h"

#include <set>
#include <thread>

namespace spotrun::aws {
namespace {

const std::vector<std::string> kAliveStates = {"pending", "running", "shutting-down", "stopping",
                                               "stopped"};

InstanceState ToState(const std::string& state) {
  if (state == "pending") return InstanceState::kPending;
  if (state == "running") return InstanceState::kRunning;
  if (state == "shutting-down" || state == "stopping") return InstanceState::kShuttingDown;
  return InstanceState::kTerminated;  // "terminated", "stopped".
}

}  // namespace

std::string JobResourceName(const LaunchRequest& request) {
  auto job = request.tags.find(kTagJobId);
  return "spotrun-" + (job != request.tags.end() ? job->second : request.client_token);
}

AwsCloud::AwsCloud(AwsConfig config, HttpClient* http, Clock* clock, std::vector<Offer> catalog,
                   AwsCloudOptions options)
    : config_(std::move(config)),
      http_(http),
      clock_(clock),
      catalog_(std::move(catalog)),
      catalog_regions_(OfferRegions(catalog_, config_.region)),
      options_(std::move(options)) {
  if (config_.max_attempts > 0) options_.client.max_attempts = config_.max_attempts;
}

Result<AwsCloud::Region*> AwsCloud::ForRegion(const std::string& region) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto found = regions_.find(region);
    if (found != regions_.end()) return &found->second;
  }
  Ec2ClientOptions options = options_.client;
  // A configured endpoint (a test server, a proxy) serves every region.
  bool overridden = config_.ec2_endpoint != DefaultEndpoint("ec2", config_.region);
  options.endpoint = overridden ? config_.ec2_endpoint : DefaultEndpoint("ec2", region);
  options.region = region;
  Region r;
  r.client = std::make_unique<Ec2Client>(http_, config_.credentials.get(), clock_, options);
  Result<std::vector<AvailabilityZone>> zones = r.client->DescribeAvailabilityZones();
  if (!zones.ok()) return zones.status();
  for (const AvailabilityZone& zone : *zones) r.zone_ids[zone.name] = zone.zone_id;
  std::lock_guard<std::mutex> lock(mu_);
  return &regions_.emplace(region, std::move(r)).first->second;  // Keeps a racing winner's.
}

std::string AwsCloud::RegionOf(const std::string& instance_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = instance_regions_.find(instance_id);
  return it == instance_regions_.end() ? config_.region : it->second;
}

Instance AwsCloud::ToInstance(const Ec2Instance& ec2, const std::string& region, const Region& r) {
  Instance out;
  out.id = ec2.instance_id;
  out.state = ToState(ec2.state);
  out.instance_type = ec2.instance_type;
  out.region = region;
  auto zone = r.zone_ids.find(ec2.availability_zone);
  out.zone = zone == r.zone_ids.end() ? ec2.availability_zone : zone->second;
  out.market = ec2.lifecycle == "spot" ? Market::kSpot : Market::kOnDemand;
  out.launch_time = ec2.launch_time;
  if (out.state == InstanceState::kTerminated) out.end_time = clock_->Now();  // Seen by then.
  out.address = !ec2.public_ip.empty() ? ec2.public_ip : ec2.public_dns;
  out.state_reason = ec2.state_reason_code;
  out.tags = ec2.tags;
  std::lock_guard<std::mutex> lock(mu_);
  instance_regions_[out.id] = region;
  for (const Offer& offer : catalog_) {
    if (offer.region == region && offer.zone == out.zone &&
        offer.instance_type == out.instance_type) {
      out.price_per_hour = out.market == Market::kSpot ? offer.spot_price : offer.on_demand_price;
    }
  }
  return out;
}

Result<std::vector<Offer>> AwsCloud::Offers(const std::string& region) {
  Result<Region*> r = ForRegion(region);
  if (!r.ok()) return r.status();
  SpotPriceQuery query;
  query.start_time = clock_->Now();  // One effective price per pool.
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::set<std::string> types;
    for (const Offer& offer : catalog_) {
      if (offer.region == region) types.insert(offer.instance_type);
    }
    query.instance_types.assign(types.begin(), types.end());
  }
  std::map<std::pair<std::string, std::string>, SpotPrice> newest;  // By (type, zone id).
  if (!query.instance_types.empty()) {
    Result<std::vector<SpotPrice>> prices = (*r)->client->DescribeSpotPriceHistory(query);
    if (!prices.ok()) return prices.status();
    for (const SpotPrice& price : *prices) {
      auto zone = (*r)->zone_ids.find(price.availability_zone);
      if (zone == (*r)->zone_ids.end()) continue;
      SpotPrice& slot = newest[{price.instance_type, zone->second}];
      if (price.timestamp >= slot.timestamp) slot = price;
    }
  }
  std::map<std::string, std::string> names;  // Zone id -> this account's name.
  for (const auto& [name, id] : (*r)->zone_ids) names[id] = name;
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Offer> offers;
  for (Offer& offer : catalog_) {
    if (offer.region != region) continue;
    auto price = newest.find({offer.instance_type, offer.zone});
    if (price != newest.end()) offer.spot_price = price->second.price_usd;
    offers.push_back(offer);
    if (auto name = names.find(offer.zone); name != names.end()) {
      offers.back().zone_name = name->second;
    }
  }
  return offers;
}

Result<std::vector<Offer>> AwsCloud::OffersIn(const std::vector<std::string>& regions,
                                              const std::vector<std::string>& named_types) {
  std::vector<Result<std::vector<Offer>>> results(regions.size(), std::vector<Offer>{});
  std::vector<std::thread> threads;
  auto one = [this, &named_types](const std::string& region) -> Result<std::vector<Offer>> {
    Result<std::vector<Offer>> offers = Offers(region);
    if (!offers.ok() || named_types.empty()) return offers;
    Result<Region*> r = ForRegion(region);
    if (!r.ok()) return r.status();
    Result<std::vector<Offer>> named = NamedOffers(**r, region, named_types);
    if (!named.ok()) return named.status();
    offers->insert(offers->end(), named->begin(), named->end());
    return offers;
  };
  for (size_t i = 0; i < regions.size(); ++i) {
    threads.emplace_back([&one, &regions, &results, i] { results[i] = one(regions[i]); });
  }
  for (std::thread& t : threads) t.join();
  std::vector<Offer> all;
  for (size_t i = 0; i < regions.size(); ++i) {
    if (!results[i].ok()) {
      const Status s = results[i].status();
      return Status(s.code(), regions[i] + ": " + s.message());
    }
    all.insert(all.end(), results[i]->begin(), results[i]->end());
  }
  return all;
}

Result<Instance> AwsCloud::Launch(const LaunchRequest& request) {
  Result<std::string> cidr = SshCidr();
  if (!cidr.ok()) return cidr.status();
  Result<std::string> public_key = PublicKeyFor(request);
  if (!public_key.ok()) return public_key.status();
  std::string region = request.region.empty() ? config_.region : request.region;
  Result<Region*> r = ForRegion(region);
  if (!r.ok()) return r.status();
  Ec2Client& client = *(*r)->client;
  std::string zone_name;
  for (const auto& [name, id] : (*r)->zone_ids) {
    if (request.zone == name || request.zone == id) zone_name = name;
  }
  if (!request.zone.empty() && zone_name.empty()) {
    return InvalidArgument("aws: zone '" + request.zone + "' is not in " + region);
  }
  LaunchRequest located = request;
  located.region = region;
  Result<ImageChoice> image = ChooseImage(client, located);
  if (!image.ok()) return image.status();
  std::string name = JobResourceName(request);
  Tags tags = request.tags;
  tags[kTagManagedBy] = "spotrun";
  if (!options_.owner.empty()) tags[kTagOwner] = options_.owner;
  tags.emplace("Name", name);
  Result<std::string> key = EnsureKeyPair(client, name, tags, *public_key);
  if (!key.ok()) return key.status();
  Result<std::string> group = EnsureSecurityGroup(client, name, tags, *cidr, request.ports);
  if (!group.ok()) return group.status();

  RunInstancesRequest run;
  run.image_id = image->image.image_id;
  run.root_device_name = image->image.root_device_name;
  run.instance_type = request.instance_type;
  run.key_name = *key;
  run.security_group_ids = {*group};
  run.availability_zone = zone_name;
  run.spot = request.market == Market::kSpot;
  run.max_price = run.spot ? request.max_price : 0;
  run.root_volume_gb = image->root_volume_gb;
  run.tags = tags;
  run.tags[kTagSshUser] = image->login_user;
  if (request.user_data.empty() && !image->python_env.empty()) {
    run.tags[kTagPythonEnv] = image->python_env;  // Only the bootstrap sets it up.
  }
  run.user_data = request.user_data.empty() ? BootstrapFor(image->python_env) : request.user_data;
  run.client_token = request.client_token;
  run.iam_instance_profile = options_.iam_instance_profile;
  Result<std::vector<Ec2Instance>> launched = client.RunInstances(run);
  if (!launched.ok()) return launched.status();
  return ToInstance(launched->front(), region, **r);
}

Result<Instance> AwsCloud::Describe(const std::string& instance_id) {
  std::string region = RegionOf(instance_id);
  Result<Region*> r = ForRegion(region);
  if (!r.ok()) return r.status();
  Result<std::vector<Ec2Instance>> found = (*r)->client->DescribeInstances({{instance_id}, {}});
  if (!found.ok()) return found.status();
  if (found->empty()) return NotFound("aws: no instance " + instance_id + " in " + region);
  return ToInstance(found->front(), region, **r);
}

Status AwsCloud::Terminate(const std::string& instance_id) {
  std::string region = RegionOf(instance_id);
  Result<Region*> r = ForRegion(region);
  if (!r.ok()) return r.status();
  Ec2Client& client = *(*r)->client;
  Result<std::vector<InstanceStateChange>> changed = client.TerminateInstances({instance_id});
  if (!changed.ok()) {
    return changed.status().code() == Code::kNotFound ? Status::Ok() : changed.status();
  }
  Result<std::vector<Ec2Instance>> found = client.DescribeInstances({{instance_id}, {}});
  if (!found.ok() || found->empty() || found->front().state != "terminated") {
    return Status::Ok();  // Resources are released by a later call, once it is gone.
  }
  Status cleaned = CleanUpJob(client, found->front());
  return cleaned.code() == Code::kUnavailable ? Status::Ok() : cleaned;
}

Result<std::vector<Instance>> AwsCloud::ListTagged(const std::map<std::string, std::string>& tags) {
  DescribeInstancesRequest request;
  for (const auto& [key, value] : tags) request.filters.push_back({"tag:" + key, {value}});
  request.filters.push_back({"instance-state-name", kAliveStates});
  if (Result<Region*> home = ForRegion(config_.region); !home.ok()) return home.status();
  std::vector<std::string> regions;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& entry : regions_) regions.push_back(entry.first);
  }
  std::vector<Instance> out;
  for (const std::string& region : regions) {
    Result<Region*> r = ForRegion(region);
    if (!r.ok()) return r.status();
    Result<std::vector<Ec2Instance>> found = (*r)->client->DescribeInstances(request);
    if (!found.ok()) return found.status();
    for (const Ec2Instance& ec2 : *found) out.push_back(ToInstance(ec2, region, **r));
  }
  return out;
}

}  // namespace spotrun::aws
