#include "remote/faulty_host.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "checkpoint_gen_util.h"

namespace spotrun {
namespace {

namespace fs = std::filesystem;
using Record = std::vector<std::string>;
using test::FileTree;
using test::ReadTree;

// A host whose home is a local directory: pushes and pulls copy files (a
// directory's contents, as rsync does), and every call is recorded.
class DirHost : public Host {
 public:
  DirHost(fs::path home, Record* record) : home_(std::move(home)), record_(record) {}
  Result<int> Run(const std::string& command, const RunOptions&, const OutputFn& out) override {
    record_->push_back("run " + command);
    if (out) out("ran " + command + "\n");
    return 0;
  }
  Status Push(const std::string& local, const std::string& remote,
              const std::vector<std::string>&) override {
    record_->push_back("push " + remote);
    return Copy(local, home_ / remote);
  }
  Status Pull(const std::string& remote, const std::string& local) override {
    record_->push_back("pull " + remote);
    return Copy(home_ / remote, local);
  }

 private:
  static Status Copy(const fs::path& from, const fs::path& to) {
    std::error_code ec;
    fs::create_directories(to, ec);
    fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing, ec);
    return ec ? Internal(ec.message()) : Status::Ok();
  }
  fs::path home_;
  Record* record_;
};

class FaultyHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("spotrun-faulty-host-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "home");
    host_ =
        std::make_unique<FaultyHost>(std::make_unique<DirHost>(dir_ / "home", &record_), &record_);
    Write(dir_ / "local", {{"a.txt", "a"}, {"b/c.txt", "c"}, {"d.txt", "d"}, {"e.txt", "e"}});
  }
  void TearDown() override { fs::remove_all(dir_); }
  static void Write(const fs::path& root, const FileTree& files) {
    for (const auto& [path, content] : files) {
      fs::create_directories((root / path).parent_path());
      std::ofstream(root / path) << content;
    }
  }

  fs::path dir_;
  Record record_;
  std::unique_ptr<FaultyHost> host_;
};

TEST_F(FaultyHostTest, PassesEveryCallThroughWithoutFaults) {
  std::string out;
  EXPECT_EQ(host_->Run("true", {}, [&](std::string_view s) { out.append(s); }).value(), 0);
  ASSERT_TRUE(host_->Push((dir_ / "local").string(), "w", {}).ok());
  ASSERT_TRUE(host_->Pull("w", (dir_ / "back").string()).ok());
  EXPECT_EQ(record_, (Record{"run true", "push w", "pull w"}));
  EXPECT_EQ(out, "ran true\n");
  EXPECT_EQ(ReadTree(dir_ / "back"), ReadTree(dir_ / "local"));
  EXPECT_EQ(host_->calls(), 3);
  EXPECT_EQ(host_->injected(), 0);
}

TEST_F(FaultyHostTest, DropAfterKCallsFailsTheNextOnesThenReconnects) {
  host_->DropAfter(2, /*n=*/2);
  EXPECT_TRUE(host_->Run("one", {}, nullptr).ok());
  EXPECT_TRUE(host_->Push((dir_ / "local").string(), "w", {}).ok());
  auto dropped = host_->Run("three", {}, nullptr);
  EXPECT_EQ(dropped.status().code(), Code::kUnavailable);
  Status push = host_->Push((dir_ / "local").string(), "w2", {});
  EXPECT_EQ(push.code(), Code::kUnavailable);
  EXPECT_NE(push.message().find("connection dropped"), std::string::npos) << push.message();
  EXPECT_TRUE(host_->Run("five", {}, nullptr).ok());
  EXPECT_EQ(record_,
            (Record{"run one", "push w", "fault: drop run", "fault: drop push w2", "run five"}));
  EXPECT_FALSE(fs::exists(dir_ / "home" / "w2"));
  EXPECT_EQ(host_->injected(), 2);
  EXPECT_EQ(host_->pending(), 0);
}

TEST_F(FaultyHostTest, AFaultWaitsForACallOfItsKind) {
  host_->FailNext(HostCall::kPull, 1, HostFault::kDrop);
  host_->FailNext(HostCall::kRun, 1, HostFault::kDrop);
  EXPECT_TRUE(host_->Run("first", {}, nullptr).ok());  // The pull fault is in front.
  EXPECT_TRUE(host_->Push((dir_ / "local").string(), "w", {}).ok());
  EXPECT_FALSE(host_->Pull("w", (dir_ / "back").string()).ok());
  EXPECT_FALSE(host_->Run("second", {}, nullptr).ok());
  EXPECT_EQ(record_, (Record{"run first", "push w", "fault: drop pull w", "fault: drop run"}));
}

TEST_F(FaultyHostTest, PushCutHalfwayLeavesTheFirstHalfOfTheFiles) {
  host_->FailNext(HostCall::kPush, 1, HostFault::kCutHalfway);
  Status s = host_->Push((dir_ / "local").string(), "w", {});
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_NE(s.message().find("rsync exit 12"), std::string::npos) << s.message();
  EXPECT_EQ(ReadTree(dir_ / "home" / "w"), (FileTree{{"a.txt", "a"}, {"b/c.txt", "c"}}));
  EXPECT_EQ(record_, (Record{"push w", "fault: cut push w (2 of 4 files)"}));
  ASSERT_TRUE(host_->Push((dir_ / "local").string(), "w", {}).ok());  // Tried again: all of it.
  EXPECT_EQ(ReadTree(dir_ / "home" / "w"), ReadTree(dir_ / "local"));
}

TEST_F(FaultyHostTest, PullIntoAFullDiskLeavesPartAndSaysNoSpace) {
  Write(dir_ / "home" / "out", {{"1", "x"}, {"2", "y"}, {"3", "z"}});
  host_->FailNext(HostCall::kPull, 1, HostFault::kDiskFull);
  Status s = host_->Pull("out", (dir_ / "back").string());
  EXPECT_EQ(s.code(), Code::kUnavailable);
  EXPECT_NE(s.message().find("download of out failed (rsync exit 11)"), std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("No space left on device"), std::string::npos) << s.message();
  EXPECT_EQ(ReadTree(dir_ / "back"), (FileTree{{"1", "x"}}));
  EXPECT_EQ(record_, (Record{"pull out", "fault: disk full pull out (1 of 3 files)"}));
}

TEST_F(FaultyHostTest, RunCutHalfwayRunsTheCommandButLosesItsAnswer) {
  host_->FailNext(HostCall::kRun, 1, HostFault::kCutHalfway);
  std::string out;
  auto rc = host_->Run("start", {}, [&](std::string_view s) { out.append(s); });
  EXPECT_EQ(rc.status().code(), Code::kUnavailable);
  EXPECT_EQ(out, "");
  EXPECT_EQ(record_, (Record{"run start", "fault: cut run halfway"}));
}

TEST_F(FaultyHostTest, AClosedGateFailsEveryCallAndKeepsTheQueue) {
  host_->FailNext(HostCall::kAny, 1, HostFault::kDrop);
  host_->SetGate([] { return Unavailable("instance gone"); });
  EXPECT_EQ(host_->Run("x", {}, nullptr).status().message(), "instance gone");
  EXPECT_EQ(host_->Pull("w", (dir_ / "back").string()).message(), "instance gone");
  EXPECT_TRUE(record_.empty());
  EXPECT_EQ(host_->pending(), 1);
}

}  // namespace
}  // namespace spotrun
