// bench_controller: the real controller (jobs/controller.h DriveJob) driving
// N jobs at once as tasks of one TaskLoop (util/task_loop.h) on simulated
// time, over a trace-driven cloud and host (sim/trace_cloud.h) and one
// in-memory store. Each job: launch, setup (the 12-minute changeover), 48
// simulated hours of `run` polled every 10 minutes with its progress, for
// 10% of the jobs one preemption and the recovery, then the end of the job
// and the terminate. Each N runs in a child process of its own, so that its
// peak RSS is its own. Prints, for N = 1, 100, 1,000, 10,000: wall seconds,
// peak RSS per job, controller CPU seconds per simulated job-hour and loop
// events per second, with the last three as ratios to N = 1 of the same run.
// usage: bench_controller [--max N] [--only N]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "sim/replay.h"
#include "sim/sim_clock.h"
#include "store/store.h"
#include "util/fs.h"
#include "util/task_loop.h"

namespace spotrun {
namespace {

constexpr int64_t kGapS = 600;
constexpr double kEpoch = 1'700'000'000;

struct Figures {
  double wall_s = 0;
  double cpu_s = 0;
  double rss_kb_per_job = 0;
  double job_hours = 0;
  double events = 0;
  int succeeded = 0;
  int preempted = 0;
};

double ResidentKb() {
  long pages = 0, resident = 0;
  FILE* f = fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  if (fscanf(f, "%ld %ld", &pages, &resident) != 2) resident = 0;
  fclose(f);
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1024;
}

double CpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Spot all the time; for a stormy trace, none for one tick at hour 12.
Trace MakeTrace(bool stormy) {
  Trace t;
  t.name = stormy ? "stormy" : "calm";
  t.gap_s = kGapS;
  t.available.assign(static_cast<size_t>(80 * 3600 / kGapS), 1);
  if (stormy) t.available[12 * 3600 / kGapS] = 0;
  return t;
}

Figures RunJobs(int n, const std::string& scratch) {
  const Trace calm = MakeTrace(false), stormy = MakeTrace(true);
  JobTerms terms;
  terms.work_s = 48 * 3600;
  terms.deadline_s = 72 * 3600;
  terms.overhead_s = 0.2 * 3600;
  terms.tick_s = kGapS;
  const double rss_before = ResidentKb();
  const double cpu_before = CpuSeconds();
  const auto wall_before = std::chrono::steady_clock::now();
  SimClock clock(kEpoch);
  TaskLoop loop(&clock, LoopTime::kSimulated);
  // Two markets, each shared by its jobs.
  TraceCloud calm_market(calm, TermsForTrace(terms, calm), &clock);
  TraceCloud stormy_market(stormy, TermsForTrace(terms, stormy), &clock);
  auto store = Store::Open(":memory:").value();
  std::vector<std::unique_ptr<ReplayJob>> jobs;
  jobs.reserve(n);
  for (int i = 0; i < n; ++i) {
    const bool preempt = i % 10 == 9;
    jobs.push_back(std::make_unique<ReplayJob>(preempt ? &stormy_market : &calm_market, 0,
                                               "spot-only", scratch, nullptr));
    jobs.back()->ShareStore(store.get(), "job-" + std::to_string(i));
    loop.Spawn([job = jobs.back().get()] { job->Run(); });
  }
  loop.Run();
  Figures f;
  f.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_before).count();
  f.cpu_s = CpuSeconds() - cpu_before;
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  f.rss_kb_per_job = (static_cast<double>(u.ru_maxrss) - rss_before) / n;
  f.events = static_cast<double>(loop.events());
  for (const auto& job : jobs) {
    auto r = job->Outcome();
    if (!r.ok()) {
      fprintf(stderr, "bench_controller: %s\n", r.status().ToString().c_str());
      exit(1);
    }
    f.succeeded += r->finished ? 1 : 0;
    f.preempted += r->preemptions > 0 ? 1 : 0;
    f.job_hours += r->finish_hours;
  }
  return f;
}

// RunJobs in a child process; its figures come back through a pipe.
Figures Measure(int n, const std::string& scratch) {
  int fds[2];
  if (pipe(fds) != 0) exit(1);
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    Figures f = RunJobs(n, scratch + "/n" + std::to_string(n));
    (void)!write(fds[1], &f, sizeof f);
    _exit(0);
  }
  close(fds[1]);
  Figures f;
  const bool got = read(fds[0], &f, sizeof f) == static_cast<ssize_t>(sizeof f);
  close(fds[0]);
  int ws = 0;
  waitpid(pid, &ws, 0);
  if (!got || !WIFEXITED(ws) || WEXITSTATUS(ws) != 0) {
    fprintf(stderr, "bench_controller: the run of %d jobs failed\n", n);
    exit(1);
  }
  return f;
}

}  // namespace
}  // namespace spotrun

int main(int argc, char** argv) {
  using namespace spotrun;
  int max_n = 10000, only = 0;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--max") == 0 && i + 1 < argc) {
      max_n = std::atoi(argv[++i]);
    } else if (std::strcmp(argv[i], "--only") == 0 && i + 1 < argc) {
      only = std::atoi(argv[++i]);  // One run of N jobs, in this process (for a profiler).
    } else {
      fprintf(stderr, "usage: bench_controller [--max N] [--only N]\n");
      return 2;
    }
  }
  auto scratch = TempDir::Make("bench-controller", /*in_memory=*/true);
  if (!scratch.ok()) return 1;
  if (only > 0) {
    const Figures f = RunJobs(only, scratch->path());
    printf("%d jobs: %.2f s, %d done\n", only, f.wall_s, f.succeeded);
    return 0;
  }
  printf("the controller over a trace cloud on simulated time: 48 h jobs, polled every %lld s\n",
         static_cast<long long>(kGapS));
  printf("%7s %6s %7s %9s %11s %11s %12s %13s %12s %10s\n", "jobs", "done", "preempt", "wall s",
         "RSS KB/job", "(x N=1)", "CPU ms/job-h", "(x N=1)", "events/s", "(x N=1)");
  Figures base;
  for (int n : {1, 100, 1000, 10000}) {
    if (n > max_n) break;
    const Figures f = Measure(n, scratch->path());
    if (n == 1) base = f;
    const double cpu_per_hour = f.cpu_s * 1000 / f.job_hours;
    const double base_cpu_per_hour = base.cpu_s * 1000 / base.job_hours;
    const double eps = f.events / f.wall_s, base_eps = base.events / base.wall_s;
    printf("%7d %6d %7d %9.2f %11.1f %11.2f %12.3f %13.2f %12.0f %10.2f\n", n, f.succeeded,
           f.preempted, f.wall_s, f.rss_kb_per_job, f.rss_kb_per_job / base.rss_kb_per_job,
           cpu_per_hour, cpu_per_hour / base_cpu_per_hour, eps, eps / base_eps);
    fflush(stdout);
  }
  return 0;
}
