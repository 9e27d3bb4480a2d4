// SshHost against a real, unprivileged sshd on loopback (skipped without one),
// and its command lines.
#include "remote/ssh_host.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "remote/job_ssh.h"
#include "test_sshd.h"
#include "util/fs.h"

namespace spotrun {
namespace {

namespace fs = std::filesystem;

class SshHostSshdTest : public testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/spotrun-ssh-XXXXXX";
    dir_ = mkdtemp(pattern);
    key_ = test::MakeTestKey(dir_ + "/id");
    ASSERT_FALSE(key_.empty());
    std::string why;
    if (!sshd_.Start(dir_ + "/server", key_, &why)) GTEST_SKIP() << why;
  }
  void TearDown() override {
    sshd_.Stop();
    fs::remove_all(dir_);
  }
  SshHostOptions Options() {
    SshHostOptions o;
    o.endpoint = {"127.0.0.1", sshd_.port(), ""};
    o.identity_file = dir_ + "/id";
    o.known_hosts_file = dir_ + "/known_hosts";
    o.host_key_alias = "i-test";
    o.host_key = sshd_.host_key();
    o.control_dir = dir_;
    o.retry_delay_s = 0.1;
    return o;
  }
  std::string Run(Host& host, const std::string& command, int* rc,
                  std::map<std::string, std::string> env = {}) {
    std::string out;
    auto r = host.Run(command, {.env = env, .timeout_s = 30},
                      [&out](std::string_view s) { out.append(s); });
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    *rc = r.ok() ? *r : -1;
    return out;
  }

  std::string dir_;
  std::string key_;
  test::TestSshd sshd_;
  RealClock clock_;
};

TEST_F(SshHostSshdTest, RunsInTheHomeWithEnvAndExitStatus) {
  SshHost host(Options(), &clock_);
  int rc = 0;
  EXPECT_EQ(
      Run(host, "pwd; echo \"$GREETING\"; echo err >&2; exit 3", &rc, {{"GREETING", "it's here"}}),
      sshd_.home() + "\nit's here\nerr\n");
  EXPECT_EQ(rc, 3);
  EXPECT_EQ(Run(host, "echo again", &rc), "again\n");  // Through the master connection.
  EXPECT_EQ(rc, 0);
}

TEST_F(SshHostSshdTest, PushHonoursIgnoreFilesAndPullBringsBack) {
  const std::string src = dir_ + "/src";
  fs::create_directories(src + "/data");
  fs::create_directories(src + "/.git");
  std::ofstream(src + "/train.py") << "print(1)\n";
  std::ofstream(src + "/data/big.bin") << "x";
  std::ofstream(src + "/.gitignore") << "data/\n";
  std::ofstream(src + "/.git/HEAD") << "ref\n";
  SshHost host(Options(), &clock_);
  ASSERT_TRUE(host.Push(src, "spotrun/j/workdir", {}).ok());
  ASSERT_TRUE(host.Push(src + "/train.py", "spotrun/j/extra/one.py", {}).ok());
  const std::string remote = sshd_.home() + "/spotrun/j";
  EXPECT_TRUE(fs::exists(remote + "/workdir/train.py"));
  EXPECT_FALSE(fs::exists(remote + "/workdir/data"));
  EXPECT_FALSE(fs::exists(remote + "/workdir/.git"));
  EXPECT_TRUE(fs::exists(remote + "/extra/one.py"));

  ASSERT_TRUE(host.Pull("spotrun/j/workdir", dir_ + "/back").ok());
  EXPECT_TRUE(fs::exists(dir_ + "/back/train.py"));
  ASSERT_TRUE(host.Pull("spotrun/j/extra/one.py", dir_ + "/one").ok());
  EXPECT_TRUE(fs::exists(dir_ + "/one/one.py"));
  Status missing = host.Pull("spotrun/j/nothing", dir_ + "/none");
  EXPECT_EQ(missing.code(), Code::kNotFound) << missing.ToString();
}

