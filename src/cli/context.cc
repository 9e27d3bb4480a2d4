#include "cli/context.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "cloud/aws/aws_config.h"
#include "cloud/local/local_cloud.h"
#include "util/fs.h"
#include "util/subprocess.h"

namespace spotrun {

Result<std::unique_ptr<Cloud>> CliContext::MakeCloud(const std::string& name,
                                                     const CloudParams& params) {
  if (name == "local") {
    LocalCloudOptions o;
    o.root = home + "/local";
    o.spotrun_bin = self_exe;
    o.capacity = MachineCapacity::Probe();
    o.ssh = env["SPOTRUN_LOCAL_SSH"] == "1";
    auto ssh = SshSettings();
    if (!ssh.ok()) return ssh.status();
    o.ssh_settings = *ssh;
    std::unique_ptr<Cloud> cloud = std::make_unique<LocalCloud>(std::move(o), &clock);
    return cloud;
  }
  if (name == "aws") return MakeAwsCloud(*this, params);
  return InvalidArgument("unknown cloud '" + name + "' (expected local or aws)");
}

int JobLookupFailed(const Status& status) {
  fprintf(stderr, "spotrun: %s\n", status.message().c_str());
  return status.code() == Code::kNotFound ? 2 : 1;
}

Result<std::unique_ptr<CliContext>> OpenContext() {
  auto ctx = std::make_unique<CliContext>();
  if (const char* h = getenv("SPOTRUN_HOME"); h && *h) {
    ctx->home = h;
  } else {
    const char* user_home = getenv("HOME");
    if (!user_home) return InvalidArgument("neither SPOTRUN_HOME nor HOME is set");
    ctx->home = std::string(user_home) + "/.spotrun";
  }
  ctx->home = std::filesystem::absolute(ctx->home).lexically_normal().string();
  SPOTRUN_RETURN_IF_ERROR(MakeDirs(ctx->jobs_dir()));
  std::error_code ec;
  ctx->self_exe = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  ctx->env = aws::ProcessEnvironment();
  ctx->stdout_tty = isatty(STDOUT_FILENO) == 1;
  auto store = Store::Open(ctx->home + "/state.db");
  if (!store.ok()) return store.status();
  ctx->store = std::move(store).value();
  return ctx;
}

bool ControllerAlive(const JobRecord& job) {
  if (job.controller_pid <= 0) return false;
  if (!ProcessAlive(job.controller_pid)) return false;
  return job.controller_start == 0 || ProcessStartTicks(job.controller_pid) == job.controller_start;
}

Status TerminateJobInstances(CliContext& ctx, const JobRecord& job, const std::string& outcome) {
  auto cloud = ctx.MakeCloudForJob(job);
  if (!cloud.ok()) return cloud.status();
  auto attempts = ctx.store->Attempts(job.id);
  if (!attempts.ok()) return attempts.status();
  for (auto& a : *attempts) {
    if (a.ended_at > 0) continue;
    std::string id = a.instance_id;
    if (id.empty()) {
      // The launch was in flight: find the instance by its tags.
      auto tagged = (*cloud)->ListTagged({{kTagJobId, job.id}});
      if (tagged.ok() && !tagged->empty()) id = tagged->front().id;
    }
    if (!id.empty()) {
      SPOTRUN_RETURN_IF_ERROR((*cloud)->Terminate(id));
      fprintf(stderr, "spotrun: terminated %s (job %s)\n", id.c_str(), job.id.c_str());
      auto d = (*cloud)->Describe(id);
      a.instance_id = id;
      a.ended_at = d.ok() && d->end_time > 0 ? d->end_time : ctx.clock.Now();
    } else {
      a.ended_at = a.started_at > 0 ? ctx.clock.Now() : 0;
    }
    a.outcome = outcome;
    SPOTRUN_RETURN_IF_ERROR(ctx.store->UpsertAttempt(a));
  }
  return Status::Ok();
}

namespace {

void SweepTagged(CliContext& ctx, const std::string& cloud_name) {
  auto cloud = ctx.MakeCloud(cloud_name);
  if (!cloud.ok()) return;
  auto tagged = (*cloud)->ListTagged({{kTagManagedBy, "spotrun"}});
  if (!tagged.ok()) return;
  for (const Instance& inst : *tagged) {
    auto it = inst.tags.find(kTagJobId);
    auto job = ctx.store->GetJob(it == inst.tags.end() ? "" : it->second);
    if (job.ok() && !IsTerminal(job->state)) continue;
    if ((*cloud)->Terminate(inst.id).ok()) {
      fprintf(stderr, "spotrun: terminated leftover instance %s\n", inst.id.c_str());
    }
  }
}

}  // namespace

Status AdoptJob(CliContext& ctx, const JobRecord& job) {
  auto claimed = ctx.store->ClaimController(job.id, job.controller_pid, job.controller_start,
                                            getpid(), ProcessStartTicks(getpid()));
  if (!claimed.ok()) return claimed.status();
  if (!*claimed) return Status::Ok();  // Another spotrun process adopted it.
  ProcessOptions p;
  p.argv = {ctx.self_exe, "_drive", job.id};
  p.env["SPOTRUN_HOME"] = ctx.home;
  p.output_path = ctx.jobs_dir() + "/" + job.id + ".controller.log";
  auto pid = StartDetached(p);
  if (!pid.ok()) return pid.status();
  auto took = ctx.store->ClaimController(job.id, getpid(), ProcessStartTicks(getpid()), *pid,
                                         ProcessStartTicks(*pid));
  if (!took.ok()) return took.status();
  fprintf(stderr, "spotrun: job %s (%s) lost its controller; a new one (pid %d) picked it up\n",
          job.id.c_str(), job.name.c_str(), *pid);
  return Status::Ok();
}

void SweepOrphans(CliContext& ctx, bool thorough) {
  auto jobs = ctx.store->ListJobs();
  if (!jobs.ok()) return;
  for (const JobRecord& job : *jobs) {
    if (IsTerminal(job.state) || ControllerAlive(job)) continue;
    if (Status s = AdoptJob(ctx, job); !s.ok()) {
      fprintf(stderr, "spotrun: job %s: %s\n", job.id.c_str(), s.ToString().c_str());
    }
  }
  SweepTagged(ctx, "local");
  SweepAwsOrphans(ctx, thorough);
}

}  // namespace spotrun
