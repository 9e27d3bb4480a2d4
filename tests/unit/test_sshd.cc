#include "test_sshd.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "test_process.h"

namespace spotrun::test {
namespace {

namespace fs = std::filesystem;

std::string Slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  close(fd);
  return port;
}

bool Accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(port);
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

void KillMarked(const std::string& marker) {
  for (const auto& entry : fs::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream env(entry.path() / "environ", std::ios::binary);
    std::string var;
    while (std::getline(env, var, '\0')) {
      if (var == marker) kill(std::stoi(name), SIGKILL);
    }
  }
}

}  // namespace

std::string MakeTestKey(const std::string& path) {
  fs::remove(path);
  fs::remove(path + ".pub");
  auto r = RunCaptured({"ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", path}, "", 30);
  if (!r || r->exit_code != 0) return "";
  std::string line = Slurp(path + ".pub");
  return line.substr(0, line.find('\n'));
}

TestSshd::~TestSshd() { Stop(); }

void TestSshd::Stop() {
  if (pid_ > 0) {
    kill(-pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  if (!dir_.empty()) KillMarked("SPOTRUN_TEST_SSHD=" + dir_);
}

bool TestSshd::Start(const std::string& dir, const std::string& authorized_key, std::string* why) {
  const char* sshd = "/usr/sbin/sshd";
  if (access(sshd, X_OK) != 0) {
    *why = "no /usr/sbin/sshd";
    return false;
  }
  dir_ = dir;
  home_ = dir + "/home";
  fs::create_directories(home_);
  if (MakeTestKey(dir + "/host_key").empty()) {
    *why = "ssh-keygen failed";
    return false;
  }
  std::string key = Slurp(dir + "/host_key.pub");
  std::istringstream fields(key);
  std::string type, blob;
  fields >> type >> blob;
  host_key_ = type + " " + blob;
  std::ofstream(dir + "/authorized_keys") << authorized_key << "\n";
  std::ofstream(dir + "/session.sh")
      << "cd \"$HOME\" || exit 1\n"
      << "if [ -n \"${SSH_ORIGINAL_COMMAND+x}\" ]; then exec /bin/sh -c \"$SSH_ORIGINAL_COMMAND\"; "
         "fi\n"
      << "exec /bin/sh\n";
  std::ofstream(dir + "/sshd_config")
      << "HostKey " << dir << "/host_key\nPidFile none\nAuthorizedKeysFile " << dir
      << "/authorized_keys\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
      << "UsePAM no\nStrictModes no\nPermitRootLogin prohibit-password\nPermitUserRC no\n"
      << "SetEnv HOME=" << home_ << " SPOTRUN_TEST_SSHD=" << dir << "\n"
      << "ForceCommand /bin/sh " << dir << "/session.sh\nListenAddress 127.0.0.1\n";
  if (getuid() == 0) mkdir("/run/sshd", 0755);
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = FreePort();
    pid_ = fork();
    if (pid_ == 0) {
      setpgid(0, 0);
      int log = open((dir + "/sshd.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      dup2(log, 1);
      dup2(log, 2);
      std::string port = "Port=" + std::to_string(port_);
      execl(sshd, sshd, "-D", "-e", "-f", (dir + "/sshd_config").c_str(), "-o", port.c_str(),
            static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 200; ++i) {
      if (Accepts(port_)) return true;
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    Stop();
  }
  *why = "sshd did not start: " + Slurp(dir + "/sshd.log");
  return false;
}

}  // namespace spotrun::test
