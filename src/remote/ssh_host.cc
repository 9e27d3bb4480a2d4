#include "remote/ssh_host.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "remote/rsync.h"
#include "util/encoding.h"
#include "util/fs.h"

namespace spotrun {
namespace {

constexpr double kMaxRetryDelay = 15;
constexpr double kReadyPollInterval = 5;
constexpr size_t kKeptOutput = 4096;

// What the login shell runs: the command under /bin/sh, with `env` added.
std::string RemoteCommand(const std::string& command,
                          const std::map<std::string, std::string>& env) {
  std::string out = "exec ";
  if (!env.empty()) {
    out += "env";
    for (const auto& [key, value] : env) out += " " + ShellQuote(key + "=" + value);
    out += " ";
  }
  return out + "/bin/sh -c " + ShellQuote(command);
}

std::string LastLine(const std::string& text) {
  std::istringstream lines(text);
  std::string line, last;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t cr = line.rfind('\r');  // rsync progress lines overwrite each other.
    if (cr != std::string::npos) line = line.substr(cr + 1);
    if (line.find_first_not_of(" \t") != std::string::npos) last = line;
  }
  return last;
}

}  // namespace

SshHost::SshHost(SshHostOptions options, Clock* clock)
    : options_(std::move(options)), clock_(clock) {}

SshHost::~SshHost() {
  if (!reached_) return;
  ProcessOptions exit;
  exit.argv = SshOptions(/*master=*/false);
  exit.argv.insert(exit.argv.end(), {"-O", "exit", kSshDestination});
  std::string ignored;
  (void)RunCapture(exit, &ignored, 5);
}

Status SshHost::WriteKnownHost() const {
  if (options_.host_key.empty()) return Status::Ok();
  const std::string entry = options_.host_key_alias + " " + options_.host_key;
  std::string kept;
  if (auto text = ReadFile(options_.known_hosts_file); text.ok()) {
    std::istringstream lines(*text);
    std::string line;
    while (std::getline(lines, line)) {
      if (line == entry) return Status::Ok();
      if (line.rfind(options_.host_key_alias + " ", 0) != 0) kept += line + "\n";
    }
  }
  return WriteFileAtomic(options_.known_hosts_file, kept + entry + "\n");
}

std::string SshHost::LastLogLine() const {
  auto log = ReadFile(log_path());
  std::string line = log.ok() ? LastLine(*log) : "";
  return line.empty() ? "cannot connect" : line;
}

Result<int> SshHost::RunRetried(const std::vector<std::string>& argv, double timeout_s,
                                const OutputFn& on_output, bool is_rsync) {
  const double deadline = clock_->Now() + options_.ready_timeout_s;
  double delay = options_.retry_delay_s;
  for (int attempt = 1;; ++attempt) {
    (void)WriteFileAtomic(log_path(), "");  // ssh appends its own messages here.
    bool printed = false;
    ProcessOptions p;
    p.argv = argv;
    p.stop = stop_;
    auto rc = RunProcess(
        p,
        [&](std::string_view chunk) {
          printed = true;
          if (on_output) on_output(chunk);
        },
        timeout_s);
    if (!rc.ok()) return rc.status();
    bool lost = *rc == 255 || (is_rsync && *rc == 12);
    if (!lost) reached_ = true;
    // A remote command may exit 255 itself; retrying one that printed could repeat its effects.
    if (!lost || (printed && !is_rsync)) return rc;
    bool again = reached_ ? attempt < options_.connect_attempts
                          : attempt < 2 || clock_->Now() + delay <= deadline;
    if (!again) {
      return Unavailable("ssh " + options_.endpoint.ToString() + " (" + options_.host_key_alias +
                         "): " + LastLogLine());
    }
    if (!PauseUnlessStopped(clock_, delay)) return Cancelled("stopped while connecting");
    delay = std::min(delay * 2, kMaxRetryDelay);
  }
}

Result<int> SshHost::RunRemote(const std::string& command, const RunOptions& options,
                               const OutputFn& on_output) {
  std::vector<std::string> argv = SshOptions(/*master=*/true);
  argv.insert(argv.end(), {"-E", log_path(), kSshDestination, "--"});
  argv.push_back(RemoteCommand(command, options.env));
  return RunRetried(argv, options.timeout_s, on_output, /*is_rsync=*/false);
}

