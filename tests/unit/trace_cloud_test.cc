// TraceCloud (sim/trace_cloud.h): one market of a trace shared by the jobs
// of a replay. The market takes every job's spot instances back at the same
// ticks, and each job's work is its own.
#include "sim/trace_cloud.h"

#include <gtest/gtest.h>

#include <string>

#include "sim/sim_clock.h"

namespace spotrun {
namespace {

Trace TenMinuteTicks() {
  Trace t;
  t.name = "zone-a";
  t.gap_s = 600;
  t.available = {1, 1, 1, 0, 1, 1, 1, 1};  // No spot at tick 3 (1800-2400 s).
  return t;
}

LaunchRequest SpotFor(const std::string& job) {
  LaunchRequest r;
  r.market = Market::kSpot;
  r.instance_type = TraceCloud::kInstanceType;
  r.tags[kTagJobId] = job;
  r.client_token = job + "-1";
  return r;
}

void StartAgent(TraceCloud& market, const Instance& i) {
  std::string out;
  ASSERT_EQ(market.AgentCommand(i.id, "agent start x", &out).value(), 0);
}

TEST(TraceCloudTest, JobsOnOneMarketShareItsTicksAndKeepTheirOwnWork) {
  const Trace trace = TenMinuteTicks();
  JobTerms terms;
  terms.work_s = 3000;
  terms.overhead_s = 0;
  SimClock clock(1000);
  TraceCloud market(trace, terms, &clock);
  // Job a starts at tick 0, job b at tick 1 (600 s later).
  Instance a = market.Launch(SpotFor("a")).value();
  StartAgent(market, a);
  clock.Advance(600);
  Instance b = market.Launch(SpotFor("b")).value();
  StartAgent(market, b);
  EXPECT_NE(a.id, b.id);
  clock.Advance(1500);  // 2100 s: tick 3, no spot.
  // Both are taken back at the start of tick 3, at 1800 s.
  EXPECT_EQ(market.Describe(a.id)->state, InstanceState::kTerminated);
  EXPECT_EQ(market.Describe(b.id)->state, InstanceState::kTerminated);
  EXPECT_DOUBLE_EQ(market.Describe(b.id)->end_time, 1000 + 1800);
  EXPECT_DOUBLE_EQ(market.WorkDone("a"), 1800);
  EXPECT_DOUBLE_EQ(market.WorkDone("b"), 1200);
  // No spot for anyone during tick 3.
  EXPECT_EQ(market.Launch(SpotFor("c")).status().code(), Code::kCapacity);
  EXPECT_EQ(market.FinishedAt("a"), 0);
  // Job a's next instance finishes its work; b's is its own.
  clock.Advance(300);  // 2400 s: tick 4.
  LaunchRequest again = SpotFor("a");
  again.client_token = "a-2";
  Instance a2 = market.Launch(again).value();
  StartAgent(market, a2);
  clock.Advance(1500);
  (void)market.Describe(a2.id);
  EXPECT_DOUBLE_EQ(market.FinishedAt("a"), 1000 + 2400 + 1200);
  EXPECT_DOUBLE_EQ(market.WorkDone("b"), 1200);
  EXPECT_EQ(market.FinishedAt("b"), 0);
}

}  // namespace
}  // namespace spotrun
