// `spotrun estimate` and `spotrun launch --dry-run`: what a job would cost and
// where it would run, before anything is launched.
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/estimate_terms.h"
#include "cli/spec_flags.h"
#include "cloud/local/machine.h"
#include "jobs/controller.h"
#include "policy/placement.h"
#include "sim/aggregate.h"
#include "sim/experiment.h"
#include "sim/replay.h"
#include "sim/trace.h"
#include "spec/job_spec.h"
#include "util/embedded.h"
#include "util/fs.h"

namespace spotrun {
namespace {

std::string Why(const JobSpec& spec, size_t n) {
  const Resources& r = spec.resources;
  std::string why = "cheapest " + std::string(r.use_spot ? "spot" : "on-demand") + " price among " +
                    std::to_string(n) +
                    " offers with >= " + std::to_string(static_cast<int>(r.cpus)) + " vCPUs";
  if (r.memory_gib > 0) why += ", >= " + std::to_string(static_cast<int>(r.memory_gib)) + " GiB";
  if (r.accelerator_count > 0) {
    why += ", " + std::to_string(r.accelerator_count) + "x " + r.accelerator;
  }
  if (r.max_price) why += ", price <= $" + std::to_string(*r.max_price) + "/h";
  return why;
}

// The on-demand price, "unknown" where neither the snapshot nor the cloud has one.
std::string OnDemandColumn(const Offer& o) {
  if (!o.has_on_demand()) return "unknown";
  char text[32];
  std::snprintf(text, sizeof(text), "%.4f", o.on_demand_price);
  return text;
}

// Why a named type has no offer at all: the local cloud knows the snapshot
// only; AWS asked EC2, which does not sell it there. "" when it has offers.
std::string NamedTypeNote(const Resources& r, const Cloud& cloud,
                          const std::vector<Offer>& offers) {
  for (const std::string& type : NamedTypes(r)) {
    bool offered = std::any_of(offers.begin(), offers.end(),
                               [&](const Offer& o) { return o.instance_type == type; });
    if (offered) continue;
    if (cloud.Name() == "aws") return "; EC2 does not offer " + type + " there";
    return "; " + type + " is not in the bundled snapshot (" + std::string(kBundledCatalogSource) +
           "), all the " + cloud.Name() + " cloud knows (on AWS, any type EC2 sells)";
  }
  return "";
}

}  // namespace

Result<std::vector<Candidate>> PlanCandidates(const JobSpec& spec, Cloud& cloud) {
  auto offers = OffersFor(cloud, spec.resources);
  if (!offers.ok()) return offers.status();
  std::string why;
  auto c = RankCandidates(spec.resources, UnpinnedRegions(spec.resources, cloud.Regions()), *offers,
                          &why);
  if (c.empty()) return InvalidArgument(why + NamedTypeNote(spec.resources, cloud, *offers));
  return c;
}

LaunchRequest ImageRequest(const JobSpec& spec, const Candidate& c) {
  LaunchRequest request;
  request.instance_type = c.offer.instance_type;
  request.region = c.offer.region;
  request.disk_size_gb = spec.resources.disk_size_gb;
  request.image = spec.resources.image;
  request.image_owner = spec.resources.image_owner;
  request.ssh_user = spec.resources.ssh_user;
  return request;
}

void PrintDryRun(const JobSpec& spec, const std::vector<std::string>& regions,
                 const std::vector<Candidate>& c) {
  printf("%s\n", DescribeRegions(spec.resources, regions).c_str());
  printf("dry run: nothing is launched. %zu offers fit; the first %zu:\n", c.size(),
         std::min<size_t>(c.size(), 10));
  printf("  %-3s %-14s %-10s %-9s %10s %12s %7s  %s\n", "#", "TYPE", "ZONE", "MARKET", "$/H",
         "ON-DEMAND", "SAVING", "REGION");
  for (size_t i = 0; i < c.size() && i < 10; ++i) {
    const Candidate& x = c[i];
    char saving[16] = "-";  // Nothing to save on a free (local) type.
    if (x.offer.on_demand_price > 0) {
      std::snprintf(saving, sizeof(saving), "%.0f%%",
                    100 * (1 - x.price / x.offer.on_demand_price));
    }
    printf("  %-3zu %-14s %-10s %-9s %10.4f %12s %7s  %s\n", i + 1, x.offer.instance_type.c_str(),
           x.offer.zone.c_str(), MarketName(x.market), x.price, OnDemandColumn(x.offer).c_str(),
           saving, x.offer.region.c_str());
  }
  if (IsLocalGpuType(c[0].offer.instance_type)) {
    const Offer& o = c[0].offer;
    printf("%s is a local type: %d of this machine's %s GPUs, %s.\n", o.instance_type.c_str(),
           o.accelerator_count, o.accelerator.c_str(),
           o.on_demand_price == 0 ? "a model no catalog type has, at $0"
                                  : "a count no catalog type has, priced per GPU like the "
                                    "catalog's smallest type of that model");
  }
  printf("%s %s (%s) wins: %s; max price $%.4f/h.\n", c[0].offer.instance_type.c_str(),
         c[0].offer.zone.c_str(), c[0].offer.region.c_str(), Why(spec, c.size()).c_str(),
         c[0].max_price);
  if (spec.deadline_s) {
    printf("With the deadline the %s policy chooses spot or on-demand at every launch.\n",
           spec.policy.c_str());
  }
}

int CmdEstimate(CliContext& ctx, const Args& args) {
  std::vector<FlagSpec> flags = {{"starts", true}, {"json", false}};
  for (const FlagSpec& f : JobFileFlags()) flags.push_back(f);
  auto parsed = ParseArgs(args, flags);
  if (!parsed.ok() || parsed->positional.size() != 1) {
    fprintf(stderr, "spotrun: %s\n",
            parsed.ok() ? "estimate needs one job file" : parsed.status().message().c_str());
    return 2;
  }
  const std::string file = parsed->positional[0];
  auto spec = LoadJobFileWithFlags(file, *parsed);
  if (!spec.ok()) return fprintf(stderr, "spotrun: %s\n", spec.status().message().c_str()), 2;
  if (!spec->budget.expected_s) {
    fprintf(stderr, "spotrun: %s: budget.expected_hours: estimate needs the job's length\n",
            file.c_str());
    return 2;
  }
  int starts = 40;  // 360 runs over the 9 traces: a p90 to go by in seconds.
  if (auto s = parsed->Get("starts")) starts = std::max(1, atoi(s->c_str()));
  auto cloud = ctx.MakeCloud("local");  // The bundled catalog: no account, no network.
  if (!cloud.ok()) return fprintf(stderr, "spotrun: %s\n", cloud.status().message().c_str()), 1;
  // The whole catalog, not only what this machine's local cloud can run, in
  // every region of it unless the job pins one.
  const std::vector<Offer>& catalog = Catalog::Bundled().offers();
  const std::vector<std::string> regions = OfferRegions(catalog, (*cloud)->DefaultRegion());
  std::string why;
  std::vector<Candidate> candidates =
      RankCandidates(spec->resources, UnpinnedRegions(spec->resources, regions), catalog, &why);
  if (candidates.empty()) {
    fprintf(stderr, "spotrun: %s: resources: %s\n", file.c_str(), why.c_str());
    return 2;
  }
  const Candidate& c = candidates.front();
  JobTerms terms;
  terms.work_s = *spec->budget.expected_s;
  // Without a deadline the job runs on spot until done: simulate a long horizon.
  terms.deadline_s = spec->deadline_s.value_or(3 * terms.work_s + 24 * 3600);
  const Changeover changeover =
      ChangeoverOf(spec->cloud.empty() ? "local" : spec->cloud, ctx.store.get());
  terms.overhead_s = changeover.seconds;
  terms.on_demand_price = c.offer.on_demand_price;
  terms.spot_price = c.market == Market::kSpot ? c.price : c.offer.on_demand_price;
  const std::string policy = !spec->resources.use_spot ? "on-demand"
                             : spec->deadline_s        ? spec->policy
                                                       : "spot-only";
  // Each start is a job run by the controller on a cloud whose spot market
  // is the trace (as `spotrun simulate` runs it).
  auto scratch = TempDir::Make("spotrun-estimate", /*in_memory=*/true);
  if (!scratch.ok()) return fprintf(stderr, "spotrun: %s\n", scratch.status().message().c_str()), 1;
  std::vector<RunResult> runs;
  const TraceChoice traces = ChooseTraces(c.offer, EmbeddedFilesUnder("traces/availability/"));
  for (const auto& name : traces.names) {
    auto trace = ParseTrace(*EmbeddedFile(name), TraceEncoding{}, name);
    if (!trace.ok()) continue;
    auto ticks = EvenStartTicks(*trace, terms.deadline_s, starts);
    if (!ticks.ok()) continue;
    auto r = ReplayAll({policy}, *trace, *ticks, terms, scratch->path());
    if (!r.ok()) return fprintf(stderr, "spotrun: %s\n", r.status().message().c_str()), 1;
    runs.insert(runs.end(), (*r)[0].begin(), (*r)[0].end());
  }
  if (runs.empty()) return fprintf(stderr, "spotrun: no trace covers this job's length\n"), 1;
  std::vector<double> cost, finish;
  int misses = 0;
  for (const auto& r : runs) {
    cost.push_back(r.cost);
    finish.push_back(r.finish_hours);
    misses += r.deadline_met ? 0 : 1;
  }
  const double miss = spec->deadline_s ? 100.0 * misses / runs.size() : 0;
  const double od = terms.work_s / 3600 * terms.on_demand_price;
  if (parsed->Has("json")) {
    nlohmann::json j = {{"instance_type", c.offer.instance_type},
                        {"zone", c.offer.zone},
                        {"region", c.offer.region},
                        {"regions_considered",
                         RegionsOf(spec->resources, UnpinnedRegions(spec->resources, regions))},
                        {"policy", policy},
                        {"runs", runs.size()},
                        {"cost_p50", Percentile(cost, 0.5)},
                        {"cost_p90", Percentile(cost, 0.9)},
                        {"finish_hours_p50", Percentile(finish, 0.5)},
                        {"finish_hours_p90", Percentile(finish, 0.9)},
                        {"deadline_miss_percent", miss},
                        {"on_demand_cost", od},
                        {"traces", traces.why},
                        {"changeover_hours", changeover.seconds / 3600},
                        {"changeover", changeover.why}};
    printf("%s\n", j.dump().c_str());
    return 0;
  }
  printf("%s\n", DescribeRegions(spec->resources, regions).c_str());
  printf("%s %s in %s (%s) at $%.4f/h (on-demand $%.4f/h), policy %s\n",
         c.offer.instance_type.c_str(), MarketName(c.market), c.offer.zone.c_str(),
         c.offer.region.c_str(), c.price, c.offer.on_demand_price, policy.c_str());
  printf("replayed %zu starts of the bundled spot availability traces (2023)\n", runs.size());
  printf("traces: %s\n", traces.why.c_str());
  if (changeover.seconds < 360) {
    printf("changeover per launch: %.1f s, %s\n", changeover.seconds, changeover.why.c_str());
  } else {
    printf("changeover per launch: %.2f h, %s\n", changeover.seconds / 3600,
           changeover.why.c_str());
  }
  printf("cost:   p50 $%.2f   p90 $%.2f   (on-demand only: $%.2f)\n", Percentile(cost, 0.5),
         Percentile(cost, 0.9), od);
  printf("finish: p50 %.1f h   p90 %.1f h\n", Percentile(finish, 0.5), Percentile(finish, 0.9));
  if (spec->deadline_s) {
    printf("chance of missing the %.1f h deadline: %.1f%%\n", *spec->deadline_s / 3600, miss);
  } else {
    printf("no deadline: the job waits for spot when there is none\n");
  }
  return 0;
}

}  // namespace spotrun
