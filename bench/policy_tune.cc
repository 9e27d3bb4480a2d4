// Chooses SpotrunPolicy's constants (policy/spotrun_policy.h) on the TRAIN
// split of the bundled traces only (sim/trace_split.h), for the policy
// benchmark's job: 48 h of work, changeover 0.2 h, on-demand $3.06/h, spot
// $0.9731/h, deadlines 52 h and 70 h. The objective is the sum over both
// deadlines of the policy's mean cost over Uniform Progress's on the same
// starts (a baseline measured in the same run). Coordinate descent: each
// constant in turn tries every value of its candidate list with the others
// held, keeping the best, until a full pass changes nothing. Prints the
// objective along the way and the chosen constants as code.
//
// usage: bench_policy_tune [TRACE_DIR] [--starts N] [--threads N]
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "policy/baseline_policies.h"
#include "policy/spotrun_policy.h"
#include "sim/experiment.h"
#include "sim/simulator.h"
#include "sim/trace_split.h"

namespace spotrun {
namespace {

struct Args {
  std::string dir = "data/traces";
  int starts = 50;
  int threads = 2;
};

struct Load {
  const Trace* trace;
  std::vector<int64_t> starts;
  JobTerms terms;
};

// Mean cost of `policy` over the loads of one deadline; misses counted.
double MeanCost(const Policy& policy, const std::vector<Load>& loads, int threads, int* misses) {
  std::vector<double> sums(loads.size(), 0);
  std::vector<int> missed(loads.size(), 0);
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < loads.size(); i = next++) {
      for (int64_t s : loads[i].starts) {
        const RunResult r = SimulateRun(*loads[i].trace, s, loads[i].terms, policy);
        sums[i] += r.cost;
        missed[i] += r.deadline_met ? 0 : 1;
      }
    }
  };
  std::vector<std::thread> pool;
  for (int i = 1; i < threads; ++i) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  double sum = 0;
  size_t runs = 0;
  for (size_t i = 0; i < loads.size(); ++i) {
    sum += sums[i];
    runs += loads[i].starts.size();
    *misses += missed[i];
  }
  return sum / static_cast<double>(runs);
}

struct Tuner {
  std::vector<std::vector<Load>> per_deadline;
  std::vector<double> baseline;  // UP's mean cost per deadline.
  int threads = 1;

  // Sum over deadlines of mean cost / UP's; a miss makes it infinite.
  double Objective(const SpotrunParams& p) const {
    const SpotrunPolicy policy(p);
    double total = 0;
    int misses = 0;
    for (size_t d = 0; d < per_deadline.size(); ++d) {
      total += MeanCost(policy, per_deadline[d], threads, &misses) / baseline[d];
    }
    return misses > 0 ? 1e9 : total;
  }
  // Prints the mean cost over UP's per deadline.
  void Report(const SpotrunParams& p) const {
    const SpotrunPolicy policy(p);
    for (size_t d = 0; d < per_deadline.size(); ++d) {
      int misses = 0;
      std::printf(" [%.4f, %d misses]",
                  MeanCost(policy, per_deadline[d], threads, &misses) / baseline[d], misses);
    }
  }
};

// The constants as they read in policy/spotrun_policy.h.
void Print(const SpotrunParams& p) {
  std::printf("  idle{%g, %g, %g}, switch_from_od{%g, %g, %g}, min_work_to_switch %g\n",
              p.idle.share, p.idle.per_hour, p.idle.fixed, p.switch_from_od.share,
              p.switch_from_od.per_hour, p.switch_from_od.fixed, p.min_work_to_switch);
}

