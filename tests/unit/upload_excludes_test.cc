// The workdir upload leaves spotrun's own results directories behind.
#include "jobs/upload_excludes.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "remote/rsync.h"
#include "util/subprocess.h"

namespace spotrun {
namespace {

namespace fs = std::filesystem;

class UploadExcludesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("spotrun-excl-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "proj");
    proj_ = (dir_ / "proj").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Touch(const std::string& rel) {
    fs::create_directories((dir_ / rel).parent_path());
    std::ofstream(dir_ / rel) << "x";
  }

  fs::path dir_;
  std::string proj_;
};

TEST_F(UploadExcludesTest, ResultsInsideTheWorkdirAreLeftOut) {
  const std::vector<std::string> want = {"/odd \\[dir]\\*.partial/", "/odd \\[dir]\\*/",
                                         "/out/run1.partial/", "/out/run1/", "/spotrun-results/"};
  EXPECT_EQ(
      ResultsExcludes(proj_, {proj_ + "/spotrun-results/quickstart-abc", proj_ + "/out/run1",
                              proj_ + "/odd [dir]*", (dir_ / "elsewhere").string(), proj_, ""}),
      want);
  // A launch from a subdirectory: its default results root.
  EXPECT_EQ(ResultsExcludes(proj_, {proj_ + "/src/spotrun-results/j-1"}),
            (std::vector<std::string>{"/spotrun-results/", "/src/spotrun-results/"}));
  // Through a link to the workdir.
  fs::create_directory_symlink(dir_ / "proj", dir_ / "link");
  EXPECT_EQ(ResultsExcludes((dir_ / "link").string(), {proj_ + "/r"}),
            (std::vector<std::string>{"/r.partial/", "/r/", "/spotrun-results/"}));
}

TEST_F(UploadExcludesTest, RsyncLiteralEscapesOnlyWithWildcards) {
  EXPECT_EQ(RsyncLiteral("plain dir"), "plain dir");
  EXPECT_EQ(RsyncLiteral("a\\b"), "a\\b");
  EXPECT_EQ(RsyncLiteral("a*[b]?\\c"), "a\\*\\[b]\\?\\\\c");
}

// The patterns as rsync reads them: only the results directories stay behind.
TEST_F(UploadExcludesTest, RsyncLeavesTheResultsBehind) {
  for (const char* f :
       {"proj/train.py", "proj/spotrun-results/old-1/model.pkl", "proj/odd [dir]*/model.pkl",
        "proj/odd [dir]x/keep.txt", "proj/sub/spotrun-results/keep.txt"}) {
    Touch(f);
  }
  auto args = RsyncPushOptions(ResultsExcludes(proj_, {proj_ + "/odd [dir]*"}));
  args.push_back(proj_ + "/");
  args.push_back((dir_ / "remote").string() + "/");
  ProcessOptions rsync;
  rsync.argv = args;
  std::string output;
  auto rc = RunCapture(rsync, &output, 60);
  ASSERT_TRUE(rc.ok() && *rc == 0) << output;
  EXPECT_TRUE(fs::exists(dir_ / "remote/train.py"));
  EXPECT_TRUE(fs::exists(dir_ / "remote/odd [dir]x/keep.txt"));
  EXPECT_TRUE(fs::exists(dir_ / "remote/sub/spotrun-results/keep.txt"));
  EXPECT_FALSE(fs::exists(dir_ / "remote/spotrun-results"));
  EXPECT_FALSE(fs::exists(dir_ / "remote/odd [dir]*"));
}

}  // namespace
}  // namespace spotrun
