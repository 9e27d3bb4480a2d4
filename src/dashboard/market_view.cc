#include "dashboard/market_view.h"

#include <algorithm>

#include "util/embedded.h"

namespace spotrun {
namespace {

using nlohmann::json;

std::string Stem(const std::string& name) {
  const size_t slash = name.rfind('/');
  return name.substr(slash == std::string::npos ? 0 : slash + 1);
}

bool StartsWith(const std::string& s, const std::string& prefix) {
  return !prefix.empty() && s.compare(0, prefix.size(), prefix) == 0;
}

// The prices of `type` in every zone of `region`.
json ZonePrices(const std::vector<Offer>& offers, const std::string& type,
                const std::string& region) {
  json zones = json::array();
  for (const Offer& o : offers) {
    if (o.instance_type != type || o.region != region) continue;
    zones.push_back({{"zone", o.zone},
                     {"spot_price", o.has_spot() ? json(o.spot_price) : json(nullptr)},
                     {"on_demand_price", o.on_demand_price}});
  }
  return zones;
}

// The billed price of each attempt, in time.
json PaidPrices(const std::vector<AttemptRecord>& attempts) {
  json paid = json::array();
  for (const auto& a : attempts) {
    if (a.started_at <= 0) continue;
    paid.push_back({{"attempt", a.number},
                    {"market", a.market},
                    {"zone", a.zone},
                    {"started_at", a.started_at},
                    {"ended_at", a.ended_at},
                    {"price_per_hour", a.price_per_hour},
                    {"on_demand_price_per_hour", a.on_demand_price_per_hour}});
  }
  return paid;
}

json TraceJson(const TraceChoice& choice) {
  json j = {{"match", TraceMatchName(choice.match)}, {"name", Stem(choice.name)}};
  if (choice.match == TraceMatch::kNone) return j;
  auto text = EmbeddedFile(choice.name);
  auto trace = text ? ParseTrace(*text, TraceEncoding{}, Stem(choice.name))
                    : Result<Trace>(NotFound(choice.name));
  if (!trace.ok()) return j;
  j["gap_seconds"] = trace->gap_s;
  j["hours"] = trace->ticks() * trace->gap_s / 3600.0;
  j["available_fraction"] = trace->AvailableFraction();
  j["points"] = AvailabilityPoints(*trace, 300);
  return j;
}

}  // namespace

const char* TraceMatchName(TraceMatch m) {
  switch (m) {
    case TraceMatch::kZone:
      return "zone";
    case TraceMatch::kRegion:
      return "region";
    case TraceMatch::kNone:
      return "none";
  }
  return "?";
}

TraceChoice ChooseTrace(const std::vector<std::string>& names, const std::string& zone,
                        const std::string& region) {
  for (const auto& n : names) {
    if (StartsWith(Stem(n), zone + "_")) return {TraceMatch::kZone, n};
  }
  for (const auto& n : names) {
    if (StartsWith(Stem(n), region)) return {TraceMatch::kRegion, n};
  }
  return {};
}

json AvailabilityPoints(const Trace& trace, int buckets) {
  json points = json::array();
  const int64_t ticks = trace.ticks();
  if (ticks == 0 || buckets < 1) return points;
  const int64_t per = std::max<int64_t>(1, (ticks + buckets - 1) / buckets);
  for (int64_t first = 0; first < ticks; first += per) {
    const int64_t last = std::min(ticks, first + per);
    int64_t up = 0;
    for (int64_t t = first; t < last; ++t) up += trace.Available(t) ? 1 : 0;
    points.push_back({{"hours", first * trace.gap_s / 3600.0},
                      {"available", static_cast<double>(up) / (last - first)}});
  }
  return points;
}

json MarketJson(const std::vector<AttemptRecord>& attempts, const std::vector<Offer>& offers,
                const std::string& price_source) {
  const AttemptRecord* latest = nullptr;
  for (const auto& a : attempts) {
    if (a.started_at > 0) latest = &a;
  }
  if (!latest) return json::object();
  const TraceChoice choice =
      ChooseTrace(EmbeddedFilesUnder("traces/availability/"), latest->zone, latest->region);
  return {{"instance_type", latest->instance_type},
          {"zone", latest->zone},
          {"region", latest->region},
          {"catalog", ZonePrices(offers, latest->instance_type, latest->region)},
          {"price_source", price_source},
          {"paid", PaidPrices(attempts)},
          {"trace", TraceJson(choice)}};
}

}  // namespace spotrun
