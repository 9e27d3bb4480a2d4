// Child processes: run one to completion with streamed output, or start one
// detached in its own session. The only place that forks.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace spotrun {

struct ProcessOptions {
  std::vector<std::string> argv;           // argv[0] is looked up in PATH.
  std::map<std::string, std::string> env;  // Set on top of the inherited environment.
  // When set, the child's whole environment before `env` (instead of this
  // process's): a job's commands get the environment of the command that
  // submitted it, not the controller's.
  std::optional<std::map<std::string, std::string>> base_env;
  std::string cwd;           // Empty = inherit.
  bool new_session = false;  // setsid() in the child.
  std::string output_path;   // Detached only: stdout+stderr appended here.
  // RunProcess only: asked a few times a second while the child runs; true
  // kills its process group and RunProcess returns kCancelled.
  std::function<bool()> stop;
};

// Runs to completion; stdout and stderr (merged) are passed to `on_output` in
// chunks as they arrive. On timeout (> 0) the child's process group is killed
// and kUnavailable returned; once options.stop says so, the same, and kCancelled
// returned. Returns the exit status (128+signal if killed).
Result<int> RunProcess(const ProcessOptions& options,
                       const std::function<void(std::string_view)>& on_output,
                       double timeout_s = 0);

// Kills the process group of every child that RunProcess runs now, on any
// thread (a controller that stops leaves no command of its jobs behind).
void KillRunningChildren();

// A child the caller talks to over its stdin and stdout (stderr to
// /dev/null), in its own process group, ended (SIGKILL to the group) when
// destroyed. Answers are frames: "<decimal byte count>\n<bytes>". In a task
// of a TaskLoop a read suspends only the task.
class Coprocess {
 public:
  static Result<std::unique_ptr<Coprocess>> Start(const ProcessOptions& options);
  ~Coprocess();
  Coprocess(const Coprocess&) = delete;
  Coprocess& operator=(const Coprocess&) = delete;
  Status Write(const std::string& data);
  // The next frame, within `timeout_s`; kUnavailable when the child ended,
  // wrote something else or was too slow (it is then of no further use).
  Result<std::string> ReadFrame(double timeout_s);
  // False once the child has exited (it is then reaped).
  bool Running();

 private:
  Coprocess(pid_t pid, int in, int out) : pid_(pid), in_(in), out_(out) {}
  pid_t pid_;
  int in_, out_;
  std::string buffer_;
  bool broken_ = false;
  bool exited_ = false;
};

// Convenience: runs and captures all output into `*output`.
Result<int> RunCapture(const ProcessOptions& options, std::string* output, double timeout_s = 0);

// Starts a process that outlives the caller: own session, stdin from /dev/null,
// not a child of the caller (double fork). Returns its pid.
Result<pid_t> StartDetached(const ProcessOptions& options);

// Starts a child serving one connection: `stdio_fd` becomes its stdin and
// stdout, stderr goes to options.output_path (appended; /dev/null when empty).
// The child is sent SIGTERM if the caller dies first. The caller reaps it
// (waitpid) and closes its own copy of `stdio_fd`.
Result<pid_t> StartChild(const ProcessOptions& options, int stdio_fd);

// Replaces this process with options.argv (environment, cwd applied; the
// terminal is kept). Returns only when that fails: 127, after printing why.
int ExecReplace(const ProcessOptions& options);

// Runs options.argv as a child on this terminal (stdin, stdout and stderr
// inherited) and waits for it, ignoring SIGINT and SIGQUIT meanwhile as
// system(3) does (they reach the child through the terminal). Returns its
// exit status (128+signal if killed), 127 when it cannot be run.
int RunAttached(const ProcessOptions& options);

// True when a process with this pid exists (and is not a zombie).
bool ProcessAlive(pid_t pid);

// Start time of a process in clock ticks since boot (from /proc), 0 if unknown.
// With the pid it identifies a process across pid reuse.
unsigned long long ProcessStartTicks(pid_t pid);

}  // namespace spotrun