// Coordinate descent from `best`; returns the best constants found.
SpotrunParams Descend(const Tuner& tuner, SpotrunParams best, double* best_value) {
  *best_value = tuner.Objective(best);
  const std::vector<double> shares = {0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0};
  const std::vector<double> per_hour = {0, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0};
  const std::vector<double> fixed = {0, 0.5, 1, 2, 3, 4, 6, 8};
  const std::vector<double> work = {0, 0.5, 1, 2, 3, 5, 8};
  struct Axis {
    double* (*field)(SpotrunParams&);
    const std::vector<double>* values;
  };
  const Axis axes[] = {
      {[](SpotrunParams& p) { return &p.idle.share; }, &shares},
      {[](SpotrunParams& p) { return &p.idle.per_hour; }, &per_hour},
      {[](SpotrunParams& p) { return &p.idle.fixed; }, &fixed},
      {[](SpotrunParams& p) { return &p.switch_from_od.share; }, &shares},
      {[](SpotrunParams& p) { return &p.switch_from_od.per_hour; }, &per_hour},
      {[](SpotrunParams& p) { return &p.switch_from_od.fixed; }, &fixed},
      {[](SpotrunParams& p) { return &p.min_work_to_switch; }, &work},
  };
  for (int pass = 1;; ++pass) {
    bool changed = false;
    for (const Axis& axis : axes) {
      for (double v : *axis.values) {
        SpotrunParams p = best;
        *axis.field(p) = v;
        const double value = tuner.Objective(p);
        if (value < *best_value - 1e-9) {
          best = p;
          *best_value = value;
          changed = true;
        }
      }
    }
    std::printf("  pass %d: objective %.5f", pass, *best_value);
    tuner.Report(best);
    Print(best);
    std::fflush(stdout);
    if (!changed) return best;
  }
}

// Descends from the constants in code and from fixed seeds; prints the best.
void Tune(const Tuner& tuner) {
  std::vector<SpotrunParams> seeds(3);
  seeds[1].idle = {0.5, 0.3, 0};  // The first round's constants.
  seeds[1].switch_from_od = {0, 0, 0};
  seeds[1].min_work_to_switch = 0;
  seeds[2].idle = {0.2, 0.1, 2};
  seeds[2].switch_from_od = {0.3, 0.1, 2};
  seeds[2].min_work_to_switch = 1;
  SpotrunParams chosen;
  double chosen_value = 1e18;
  for (size_t i = 0; i < seeds.size(); ++i) {
    std::printf("seed %zu%s:", i, i == 0 ? " (the constants in code)" : "");
    Print(seeds[i]);
    double value = 0;
    const SpotrunParams p = Descend(tuner, seeds[i], &value);
    if (value < chosen_value - 1e-9) {
      chosen = p;
      chosen_value = value;
    }
  }
  std::printf("chosen constants (policy/spotrun_policy.h), objective %.5f:\n", chosen_value);
  Print(chosen);
}

Args ParseArgs(int argc, char** argv) {
  Args a;
  if (const char* root = std::getenv("SPOTRUN_SOURCE_DIR"))
    a.dir = std::string(root) + "/data/traces";
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--starts" && i + 1 < argc) {
      a.starts = std::atoi(argv[++i]);
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
  const Args args = ParseArgs(argc, argv);
  Result<SplitTraces> split = LoadSplitTraces(args.dir);
  if (!split.ok()) {
    std::fprintf(stderr, "bench_policy_tune: %s\n", split.status().message().c_str());
    return 2;
  }
  std::printf("tuning spotrun on the train split (%zu traces, %d starts each):",
              split->train.size(), args.starts);
  for (const std::string& f : split->train_files) std::printf(" %s", f.c_str());
  std::printf("\n");
  Tuner tuner;
  tuner.threads = args.threads;
  for (double hours : {52.0, 70.0}) {
    std::vector<Load> loads;
    for (const Trace& t : split->train) {
      const JobTerms terms = TermsForTrace(BenchmarkTerms(hours), t);
      loads.push_back({&t, EvenStartTicks(t, terms.deadline_s, args.starts).value(), terms});
    }
    int misses = 0;
    tuner.baseline.push_back(MeanCost(UniformProgressPolicy(), loads, args.threads, &misses));
    std::printf("deadline %.0f h: uniform-progress mean $%.2f\n", hours, tuner.baseline.back());
    tuner.per_deadline.push_back(std::move(loads));
  }
  Tune(tuner);
  return 0;
}
