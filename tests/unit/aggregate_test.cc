#include "sim/aggregate.h"

#include <gtest/gtest.h>

namespace spotrun {
namespace {

TEST(PercentileTest, InterpolatesBetweenRanks) {
  EXPECT_NEAR(Percentile({10, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 0.9), 9.1, 1e-12);
  EXPECT_EQ(Percentile({1, 2, 3}, 0.5), 2);
  EXPECT_EQ(Percentile({1, 2, 3}, 1), 3);
  EXPECT_EQ(Percentile({1, 2, 3}, 0), 1);
  EXPECT_EQ(Percentile({5}, 0.9), 5);
  EXPECT_EQ(Percentile({}, 0.9), 0);
}

TEST(ScoreTest, ZeroAtOnDemandAndHundredAtAllSpot) {
  JobTerms t;  // 48 h, $3.06 and $0.9731.
  const double on_demand = 48 * 3.06, spot = 48 * 0.9731;
  EXPECT_NEAR(Score(on_demand, t), 0, 1e-9);
  EXPECT_NEAR(Score(spot, t), 100, 1e-9);
  EXPECT_NEAR(Score((on_demand + spot) / 2, t), 50, 1e-9);
  EXPECT_LT(Score(on_demand + 1, t), 0);  // Not clipped.
  t.spot_price = t.on_demand_price;
  EXPECT_EQ(Score(10, t), 0);
}

TEST(SummarizeTest, AggregatesRuns) {
  JobTerms t;
  std::vector<RunResult> runs(4);
  for (int i = 0; i < 4; ++i) {
    runs[i].cost = 100 + 10 * i;
    runs[i].deadline_met = i != 2;
    runs[i].spot_hours = i;
    runs[i].on_demand_hours = 1;
    runs[i].launches = 2;
  }
  const Summary s = Summarize("p", runs, t);
  EXPECT_EQ(s.policy, "p");
  EXPECT_EQ(s.runs, 4);
  EXPECT_EQ(s.misses, 1);
  EXPECT_NEAR(s.mean_cost, 115, 1e-12);
  EXPECT_NEAR(s.p90_cost, 127, 1e-12);  // 120 + 0.7 x 10.
  EXPECT_NEAR(s.spot_hours, 1.5, 1e-12);
  EXPECT_NEAR(s.on_demand_hours, 1, 1e-12);
  EXPECT_NEAR(s.launches, 2, 1e-12);
  EXPECT_NEAR(s.score, Score(115, t), 1e-12);
  EXPECT_EQ(Summarize("none", {}, t).runs, 0);
}

}  // namespace
}  // namespace spotrun
