// `spotrun ssh`: a shell, or one command, on a job's running instance, in the
// job's workdir there.
#include <algorithm>
#include <cstdio>

#include "agent/layout.h"
#include "cli/commands.h"
#include "remote/host.h"
#include "util/subprocess.h"

namespace spotrun {
namespace {

int Fail(const std::string& message, int code) {
  fprintf(stderr, "spotrun: %s\n", message.c_str());
  return code;
}

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

int CmdSsh(CliContext& ctx, const Args& args) {
  if (args.empty() || args[0].empty() || args[0][0] == '-') {
    return Fail("ssh needs a job first: spotrun ssh JOB [OPENSSH OPTIONS] [-- COMMAND]", 2);
  }
  auto dashes = std::find(args.begin(), args.end(), "--");
  const Args ssh_options(args.begin() + 1, dashes);
  const Args command(dashes == args.end() ? args.end() : dashes + 1, args.end());
  auto job = ctx.store->GetJob(args[0]);
  if (!job.ok()) return JobLookupFailed(job.status());
  auto instance_id = OpenInstance(ctx, *job);
  if (!instance_id.ok()) return Fail(instance_id.status().message(), 1);
  auto cloud = ctx.MakeCloudForJob(*job);
  if (!cloud.ok()) return Fail(cloud.status().message(), 1);
  auto instance = (*cloud)->Describe(*instance_id);
  if (!instance.ok()) return Fail(instance.status().message(), 1);
  if (instance->state != InstanceState::kRunning) {
    return Fail("instance " + instance->id + " is " + InstanceStateName(instance->state), 1);
  }
  auto host = (*cloud)->HostFor(*instance);
  if (!host.ok()) return Fail(host.status().message(), 1);
  auto attach = (*host)->AttachCommand(RemoteLayout::ForJob(job->id).workdir, command, ssh_options);
  if (!attach.ok()) {
    return Fail(attach.status().message(),
                attach.status().code() == Code::kInvalidArgument ? 2 : 1);
  }
  ctx.store.reset();  // Nothing of ours stays open in the shell.
  fflush(stdout);
  return ExecReplace(*attach);
}

}  // namespace spotrun
