#include "jobs/controller.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "fakes.h"
#include "jobs/job_summary.h"
#include "policy/policy.h"

namespace spotrun {
namespace {

namespace fs = std::filesystem;

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

class ControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("spotrun-ctl-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "job");
    store_ = std::move(Store::Open(":memory:")).value();
    cloud_.offers = {MakeOffer("m.large", "use1-az2", 0.30, 1.0),
                     MakeOffer("c.large", "use1-az1", 0.20, 0.9)};
    cloud_.setup_host = [this](FakeHost* h) {
      h->polls = polls_;
      h->out_files = {{"model.pkl", "weights"}, {"logs/job.log", "log"}};
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

  fs::path dir_;
  std::unique_ptr<Store> store_;
  FakeCloud cloud_;
  ManualClock clock_{1000};
  SilentReporter reporter_;
  ControllerContext ctx_;
  std::vector<FakeHost::Poll> polls_ = {
      {R"({"phase":"setup"})", "[spotrun] setup: starting\n"},
      {R"({"phase":"run"})", "[spotrun] run: starting\nepoch 1\n"},
      {R"({"phase":"done","exit_code":0})", "done\n"}};
};

TEST_F(ControllerTest, SucceedsOnCheapestOfferAndTerminates) {
  auto id = AddJob("run: python3 train.py\noutputs: [model.pkl]\n");
  auto state = DriveJob(ctx_, id);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(*state, JobState::kSucceeded);
  std::vector<std::string> want = {"launch c.large use1-az1 spot max=0.9",
                                   "push spotrun/job1/workdir",
                                   "push spotrun/job1",
                                   "run start",
                                   "pull spotrun/job1/out",
                                   "terminate i-1"};
  EXPECT_EQ(cloud_.record, want);
  EXPECT_TRUE(fs::exists(dir_ / "results" / "model.pkl"));
  EXPECT_FALSE(fs::exists(dir_ / "results.partial"));
  auto events = store_->Events(id).value();
  std::vector<std::string> kinds;
  for (const auto& e : events) kinds.push_back(e.kind);
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"PROVISIONING", "SETTING_UP", "RUNNING", "SUCCEEDED"}));
  auto attempts = store_->Attempts(id).value();
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].instance_id, "i-1");
  EXPECT_GT(attempts[0].ended_at, 0);
  EXPECT_EQ(attempts[0].outcome, "succeeded");
}

TEST_F(ControllerTest, CapacityErrorMovesToNextCandidate) {
  cloud_.fail_launches["c.large use1-az1"] =
      CapacityError("InsufficientInstanceCapacity: none left");
  auto id = AddJob("run: x\nresources: {max_price: 0.5}\n");
  ASSERT_EQ(DriveJob(ctx_, id).value(), JobState::kSucceeded);
  EXPECT_EQ(cloud_.record[0], "launch c.large use1-az1 spot max=0.5");
  EXPECT_EQ(cloud_.record[1], "launch m.large use1-az2 spot max=0.5");
  EXPECT_EQ(cloud_.record.back(), "terminate i-1");
}

TEST_F(ControllerTest, FailedRunStillCollectsLogsAndTerminates) {
  polls_.back() = {R"({"phase":"done","exit_code":3,"message":"run exited with status 3"})", ""};
  auto id = AddJob("run: exit 3\n");
  ASSERT_EQ(DriveJob(ctx_, id).value(), JobState::kFailed);
  EXPECT_EQ(cloud_.record.back(), "terminate i-1");
  EXPECT_TRUE(fs::exists(dir_ / "results" / "logs" / "job.log"));
  EXPECT_EQ(store_->GetJob(id)->message, "run exited with status 3");
}

TEST_F(ControllerTest, CancelRequestStopsTheAgent) {
  polls_ = {{R"({"phase":"run"})", "[spotrun] run: starting\n"}};
  auto id = AddJob("run: sleep 1000\n");
  int polls = 0;
  ctx_.interrupted = [&] { return ++polls > 3; };
  ASSERT_EQ(DriveJob(ctx_, id).value(), JobState::kCancelled);
  EXPECT_NE(std::find(cloud_.record.begin(), cloud_.record.end(), "run stop"), cloud_.record.end());
  EXPECT_EQ(cloud_.record.back(), "terminate i-1");
}

