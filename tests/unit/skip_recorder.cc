// Records every skipped test and its reason in $SPOTRUN_SKIP_FILE (when set),
// so tests/unit/run_group.sh can report the group to ctest as skipped and
// scripts/test.sh can say why, instead of counting a skip as a pass.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

namespace {

class SkipRecorder : public testing::EmptyTestEventListener {
  void OnTestPartResult(const testing::TestPartResult& result) override {
    const char* path = std::getenv("SPOTRUN_SKIP_FILE");
    if (!result.skipped() || path == nullptr || *path == '\0') return;
    const testing::TestInfo* test = testing::UnitTest::GetInstance()->current_test_info();
    std::ofstream out(path, std::ios::app);
    if (test != nullptr) out << test->test_suite_name() << "." << test->name() << ": ";
    out << result.message() << "\n";
  }
};

const bool kRegistered = [] {
  testing::UnitTest::GetInstance()->listeners().Append(new SkipRecorder);
  return true;
}();

}  // namespace
