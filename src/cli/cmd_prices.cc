// `spotrun prices`: spot prices per zone, live from EC2 when AWS settings
// work, else from the bundled snapshot (and it says so).
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <future>
#include <memory>

#include "catalog/catalog.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cloud/aws/aws_cloud.h"
#include "cloud/aws/aws_config.h"
#include "util/ascii.h"

namespace spotrun {
namespace {

struct PriceQuery {
  std::string gpu;
  std::string type;
  std::vector<std::string> regions;  // Empty: every region of the catalog.
};

bool Matches(const PriceQuery& q, const Offer& o) {
  if (!q.type.empty() && o.instance_type != q.type) return false;
  return q.gpu.empty() || EqualsNoCase(o.accelerator, q.gpu);
}

// The regions asked for ("all" or none: every region of the catalog with a
// matching offer), in catalog order; the first region the catalog lacks
// fails.
Result<std::vector<std::string>> RegionsFor(const PriceQuery& q) {
  std::vector<std::string> known, matching;
  for (const Offer& o : Catalog::Bundled().offers()) {
    if (std::find(known.begin(), known.end(), o.region) == known.end()) known.push_back(o.region);
    if (Matches(q, o) && std::find(matching.begin(), matching.end(), o.region) == matching.end()) {
      matching.push_back(o.region);
    }
  }
  // A named type the snapshot lacks: every region (EC2 may sell it there).
  if (q.regions.empty()) return matching.empty() && !q.type.empty() ? known : matching;
  for (const std::string& r : q.regions) {
    if (std::find(known.begin(), known.end(), r) == known.end()) {
      return InvalidArgument("--region: no region '" + r + "' in the bundled catalog (" +
                             Join(known, ", ") + ")");
    }
  }
  return q.regions;
}

std::vector<Offer> Snapshot(const PriceQuery& q, const std::string& region) {
  std::vector<Offer> out;
  for (const Offer& o : Catalog::Bundled().offers()) {
    if (o.region == region && Matches(q, o)) out.push_back(o);
  }
  return out;
}

// One region's offers: live from EC2 when `cloud` is set and answers, else
// the snapshot's; `live_error` says why not live ("" when live).
struct RegionPrices {
  std::vector<Offer> offers;
  std::string live_error;
};

RegionPrices PricesIn(aws::AwsCloud* cloud, const PriceQuery& q, const std::string& region,
                      const std::string& offline_reason) {
  RegionPrices out{Snapshot(q, region), offline_reason};
  if (!cloud || (out.offers.empty() && q.type.empty())) return out;
  // A type the snapshot lacks is asked of EC2 by name.
  Result<std::vector<Offer>> live = cloud->OffersIn(
      {region}, q.type.empty() ? std::vector<std::string>{} : std::vector<std::string>{q.type});
  if (!live.ok()) {
    out.live_error = live.status().message();
    return out;
  }
  out.offers.clear();
  for (const Offer& o : *live) {
    if (Matches(q, o)) out.offers.push_back(o);
  }
  out.live_error.clear();
  return out;
}

double PerGpu(const Offer& o) {
  return o.accelerator_count > 0 ? o.spot_price / o.accelerator_count : o.spot_price;
}

void PrintTable(std::vector<Offer> offers, bool per_gpu) {
  std::stable_sort(offers.begin(), offers.end(), [&](const Offer& a, const Offer& b) {
    if (a.has_spot() != b.has_spot()) return a.has_spot();
    return per_gpu ? PerGpu(a) < PerGpu(b) : a.spot_price < b.spot_price;
  });
  printf("%-14s %-14s %-22s %-10s %5s %8s %9s", "TYPE", "REGION", "ZONE", "GPU", "VCPUS", "MEM GiB",
         "SPOT $/h");
  if (per_gpu) printf(" %12s", "SPOT $/GPU-h");
  printf(" %13s %7s\n", "ON-DEMAND $/h", "SAVING");
  for (const Offer& o : offers) {
    std::string gpu =
        o.accelerator.empty() ? "-" : o.accelerator + ":" + std::to_string(o.accelerator_count);
    std::string zone = o.zone_name.empty() ? o.zone : o.zone_name + " (" + o.zone + ")";
    char spot[32] = "-", spot_gpu[32] = "-", saving[32] = "-";
    if (o.has_spot()) {
      snprintf(spot, sizeof spot, "%.4f", o.spot_price);
      snprintf(spot_gpu, sizeof spot_gpu, "%.4f", PerGpu(o));
      if (o.on_demand_price > 0) {
        snprintf(saving, sizeof saving, "%.0f%%", 100 * (1 - o.spot_price / o.on_demand_price));
      }
    }
    printf("%-14s %-14s %-22s %-10s %5.0f %8.0f %9s", o.instance_type.c_str(), o.region.c_str(),
           zone.c_str(), gpu.c_str(), o.vcpus, o.memory_gib, spot);
    if (per_gpu) printf(" %12s", spot_gpu);
    char on_demand[32] = "unknown";  // Neither the snapshot nor the price list has it.
    if (o.has_on_demand()) snprintf(on_demand, sizeof on_demand, "%.4f", o.on_demand_price);
    printf(" %13s %7s\n", on_demand, saving);
  }
}

// "in us-east-1" or "in 4 regions (us-east-1, us-east-2, ...)".
std::string RegionsLine(const std::vector<std::string>& regions) {
  if (regions.size() == 1) return "in " + regions[0];
  return "in " + std::to_string(regions.size()) + " regions (" + Join(regions, ", ") + ")";
}

}  // namespace

int CmdPrices(CliContext& ctx, const Args& args) {
  auto parsed = ParseArgs(args, {{"gpu", true}, {"type", true}, {"region", true}});
  if (!parsed.ok() || !parsed->positional.empty()) {
    fprintf(stderr, "spotrun: %s\n",
            parsed.ok() ? "prices takes no arguments besides its flags (see --help)"
                        : parsed.status().message().c_str());
    return 2;
  }
  PriceQuery q{parsed->Get("gpu").value_or(""), parsed->Get("type").value_or(""), {}};
  const std::string region_flag = parsed->Get("region").value_or("all");
  if (region_flag != "all") q.regions = Split(region_flag, ',');
  auto regions = RegionsFor(q);
  if (!regions.ok()) {
    fprintf(stderr, "spotrun: %s\n", regions.status().message().c_str());
    return 2;
  }
  std::vector<Offer> snapshot;
  for (const std::string& r : *regions) {
    for (Offer& o : Snapshot(q, r)) snapshot.push_back(std::move(o));
  }
  aws::AwsOverrides overrides;
  overrides.default_region = "us-east-1";
  auto config = aws::LoadAwsConfig(ctx.env, overrides, &ctx.clock);
  // Only EC2 knows types beyond the snapshot; without it the snapshot is all there is.
  if (snapshot.empty() && (q.type.empty() || !config.ok())) {
    fprintf(stderr, "spotrun: no instance type in the bundled snapshot for %s%s%s%s%s%s\n",
            region_flag == "all" ? "any region" : region_flag.c_str(),
            q.type.empty() ? "" : ", type ", q.type.c_str(), q.gpu.empty() ? "" : ", GPU ",
            q.gpu.c_str(),
            config.ok() ? ""
                        : " (offline, the snapshot is all there is; with AWS credentials EC2 is "
                          "asked for any type it sells)");
    return 1;
  }
  std::unique_ptr<aws::AwsCloud> cloud;
  if (config.ok()) {
    aws::AwsCloudOptions options;
    options.client.max_attempts = 2;
    options.client.timeout_s = 15;
    if (!ctx.http) ctx.http = std::make_unique<CurlHttpClient>();
    if (!config->pricing_endpoint.empty()) {
      options.price_list = std::make_shared<aws::PriceListClient>(
          ctx.http.get(), config->credentials.get(), &ctx.clock, config->pricing_endpoint);
    }
    cloud = std::make_unique<aws::AwsCloud>(*config, ctx.http.get(), &ctx.clock,
                                            Catalog::Bundled().offers(), options);
  }
  const std::string offline = config.ok() ? "" : config.status().message();
  // Every region at once: EC2 answers each in a few hundred milliseconds.
  std::vector<std::future<RegionPrices>> asked;
  for (const std::string& r : *regions) {
    asked.push_back(std::async(std::launch::async, PricesIn, cloud.get(), q, r, offline));
  }
  std::vector<Offer> offers;
  std::vector<std::string> live_in, snapshot_in, why_not;
  for (size_t i = 0; i < asked.size(); ++i) {
    RegionPrices got = asked[i].get();
    if (got.offers.empty()) continue;
    (got.live_error.empty() ? live_in : snapshot_in).push_back((*regions)[i]);
    if (!got.live_error.empty() &&
        std::find(why_not.begin(), why_not.end(), got.live_error) == why_not.end()) {
      why_not.push_back(got.live_error);
    }
    for (Offer& o : got.offers) offers.push_back(std::move(o));
  }
  if (!live_in.empty()) {
    printf(
        "Spot prices %s, live from EC2 (on-demand prices from the bundled catalog, else "
        "AWS's price list).\n",
        RegionsLine(live_in).c_str());
  }
  if (!snapshot_in.empty()) {
    printf("Spot prices %s from the bundled snapshot (%s), not live (%s).\n",
           RegionsLine(snapshot_in).c_str(), kBundledCatalogSource, Join(why_not, "; ").c_str());
  }
  const bool per_gpu =
      !q.gpu.empty() || std::all_of(offers.begin(), offers.end(),
                                    [](const Offer& o) { return o.accelerator_count > 0; });
  if (offers.empty()) {
    fprintf(stderr, "spotrun: EC2 offers no %s %s\n", q.type.c_str(),
            RegionsLine(*regions).c_str());
    return 1;
  }
  if (per_gpu) printf("Sorted by the spot price of one GPU-hour.\n");
  PrintTable(std::move(offers), per_gpu);
  return 0;
}

}  // namespace spotrun
