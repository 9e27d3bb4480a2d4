#include "store/store.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>
#include <vector>

namespace spotrun {
namespace {

JobRecord MakeJob(const std::string& id, const std::string& name, double at) {
  JobRecord j;
  j.id = id;
  j.name = name;
  j.cloud = "local";
  j.spec_path = "/x/job.yaml";
  j.spec_text = "run: x\n";
  j.results_dir = "/r";
  j.created_at = j.updated_at = at;
  return j;
}

TEST(StoreTest, JobsRoundTripAndNamesFindTheNewest) {
  auto store = std::move(Store::Open(":memory:")).value();
  ASSERT_TRUE(store->InsertJob(MakeJob("aaaa0001", "train", 10)).ok());
  ASSERT_TRUE(store->InsertJob(MakeJob("aaaa0002", "train", 20)).ok());
  EXPECT_EQ(store->GetJob("train")->id, "aaaa0002");
  EXPECT_EQ(store->GetJob("aaaa0001")->id, "aaaa0001");
  EXPECT_EQ(store->GetJob("nope").status().code(), Code::kNotFound);
  JobRecord j = *store->GetJob("aaaa0001");
  j.state = JobState::kRunning;
  j.message = "m";
  ASSERT_TRUE(store->UpdateJob(j).ok());
  EXPECT_EQ(store->GetJob("aaaa0001")->state, JobState::kRunning);
  EXPECT_EQ(store->ListJobs()->size(), 2u);
}

TEST(StoreTest, ResultsDirsUnderAPrefixAreThoseInsideIt) {
  auto store = std::move(Store::Open(":memory:")).value();
  const std::vector<std::string> dirs = {"/w/proj",  "/w/proj/r1", "/w/proj/sub/r2", "/w/projx/r3",
                                         "/w/proj0", "/w/pro",     "/v/proj/r4"};
  for (size_t i = 0; i < dirs.size(); ++i) {
    JobRecord j = MakeJob("j" + std::to_string(i), "n", static_cast<double>(i));
    j.results_dir = dirs[i];
    ASSERT_TRUE(store->InsertJob(j).ok());
  }
  auto under = store->ResultsDirsUnder({"/w/proj", "/v"});
  ASSERT_TRUE(under.ok()) << under.status().message();
  std::sort(under->begin(), under->end());
  EXPECT_EQ(*under, (std::vector<std::string>{"/v/proj/r4", "/w/proj/r1", "/w/proj/sub/r2"}));
}

TEST(StoreTest, UnfinishedJobsLeaveOutTheFinishedOnes) {
  auto store = std::move(Store::Open(":memory:")).value();
  const JobState states[] = {JobState::kPending, JobState::kRunning,   JobState::kSucceeded,
                             JobState::kFailed,  JobState::kCancelled, JobState::kSettingUp};
  for (int i = 0; i < 6; ++i) {
    JobRecord j = MakeJob("u" + std::to_string(i), "n", i);
    j.state = states[i];
    ASSERT_TRUE(store->InsertJob(j).ok());
  }
  auto all = store->ListJobs();
  auto open = store->ListJobs(/*unfinished_only=*/true);
  ASSERT_TRUE(all.ok() && open.ok());
  EXPECT_EQ(all->size(), 6u);
  std::vector<std::string> ids;
  for (const JobRecord& j : *open) ids.push_back(j.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"u0", "u1", "u5"}));
}

TEST(StoreTest, CancelRequestSurvivesALaterUpdate) {
  auto store = std::move(Store::Open(":memory:")).value();
  JobRecord j = MakeJob("b1", "n", 1);
  ASSERT_TRUE(store->InsertJob(j).ok());
  ASSERT_TRUE(store->RequestCancel("b1").ok());
  j.state = JobState::kRunning;  // A controller holding an old copy writes it back.
  ASSERT_TRUE(store->UpdateJob(j).ok());
  EXPECT_TRUE(store->GetJob("b1")->cancel_requested);
}

TEST(StoreTest, AttemptsAndCostPerSecond) {
  auto store = std::move(Store::Open(":memory:")).value();
  ASSERT_TRUE(store->InsertJob(MakeJob("c1", "n", 1)).ok());
  AttemptRecord a;
  a.job_id = "c1";
  a.number = 1;
  a.client_token = "c1-a1";
  a.price_per_hour = 3.6;
  a.on_demand_price_per_hour = 7.2;
  a.started_at = 100;
  ASSERT_TRUE(store->UpsertAttempt(a).ok());
  auto got = store->Attempts("c1").value();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_DOUBLE_EQ(got[0].Cost(110), 0.01);  // 10 s at $3.6/h.
  EXPECT_DOUBLE_EQ(got[0].OnDemandCost(110), 0.02);
  a.ended_at = 105;
  ASSERT_TRUE(store->UpsertAttempt(a).ok());
  EXPECT_DOUBLE_EQ(store->Attempts("c1").value()[0].Cost(1e9), 0.005);
}

TEST(StoreTest, PersistsAcrossOpens) {
  auto path =
      std::filesystem::temp_directory_path() / ("spotrun-store-" + std::to_string(getpid()));
  std::filesystem::remove_all(path);
  std::filesystem::create_directories(path);
  {
    auto store = std::move(Store::Open((path / "state.db").string())).value();
    ASSERT_TRUE(store->InsertJob(MakeJob("d1", "n", 1)).ok());
    ASSERT_TRUE(store->AddEvent("d1", 2, "PROVISIONING", "x").ok());
  }
  auto store = std::move(Store::Open((path / "state.db").string())).value();
  EXPECT_EQ(store->GetJob("d1")->name, "n");
  EXPECT_EQ(store->Events("d1")->at(0).kind, "PROVISIONING");
  std::filesystem::remove_all(path);
}

// Two `spotrun launch` at once on a new SPOTRUN_HOME both create the store:
// the second must find it made, not fail with "table jobs already exists".
TEST(StoreTest, ProcessesOpeningANewStoreAtOnceAllSucceed) {
  auto dir =
      std::filesystem::temp_directory_path() / ("spotrun-store-race-" + std::to_string(getpid()));
  for (int round = 0; round < 10; ++round) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::string path = (dir / "state.db").string();
    const auto start = std::chrono::steady_clock::now() + std::chrono::milliseconds(50);
    std::vector<pid_t> children;
    for (int i = 0; i < 4; ++i) {
      const pid_t pid = fork();
      ASSERT_GE(pid, 0);
      if (pid == 0) {
        std::this_thread::sleep_until(start);
        auto store = Store::Open(path);
        if (!store.ok()) fprintf(stderr, "%s\n", store.status().ToString().c_str());
        _exit(store.ok() ? 0 : 1);
      }
      children.push_back(pid);
    }
    for (pid_t pid : children) {
      int ws = 0;
      ASSERT_EQ(waitpid(pid, &ws, 0), pid);
      EXPECT_TRUE(WIFEXITED(ws) && WEXITSTATUS(ws) == 0) << "round " << round;
    }
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace spotrun
