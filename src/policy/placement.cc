#include "policy/placement.h"

#include <algorithm>
#include <sstream>

#include "util/ascii.h"

namespace spotrun {
namespace {

// The regions an offer may be in for `r`: its own, else every unpinned one.
std::vector<std::string> AllowedRegions(const Resources& r,
                                        const std::vector<std::string>& unpinned) {
  return r.region.empty() ? unpinned : std::vector<std::string>{r.region};
}

bool Contains(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// The price constraints: a known price in the market asked for, within the
// bid. A spot bid defaults to the on-demand price, so where that is unknown
// the job must say its max_price.
std::string PriceMisfit(const Resources& r, const Offer& o) {
  if (r.use_spot && !o.has_spot()) return "use_spot (no spot offer)";
  if (!r.use_spot && !o.has_on_demand()) return "use_spot: false (on-demand price unknown)";
  if (r.use_spot && !r.max_price && !o.has_on_demand()) {
    return "max_price (required: the on-demand price of " + o.instance_type + " is unknown)";
  }
  double price = r.use_spot ? o.spot_price : o.on_demand_price;
  if (r.max_price && price > *r.max_price) return "max_price";
  return "";
}

// Names the first constraint of the machine's shape (type, vCPUs, memory,
// accelerators) the offer fails, or "" when it fits.
std::string ShapeMisfit(const Resources& r, const Offer& o) {
  if (!r.instance_type.empty() && o.instance_type != r.instance_type) return "instance_type";
  if (o.vcpus < r.cpus || (r.cpus_exact && o.vcpus != r.cpus)) return "cpus";
  if (o.memory_gib < r.memory_gib || (r.memory_exact && o.memory_gib != r.memory_gib)) {
    return "memory";
  }
  if (o.memory_gib < r.memory_per_cpu * o.vcpus) return "memory";
  if (r.accelerator_count > 0 &&
      (!EqualsNoCase(o.accelerator, r.accelerator) || o.accelerator_count < r.accelerator_count)) {
    return "accelerators";
  }
  // A job that asks for no GPU gets none, even where a GPU type is cheaper
  // (the local cloud's own GPU types cost $0), unless it names the type.
  if (r.accelerator_count == 0 && o.accelerator_count > 0 && r.instance_type.empty()) {
    return "accelerators";
  }
  return "";
}

// Names the first constraint the offer fails, or "" when it fits.
std::string Misfit(const Resources& r, const std::vector<std::string>& regions, const Offer& o) {
  if (!Contains(regions, o.region)) return "region";
  if (!r.zone.empty() && o.zone != r.zone) return "zone";
  if (std::string shape = ShapeMisfit(r, o); !shape.empty()) return shape;
  return PriceMisfit(r, o);
}

std::string JoinRegions(const std::vector<std::string>& regions) {
  std::string out;
  for (const std::string& r : regions) out += (out.empty() ? "" : ", ") + r;
  return out;
}

// Orders candidates by price, then region (its place in `regions`), type, zone.
struct Cheaper {
  const std::vector<std::string>& regions;
  size_t RegionRank(const Offer& o) const {
    return std::find(regions.begin(), regions.end(), o.region) - regions.begin();
  }
  bool operator()(const Candidate& a, const Candidate& b) const {
    if (a.price != b.price) return a.price < b.price;
    if (RegionRank(a.offer) != RegionRank(b.offer))
      return RegionRank(a.offer) < RegionRank(b.offer);
    if (a.offer.instance_type != b.offer.instance_type) {
      return a.offer.instance_type < b.offer.instance_type;
    }
    return a.offer.zone < b.offer.zone;
  }
};

// An offer two alternatives share is kept once, for the first.
bool Seen(const std::vector<Candidate>& out, const Candidate& c) {
  return std::any_of(out.begin(), out.end(), [&](const Candidate& x) {
    return x.offer.instance_type == c.offer.instance_type && x.offer.zone == c.offer.zone &&
           x.market == c.market;
  });
}

std::vector<Candidate> RankAlternatives(const Resources& r,
                                        const std::vector<std::string>& unpinned,
                                        const std::vector<Offer>& offers, std::string* why_none) {
  std::vector<Candidate> out;
  std::string why;
  for (size_t i = 0; i < r.any_of.size(); ++i) {
    std::string why_this;
    for (Candidate c : RankCandidates(r.any_of[i], unpinned, offers, &why_this)) {
      c.alternative = static_cast<int>(i);
      if (!Seen(out, c)) out.push_back(c);
    }
    if (why.empty()) why = why_this;
  }
  if (!r.ordered) std::stable_sort(out.begin(), out.end(), Cheaper{RegionsOf(r, unpinned)});
  if (out.empty() && why_none) *why_none = "no alternative fits: " + why;
  return out;
}

}  // namespace

const Resources& ResourcesOf(const Resources& resources, const Candidate& c) {
  if (c.alternative < 0 || c.alternative >= static_cast<int>(resources.any_of.size())) {
    return resources;
  }
  return resources.any_of[c.alternative];
}

std::vector<std::string> RegionsOf(const Resources& r, const std::vector<std::string>& unpinned) {
  std::vector<std::string> out;
  auto add = [&](const Resources& x) {
    for (const std::string& region : AllowedRegions(x, unpinned)) {
      if (!Contains(out, region)) out.push_back(region);
    }
  };
  if (r.any_of.empty()) add(r);
  for (const Resources& x : r.any_of) add(x);
  return out;
}

std::vector<std::string> RegionsOf(const Resources& r, const std::string& default_region) {
  return RegionsOf(r, std::vector<std::string>{default_region});
}

bool NamesImageId(const Resources& r) { return r.image.rfind("ami-", 0) == 0; }

std::vector<std::string> UnpinnedRegions(const Resources& r,
                                         const std::vector<std::string>& cloud_regions) {
  if (!NamesImageId(r) || cloud_regions.empty()) return cloud_regions;
  return {cloud_regions.front()};
}

std::string DescribeRegions(const Resources& r, const std::vector<std::string>& cloud_regions) {
  const std::vector<std::string> unpinned = UnpinnedRegions(r, cloud_regions);
  const std::vector<std::string> regions = RegionsOf(r, unpinned);
  bool pinned = r.any_of.empty()
                    ? !r.region.empty()
                    : std::all_of(r.any_of.begin(), r.any_of.end(),
                                  [](const Resources& x) { return !x.region.empty(); });
  std::string out = std::string(regions.size() == 1 ? "region" : "regions") +
                    " considered: " + JoinRegions(regions);
  if (pinned) return out + " (pinned by resources.region)";
  if (unpinned.size() < cloud_regions.size()) {
    return out + " (no region pinned, but image " + r.image + " is an id of one region)";
  }
  if (unpinned.size() == 1) return out + " (no region pinned; the cloud's only region)";
  return out + " (no region pinned: every region of the catalog; resources.region pins one)";
}

bool ShapeFits(const Resources& r, const Offer& shape) {
  if (r.any_of.empty()) return ShapeMisfit(r, shape).empty();
  for (const Resources& x : r.any_of) {
    if (ShapeMisfit(x, shape).empty()) return true;
  }
  return false;
}

std::vector<std::string> NamedTypes(const Resources& r) {
  std::vector<std::string> out;
  if (!r.instance_type.empty()) out.push_back(r.instance_type);
  for (const Resources& x : r.any_of) {
    if (!x.instance_type.empty() && !Contains(out, x.instance_type)) out.push_back(x.instance_type);
  }
  return out;
}

Resources WithMarket(Resources r, bool spot) {
  r.use_spot = spot;
  for (Resources& x : r.any_of) x.use_spot = spot;
  return r;
}

std::vector<Candidate> RankCandidates(const Resources& r, const std::string& region,
                                      const std::vector<Offer>& offers, std::string* why_none) {
  return RankCandidates(r, std::vector<std::string>{region}, offers, why_none);
}

std::vector<Candidate> RankCandidates(const Resources& r, const std::vector<std::string>& unpinned,
                                      const std::vector<Offer>& offers, std::string* why_none) {
  if (!r.any_of.empty()) return RankAlternatives(r, unpinned, offers, why_none);
  const std::vector<std::string> regions = AllowedRegions(r, unpinned);
  std::vector<Candidate> out;
  std::map<std::string, int> misfits;
  for (const Offer& o : offers) {
    std::string why = Misfit(r, regions, o);
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
  std::sort(out.begin(), out.end(), Cheaper{regions});
  if (out.empty() && why_none) {
    std::ostringstream m;
    m << "no offer in " << JoinRegions(regions) << " fits the job's resources";
    misfits.erase("region");
    // Offers of the type the job names fail on something else: that is the news.
    if (misfits.size() > 1) misfits.erase("instance_type");
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
