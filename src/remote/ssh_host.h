// SshHost: the Host seam (remote/host.h) over the OpenSSH client. Commands run
// through `ssh`, files move with `rsync -e "ssh ..."` using the same rsync
// options as every other host (remote/rsync.h). Every connection uses:
//   - the job's key only (IdentitiesOnly, BatchMode: never a password prompt);
//   - the job's known_hosts, in which the host is named by HostKeyAlias (the
//     instance id), so an address change or a redirected target
//     (SPOTRUN_SSH_TARGET) keeps the same entry; a known host key is pinned
//     (StrictHostKeyChecking=yes), otherwise the first key seen is recorded and
//     required from then on (accept-new);
//   - one multiplexed master connection (ControlMaster=auto, ControlPersist)
//     whose socket lives in control_dir; the destructor closes it;
//   - ConnectTimeout and ServerAliveInterval, so a dead host fails in seconds.
// ssh's own messages go to a log file beside the socket, never into a
// command's output; errors quote its last line.
//
// Connection failures (exit status 255 from ssh, 255 or 12 from rsync) are
// retried: until ready_timeout_s has passed while the host has never been
// reached (an instance still booting), then connect_attempts times in all,
// with a delay doubling from retry_delay_s. A command that itself exits 255
// is indistinguishable; it is retried only when it printed nothing.
// Remote paths are relative to the login user's home, where sessions start.
// Not thread-safe: one call at a time.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "remote/host.h"
#include "util/clock.h"

namespace spotrun {

struct SshEndpoint {
  std::string host;  // Name or address ("203.0.113.7", "::1").
  int port = 22;
  std::string user;  // "" = ssh's default (the local user name).

  // "[user@]host[:port]" (IPv6 in brackets when a port follows).
  std::string ToString() const;
};

// Parses "[user@]host[:port]" with IPv6 as "[::1]" or "[::1]:2222", the
// syntax of SPOTRUN_SSH_TARGET. kInvalidArgument, naming `text`, otherwise.
Result<SshEndpoint> ParseSshTarget(const std::string& text);

struct SshHostOptions {
  SshEndpoint endpoint;
  std::string identity_file;     // Private key (-i). Required.
  std::string known_hosts_file;  // UserKnownHostsFile; system files are not read. Required.
  std::string host_key_alias;    // The host's name in known_hosts (the instance id). Required.
  // The host's public key ("ssh-ed25519 AAAA..."), when known: written to
  // known_hosts and required. "" = accept-new.
  std::string host_key;
  // Directory of the master connection's socket and ssh's log. Unix socket
  // paths are limited to about 100 bytes: keep it short (SshControlDir()).
  std::string control_dir;
  double connect_timeout_s = 10;     // ConnectTimeout of each try.
  int server_alive_interval_s = 15;  // ServerAliveInterval; 3 missed answers end the connection.
  int control_persist_s = 60;        // The idle master exits after this long.
  int connect_attempts = 4;          // Tries per call once the host has been reached.
  double retry_delay_s = 1;          // First delay between tries; doubles, at most 15 s.
  double ready_timeout_s = 30;       // How long the first connection may take.
  // Must exit 0 before the first operation (retried every few seconds until
  // ready_timeout_s); "" = none. E.g. "command -v rsync" while cloud-init runs.
  std::string ready_command;
  bool progress = false;  // rsync --info=progress2, shown on this process's stdout.
};

// True when OpenSSH client options ask for no remote command: -N, alone or
// in a group of flags such as -fNL (values of options such as -L and -o are
// skipped).
bool RequestsNoCommand(const std::vector<std::string>& ssh_options);

class SshHost : public Host {
 public:
  // `clock` (not owned) times the retries; it must outlive the host.
  SshHost(SshHostOptions options, Clock* clock);
  // Closes the master connection, if one was opened (ssh -O exit).
  ~SshHost() override;
  SshHost(const SshHost&) = delete;
  SshHost& operator=(const SshHost&) = delete;

  Result<int> Run(const std::string& command, const RunOptions& options,
                  const OutputFn& on_output) override;
  Status Push(const std::string& local, const std::string& remote,
              const std::vector<std::string>& excludes) override;
  Status Pull(const std::string& remote, const std::string& local) override;
  // ssh running `command`, over the master connection.
  Result<std::unique_ptr<HostSession>> OpenSession(const std::string& command) override;
  // `ssh` with every option above but on a connection of its own (no master,
  // so that forwards such as `-N -L` live, in the foreground, exactly as long
  // as this ssh), then `ssh_options`, the host and a remote command that
  // changes to `remote_dir` and runs `command` there, or a login shell (with
  // a terminal when stdin is one). With -N in `ssh_options` no remote command
  // is sent.
  Result<ProcessOptions> AttachCommand(const std::string& remote_dir,
                                       const std::vector<std::string>& command,
                                       const std::vector<std::string>& ssh_options) const override;

  const SshHostOptions& options() const { return options_; }
  // The ssh options every connection uses, without the destination
  // (ssh_options.cc). `master`: whether this call may start a master.
  std::vector<std::string> SshOptions(bool master) const;

 private:
  // Runs `argv` (ssh or rsync), retrying connection failures as described above.
  Result<int> RunRetried(const std::vector<std::string>& argv, double timeout_s,
                         const OutputFn& on_output, bool is_rsync);
  Status EnsureReady();
  Result<int> RunRemote(const std::string& command, const RunOptions& options,
                        const OutputFn& on_output);
  Status Rsync(std::vector<std::string> args, const std::string& what);
  Status WriteKnownHost() const;
  std::string LastLogLine() const;
  std::string control_path() const;
  std::string log_path() const;

  SshHostOptions options_;
  Clock* clock_;
  bool reached_ = false;  // A connection has succeeded once.
  bool ready_ = false;    // ready_command has passed.
};

// The destination name SshHost gives ssh and rsync; the real address is
// passed as HostName, so IPv6 and user names need no special syntax.
inline constexpr const char* kSshDestination = "spotrun-instance";

// A directory for SshHost control sockets: SPOTRUN_HOME/ssh when that path is
// short enough, else /tmp/spotrun-ssh-<uid>. Created with mode 0700.
Result<std::string> SshControlDir(const std::string& spotrun_home);

}  // namespace spotrun
