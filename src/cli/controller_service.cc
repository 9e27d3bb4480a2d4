#include "cli/controller_service.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "cli/spec_flags.h"
#include "cli/terminal_reporter.h"
#include "jobs/controller.h"
#include "jobs/job_summary.h"
#include "util/fs.h"
#include "util/subprocess.h"
#include "util/task_loop.h"
#include "util/terminal_text.h"

namespace spotrun {
namespace {

constexpr double kScanS = 1;
// A job whose controller could not open it (its cloud, its store rows) is
// tried again this much later.
constexpr double kReopenS = 30;

double IdleExitS(const CliContext& ctx) {
  auto it = ctx.env.find("SPOTRUN_CONTROLLER_IDLE_S");
  if (it == ctx.env.end()) return kControllerIdleExitS;
  char* end = nullptr;
  const double v = strtod(it->second.c_str(), &end);
  return end != it->second.c_str() && *end == '\0' && v >= 0 ? v : kControllerIdleExitS;
}

bool LeaseLive(const ControllerLease& lease, double now) {
  if (lease.pid <= 0 || !ProcessAlive(lease.pid)) return false;
  if (lease.start != 0 && ProcessStartTicks(lease.pid) != lease.start) return false;
  return now - lease.heartbeat < kLeaseStaleS;
}

ControllerContext MakeControllerContext(CliContext& ctx, Cloud* cloud, Reporter* reporter,
                                        CheckpointMirrorHandle* mirror) {
  ControllerContext c;
  c.checkpoint_mirror = mirror ? mirror->store() : nullptr;
  c.cloud = cloud;
  c.store = ctx.store.get();
  c.clock = &ctx.clock;
  c.reporter = reporter;
  c.options.jobs_dir = ctx.jobs_dir();
  // The local cloud's market moves in scaled time; EC2's capacity comes back in minutes.
  const bool local = cloud->Name() == "local";
  c.options.capacity_retry_s = local ? 2 : 30;
  c.options.policy_tick_s = local ? 1 : 60;
  // What a move or a preemption costs the deadline planner: on the local
  // cloud at most the 5 s notice (waited out when no other pool can take the
  // replacement during it; under a second when one can), so the plan stays
  // on the safe side.
  c.options.default_changeover_s = local ? 6 : 0.2 * 3600;
  return c;
}

// While it lives, ctx.env is the job's saved environment (JobEnvPath), if
// it has one. Only for calls that do not wait (no other task runs meanwhile).
class JobEnvironment {
 public:
  JobEnvironment(CliContext& ctx, const std::string& job_id) : ctx_(ctx) {
    auto text = ReadFile(JobEnvPath(ctx, job_id));
    if (!text.ok()) return;
    saved_ = ctx.env;
    ctx.env = DecodeStringMap(*text);
    swapped_ = true;
  }
  ~JobEnvironment() {
    if (swapped_) ctx_.env = std::move(saved_);
  }

 private:
  CliContext& ctx_;
  std::map<std::string, std::string> saved_;
  bool swapped_ = false;
};

// What one job is driven with; lives as long as its task.
struct JobEnv {
  std::unique_ptr<Cloud> cloud;
  std::unique_ptr<CheckpointMirrorHandle> mirror;
  FILE* console = nullptr;
  std::unique_ptr<TerminalReporter> reporter;
  ControllerContext controller;
  ~JobEnv() {
    if (console != nullptr) fclose(console);
  }
};

class Controller {
 public:
  Controller(CliContext& ctx, TaskLoop& loop)
      : ctx_(ctx), loop_(loop), pid_(getpid()), start_(ProcessStartTicks(getpid())) {}

  // False when another live controller holds the lease.
  Result<bool> TakeLease() {
    auto lease = ctx_.store->GetLease();
    if (!lease.ok()) return lease.status();
    if (LeaseLive(*lease, ctx_.clock.Now())) return false;
    auto taken = ctx_.store->TakeLease(*lease, pid_, start_, ctx_.clock.Now());
    if (taken.ok() && *taken) replaced_ = *lease;
    return taken;
  }

  void Start() {
    Scan();
    loop_.At(ctx_.clock.Now() + kScanS, [this] { Tick(); });
  }