Status SshHost::EnsureReady() {
  if (ready_) return Status::Ok();
  SPOTRUN_RETURN_IF_ERROR(WriteKnownHost());
  const std::string& check = options_.ready_command;
  const double deadline = clock_->Now() + options_.ready_timeout_s;
  while (!check.empty()) {
    auto rc = RunRemote(check, {.env = {}, .timeout_s = 60}, nullptr);
    if (!rc.ok()) return rc.status();
    if (*rc == 0) break;
    if (clock_->Now() + kReadyPollInterval > deadline) {
      return Unavailable(options_.endpoint.ToString() + " is reachable but not ready: `" + check +
                         "` still exits " + std::to_string(*rc));
    }
    if (!PauseUnlessStopped(clock_, kReadyPollInterval)) {
      return Cancelled("stopped while waiting for the instance to be ready");
    }
  }
  ready_ = true;
  return Status::Ok();
}

Result<int> SshHost::Run(const std::string& command, const RunOptions& options,
                         const OutputFn& on_output) {
  SPOTRUN_RETURN_IF_ERROR(EnsureReady());
  return RunRemote(command, options, on_output);
}

Result<std::unique_ptr<HostSession>> SshHost::OpenSession(const std::string& command) {
  SPOTRUN_RETURN_IF_ERROR(EnsureReady());
  ProcessOptions p;
  p.argv = SshOptions(/*master=*/true);
  p.argv.insert(p.argv.end(), {"-E", log_path() + ".session", kSshDestination, "--"});
  p.argv.push_back(RemoteCommand(command, {}));
  p.new_session = true;
  return ProcessSession::Start(p);
}

Status SshHost::Rsync(std::vector<std::string> args, const std::string& what) {
  std::string e;
  std::vector<std::string> ssh = SshOptions(/*master=*/true);
  ssh.insert(ssh.end(), {"-E", log_path()});
  for (const std::string& word : ssh) e += (e.empty() ? "" : " ") + ShellQuote(word);
  args.insert(args.begin() + 1, {"-e", e});
  if (options_.progress) args.insert(args.begin() + 1, "--info=progress2");
  std::string output;
  auto rc = RunRetried(
      args, 0,
      [&](std::string_view chunk) {
        if (options_.progress) {
          fwrite(chunk.data(), 1, chunk.size(), stdout);
          fflush(stdout);
        }
        output.append(chunk);
        if (output.size() > 2 * kKeptOutput) output.erase(0, output.size() - kKeptOutput);
      },
      /*is_rsync=*/true);
  if (!rc.ok()) return Unavailable(what + " failed: " + rc.status().message());
  if (*rc != 0) {
    std::string why = LastLine(output);
    return Unavailable(what + " failed (rsync exit " + std::to_string(*rc) +
                       "): " + (why.empty() ? LastLogLine() : why));
  }
  return Status::Ok();
}

Status SshHost::Push(const std::string& local, const std::string& remote,
                     const std::vector<std::string>& excludes) {
  SPOTRUN_RETURN_IF_ERROR(EnsureReady());
  std::error_code ec;
  const bool is_dir = std::filesystem::is_directory(local, ec);
  const std::string dir = is_dir ? remote : std::filesystem::path(remote).parent_path().string();
  if (!dir.empty()) {
    std::string output;
    auto rc = RunRemote("mkdir -p " + ShellQuote(dir), {.env = {}, .timeout_s = 60},
                        [&output](std::string_view s) { output.append(s); });
    if (!rc.ok()) return rc.status();
    if (*rc != 0)
      return Unavailable("cannot make " + dir + " on the instance: " + LastLine(output));
  }
  std::vector<std::string> args = RsyncPushOptions(excludes);
  args.push_back(is_dir && local.back() != '/' ? local + "/" : local);
  args.push_back(std::string(kSshDestination) + ":" + (is_dir ? remote + "/" : remote));
  return Rsync(args, "upload of " + local);
}

Status SshHost::Pull(const std::string& remote, const std::string& local) {
  SPOTRUN_RETURN_IF_ERROR(EnsureReady());
  const std::string quoted = ShellQuote(remote);
  std::string kind;
  auto rc = RunRemote(
      "if [ -d " + quoted + " ]; then echo dir; elif [ -e " + quoted + " ]; then echo file; fi",
      {.env = {}, .timeout_s = 60}, [&kind](std::string_view s) { kind.append(s); });
  if (!rc.ok()) return rc.status();
  kind = LastLine(kind);
  if (*rc != 0 || kind.empty()) {
    return NotFound("no " + remote + " on instance " + options_.host_key_alias);
  }
  SPOTRUN_RETURN_IF_ERROR(MakeDirs(local));
  std::vector<std::string> args = RsyncPullOptions();
  args.push_back(std::string(kSshDestination) + ":" + remote + (kind == "dir" ? "/" : ""));
  args.push_back(local + "/");
  return Rsync(args, "download of " + remote);
}

}  // namespace spotrun
