// `spotrun cancel` and `spotrun down`.
#include <cstdio>

#include "cli/args.h"
#include "cli/commands.h"

namespace spotrun {
namespace {

// Asks the job's controller to stop and waits for it; with no controller
// alive, terminates the instances itself. Returns the job's final record.
Result<JobRecord> StopJob(CliContext& ctx, const JobRecord& job, double wait_s) {
  if (IsTerminal(job.state)) return job;
  SPOTRUN_RETURN_IF_ERROR(ctx.store->RequestCancel(job.id));
  const double deadline = ctx.clock.Now() + wait_s;
  while (ControllerAlive(job) && ctx.clock.Now() < deadline) {
    auto fresh = ctx.store->GetJob(job.id);
    if (fresh.ok() && IsTerminal(fresh->state)) return *fresh;
    ctx.clock.Sleep(0.2);
  }
  auto fresh = ctx.store->GetJob(job.id);
  if (!fresh.ok()) return fresh.status();
  if (IsTerminal(fresh->state)) return *fresh;
  // No controller (or it does not answer): end the job here.
  SPOTRUN_RETURN_IF_ERROR(TerminateJobInstances(ctx, *fresh, "cancelled"));
  JobRecord j = *fresh;
  j.state = JobState::kCancelled;
  j.message = "cancelled; instance terminated";
  j.controller_pid = 0;
  j.updated_at = ctx.clock.Now();
  SPOTRUN_RETURN_IF_ERROR(ctx.store->UpdateJob(j));
  SPOTRUN_RETURN_IF_ERROR(ctx.store->AddEvent(j.id, j.updated_at, "CANCELLED", j.message));
  return j;
}

int Report(const Result<JobRecord>& r) {
  if (!r.ok()) {
    fprintf(stderr, "spotrun: %s\n", r.status().ToString().c_str());
    return 1;
  }
  printf("job %s (%s): %s%s%s\n", r->id.c_str(), r->name.c_str(), JobStateName(r->state),
         r->message.empty() ? "" : ": ", r->message.c_str());
  return 0;
}

}  // namespace

int CmdCancel(CliContext& ctx, const Args& args) {
  auto parsed = ParseArgs(args, {});
  if (!parsed.ok() || parsed->positional.size() != 1) {
    fprintf(stderr, "spotrun: %s\n",
            parsed.ok() ? "cancel needs one job" : parsed.status().message().c_str());
    return 2;
  }
  auto job = ctx.store->GetJob(parsed->positional[0]);
  if (!job.ok()) return JobLookupFailed(job.status());
  return Report(StopJob(ctx, *job, 120));
}

int CmdDown(CliContext& ctx, const Args& args) {
  auto parsed = ParseArgs(args, {{"all", false}});
  if (!parsed.ok() || parsed->positional.size() > 1 ||
      parsed->Has("all") == (parsed->positional.size() == 1)) {
    fprintf(stderr, "spotrun: %s\n",
            parsed.ok() ? "down needs one job or --all" : parsed.status().message().c_str());
    return 2;
  }
  std::vector<JobRecord> jobs;
  if (parsed->Has("all")) {
    auto all = ctx.store->ListJobs();
    if (!all.ok()) return fprintf(stderr, "spotrun: %s\n", all.status().ToString().c_str()), 1;
    jobs = *all;
  } else {
    auto one = ctx.store->GetJob(parsed->positional[0]);
    if (!one.ok()) return JobLookupFailed(one.status());
    jobs.push_back(*one);
  }
  int rc = 0;
  for (const auto& j : jobs) {
    if (IsTerminal(j.state)) {
      // Finished jobs may still own an instance whose termination failed.
      if (!TerminateJobInstances(ctx, j, "cancelled").ok()) rc = 1;
      continue;
    }
    rc |= Report(StopJob(ctx, j, 120));
  }
  if (parsed->Has("all")) SweepOrphans(ctx, /*thorough=*/true);
  return rc;
}

}  // namespace spotrun
