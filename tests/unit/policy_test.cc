// Pins each online policy's decisions and cost on small hand-made traces:
// 60 s ticks, $3/h on-demand, $1/h spot.
#include <gtest/gtest.h>

#include "policy/baseline_policies.h"
#include "policy/spotrun_policy.h"
#include "sim/simulator.h"
#include "sim_test_util.h"

namespace spotrun {
namespace {

struct Replay {
  std::string decisions;
  RunResult result;
};

Replay Play(const Policy& policy, const std::string& pattern, const JobTerms& terms) {
  RecordingPolicy recorder(policy);
  RunResult r = SimulateRun(MakeTrace(pattern), 0, terms, recorder);
  return {recorder.log(), r};
}

// 300 s of work, 120 s changeover. Trace A: spot for two ticks, then lost
// for two; trace B: spot for two ticks, lost for four, then back.
constexpr char kTraceA[] = "1100111111";
constexpr char kTraceB[] = "110000111111111";
const JobTerms kTight = SmallTerms(300, 600, 120);
const JobTerms kLoose = SmallTerms(300, 900, 120);

TEST(OnDemandPolicyTest, RunsOnDemandThroughout) {
  Replay r = Play(OnDemandPolicy(), kTraceB, kLoose);
  EXPECT_EQ(r.decisions, "OOOOOOO");  // 2 ticks of changeover, 5 of work.
  EXPECT_NEAR(r.result.cost, 420 * 3 / 3600.0, 1e-12);
  EXPECT_TRUE(r.result.deadline_met);
  EXPECT_EQ(r.result.launches, 1);
}

TEST(SpotOnlyPolicyTest, WaitsForSpot) {
  Replay r = Play(SpotOnlyPolicy(), kTraceB, kLoose);
  EXPECT_EQ(r.decisions, "SSIIIISSSSSSS");
  EXPECT_NEAR(r.result.cost, 540 / 3600.0, 1e-12);
  EXPECT_EQ(r.result.preemptions, 1);
  EXPECT_EQ(r.result.launches, 2);
}

TEST(SpotOnlyPolicyTest, MissesWhenSpotNeverReturns) {
  Replay r = Play(SpotOnlyPolicy(), "11", kLoose);
  EXPECT_FALSE(r.result.finished);
  EXPECT_FALSE(r.result.deadline_met);
}

TEST(GreedyPolicyTest, SafetyNetGoesOnDemandToTheEnd) {
  // After the preemption at tick 2 the slack is 180 s < 2d = 240 s.
  Replay r = Play(GreedyPolicy(), kTraceA, kTight);
  EXPECT_EQ(r.decisions, "SSOOOOOOO");
  EXPECT_NEAR(r.result.cost, (120 * 1 + 420 * 3) / 3600.0, 1e-12);
  EXPECT_TRUE(r.result.deadline_met);
}

TEST(GreedyPolicyTest, IdlesWhileSlackLasts) {
  Replay r = Play(GreedyPolicy(), kTraceB, kLoose);
  EXPECT_EQ(r.decisions, "SSIIIISSSSSSS");
  EXPECT_NEAR(r.result.cost, 540 / 3600.0, 1e-12);
  EXPECT_NEAR(r.result.finish_hours, 780 / 3600.0, 1e-12);
}

TEST(UniformProgressPolicyTest, BehindGoesOnDemandThenTakesSpot) {
  // ep(t) = t / 3. Tick 2: idle and behind -> on-demand; hysteresis keeps it
  // until spot returns at tick 6, which it takes at once.
  Replay r = Play(UniformProgressPolicy(), kTraceB, kLoose);
  EXPECT_EQ(r.decisions, "SSOOOOSSSSS");
  EXPECT_NEAR(r.result.cost, (420 * 1 + 240 * 3) / 3600.0, 1e-12);
  EXPECT_EQ(r.result.launches, 3);
}

TEST(UniformProgressPolicyTest, AheadGoesIdleFromOnDemand) {
  // Deadline 1500 s: ep(t) = t / 5. On-demand from tick 2 until progress
  // >= ep(t + 2d), then idle until spot returns.
  Replay r = Play(UniformProgressPolicy(), "11000000001111111111", SmallTerms(300, 1500, 120));
  EXPECT_EQ(r.decisions, "SSOOOOIIIISSSSS");
  EXPECT_TRUE(r.result.deadline_met);
}

TEST(UniformProgressPolicyTest, SafetyNetMatchesGreedy) {
  Replay r = Play(UniformProgressPolicy(), kTraceA, kTight);
  EXPECT_EQ(r.decisions, "SSOOOOOOO");
}

// The first round's constants: no switch reserve, no end game. The tests
// below pin the rules with explicit constants, not the tuned ones.
SpotrunParams FirstRound() {
  SpotrunParams p;
  p.idle = {0.5, 0.3, 0};
  p.switch_from_od = {0, 0, 0};
  p.min_work_to_switch = 0;
  return p;
}

TEST(SpotrunPolicyTest, WaitsWhileSlackExceedsReserveThenCommits) {
  // Reserve = 300 x R / 900 + 0.3 x 120 x R / 3600. It waits through the
  // outage; at tick 6 slack 240 < 2d + tick = 300 commits it to on-demand.
  Replay r = Play(SpotrunPolicy(FirstRound()), kTraceB, kLoose);
  EXPECT_EQ(r.decisions, "SSIIIIOOOOOOO");
  EXPECT_TRUE(r.result.deadline_met);
}

// 3000 s of work, deadline 6000 s, no spot for 40 ticks: reserve = 0.26 x
// time left. Idle while the slack exceeds it (33 ticks), then on-demand.
const std::string kLateSpot = std::string(40, '0') + std::string(60, '1');
const JobTerms kLateTerms = SmallTerms(3000, 6000, 120);

TEST(SpotrunPolicyTest, StaysOnDemandUntilSpotReturns) {
  // On-demand is kept while spot is down and left for spot at tick 40.
  Replay r = Play(SpotrunPolicy(FirstRound()), kLateSpot, kLateTerms);
  EXPECT_EQ(r.decisions, std::string(33, 'I') + std::string(7, 'O') + std::string(47, 'S'));
  EXPECT_NEAR(r.result.cost, (420 * 3 + 2820 * 1) / 3600.0, 1e-12);
  EXPECT_TRUE(r.result.deadline_met);
}

TEST(SpotrunPolicyTest, StaysOnDemandBelowTheSwitchReserve) {
  // At tick 40 the slack is 900 s (3600 left, 2700 of work): below a switch
  // reserve of 8 changeovers (960 s), so it stays on-demand to the end.
  SpotrunParams p = FirstRound();
  p.switch_from_od.fixed = 8;
  Replay r = Play(SpotrunPolicy(p), kLateSpot, kLateTerms);
  EXPECT_EQ(r.decisions, std::string(33, 'I') + std::string(52, 'O'));
  EXPECT_NEAR(r.result.cost, 3120 * 3 / 3600.0, 1e-12);
  p.switch_from_od.fixed = 7;  // 840 s: it moves to spot.
  EXPECT_EQ(Play(SpotrunPolicy(p), kLateSpot, kLateTerms).decisions,
            std::string(33, 'I') + std::string(7, 'O') + std::string(47, 'S'));
}

TEST(SpotrunPolicyTest, StaysOnDemandForTheLastFewChangeoversOfWork) {
  // At tick 40, 2700 s of work are left: fewer than 23 changeovers (2760 s),
  // more than 22 (2640 s).
  SpotrunParams p = FirstRound();
  p.min_work_to_switch = 23;
  EXPECT_EQ(Play(SpotrunPolicy(p), kLateSpot, kLateTerms).decisions,
            std::string(33, 'I') + std::string(52, 'O'));
  p.min_work_to_switch = 22;
  EXPECT_EQ(Play(SpotrunPolicy(p), kLateSpot, kLateTerms).decisions,
            std::string(33, 'I') + std::string(7, 'O') + std::string(47, 'S'));
}

TEST(SpotrunPolicyTest, ReservesShrinkWithTimeLeft) {
  SpotrunParams p;
  p.idle = {0.6, 0.3, 1};
  p.switch_from_od = {0.7, 0.1, 2};
  SpotrunPolicy policy(p);
  PolicyInput in;
  in.terms = SmallTerms(300, 900, 120);
  in.time_left_s = 900;
  EXPECT_NEAR(policy.Reserve(in), 0.6 * 600 + 0.3 * 120 * 900 / 3600 + 120, 1e-9);
  EXPECT_NEAR(policy.SwitchReserve(in), 0.7 * 600 + 0.1 * 120 * 900 / 3600 + 240, 1e-9);
  in.time_left_s = 0;
  EXPECT_NEAR(policy.Reserve(in), 120, 1e-9);
  EXPECT_NEAR(policy.SwitchReserve(in), 240, 1e-9);
}

TEST(SafetyNetTest, FiresOffSpotBelowTwoChangeovers) {
  PolicyInput in;
  in.terms = SmallTerms(300, 600, 120);
  in.remaining_work_s = 300;
  in.time_left_s = 539;
  EXPECT_TRUE(SafetyNetFires(in));
  in.time_left_s = 540;
  EXPECT_FALSE(SafetyNetFires(in));
  in.time_left_s = 400;
  in.instance = Mode::kSpot;
  EXPECT_FALSE(SafetyNetFires(in));
}

}  // namespace
}  // namespace spotrun
