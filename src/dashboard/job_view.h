// What the dashboard shows of a job, as JSON for its pages: the row of the
// jobs table, and a job's timeline, cost over time and progress. Pure: built
// from a JobSummary and the job's events (tests/unit/dashboard_job_view_test.cc).
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "jobs/job_summary.h"
#include "store/store.h"

namespace spotrun {

// One point of the cost chart: what was billed by `at` against the on-demand
// line (the on-demand price of the job's type times the time since its first
// attempt started).
struct CostPoint {
  double at = 0;         // Epoch seconds.
  double cost = 0;       // USD billed by `at`, all attempts.
  double on_demand = 0;  // USD the same time would have cost on demand.
};

// The cost at every attempt's start and end and at `now` (while an attempt
// is open), in time order; empty before the first attempt started.
std::vector<CostPoint> CostSeries(const std::vector<AttemptRecord>& attempts, double now);

// What a bar of the timeline stands for.
enum class BarKind { kSpot, kOnDemand, kPreempted, kWaiting };
const char* BarKindName(BarKind kind);  // "spot", "on-demand", "preempted", "waiting"

struct TimelineBar {
  BarKind kind = BarKind::kWaiting;
  double start = 0;
  double end = 0;
  int attempt = 0;  // 0 for a wait.
};

// The attempts as bars, with the waits before, between and (while the job
// is unfinished and nothing runs) after them.
std::vector<TimelineBar> Timeline(const JobSummary& s, double now);

// The row of the jobs table.
nlohmann::json JobRowJson(const JobSummary& s);

// The row plus attempts, timeline, events (phases), progress reports, cost
// series and deadline.
nlohmann::json JobDetailJson(const JobSummary& s, const std::vector<EventRecord>& events,
                             double now);

}  // namespace spotrun
