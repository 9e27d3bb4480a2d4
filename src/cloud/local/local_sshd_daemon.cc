// The listener of a local instance's sshd (`spotrun _sshd`): accepts loopback
// connections and hands each to `sshd -i`. sshd rewrites its own environment
// block for its process title, so its processes do not show the instance
// marker; this listener does, and as a child subreaper it ends them all.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "cloud/local/local_sshd.h"
#include "util/fs.h"
#include "util/subprocess.h"

namespace spotrun {
namespace {

volatile std::sig_atomic_t g_stop = 0;

void OnStop(int) { g_stop = 1; }

bool InstanceAlive(const std::string& instance_dir) {
  auto meta = ReadFile(instance_dir + "/meta.json");
  if (!meta.ok()) return false;
  auto j = nlohmann::json::parse(*meta, nullptr, false);
  return !j.is_discarded() && j.value("state", "") != "terminated";
}

Result<int> ListenLoopback(int* port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Internal("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 16) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return Internal("cannot listen on 127.0.0.1");
  }
  *port = ntohs(addr.sin_port);
  return fd;
}

// Every process below `root` (by parent pid, from /proc).
std::vector<pid_t> Descendants(pid_t root) {
  std::multimap<pid_t, pid_t> children;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    size_t close_paren = line.rfind(')');
    if (close_paren == std::string::npos) continue;
    char state = 0;
    pid_t ppid = 0;
    if (sscanf(line.c_str() + close_paren + 1, " %c %d", &state, &ppid) == 2) {
      children.emplace(ppid, std::stoi(name));
    }
  }
  std::vector<pid_t> out;
  std::vector<pid_t> unvisited = {root};
  while (!unvisited.empty()) {
    pid_t p = unvisited.back();
    unvisited.pop_back();
    auto [begin, end] = children.equal_range(p);
    for (auto it = begin; it != end; ++it) {
      out.push_back(it->second);
      unvisited.push_back(it->second);
    }
  }
  return out;
}

void Reap() {
  while (waitpid(-1, nullptr, WNOHANG) > 0) {
  }
}

// SIGTERM to everything below us, a grace period, then SIGKILL until none is left.
void EndDescendants() {
  for (pid_t p : Descendants(getpid())) kill(p, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  for (int round = 0; round < 100; ++round) {
    Reap();
    std::vector<pid_t> left = Descendants(getpid());
    if (left.empty()) return;
    if (std::chrono::steady_clock::now() > deadline) {
      for (pid_t p : left) kill(p, SIGKILL);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace

int RunSshdDaemon(const std::string& instance_dir, const std::string& sshd) {
  const std::string dir = instance_dir + "/sshd";
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  struct sigaction sa {};
  sa.sa_handler = OnStop;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
  int port = 0;
  auto listener = ListenLoopback(&port);
  if (!listener.ok() || !WriteFileAtomic(dir + "/port", std::to_string(port)).ok()) {
    fprintf(stderr, "spotrun _sshd: cannot listen or write %s/port\n", dir.c_str());
    return 1;
  }
  ProcessOptions p;
  p.argv = {sshd, "-i", "-f", dir + "/sshd_config", "-E", dir + "/sshd.log"};
  p.output_path = dir + "/sshd.log";
  while (!g_stop && InstanceAlive(instance_dir)) {
    pollfd pfd{*listener, POLLIN, 0};
    if (poll(&pfd, 1, 500) > 0) {
      int conn = accept4(*listener, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn >= 0) {
        auto child = StartChild(p, conn);
        if (!child.ok()) fprintf(stderr, "spotrun _sshd: %s\n", child.status().ToString().c_str());
        close(conn);
      }
    }
    Reap();
  }
  close(*listener);
  EndDescendants();
  return 0;
}

}  // namespace spotrun
