// The controller under faults: each scenario wraps the fake cloud in a
// FaultyCloud (its hosts in FaultyHosts), runs a job on the manual clock, and
// compares the fake's whole record, the injected faults in their place.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cloud/faulty_cloud.h"
#include "fakes.h"
#include "jobs/controller.h"
#include "util/sha256.h"

namespace spotrun {
namespace {

namespace fs = std::filesystem;
using Record = std::vector<std::string>;

Offer MakeOffer(const std::string& type, const std::string& zone, double spot, double od) {
  Offer o;
  o.instance_type = type;
  o.vcpus = 4;
  o.memory_gib = 16;
  o.on_demand_price = od;
  o.spot_price = spot;
  o.region = "us-east-1";
  o.zone = zone;
  return o;
}

// The agent's snapshot directory holding checkpoint generation `gen`.
std::map<std::string, std::string> Snapshot(int gen) {
  const std::string weights = "weights of generation " + std::to_string(gen);
  nlohmann::json manifest = {
      {"generation", gen},
      {"files",
       {{{"path", "model.ckpt"}, {"size", weights.size()}, {"sha256", Sha256OfBytes(weights)}}}}};
  return {{"MANIFEST.json", manifest.dump()}, {"files/model.ckpt", weights}};
}

class ControllerFaultTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("spotrun-fault-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "job");
    std::ofstream(dir_ / "job" / "data.csv") << "x\n1\n";
    std::ofstream(dir_ / "job" / "train.py") << "print('training')\n";
    store_ = std::move(Store::Open(":memory:")).value();
    fake_.clock = &clock_;
    fake_.offers = {MakeOffer("c.large", "use1-az1", 0.20, 0.9),
                    MakeOffer("c.large", "use1-az2", 0.22, 0.9),
                    MakeOffer("m.large", "use1-az3", 0.30, 1.0)};
    fake_.setup_host = [this](FakeHost* h) {
      auto script = polls_.find(h->instance_id);
      h->polls = script != polls_.end() ? script->second : short_run_;
      h->out_files = {{"model.pkl", "weights"}, {"logs/job.log", "log"}};
      h->remote_files["spotrun/job1/ckpt-snapshot"] = Snapshot(1);
    };
    cloud_.deliver_notice = [this](const std::string& id, double at) {
      return fake_.SendNotice(id, at);
    };
    ctx_.cloud = &cloud_;
    ctx_.store = store_.get();
    ctx_.clock = &clock_;
    ctx_.reporter = &reporter_;
    ctx_.options.jobs_dir = (dir_ / "jobs").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string AddJob(const std::string& spec_text) {
    JobRecord j;
    j.id = "job1";
    j.name = "t";
    j.cloud = "fake";
    j.spec_path = (dir_ / "job" / "job.yaml").string();
    j.spec_text = spec_text;
    j.results_dir = (dir_ / "results").string();
    j.created_at = j.updated_at = clock_.Now();
    EXPECT_TRUE(store_->InsertJob(j).ok());
    return j.id;
  }
  std::vector<std::string> EventKinds(const std::string& id) {
    std::vector<std::string> kinds;
    const auto events = store_->Events(id).value();
    for (const auto& e : events) kinds.push_back(e.kind);
    return kinds;
  }
  std::vector<std::string> Outcomes(const std::string& id) {
    std::vector<std::string> out;
    const auto attempts = store_->Attempts(id).value();
    for (const auto& a : attempts) out.push_back(a.outcome);
    return out;
  }
  // Instances the fake cloud still runs.
  size_t Running() { return fake_.ListTagged({}).value().size(); }

  fs::path dir_;
  std::unique_ptr<Store> store_;
  FakeCloud fake_;
  ManualClock clock_{1000};
  FaultyCloud cloud_{&fake_, &clock_, &fake_.record};
  SilentReporter reporter_;
  ControllerContext ctx_;
  // A `run` that keeps running (until a fault ends the attempt).
  std::vector<FakeHost::Poll> long_run_ = {
      {R"({"phase":"setup","supervisor_alive":true})", "[spotrun] setup: starting\n"},
      {R"({"phase":"run","supervisor_alive":true})", "[spotrun] run: starting\n"}};
  // A `run` that ends at once, successfully.
  std::vector<FakeHost::Poll> short_run_ = {
      {R"({"phase":"run","supervisor_alive":true})", "[spotrun] run: starting\n"},
      {R"({"phase":"done","exit_code":0})", "done\n"}};
  std::map<std::string, std::vector<FakeHost::Poll>> polls_;  // By instance id; else short_run_.
};

constexpr const char* kJob = "run: python3 train.py\noutputs: [model.pkl]\n";

// (a) A spot reclaim with a notice: the replacement is launched at once, in
// another pool than the noticed one (whose capacity is being taken back; the
// next zone has none either), while the noticed instance still runs; the
// final checkpoint is saved, the noticed instance given back, and the
// replacement resumes from that checkpoint, all before the reclaim.
TEST_F(ControllerFaultTest, PreemptionLaunchesTheReplacementInAnotherPoolDuringTheNotice) {
  polls_["i-1"] = long_run_;
  cloud_.Reclaim("i-1", 1200, /*notice_s=*/120);
  auto deliver = cloud_.deliver_notice;
  cloud_.deliver_notice = [&](const std::string& id, double at) {
    cloud_.FailNext(CloudCall::kLaunch, 1, CapacityError("InsufficientInstanceCapacity"));
    return deliver(id, at);
  };
  auto id = AddJob(kJob);
  ASSERT_EQ(DriveJob(ctx_, id).value(), JobState::kSucceeded) << store_->GetJob(id)->message;
  Record want = {"launch c.large use1-az1 spot max=0.9",
                 "push spotrun/job1/workdir",
                 "push spotrun/job1",
                 "run start",
                 "fault: notice i-1 (reclaim at 1200)",
                 "fault: launch c.large use1-az2: Capacity",
                 "launch m.large use1-az3 spot max=1",
                 "pull spotrun/job1/ckpt-snapshot",
                 "terminate i-1",
                 "push spotrun/job1/workdir",
                 "push spotrun/job1",
                 "push spotrun/job1/workdir/checkpoints",
                 "run start",
                 "pull spotrun/job1/out",
                 "terminate i-2"};
  EXPECT_EQ(fake_.record, want);
  EXPECT_EQ(EventKinds(id), (Record{"PROVISIONING", "SETTING_UP", "RUNNING", "NOTICE", "CHECKPOINT",
                                    "PREEMPTED", "SETTING_UP", "RUNNING", "SUCCEEDED"}));
  // The launch that found no capacity and the one that followed are one attempt.
  EXPECT_EQ(Outcomes(id), (Record{"preempted", "succeeded"}));
  auto attempts = store_->Attempts(id).value();
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[1].started_at, 1080) << "not launched on the notice";
  EXPECT_LT(attempts[0].ended_at, 1200) << "the noticed instance was left to the reclaim";
  EXPECT_EQ(Running(), 0u);
}

// (a1) The same, the controller told to relaunch after the reclaim (the
// behaviour before the overlap): the final checkpoint, the terminate, then
// the wait until the reclaim, and the recovery order from the noticed zone.
TEST_F(ControllerFaultTest, WithoutTheOverlapTheRelaunchWaitsForTheReclaim) {
  ctx_.options.replace_during_notice = false;
  polls_["i-1"] = long_run_;
  cloud_.Reclaim("i-1", 1200, /*notice_s=*/120);
  auto deliver = cloud_.deliver_notice;
  cloud_.deliver_notice = [&](const std::string& id, double at) {
    // The reclaim takes the pool's capacity with it.
    cloud_.FailNext(CloudCall::kLaunch, 1, CapacityError("InsufficientInstanceCapacity"));
    return deliver(id, at);
  };
  auto id = AddJob(kJob);
  ASSERT_EQ(DriveJob(ctx_, id).value(), JobState::kSucceeded) << store_->GetJob(id)->message;
  Record want = {"launch c.large use1-az1 spot max=0.9",
                 "push spotrun/job1/workdir",
                 "push spotrun/job1",
                 "run start",
                 "fault: notice i-1 (reclaim at 1200)",
                 "pull spotrun/job1/ckpt-snapshot",
                 "terminate i-1",
                 "fault: launch c.large use1-az1: Capacity",
                 "launch c.large use1-az2 spot max=0.9",
                 "push spotrun/job1/workdir",
                 "push spotrun/job1",
                 "push spotrun/job1/workdir/checkpoints",
                 "run start",
                 "pull spotrun/job1/out",
                 "terminate i-2"};
  EXPECT_EQ(fake_.record, want);
  EXPECT_EQ(EventKinds(id),
            (Record{"PROVISIONING", "SETTING_UP", "RUNNING", "NOTICE", "CHECKPOINT", "PREEMPTED",
                    "PROVISIONING", "SETTING_UP", "RUNNING", "SUCCEEDED"}));
  EXPECT_EQ(Outcomes(id), (Record{"preempted", "succeeded"}));
  auto attempts = store_->Attempts(id).value();
  EXPECT_GE(attempts.back().started_at, 1200) << "relaunched before the reclaim";
  EXPECT_EQ(Running(), 0u);
}

// (a2) The replacement is still pending when the noticed instance's agent
// has taken its final snapshot: that checkpoint is synced meanwhile, and
// restored into the replacement once it runs.
TEST_F(ControllerFaultTest, TheFinalCheckpointIsSyncedWhileTheReplacementIsPending) {
  polls_["i-1"] = long_run_;
  fake_.spot_pending_describes = 3;
  cloud_.Reclaim("i-1", 1200, /*notice_s=*/120);
  auto id = AddJob(kJob);
  ASSERT_EQ(DriveJob(ctx_, id).value(), JobState::kSucceeded) << store_->GetJob(id)->message;
  Record want = {"launch c.large use1-az1 spot max=0.9",
                 "describe i-1 pending",
                 "describe i-1 pending",
                 "describe i-1 pending",
                 "push spotrun/job1/workdir",
                 "push spotrun/job1",
                 "run start",
                 "fault: notice i-1 (reclaim at 1200)",
                 "launch c.large use1-az2 spot max=0.9",
                 "describe i-2 pending",
                 "pull spotrun/job1/ckpt-snapshot",
                 "describe i-2 pending",
                 "describe i-2 pending",
                 "terminate i-1",
                 "push spotrun/job1/workdir",
                 "push spotrun/job1",
                 "push spotrun/job1/workdir/checkpoints",
                 "run start",
                 "pull spotrun/job1/out",
                 "terminate i-2"};
  EXPECT_EQ(fake_.record, want);
  EXPECT_EQ(Outcomes(id), (Record{"preempted", "succeeded"}));
  // The overlap is billed on both attempts.
  auto attempts = store_->Attempts(id).value();
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_LT(attempts[1].started_at, attempts[0].ended_at);
  EXPECT_LT(attempts[0].ended_at, 1200);
  EXPECT_EQ(Running(), 0u);
}

// (a3) A cancel while the replacement launches: it is given back at once,
// then the noticed instance, and the job ends cancelled with both attempts
// closed and billed.
TEST_F(ControllerFaultTest, ACancelWhileTheReplacementLaunchesEndsBothInstances) {
  polls_["i-1"] = long_run_;
  fake_.spot_pending_describes = 5;
  int pending = 0;  // Describes of i-2 that found it pending; the second one cancels.
  ctx_.interrupted = [&pending] { return pending >= 2; };
  fake_.on_pending_describe = [&pending](const std::string& id) { pending += id == "i-2"; };
  cloud_.Reclaim("i-1", 1200, /*notice_s=*/120);
  auto id = AddJob(kJob);
  ASSERT_EQ(DriveJob(ctx_, id).value(), JobState::kCancelled) << store_->GetJob(id)->message;
  const Record& r = fake_.record;
  const auto at = [&r](const std::string& line) { return std::find(r.begin(), r.end(), line); };
  ASSERT_NE(at("launch c.large use1-az2 spot max=0.9"), r.end());
  ASSERT_NE(at("terminate i-2"), r.end());
  EXPECT_EQ(*std::prev(at("terminate i-2")), "describe i-2 pending") << "not given back at once";
  EXPECT_NE(at("terminate i-1"), r.end());
  EXPECT_EQ(Outcomes(id), (Record{"preempted", "cancelled"}));
  for (const AttemptRecord& a : store_->Attempts(id).value()) {
    EXPECT_GT(a.ended_at, 0) << a.number;
    EXPECT_GT(a.Cost(1e9), 0) << a.number;
  }
  EXPECT_EQ(Running(), 0u);
}

// (a4) With one spot pool only, no replacement is to be had during the
// notice, and on-demand, though allowed, stays the last resort: the relaunch
// waits for the reclaim, and tries that pool again first.
TEST_F(ControllerFaultTest, WithOnePoolTheRelaunchWaitsForTheReclaim) {
  fake_.offers.resize(1);
  polls_["i-1"] = long_run_;
  cloud_.Reclaim("i-1", 1200, /*notice_s=*/120);
  auto id = AddJob(std::string(kJob) + "recovery: {on_demand_fallback: true}\n");
  ASSERT_EQ(DriveJob(ctx_, id).value(), JobState::kSucceeded) << store_->GetJob(id)->message;
  auto attempts = store_->Attempts(id).value();
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[1].zone, "use1-az1");
  EXPECT_EQ(attempts[1].market, "spot");
  EXPECT_GE(attempts[1].started_at, 1200) << "relaunched into the pool being reclaimed";
  EXPECT_EQ(Running(), 0u);
}

