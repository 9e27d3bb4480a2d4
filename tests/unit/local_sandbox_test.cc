// The command lines of a local instance's sandbox (cloud/local/sandbox.h):
// bubblewrap with the host read-only but the instance's home, venv and
// requests, limits before it, nsenter into it for each command; and the
// caller's AWS credentials left out of an instance's environment.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

#include "cloud/local/local_host.h"
#include "cloud/local/sandbox.h"

namespace spotrun {
namespace {

using Argv = std::vector<std::string>;

SandboxPlan Plan() {
  SandboxPlan p;
  p.instance_dir = "/h/local/instances/i-local1";
  p.namespaces = true;
  p.hidden = {"/h"};
  p.init_pid = 4242;
  p.pid_ns = "pid:[4026532176]";
  return p;
}

// Where `what` starts in `argv` (argv.size() if nowhere).
size_t Find(const Argv& argv, const Argv& what) {
  auto it = std::search(argv.begin(), argv.end(), what.begin(), what.end());
  return static_cast<size_t>(it - argv.begin());
}

TEST(LocalSandboxTest, InitIsBwrapWithTheHostReadOnlyButTheInstance) {
  Argv a = SandboxInitArgv(Plan());
  ASSERT_EQ(a.front(), "bwrap");  // No limits asked: nothing before it.
  const size_t root = Find(a, {"--ro-bind", "/", "/"});
  const size_t hide = Find(a, {"--tmpfs", "/h"});
  const size_t inst =
      Find(a, {"--ro-bind", "/h/local/instances/i-local1", "/h/local/instances/i-local1"});
  const size_t home =
      Find(a, {"--bind", "/h/local/instances/i-local1/home", "/h/local/instances/i-local1/home"});
  ASSERT_LT(root, a.size());
  ASSERT_LT(home, a.size());
  // Later mounts go over earlier ones: /, then SPOTRUN_HOME hidden, then the
  // instance read-only, then its home writable.
  EXPECT_LT(root, hide);
  EXPECT_LT(hide, inst);
  EXPECT_LT(inst, home);
  EXPECT_LT(Find(a, {"--bind", "/h/local/instances/i-local1/venv"}), a.size());
  EXPECT_LT(Find(a, {"--bind", "/h/local/instances/i-local1/requests"}), a.size());
  EXPECT_LT(Find(a, {"--tmpfs", "/tmp"}), a.size());
  EXPECT_LT(Find(a, {"--dev", "/dev"}), a.size());
  EXPECT_LT(Find(a, {"--proc", "/proc"}), a.size());
  EXPECT_LT(Find(a, {"--unshare-pid"}), a.size());
  EXPECT_LT(Find(a, {"--unshare-ipc"}), a.size());
  EXPECT_EQ(Find(a, {"--unshare-net"}), a.size());  // The job reaches its IMDS on loopback.
  EXPECT_EQ(Argv(a.end() - 3, a.end()), (Argv{"--", "sleep", "infinity"}));
}

TEST(LocalSandboxTest, SharedDirectoriesAreWritable) {
  SandboxPlan p = Plan();
  p.shared = {"/data/shared"};
  Argv a = SandboxInitArgv(p);
  EXPECT_LT(Find(a, {"--bind", "/data/shared", "/data/shared"}), a.size());
  auto dirs = ParseSharedDirs("/tmp::/");
  ASSERT_TRUE(dirs.ok());
  EXPECT_EQ(*dirs, (Argv{"/tmp", "/"}));
  EXPECT_FALSE(ParseSharedDirs("relative/dir").ok());
  EXPECT_FALSE(ParseSharedDirs("/no/such/dir/spotrun").ok());
}

TEST(LocalSandboxTest, GpuDevicesAreBound) {
  SandboxPlan p = Plan();
  p.devices = {"/dev/nvidia0"};
  Argv a = SandboxInitArgv(p);
  EXPECT_LT(Find(a, {"--dev-bind", "/dev/nvidia0", "/dev/nvidia0"}), a.size());
}

TEST(LocalSandboxTest, LimitsComeFirstCgroupThenAffinity) {
  SandboxPlan p = Plan();
  p.cpu_list = {1, 2};
  p.memory_bytes = 512LL << 20;
  p.memory = MemoryLimit::kCgroupV1;
  p.cgroup = "/sys/fs/cgroup/memory/x/spotrun-i-local1";
  Argv a = SandboxInitArgv(p);
  ASSERT_GE(a.size(), 8u);
  EXPECT_EQ(a[0], "/bin/sh");
  EXPECT_EQ(a[2],
            "echo $$ > /sys/fs/cgroup/memory/x/spotrun-i-local1/cgroup.procs || exit 125; "
            "exec \"$@\"");
  EXPECT_EQ(Argv(a.begin() + 4, a.begin() + 8), (Argv{"taskset", "-c", "1,2", "bwrap"}));
}

TEST(LocalSandboxTest, AddressSpaceLimitWithoutCgroup) {
  SandboxPlan p = Plan();
  p.memory_bytes = 512LL << 20;
  p.memory = MemoryLimit::kAddressSpace;
  Argv a = SandboxInitArgv(p);
  EXPECT_EQ(a[2], "ulimit -v 524288 || exit 125; exec \"$@\"");
  EXPECT_EQ(a[4], "bwrap");
}

TEST(LocalSandboxTest, CommandsEnterTheNamespacesUnderTheSameLimits) {
  SandboxPlan p = Plan();
  p.cpu_list = {0};
  Argv a = SandboxEnterArgv(p, "/h/local/instances/i-local1/home", {"/bin/sh", "-c", "nproc"});
  Argv want = {"taskset", "-c", "0", "nsenter", "--target", "4242"};
  if (geteuid() != 0) want.insert(want.end(), {"--user", "--preserve-credentials"});
  want.insert(want.end(), {"--pid", "--mount", "--ipc", "--wd=/h/local/instances/i-local1/home",
                           "--", "/bin/sh", "-c", "nproc"});
  EXPECT_EQ(a, want);
}

TEST(LocalSandboxTest, WithoutNamespacesCommandsRunUnderTheLimitsOnly) {
  SandboxPlan p = Plan();
  p.namespaces = false;
  p.cpu_list = {0};
  EXPECT_EQ(SandboxEnterArgv(p, "/x", {"true"}), (Argv{"taskset", "-c", "0", "true"}));
}

TEST(LocalSandboxTest, InstancesGetNoAwsCredentialsFromTheCaller) {
  auto env = InstanceBaseEnvironment({{"AWS_ACCESS_KEY_ID", "AKIA"},
                                      {"AWS_SECRET_ACCESS_KEY", "s"},
                                      {"AWS_SESSION_TOKEN", "t"},
                                      {"AWS_PROFILE", "p"},
                                      {"AWS_SHARED_CREDENTIALS_FILE", "/c"},
                                      {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://x"},
                                      {"AWS_REGION", "us-east-1"},
                                      {"PATH", "/usr/bin"}});
  EXPECT_EQ(
      env, (std::map<std::string, std::string>{{"AWS_REGION", "us-east-1"}, {"PATH", "/usr/bin"}}));
}

}  // namespace
}  // namespace spotrun
