// The spot market of a job's zone as the dashboard shows it, and where each
// figure comes from: the bundled catalog snapshot's prices for the type in
// each zone of the region (live ones on AWS), the prices the job's attempts
// were billed, and a
// bundled availability trace (data/traces/) of the zone, or of its region
// when none records the zone itself (trace files are named by zone name,
// attempts by AZ id), said so in `trace.match`.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "catalog/catalog.h"
#include "sim/trace.h"
#include "store/store.h"

namespace spotrun {

// How a bundled trace was picked for a zone.
enum class TraceMatch { kZone, kRegion, kNone };
const char* TraceMatchName(TraceMatch m);  // "zone", "region", "none"

struct TraceChoice {
  TraceMatch match = TraceMatch::kNone;
  std::string name;  // Embedded file name; "" for kNone.
};

// The bundled trace (one of `names`, "traces/availability/<zone>_..." ) for
// `zone` in `region`: its own, else the first of its region, else none.
TraceChoice ChooseTrace(const std::vector<std::string>& names, const std::string& zone,
                        const std::string& region);

// `trace` reduced to at most `buckets` points: {hours from its start,
// fraction of the bucket's ticks where spot was available}.
nlohmann::json AvailabilityPoints(const Trace& trace, int buckets);

// The market view of the latest attempt's type and zone (empty when no
// attempt has started), with the prices of `offers` (the bundled catalog's,
// or live ones), whose origin `price_source` names ("price_source").
nlohmann::json MarketJson(const std::vector<AttemptRecord>& attempts,
                          const std::vector<Offer>& offers, const std::string& price_source);

}  // namespace spotrun