TEST_F(ControllerTest, NoFittingOfferFailsWithoutLaunching) {
  auto id = AddJob("run: x\nresources: {cpus: 64}\n");
  ASSERT_EQ(DriveJob(ctx_, id).value(), JobState::kFailed);
  EXPECT_TRUE(cloud_.record.empty());
  EXPECT_NE(store_->GetJob(id)->message.find("cpus"), std::string::npos);
}

}  // namespace
}  // namespace spotrun

namespace spotrun {
namespace {

// A controller that died while moving a job from on-demand to spot left two
// attempts open; the next one keeps the newer (spot) instance and gives the
// older one back.
TEST_F(ControllerTest, PickingUpAfterAMoveToSpotKeepsTheNewInstanceOnly) {
  auto id = AddJob("run: python3 train.py\n");
  Instance od = cloud_.Launch({.instance_type = "m.large", .zone = "use1-az2"}).value();
  Instance spot = cloud_.Launch({.instance_type = "c.large", .zone = "use1-az1"}).value();
  cloud_.record.clear();
  auto open_attempt = [&](int number, const Instance& i, const std::string& market) {
    AttemptRecord a;
    a.job_id = id;
    a.number = number;
    a.client_token = id + "-a" + std::to_string(number);
    a.instance_id = i.id;
    a.instance_type = i.instance_type;
    a.zone = i.zone;
    a.market = market;
    a.price_per_hour = 0.5;
    a.started_at = clock_.Now();
    ASSERT_TRUE(store_->UpsertAttempt(a).ok());
  };
  open_attempt(1, od, "on-demand");
  open_attempt(2, spot, "spot");
  ASSERT_EQ(DriveJob(ctx_, id).value(), JobState::kSucceeded);
  EXPECT_EQ(cloud_.record.front(), "terminate " + od.id);
  EXPECT_EQ(cloud_.record.back(), "terminate " + spot.id);
  for (const std::string& line : cloud_.record)
    EXPECT_EQ(line.rfind("launch", 0), std::string::npos);
  auto attempts = store_->Attempts(id).value();
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].outcome, "migrated");
  EXPECT_EQ(attempts[1].outcome, "succeeded");
}

// A controller that died while replacing a noticed spot instance (during the
// notice) left both attempts open: the next one gives the noticed instance
// back, as preempted, and carries on on its replacement, launching nothing.
TEST_F(ControllerTest, PickingUpDuringTheNoticeKeepsTheReplacementOnly) {
  auto id = AddJob("run: python3 train.py\n");
  Instance noticed = cloud_.Launch({.instance_type = "c.large", .zone = "use1-az1"}).value();
  clock_.Pass(60);
  ASSERT_TRUE(store_->AddEvent(id, clock_.Now(), "NOTICE", R"({"action":"terminate"})").ok());
  clock_.Pass(1);
  Instance replacement = cloud_.Launch({.instance_type = "m.large", .zone = "use1-az2"}).value();
  cloud_.record.clear();
  auto open_attempt = [&](int number, const Instance& i, double started_at) {
    AttemptRecord a;
    a.job_id = id;
    a.number = number;
    a.client_token = id + "-a" + std::to_string(number);
    a.instance_id = i.id;
    a.instance_type = i.instance_type;
    a.zone = i.zone;
    a.market = "spot";
    a.price_per_hour = 0.5;
    a.started_at = started_at;
    ASSERT_TRUE(store_->UpsertAttempt(a).ok());
  };
  open_attempt(1, noticed, clock_.Now() - 61);
  open_attempt(2, replacement, clock_.Now());
  ASSERT_EQ(DriveJob(ctx_, id).value(), JobState::kSucceeded);
  std::vector<std::string> want = {"terminate " + noticed.id, "push spotrun/job1/workdir",
                                   "push spotrun/job1",       "run start",
                                   "pull spotrun/job1/out",   "terminate " + replacement.id};
  EXPECT_EQ(cloud_.record, want);
  auto attempts = store_->Attempts(id).value();
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].outcome, "preempted");
  EXPECT_EQ(attempts[1].outcome, "succeeded");
}

