// What `launch`, `status` and `status --json` say about a job: its record plus
// figures derived from its attempts.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "jobs/agent_protocol.h"
#include "store/store.h"

namespace spotrun {

struct JobSummary {
  JobRecord job;
  std::vector<AttemptRecord> attempts;
  double cost_usd = 0;            // Billed so far, all attempts.
  double on_demand_cost_usd = 0;  // The same hours at on-demand prices.
  int preemptions = 0;
  std::string instance_type;  // Of the latest attempt.
  std::string zone;
  std::string market;
  // The fraction done, as the job last reported it ($SPOTRUN_PROGRESS_FILE).
  std::optional<double> progress;
  // The GPUs the latest attempt's instance showed, once its agent has looked.
  std::optional<GpuReport> gpus;
  // When the job must be done (launch + its `deadline`), epoch seconds.
  std::optional<double> deadline_at;
  // Notebooks: the local port of the URL `spotrun notebook` printed last, and
  // when the session was last active (kernel, API, `spotrun ssh`).
  std::optional<int> notebook_port;
  std::optional<double> notebook_active_at;

  // Saving against on-demand in percent (0 when nothing was billed).
  double SavingPercent() const;
};

Result<JobSummary> Summarize(Store& store, const JobRecord& job, double now);

// A new job id: 8 lowercase hex digits, safe in paths, tags and DNS names.
std::string NewJobId();

}  // namespace spotrun
