// Every line a job printed reaches its logs, across preemptions: the
// controller never keeps a checkpoint newer than its copy of the log, and the
// results keep every attempt's log.
#include "jobs/attempt_logs.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "fakes.h"
#include "jobs/controller.h"
#include "util/sha256.h"

namespace spotrun {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// An instance training kEpochs epochs, one every kEpochSeconds of the manual
// clock from `start`, each printed as "epoch K" and checkpointed at once. A
// command takes 0.2 s, a snapshot 1.5 s. With `reclaim_after_sync`, the
// instance is taken back (without a notice) right after the controller pulled
// its first checkpoint snapshot.
class TrainingHost : public Host {
 public:
  static constexpr int kEpochs = 6;
  static constexpr double kEpochSeconds = 1.0;

  TrainingHost(ManualClock* clock, Instance* instance, bool reclaim_after_sync)
      : clock_(clock), instance_(instance), reclaim_after_sync_(reclaim_after_sync) {}

  Result<int> Run(const std::string& command, const RunOptions&, const OutputFn& out) override {
    const bool snapshot = command.find(" snapshot ") != std::string::npos;
    if (!Alive()) return Unavailable("connection lost");
    clock_->Advance(snapshot ? 1.5 : 0.2);
    if (command.find(" start ") != std::string::npos) started_at_ = clock_->Now();
    if (snapshot) snapshot_ = Written();
    if (command.find(" poll ") != std::string::npos && out) {
      const size_t offset = std::stoull(command.substr(command.rfind(' ') + 1));
      const std::string log = Log();
      out(std::string(Written() == kEpochs
                          ? R"({"phase":"done","exit_code":0,"supervisor_alive":true})"
                          : R"({"phase":"run","supervisor_alive":true})") +
          "\n" + log.substr(std::min(offset, log.size())));
    }
    return 0;
  }
  Status Push(const std::string& local, const std::string&,
              const std::vector<std::string>&) override {
    if (fs::exists(local + "/config.json")) {
      base_ = nlohmann::json::parse(ReadAll(local + "/config.json")).value("snapshot_base", 0);
    }
    return Status::Ok();
  }
  Status Pull(const std::string& remote, const std::string& local) override {
    if (!Alive()) return Unavailable("connection lost");
    fs::create_directories(local + "/files");
    if (remote.find("ckpt-snapshot") != std::string::npos) {
      const std::string data = std::to_string(snapshot_);
      std::ofstream(local + "/files/epoch") << data;
      nlohmann::json file = {
          {"path", "epoch"}, {"size", data.size()}, {"sha256", Sha256OfBytes(data)}};
      std::ofstream(local + "/MANIFEST.json") << nlohmann::json{
          {"generation", snapshot_},
          {"files", nlohmann::json::array({file})}}.dump();
      reclaimed_ = reclaim_after_sync_;
    } else {
      fs::create_directories(local + "/logs");
      std::ofstream(local + "/logs/job.log") << Log();
    }
    return Status::Ok();
  }

 private:
  bool Alive() {
    if (reclaimed_) {
      instance_->state = InstanceState::kTerminated;
      instance_->state_reason = "Server.SpotInstanceTermination: Spot instance termination";
    }
    return !reclaimed_;
  }
  int Written() const {
    if (started_at_ == 0) return base_;
    const int done = static_cast<int>((clock_->Now() - started_at_) / kEpochSeconds);
    return std::min(kEpochs, base_ + done);
  }
  std::string Log() const {
    std::string log = base_ > 0 ? "resumed from epoch " + std::to_string(base_) + "\n" : "";
    for (int k = base_ + 1; k <= Written(); ++k) log += "epoch " + std::to_string(k) + "\n";
    return log;
  }

  ManualClock* clock_;
  Instance* instance_;
  bool reclaim_after_sync_;
  bool reclaimed_ = false;
  double started_at_ = 0;
  int base_ = 0;
  int snapshot_ = 0;
};

class TrainingCloud : public FakeCloud {
 public:
  explicit TrainingCloud(ManualClock* clock) : clock_(clock) {}
  Result<std::unique_ptr<Host>> HostFor(const Instance& i) override {
    std::unique_ptr<Host> h =
        std::make_unique<TrainingHost>(clock_, &instances[i.id], i.id == "i-1");
    return h;
  }

