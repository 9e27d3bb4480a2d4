#include "cloud/local/market.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace spotrun {
namespace {

TEST(MarketTest, PreemptAtAppliesToSuccessiveSpotInstances) {
  MarketPlan plan;
  plan.preempt_at = {6, 9};
  auto a = NextSpotLaunch(&plan, 0).value();
  auto b = NextSpotLaunch(&plan, 0).value();
  auto c = NextSpotLaunch(&plan, 0).value();
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(a->after_run_start);
  EXPECT_EQ(a->seconds, 6);
  EXPECT_EQ(b->seconds, 9);
  EXPECT_FALSE(c);  // The third instance is never taken back.
  EXPECT_EQ(plan.launched, 3);
}

TEST(MarketTest, RateIsRandomButSeeded) {
  MarketPlan p1, p2;
  p1.rate_per_hour = p2.rate_per_hour = 3600;  // One a second on average.
  double sum = 0;
  for (int i = 0; i < 200; ++i) {
    auto s1 = NextSpotLaunch(&p1, 0).value();
    auto s2 = NextSpotLaunch(&p2, 0).value();
    ASSERT_TRUE(s1 && s2);
    EXPECT_EQ(s1->seconds, s2->seconds);
    sum += s1->seconds;
  }
  EXPECT_NEAR(sum / 200, 1.0, 0.25);
}

TEST(MarketTest, TraceGatesLaunchesAndSchedulesTheReclaim) {
  auto path =
      std::filesystem::temp_directory_path() / ("spotrun-trace-" + std::to_string(getpid()));
  // Availability encoding: 0 = available. Ticks of 60 s: up for 8, down, up.
  std::ofstream(path)
      << R"({"metadata": {"gap_seconds": 60}, "data": [0, 0, 0, 0, 0, 0, 0, 0, 1, 0]})";
  MarketPlan plan;
  plan.trace_path = path.string();
  plan.trace_encoding = "availability";
  plan.trace_speed = 60;  // One tick per second.
  plan.started_at = 1000;
  auto s = NextSpotLaunch(&plan, 1000.5).value();  // Trace time 30 s, tick 0.
  ASSERT_TRUE(s);
  EXPECT_FALSE(s->after_run_start);
  EXPECT_DOUBLE_EQ(s->seconds, 7.5);  // Tick 8 starts at 480 s of trace = 7.5 s from now.
  // Within the notice of that reclaim (kLocalNoticeSeconds), the capacity
  // being taken back is not offered: no replacement in the market it leaves.
  auto reclaiming = NextSpotLaunch(&plan, 1004.5);
  EXPECT_EQ(reclaiming.status().code(), Code::kCapacity);
  auto down = NextSpotLaunch(&plan, 1008.2);  // Tick 8.
  EXPECT_EQ(down.status().code(), Code::kCapacity);
  EXPECT_EQ(plan.launched, 1);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace spotrun
