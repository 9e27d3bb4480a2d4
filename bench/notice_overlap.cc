// bench_notice_overlap: notice-to-running on the local cloud, the time from
// a spot instance's interruption notice (the NOTICE event) to its
// replacement's `run` (the next RUNNING event), with the replacement launched
// after the reclaim (ControllerOptions::replace_during_notice = false, the
// baseline) and during the notice (the default), measured in the same run.
// Each run drives one job through the real controller (DriveJob) on a
// LocalCloud in a private home under /tmp: a shell `run` that counts to 40
// in 0.25 s steps, checkpointing each step, whose first spot instance is
// reclaimed 8 s after its `run` starts (the notice comes 5 s before). Prints
// each run, the medians and their ratio (overlap / baseline).
// usage: bench_notice_overlap [--runs N] [--spotrun PATH]
// (PATH: the spotrun binary the instances' IMDS endpoints run; default
// build/spotrun beside this binary's directory).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "cloud/local/local_cloud.h"
#include "cloud/local/market.h"
#include "jobs/controller.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/fs.h"

namespace spotrun {
namespace {

namespace fs = std::filesystem;

constexpr const char* kJob =
    "name: noticed\n"
    "cloud: local\n"
    "resources: {cpus: 0.1, use_spot: true}\n"
    "run: |\n"
    "  mkdir -p checkpoints; n=$(cat checkpoints/n 2>/dev/null || echo 0)\n"
    "  while [ $n -lt 40 ]; do n=$((n+1)); echo $n > checkpoints/n; sleep 0.25; done\n"
    "checkpoint: {dir: checkpoints}\n"
    "budget: {max_duration: 5m}\n";

// Seconds from the NOTICE event to the RUNNING that follows it; < 0 when
// the job had no notice or no replacement ran.
double NoticeToRunning(const std::vector<EventRecord>& events) {
  double notice = -1;
  for (const EventRecord& e : events) {
    if (e.kind == "NOTICE" && notice < 0) notice = e.at;
    if (e.kind == "RUNNING" && notice >= 0) return e.at - notice;
  }
  return -1;
}

// One job on a fresh local cloud; notice-to-running, or < 0 on a failure.
double RunOnce(const std::string& spotrun_bin, bool overlap) {
  char tmpl[] = "/tmp/spotrun-bench-notice.XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return -1;
  const std::string home = tmpl;
  RealClock clock;
  LocalCloudOptions o;
  o.root = home + "/local";
  o.spotrun_bin = spotrun_bin;
  o.capacity = MachineCapacity::Probe();
  LocalCloud cloud(o, &clock);
  auto store = Store::Open(home + "/state.db");
  if (!store.ok() || !MakeDirs(home + "/job").ok()) return -1;
  JobRecord job;
  job.id = "bench-notice";
  job.name = "noticed";
  job.cloud = "local";
  job.spec_path = home + "/job/job.yaml";
  job.spec_text = kJob;
  job.results_dir = home + "/results";
  job.created_at = job.updated_at = clock.Now();
  MarketPlan plan;
  plan.preempt_at = {8};
  if (!WriteFileAtomic(job.spec_path, kJob).ok() || !(*store)->InsertJob(job).ok() ||
      !MakeDirs(o.root + "/market").ok() ||
      !SaveMarketPlan(cloud.MarketPlanPath(job.id), plan).ok()) {
    return -1;
  }
  SilentReporter reporter;
  ControllerContext ctx;
  ctx.cloud = &cloud;
  ctx.store = store->get();
  ctx.clock = &clock;
  ctx.reporter = &reporter;
  ctx.options.jobs_dir = home + "/jobs";
  ctx.options.capacity_retry_s = 2;  // As `spotrun launch` on the local cloud.
  ctx.options.replace_during_notice = overlap;
  auto state = DriveJob(ctx, job.id);
  auto events = (*store)->Events(job.id);
  const double seconds =
      state.ok() && *state == JobState::kSucceeded && events.ok() ? NoticeToRunning(*events) : -1;
  (void)RemoveAll(home);
  return seconds;
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

int Main(int argc, char** argv) {
  int runs = 3;
  std::string bin = (fs::path(argv[0]).parent_path().parent_path() / "spotrun").string();
  for (int i = 1; i + 1 < argc; i += 2) {
    if (strcmp(argv[i], "--runs") == 0) runs = std::max(1, atoi(argv[i + 1]));
    if (strcmp(argv[i], "--spotrun") == 0) bin = argv[i + 1];
  }
  std::vector<double> figures[2];
  for (int r = 0; r < runs; ++r) {
    for (int overlap = 0; overlap < 2; ++overlap) {
      const double s = RunOnce(bin, overlap == 1);
      printf("run %d  %-22s notice-to-running %.2f s\n", r + 1,
             overlap ? "during the notice" : "after the reclaim", s);
      if (s < 0) {
        fprintf(stderr, "bench_notice_overlap: the job failed or had no replacement\n");
        return 1;
      }
      figures[overlap].push_back(s);
    }
  }
  const double before = Median(figures[0]), after = Median(figures[1]);
  printf("median notice-to-running: after the reclaim %.2f s, during the notice %.2f s\n", before,
         after);
  printf("ratio (during the notice / after the reclaim): %.3f\n", after / before);
  return 0;
}

}  // namespace
}  // namespace spotrun

int main(int argc, char** argv) { return spotrun::Main(argc, argv); }