// (a5) A deadline job noticed where no other spot pool is to be had: its
// policy, asked as if spot were gone, chooses on-demand, and that replacement
// is launched during the notice too.
class SpotWhileThereIsSomePolicy : public Policy {
 public:
  Mode Decide(const PolicyInput& in) const override {
    return in.spot_available ? Mode::kSpot : Mode::kOnDemand;
  }
};

TEST_F(ControllerFaultTest, ADeadlineJobsPolicyChoosesTheReplacementDuringTheNotice) {
  fake_.offers.resize(1);
  ctx_.make_policy = [](std::string_view, const JobTerms&) -> Result<std::unique_ptr<Policy>> {
    return std::unique_ptr<Policy>(new SpotWhileThereIsSomePolicy);
  };
  polls_["i-1"] = long_run_;
  cloud_.Reclaim("i-1", 1200, /*notice_s=*/120);
  auto id = AddJob(
      "run: python3 train.py\noutputs: [model.pkl]\ndeadline: 10h\n"
      "budget: {expected_hours: 1}\n");
  ASSERT_EQ(DriveJob(ctx_, id).value(), JobState::kSucceeded) << store_->GetJob(id)->message;
  Record want = {"launch c.large use1-az1 spot max=0.9",
                 "push spotrun/job1/workdir",
                 "push spotrun/job1",
                 "run start",
                 "fault: notice i-1 (reclaim at 1200)",
                 "launch c.large use1-az1 on-demand max=0.9",
                 "pull spotrun/job1/ckpt-snapshot",
                 "terminate i-1",
                 "push spotrun/job1/workdir",
                 "push spotrun/job1",
                 "push spotrun/job1/workdir/checkpoints",
                 "run start",
                 "pull spotrun/job1/out",
                 "terminate i-2"};
  EXPECT_EQ(fake_.record, want);
  auto attempts = store_->Attempts(id).value();
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[1].market, "on-demand");
  EXPECT_LT(attempts[1].started_at, 1200);
  EXPECT_EQ(Running(), 0u);
}

