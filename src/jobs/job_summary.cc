#include "jobs/job_summary.h"

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "spec/job_spec.h"

namespace spotrun {

double JobSummary::SavingPercent() const {
  if (on_demand_cost_usd <= 0) return 0;
  return 100.0 * (on_demand_cost_usd - cost_usd) / on_demand_cost_usd;
}

Result<JobSummary> Summarize(Store& store, const JobRecord& job, double now) {
  auto attempts = store.Attempts(job.id);
  if (!attempts.ok()) return attempts.status();
  JobSummary s;
  s.job = job;
  s.attempts = *attempts;
  for (const auto& a : s.attempts) {
    s.cost_usd += a.Cost(now);
    s.on_demand_cost_usd += a.OnDemandCost(now);
    if (a.outcome == "preempted") ++s.preemptions;
    if (!a.instance_type.empty()) {
      s.instance_type = a.instance_type;
      s.zone = a.zone;
      s.market = a.market;
    }
  }
  if (auto spec = ParseJobSpec(job.spec_text, job.spec_path,
                               StoredSpecOptions(job.kind == JobKind::kNotebook));
      spec.ok() && spec->deadline_s) {
    s.deadline_at = job.created_at + *spec->deadline_s;
  }
  auto events = store.Events(job.id);
  if (!events.ok()) return events.status();
  for (const auto& e : *events) {
    if (e.kind == "PROGRESS") s.progress = std::atof(e.detail.c_str());
    if (e.kind == "GPUS") s.gpus = GpuReportFromJson(e.detail);
    if (e.kind == "NOTEBOOK" || e.kind == "NOTEBOOK_URL") {
      auto j = nlohmann::json::parse(e.detail, nullptr, false);
      if (j.is_object() && j.contains("port") && j["port"].is_number_integer()) {
        s.notebook_port = j["port"].get<int>();
      }
      if (j.is_object() && j.contains("active_at") && j["active_at"].is_number()) {
        s.notebook_active_at = j["active_at"].get<double>();
      }
    }
  }
  return s;
}

std::string NewJobId() {
  std::random_device rd;
  std::ostringstream ss;
  ss << std::hex;
  ss.width(8);
  ss.fill('0');
  ss << (rd() & 0xffffffffu);
  return ss.str();
}

}  // namespace spotrun