  // Claims every job that no live controller drives and starts its task.
  void Scan() {
    auto jobs = ctx_.store->ListJobs(/*unfinished_only=*/true);
    if (!jobs.ok()) {
      fprintf(stderr, "spotrun controller: %s\n", jobs.status().ToString().c_str());
      return;
    }
    const double now = ctx_.clock.Now();
    for (const JobRecord& job : *jobs) {
      if (IsTerminal(job.state) || driving_.count(job.id) > 0) continue;
      if (auto it = reopen_at_.find(job.id); it != reopen_at_.end() && it->second > now) continue;
      if (!Claimable(job)) continue;
      auto claimed = ctx_.store->ClaimController(job.id, job.controller_pid, job.controller_start,
                                                 pid_, start_);
      if (!claimed.ok() || !*claimed) continue;
      driving_.insert(job.id);
      RemoveFile(JobEndedPath(ctx_, job.id));
      const std::string id = job.id;
      loop_.Spawn([this, id] { Drive(id); });
    }
  }

  void Shutdown() { loop_.Stop(); }

  void Release() { (void)ctx_.store->ReleaseLease(pid_, start_); }

 private:
  bool Claimable(const JobRecord& job) const {
    if (job.controller_pid == 0 || job.controller_pid == pid_) return true;
    if (job.controller_pid == replaced_.pid && job.controller_start == replaced_.start) return true;
    return !ControllerAlive(job);
  }

  void Tick() {
    const double now = ctx_.clock.Now();
    auto renewed = ctx_.store->RenewLease(pid_, start_, now);
    if (renewed.ok() && !*renewed) {
      fprintf(stderr, "spotrun controller: another controller took the lease; stopping\n");
      loop_.Stop();
      return;
    }
    Scan();
    if (!driving_.empty()) {
      idle_since_ = 0;
    } else if (idle_since_ == 0) {
      idle_since_ = now;
    } else if (now - idle_since_ >= IdleExitS(ctx_) && ExitIfNothingLeft()) {
      return;
    }
    loop_.At(now + kScanS, [this] { Tick(); });
  }

  // Releases the lease, then looks once more: a job submitted meanwhile
  // (whose command saw this controller live) keeps it running.
  bool ExitIfNothingLeft() {
    Release();
    auto jobs = ctx_.store->ListJobs(/*unfinished_only=*/true);
    bool left = !jobs.ok();
    if (jobs.ok()) {
      for (const JobRecord& job : *jobs) left |= !IsTerminal(job.state) && Claimable(job);
    }
    if (left) {
      auto again = ctx_.store->TakeLease(ControllerLease{}, pid_, start_, ctx_.clock.Now());
      if (again.ok() && *again) {
        idle_since_ = 0;
        return false;
      }
    }
    loop_.Stop();
    return true;
  }

  void Drive(const std::string& id) {
    Status s = DriveOne(id);
    if (!s.ok()) {
      reopen_at_[id] = ctx_.clock.Now() + kReopenS;
      if (FILE* f = fopen(JobConsolePath(ctx_, id).c_str(), "a")) {
        fprintf(f, "spotrun: %s\n", s.ToString().c_str());
        fclose(f);
      }
    }
    (void)WriteFileAtomic(JobEndedPath(ctx_, id), "");
    driving_.erase(id);
  }

  Status DriveOne(const std::string& id) {
    auto found = ctx_.store->GetJob(id);
    if (!found.ok()) return found.status();
    const JobRecord& job = *found;
    JobEnv env;
    env.console = fopen(JobConsolePath(ctx_, id).c_str(), "a");
    if (env.console == nullptr) env.console = fopen("/dev/null", "w");
    env.reporter = std::make_unique<TerminalReporter>(&ctx_.clock, env.console);
    auto spec = ParseJobSpec(job.spec_text, job.spec_path,
                             StoredSpecOptions(job.kind == JobKind::kNotebook));
    if (!spec.ok()) return FailUnstarted(job, spec.status(), env.reporter.get());
    std::optional<JobEnvironment> job_env(std::in_place, ctx_, id);
    auto cloud = ctx_.MakeCloudForJob(job);
    if (!cloud.ok()) {
      auto attempts = ctx_.store->Attempts(job.id);
      if (attempts.ok() && attempts->empty()) {
        return FailUnstarted(job, cloud.status(), env.reporter.get());
      }
      return cloud.status();
    }
    env.cloud = std::move(cloud).value();
    auto mirror = MakeCheckpointMirror(ctx_, *spec, job.id);
    if (!mirror.ok()) return FailUnstarted(job, mirror.status(), env.reporter.get());
    env.mirror = std::move(mirror).value();
    job_env.reset();
    env.controller =
        MakeControllerContext(ctx_, env.cloud.get(), env.reporter.get(), env.mirror.get());
    if (auto secrets = ReadFile(JobSecretsPath(ctx_, id)); secrets.ok()) {
      env.controller.secrets = DecodeStringMap(*secrets);
    }
    auto state = DriveJob(env.controller, id);
    if (!state.ok()) return state.status();
    if (IsTerminal(*state)) {
      RemoveFile(JobSecretsPath(ctx_, id));
      RemoveFile(JobEnvPath(ctx_, id));
    }
    return Status::Ok();
  }

