#include "cli/context.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

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
    // The environment of the command that submitted the job (the
    // controller's ctx.env is the job's while it makes the job's cloud).
    o.instance_env = env;
    o.capacity = MachineCapacity::Probe(&env);
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

namespace {

// SPOTRUN_HOME holds job files with their envs, keys and logs: everything
// spotrun creates is private to the user (umask 077, for this process and
// the jobs it starts on the local cloud), and the home is made 0700. A home
// left open by an older spotrun is closed, with everything in it; one that
// belongs to another user (read by them, say) is left as it is.
Status MakeHomePrivate(const std::string& home) {
  umask(077);
  SPOTRUN_RETURN_IF_ERROR(MakeDirs(home));
  struct stat st {};
  if (stat(home.c_str(), &st) != 0 || st.st_uid != getuid()) return Status::Ok();
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::perms open = fs::perms::group_all | fs::perms::others_all;
  if ((fs::status(home, ec).permissions() & open) == fs::perms::none) return Status::Ok();
  fs::permissions(home, open, fs::perm_options::remove, ec);
  if (ec) return Internal("cannot make " + home + " private (chmod 0700): " + ec.message());
  for (auto it = fs::recursive_directory_iterator(home, ec); !ec && it != fs::end(it);
       it.increment(ec)) {
    if (!it->is_symlink()) fs::permissions(it->path(), open, fs::perm_options::remove, ec);
    ec.clear();
  }
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<CliContext>> OpenContext(bool with_store) {
  auto ctx = std::make_unique<CliContext>();
  if (const char* h = getenv("SPOTRUN_HOME"); h && *h) {
    ctx->home = h;
  } else {
    const char* user_home = getenv("HOME");
    if (!user_home) return InvalidArgument("neither SPOTRUN_HOME nor HOME is set");
    ctx->home = std::string(user_home) + "/.spotrun";
  }
  ctx->home = std::filesystem::absolute(ctx->home).lexically_normal().string();
  SPOTRUN_RETURN_IF_ERROR(MakeHomePrivate(ctx->home));
  SPOTRUN_RETURN_IF_ERROR(MakeDirs(ctx->jobs_dir()));
  std::error_code ec;
  ctx->self_exe = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  ctx->env = aws::ProcessEnvironment();
  ctx->stdout_tty = isatty(STDOUT_FILENO) == 1;
  if (!with_store) return ctx;
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

}  // namespace spotrun