// A launch that failed was being tried again when the controller died: the
// next controller tries it again with the same client token first.
// The policy moves the job from on-demand to spot after its first minute;
// while the spot replacement is still pending, the on-demand instance that
// runs gets a notice: it is polled all the while, so the notice is noted and
// its final checkpoint taken before the replacement runs.
class MoveToSpotPolicy : public Policy {
 public:
  Mode Decide(const PolicyInput& in) const override {
    if (in.elapsed_s() < 60 || !in.spot_available) return Mode::kOnDemand;
    return Mode::kSpot;
  }
};

TEST_F(ControllerTest, TheRunningInstanceIsPolledWhileItsReplacementLaunches) {
  ctx_.options.policy_tick_s = 30;
  ctx_.make_policy = [](std::string_view, const JobTerms&) -> Result<std::unique_ptr<Policy>> {
    return std::unique_ptr<Policy>(new MoveToSpotPolicy);
  };
  cloud_.spot_pending_describes = 4;
  cloud_.on_pending_describe = [this](const std::string&) {
    if (!cloud_.notices.count("i-1")) (void)cloud_.SendNotice("i-1", clock_.Now() + 120);
  };
  cloud_.setup_host = [this](FakeHost* h) {
    h->out_files = {{"model.pkl", "weights"}, {"logs/job.log", "log"}};
    if (h->instance_id == "i-1") {
      h->polls = {{R"({"phase":"setup"})", "[spotrun] setup: starting\n"},
                  {R"({"phase":"run","supervisor_alive":true})", "[spotrun] run: starting\n"}};
    } else {
      h->polls = polls_;
    }
  };
  const std::string id =
      AddJob("run: train\ndeadline: 10h\nbudget: {expected_hours: 1}\noutputs: [model.pkl]\n");
  auto state = DriveJob(ctx_, id);
  ASSERT_TRUE(state.ok()) << state.status().message();
  auto job = store_->GetJob(id);
  ASSERT_TRUE(job.ok());
  const std::vector<std::string>& r = cloud_.record;
  std::string all;
  for (const std::string& line : r) all += line + "\n";
  EXPECT_EQ(*state, JobState::kSucceeded) << job->message << "\n" << all;
  auto at = [&r](const std::string& line) {
    return std::find(r.begin(), r.end(), line) - r.begin();
  };
  const auto spot_launch =
      std::find_if(r.begin(), r.end(),
                   [](const std::string& l) { return l.find(" spot ") != std::string::npos; }) -
      r.begin();
  ASSERT_LT(spot_launch, static_cast<long>(r.size())) << "no move to spot";
  const long first_pending = at("describe i-2 pending");
  const long last_pending =
      static_cast<long>(r.rend() - std::find(r.rbegin(), r.rend(), "describe i-2 pending")) - 1;
  // The final snapshot of i-1 (the agent took it on the notice), brought
  // back while i-2 was pending.
  long snapshot = -1;
  for (long i = first_pending; i < static_cast<long>(r.size()); ++i) {
    if (r[i] == "pull spotrun/job1/ckpt-snapshot") {
      snapshot = i;
      break;
    }
  }
  EXPECT_GT(snapshot, first_pending);
  EXPECT_LT(snapshot, last_pending) << "the notice was only seen once the replacement ran\n" << all;
  auto events = store_->Events(id);
  ASSERT_TRUE(events.ok());
  int notices = 0;
  for (const EventRecord& e : *events) notices += e.kind == "NOTICE" ? 1 : 0;
  EXPECT_EQ(notices, 1);
  auto attempts = store_->Attempts(id);
  ASSERT_TRUE(attempts.ok());
  ASSERT_EQ(attempts->size(), 2u);
  EXPECT_EQ((*attempts)[0].market, "on-demand");
  EXPECT_EQ((*attempts)[1].market, "spot");
  EXPECT_EQ((*attempts)[1].outcome, "succeeded");
}

