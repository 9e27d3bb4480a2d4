#include "test_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace spotrun::test {
namespace {

double Now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

std::vector<char*> Argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

int WaitExit(pid_t pid) {
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

std::optional<Captured> RunCaptured(const std::vector<std::string>& argv, const std::string& input,
                                    double timeout_s) {
  int in_pipe[2], out_pipe[2];
  if (pipe(in_pipe) != 0) return std::nullopt;
  if (pipe(out_pipe) != 0) return std::nullopt;
  pid_t pid = fork();
  if (pid < 0) return std::nullopt;
  if (pid == 0) {
    setpgid(0, 0);
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    dup2(out_pipe[1], 2);
    close(in_pipe[1]);
    close(out_pipe[0]);
    auto args = Argv(argv);
    execvp(args[0], args.data());
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  (void)!write(in_pipe[1], input.data(), input.size());  // Inputs are small.
  close(in_pipe[1]);
  Captured result;
  double deadline = Now() + timeout_s;
  char buffer[4096];
  while (true) {
    pollfd pfd{out_pipe[0], POLLIN, 0};
    int left_ms = int((deadline - Now()) * 1000);
    if (left_ms <= 0) {
      result.timed_out = true;
      kill(-pid, SIGKILL);
      break;
    }
    if (poll(&pfd, 1, left_ms) <= 0) continue;
    ssize_t n = read(out_pipe[0], buffer, sizeof(buffer));
    if (n <= 0) break;
    result.out.append(buffer, size_t(n));
  }
  close(out_pipe[0]);
  result.exit_code = WaitExit(pid);
  return result;
}

bool HaveBotocore() {
  auto r = RunCaptured({"python3", "-c", "import botocore"}, "", 30);
  return r && r->exit_code == 0;
}

std::string SourcePath(const std::string& relative) {
  return std::string(SPOTRUN_SOURCE_DIR) + "/" + relative;
}

MotoServer::~MotoServer() { Stop(); }

void MotoServer::Stop() {
  if (pid_ > 0) {
    kill(-pid_, SIGTERM);
    double deadline = Now() + 5;
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
      if (Now() > deadline) {
        kill(-pid_, SIGKILL);
        waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
  }
  if (!log_path_.empty()) unlink(log_path_.c_str());
  log_path_.clear();
}

bool MotoServer::Start(const std::map<std::string, std::string>& env, std::string* why,
                       double timeout_s) {
  char path[] = "/tmp/spotrun-moto-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) {
    *why = "mkstemp failed";
    return false;
  }
  log_path_ = path;
  pid_ = fork();
  if (pid_ == 0) {
    setpgid(0, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, 0);
    for (const auto& [key, value] : env) setenv(key.c_str(), value.c_str(), 1);
    execlp("moto_server", "moto_server", "-H", "127.0.0.1", "-p", "0", (char*)nullptr);
    _exit(127);
  }
  close(fd);
  double deadline = Now() + timeout_s;
  while (Now() < deadline) {
    std::ifstream in(log_path_);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string log = ss.str();
    size_t at = log.find("Running on http://127.0.0.1:");
    if (at != std::string::npos) {
      size_t end = log.find_first_not_of("0123456789", at + 28);
      if (end != std::string::npos) {
        url_ = "http://127.0.0.1:" + log.substr(at + 28, end - at - 28);
        return true;
      }
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      *why = WIFEXITED(status) && WEXITSTATUS(status) == 127
                 ? "moto_server not installed (moto is not in Debian; pip install "
                   "'moto[server]==5.2.1' to run these tests)"
                 : "moto_server exited: " + log.substr(0, 300);
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  *why = "moto_server did not start within the time limit";
  Stop();
  return false;
}

}  // namespace spotrun::test
