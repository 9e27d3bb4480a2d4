#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "dashboard/log_tail.h"
#include "jobs/controller.h"
#include "util/fs.h"

namespace spotrun {
namespace {

AttemptRecord Attempt(int n) {
  AttemptRecord a;
  a.job_id = "ab12cd34";
  a.number = n;
  a.instance_type = "c5.large";
  a.market = "spot";
  a.zone = "use1-az1";
  return a;
}

void Write(const std::string& path, const std::string& text) {
  std::filesystem::create_directories(std::filesystem::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

TEST(DashboardLogTailTest, EveryAttemptUnderItsHeaderFromAnOffset) {
  auto dir = TempDir::Make("dashboard-log");
  ASSERT_TRUE(dir.ok());
  Write(LocalAttemptLogPath(dir->path(), "ab12cd34", 1), "one\n");
  Write(LocalAttemptLogPath(dir->path(), "ab12cd34", 2), "two\n");
  const std::vector<AttemptRecord> attempts = {Attempt(1), Attempt(2), Attempt(3)};
  const std::string whole = "one\n--- attempt 2: c5.large spot in use1-az1 ---\ntwo\n";
  LogChunk all = ReadLogTail(dir->path(), "ab12cd34", attempts, 0, 1 << 20);
  EXPECT_EQ(all.text, whole);
  EXPECT_EQ(all.start, 0);
  EXPECT_EQ(all.end, static_cast<long long>(whole.size()));
  LogChunk tail = ReadLogTail(dir->path(), "ab12cd34", attempts, -1, 4);
  EXPECT_EQ(tail.text, "two\n");
  EXPECT_EQ(tail.start, static_cast<long long>(whole.size()) - 4);
  LogChunk part = ReadLogTail(dir->path(), "ab12cd34", attempts, 2, 3);
  EXPECT_EQ(part.text, "e\n-");
  EXPECT_EQ(part.end, 5);
  LogChunk past = ReadLogTail(dir->path(), "ab12cd34", attempts, 1000, 10);
  EXPECT_EQ(past.text, "");
  EXPECT_EQ(past.start, static_cast<long long>(whole.size()));
  EXPECT_EQ(ReadLogTail(dir->path(), "nosuchjob", {}, 0, 10).text, "");
}

}  // namespace
}  // namespace spotrun
