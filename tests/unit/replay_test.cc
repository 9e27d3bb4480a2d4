// The controller replay (sim/replay.h): spotrun's job controller over a
// trace-driven cloud and a simulated clock, pinned on hand-made traces and
// checked against the model loop (sim/simulator.h) on a real one.
#include "sim/replay.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "policy/registry.h"
#include "sim/experiment.h"
#include "sim/simulator.h"
#include "sim_test_util.h"

namespace spotrun {
namespace {

class ReplayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    scratch_ = ::testing::TempDir() + "/replay-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name();
  }
  void TearDown() override { std::filesystem::remove_all(scratch_); }

  RunResult Replay(const Trace& trace, int64_t start, const JobTerms& terms,
                   const std::string& policy) {
    Result<RunResult> r = ReplayRun(trace, start, terms, policy, scratch_);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : RunResult{};
  }
  // A real 45-day trace, and a 48 h job due in 52 h on it.
  static Result<Trace> RealTrace() {
    return LoadTrace(std::string(SPOTRUN_SOURCE_DIR) +
                     "/data/traces/availability/us-east-1c_v100_1.json");
  }
  static JobTerms RealTerms() {
    JobTerms terms;
    terms.work_s = 48 * 3600;
    terms.deadline_s = 52 * 3600;
    terms.overhead_s = 0.2 * 3600;
    return terms;
  }
  std::string scratch_;
};

TEST_F(ReplayTest, SpotOnlyIsPreemptedAndRelaunched) {
  // Spot at ticks 0-3, none at 4-5, spot again from 6 (60 s ticks).
  const Trace trace = MakeTrace("11110011111111111111");
  const JobTerms terms = SmallTerms(/*work_s=*/300, /*deadline_s=*/900, /*overhead_s=*/60);
  const RunResult r = Replay(trace, 0, terms, "spot-only");
  // Launched at 0, `run` from 60, taken back at 240 with 180 s done; idle at
  // 240 and 300; relaunched at 360, `run` from 420, done at 540.
  EXPECT_EQ(r.launches, 2);
  EXPECT_EQ(r.preemptions, 1);
  EXPECT_TRUE(r.deadline_met);
  EXPECT_DOUBLE_EQ(r.finish_hours, 540.0 / 3600);
  EXPECT_DOUBLE_EQ(r.spot_hours, (240.0 + 180.0) / 3600);
  EXPECT_DOUBLE_EQ(r.on_demand_hours, 0);
  EXPECT_NEAR(r.cost, 420.0 / 3600 * terms.spot_price, 1e-12);
  // The model loop, step for step.
  const RunResult m = SimulateRun(trace, 0, terms, *MakePolicy("spot-only", terms).value());
  EXPECT_NEAR(r.cost, m.cost, 1e-12);
  EXPECT_EQ(r.launches, m.launches);
  EXPECT_DOUBLE_EQ(r.finish_hours, m.finish_hours);
}

TEST_F(ReplayTest, OnDemandRunsUntilASpotInstanceIsUp) {
  // No spot until tick 8. Uniform progress goes on-demand at tick 1 (behind
  // its line) and asks for spot at every tick: each time the controller tries
  // a spot launch first and keeps the on-demand instance when it fails. At
  // 360 s the job is 2d ahead of the line and goes idle; at 480 s spot comes.
  const Trace trace = MakeTrace("00000000111111111111111111111111");
  const JobTerms terms = SmallTerms(/*work_s=*/600, /*deadline_s=*/1200, /*overhead_s=*/60);
  const RunResult r = Replay(trace, 0, terms, "uniform-progress");
  EXPECT_EQ(r.launches, 2);  // One on-demand instance, one spot.
  EXPECT_EQ(r.preemptions, 0);
  EXPECT_DOUBLE_EQ(r.on_demand_hours, (360.0 - 60.0) / 3600);
  EXPECT_TRUE(r.deadline_met);
  const RunResult m = SimulateRun(trace, 0, terms, *MakePolicy("uniform-progress", terms).value());
  EXPECT_EQ(r.launches, m.launches);
  EXPECT_NEAR(r.cost, m.cost, 1e-9);
}

TEST_F(ReplayTest, StopsAnUnfinishedJobAtTheHorizon) {
  const Trace trace = MakeTrace("1100000000000000000000000000000000000000");
  const JobTerms terms = SmallTerms(/*work_s=*/600, /*deadline_s=*/900, /*overhead_s=*/60);
  const RunResult r = Replay(trace, 0, terms, "spot-only");
  EXPECT_FALSE(r.finished);
  EXPECT_FALSE(r.deadline_met);
  EXPECT_EQ(r.launches, 1);
  EXPECT_EQ(r.preemptions, 1);
  EXPECT_NEAR(r.cost, 120.0 / 3600 * terms.spot_price, 1e-12);
}