TEST_F(SshHostSshdTest, ProgressGoesToStdoutWhenAsked) {
  std::ofstream(dir_ + "/file.bin") << std::string(100000, 'x');
  SshHostOptions o = Options();
  o.progress = true;
  SshHost host(o, &clock_);
  testing::internal::CaptureStdout();
  Status pushed = host.Push(dir_ + "/file.bin", "up/file.bin", {});
  std::string shown = testing::internal::GetCapturedStdout();
  ASSERT_TRUE(pushed.ok()) << pushed.ToString();
  EXPECT_NE(shown.find("100%"), std::string::npos) << shown;
  o.progress = false;
  SshHost quiet(o, &clock_);
  testing::internal::CaptureStdout();
  ASSERT_TRUE(quiet.Push(dir_ + "/file.bin", "up/again.bin", {}).ok());
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "");
}

TEST_F(SshHostSshdTest, DestructorClosesTheMasterConnection) {
  std::string socket;
  {
    SshHost host(Options(), &clock_);
    int rc = 0;
    Run(host, "true", &rc);
    for (const auto& entry : fs::directory_iterator(dir_)) {
      if (entry.is_socket()) socket = entry.path();
    }
    ASSERT_FALSE(socket.empty()) << "no control socket in " << dir_;
  }
  EXPECT_FALSE(fs::exists(socket));
}