TEST_F(ControllerTest, PickingUpRetriesAFailedLaunchWithItsToken) {
  auto id = AddJob("run: python3 train.py\n");
  AttemptRecord a;
  a.job_id = id;
  a.number = 1;
  a.client_token = "job1-a1-c.large-use1-az1-spot";
  a.instance_type = "c.large";
  a.region = "us-east-1";
  a.zone = "use1-az1";
  a.market = "spot";
  a.price_per_hour = 0.2;
  a.on_demand_price_per_hour = 0.9;
  a.outcome = "launch-failed";
  ASSERT_TRUE(store_->UpsertAttempt(a).ok());
  ASSERT_EQ(DriveJob(ctx_, id).value(), JobState::kSucceeded);
  EXPECT_EQ(cloud_.record.front(), "launch c.large use1-az1 spot max=0.9");
  auto attempts = store_->Attempts(id).value();
  ASSERT_EQ(attempts.size(), 1u);
  EXPECT_EQ(attempts[0].client_token, a.client_token);
  EXPECT_EQ(attempts[0].outcome, "succeeded");
}

// The state store taken away under a running job: `damage` is applied to the
// file at the third poll. The controller stops and ends its instance instead
// of running on unseen (and relaunching once the sweep ends the instance).
class ControllerStoreLossTest : public ControllerTest {
 protected:
  // Drives a job on a store in a file; returns DriveJob's result.
  Result<JobState> DriveWith(const std::function<void(const fs::path&)>& damage) {
    db_ = dir_ / "state.db";
    store_ = std::move(Store::Open(db_.string())).value();
    ctx_.store = store_.get();
    polls_ = {{R"({"phase":"run"})", "[spotrun] run: starting\n"}};
    auto id = AddJob("run: sleep 1000\n");
    int polls = 0;
    ctx_.interrupted = [&] {
      if (++polls == 3) damage(db_);
      return false;
    };
    return DriveJob(ctx_, id);
  }
  int Launches() const {
    return static_cast<int>(
        std::count_if(cloud_.record.begin(), cloud_.record.end(),
                      [](const std::string& r) { return r.rfind("launch", 0) == 0; }));
  }
  fs::path db_;
};

TEST_F(ControllerStoreLossTest, ADeletedStoreStopsTheJobAndItsInstance) {
  auto state = DriveWith([](const fs::path& db) { fs::remove(db); });
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(*state, JobState::kFailed);
  EXPECT_NE(std::find(cloud_.record.begin(), cloud_.record.end(), "run stop"), cloud_.record.end());
  EXPECT_EQ(cloud_.record.back(), "terminate i-1");
  EXPECT_EQ(Launches(), 1);
  EXPECT_NE(store_->GetJob("job1")->message.find("lost the state store"), std::string::npos);
}

TEST_F(ControllerStoreLossTest, AGarbledStoreStillEndsTheInstance) {
  auto state = DriveWith([](const fs::path& db) {
    std::fstream f(db, std::ios::in | std::ios::out | std::ios::binary);
    f << std::string(8192, 'x');
  });
  // Whether the last writes still land or fail, the instance is gone.
  EXPECT_EQ(cloud_.record.back(), "terminate i-1");
  EXPECT_EQ(Launches(), 1);
  if (state.ok()) EXPECT_EQ(*state, JobState::kFailed);
}

TEST_F(ControllerStoreLossTest, AStoreWriteFailureEndsTheInstance) {
  db_ = dir_ / "state.db";
  store_ = std::move(Store::Open(db_.string())).value();
  ctx_.store = store_.get();
  auto id = AddJob("run: sleep 1000\n");
  // Once the instance is up, every update of the job fails (as a full disk would).
  cloud_.setup_host = [this](FakeHost*) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(db_.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db,
                           "CREATE TRIGGER no_updates BEFORE UPDATE ON jobs BEGIN "
                           "SELECT RAISE(ABORT, 'disk full (simulated)'); END;",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    sqlite3_close(db);
  };
  auto state = DriveJob(ctx_, id);
  EXPECT_FALSE(state.ok());
  EXPECT_EQ(cloud_.record.back(), "terminate i-1");
  EXPECT_EQ(Launches(), 1);
}

}  // namespace
}  // namespace spotrun