 private:
  ManualClock* clock_;
};

class AttemptLogsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("spotrun-logs-" + std::to_string(getpid()) + "-" +
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
    ctx_.cloud = &cloud_;
    ctx_.store = store_.get();
    ctx_.clock = &clock_;
    ctx_.reporter = &reporter_;
    ctx_.options.jobs_dir = (dir_ / "jobs").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  fs::path dir_;
  std::unique_ptr<Store> store_;
  ManualClock clock_{1000};
  TrainingCloud cloud_{&clock_};
  SilentReporter reporter_;
  ControllerContext ctx_;
};

// The epoch numbers in `log`, in the order printed.
std::vector<int> Epochs(const std::string& log) {
  std::vector<int> epochs;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("epoch ", 0) == 0) epochs.push_back(std::stoi(line.substr(6)));
  }
  return epochs;
}

TEST_F(AttemptLogsTest, EveryEpochLineSurvivesAReclaimRightAfterACheckpointSync) {
  JobRecord j;
  j.id = "job1";
  j.name = "t";
  j.cloud = "fake";
  j.spec_path = (dir_ / "job" / "job.yaml").string();
  j.spec_text = "run: python3 train.py\ncheckpoint: {sync_interval: 2s}\n";
  j.results_dir = (dir_ / "results").string();
  j.created_at = j.updated_at = clock_.Now();
  ASSERT_TRUE(store_->InsertJob(j).ok());
  auto state = DriveJob(ctx_, j.id);
  ASSERT_TRUE(state.ok()) << state.status().ToString();
  EXPECT_EQ(*state, JobState::kSucceeded);
  auto attempts = store_->Attempts(j.id).value();
  ASSERT_EQ(attempts.size(), 2u);
  EXPECT_EQ(attempts[0].outcome, "preempted");

  const std::string log = ReadAll(dir_ / "results" / "logs" / "job.log");
  // Every epoch, in order; the second attempt resumes from the controller's
  // checkpoint, which its copy of the log reaches, so it may repeat a line
  // but never skip one.
  std::vector<int> first_seen;
  for (int e : Epochs(log)) {
    if (std::find(first_seen.begin(), first_seen.end(), e) == first_seen.end()) {
      first_seen.push_back(e);
    }
  }
  EXPECT_EQ(first_seen, (std::vector<int>{1, 2, 3, 4, 5, 6})) << log;
  EXPECT_NE(log.find("--- attempt 2: c.large spot in use1-az1 ---\nresumed from epoch "),
            std::string::npos)
      << log;
}

TEST(AttemptLogsFiles, AllAttemptsInOrderUnderTheirHeaders) {
  const fs::path dir = fs::temp_directory_path() / ("spotrun-logs-" + std::to_string(getpid()));
  fs::create_directories(dir / "j");
  std::ofstream(LocalAttemptLogPath(dir.string(), "j", 1)) << "one\n";
  std::ofstream(LocalAttemptLogPath(dir.string(), "j", 3)) << "three\n";
  std::ofstream(LocalAttemptLogPath(dir.string(), "j", 4));  // Empty.
  std::vector<AttemptRecord> attempts(4);
  for (int i = 0; i < 4; ++i) {
    attempts[i].number = 4 - i;
    attempts[i].instance_type = "m.large";
    attempts[i].market = "spot";
    attempts[i].zone = "z" + std::to_string(4 - i);
  }
  const std::string out = (dir / "job.log").string();
  ASSERT_TRUE(WriteAllAttemptLogs(dir.string(), "j", attempts, out).ok());
  EXPECT_EQ(ReadAll(out),
            "one\n--- attempt 3: m.large spot in z3 ---\nthree\n"
            "--- attempt 4: m.large spot in z4 ---\n");
  // The instance's copy of attempt 3 has a line the polls missed.
  long long offset = 6;
  ASSERT_TRUE(TopUpAttemptLog((dir / "j" / "attempt-1.log").string(),
                              LocalAttemptLogPath(dir.string(), "j", 3), &offset)
                  .ok());
  std::ofstream(dir / "remote.log") << "three\nlast line\n";
  ASSERT_TRUE(TopUpAttemptLog((dir / "remote.log").string(),
                              LocalAttemptLogPath(dir.string(), "j", 3), &offset)
                  .ok());
  EXPECT_EQ(offset, 16);
  EXPECT_EQ(ReadAll(LocalAttemptLogPath(dir.string(), "j", 3)), "three\nlast line\n");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace spotrun
