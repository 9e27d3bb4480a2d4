#include "cloud/local/market.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "util/fs.h"

namespace spotrun {
namespace {

using nlohmann::json;

struct Trace {
  double gap = 0;
  std::vector<bool> available;
};

Result<Trace> LoadTrace(const std::string& path, const std::string& encoding) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  auto j = json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.contains("data")) return InvalidArgument(path + ": not a trace file");
  Trace t;
  t.gap = j["metadata"].value("gap_seconds", 0.0);
  if (t.gap <= 0) return InvalidArgument(path + ": metadata.gap_seconds missing");
  for (const auto& v : j["data"]) {
    int x = v.get<int>();
    t.available.push_back(encoding == "preemption" ? x == 1 : x == 0);
  }
  if (t.available.empty()) return InvalidArgument(path + ": no data");
  return t;
}

}  // namespace

Status SaveMarketPlan(const std::string& path, const MarketPlan& p) {
  json j = {{"preempt_at", p.preempt_at},
            {"rate_per_hour", p.rate_per_hour},
            {"seed", p.seed},
            {"trace_path", p.trace_path},
            {"trace_encoding", p.trace_encoding},
            {"trace_speed", p.trace_speed},
            {"started_at", p.started_at},
            {"launched", p.launched}};
  return WriteFileAtomic(path, j.dump(2));
}

Result<MarketPlan> LoadMarketPlan(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  auto j = json::parse(*text, nullptr, false);
  if (j.is_discarded()) return Internal("corrupt market plan " + path);
  MarketPlan p;
  p.preempt_at = j.value("preempt_at", std::vector<double>{});
  p.rate_per_hour = j.value("rate_per_hour", 0.0);
  p.seed = j.value("seed", 1u);
  p.trace_path = j.value("trace_path", "");
  p.trace_encoding = j.value("trace_encoding", "availability");
  p.trace_speed = j.value("trace_speed", 3600.0);
  p.started_at = j.value("started_at", 0.0);
  p.launched = j.value("launched", 0);
  return p;
}

Result<std::optional<PreemptSchedule>> NextSpotLaunch(MarketPlan* plan, double now) {
  std::optional<PreemptSchedule> s;
  const int i = plan->launched;
  if (!plan->trace_path.empty()) {
    auto trace = LoadTrace(plan->trace_path, plan->trace_encoding);
    if (!trace.ok()) return trace.status();
    const double t = std::max(0.0, now - plan->started_at) * plan->trace_speed;
    const size_t n = trace->available.size();
    size_t tick = static_cast<size_t>(t / trace->gap) % n;
    if (!trace->available[tick]) {
      return CapacityError("InsufficientInstanceCapacity: the trace has no spot capacity now");
    }
    size_t k = 1;
    while (k < n && trace->available[(tick + k) % n]) ++k;
    if (k < n) {
      double trace_seconds = (std::floor(t / trace->gap) + k) * trace->gap - t;
      // The trace is the whole market's: within the notice of its next
      // reclaim, what is being taken back is not offered, in any pool.
      if (trace_seconds / plan->trace_speed < kLocalNoticeSeconds) {
        return CapacityError(
            "InsufficientInstanceCapacity: the trace's spot capacity is being reclaimed");
      }
      s = PreemptSchedule{false, trace_seconds / plan->trace_speed};
    }
  }
  if (i < static_cast<int>(plan->preempt_at.size())) {
    s = PreemptSchedule{true, plan->preempt_at[i]};
  } else if (plan->rate_per_hour > 0) {
    std::mt19937 rng(plan->seed + static_cast<unsigned>(i));
    std::exponential_distribution<double> gap(plan->rate_per_hour / 3600.0);
    double at = gap(rng);
    if (!s || at < s->seconds) s = PreemptSchedule{false, at};
  }
  plan->launched = i + 1;
  return s;
}

Status SaveSchedule(const std::string& path, const PreemptSchedule& s) {
  json j = {{"after_run_start", s.after_run_start}, {"seconds", s.seconds}};
  return WriteFileAtomic(path, j.dump());
}

Result<PreemptSchedule> LoadSchedule(const std::string& path) {
  auto text = ReadFile(path);
  if (!text.ok()) return text.status();
  auto j = json::parse(*text, nullptr, false);
  if (j.is_discarded()) return Internal("corrupt schedule " + path);
  return PreemptSchedule{j.value("after_run_start", false), j.value("seconds", 0.0)};
}

}  // namespace spotrun
