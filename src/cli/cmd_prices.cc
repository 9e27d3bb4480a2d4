// `spotrun prices`: spot prices per zone, live from EC2 when AWS settings
// work, else from the bundled snapshot (and it says so).
#include <algorithm>
#include <cctype>
#include <cstdio>

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
  std::string region;
};

std::vector<Offer> Matching(const PriceQuery& q) {
  std::vector<Offer> out;
  for (const Offer& o : Catalog::Bundled().offers()) {
    if (o.region != q.region) continue;
    if (!q.type.empty() && o.instance_type != q.type) continue;
    if (!q.gpu.empty() && !EqualsNoCase(o.accelerator, q.gpu)) continue;
    out.push_back(o);
  }
  return out;
}

// Live offers for `snapshot` (same types and zones), or why there are none.
Result<std::vector<Offer>> LiveOffers(CliContext& ctx, const aws::AwsConfig& config,
                                      const PriceQuery& q, const std::vector<Offer>& snapshot) {
  aws::AwsCloudOptions options;
  options.client.max_attempts = 2;
  options.client.timeout_s = 15;
  if (!ctx.http) ctx.http = std::make_unique<CurlHttpClient>();
  aws::AwsCloud cloud(config, ctx.http.get(), &ctx.clock, snapshot, options);
  return cloud.Offers(q.region);
}

void PrintTable(std::vector<Offer> offers) {
  std::stable_sort(offers.begin(), offers.end(), [](const Offer& a, const Offer& b) {
    if (a.has_spot() != b.has_spot()) return a.has_spot();
    return a.spot_price < b.spot_price;
  });
  printf("%-14s %-10s %-10s %5s %8s %9s %13s %7s\n", "TYPE", "ZONE", "GPU", "VCPUS", "MEM GiB",
         "SPOT $/h", "ON-DEMAND $/h", "SAVING");
  for (const Offer& o : offers) {
    std::string gpu =
        o.accelerator.empty() ? "-" : o.accelerator + ":" + std::to_string(o.accelerator_count);
    char spot[32] = "-", saving[32] = "-";
    if (o.has_spot()) {
      snprintf(spot, sizeof spot, "%.4f", o.spot_price);
      if (o.on_demand_price > 0) {
        snprintf(saving, sizeof saving, "%.0f%%", 100 * (1 - o.spot_price / o.on_demand_price));
      }
    }
    printf("%-14s %-10s %-10s %5.0f %8.0f %9s %13.4f %7s\n", o.instance_type.c_str(),
           o.zone.c_str(), gpu.c_str(), o.vcpus, o.memory_gib, spot, o.on_demand_price, saving);
  }
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
  PriceQuery q{parsed->Get("gpu").value_or(""), parsed->Get("type").value_or(""),
               parsed->Get("region").value_or("")};
  aws::AwsOverrides overrides;
  overrides.region = q.region;
  overrides.default_region = "us-east-1";
  auto config = aws::LoadAwsConfig(ctx.env, overrides, &ctx.clock);
  if (q.region.empty()) q.region = config.ok() ? config->region : "us-east-1";
  std::vector<Offer> snapshot = Matching(q);
  if (snapshot.empty()) {
    fprintf(stderr, "spotrun: no instance type in the catalog for %s%s%s%s%s\n", q.region.c_str(),
            q.type.empty() ? "" : ", type ", q.type.c_str(), q.gpu.empty() ? "" : ", GPU ",
            q.gpu.c_str());
    return 1;
  }
  Result<std::vector<Offer>> live = config.ok() ? LiveOffers(ctx, *config, q, snapshot)
                                                : Result<std::vector<Offer>>(config.status());
  if (live.ok()) {
    printf("Spot prices in %s, live from EC2 (on-demand prices from the bundled catalog):\n",
           q.region.c_str());
    PrintTable(*live);
  } else {
    printf("Spot prices in %s from the bundled snapshot, not live (%s):\n", q.region.c_str(),
           live.status().message().c_str());
    PrintTable(snapshot);
  }
  return 0;
}

}  // namespace spotrun
