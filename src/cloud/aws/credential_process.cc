#include "cloud/aws/credential_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "cloud/aws/aws_time.h"

namespace spotrun::aws {
namespace {

constexpr double kRefreshBeforeExpiry = 600;

struct CommandOutput {
  int exit_code = -1;
  bool timed_out = false;
  std::string out;
  std::string err;
};

double SteadyNow() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

// Runs argv with exactly `env` as its environment and stdin from /dev/null,
// collecting stdout and stderr apart; killed (its process group) at the deadline.
Result<CommandOutput> RunCommand(const std::vector<std::string>& argv,
                                 const std::map<std::string, std::string>& env, double timeout_s) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0) return Internal("pipe failed");
  if (pipe2(err_pipe, O_CLOEXEC) != 0) {
    close(out_pipe[0]);
    close(out_pipe[1]);
    return Internal("pipe failed");
  }
  std::vector<std::string> env_strings;
  for (const auto& [key, value] : env) env_strings.push_back(key + "=" + value);
  std::vector<char*> envp, args;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    int null_fd = open("/dev/null", O_RDONLY);
    dup2(null_fd, 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    execvpe(args[0], args.data(), envp.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  if (pid < 0) {
    close(out_pipe[0]);
    close(err_pipe[0]);
    return Internal("fork failed");
  }
  CommandOutput result;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  double deadline = SteadyNow() + timeout_s;
  int open_fds = 2;
  while (open_fds > 0) {
    int left_ms = int((deadline - SteadyNow()) * 1000);
    if (left_ms <= 0) {
      result.timed_out = true;
      kill(-pid, SIGKILL);
      break;
    }
    if (poll(fds, 2, left_ms) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buffer[4096];
      ssize_t n = read(fds[i].fd, buffer, sizeof(buffer));
      if (n > 0) {
        sinks[i]->append(buffer, size_t(n));
      } else {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& fd : fds) {
    if (fd.fd >= 0) close(fd.fd);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::string FirstLine(const std::string& text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.size() > 200 ? line.substr(0, 200) + "..." : line;
}

}  // namespace

std::optional<std::vector<std::string>> SplitCommandLine(const std::string& command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (size_t i = 0; i < command.size(); ++i) {
    char c = command[i];
    if (c == ' ' || c == '\t' || c == '\n') {
      if (in_word) words.push_back(word);
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\\' && i + 1 < command.size()) {
      word += command[++i];
    } else if (c == '\'') {
      size_t end = command.find('\'', i + 1);
      if (end == std::string::npos) return std::nullopt;
      word += command.substr(i + 1, end - i - 1);
      i = end;
    } else if (c == '"') {
      for (++i; i < command.size() && command[i] != '"'; ++i) {
        if (command[i] == '\\' && i + 1 < command.size() &&
            std::string_view("\"\\$`").find(command[i + 1]) != std::string_view::npos) {
          ++i;
        }
        word += command[i];
      }
      if (i >= command.size()) return std::nullopt;
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(word);
  return words;
}

Result<Credentials> ParseProcessCredentials(const std::string& json, const std::string& label) {
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return AuthError(label + " did not print a JSON object");
  if (doc.value("Version", nlohmann::json()) != 1) {
    return AuthError(label + " printed JSON without \"Version\": 1");
  }
  Credentials credentials;
  auto text = [&](const char* key) {
    auto it = doc.find(key);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  credentials.access_key_id = text("AccessKeyId");
  credentials.secret_access_key = text("SecretAccessKey");
  credentials.session_token = text("SessionToken");
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return AuthError(label + " printed JSON without AccessKeyId and SecretAccessKey");
  }
  if (std::string expiration = text("Expiration"); !expiration.empty()) {
    std::optional<double> when = ParseRfc3339(expiration);
    if (!when) return AuthError(label + " printed an Expiration that is not RFC 3339");
    credentials.expiration = *when;
  }
  credentials.source = label;
  return credentials;
}

ProcessCredentialProvider::ProcessCredentialProvider(std::string command, std::string label,
                                                     std::map<std::string, std::string> env,
                                                     Clock* clock, double timeout_s)
    : command_(std::move(command)),
      label_(std::move(label)),
      env_(std::move(env)),
      clock_(clock),
      timeout_s_(timeout_s) {}

Result<Credentials> ProcessCredentialProvider::Get() {
  std::lock_guard<std::mutex> lock(mu_);
  if (cached_ &&
      (cached_->expiration == 0 || cached_->expiration - clock_->Now() > kRefreshBeforeExpiry)) {
    return *cached_;
  }
  std::optional<std::vector<std::string>> argv = SplitCommandLine(command_);
  if (!argv || argv->empty()) return AuthError(label_ + " is empty or has an unmatched quote");
  Result<CommandOutput> run = RunCommand(*argv, env_, timeout_s_);
  if (!run.ok()) return AuthError(label_ + ": " + run.status().message());
  if (run->timed_out) {
    char limit[32];
    std::snprintf(limit, sizeof(limit), "%g", timeout_s_);
    return AuthError(label_ + " did not finish within " + limit + " s");
  }
  if (run->exit_code != 0) {
    std::string detail = run->exit_code == 127 ? "command not found" : FirstLine(run->err);
    return AuthError(label_ + " exited with status " + std::to_string(run->exit_code) +
                     (detail.empty() ? "" : ": " + detail));
  }
  Result<Credentials> parsed = ParseProcessCredentials(run->out, label_);
  if (!parsed.ok()) return parsed.status();
  if (parsed->expiration != 0 && parsed->expiration <= clock_->Now()) {
    return AuthError(label_ + " returned credentials that have already expired");
  }
  cached_ = *parsed;
  return *parsed;
}

}  // namespace spotrun::aws
