// What rsync brings back from an instance: regular files and directories
// only, never a link (to a file of this machine or any other) or a special file.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "remote/rsync.h"
#include "util/subprocess.h"

namespace spotrun {
namespace {

namespace fs = std::filesystem;

TEST(RsyncPullTest, BringsBackNoLinks) {
  const fs::path dir = fs::temp_directory_path() / ("spotrun-pull-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir / "out/sub");
  std::ofstream(dir / "out/model.pt") << "m";
  std::ofstream(dir / "out/sub/log.txt") << "l";
  fs::create_symlink("/etc/passwd", dir / "out/passwd");
  fs::create_symlink("model.pt", dir / "out/latest.pt");
  fs::create_directory_symlink("/etc", dir / "out/sub/etc");
  ASSERT_EQ(mkfifo((dir / "out/fifo").c_str(), 0600), 0);

  ProcessOptions rsync;
  rsync.argv = RsyncPullOptions();
  rsync.argv.push_back((dir / "out").string() + "/");
  rsync.argv.push_back((dir / "results").string() + "/");
  std::string output;
  auto rc = RunCapture(rsync, &output, 60);
  ASSERT_TRUE(rc.ok() && *rc == 0) << output;

  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(dir / "results/model.pt")));
  EXPECT_TRUE(fs::is_regular_file(fs::symlink_status(dir / "results/sub/log.txt")));
  for (const char* left_out : {"passwd", "latest.pt", "sub/etc", "fifo"}) {
    EXPECT_FALSE(fs::exists(fs::symlink_status(dir / "results" / left_out))) << left_out;
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace spotrun
