// What the controller says to the agent (config.json, the commands that start,
// poll and stop it) and how it reads the agent's answers. The agent's side is
// src/agent/spotrun_agent.py.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agent/layout.h"
#include "spec/job_spec.h"
#include "util/status.h"

namespace spotrun {

// What differs between attempts of one job.
struct AttemptConfig {
  int attempt = 1;
  double stop_at = 0;            // Epoch seconds when the budget runs out; 0 = never.
  std::string stop_at_reason;    // "budget.max_duration reached" / "budget.max_cost reached"
  std::string shutdown_command;  // How the instance terminates itself.
  int snapshot_base = 0;         // Generation of the checkpoint restored; snapshots count on.
  // Where the attempt runs, for the SKYPILOT_* variables (docs/skypilot.md).
  std::string cloud, region, zone;
  std::string node_ip = "127.0.0.1";  // The instance's address.
  int gpus = 0;                       // Accelerators on the instance.
};

// The SKYPILOT_* variables (and their older names) setup and run see: one
// node, rank 0, a task id that stays the same across preemptions.
std::map<std::string, std::string> SkyPilotEnv(const std::string& job_name,
                                               const std::string& job_id,
                                               const AttemptConfig& attempt);

// The agent's config.json for one attempt of a job.
std::string AgentConfigJson(const JobSpec& spec, const RemoteLayout& layout,
                            const std::string& job_id, const AttemptConfig& attempt);

// Shell commands run on the instance (from the home directory).
std::string AgentStartCommand(const RemoteLayout& layout);
std::string AgentPollCommand(const RemoteLayout& layout, long long log_offset);
// The agent answering polls over one long-lived session (Host::OpenSession),
// and the request line for one poll.
std::string AgentServeCommand(const RemoteLayout& layout);
std::string AgentPollRequest(long long log_offset);
std::string AgentStopCommand(const RemoteLayout& layout);
// Notebooks: records what the workdir holds before the checkpoint is
// restored into it (size and time of each file), so that snapshots and
// outputs hold only the new and changed files.
std::string AgentBaselineCommand(const RemoteLayout& layout);

// The line the agent writes to the job log when `run` starts.
inline constexpr std::string_view kAgentRunMarker = "[spotrun] run: starting\n";

// One GPU the agent saw on the instance (nvidia-smi, within CUDA_VISIBLE_DEVICES).
struct InstanceGpu {
  int index = 0;
  std::string name;  // "NVIDIA H200"
  double memory_mib = 0;
  std::string driver;  // "580.159.04"
};

// What one attempt's instance showed of GPUs when the agent started: kept as
// the detail of a GPUS event (JSON), shown by `spotrun status`.
struct GpuReport {
  int attempt = 0;
  std::vector<InstanceGpu> gpus;
  std::string missing_reason;  // Why there are none.
};
std::string GpuReportToJson(const GpuReport& report);
// nullopt when `text` is not such a JSON object.
std::optional<GpuReport> GpuReportFromJson(const std::string& text);
// "2 x NVIDIA H200 (143771 MiB), driver 580.159.04"; "none (no nvidia-smi on this instance)".
std::string DescribeGpus(const GpuReport& report);

// The agent's status.json, as `poll` prints it on its first line.
struct AgentStatus {
  std::string phase;  // "starting", "inputs", "setup", "run", "collecting", "done"
  int exit_code = -1;
  std::string message;
  std::string notice;  // Spot interruption notice, if one arrived.
  std::vector<std::string> missing_outputs;
  std::string staging_error;  // Why the outputs could not be staged ("" = they were).
  int final_snapshot = 0;     // Generation of the snapshot taken on a notice.
  bool supervisor_alive = false;
  double run_started_at = 0;  // When `run` started, the instance's epoch seconds; 0 = not yet.
  // The fraction of the job done, as the job reports it ($SPOTRUN_PROGRESS_FILE).
  std::optional<double> progress;
  // The instance's GPUs, once the agent has looked (none: an empty list).
  std::optional<std::vector<InstanceGpu>> gpus;
  std::string gpus_missing_reason;  // Why there are none ("no nvidia-smi on this instance").
  // A notebook's Jupyter, once it answers: seconds since its last activity
  // (the API, a kernel), and whether a kernel is busy.
  std::optional<double> notebook_idle_s;
  bool notebook_busy = false;
};
std::string AgentSnapshotCommand(const RemoteLayout& layout);

struct PollResult {
  AgentStatus status;
  std::string log;  // Log bytes from the requested offset.
};

// The time (epoch seconds) in an EC2 spot/instance-action notice:
// {"action": "terminate", "time": "2026-11-26T06:27:58Z"}.
std::optional<double> NoticeActionTime(const std::string& notice_json);

// Parses the output of AgentPollCommand.
Result<PollResult> ParsePollOutput(const std::string& output);

}  // namespace spotrun
