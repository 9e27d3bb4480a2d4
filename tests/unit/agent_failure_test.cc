// An attempt whose agent fails, or vanishes, ends: the job FAILS with the
// reason instead of waiting on the instance forever.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "fakes.h"
#include "jobs/controller.h"
#include "jobs/job_driver.h"

namespace spotrun {
namespace {

namespace fs = std::filesystem;

class AgentFailureTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("spotrun-agentfail-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "job");
    store_ = std::move(Store::Open(":memory:")).value();
    Offer o;
    o.instance_type = "c.large";
    o.vcpus = 4;
    o.memory_gib = 16;
    o.on_demand_price = 0.9;
    o.spot_price = 0.2;
    o.region = "us-east-1";
    o.zone = "use1-az1";
    cloud_.offers = {o};
    cloud_.setup_host = [this](FakeHost* h) {
      h->polls = polls_;
      h->out_files = {{"logs/job.log", "log"}};
    };
    ctx_.cloud = &cloud_;
    ctx_.store = store_.get();
    ctx_.clock = &clock_;
    ctx_.reporter = &reporter_;
    ctx_.options.jobs_dir = (dir_ / "jobs").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  JobRecord Drive() {
    JobRecord j;
    j.id = "job1";
    j.name = "t";
    j.cloud = "fake";
    j.spec_path = (dir_ / "job" / "job.yaml").string();
    j.spec_text = "run: python3 train.py\nrecovery: {max_restarts: 2}\n";
    j.results_dir = (dir_ / "results").string();
    j.created_at = j.updated_at = clock_.Now();
    EXPECT_TRUE(store_->InsertJob(j).ok());
    auto state = DriveJob(ctx_, j.id);
    EXPECT_TRUE(state.ok()) << state.status().ToString();
    return store_->GetJob(j.id).value();
  }

  fs::path dir_;
  std::unique_ptr<Store> store_;
  FakeCloud cloud_;
  ManualClock clock_{1000};
  SilentReporter reporter_;
  ControllerContext ctx_;
  std::vector<FakeHost::Poll> polls_;
};

TEST_F(AgentFailureTest, AStagingErrorFailsTheJobWithItsReason) {
  polls_ = {
      {R"({"phase":"run","supervisor_alive":true})", "[spotrun] run: starting\n"},
      {R"({"phase":"done","exit_code":0,"supervisor_alive":true,)"
       R"("staging_error":"staging outputs failed: 'y/a' and another output both land at 'a'"})",
       ""}};
  JobRecord job = Drive();
  EXPECT_EQ(job.state, JobState::kFailed);
  EXPECT_EQ(job.message, "staging outputs failed: 'y/a' and another output both land at 'a'");
  EXPECT_EQ(cloud_.record.back(), "terminate i-1");  // Not restarted: it would clash again.
  EXPECT_TRUE(fs::exists(dir_ / "results" / "logs" / "job.log"));
}

TEST_F(AgentFailureTest, AVanishedAgentEndsTheAttempt) {
  polls_ = {{R"({"phase":"run","supervisor_alive":true})", "[spotrun] run: starting\n"},
            {R"({"phase":"collecting","supervisor_alive":false})", ""}};
  JobRecord job = Drive();
  EXPECT_EQ(job.state, JobState::kFailed);
  EXPECT_EQ(job.message,
            "the agent on the instance stopped in phase collecting without finishing (see "
            "logs/agent.log in the results)");
  // The logs are salvaged (agent stop stages them), then the instance goes.
  std::vector<std::string> tail(cloud_.record.end() - 3, cloud_.record.end());
  EXPECT_EQ(tail, (std::vector<std::string>{"run stop", "pull spotrun/job1/out", "terminate i-1"}));
  EXPECT_GE(clock_.Now() - 1000, kDeadAgentSeconds);
}

}  // namespace
}  // namespace spotrun
