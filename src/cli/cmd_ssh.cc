// `spotrun ssh`: a shell, or one command, on a job's running instance, in the
// job's workdir there.
#include <algorithm>
#include <cstdio>

#include "agent/layout.h"
#include "cli/commands.h"
#include "cli/job_host.h"
#include "jobs/ssh_sessions.h"
#include "remote/host.h"
#include "util/subprocess.h"

namespace spotrun {
namespace {

int Fail(const std::string& message, int code) {
  fprintf(stderr, "spotrun: %s\n", message.c_str());
  return code;
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
  auto running = RunningHostOf(ctx, *job);
  if (!running.ok()) return Fail(running.status().message(), 1);
  auto attach =
      running->host->AttachCommand(RemoteLayout::ForJob(job->id).workdir, command, ssh_options);
  if (!attach.ok()) {
    return Fail(attach.status().message(),
                attach.status().code() == Code::kInvalidArgument ? 2 : 1);
  }
  ctx.store.reset();  // Nothing of ours stays open in the shell.
  fflush(stdout);
  // A notebook is not idle while one of its sessions is open: this process
  // holds the session's lock until ssh ends.
  if (job->kind == JobKind::kNotebook) {
    auto held = HoldSshSession(ctx.jobs_dir(), job->id);
    if (!held.ok()) fprintf(stderr, "spotrun: note: %s\n", held.status().message().c_str());
    return RunAttached(*attach);
  }
  return ExecReplace(*attach);
}

}  // namespace spotrun
