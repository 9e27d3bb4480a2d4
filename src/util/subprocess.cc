#include "util/subprocess.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>

#include "util/task_loop.h"

namespace spotrun {
namespace {

// Runs in the forked child: never returns.
[[noreturn]] void ExecChild(const ProcessOptions& o) {
  if (o.new_session)
    setsid();
  else
    setpgid(0, 0);
  if (o.base_env) {
    clearenv();
    for (const auto& [k, v] : *o.base_env) setenv(k.c_str(), v.c_str(), 1);
  }
  for (const auto& [k, v] : o.env) setenv(k.c_str(), v.c_str(), 1);
  if (!o.cwd.empty() && chdir(o.cwd.c_str()) != 0) {
    dprintf(2, "spotrun: cannot chdir to %s: %s\n", o.cwd.c_str(), strerror(errno));
    _exit(127);
  }
  std::vector<char*> args;
  for (const auto& a : o.argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  signal(SIGPIPE, SIG_DFL);
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  execvp(args[0], args.data());
  dprintf(2, "spotrun: cannot run %s: %s\n", args[0], strerror(errno));
  _exit(127);
}

int DecodeWaitStatus(int ws) {
  if (WIFEXITED(ws)) return WEXITSTATUS(ws);
  if (WIFSIGNALED(ws)) return 128 + WTERMSIG(ws);
  return 255;
}

// True once `fd` has something to read (or hung up) within `wait_ms`. In a
// task of a TaskLoop only the task waits.
bool WaitForOutput(int fd, int wait_ms) {
  if (TaskLoop* loop = TaskLoop::Current()) return loop->WaitReadable(fd, wait_ms / 1000.0);
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, wait_ms) > 0;
}

// Waits for `pid` to end; its wait status. In a task the loop runs on while
// the child (whose output has ended) finishes.
int Reap(pid_t pid) {
  int ws = 0;
  if (TaskLoop::Current() != nullptr) {
    for (double pause = 0.001;; pause = std::min(pause * 2, 0.05)) {
      pid_t r = waitpid(pid, &ws, WNOHANG);
      if (r == pid || (r < 0 && errno != EINTR)) return ws;
      PauseRealTime(pause);
    }
  }
  while (waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
  }
  return ws;
}

std::mutex g_children_mutex;
std::set<pid_t>& Children() {
  static auto* children = new std::set<pid_t>;
  return *children;
}

// Keeps `pid` in Children() while it lives.
class ChildEntry {
 public:
  explicit ChildEntry(pid_t pid) : pid_(pid) {
    std::lock_guard<std::mutex> lock(g_children_mutex);
    Children().insert(pid_);
  }
  ~ChildEntry() {
    std::lock_guard<std::mutex> lock(g_children_mutex);
    Children().erase(pid_);
  }

