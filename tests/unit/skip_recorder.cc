// Records every skipped test and its reason in $SPOTRUN_SKIP_FILE (when set),
// so tests/unit/run_group.sh can report the group to ctest as skipped and
// scripts/test.sh can say why, instead of counting a skip as a pass.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <string>

namespace {

// The test's name is kept from OnTestStart: asking the UnitTest for the
// current test from OnTestPartResult takes a mutex gtest holds there, which
// deadlocks where gtest is built thread-safe (Debian's libgtest-dev).
class SkipRecorder : public testing::EmptyTestEventListener {
  void OnTestStart(const testing::TestInfo& test) override {
    name_ = std::string(test.test_suite_name()) + "." + test.name();
  }
  void OnTestPartResult(const testing::TestPartResult& result) override {
    const char* path = std::getenv("SPOTRUN_SKIP_FILE");
    if (!result.skipped() || path == nullptr || *path == '\0') return;
    std::ofstream out(path, std::ios::app);
    if (!name_.empty()) out << name_ << ": ";
    out << result.message() << "\n";
  }

  std::string name_;
};

const bool kRegistered = [] {
  testing::UnitTest::GetInstance()->listeners().Append(new SkipRecorder);
  return true;
}();

}  // namespace
