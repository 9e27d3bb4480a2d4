#include "dashboard/job_view.h"

#include <algorithm>
#include <cstdlib>

namespace spotrun {
namespace {

using nlohmann::json;

double EndOf(const AttemptRecord& a, double now) { return a.ended_at > 0 ? a.ended_at : now; }

// What the attempts billed up to `t`.
double CostAt(const std::vector<AttemptRecord>& attempts, double t) {
  double cost = 0;
  for (const auto& a : attempts) {
    if (a.started_at <= 0 || t <= a.started_at) continue;
    cost += (std::min(t, EndOf(a, t)) - a.started_at) * a.price_per_hour / 3600.0;
  }
  return cost;
}

BarKind KindOf(const AttemptRecord& a) {
  if (a.outcome == "preempted") return BarKind::kPreempted;
  return a.market == "on-demand" ? BarKind::kOnDemand : BarKind::kSpot;
}

json AttemptJson(const AttemptRecord& a, double now) {
  return {{"number", a.number},
          {"instance_id", a.instance_id},
          {"instance_type", a.instance_type},
          {"zone", a.zone},
          {"market", a.market},
          {"price_per_hour", a.price_per_hour},
          {"on_demand_price_per_hour", a.on_demand_price_per_hour},
          {"started_at", a.started_at},
          {"ended_at", a.ended_at},
          {"outcome", a.outcome.empty() ? "running" : a.outcome},
          {"cost_usd", a.Cost(now)}};
}

json Optional(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

}  // namespace

std::vector<CostPoint> CostSeries(const std::vector<AttemptRecord>& attempts, double now) {
  std::vector<double> times;
  double first = 0, od_price = 0;
  for (const auto& a : attempts) {
    if (a.started_at <= 0) continue;
    if (first == 0 || a.started_at < first) first = a.started_at;
    od_price = a.on_demand_price_per_hour;  // The latest attempt's type.
    times.push_back(a.started_at);
    times.push_back(EndOf(a, now));
  }
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  std::vector<CostPoint> points;
  for (double t : times) points.push_back({t, CostAt(attempts, t), (t - first) * od_price / 3600});
  return points;
}

const char* BarKindName(BarKind kind) {
  switch (kind) {
    case BarKind::kSpot:
      return "spot";
    case BarKind::kOnDemand:
      return "on-demand";
    case BarKind::kPreempted:
      return "preempted";
    case BarKind::kWaiting:
      return "waiting";
  }
  return "?";
}

std::vector<TimelineBar> Timeline(const JobSummary& s, double now) {
  std::vector<AttemptRecord> started;
  for (const auto& a : s.attempts) {
    if (a.started_at > 0) started.push_back(a);
  }
  std::sort(started.begin(), started.end(),
            [](const auto& x, const auto& y) { return x.started_at < y.started_at; });
  std::vector<TimelineBar> bars;
  double free_since = s.job.created_at;
  for (const auto& a : started) {
    if (a.started_at > free_since) bars.push_back({BarKind::kWaiting, free_since, a.started_at, 0});
    bars.push_back({KindOf(a), a.started_at, EndOf(a, now), a.number});
    free_since = std::max(free_since, EndOf(a, now));
  }
  const bool open = !started.empty() && started.back().ended_at <= 0;
  const double end = IsTerminal(s.job.state) ? s.job.updated_at : now;
  if (!open && end > free_since) bars.push_back({BarKind::kWaiting, free_since, end, 0});
  return bars;
}

json JobRowJson(const JobSummary& s) {
  int attempts = 0;
  for (const auto& a : s.attempts) attempts += a.started_at > 0 ? 1 : 0;
  return {{"id", s.job.id},
          {"name", s.job.name},
          {"state", JobStateName(s.job.state)},
          {"finished", IsTerminal(s.job.state)},
          {"cloud", s.job.cloud},
          {"instance_type", s.instance_type},
          {"zone", s.zone},
          {"market", s.market},
          {"progress", Optional(s.progress)},
          {"attempts", attempts},
          {"preemptions", s.preemptions},
          {"cost_usd", s.cost_usd},
          {"on_demand_cost_usd", s.on_demand_cost_usd},
          {"saving_percent", s.SavingPercent()},
          {"created_at", s.job.created_at},
          {"message", s.job.message}};
}

json JobDetailJson(const JobSummary& s, const std::vector<EventRecord>& events, double now) {
  json j = JobRowJson(s);
  json attempts = json::array(), bars = json::array(), phases = json::array(),
       progress = json::array(), cost = json::array();
  for (const auto& a : s.attempts) {
    if (a.started_at > 0) attempts.push_back(AttemptJson(a, now));
  }
  for (const auto& b : Timeline(s, now)) {
    bars.push_back({{"kind", BarKindName(b.kind)},
                    {"start", b.start},
                    {"end", b.end},
                    {"attempt", b.attempt}});
  }
  for (const auto& e : events) {
    if (e.kind == "PROGRESS") {
      progress.push_back({{"at", e.at}, {"fraction", std::atof(e.detail.c_str())}});
    } else if (e.kind != "GPUS") {
      phases.push_back({{"at", e.at}, {"kind", e.kind}, {"detail", e.detail}});
    }
  }
  for (const auto& p : CostSeries(s.attempts, now)) {
    cost.push_back({{"at", p.at}, {"cost", p.cost}, {"on_demand", p.on_demand}});
  }
  j["now"] = now;
  j["updated_at"] = s.job.updated_at;
  j["deadline_at"] = Optional(s.deadline_at);
  j["attempt_history"] = attempts;
  j["timeline"] = bars;
  j["phases"] = phases;
  j["progress_history"] = progress;
  j["cost_series"] = cost;
  return j;
}

}  // namespace spotrun