 private:
  pid_t pid_;
};

double MonotonicNow() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace

Result<int> RunProcess(const ProcessOptions& options,
                       const std::function<void(std::string_view)>& on_output, double timeout_s) {
  if (options.argv.empty()) return InvalidArgument("empty command");
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Internal(std::string("pipe: ") + strerror(errno));
  pid_t pid = fork();
  if (pid < 0) return Internal(std::string("fork: ") + strerror(errno));
  if (pid == 0) {
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    dup2(fds[1], 1);
    dup2(fds[1], 2);
    ExecChild(options);
  }
  close(fds[1]);
  ChildEntry entry(pid);
  const double deadline = timeout_s > 0 ? MonotonicNow() + timeout_s : 0;
  bool timed_out = false, stopped = false;
  char buf[16384];
  for (;;) {
    if (options.stop && options.stop()) {
      stopped = true;
      break;
    }
    int wait_ms = 200;
    if (deadline > 0) {
      double left = deadline - MonotonicNow();
      if (left <= 0) {
        timed_out = true;
        break;
      }
      wait_ms = static_cast<int>(std::min(left * 1000, 200.0)) + 1;
    }
    if (!WaitForOutput(fds[0], wait_ms)) continue;
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) break;
    if (on_output) on_output(std::string_view(buf, n));
  }
  close(fds[0]);
  if (timed_out || stopped) {
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
  }
  const int ws = Reap(pid);
  if (stopped) return Cancelled("stopped: " + options.argv[0]);
  if (timed_out) {
    return Unavailable("command timed out after " + std::to_string(static_cast<int>(timeout_s)) +
                       " s: " + options.argv[0]);
  }
  return DecodeWaitStatus(ws);
}

void KillRunningChildren() {
  std::lock_guard<std::mutex> lock(g_children_mutex);
  for (pid_t pid : Children()) {
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
  }
}

Result<int> RunCapture(const ProcessOptions& options, std::string* output, double timeout_s) {
  output->clear();
  return RunProcess(
      options, [output](std::string_view s) { output->append(s); }, timeout_s);
}

Result<std::unique_ptr<Coprocess>> Coprocess::Start(const ProcessOptions& options) {
  if (options.argv.empty()) return InvalidArgument("empty command");
  int to_child[2], from_child[2];
  if (pipe2(to_child, O_CLOEXEC) != 0) return Internal(std::string("pipe: ") + strerror(errno));
  if (pipe2(from_child, O_CLOEXEC) != 0) {
    close(to_child[0]);
    close(to_child[1]);
    return Internal(std::string("pipe: ") + strerror(errno));
  }
  pid_t pid = fork();
  if (pid < 0) return Internal(std::string("fork: ") + strerror(errno));
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(to_child[0], 0);
    dup2(from_child[1], 1);
    dup2(devnull, 2);
    ExecChild(options);
  }
  close(to_child[0]);
  close(from_child[1]);
  {
    std::lock_guard<std::mutex> lock(g_children_mutex);
    Children().insert(pid);
  }
  return std::unique_ptr<Coprocess>(new Coprocess(pid, to_child[1], from_child[0]));
}

Coprocess::~Coprocess() {
  close(in_);
  close(out_);
  kill(-pid_, SIGKILL);
  if (!exited_) {
    kill(pid_, SIGKILL);
    Reap(pid_);
  }
  std::lock_guard<std::mutex> lock(g_children_mutex);
  Children().erase(pid_);
}

bool Coprocess::Running() {
  if (!exited_ && waitpid(pid_, nullptr, WNOHANG) == pid_) exited_ = true;
  return !exited_;
}