// (b) A lost instance: it vanishes without a notice while `run` runs. The
// controller gives up on it after its polls fail, gives it back anyway, and
// relaunches from the periodic checkpoint.
TEST_F(ControllerFaultTest, LostInstanceIsRelaunchedFromTheLastCheckpoint) {
  polls_["i-1"] = long_run_;
  cloud_.Vanish("i-1", 1400);
  auto id = AddJob(kJob);
  ASSERT_EQ(DriveJob(ctx_, id).value(), JobState::kSucceeded) << store_->GetJob(id)->message;
  Record want = {"launch c.large use1-az1 spot max=0.9",
                 "push spotrun/job1/workdir",
                 "push spotrun/job1",
                 "run start",
                 "run snapshot",  // The periodic sync, 300 s in.
                 "pull spotrun/job1/ckpt-snapshot",
                 "fault: vanish i-1",
                 "terminate i-1",  // The cloud's own, as the instance goes.
                 "terminate i-1",  // The controller's, once the instance is declared lost.
                 "launch c.large use1-az1 spot max=0.9",
                 "push spotrun/job1/workdir",
                 "push spotrun/job1",
                 "push spotrun/job1/workdir/checkpoints",
                 "run start",
                 "pull spotrun/job1/out",
                 "terminate i-2"};
  EXPECT_EQ(fake_.record, want);
  EXPECT_EQ(EventKinds(id), (Record{"PROVISIONING", "SETTING_UP", "RUNNING", "CHECKPOINT", "LOST",
                                    "PROVISIONING", "SETTING_UP", "RUNNING", "SUCCEEDED"}));
  EXPECT_EQ(Outcomes(id), (Record{"lost", "succeeded"}));
  EXPECT_EQ(Running(), 0u);
}

