// SweepOrphans: a controller for jobs whose controller died, and the end
// of instances whose job the store says is over (or never knew of).
#include "cli/orphan_sweep.h"

#include <unistd.h>

#include <cstdio>

#include "cli/context.h"
#include "cli/controller_service.h"
#include "util/subprocess.h"

namespace spotrun {

SweepVerdict JudgeTaggedInstance(const Result<JobRecord>& job, double launch_time,
                                 double store_created_at) {
  if (job.ok()) return IsTerminal(job->state) ? SweepVerdict::kSweep : SweepVerdict::kKeep;
  if (job.status().code() != Code::kNotFound) return SweepVerdict::kStoreError;
  // A store made after the launch (the old one deleted, say) never saw the job.
  return launch_time > 0 && launch_time >= store_created_at ? SweepVerdict::kSweep
                                                            : SweepVerdict::kOlderThanStore;
}

namespace {

void Terminate(Cloud& cloud, const Instance& inst) {
  if (cloud.Terminate(inst.id).ok()) {
    fprintf(stderr, "spotrun: terminated leftover instance %s\n", inst.id.c_str());
  }
}

// False when the store failed: the caller sweeps nothing more.
bool SweepTagged(CliContext& ctx, const std::string& cloud_name, bool thorough) {
  auto cloud = ctx.MakeCloud(cloud_name);
  if (!cloud.ok()) return true;
  auto tagged = (*cloud)->ListTagged({{kTagManagedBy, "spotrun"}});
  if (!tagged.ok()) return true;
  for (const Instance& inst : *tagged) {
    auto it = inst.tags.find(kTagJobId);
    const std::string job_id = it == inst.tags.end() ? "" : it->second;
    auto job = ctx.store->GetJob(job_id);
    switch (JudgeTaggedInstance(job, inst.launch_time, ctx.store->created_at())) {
      case SweepVerdict::kKeep:
        break;
      case SweepVerdict::kSweep:
        Terminate(**cloud, inst);
        break;
      case SweepVerdict::kOlderThanStore:
        if (thorough) {
          Terminate(**cloud, inst);
        } else {
          fprintf(stderr,
                  "spotrun: instance %s (job %s) is older than %s, which does not know its "
                  "job; left running (`spotrun down --all` ends it)\n",
                  inst.id.c_str(), job_id.c_str(), ctx.store->path().c_str());
        }
        break;
      case SweepVerdict::kStoreError:
        fprintf(stderr, "spotrun: %s; no orphan sweep\n", job.status().message().c_str());
        return false;
    }
  }
  return true;
}

}  // namespace

int DownAllByTags(CliContext& ctx) {
  fprintf(stderr, "spotrun: down --all: terminating every spotrun instance by its tags\n");
  int rc = 0;
  auto cloud = ctx.MakeCloud("local");
  auto tagged = cloud.ok() ? (*cloud)->ListTagged({{kTagManagedBy, "spotrun"}})
                           : Result<std::vector<Instance>>(cloud.status());
  if (!tagged.ok()) {
    fprintf(stderr, "spotrun: local: %s\n", tagged.status().message().c_str());
    return 1;
  }
  for (const Instance& inst : *tagged) {
    if (inst.state == InstanceState::kTerminated) continue;
    Status s = (*cloud)->Terminate(inst.id);
    fprintf(stderr, "spotrun: %s %s\n", s.ok() ? "terminated" : "could not terminate",
            inst.id.c_str());
    if (!s.ok()) rc = 1;
  }
  SweepAwsOrphans(ctx, /*thorough=*/true);
  return rc;
}

void SweepOrphans(CliContext& ctx, bool thorough) {
  if (ctx.store->read_only()) {
    fprintf(stderr, "spotrun: state store %s is read-only; no orphan sweep\n",
            ctx.store->path().c_str());
    return;
  }
  auto jobs = ctx.store->ListJobs();
  if (!jobs.ok()) {
    fprintf(stderr, "spotrun: %s; no orphan sweep\n", jobs.status().message().c_str());
    return;
  }
  bool orphans = false;
  for (const JobRecord& job : *jobs) orphans |= !IsTerminal(job.state) && !ControllerAlive(job);
  if (orphans) {
    if (Status s = EnsureController(ctx); !s.ok()) {
      fprintf(stderr, "spotrun: no controller for the unfinished jobs: %s\n", s.ToString().c_str());
    }
  }
  if (!SweepTagged(ctx, "local", thorough)) return;
  SweepAwsOrphans(ctx, thorough);
}

}  // namespace spotrun