TEST_F(ReplayTest, AFlappingMarketMayTakeMoreThanAHundredInstances) {
  // Spot every other tick: 30 s of work per 60 s window after a 30 s changeover.
  std::string pattern;
  for (int i = 0; i < 300; ++i) pattern += "10";
  const Trace trace = MakeTrace(pattern);
  const JobTerms terms = SmallTerms(/*work_s=*/110 * 30, /*deadline_s=*/20000, /*overhead_s=*/30);
  const RunResult r = Replay(trace, 0, terms, "spot-only");
  const RunResult m = SimulateRun(trace, 0, terms, *MakePolicy("spot-only", terms).value());
  EXPECT_TRUE(r.finished);
  EXPECT_DOUBLE_EQ(r.finish_hours, m.finish_hours);
  EXPECT_EQ(m.launches, 110);
  // The work ends as the 110th instance is taken back, before the controller
  // polls it: one more instance (billed for no time) reports the job done.
  EXPECT_EQ(r.launches, 111);
  EXPECT_NEAR(r.cost, m.cost, 1e-9);
}

TEST_F(ReplayTest, OfflinePoliciesGetTheTracesFuture) {
  const Trace trace = MakeTrace("0011111111111111111111111111111111111111");
  const JobTerms terms = SmallTerms(/*work_s=*/600, /*deadline_s=*/1500, /*overhead_s=*/60);
  const RunResult r = Replay(trace, 0, terms, "optimal");
  // Optimal waits two ticks for spot instead of paying for on-demand.
  EXPECT_EQ(r.on_demand_hours, 0);
  EXPECT_TRUE(r.deadline_met);
  EXPECT_NEAR(r.cost, (600.0 + 60) / 3600 * terms.spot_price, 1e-12);
}

// A real 45-day trace: the controller's costs follow the model loop's
// closely (it bills until it sees the job done, up to one poll later), with
// the same misses, and the offline optimum stays below every other policy.
TEST_F(ReplayTest, AgreesWithTheModelLoopOnARealTrace) {
  auto trace = RealTrace();
  ASSERT_TRUE(trace.ok()) << trace.status().message();
  const JobTerms terms = RealTerms();
  const std::vector<int64_t> starts = EvenStartTicks(*trace, terms.deadline_s, 8).value();
  const std::vector<std::string> policies = PolicyNames();
  auto replayed = ReplayAll(policies, *trace, starts, terms, scratch_);
  ASSERT_TRUE(replayed.ok()) << replayed.status().message();
  for (size_t p = 0; p < policies.size(); ++p) {
    auto model = RunPolicy(policies[p], *trace, starts, terms).value();
    double replay_sum = 0, model_sum = 0;
    for (size_t s = 0; s < starts.size(); ++s) {
      replay_sum += (*replayed)[p][s].cost;
      model_sum += model[s].cost;
      EXPECT_EQ((*replayed)[p][s].deadline_met, model[s].deadline_met)
          << policies[p] << " from tick " << starts[s];
    }
    EXPECT_NEAR(replay_sum / model_sum, 1.0, 0.015) << policies[p];
  }
  // One poll of on-demand billing: what finishing a poll later can cost.
  const double poll = static_cast<double>(trace->gap_s) / 3600 * terms.on_demand_price;
  const size_t optimal = std::find(policies.begin(), policies.end(), "optimal") - policies.begin();
  for (size_t p = 0; p < policies.size(); ++p) {
    for (size_t s = 0; s < starts.size(); ++s) {
      if (!(*replayed)[p][s].deadline_met) continue;
      EXPECT_LE((*replayed)[optimal][s].cost, (*replayed)[p][s].cost + poll)
          << policies[p] << " from tick " << starts[s];
    }
  }
}

// Every start of every policy as a job of one loop on one clock gives each
// start what it gives driven alone (its own clock), to the cent.
TEST_F(ReplayTest, OneLoopForAllStartsChangesNoStartsResult) {
  auto trace = RealTrace();
  ASSERT_TRUE(trace.ok()) << trace.status().message();
  const JobTerms terms = RealTerms();
  const std::vector<int64_t> starts = EvenStartTicks(*trace, terms.deadline_s, 6).value();
  const std::vector<std::string> policies = PolicyNames();
  auto together = ReplayAll(policies, *trace, starts, terms, scratch_);
  ASSERT_TRUE(together.ok()) << together.status().message();
  for (size_t p = 0; p < policies.size(); ++p) {
    for (size_t s = 0; s < starts.size(); ++s) {
      const RunResult alone = Replay(*trace, starts[s], terms, policies[p]);
      const RunResult& one = (*together)[p][s];
      EXPECT_NEAR(one.cost, alone.cost, 0.005) << policies[p] << " from tick " << starts[s];
      EXPECT_EQ(one.launches, alone.launches) << policies[p] << " from tick " << starts[s];
      EXPECT_EQ(one.preemptions, alone.preemptions) << policies[p] << " from tick " << starts[s];
      EXPECT_EQ(one.deadline_met, alone.deadline_met) << policies[p] << " from tick " << starts[s];
      EXPECT_NEAR(one.finish_hours, alone.finish_hours, 1e-9) << policies[p];
    }
  }
}