// (c) The cloud throttles the terminate calls for a while: the controller
// keeps trying until the instance is gone, and the job ends with nothing
// left running.
TEST_F(ControllerFaultTest, ThrottledTerminateIsRetriedUntilTheInstanceIsGone) {
  auto id = AddJob(kJob);
  cloud_.Throttle(CloudCall::kTerminate, 8);
  ASSERT_EQ(DriveJob(ctx_, id).value(), JobState::kSucceeded);
  Record want = {"launch c.large use1-az1 spot max=0.9", "push spotrun/job1/workdir",
                 "push spotrun/job1", "run start", "pull spotrun/job1/out"};
  for (int i = 0; i < 8; ++i) want.push_back("fault: terminate i-1: Unavailable");
  want.push_back("terminate i-1");
  EXPECT_EQ(fake_.record, want);
  EXPECT_EQ(Outcomes(id), (Record{"succeeded"}));
  EXPECT_GT(store_->Attempts(id).value()[0].ended_at, 0);
  EXPECT_EQ(Running(), 0u);
}

// (d) The SSH connection drops in the middle of the workdir upload (half the
// files arrived): the upload is tried again over a new connection to the
// same instance, and the job goes on there.
TEST_F(ControllerFaultTest, SshDropMidUploadIsRetriedOnTheSameInstance) {
  bool dropped = false;
  cloud_.on_host = [&](const Instance&, FaultyHost* host) {
    if (!dropped) host->FailNext(HostCall::kPush, 1, HostFault::kCutHalfway);
    dropped = true;
  };
  auto id = AddJob(kJob);
  ASSERT_EQ(DriveJob(ctx_, id).value(), JobState::kSucceeded) << store_->GetJob(id)->message;
  Record want = {"launch c.large use1-az1 spot max=0.9",
                 "push spotrun/job1/workdir",  // The first half of the files.
                 "fault: cut push spotrun/job1/workdir (1 of 2 files)",
                 "push spotrun/job1/workdir",
                 "push spotrun/job1",
                 "run start",
                 "pull spotrun/job1/out",
                 "terminate i-1"};
  EXPECT_EQ(fake_.record, want);
  EXPECT_EQ(Outcomes(id), (Record{"succeeded"}));
  EXPECT_EQ(Running(), 0u);
}

