// `spotrun notebook`: a Jupyter session on a spot instance, as a job
// (docs/notebooks.md): placed, launched, uploaded and set up as `launch`
// does, Jupyter in place of `run`, a local port forwarded to it over SSH, an
// idle stop, and the workdir's new and changed files brought back.
#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/controller_service.h"
#include "cli/notebook_forward.h"
#include "cli/spec_flags.h"
#include "cli/submit_job.h"
#include "cloud/local/local_sshd.h"

namespace spotrun {
namespace {

int Fail(const std::string& message, int code) {
  fprintf(stderr, "spotrun: %s\n", message.c_str());
  return code;
}

Result<int> PortFlag(const ParsedArgs& parsed) {
  auto text = parsed.Get("port");
  if (!text) return NotebookLocalPort(0);
  int port = 0;
  try {
    size_t used = 0;
    port = std::stoi(*text, &used);
    if (used != text->size()) port = 0;
  } catch (const std::exception&) {
  }
  if (port < 1 || port > 65535) {
    return InvalidArgument("--port: expected a port number (1-65535), got '" + *text + "'");
  }
  return NotebookLocalPort(port);
}

// On the local cloud the forward goes over SSH too: its instances run sshd.
Status UseSshOnLocalCloud(CliContext& ctx, const std::string& cloud) {
  if (cloud != "local") return Status::Ok();
  auto sshd = FindSshd();
  if (!sshd.ok()) {
    return InvalidArgument(
        "a notebook on the local cloud is reached over SSH, which needs OpenSSH's sshd "
        "(Debian: apt-get install openssh-server)");
  }
  ctx.env["SPOTRUN_LOCAL_SSH"] = "1";
  return Status::Ok();
}

// `--attach JOB`: the forward and the URL for a notebook already running,
// until it ends or Ctrl-C (which leaves it running).
int Attach(CliContext& ctx, const std::string& id, const ParsedArgs& parsed) {
  auto job = ctx.store->GetJob(id);
  if (!job.ok()) return JobLookupFailed(job.status());
  if (job->kind != JobKind::kNotebook) {
    return Fail("job " + job->id + " is not a notebook (spotrun logs " + job->id + ")", 2);
  }
  if (IsTerminal(job->state)) {
    return Fail("notebook " + job->id + " is " + JobStateName(job->state), 1);
  }
  if (Status s = UseSshOnLocalCloud(ctx, job->cloud); !s.ok()) return Fail(s.message(), 2);
  auto port = PortFlag(parsed);
  if (!port.ok()) return Fail(port.status().message(), 2);
  InstallLaunchSignalHandlers();
  NotebookForward forward(ctx, job->id, *port);
  printf("spotrun: attached to notebook %s; Ctrl-C detaches (spotrun cancel %s stops it)\n",
         job->id.c_str(), job->id.c_str());
  fflush(stdout);
  while (!LaunchInterrupted()) {
    forward.Tick();
    auto now = ctx.store->GetJob(job->id);
    if (!now.ok()) return Fail(now.status().ToString(), 1);
    if (IsTerminal(now->state)) {
      printf("spotrun: notebook %s is %s: %s\n", now->id.c_str(), JobStateName(now->state),
             now->message.c_str());
      return now->state == JobState::kSucceeded ? 0 : 1;
    }
    ctx.clock.Sleep(0.2);
  }
  printf("spotrun: detached; notebook %s goes on\n", job->id.c_str());
  return 0;
}

}  // namespace

int CmdNotebook(CliContext& ctx, const Args& args) {
  std::vector<FlagSpec> flags = LaunchFlags();
  flags.push_back({"port", true});
  flags.push_back({"attach", true});
  auto parsed = ParseArgs(args, flags);
  if (!parsed.ok()) return Fail(parsed.status().message(), 2);
  if (auto id = parsed->Get("attach")) {
    if (!parsed->positional.empty()) return Fail("--attach takes a job, not a job file", 2);
    return Attach(ctx, *id, *parsed);
  }
  if (parsed->positional.size() != 1) return Fail("notebook needs one job file (see --help)", 2);
  const std::string file = parsed->positional[0];
  auto spec = LoadJobFileWithFlags(file, *parsed, /*for_convert=*/false, /*notebook=*/true);
  if (!spec.ok()) return Fail(spec.status().message(), 2);
  const std::string cloud = parsed->Get("cloud").value_or(spec->cloud);
  if (Status s = UseSshOnLocalCloud(ctx, cloud); !s.ok()) return Fail(file + ": " + s.message(), 2);
  auto port = PortFlag(*parsed);
  if (!port.ok()) return Fail(port.status().message(), 2);
  JobRecord job;
  if (auto done = SubmitJob(ctx, file, *parsed, &*spec, JobKind::kNotebook, &job)) return *done;
  if (parsed->Has("detach")) {
    if (Status s = EnsureController(ctx); !s.ok()) return Fail(s.ToString(), 1);
    printf("notebook %s (%s) launched in the background on the %s cloud\n", job.id.c_str(),
           job.name.c_str(), job.cloud.c_str());
    printf("open it with: spotrun notebook --attach %s\n", job.id.c_str());
    return 0;
  }
  printf(
      "spotrun: notebook %s (id %s) on the %s cloud; Ctrl-C stops it and brings its files "
      "back\n",
      job.name.c_str(), job.id.c_str(), job.cloud.c_str());
  fflush(stdout);
  InstallLaunchSignalHandlers();
  if (Status s = EnsureController(ctx); !s.ok()) {
    fprintf(stderr, "spotrun: %s\n", s.ToString().c_str());
  }
  NotebookForward forward(ctx, job.id, *port);
  return FollowJob(ctx, job.id, [&] {
    forward.Tick();
    return LaunchInterrupted();
  });
}

}  // namespace spotrun
