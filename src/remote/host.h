// Host: the seam around one instance's data plane: run a command with streamed
// output, keep one running as a session, push and pull files, attach a
// terminal. Abstract so that it can be
// faked; implementations: LocalHost (local cloud sandbox), SshHost (OpenSSH +
// rsync).
// Remote paths are relative to the instance user's home directory.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/clock.h"
#include "util/status.h"
#include "util/subprocess.h"

namespace spotrun {

using OutputFn = std::function<void(std::string_view chunk)>;

struct RunOptions {
  std::map<std::string, std::string> env;  // Added to the remote environment.
  double timeout_s = 120;                  // 0 = no limit.
};

// A long-lived command on a host that answers requests one at a time: a
// line in, a frame out ("<byte count>\n<bytes>"), e.g. the agent's `serve`.
class HostSession {
 public:
  virtual ~HostSession() = default;
  // Sends `line` (ending in \n) and returns the answer's bytes; kUnavailable
  // when the session broke (it is then of no further use).
  virtual Result<std::string> Call(const std::string& line, double timeout_s) = 0;
};

// A session over a local child process (LocalHost: the command itself;
// SshHost: ssh running it).
class ProcessSession : public HostSession {
 public:
  static Result<std::unique_ptr<HostSession>> Start(const ProcessOptions& options);
  Result<std::string> Call(const std::string& line, double timeout_s) override;

 private:
  explicit ProcessSession(std::unique_ptr<Coprocess> process) : process_(std::move(process)) {}
  std::unique_ptr<Coprocess> process_;
};

class Host {
 public:
  virtual ~Host() = default;
  // From now on every command, transfer and wait for the connection ends
  // early with kCancelled once `stop` returns true (asked a few times a
  // second): a cancel does not wait for a slow upload or an unreachable host.
  virtual void SetStop(std::function<bool()> stop) { stop_ = std::move(stop); }
  // Runs `command` under /bin/sh -c in the home directory. stdout and stderr are
  // streamed to `on_output` (may be null). Returns the exit status, or kUnavailable
  // when the host cannot be reached or the timeout expires.
  virtual Result<int> Run(const std::string& command, const RunOptions& options,
                          const OutputFn& on_output) = 0;
  // Copies a local file or directory (its contents) to `remote`, skipping
  // paths matching `excludes` (gitignore patterns).
  virtual Status Push(const std::string& local, const std::string& remote,
                      const std::vector<std::string>& excludes) = 0;
  // Copies a remote file or directory (its contents) to `local`.
  virtual Status Pull(const std::string& remote, const std::string& local) = 0;
  // Writes `files` (a name and its bytes each) into the directory `remote`.
  // Default: writes the ones that changed into the local directory
  // `staging` (created if need be) and pushes it.
  virtual Status PushFiles(const std::vector<std::pair<std::string, std::string_view>>& files,
                           const std::string& staging, const std::string& remote);
  // Starts `command` (as Run would) as a session. Default: kInvalidArgument
  // (a host without sessions; the caller runs a command per request).
  virtual Result<std::unique_ptr<HostSession>> OpenSession(const std::string& command) {
    (void)command;
    return InvalidArgument("this host has no sessions");
  }
  // The local process that attaches the user's terminal to this host
  // (`spotrun ssh`): a shell in `remote_dir` (a remote path; "" = the home
  // directory) when `command` is empty, else `command` (its words joined with
  // spaces, as ssh does) run there, with the environment the host's commands
  // get. `ssh_options` are OpenSSH client options passed through (`-L
  // 8888:localhost:8888`); a host not reached over SSH refuses them with
  // kInvalidArgument. Default: kInvalidArgument.
  virtual Result<ProcessOptions> AttachCommand(const std::string& remote_dir,
                                               const std::vector<std::string>& command,
                                               const std::vector<std::string>& ssh_options) const {
    (void)remote_dir;
    (void)command;
    (void)ssh_options;
    return InvalidArgument("this host cannot attach a terminal");
  }

 protected:
  bool StopRequested() const { return stop_ && stop_(); }
  // Waits `seconds` on `clock`, in steps short enough for a stop to cut it
  // short; false when it did.
  bool PauseUnlessStopped(Clock* clock, double seconds) const;

  std::function<bool()> stop_;
};

}  // namespace spotrun
