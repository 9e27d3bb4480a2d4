// Instance types beyond the bundled catalog (AwsCloud::NamedOffers): what EC2
// says of a type a job names, priced from the spot market and the price list.
#include <algorithm>
#include <set>

#include "cloud/aws/aws_cloud.h"

namespace spotrun::aws {
namespace {

// The catalog's shape fields of `info`: GPUs, else Neuron devices, as the accelerator.
Offer ShapeOf(const InstanceTypeInfo& info, const std::string& region) {
  Offer o;
  o.instance_type = info.instance_type;
  o.vcpus = info.vcpus;
  o.memory_gib = static_cast<double>(info.memory_mib) / 1024;
  if (info.gpu_count > 0) {
    o.accelerator = info.gpu_name;
    o.accelerator_count = info.gpu_count;
  } else if (info.neuron_count > 0) {
    o.accelerator = info.neuron_name;
    o.accelerator_count = info.neuron_count;
  }
  o.region = region;
  return o;
}

// The types of `types` EC2 knows. It refuses a whole call naming one it does
// not (InvalidInstanceType), so then each is asked alone.
Result<std::vector<InstanceTypeInfo>> DescribeKnown(Ec2Client& client,
                                                    const std::vector<std::string>& types) {
  Result<std::vector<InstanceTypeInfo>> all = client.DescribeInstanceTypes(types);
  if (all.ok() || all.status().code() != Code::kInvalidArgument) return all;
  std::vector<InstanceTypeInfo> known;
  for (size_t i = 0; types.size() > 1 && i < types.size(); ++i) {
    Result<std::vector<InstanceTypeInfo>> one = client.DescribeInstanceTypes({types[i]});
    if (one.ok()) known.insert(known.end(), one->begin(), one->end());
    if (!one.ok() && one.status().code() != Code::kInvalidArgument) return one.status();
  }
  return known;
}

}  // namespace

double AwsCloud::OnDemandPriceOf(const std::string& type, const std::string& region) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const Offer& o : catalog_) {
      if (o.instance_type == type && o.region == region && o.has_on_demand()) {
        return o.on_demand_price;
      }
    }
    auto known = list_prices_.find({type, region});
    if (known != list_prices_.end()) return known->second;
  }
  if (!options_.price_list) return -1;
  Result<double> price = options_.price_list->OnDemandPrice(type, region);
  // Unknown, not an error: the offer then needs the job's max_price.
  double usd = price.ok() ? *price : -1;
  std::lock_guard<std::mutex> lock(mu_);
  list_prices_[{type, region}] = usd;
  return usd;
}

Result<std::vector<Offer>> AwsCloud::NamedOffers(Region& r, const std::string& region,
                                                 const std::vector<std::string>& types) {
  std::vector<std::string> missing;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::string& type : std::set<std::string>(types.begin(), types.end())) {
      bool known = false;
      for (const Offer& o : catalog_)
        known = known || (o.instance_type == type && o.region == region);
      if (!known && !type.empty()) missing.push_back(type);
    }
  }
  if (missing.empty()) return std::vector<Offer>{};
  Result<std::vector<InstanceTypeInfo>> infos = DescribeKnown(*r.client, missing);
  if (!infos.ok()) return infos.status();
  SpotPriceQuery query;
  query.start_time = clock_->Now();
  for (const InstanceTypeInfo& info : *infos) query.instance_types.push_back(info.instance_type);
  if (query.instance_types.empty()) return std::vector<Offer>{};
  Result<std::vector<SpotPrice>> prices = r.client->DescribeSpotPriceHistory(query);
  if (!prices.ok()) return prices.status();
  std::vector<Offer> out;
  for (const InstanceTypeInfo& info : *infos) {
    Offer shape = ShapeOf(info, region);
    shape.on_demand_price = OnDemandPriceOf(info.instance_type, region);
    std::map<std::string, SpotPrice> newest;  // By zone id.
    for (const SpotPrice& price : *prices) {
      auto zone = r.zone_ids.find(price.availability_zone);
      if (price.instance_type != info.instance_type || zone == r.zone_ids.end()) continue;
      SpotPrice& slot = newest[zone->second];
      if (price.timestamp >= slot.timestamp) slot = price;
    }
    for (const auto& [zone_id, price] : newest) {
      Offer o = shape;
      o.zone = zone_id;
      o.spot_price = price.price_usd;
      for (const auto& [name, id] : r.zone_ids) {
        if (id == zone_id) o.zone_name = name;
      }
      out.push_back(o);
    }
    if (newest.empty()) out.push_back(shape);  // On-demand only, any zone.
  }
  std::lock_guard<std::mutex> lock(mu_);
  catalog_.insert(catalog_.end(), out.begin(), out.end());  // Refreshed and priced from now on.
  return out;
}

Result<std::vector<std::string>> AwsCloud::TypesBeyondCatalog(
    const std::vector<std::string>& regions, const std::function<bool(const Offer&)>& fits,
    size_t most) {
  std::vector<Offer> fitting;
  for (const std::string& region : regions) {
    std::vector<Offer> shapes;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto known = region_types_.find(region);
      if (known != region_types_.end()) shapes = known->second;
    }
    if (shapes.empty()) {
      Result<Region*> r = ForRegion(region);
      if (!r.ok()) return r.status();
      Result<std::vector<InstanceTypeInfo>> infos = (*r)->client->DescribeInstanceTypes({});
      if (!infos.ok())
        return Status(infos.status().code(), region + ": " + infos.status().message());
      for (const InstanceTypeInfo& info : *infos) shapes.push_back(ShapeOf(info, region));
      std::lock_guard<std::mutex> lock(mu_);
      region_types_[region] = shapes;
    }
    std::lock_guard<std::mutex> lock(mu_);
    for (const Offer& shape : shapes) {
      bool in_catalog = false;
      for (const Offer& o : catalog_)
        in_catalog = in_catalog || o.instance_type == shape.instance_type;
      if (!in_catalog && fits(shape)) fitting.push_back(shape);
    }
  }
  // The smallest that fit are the likely cheapest; each type once.
  std::sort(fitting.begin(), fitting.end(), [](const Offer& a, const Offer& b) {
    if (a.accelerator_count != b.accelerator_count)
      return a.accelerator_count < b.accelerator_count;
    if (a.vcpus != b.vcpus) return a.vcpus < b.vcpus;
    if (a.memory_gib != b.memory_gib) return a.memory_gib < b.memory_gib;
    return a.instance_type < b.instance_type;
  });
  std::vector<std::string> out;
  for (const Offer& o : fitting) {
    if (out.size() >= most) break;
    if (std::find(out.begin(), out.end(), o.instance_type) == out.end())
      out.push_back(o.instance_type);
  }
  return out;
}

}  // namespace spotrun::aws
