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

// Regions whose offers RankCandidates needs: each alternative's region (or
// `default_region`), in first-seen order.
std::vector<std::string> RegionsOf(const Resources& resources, const std::string& default_region);

// `resources` and every alternative of it with use_spot set to `spot`.
Resources WithMarket(Resources resources, bool spot);

// Offers that satisfy `resources` in `region` (spec region if set), cheapest
// first; ties broken by type then zone so the order is stable. Empty when
// nothing fits; `why_none` then says which constraint excluded the most.
// With alternatives (resources.any_of), the offers of every alternative,
// cheapest first, or alternative by alternative when resources.ordered;
// `offers` then holds the offers of every region in RegionsOf.
std::vector<Candidate> RankCandidates(const Resources& resources, const std::string& region,
                                      const std::vector<Offer>& offers, std::string* why_none);

}  // namespace spotrun
