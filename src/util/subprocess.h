// Child processes: run one to completion with streamed output, or start one
// detached in its own session. The only place that forks.
#pragma once

#include <sys/types.h>

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace spotrun {

struct ProcessOptions {
  std::vector<std::string> argv;           // argv[0] is looked up in PATH.
  std::map<std::string, std::string> env;  // Set on top of the inherited environment.
  std::string cwd;                         // Empty = inherit.
  bool new_session = false;                // setsid() in the child.
  std::string output_path;                 // Detached only: stdout+stderr appended here.
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

// True when a process with this pid exists (and is not a zombie).
bool ProcessAlive(pid_t pid);

// Start time of a process in clock ticks since boot (from /proc), 0 if unknown.
// With the pid it identifies a process across pid reuse.
unsigned long long ProcessStartTicks(pid_t pid);

}  // namespace spotrun
