// SshHost's command lines: the target syntax, the options every connection
// uses, the control socket's name and the terminal attachment.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <optional>

#include "remote/ssh_host.h"
#include "util/encoding.h"
#include "util/fs.h"

namespace spotrun {
namespace {

// Unix socket paths hold at most 108 bytes; ssh adds a 17-byte temporary
// suffix while it creates the socket, and the name below takes 20.
constexpr size_t kMaxControlDir = 64;

std::string Hash64(const std::string& text) {
  uint64_t h = 1469598103934665603ULL;  // FNV-1a.
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char out[17];
  snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

Result<int> ParsePort(const std::string& text, const std::string& target) {
  bool digits = !text.empty() && text.size() <= 5 &&
                std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  int port = digits ? std::stoi(text) : 0;
  if (port < 1 || port > 65535) {
    return InvalidArgument("SSH target '" + target + "': port must be 1 to 65535");
  }
  return port;
}

}  // namespace

std::string SshEndpoint::ToString() const {
  std::string out = user.empty() ? "" : user + "@";
  bool v6 = host.find(':') != std::string::npos;
  if (port == 22) return out + host;
  return out + (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

Result<SshEndpoint> ParseSshTarget(const std::string& text) {
  const Status bad = InvalidArgument("SSH target '" + text + "': expected [USER@]HOST[:PORT]");
  SshEndpoint e;
  std::string rest = text;
  if (size_t at = rest.rfind('@'); at != std::string::npos) {
    e.user = rest.substr(0, at);
    rest = rest.substr(at + 1);
    if (e.user.empty()) return bad;
  }
  std::optional<std::string> port;
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string::npos) return bad;
    e.host = rest.substr(1, close - 1);
    std::string after = rest.substr(close + 1);
    if (!after.empty() && after.front() != ':') return bad;
    if (!after.empty()) port = after.substr(1);
  } else if (std::count(rest.begin(), rest.end(), ':') > 1) {
    return InvalidArgument("SSH target '" + text + "': write IPv6 addresses as [::1]:PORT");
  } else if (size_t colon = rest.find(':'); colon != std::string::npos) {
    e.host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  } else {
    e.host = rest;
  }
  if (e.host.empty()) return bad;
  if (port) {
    auto p = ParsePort(*port, text);
    if (!p.ok()) return p.status();
    e.port = *p;
  }
  return e;
}

std::string SshHost::control_path() const {
  const SshEndpoint& e = options_.endpoint;
  return options_.control_dir + "/" +
         Hash64(options_.host_key_alias + "|" + e.host + "|" + std::to_string(e.port) + "|" +
                e.user + "|" + options_.identity_file);
}

std::string SshHost::log_path() const { return control_path() + ".log"; }

std::vector<std::string> SshHost::SshOptions(bool master) const {
  const SshHostOptions& o = options_;
  auto opt = [](const std::string& name, const std::string& value) {
    return std::vector<std::string>{"-o", name + "=" + value};
  };
  std::vector<std::string> args = {"ssh", "-i", o.identity_file};
  for (auto pair :
       {opt("BatchMode", "yes"), opt("IdentitiesOnly", "yes"),
        opt("UserKnownHostsFile", o.known_hosts_file), opt("GlobalKnownHostsFile", "/dev/null"),
        opt("HostKeyAlias", o.host_key_alias), opt("HashKnownHosts", "no"),
        opt("StrictHostKeyChecking", o.host_key.empty() ? "accept-new" : "yes"),
        opt("ControlMaster", master ? "auto" : "no"), opt("ControlPath", control_path()),
        opt("ControlPersist", std::to_string(o.control_persist_s)),
        opt("ConnectTimeout", std::to_string(static_cast<int>(o.connect_timeout_s))),
        opt("ServerAliveInterval", std::to_string(o.server_alive_interval_s)),
        opt("ServerAliveCountMax", "3"), opt("LogLevel", "ERROR"),
        opt("HostName", o.endpoint.host)}) {
    args.insert(args.end(), pair.begin(), pair.end());
  }
  args.insert(args.end(), {"-p", std::to_string(o.endpoint.port)});
  if (!o.endpoint.user.empty()) args.insert(args.end(), {"-l", o.endpoint.user});
  return args;
}

Result<ProcessOptions> SshHost::AttachCommand(const std::string& remote_dir,
                                              const std::vector<std::string>& command,
                                              const std::vector<std::string>& ssh_options) const {
  SPOTRUN_RETURN_IF_ERROR(WriteKnownHost());
  ProcessOptions p;
  p.argv = SshOptions(/*master=*/false);
  // A connection of its own: through the master, `-N -L` would hand the
  // forward to the master and return at once, the forward outliving it.
  for (std::string& arg : p.argv) {
    if (arg.rfind("ControlPath=", 0) == 0) arg = "ControlPath=none";
  }
  const bool no_command = RequestsNoCommand(ssh_options);
  // Before the user's options, so that their -T still wins.
  if (command.empty() && !no_command && isatty(STDIN_FILENO)) p.argv.push_back("-t");
  p.argv.insert(p.argv.end(), ssh_options.begin(), ssh_options.end());
  p.argv.push_back(kSshDestination);
  if (no_command) return p;
  std::string remote = remote_dir.empty() ? "" : "cd " + ShellQuote(remote_dir) + " && ";
  if (command.empty()) {
    remote += "exec \"${SHELL:-/bin/sh}\" -l";
  } else {
    for (size_t i = 0; i < command.size(); ++i) remote += (i ? " " : "") + command[i];
  }
  p.argv.push_back(remote);
  return p;
}

bool RequestsNoCommand(const std::vector<std::string>& ssh_options) {
  constexpr std::string_view kTakesValue = "BbcDEeFIiJLlmOoPpQRSWw";
  for (size_t i = 0; i < ssh_options.size(); ++i) {
    const std::string& word = ssh_options[i];
    if (word.size() < 2 || word[0] != '-') continue;
    for (size_t j = 1; j < word.size(); ++j) {
      if (word[j] == 'N') return true;
      if (kTakesValue.find(word[j]) != std::string_view::npos) {
        if (j + 1 == word.size()) ++i;  // The value is the next word.
        break;
      }
    }
  }
  return false;
}

Result<std::string> SshControlDir(const std::string& spotrun_home) {
  std::string dir = spotrun_home + "/ssh";
  if (dir.size() > kMaxControlDir) dir = "/tmp/spotrun-ssh-" + std::to_string(getuid());
  SPOTRUN_RETURN_IF_ERROR(MakeDirs(dir));
  struct stat st {};
  if (chmod(dir.c_str(), 0700) != 0 || stat(dir.c_str(), &st) != 0 || st.st_uid != getuid()) {
    return Internal("cannot use " + dir + " for SSH control sockets (not ours, or no access)");
  }
  return dir;
}

}  // namespace spotrun
