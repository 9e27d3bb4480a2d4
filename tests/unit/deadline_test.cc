#include "jobs/deadline.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace spotrun {
namespace {

JobSpec DeadlineSpec(const std::string& policy, double work_h, double deadline_h) {
  JobSpec spec;
  spec.run = "x";
  spec.policy = policy;
  spec.budget.expected_s = work_h * 3600;
  spec.deadline_s = deadline_h * 3600;
  return spec;
}

TEST(DeadlinePlannerTest, NeedsADeadline) {
  JobSpec spec;
  EXPECT_FALSE(DeadlinePlanner::Make(spec, 0, 720, 60, 3.06, 0.97).ok());
}

TEST(DeadlinePlannerTest, TakesSpotWithSlackAndOnDemandWithout) {
  auto p =
      std::move(DeadlinePlanner::Make(DeadlineSpec("default", 48, 70), 0, 720, 60, 3.06, 0.9731))
          .value();
  EXPECT_EQ(p->Decide(Mode::kIdle, true, 0), Mode::kSpot);
  // 60 h in with nothing done: only on-demand can still make it.
  EXPECT_EQ(p->Decide(Mode::kIdle, false, 60 * 3600.0), Mode::kOnDemand);
  EXPECT_EQ(p->Decide(Mode::kIdle, true, 60 * 3600.0), Mode::kOnDemand);
}

TEST(DeadlinePlannerTest, ProgressCountsRunTimeAcrossAttempts) {
  auto p = std::move(DeadlinePlanner::Make(DeadlineSpec("greedy", 10, 12), 0, 60, 60, 3.06, 0.97))
               .value();
  p->RunStarted(100, 40);
  EXPECT_DOUBLE_EQ(p->progress_s(400), 300);
  p->RunEnded(400);
  EXPECT_DOUBLE_EQ(p->progress_s(1000), 300);
  p->RunStarted(1000, 900);
  EXPECT_DOUBLE_EQ(p->progress_s(1100), 400);
  // Rebuilt from the events after a controller restart.
  auto q = std::move(DeadlinePlanner::Make(DeadlineSpec("greedy", 10, 12), 0, 60, 60, 3.06, 0.97))
               .value();
  q->RestoreFrom({{100, "RUNNING", ""},
                  {400, "PREEMPTED", ""},
                  {450, "PROVISIONING", ""},
                  {1000, "RUNNING", ""}});
  EXPECT_DOUBLE_EQ(q->progress_s(1100), 400);
}

TEST(DeadlinePlannerTest, ReportedProgressRefinesTheEstimate) {
  auto p = std::move(DeadlinePlanner::Make(DeadlineSpec("greedy", 10, 12), 0, 60, 60, 3.06, 0.97))
               .value();
  p->RunStarted(100, 0);
  // Too little to measure a rate: the expected length, less what was reported.
  p->ReportProgress(0.0, 100);
  p->ReportProgress(0.01, 400);
  EXPECT_DOUBLE_EQ(p->work_estimate_s(), 10 * 3600);
  EXPECT_DOUBLE_EQ(p->remaining_work_s(400), 0.99 * 10 * 3600);
  // 5% in 1000 s: the job takes 20000 s, not 36000 s.
  p->ReportProgress(0.05, 1100);
  EXPECT_DOUBLE_EQ(p->work_estimate_s(), 20000);
  EXPECT_DOUBLE_EQ(p->remaining_work_s(1100), 19000);
  // Work goes on between reports.
  EXPECT_DOUBLE_EQ(p->remaining_work_s(1200), 18900);
  // Preempted; the next attempt resumes from a checkpoint at 4%: the lost
  // percent is work left again, which run time alone would not show.
  p->RunEnded(1200);
  EXPECT_DOUBLE_EQ(p->remaining_work_s(2000), 19000);
  p->RunStarted(2000, 1900);
  p->ReportProgress(0.04, 2000);
  EXPECT_DOUBLE_EQ(p->remaining_work_s(2000), 0.96 * 20000);
  // A new controller takes the last reported fraction from the events.
  auto q = std::move(DeadlinePlanner::Make(DeadlineSpec("greedy", 10, 12), 0, 60, 60, 3.06, 0.97))
               .value();
  q->RestoreFrom({{0, "RUNNING", ""}, {900, "PROGRESS", "0.2500"}, {1000, "PREEMPTED", ""}});
  EXPECT_DOUBLE_EQ(q->remaining_work_s(5000), 0.75 * 10 * 3600);
}

TEST(DeadlinePlannerTest, OnDemandPolicyNeverTakesSpot) {
  auto p =
      std::move(DeadlinePlanner::Make(DeadlineSpec("on-demand", 1, 100), 0, 60, 60, 3.06, 0.97))
          .value();
  EXPECT_EQ(p->Decide(Mode::kIdle, true, 0), Mode::kOnDemand);
}

}  // namespace
}  // namespace spotrun