Status Coprocess::Write(const std::string& data) {
  if (broken_) return Unavailable("session ended");
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(in_, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      broken_ = true;
      return Unavailable(std::string("session: write: ") + strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
  return Status::Ok();
}

Result<std::string> Coprocess::ReadFrame(double timeout_s) {
  if (broken_) return Unavailable("session ended");
  const double deadline = MonotonicNow() + timeout_s;
  auto fail = [this](const std::string& why) -> Status {
    broken_ = true;
    return Unavailable("session: " + why);
  };
  for (;;) {
    const size_t eol = buffer_.find('\n');
    if (eol != std::string::npos) {
      const std::string head = buffer_.substr(0, eol);
      if (head.empty() || head.size() > 12 ||
          head.find_first_not_of("0123456789") != std::string::npos) {
        return fail("not a frame: " + head.substr(0, 40));
      }
      const size_t size = std::stoull(head);
      if (buffer_.size() >= eol + 1 + size) {
        std::string frame = buffer_.substr(eol + 1, size);
        buffer_.erase(0, eol + 1 + size);
        return frame;
      }
    }
    const double left = deadline - MonotonicNow();
    if (left <= 0) return fail("no answer in time");
    if (!WaitForOutput(out_, static_cast<int>(std::min(left, 0.2) * 1000) + 1)) continue;
    char buf[65536];
    ssize_t n = read(out_, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n <= 0) return fail("ended");
    buffer_.append(buf, static_cast<size_t>(n));
  }
}

Result<pid_t> StartDetached(const ProcessOptions& options) {
  if (options.argv.empty()) return InvalidArgument("empty command");
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Internal(std::string("pipe: ") + strerror(errno));
  pid_t child = fork();
  if (child < 0) return Internal(std::string("fork: ") + strerror(errno));
  if (child == 0) {
    setsid();
    pid_t grandchild = fork();
    if (grandchild != 0) {
      (void)!write(fds[1], &grandchild, sizeof grandchild);
      _exit(grandchild > 0 ? 0 : 1);
    }
    int in = open("/dev/null", O_RDONLY);
    const char* out_path = options.output_path.empty() ? "/dev/null" : options.output_path.c_str();
    int out = open(out_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (out < 0) out = open("/dev/null", O_WRONLY);
    dup2(in, 0);
    dup2(out, 1);
    dup2(out, 2);
    ProcessOptions o = options;
    o.new_session = false;  // Already in the new session; becomes a group leader in it.
    ExecChild(o);
  }
  close(fds[1]);
  pid_t grandchild = -1;
  ssize_t n = read(fds[0], &grandchild, sizeof grandchild);
  close(fds[0]);
  int ws = 0;
  waitpid(child, &ws, 0);
  if (n != sizeof grandchild || grandchild <= 0)
    return Internal("could not start " + options.argv[0]);
  return grandchild;
}

Result<pid_t> StartChild(const ProcessOptions& options, int stdio_fd) {
  if (options.argv.empty()) return InvalidArgument("empty command");
  const pid_t parent = getpid();
  pid_t pid = fork();
  if (pid < 0) return Internal(std::string("fork: ") + strerror(errno));
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    if (getppid() != parent) _exit(1);  // The parent died before prctl.
    const char* err_path = options.output_path.empty() ? "/dev/null" : options.output_path.c_str();
    int err = open(err_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(stdio_fd, 0);
    dup2(stdio_fd, 1);
    if (err >= 0) dup2(err, 2);
    ExecChild(options);
  }
  return pid;
}

int ExecReplace(const ProcessOptions& options) {
  if (options.argv.empty()) return 127;
  for (const auto& [k, v] : options.env) setenv(k.c_str(), v.c_str(), 1);
  if (!options.cwd.empty() && chdir(options.cwd.c_str()) != 0) {
    fprintf(stderr, "spotrun: cannot chdir to %s: %s\n", options.cwd.c_str(), strerror(errno));
    return 127;
  }
  std::vector<char*> args;
  for (const auto& a : options.argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execvp(args[0], args.data());
  fprintf(stderr, "spotrun: cannot run %s: %s\n", args[0], strerror(errno));
  return 127;
}

int RunAttached(const ProcessOptions& options) {
  if (options.argv.empty()) return 127;
  struct sigaction ignore {
  }, old_int{}, old_quit{};
  ignore.sa_handler = SIG_IGN;
  sigemptyset(&ignore.sa_mask);
  sigaction(SIGINT, &ignore, &old_int);
  sigaction(SIGQUIT, &ignore, &old_quit);
  const pid_t pid = fork();
  if (pid == 0) {
    signal(SIGINT, SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    _exit(ExecReplace(options));
  }
  int status = 0;
  int rc = 127;
  if (pid > 0) {
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  } else {
    fprintf(stderr, "spotrun: fork failed: %s\n", strerror(errno));
  }
  sigaction(SIGINT, &old_int, nullptr);
  sigaction(SIGQUIT, &old_quit, nullptr);
  return rc;
}

bool ProcessAlive(pid_t pid) {
  if (pid <= 0) return false;
  if (kill(pid, 0) != 0 && errno == ESRCH) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  auto close_paren = line.rfind(')');
  return close_paren == std::string::npos || close_paren + 2 >= line.size() ||
         line[close_paren + 2] != 'Z';
}

unsigned long long ProcessStartTicks(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return 0;
  auto close_paren = line.rfind(')');
  if (close_paren == std::string::npos) return 0;
  std::istringstream rest(line.substr(close_paren + 2));
  std::string field;
  // Fields after the command name start at field 3 (state); starttime is field 22.
  for (int i = 3; i <= 22 && rest >> field; ++i) {
    if (i == 22) return std::stoull(field);
  }
  return 0;
}

}  // namespace spotrun