// (d') The connection to every instance keeps dropping during the upload:
// the job fails, saying why in one line, after a bounded number of
// instances, each one given back.
TEST_F(ControllerFaultTest, SshThatKeepsDroppingFailsTheJobAndGivesEveryInstanceBack) {
  cloud_.on_host = [&](const Instance&, FaultyHost* host) {
    host->FailNext(HostCall::kPush, 1, HostFault::kDrop);
  };
  auto id = AddJob(kJob);
  ASSERT_EQ(DriveJob(ctx_, id).value(), JobState::kFailed);
  const std::string message = store_->GetJob(id)->message;
  EXPECT_NE(message.find("connection dropped"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  int launches = 0;
  for (const auto& line : fake_.record) launches += line.rfind("launch ", 0) == 0;
  EXPECT_LE(launches, 3) << "relaunched for a failure that follows the job";
  EXPECT_EQ(Running(), 0u);
}

// (e) The results disk fills up while the outputs are collected: no partial
// results directory is left, the job fails saying why in one line, and the
// instance is terminated.
TEST_F(ControllerFaultTest, FullResultsDiskFailsTheJobCleanly) {
  cloud_.on_host = [&](const Instance&, FaultyHost* host) {
    host->FailNext(HostCall::kPull, 1, HostFault::kDiskFull);
  };
  auto id = AddJob(kJob);
  ASSERT_EQ(DriveJob(ctx_, id).value(), JobState::kFailed);
  Record want = {"launch c.large use1-az1 spot max=0.9",
                 "push spotrun/job1/workdir",
                 "push spotrun/job1",
                 "run start",
                 "pull spotrun/job1/out",
                 "fault: disk full pull spotrun/job1/out (1 of 2 files)",
                 "terminate i-1"};
  EXPECT_EQ(fake_.record, want);
  // No output got in half way: the results hold the job's logs (why it
  // failed) and nothing else, and no .partial directory is left.
  std::vector<std::string> left;
  if (fs::exists(dir_ / "results")) {
    for (const auto& e : fs::recursive_directory_iterator(dir_ / "results")) {
      if (e.is_regular_file()) left.push_back(fs::relative(e.path(), dir_ / "results").string());
    }
  }
  EXPECT_EQ(left, std::vector<std::string>{"logs/job.log"});
  EXPECT_FALSE(fs::exists(dir_ / "results.partial"));
  const std::string message = store_->GetJob(id)->message;
  EXPECT_NE(message.find("No space left on device"), std::string::npos) << message;
  EXPECT_EQ(
      message.rfind("cannot collect the results into " + (dir_ / "results").string() + ": ", 0), 0u)
      << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_EQ(Outcomes(id), (Record{"failed"}));
  EXPECT_EQ(Running(), 0u);
}

}  // namespace
}  // namespace spotrun
