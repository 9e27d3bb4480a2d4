// Placement: which instance type, zone and market to ask for, ranked by
// expected hourly price. Pure code over values.
#pragma once

#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "cloud/cloud.h"
#include "spec/job_spec.h"

namespace spotrun {

struct Candidate {
  Offer offer;
  Market market = Market::kSpot;
  double price = 0;      // USD/h in this market.
  double max_price = 0;  // The bid: spec max_price, else the on-demand price.
  // Which of resources.any_of this offer satisfies; -1 = the resources themselves.
  int alternative = -1;
};

// The resource set a candidate was ranked for.
const Resources& ResourcesOf(const Resources& resources, const Candidate& c);

// Regions whose offers RankCandidates needs: each alternative's region, or
// every region of `unpinned` (the cloud's, Cloud::Regions) for one that pins
// none, in first-seen order.
std::vector<std::string> RegionsOf(const Resources& resources,
                                   const std::vector<std::string>& unpinned);
std::vector<std::string> RegionsOf(const Resources& resources, const std::string& default_region);

// Where a job that pins no region may go: `cloud_regions` (Cloud::Regions,
// the default first), or the default alone when the job names an image id
// ("ami-..."), which exists in one region only.
std::vector<std::string> UnpinnedRegions(const Resources& resources,
                                         const std::vector<std::string>& cloud_regions);

// One line naming the regions placement looks at for `resources` and why:
// "regions considered: us-east-1, us-east-2 (no region pinned; ...)" or
// "region considered: us-east-2 (pinned by resources.region)". `cloud_regions`
// as for UnpinnedRegions.
std::string DescribeRegions(const Resources& resources,
                            const std::vector<std::string>& cloud_regions);

// The instance types `resources` and its alternatives name, first-seen order.
std::vector<std::string> NamedTypes(const Resources& resources);

// Whether a machine of `shape` (an offer's type, vCPUs, memory and
// accelerators; its prices and place not looked at) fits `resources` or one
// of its alternatives.
bool ShapeFits(const Resources& resources, const Offer& shape);

// `resources` and every alternative of it with use_spot set to `spot`.
Resources WithMarket(Resources resources, bool spot);

// Offers that satisfy `resources` in its region (resources.region) or, when
// it pins none, in any region of `unpinned`, cheapest first; ties broken by
// the region's place in `unpinned` (the cloud's default region first), then
// type, then zone, so the order is stable. An offer whose price is unknown
// (< 0) in the market asked for never fits. Empty when nothing fits;
// `why_none` then says which constraint excluded the most. With alternatives
// (resources.any_of), the offers of every alternative, cheapest first, or
// alternative by alternative when resources.ordered. `offers` holds the
// offers of every region in RegionsOf.
std::vector<Candidate> RankCandidates(const Resources& resources,
                                      const std::vector<std::string>& unpinned,
                                      const std::vector<Offer>& offers, std::string* why_none);
// The same with one unpinned region.
std::vector<Candidate> RankCandidates(const Resources& resources, const std::string& region,
                                      const std::vector<Offer>& offers, std::string* why_none);

}  // namespace spotrun