  // A job that cannot be driven before anything was launched for it fails.
  Status FailUnstarted(JobRecord job, const Status& why, Reporter* reporter) {
    job.state = JobState::kFailed;
    job.message = "cannot drive the job: " + why.message();
    job.updated_at = ctx_.clock.Now();
    reporter->Note(job.message);
    SPOTRUN_RETURN_IF_ERROR(ctx_.store->UpdateJob(job));
    SPOTRUN_RETURN_IF_ERROR(ctx_.store->AddEvent(job.id, job.updated_at, "FAILED", job.message));
    RemoveFile(JobSecretsPath(ctx_, job.id));
    RemoveFile(JobEnvPath(ctx_, job.id));
    return Status::Ok();
  }

  static void RemoveFile(const std::string& path) { unlink(path.c_str()); }

  CliContext& ctx_;
  TaskLoop& loop_;
  const int pid_;
  const unsigned long long start_;
  ControllerLease replaced_;
  std::set<std::string> driving_;
  std::map<std::string, double> reopen_at_;
  double idle_since_ = 0;
};

void PrintOutcome(CliContext& ctx, const JobRecord& job) {
  auto s = Summarize(*ctx.store, job, ctx.clock.Now());
  if (!s.ok()) return;
  printf("%s", JobStateName(job.state));
  if (!job.message.empty()) printf(": %s", job.message.c_str());
  printf("\nresults: %s\n", job.results_dir.c_str());
  printf("cost: $%.6f (%s); on-demand would have cost $%.6f; saved %.0f%%\n", s->cost_usd,
         s->market.empty() ? "nothing launched" : s->market.c_str(), s->on_demand_cost_usd,
         s->SavingPercent());
}

int ExitCodeFor(JobState state) {
  switch (state) {
    case JobState::kSucceeded:
      return 0;
    case JobState::kCancelled:
      return 130;
    default:
      return 1;
  }
}

// Copies what the console file has beyond `*offset` to stdout.
void CopyConsole(const std::string& path, long long* offset, TerminalText* text, bool tty) {
  FILE* f = fopen(path.c_str(), "r");
  if (f == nullptr) return;
  if (fseeko(f, *offset, SEEK_SET) == 0) {
    char buf[16384];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
      *offset += static_cast<long long>(n);
      if (tty) {
        const std::string safe = text->Filter(std::string_view(buf, n));
        fwrite(safe.data(), 1, safe.size(), stdout);
      } else {
        fwrite(buf, 1, n, stdout);
      }
    }
    fflush(stdout);
  }
  fclose(f);
}

}  // namespace

std::string JobConsolePath(const CliContext& ctx, const std::string& job_id) {
  return ctx.jobs_dir() + "/" + job_id + ".console";
}
std::string JobEndedPath(const CliContext& ctx, const std::string& job_id) {
  return ctx.jobs_dir() + "/" + job_id + ".ended";
}
std::string JobSecretsPath(const CliContext& ctx, const std::string& job_id) {
  return ctx.jobs_dir() + "/" + job_id + ".secrets";
}
std::string JobEnvPath(const CliContext& ctx, const std::string& job_id) {
  return ctx.jobs_dir() + "/" + job_id + ".env";
}

Status SaveJobEnv(const CliContext& ctx, const std::string& job_id) {
  return WriteFileAtomic(JobEnvPath(ctx, job_id), EncodeStringMap(ctx.env));
}