TEST_F(SshHostSshdTest, WrongPinnedHostKeyIsRefused) {
  SshHostOptions o = Options();
  o.host_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHjyZ3PXB2d+7s9YbGPKQb6yYRC7Fs4mVDfVFKD8Ixpx";
  ManualClock clock;
  SshHost host(o, &clock);
  auto r = host.Run("true", {}, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_NE(r.status().message().find("i-test"), std::string::npos) << r.status().message();
}

TEST_F(SshHostSshdTest, AcceptNewRecordsTheKeyUnderTheAlias) {
  SshHostOptions o = Options();
  o.host_key.clear();
  SshHost host(o, &clock_);
  int rc = 0;
  Run(host, "true", &rc);
  auto known = ReadFile(o.known_hosts_file);
  ASSERT_TRUE(known.ok());
  EXPECT_EQ(known->rfind("i-test " + sshd_.host_key(), 0), 0u) << *known;
}

TEST_F(SshHostSshdTest, AttachCommandPassesOptionsThrough) {
  SshHost host(Options(), &clock_);
  auto p = host.AttachCommand("", {"echo", "hi"}, {"-L", "8888:localhost:8888"});
  ASSERT_TRUE(p.ok());
  std::string output;
  auto rc = RunCapture(*p, &output, 30);
  ASSERT_TRUE(rc.ok());
  EXPECT_EQ(*rc, 0) << output;
  EXPECT_EQ(output, "hi\n");
  std::vector<std::string>& argv = p->argv;
  auto dest = std::find(argv.begin(), argv.end(), kSshDestination);
  ASSERT_NE(dest, argv.end());
  EXPECT_EQ(*(dest - 1), "8888:localhost:8888");
}

TEST_F(SshHostSshdTest, AttachCommandRunsInTheRemoteDir) {
  SshHost host(Options(), &clock_);
  int rc = 0;
  const std::string home = Run(host, "mkdir -p 'spotrun/j 1/workdir' && pwd", &rc);
  ASSERT_EQ(rc, 0);
  auto p = host.AttachCommand("spotrun/j 1/workdir", {"pwd;", "exit", "3"}, {});
  ASSERT_TRUE(p.ok());
  std::string output;
  auto status = RunCapture(*p, &output, 30);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(*status, 3) << output;
  EXPECT_EQ(output, home.substr(0, home.size() - 1) + "/spotrun/j 1/workdir\n");
}

// A free loopback port (bound, read, released).
int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

// The first bytes a loopback port sends ("SSH-2.0-..." through a forward to
// sshd), or "" when nothing answers there.
std::string Greeting(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  char buf[8] = {};
  timeval tv{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ssize_t n = 0;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) n = read(fd, buf, 7);
  close(fd);
  return n > 0 ? std::string(buf, n) : "";
}

TEST_F(SshHostSshdTest, AttachWithDashNKeepsItsForwardInTheForeground) {
  SshHost host(Options(), &clock_);
  int rc = 0;
  Run(host, "true", &rc);  // The controller's master connection is up.
  ASSERT_EQ(rc, 0);
  const int port = FreePort();
  const std::string forward = std::to_string(port) + ":127.0.0.1:" + std::to_string(sshd_.port());
  auto p = host.AttachCommand("spotrun/j/workdir", {}, {"-N", "-L", forward});
  ASSERT_TRUE(p.ok());
  std::string seen;
  std::thread probe([&] {
    for (int i = 0; i < 50 && seen.empty(); ++i) {
      seen = Greeting(port);
      if (seen.empty()) usleep(100 * 1000);
    }
  });
  std::string output;
  auto status = RunCapture(*p, &output, 8);  // Killed at the timeout: it stayed.
  probe.join();
  ASSERT_FALSE(status.ok()) << "ssh -N returned " << *status << ": " << output;
  EXPECT_EQ(seen, "SSH-2.0") << output;
  EXPECT_EQ(Greeting(port), "") << "the forward outlived the ssh that asked for it";
}

TEST(RequestsNoCommandTest, FindsDashNAloneOrGrouped) {
  EXPECT_TRUE(RequestsNoCommand({"-N"}));
  EXPECT_TRUE(RequestsNoCommand({"-L", "8888:localhost:8888", "-N"}));
  EXPECT_TRUE(RequestsNoCommand({"-fNL", "8888:localhost:8888"}));
  EXPECT_FALSE(RequestsNoCommand({}));
  EXPECT_FALSE(RequestsNoCommand({"-L", "8888:localhost:8888"}));
  EXPECT_FALSE(RequestsNoCommand({"-o", "-N"}));         // A value, not a flag.
  EXPECT_FALSE(RequestsNoCommand({"-LN:localhost:1"}));  // -L's value.
  EXPECT_FALSE(RequestsNoCommand({"N"}));
}

// Options for a host nothing answers at (port 1), its files in `dir`.
SshHostOptions UnreachableHost(const std::string& dir, double ready_timeout_s) {
  SshHostOptions o;
  o.endpoint = {"127.0.0.1", 1, ""};
  EXPECT_FALSE(test::MakeTestKey(dir + "/id").empty());
  o.identity_file = dir + "/id";
  o.known_hosts_file = dir + "/known_hosts";
  o.host_key_alias = "i-gone";
  o.control_dir = dir;
  o.ready_timeout_s = ready_timeout_s;
  return o;
}

TEST(SshHostNoServerTest, UnreachableHostFailsAfterRetries) {
  char pattern[] = "/tmp/spotrun-ssh-XXXXXX";
  std::string dir = mkdtemp(pattern);
  const SshHostOptions o = UnreachableHost(dir, 30);
  ManualClock clock;
  const double start = clock.Now();
  SshHost host(o, &clock);
  auto r = host.Run("true", {}, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kUnavailable);
  EXPECT_NE(r.status().message().find("Connection refused"), std::string::npos)
      << r.status().message();
  EXPECT_GE(clock.Now() - start, 15);  // Kept trying for the first connection.
  fs::remove_all(dir);
}

TEST(SshHostNoServerTest, AStopCutsTheConnectionRetriesShort) {
  char pattern[] = "/tmp/spotrun-ssh-XXXXXX";
  std::string dir = mkdtemp(pattern);
  const SshHostOptions o = UnreachableHost(dir, 600);
  ManualClock clock;
  const double start = clock.Now();
  SshHost host(o, &clock);
  // A cancel arrives 3 s (on the clock) into the retries.
  host.SetStop([&] { return clock.Now() - start >= 3; });
  auto r = host.Run("true", {}, nullptr);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), Code::kCancelled) << r.status().message();
  EXPECT_LT(clock.Now() - start, 3.5);  // Not a whole retry interval later.
  fs::remove_all(dir);
}

