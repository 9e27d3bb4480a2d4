#include "cli/job_host.h"

namespace spotrun {
namespace {

// The instance of the job's newest open attempt, or why there is none.
Result<std::string> OpenInstance(CliContext& ctx, const JobRecord& job) {
  if (IsTerminal(job.state)) {
    return NotFound("job " + job.id + " is " + JobStateName(job.state) +
                    "; its instance is terminated");
  }
  auto attempts = ctx.store->Attempts(job.id);
  if (!attempts.ok()) return attempts.status();
  std::string id;
  for (const AttemptRecord& a : *attempts) {
    if (!a.instance_id.empty() && a.ended_at == 0) id = a.instance_id;
  }
  if (id.empty()) {
    return NotFound("job " + job.id + " has no instance yet (" + JobStateName(job.state) + ")");
  }
  return id;
}

}  // namespace

Result<RunningHost> RunningHostOf(CliContext& ctx, const JobRecord& job) {
  auto instance_id = OpenInstance(ctx, job);
  if (!instance_id.ok()) return instance_id.status();
  RunningHost out;
  auto cloud = ctx.MakeCloudForJob(job);
  if (!cloud.ok()) return cloud.status();
  out.cloud = std::move(cloud).value();
  auto instance = out.cloud->Describe(*instance_id);
  if (!instance.ok()) return instance.status();
  if (instance->state != InstanceState::kRunning) {
    return Unavailable("instance " + instance->id + " is " + InstanceStateName(instance->state));
  }
  out.instance = *instance;
  auto host = out.cloud->HostFor(out.instance);
  if (!host.ok()) return host.status();
  out.host = std::move(host).value();
  return out;
}

}  // namespace spotrun
