// JobDriver, notebook sessions: when their Jupyter was last active, and the
// idle stop (docs/notebooks.md).
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "jobs/job_driver.h"
#include "jobs/ssh_sessions.h"

namespace spotrun {

// The stored activity time moves in steps of this much at least (an event each).
inline constexpr double kNotebookEventStepS = 30;

void JobDriver::NoteNotebook(const AgentStatus& status) {
  if (!spec_.notebook.enabled || !status.notebook_idle_s) return;
  const double now = ctx_.clock->Now();
  double active = now - *status.notebook_idle_s;
  if (status.notebook_busy || SshSessionOpen(ctx_.options.jobs_dir, job_.id)) active = now;
  // Jupyter starts idle: its attempt's first poll counts as activity.
  if (notebook_attempt_ != attempt_.number) active = now;
  notebook_attempt_ = attempt_.number;
  if (active <= notebook_active_at_) return;
  notebook_active_at_ = active;
  if (active - notebook_stored_active_at_ < kNotebookEventStepS) return;
  notebook_stored_active_at_ = active;
  (void)ctx_.store->AddEvent(job_.id, now, "NOTEBOOK",
                             nlohmann::json({{"active_at", active}}).dump());
}

std::optional<std::string> JobDriver::NotebookIdleStop() const {
  if (!spec_.notebook.enabled || notebook_attempt_ != attempt_.number || attempt_.number == 0) {
    return std::nullopt;
  }
  if (ctx_.clock->Now() - notebook_active_at_ < spec_.notebook.idle_s) return std::nullopt;
  const double minutes = spec_.notebook.idle_s / 60;
  char text[64];
  snprintf(text, sizeof text, "%g", std::round(minutes * 100) / 100);
  return "idle for " + std::string(text) +
         " min (idle_minutes): no kernel busy, no activity, "
         "no open `spotrun ssh`";
}

void JobDriver::KeepNotebookFilesInResults() {
  if (!spec_.notebook.enabled || collected_ || checkpoints_.Current().generation == 0) return;
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(job_.results_dir, ec);
  fs::copy(checkpoints_.CurrentDir() + "/files", job_.results_dir,
           fs::copy_options::recursive | fs::copy_options::skip_existing, ec);
  if (ec) {
    ctx_.reporter->Note("could not copy the notebook's saved files into " + job_.results_dir +
                        ": " + ec.message());
  } else {
    ctx_.reporter->Note("the notebook's files, as saved in checkpoint snapshot " +
                        std::to_string(checkpoints_.Current().generation) + ", are in " +
                        job_.results_dir);
  }
}

}  // namespace spotrun
