#include <gtest/gtest.h>

#include "dashboard/job_view.h"
#include "dashboard/market_view.h"

namespace spotrun {
namespace {

AttemptRecord Attempt(int n, const std::string& market, double start, double end,
                      const std::string& outcome) {
  AttemptRecord a;
  a.job_id = "ab12cd34";
  a.number = n;
  a.instance_type = "t3.medium";
  a.zone = "use1-az2";
  a.region = "us-east-1";
  a.market = market;
  a.price_per_hour = market == "spot" ? 3.6 : 36;
  a.on_demand_price_per_hour = 36;
  a.started_at = start;
  a.ended_at = end;
  a.outcome = outcome;
  return a;
}

JobSummary Summary(JobState state, std::vector<AttemptRecord> attempts) {
  JobSummary s;
  s.job.id = "ab12cd34";
  s.job.name = "train";
  s.job.state = state;
  s.job.cloud = "local";
  s.job.created_at = 1000;
  s.job.updated_at = 1400;
  s.attempts = std::move(attempts);
  for (const auto& a : s.attempts) {
    s.cost_usd += a.Cost(1400);
    s.on_demand_cost_usd += a.OnDemandCost(1400);
    s.preemptions += a.outcome == "preempted";
  }
  return s;
}

// $3.6/h spot = $0.001/s; $36/h on demand = $0.01/s.
TEST(DashboardJobViewTest, CostSeriesPointsAtEveryStartEndAndNow) {
  const std::vector<AttemptRecord> attempts = {Attempt(1, "spot", 1010, 1110, "preempted"),
                                               Attempt(2, "on-demand", 1150, 0, "")};
  const std::vector<CostPoint> points = CostSeries(attempts, 1250);
  ASSERT_EQ(points.size(), 4u);
  const double at[] = {1010, 1110, 1150, 1250};
  const double cost[] = {0, 0.1, 0.1, 0.1 + 1.0};
  for (size_t i = 0; i < points.size(); ++i) {
    EXPECT_DOUBLE_EQ(points[i].at, at[i]);
    EXPECT_NEAR(points[i].cost, cost[i], 1e-9) << i;
    EXPECT_NEAR(points[i].on_demand, (at[i] - 1010) * 0.01, 1e-9) << i;
  }
  EXPECT_TRUE(CostSeries({}, 1250).empty());
  EXPECT_TRUE(CostSeries({Attempt(1, "spot", 0, 0, "")}, 1250).empty());  // Not launched yet.
}

TEST(DashboardJobViewTest, TimelineShowsWaitsAndThePreemptedAttempt) {
  const JobSummary s = Summary(JobState::kSucceeded, {Attempt(1, "spot", 1010, 1110, "preempted"),
                                                      Attempt(2, "spot", 1150, 1390, "succeeded")});
  const std::vector<TimelineBar> bars = Timeline(s, 2000);
  ASSERT_EQ(bars.size(), 5u);
  const BarKind kinds[] = {BarKind::kWaiting, BarKind::kPreempted, BarKind::kWaiting,
                           BarKind::kSpot, BarKind::kWaiting};
  const double starts[] = {1000, 1010, 1110, 1150, 1390};
  const double ends[] = {1010, 1110, 1150, 1390, 1400};
  for (size_t i = 0; i < bars.size(); ++i) {
    EXPECT_EQ(bars[i].kind, kinds[i]) << i;
    EXPECT_DOUBLE_EQ(bars[i].start, starts[i]) << i;
    EXPECT_DOUBLE_EQ(bars[i].end, ends[i]) << i;
  }
  EXPECT_STREQ(BarKindName(BarKind::kOnDemand), "on-demand");
}

TEST(DashboardJobViewTest, AnOpenAttemptRunsUntilNow) {
  const JobSummary s = Summary(JobState::kRunning, {Attempt(1, "on-demand", 1010, 0, "")});
  const std::vector<TimelineBar> bars = Timeline(s, 1500);
  ASSERT_EQ(bars.size(), 2u);
  EXPECT_EQ(bars[1].kind, BarKind::kOnDemand);
  EXPECT_DOUBLE_EQ(bars[1].end, 1500);
}

TEST(DashboardJobViewTest, JobJson) {
  JobSummary s = Summary(JobState::kRunning, {Attempt(1, "spot", 1010, 1110, "preempted"),
                                              Attempt(2, "spot", 1150, 0, "")});
  s.instance_type = "t3.medium";
  s.zone = "use1-az2";
  s.market = "spot";
  s.progress = 0.25;
  s.deadline_at = 5000;
  const std::vector<EventRecord> events = {
      {1001, "PROVISIONING", "choosing"}, {1200, "PROGRESS", "0.25"}, {1300, "GPUS", "{}"}};
  const nlohmann::json j = JobDetailJson(s, events, 1250);
  EXPECT_EQ(j["id"], "ab12cd34");
  EXPECT_EQ(j["state"], "RUNNING");
  EXPECT_EQ(j["finished"], false);
  EXPECT_EQ(j["attempts"], 2);
  EXPECT_EQ(j["preemptions"], 1);
  EXPECT_EQ(j["progress"], 0.25);
  EXPECT_EQ(j["deadline_at"], 5000.0);
  EXPECT_EQ(j["attempt_history"][0]["outcome"], "preempted");
  EXPECT_EQ(j["attempt_history"][1]["outcome"], "running");
  EXPECT_EQ(j["timeline"][1]["kind"], "preempted");
  EXPECT_EQ(j["timeline"][3]["kind"], "spot");
  ASSERT_EQ(j["phases"].size(), 1u);  // PROGRESS and GPUS are not phases.
  EXPECT_EQ(j["phases"][0]["kind"], "PROVISIONING");
  ASSERT_EQ(j["progress_history"].size(), 1u);
  EXPECT_EQ(j["progress_history"][0]["fraction"], 0.25);
  EXPECT_EQ(j["cost_series"].size(), 4u);
  EXPECT_EQ(JobRowJson(s)["name"], "train");
}

TEST(DashboardJobViewTest, TraceOfTheZoneElseOfItsRegion) {
  const std::vector<std::string> names = {"traces/availability/us-east-1a_v100_1.json",
                                          "traces/availability/us-west-2a_v100_1.json"};
  TraceChoice c = ChooseTrace(names, "us-west-2a", "us-west-2");
  EXPECT_EQ(c.match, TraceMatch::kZone);
  EXPECT_EQ(c.name, names[1]);
  c = ChooseTrace(names, "use1-az2", "us-east-1");
  EXPECT_EQ(c.match, TraceMatch::kRegion);
  EXPECT_EQ(c.name, names[0]);
  EXPECT_EQ(ChooseTrace(names, "euw1-az1", "eu-west-1").match, TraceMatch::kNone);
}

TEST(DashboardJobViewTest, AvailabilityPointsAverageBuckets) {
  Trace t;
  t.gap_s = 1800;
  t.available = {1, 1, 0, 0, 1};
  const nlohmann::json p = AvailabilityPoints(t, 3);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0]["available"], 1.0);
  EXPECT_EQ(p[1]["available"], 0.0);
  EXPECT_EQ(p[2]["hours"], 2.0);
  EXPECT_EQ(p[2]["available"], 1.0);
}

}  // namespace
}  // namespace spotrun
