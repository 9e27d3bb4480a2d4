#include "sim/replay.h"

#include <gtest/gtest.h>

#include <chrono>
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
  std::string scratch_;
};

TEST_F(ReplayTest, CompareModel) {
  auto trace = LoadTrace(std::string(SPOTRUN_SOURCE_DIR) + "/data/traces/availability/us-east-1c_v100_1.json", std::nullopt);
  ASSERT_TRUE(trace.ok());
  JobTerms t;
  t.work_s = 48 * 3600;
  t.deadline_s = 52 * 3600;
  t.overhead_s = 0.2 * 3600;
  auto starts = EvenStartTicks(*trace, t.deadline_s, 20);
  for (std::string name : PolicyNames()) {
    auto t0 = std::chrono::steady_clock::now();
    auto model = RunPolicy(name, *trace, *starts, t);
    auto t1 = std::chrono::steady_clock::now();
    auto replay = ReplayPolicy(name, *trace, *starts, t, scratch_);
    auto t2 = std::chrono::steady_clock::now();
    ASSERT_TRUE(replay.ok()) << replay.status().message();
    double mc = 0, rc = 0; int mm = 0, rm = 0;
    for (size_t i = 0; i < starts->size(); ++i) {
      mc += (*model)[i].cost; rc += (*replay)[i].cost;
      mm += !(*model)[i].deadline_met; rm += !(*replay)[i].deadline_met;
    }
    printf("%-18s model $%.2f miss %d | replay $%.2f miss %d | %.3f s vs %.3f s\n", name.c_str(), mc / 20, mm, rc / 20, rm,
           std::chrono::duration<double>(t1 - t0).count(), std::chrono::duration<double>(t2 - t1).count());
  }
}

}  // namespace
}  // namespace spotrun
namespace spotrun {
TEST(ReplayDebug, One) {
  auto trace = LoadTrace(std::string(SPOTRUN_SOURCE_DIR) + "/data/traces/availability/us-east-1c_v100_1.json", std::nullopt);
  JobTerms t;
  t.work_s = 48 * 3600;
  t.deadline_s = 52 * 3600;
  t.overhead_s = 0.2 * 3600;
  auto starts = EvenStartTicks(*trace, t.deadline_s, 20);
  for (int64_t s : *starts) { if (getenv("ONLY") && std::to_string(s) != getenv("ONLY")) continue;
    auto m = RunPolicy("uniform-progress", *trace, {s}, t);
    auto r = ReplayRun(*trace, s, t, "uniform-progress", "/tmp/rd");
    printf("start %lld model %.2f launches %d pre %d spot %.1f od %.1f | replay %.2f launches %d pre %d spot %.1f od %.1f\n", (long long)s, (*m)[0].cost, (*m)[0].launches, (*m)[0].preemptions, (*m)[0].spot_hours, (*m)[0].on_demand_hours,
           r->cost, r->launches, r->preemptions, r->spot_hours, r->on_demand_hours);
  }
}
}