Status EnsureController(CliContext& ctx) {
  if (ctx.store->read_only()) return Status::Ok();
  auto lease = ctx.store->GetLease();
  if (!lease.ok()) return lease.status();
  if (LeaseLive(*lease, ctx.clock.Now())) {
    kill(lease->pid, SIGUSR1);  // Look for new jobs now.
    return Status::Ok();
  }
  auto jobs = ctx.store->ListJobs(/*unfinished_only=*/true);
  if (!jobs.ok()) return jobs.status();
  std::vector<JobRecord> orphans;
  for (const JobRecord& job : *jobs) {
    if (!IsTerminal(job.state) && job.controller_pid != 0 && !ControllerAlive(job)) {
      orphans.push_back(job);
    }
  }
  SPOTRUN_RETURN_IF_ERROR(MakeDirs(ctx.jobs_dir()));
  ProcessOptions p;
  p.argv = {ctx.self_exe, "_controller"};
  p.env["SPOTRUN_HOME"] = ctx.home;
  p.output_path = ctx.home + "/controller.log";
  auto started = StartDetached(p);
  if (!started.ok()) return started.status();
  const pid_t pid = *started;
  // Until it holds the lease and drives the orphans (or gave up: another
  // controller won the race, and drives them).
  const double deadline = ctx.clock.Now() + 5;
  while (ctx.clock.Now() < deadline) {
    auto now_lease = ctx.store->GetLease();
    bool ready = now_lease.ok() && LeaseLive(*now_lease, ctx.clock.Now());
    for (const JobRecord& job : orphans) {
      auto fresh = ctx.store->GetJob(job.id);
      ready &= fresh.ok() && (IsTerminal(fresh->state) || ControllerAlive(*fresh));
    }
    if (ready) break;
    if (!ProcessAlive(pid) && !(now_lease.ok() && LeaseLive(*now_lease, ctx.clock.Now()))) {
      return Internal("the controller (pid " + std::to_string(pid) + ") exited at once; see " +
                      p.output_path);
    }
    ctx.clock.Sleep(0.02);
  }
  auto holder = ctx.store->GetLease();
  const int holder_pid = holder.ok() && holder->pid > 0 ? holder->pid : pid;
  for (const JobRecord& job : orphans) {
    fprintf(stderr, "spotrun: job %s (%s) lost its controller; a new one (pid %d) picked it up\n",
            job.id.c_str(), job.name.c_str(), holder_pid);
  }
  return Status::Ok();
}

int RunController(CliContext& ctx) {
  TaskLoop loop(&ctx.clock, LoopTime::kReal);
  Controller controller(ctx, loop);
  // Before the lease is visible: a command that finds it sends SIGUSR1.
  loop.OnSignal(SIGUSR1, [&] { controller.Scan(); });
  loop.OnSignal(SIGTERM, [&] { controller.Shutdown(); });
  loop.OnSignal(SIGINT, [&] { controller.Shutdown(); });
  signal(SIGHUP, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  auto taken = controller.TakeLease();
  if (!taken.ok()) {
    fprintf(stderr, "spotrun controller: %s\n", taken.status().ToString().c_str());
    return 1;
  }
  if (!*taken) return 0;  // Another controller drives this home.
  controller.Start();
  loop.Run();
  // Stopped or idle. The commands its tasks ran go with it; the jobs stay in
  // the store as they are, for the next controller.
  KillRunningChildren();
  controller.Release();
  return 0;
}

int FollowJob(CliContext& ctx, const std::string& job_id, const std::function<bool()>& cancel) {
  const std::string console = JobConsolePath(ctx, job_id);
  const std::string ended = JobEndedPath(ctx, job_id);
  const bool tty = StdoutIsTerminal();
  TerminalText text;
  long long offset = 0;
  bool cancel_sent = false;
  double ensure_at = ctx.clock.Now() + 2;
  for (;;) {
    CopyConsole(console, &offset, &text, tty);
    if (!cancel_sent && cancel()) {
      cancel_sent = ctx.store->RequestCancel(job_id).ok();
      (void)EnsureController(ctx);
    }
    auto job = ctx.store->GetJob(job_id);
    if (!job.ok()) {
      fprintf(stderr, "spotrun: %s\n", job.status().ToString().c_str());
      return 1;
    }
    const bool driven = ControllerAlive(*job);
    if (IsTerminal(job->state) && (PathExists(ended) || !driven)) {
      CopyConsole(console, &offset, &text, tty);
      PrintOutcome(ctx, *job);
      return ExitCodeFor(job->state);
    }
    if (!IsTerminal(job->state) && PathExists(ended)) {
      CopyConsole(console, &offset, &text, tty);
      fprintf(stderr, "spotrun: the controller stopped driving job %s; it tries again later\n",
              job_id.c_str());
      return 1;
    }
    if (!driven && ctx.clock.Now() >= ensure_at) {
      if (Status s = EnsureController(ctx); !s.ok()) {
        fprintf(stderr, "spotrun: %s\n", s.ToString().c_str());
      }
      ensure_at = ctx.clock.Now() + 2;
    }
    ctx.clock.Sleep(0.1);
  }
}

}  // namespace spotrun
