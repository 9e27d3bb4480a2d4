#include "policy/placement.h"

#include <algorithm>
#include <sstream>

#include "util/ascii.h"

namespace spotrun {
namespace {

// Names the first constraint the offer fails, or "" when it fits.
std::string Misfit(const Resources& r, const std::string& region, const Offer& o) {
  if (o.region != region) return "region";
  if (!r.zone.empty() && o.zone != r.zone) return "zone";
  if (!r.instance_type.empty() && o.instance_type != r.instance_type) return "instance_type";
  if (o.vcpus < r.cpus) return "cpus";
  if (o.memory_gib < r.memory_gib) return "memory";
  if (r.accelerator_count > 0 &&
      (!EqualsNoCase(o.accelerator, r.accelerator) || o.accelerator_count < r.accelerator_count)) {
    return "accelerators";
  }
  // A job that asks for no GPU gets none, even where a GPU type is cheaper
  // (the local cloud's own GPU types cost $0), unless it names the type.
  if (r.accelerator_count == 0 && o.accelerator_count > 0 && r.instance_type.empty()) {
    return "accelerators";
  }
  if (r.use_spot && !o.has_spot()) return "use_spot (no spot offer)";
  double price = r.use_spot ? o.spot_price : o.on_demand_price;
  if (r.max_price && price > *r.max_price) return "max_price";
  return "";
}

}  // namespace

std::vector<Candidate> RankCandidates(const Resources& r, const std::string& default_region,
                                      const std::vector<Offer>& offers, std::string* why_none) {
  const std::string region = r.region.empty() ? default_region : r.region;
  std::vector<Candidate> out;
  std::map<std::string, int> misfits;
  for (const Offer& o : offers) {
    std::string why = Misfit(r, region, o);
    if (!why.empty()) {
      ++misfits[why];
      continue;
    }
    Candidate c;
    c.offer = o;
    c.market = r.use_spot ? Market::kSpot : Market::kOnDemand;
    c.price = r.use_spot ? o.spot_price : o.on_demand_price;
    c.max_price = r.max_price ? *r.max_price : o.on_demand_price;
    out.push_back(std::move(c));
  }
  std::sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) {
    if (a.price != b.price) return a.price < b.price;
    if (a.offer.instance_type != b.offer.instance_type) {
      return a.offer.instance_type < b.offer.instance_type;
    }
    return a.offer.zone < b.offer.zone;
  });
  if (out.empty() && why_none) {
    std::ostringstream m;
    m << "no offer in " << region << " fits the job's resources";
    misfits.erase("region");
    if (!misfits.empty()) {
      auto worst = std::max_element(misfits.begin(), misfits.end(),
                                    [](auto& a, auto& b) { return a.second < b.second; });
      m << " (most offers fail on " << worst->first << ")";
    }
    *why_none = m.str();
  }
  return out;
}

}  // namespace spotrun
