// The simulator's model: preemption, per-second billing, the horizon, and the
// start ticks of an experiment.
#include "sim/simulator.h"

#include <gtest/gtest.h>

#include "policy/baseline_policies.h"
#include "sim/experiment.h"
#include "sim_test_util.h"

namespace spotrun {
namespace {

class AlwaysSpot : public Policy {
 public:
  Mode Decide(const PolicyInput&) const override { return Mode::kSpot; }
};

// Logs what the policy is shown at each tick.
class InputLog : public Policy {
 public:
  Mode Decide(const PolicyInput& in) const override {
    inputs.push_back(in);
    return in.spot_available ? Mode::kSpot : Mode::kOnDemand;
  }
  mutable std::vector<PolicyInput> inputs;
};

TEST(SimulatorTest, BillsTheLastTickBySecond) {
  const RunResult r = SimulateRun(MakeTrace("111"), 0, SmallTerms(90, 600, 0), SpotOnlyPolicy());
  EXPECT_TRUE(r.deadline_met);
  EXPECT_NEAR(r.spot_hours, 90 / 3600.0, 1e-12);
  EXPECT_NEAR(r.cost, 90 / 3600.0, 1e-12);
  EXPECT_NEAR(r.finish_hours, 90 / 3600.0, 1e-12);
}

TEST(SimulatorTest, ChangeoverIsBilledWithoutProgress) {
  // 60 s changeover then 60 s of work; preempted at tick 2; relaunched at
  // tick 3 (another changeover); preempted again when the trace ends.
  const RunResult r =
      SimulateRun(MakeTrace("1101"), 0, SmallTerms(200, 1000, 60), SpotOnlyPolicy());
  EXPECT_EQ(r.preemptions, 2);
  EXPECT_EQ(r.launches, 2);
  EXPECT_NEAR(r.spot_hours, 180 / 3600.0, 1e-12);
  EXPECT_FALSE(r.finished);
  EXPECT_NEAR(r.finish_hours, (1000 + 200 + 60) / 3600.0, 1e-12);  // The horizon.
}

TEST(SimulatorTest, FinishesAfterAMissedDeadline) {
  const RunResult r = SimulateRun(MakeTrace("0000"), 0, SmallTerms(120, 150, 60), OnDemandPolicy());
  EXPECT_TRUE(r.finished);
  EXPECT_FALSE(r.deadline_met);
  EXPECT_NEAR(r.on_demand_hours, 180 / 3600.0, 1e-12);
  EXPECT_NEAR(r.cost, 180 * 3 / 3600.0, 1e-12);
}

TEST(SimulatorTest, SpotWhileUnavailableIsIdle) {
  const RunResult r = SimulateRun(MakeTrace("000"), 0, SmallTerms(60, 120, 0), AlwaysSpot());
  EXPECT_EQ(r.launches, 0);
  EXPECT_EQ(r.cost, 0);
  EXPECT_FALSE(r.finished);
}

TEST(SimulatorTest, StartTickOffsetsTheTrace) {
  const RunResult r = SimulateRun(MakeTrace("0001111"), 3, SmallTerms(120, 240, 0), AlwaysSpot());
  EXPECT_TRUE(r.deadline_met);
  EXPECT_NEAR(r.cost, 120 / 3600.0, 1e-12);
}

TEST(SimulatorTest, ShowsThePolicyTheJobState) {
  InputLog log;
  SimulateRun(MakeTrace("101"), 0, SmallTerms(150, 600, 30), log);
  ASSERT_GE(log.inputs.size(), 3u);
  // Tick 1: the spot launched at tick 0 (30 s changeover, 30 s of work) is lost.
  const PolicyInput& in = log.inputs[1];
  EXPECT_EQ(in.tick, 1);
  EXPECT_EQ(in.instance, Mode::kIdle);
  EXPECT_FALSE(in.spot_available);
  EXPECT_EQ(in.remaining_work_s, 120);
  EXPECT_EQ(in.time_left_s, 540);
  EXPECT_EQ(in.terms.tick_s, 60);
  // Tick 2: on-demand, launched at tick 1 (30 s changeover, 30 s of work).
  EXPECT_EQ(log.inputs[2].instance, Mode::kOnDemand);
  EXPECT_EQ(log.inputs[2].overhead_left_s, 0);
  EXPECT_EQ(log.inputs[2].remaining_work_s, 90);
}

TEST(SimulatorTest, TermsAreRoundedToWholeSeconds) {
  JobTerms t = TermsForTrace(SmallTerms(100.4, 200.6, 0.72), MakeTrace("1", 195));
  EXPECT_EQ(t.work_s, 100);
  EXPECT_EQ(t.deadline_s, 201);
  EXPECT_EQ(t.overhead_s, 1);
  EXPECT_EQ(t.tick_s, 195);
}

TEST(ExperimentTest, EvenStartsSpanTheTraceLessTheDeadline) {
  const Trace trace = MakeTrace(std::string(100, '1'));
  EXPECT_EQ(EvenStartTicks(trace, 600, 3).value(), (std::vector<int64_t>{0, 30, 60}));
  EXPECT_EQ(EvenStartTicks(trace, 590, 1).value(), (std::vector<int64_t>{0}));
  EXPECT_FALSE(EvenStartTicks(trace, 6000, 3).ok());
  EXPECT_FALSE(EvenStartTicks(trace, 600, 0).ok());
}

TEST(ExperimentTest, StartOffsetsInHours) {
  const Trace trace = MakeTrace(std::string(100, '1'));
  EXPECT_EQ(StartTicksFromHours(trace, {0, 0.5, 0.51}).value(), (std::vector<int64_t>{0, 30, 30}));
  EXPECT_FALSE(StartTicksFromHours(trace, {2}).ok());
  EXPECT_FALSE(StartTicksFromHours(trace, {-1}).ok());
}

TEST(ExperimentTest, RunsOfflineAndOnlinePolicies) {
  const Trace trace = MakeTrace("110000111111111111111");
  const JobTerms t = SmallTerms(300, 900, 120);
  std::vector<RunResult> optimal = RunPolicy("optimal", trace, {0, 2}, t).value();
  std::vector<RunResult> greedy = RunPolicy("greedy", trace, {0, 2}, t).value();
  ASSERT_EQ(optimal.size(), 2u);
  EXPECT_EQ(optimal[1].start_tick, 2);
  for (int i = 0; i < 2; ++i) EXPECT_LE(optimal[i].cost, greedy[i].cost + 1e-12);
  EXPECT_FALSE(RunPolicy("nope", trace, {0}, t).ok());
}

}  // namespace
}  // namespace spotrun
