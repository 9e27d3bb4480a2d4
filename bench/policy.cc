// Policy benchmark: every registered policy over every bundled trace, for the
// NSDI'24 default job (48 h of work, changeover 0.2 h, on-demand $3.06/h, spot
// $0.9731/h) at deadlines of 52 h and 70 h, from evenly spaced starts. Prints
// per deadline, for the train and the test split of the traces
// (sim/trace_split.h; spotrun's constants are chosen on train by
// bench_policy_tune), each policy's mean cost, its ratio to the offline
// optimum, misses and wall time. First it times each 45-day availability trace from
// 100 starts through all six policies on one thread (target: under 10 s).
//
// With --controller it also replays the 45-day availability traces through
// spotrun's job controller (sim/replay.h: what `spotrun simulate` runs), times
// each trace (100 starts, all policies, --threads threads) and prints each
// policy's mean cost there as a ratio to the model loop's on the same starts.
//
// usage: bench_policy [TRACE_DIR] [--starts N] [--threads N] [--controller]
// TRACE_DIR defaults to $SPOTRUN_SOURCE_DIR/data/traces, else data/traces.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "policy/registry.h"
#include "sim/aggregate.h"
#include "sim/experiment.h"
#include "sim/replay.h"
#include "sim/trace.h"
#include "sim/trace_split.h"
#include "util/fs.h"