// What each start of each policy costs and does on the real trace, pinned
// to the cent: measured once through the controller, so that a change to the
// loop, the clock or the market model that moves any of them shows here.
TEST_F(ReplayTest, PinnedStartsKeepTheirCostToTheCent) {
  struct Pin {
    const char* policy;
    int64_t start;
    double cost;
    int launches, preemptions;
    bool deadline_met;
    double finish_hours;
  };
  const Pin pins[] = {
      {"on-demand", 0, 147.52, 1, 0, true, 48.200000},
      {"on-demand", 3199, 147.52, 1, 0, true, 48.200000},
      {"on-demand", 6399, 147.52, 1, 0, true, 48.200000},
      {"on-demand", 9599, 147.52, 1, 0, true, 48.200000},
      {"on-demand", 12798, 147.52, 1, 0, true, 48.200000},
      {"on-demand", 15998, 147.52, 1, 0, true, 48.200000},
      {"spot-only", 0, 50.34, 19, 18, false, 69.887500},
      {"spot-only", 3199, 49.44, 14, 13, false, 55.366667},
      {"spot-only", 6399, 42.85, 42, 42, false, 100.208333},
      {"spot-only", 9599, 20.29, 16, 15, false, 100.208333},
      {"spot-only", 12798, 42.43, 39, 39, false, 100.208333},
      {"spot-only", 15998, 33.52, 24, 24, false, 100.208333},
      {"greedy", 0, 90.42, 6, 5, true, 51.745833},
      {"greedy", 3199, 88.06, 9, 8, true, 51.858333},
      {"greedy", 6399, 142.01, 7, 6, true, 51.783333},
      {"greedy", 9599, 127.98, 4, 3, true, 51.779167},
      {"greedy", 12798, 142.08, 2, 1, true, 51.758333},
      {"greedy", 15998, 136.58, 3, 2, true, 51.758333},
      {"uniform-progress", 0, 88.34, 13, 7, true, 51.754167},
      {"uniform-progress", 3199, 92.70, 17, 9, true, 51.633333},
      {"uniform-progress", 6399, 141.82, 20, 10, true, 51.962500},
      {"uniform-progress", 9599, 128.15, 16, 7, true, 51.812500},
      {"uniform-progress", 12798, 134.48, 20, 10, true, 51.887500},
      {"uniform-progress", 15998, 120.20, 19, 9, true, 51.887500},
      {"spotrun", 0, 69.06, 18, 9, true, 51.725000},
      {"spotrun", 3199, 99.74, 18, 9, true, 51.600000},
      {"spotrun", 6399, 114.08, 20, 10, true, 51.833333},
      {"spotrun", 9599, 126.99, 14, 7, true, 50.762500},
      {"spotrun", 12798, 136.18, 20, 10, true, 51.850000},
      {"spotrun", 15998, 124.29, 13, 6, true, 50.562500},
      {"optimal", 0, 63.65, 12, 7, true, 51.970833},
      {"optimal", 3199, 58.58, 11, 8, true, 51.987500},
      {"optimal", 6399, 95.86, 13, 8, true, 51.954167},
      {"optimal", 9599, 124.25, 8, 5, true, 51.712500},
      {"optimal", 12798, 119.75, 14, 9, true, 51.829167},
      {"optimal", 15998, 113.05, 13, 7, true, 51.429167},
  };
  auto trace = RealTrace();
  ASSERT_TRUE(trace.ok()) << trace.status().message();
  const JobTerms terms = RealTerms();
  const std::vector<int64_t> starts = EvenStartTicks(*trace, terms.deadline_s, 6).value();
  const std::vector<std::string> policies = PolicyNames();
  auto runs = ReplayAll(policies, *trace, starts, terms, scratch_);
  ASSERT_TRUE(runs.ok()) << runs.status().message();
  size_t checked = 0;
  for (const Pin& pin : pins) {
    const size_t p = std::find(policies.begin(), policies.end(), pin.policy) - policies.begin();
    const size_t s = std::find(starts.begin(), starts.end(), pin.start) - starts.begin();
    ASSERT_LT(p, policies.size()) << pin.policy;
    ASSERT_LT(s, starts.size()) << pin.start;
    const RunResult& r = (*runs)[p][s];
    const std::string where = std::string(pin.policy) + " from tick " + std::to_string(pin.start);
    EXPECT_NEAR(r.cost, pin.cost, 0.005) << where;
    EXPECT_EQ(r.launches, pin.launches) << where;
    EXPECT_EQ(r.preemptions, pin.preemptions) << where;
    EXPECT_EQ(r.deadline_met, pin.deadline_met) << where;
    EXPECT_NEAR(r.finish_hours, pin.finish_hours, 1e-6) << where;
    ++checked;
  }
  EXPECT_EQ(checked, policies.size() * starts.size());
}

}  // namespace
}  // namespace spotrun
