// The offline optimum: exact against brute force on tiny traces, never above
// any online policy on random ones, and consistent with the simulator.
#include "policy/optimal.h"

#include <gtest/gtest.h>

#include <random>

#include "policy/registry.h"
#include "sim/simulator.h"
#include "sim_test_util.h"

namespace spotrun {
namespace {

// A trace of `ticks` ticks made of runs of availability of random length.
Trace RandomTrace(std::mt19937* rng, int ticks, int64_t gap_s) {
  std::string pattern;
  std::uniform_int_distribution<int> run(1, 6);
  char value = (*rng)() % 2 ? '1' : '0';
  while (static_cast<int>(pattern.size()) < ticks) {
    pattern.append(run(*rng), value);
    value = value == '1' ? '0' : '1';
  }
  pattern.resize(ticks);
  return MakeTrace(pattern, gap_s);
}

RunResult RunPlan(const Trace& trace, const JobTerms& terms) {
  const JobTerms t = TermsForTrace(terms, trace);
  Plan plan = PlanOptimal(t, trace.available).value();
  return SimulateRun(trace, 0, t, PlanPolicy(plan.decisions));
}

// The cheapest deadline-meeting run over every decision sequence.
std::optional<double> BruteForce(const Trace& trace, const JobTerms& terms) {
  const JobTerms t = TermsForTrace(terms, trace);
  const int n = static_cast<int>(std::ceil(t.deadline_s / t.tick_s));
  int total = 1;
  for (int i = 0; i < n; ++i) total *= 3;
  std::optional<double> best;
  std::vector<Mode> seq(n);
  for (int code = 0; code < total; ++code) {
    for (int i = 0, c = code; i < n; ++i, c /= 3) seq[i] = static_cast<Mode>(c % 3);
    RunResult r = SimulateRun(trace, 0, t, PlanPolicy(seq));
    if (r.deadline_met && (!best || r.cost < *best)) best = r.cost;
  }
  return best;
}

TEST(PlanOptimalTest, AllSpotRunsOnSpotFromTheStart) {
  const JobTerms t = SmallTerms(300, 600, 120);
  Plan plan = PlanOptimal(t, MakeTrace("1111111111").available).value();
  EXPECT_TRUE(plan.meets_deadline);
  EXPECT_EQ(plan.decisions, std::vector<Mode>(7, Mode::kSpot));
  EXPECT_NEAR(plan.cost, 420 / 3600.0, 1e-12);
}

TEST(PlanOptimalTest, NoSpotCostsOneOnDemandRun) {
  const JobTerms t = SmallTerms(300, 600, 120);
  Plan plan = PlanOptimal(t, MakeTrace("0000000000").available).value();
  EXPECT_TRUE(plan.meets_deadline);
  EXPECT_NEAR(plan.cost, 420 * 3 / 3600.0, 1e-12);
}

TEST(PlanOptimalTest, WaitsForTheLongSpotWindow) {
  // The first window only covers the changeover; the plan idles until tick 6.
  const JobTerms t = SmallTerms(300, 900, 120);
  Plan plan = PlanOptimal(t, MakeTrace("110000111111111").available).value();
  EXPECT_NEAR(plan.cost, 420 / 3600.0, 1e-12);
  ASSERT_EQ(plan.decisions.size(), 13u);
  EXPECT_EQ(plan.decisions[12], Mode::kSpot);
  EXPECT_EQ(plan.decisions[5], Mode::kIdle);
}

TEST(PlanOptimalTest, SwitchesFromOnDemandToSpot) {
  // Slack 120 s = 2d: no time to wait, so on-demand at once, then spot when
  // it appears at tick 3, finishing exactly at the deadline.
  const JobTerms t = SmallTerms(600, 720, 60);
  const Trace trace = MakeTrace("0001111111111");
  Plan plan = PlanOptimal(t, trace.available).value();
  ASSERT_TRUE(plan.meets_deadline);
  EXPECT_NEAR(plan.cost, (180 * 3 + 540 * 1) / 3600.0, 1e-12);
  std::vector<Mode> expected(12, Mode::kSpot);
  std::fill(expected.begin(), expected.begin() + 3, Mode::kOnDemand);
  EXPECT_EQ(plan.decisions, expected);
  RunResult r = SimulateRun(trace, 0, t, PlanPolicy(plan.decisions));
  EXPECT_NEAR(r.finish_hours, 720 / 3600.0, 1e-12);
}

TEST(PlanOptimalTest, InfeasibleDeadlineGivesEmptyPlan) {
  const JobTerms t = SmallTerms(300, 400, 120);
  Plan plan = PlanOptimal(t, MakeTrace("1111111111").available).value();
  EXPECT_FALSE(plan.meets_deadline);
  EXPECT_TRUE(plan.decisions.empty());
  RunResult r = SimulateRun(MakeTrace("1111111111"), 0, t, PlanPolicy({}));
  EXPECT_TRUE(r.finished);  // On-demand, the earliest finish.
  EXPECT_FALSE(r.deadline_met);
}

TEST(PlanOptimalTest, RefusesAnOversizedGrid) {
  const JobTerms t = SmallTerms(300, 900, 120);
  Result<Plan> plan = PlanOptimal(t, MakeTrace("1111").available, 10);
  EXPECT_EQ(plan.status().code(), Code::kInvalidArgument);
}

TEST(PlanOptimalTest, MatchesBruteForceOnTinyTraces) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> pick(0, 1000);
  for (int i = 0; i < 60; ++i) {
    const int64_t gap = 60;
    const double overhead = 30.0 * (pick(rng) % 6);  // 0..150 s.
    const double work = 40 + pick(rng) % 240;        // 40..279 s.
    const double deadline = work + pick(rng) % (540 - static_cast<int>(work));
    JobTerms t = SmallTerms(work, deadline, overhead);
    t.on_demand_price = 2 + pick(rng) % 3;
    const Trace trace = RandomTrace(&rng, 9, gap);
    const std::optional<double> brute = BruteForce(trace, t);
    const RunResult dp = RunPlan(trace, t);
    SCOPED_TRACE("case " + std::to_string(i));
    ASSERT_EQ(dp.deadline_met, brute.has_value());
    if (brute) {
      EXPECT_NEAR(dp.cost, *brute, 1e-9);
    }
  }
}

TEST(PlanOptimalTest, PlanCostIsWhatTheSimulatorBills) {
  std::mt19937 rng(11);
  for (int i = 0; i < 40; ++i) {
    const Trace trace = RandomTrace(&rng, 120, 45);
    const JobTerms t = TermsForTrace(SmallTerms(1800, 2400 + 60 * (i % 20), 100), trace);
    Plan plan = PlanOptimal(t, trace.available).value();
    RunResult r = SimulateRun(trace, 0, t, PlanPolicy(plan.decisions));
    ASSERT_TRUE(plan.meets_deadline);
    EXPECT_TRUE(r.deadline_met);
    EXPECT_NEAR(r.cost, plan.cost, 1e-9);
  }
}

TEST(PlanOptimalTest, NeverAboveAnyPolicyOnRandomTraces) {
  std::mt19937 rng(3);
  for (int i = 0; i < 80; ++i) {
    const int64_t gap = i % 2 ? 60 : 32;
    const Trace trace = RandomTrace(&rng, 200, gap);
    const double work = 1800 + 60 * (i % 30);
    JobTerms t = SmallTerms(work, work + 300 + 97 * (i % 25), 120 + 10 * (i % 7));
    t.on_demand_price = 3.06;
    t.spot_price = 0.9731;
    t = TermsForTrace(t, trace);
    const RunResult best = RunPlan(trace, t);
    for (const std::string& name : PolicyNames()) {
      if (name == "optimal") continue;
      std::unique_ptr<Policy> policy = MakePolicy(name, t).value();
      const RunResult r = SimulateRun(trace, 0, t, *policy);
      SCOPED_TRACE("case " + std::to_string(i) + " vs " + name);
      if (r.deadline_met) {
        EXPECT_TRUE(best.deadline_met);
        EXPECT_LE(best.cost, r.cost + 1e-9);
      }
    }
  }
}

}  // namespace
}  // namespace spotrun
