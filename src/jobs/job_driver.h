// JobDriver: the state of one job while DriveJob runs it. Internal to jobs/.
#pragma once

#include <memory>
#include <string>

#include "agent/layout.h"
#include "jobs/agent_protocol.h"
#include "jobs/controller.h"
#include "policy/placement.h"
#include "remote/host.h"
#include "spec/job_spec.h"

namespace spotrun {

class JobDriver {
 public:
  JobDriver(const ControllerContext& ctx, JobRecord record, JobSpec spec);
  Result<JobState> Run();

 private:
  Status Transition(JobState next, const std::string& detail);
  Status Provision();
  Status LaunchCandidate(const Candidate& c);
  Status WaitRunning();
  Status SetUp();
  // Polls the agent until it reports "done"; sends the stop when Stopping().
  Result<AgentStatus> Watch();
  Result<AgentStatus> PollOnce();
  // True once a cancel, Ctrl-C or a budget limit asks the job to stop.
  bool Stopping();
  // Brings back outputs and logs into the results directory (atomically).
  Status Collect();
  // Stages and collects what an instance still has after a failure.
  void SalvageLogs();
  // Terminates the instance (retrying) and closes the attempt's billing.
  Status TerminateInstance(const std::string& outcome);
  Result<JobState> Finish(JobState state, const std::string& message, int exit_code);

  const ControllerContext& ctx_;
  JobRecord job_;
  JobSpec spec_;
  RemoteLayout layout_;
  AttemptRecord attempt_;
  Instance instance_;
  std::unique_ptr<Host> host_;
  long long log_offset_ = 0;
  double phase_started_ = 0;
  std::string stop_reason_;
  JobState stop_state_ = JobState::kCancelled;
};

}  // namespace spotrun
