// Finding and ending a local instance's daemons (IMDS, sshd listener) by the
// marker in their environment. The job's processes are ended with its
// sandbox's PID namespace (sandbox.h), which they cannot leave.
#include <dirent.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cloud/local/local_cloud.h"
#include "util/task_loop.h"

namespace spotrun {
namespace {

std::vector<pid_t> FindInstanceProcesses(const std::string& id) {
  const std::string marker = "SPOTRUN_LOCAL_INSTANCE=" + id;
  std::vector<pid_t> pids;
  DIR* proc = opendir("/proc");
  if (!proc) return pids;
  while (dirent* e = readdir(proc)) {
    char* end = nullptr;
    long pid = strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 0 || pid == getpid()) continue;
    std::ifstream env("/proc/" + std::string(e->d_name) + "/environ", std::ios::binary);
    std::string var;
    while (std::getline(env, var, '\0')) {
      if (var == marker) {
        pids.push_back(static_cast<pid_t>(pid));
        break;
      }
    }
  }
  closedir(proc);
  return pids;
}

}  // namespace

int KillInstanceProcesses(const std::string& id, double grace_s) {
  std::vector<pid_t> pids = FindInstanceProcesses(id);
  for (pid_t p : pids) kill(p, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(grace_s);
  while (std::chrono::steady_clock::now() < deadline && !FindInstanceProcesses(id).empty()) {
    PauseRealTime(0.05);
  }
  // Kill survivors, and whatever they forked meanwhile, until none is left.
  for (int round = 0; round < 20; ++round) {
    std::vector<pid_t> left = FindInstanceProcesses(id);
    if (left.empty()) break;
    for (pid_t p : left) kill(p, SIGKILL);
    PauseRealTime(0.05);
  }
  return static_cast<int>(pids.size());
}

}  // namespace spotrun
