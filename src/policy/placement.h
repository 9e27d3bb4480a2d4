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
};

// Offers that satisfy `resources` in `region` (spec region if set), cheapest
// first; ties broken by type then zone so the order is stable. Empty when
// nothing fits; `why_none` then says which constraint excluded the most.
std::vector<Candidate> RankCandidates(const Resources& resources, const std::string& region,
                                      const std::vector<Offer>& offers, std::string* why_none);

}  // namespace spotrun