TEST(SubprocessStopTest, AStopKillsTheRunningCommand) {
  const auto begin = std::chrono::steady_clock::now();
  ProcessOptions p;
  p.argv = {"/bin/sh", "-c", "sleep 30"};
  p.stop = [&] {
    return std::chrono::steady_clock::now() - begin > std::chrono::milliseconds(300);
  };
  auto rc = RunProcess(p, nullptr, 60);
  ASSERT_FALSE(rc.ok());
  EXPECT_EQ(rc.status().code(), Code::kCancelled);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(5));
}

TEST(SshTargetTest, Parses) {
  auto t = ParseSshTarget("alice@127.0.0.1:2222");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->user, "alice");
  EXPECT_EQ(t->host, "127.0.0.1");
  EXPECT_EQ(t->port, 2222);
  EXPECT_EQ(t->ToString(), "alice@127.0.0.1:2222");
  t = ParseSshTarget("example.com");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->port, 22);
  EXPECT_EQ(t->user, "");
  t = ParseSshTarget("[::1]:2200");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->host, "::1");
  EXPECT_EQ(t->ToString(), "[::1]:2200");
  for (const char* bad :
       {"", "host:", "host:0", "host:99999", "@host", "::1:22", "[::1", "[::1]x", "host:2x"}) {
    EXPECT_EQ(ParseSshTarget(bad).status().code(), Code::kInvalidArgument) << bad;
  }
}

TEST(SshTargetTest, JobHostUsesTheJobKeyAndTheTarget) {
  char pattern[] = "/tmp/spotrun-ssh-XXXXXX";
  std::string dir = mkdtemp(pattern);
  JobSshSettings settings;
  settings.jobs_dir = dir;
  settings.control_dir = dir;
  settings.target = SshEndpoint{"127.0.0.1", 2022, ""};
  SshHostOptions base;
  base.endpoint = {"203.0.113.9", 22, "ubuntu"};
  RealClock clock;
  auto host = MakeJobSshHost(settings, "job-1", "i-1", base, &clock);
  ASSERT_TRUE(host.ok()) << host.status().ToString();
  const SshHostOptions& o = (*host)->options();
  EXPECT_EQ(o.endpoint.ToString(), "ubuntu@127.0.0.1:2022");  // The cloud's user is kept.
  EXPECT_EQ(o.identity_file, dir + "/job-1/ssh/id_ed25519");
  EXPECT_EQ(o.host_key_alias, "i-1");
  auto key = EnsureJobKey(JobSshFiles::ForJob(dir, "job-1"), "job-1");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(key->rfind("ssh-ed25519 ", 0), 0u);
  EXPECT_NE(key->find("spotrun-job-1"), std::string::npos);
  std::vector<std::string> args = (*host)->SshOptions(true);
  auto has = [&](const std::string& option) {
    return std::find(args.begin(), args.end(), option) != args.end();
  };
  EXPECT_TRUE(has("BatchMode=yes"));
  EXPECT_TRUE(has("HostKeyAlias=i-1"));
  EXPECT_TRUE(has("StrictHostKeyChecking=accept-new"));
  EXPECT_TRUE(has("ControlMaster=auto"));
  EXPECT_TRUE(has("HostName=127.0.0.1"));
  fs::remove_all(dir);
}

TEST(SshTargetTest, ControlDirStaysShort) {
  const std::string fallback = "/tmp/spotrun-ssh-" + std::to_string(getuid());
  const bool existed = fs::exists(fallback);
  auto dir = SshControlDir("/tmp/" + std::string(80, 'x'));
  ASSERT_TRUE(dir.ok());
  EXPECT_EQ(*dir, fallback);
  if (!existed) fs::remove_all(fallback);
}

}  // namespace
}  // namespace spotrun