namespace spotrun {
namespace {

struct BenchArgs {
  std::string dir = "data/traces";
  int starts = 100;
  int threads = 2;
  bool controller = false;
};

struct Workload {
  Trace trace;
  std::vector<int64_t> starts;
};

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// All runs of `policy` over `loads`, spread over `threads` threads.
std::vector<RunResult> RunOver(const std::string& policy, const std::vector<Workload>& loads,
                               const JobTerms& terms, int threads) {
  std::vector<std::vector<RunResult>> per(loads.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < loads.size(); i = next++) {
      per[i] = RunPolicy(policy, loads[i].trace, loads[i].starts, terms).value();
    }
  };
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  std::vector<RunResult> all;
  for (const auto& runs : per) all.insert(all.end(), runs.begin(), runs.end());
  return all;
}

void Table(std::string_view split, const std::vector<Trace>& traces, double deadline_hours,
           const BenchArgs& args) {
  const JobTerms terms = BenchmarkTerms(deadline_hours);
  std::vector<Workload> loads;
  for (const Trace& t : traces) {
    loads.push_back({t, EvenStartTicks(t, terms.deadline_s, args.starts).value()});
  }
  std::vector<Summary> rows;
  std::vector<double> walls;
  for (const std::string& policy : PolicyNames()) {
    const auto start = std::chrono::steady_clock::now();
    rows.push_back(Summarize(policy, RunOver(policy, loads, terms, args.threads), terms));
    walls.push_back(Seconds(start));
  }
  double optimal = 0;
  for (const Summary& s : rows) optimal = s.policy == "optimal" ? s.mean_cost : optimal;
  std::printf("\ndeadline %.0f h, %.*s split: %zu traces x %d starts, %d thread(s)\n",
              deadline_hours, static_cast<int>(split.size()), split.data(), traces.size(),
              args.starts, args.threads);
  std::printf("%-18s %9s %9s %9s %7s %6s %8s %7s %9s\n", "policy", "mean $", "vs opt", "p90 $",
              "misses", "runs", "spot h", "score", "wall s");
  for (size_t i = 0; i < rows.size(); ++i) {
    const Summary& s = rows[i];
    std::printf("%-18s %9.2f %9.3f %9.2f %7d %6d %8.2f %7.1f %9.2f\n", s.policy.c_str(),
                s.mean_cost, optimal > 0 ? s.mean_cost / optimal : 0, s.p90_cost, s.misses, s.runs,
                s.spot_hours, s.score, walls[i]);
  }
  std::fflush(stdout);
}

// Seconds to run every policy from 100 starts of `trace` on one thread.
double TimeAllPolicies(const Trace& trace, double deadline_hours) {
  const JobTerms terms = BenchmarkTerms(deadline_hours);
  const std::vector<Workload> one = {{trace, EvenStartTicks(trace, terms.deadline_s, 100).value()}};
  const auto start = std::chrono::steady_clock::now();
  for (const std::string& policy : PolicyNames()) RunOver(policy, one, terms, 1);
  return Seconds(start);
}

// Each 45-day availability trace (195 s ticks), 100 starts, all policies, one
// thread.
void Timing(const std::vector<Trace>& traces) {
  std::printf("\ntiming: each 195 s trace from 100 starts through all %zu policies, 1 thread\n",
              PolicyNames().size());
  std::printf("%-20s %6s %8s %8s\n", "trace", "days", "52 h s", "70 h s");
  double worst = 0;
  for (const Trace& t : traces) {
    if (t.gap_s != 195) continue;
    const double a = TimeAllPolicies(t, 52), b = TimeAllPolicies(t, 70);
    worst = std::max({worst, a, b});
    std::printf("%-20s %6.1f %8.2f %8.2f\n", t.name.c_str(),
                static_cast<double>(t.ticks() * t.gap_s) / 86400, a, b);
  }
  std::printf("slowest: %.2f s (target: under 10 s)\n", worst);
  std::fflush(stdout);
}

// The 45-day availability traces through the job controller: wall time per
// trace (all policies, 100 starts), then per deadline each policy's mean cost
// over all of them against the model loop's on the same starts.
void ControllerReplay(const std::vector<Trace>& all, const BenchArgs& args) {
  std::vector<Trace> traces;
  for (const Trace& t : all) {
    if (t.gap_s == 195) traces.push_back(t);
  }
  const std::vector<std::string> policies = PolicyNames();
  // As `spotrun simulate` does: the replayed jobs' files in memory if possible.
  Result<TempDir> dir = TempDir::Make("bench-replay", /*in_memory=*/true);
  if (!dir.ok()) return;
  const std::string& scratch = dir->path();
  std::printf(
      "\ncontroller replay: each 195 s trace from %d starts through all %zu policies, "
      "one controller loop\n",
      args.starts, policies.size());
  std::printf("%-20s %8s %8s\n", "trace", "52 h s", "70 h s");
  double worst = 0;
  // [deadline][policy]: controller and model runs over all traces.
  std::vector<std::vector<std::vector<RunResult>>> ctl(
      2, std::vector<std::vector<RunResult>>(policies.size())),
      model = ctl;
  const double deadlines[] = {52, 70};
  for (const Trace& t : traces) {
    double secs[2];
    for (int d = 0; d < 2; ++d) {
      const JobTerms terms = BenchmarkTerms(deadlines[d]);
      const auto starts = EvenStartTicks(t, terms.deadline_s, args.starts).value();
      const auto begin = std::chrono::steady_clock::now();
      auto runs = ReplayAll(policies, t, starts, terms, scratch).value();
      secs[d] = Seconds(begin);
      for (size_t p = 0; p < policies.size(); ++p) {
        ctl[d][p].insert(ctl[d][p].end(), runs[p].begin(), runs[p].end());
        auto m = RunPolicy(policies[p], t, starts, terms).value();
        model[d][p].insert(model[d][p].end(), m.begin(), m.end());
      }
    }
    worst = std::max({worst, secs[0], secs[1]});
    std::printf("%-20s %8.2f %8.2f\n", t.name.c_str(), secs[0], secs[1]);
    std::fflush(stdout);
  }
  std::printf("slowest: %.2f s (target: under 10 s)\n", worst);
  for (int d = 0; d < 2; ++d) {
    const JobTerms terms = BenchmarkTerms(deadlines[d]);
    std::printf("\ndeadline %.0f h, %zu traces x %d starts: controller vs model loop\n",
                deadlines[d], traces.size(), args.starts);
    std::printf("%-18s %12s %9s %9s %12s %12s\n", "policy", "controller $", "model $", "ratio",
                "misses ctl", "misses model");
    for (size_t p = 0; p < policies.size(); ++p) {
      const Summary c = Summarize(policies[p], ctl[d][p], terms);
      const Summary m = Summarize(policies[p], model[d][p], terms);
      std::printf("%-18s %12.2f %9.2f %9.4f %12d %12d\n", policies[p].c_str(), c.mean_cost,
                  m.mean_cost, m.mean_cost > 0 ? c.mean_cost / m.mean_cost : 0, c.misses, m.misses);
    }
  }
  std::fflush(stdout);
}

// The train/test split (sim/trace_split.h), one line each.
void PrintSplit(const SplitTraces& split) {
  for (Split which : {Split::kTrain, Split::kTest}) {
    const auto& files = which == Split::kTrain ? split.train_files : split.test_files;
    std::printf("%-5.*s split:", static_cast<int>(SplitName(which).size()),
                SplitName(which).data());
    for (const std::string& f : files) std::printf(" %s", f.c_str());
    std::printf("\n");
  }
}

BenchArgs ParseArgs(int argc, char** argv) {
  BenchArgs a;
  if (const char* root = std::getenv("SPOTRUN_SOURCE_DIR")) {
    a.dir = std::string(root) + "/data/traces";
  }
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--starts" && i + 1 < argc) {
      a.starts = std::atoi(argv[++i]);
    } else if (arg == "--controller") {
      a.controller = true;
    } else if (arg == "--threads" && i + 1 < argc) {
      a.threads = std::max(1, std::atoi(argv[++i]));
    } else {
      a.dir = arg;
    }
  }
  return a;
}

}  // namespace
}  // namespace spotrun

int main(int argc, char** argv) {
  using namespace spotrun;
  const BenchArgs args = ParseArgs(argc, argv);
  Result<SplitTraces> split = LoadSplitTraces(args.dir);
  if (!split.ok()) {
    std::fprintf(stderr, "bench_policy: %s\n", split.status().message().c_str());
    return 2;
  }
  std::vector<Trace> traces = split->train;
  traces.insert(traces.end(), split->test.begin(), split->test.end());
  std::printf("policy benchmark: 48 h job, changeover 0.2 h, on-demand $3.06/h, spot $0.9731/h\n");
  PrintSplit(*split);
  const auto start = std::chrono::steady_clock::now();
  Timing(traces);
  for (double deadline : {52.0, 70.0}) {
    Table("train", split->train, deadline, args);
    Table("test", split->test, deadline, args);
  }
  if (args.controller) ControllerReplay(traces, args);
  std::printf("\ntotal wall time %.1f s\n", Seconds(start));
  return 0;
}
