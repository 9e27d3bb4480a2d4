#include "cli/notebook_forward.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "agent/layout.h"
#include "cli/job_host.h"
#include "util/encoding.h"

namespace spotrun {
namespace {

// Seconds the forward gets to accept connections.
constexpr double kForwardWaitS = 15;

bool Connects(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  close(fd);
  return ok;
}

// What `command` prints on `host`; nullopt when it fails.
std::optional<std::string> Output(Host& host, const std::string& command) {
  std::string out;
  auto rc = host.Run(command, {.env = {}, .timeout_s = 30},
                     [&](std::string_view chunk) { out.append(chunk); });
  if (!rc.ok() || *rc != 0) return std::nullopt;
  return out;
}

}  // namespace

Result<int> NotebookLocalPort(int wanted) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Internal("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(wanted));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    close(fd);
    return InvalidArgument("--port: 127.0.0.1:" + std::to_string(wanted) + " is in use");
  }
  close(fd);
  return static_cast<int>(ntohs(addr.sin_port));
}

NotebookForward::NotebookForward(CliContext& ctx, std::string job_id, int local_port)
    : ctx_(ctx), job_id_(std::move(job_id)), local_port_(local_port) {}

std::string NotebookForward::OpenInstance() {
  auto attempts = ctx_.store->Attempts(job_id_);
  if (!attempts.ok()) return "";
  std::string id;
  for (const AttemptRecord& a : *attempts) {
    if (!a.instance_id.empty() && a.ended_at == 0) id = a.instance_id;
  }
  return id;
}

void NotebookForward::Tick() {
  const double now = ctx_.clock.Now();
  if (now < next_at_) return;
  next_at_ = now + 1;
  auto job = ctx_.store->GetJob(job_id_);
  if (!job.ok() || IsTerminal(job->state)) {
    forward_.reset();
    return;
  }
  const std::string instance = job->state == JobState::kRunning ? OpenInstance() : "";
  if (!instance_.empty() && (instance != instance_ || !forward_ || !forward_->Running())) {
    forward_.reset();
    instance_.clear();
    if (!said_waiting_) {
      printf(
          "spotrun: the notebook's instance is gone; its files are saved and the session "
          "comes back on another instance with a new URL\n");
      fflush(stdout);
      said_waiting_ = true;
    }
  }
  if (instance.empty() || !instance_.empty()) return;
  if (Open(instance)) {
    instance_ = instance;
    said_waiting_ = false;
  }
}

bool NotebookForward::Open(const std::string& instance_id) {
  auto job = ctx_.store->GetJob(job_id_);
  if (!job.ok()) return false;
  auto running = RunningHostOf(ctx_, *job);
  if (!running.ok() || running->instance.id != instance_id) return false;
  const RemoteLayout layout = RemoteLayout::ForJob(job_id_);
  auto state = Output(*running->host, "cat " + layout.root + "/notebook.json 2>/dev/null");
  if (!state) return false;
  auto j = nlohmann::json::parse(*state, nullptr, false);
  if (j.is_discarded() || !j.contains("port") || !j["port"].is_number_integer() ||
      !j.contains("token_file") || !j["token_file"].is_string()) {
    return false;
  }
  const int remote_port = j["port"].get<int>();
  auto token = Output(*running->host, "cat " + ShellQuote(j["token_file"].get<std::string>()));
  if (!token || token->empty()) return false;
  const std::string spec =
      "127.0.0.1:" + std::to_string(local_port_) + ":127.0.0.1:" + std::to_string(remote_port);
  auto attach =
      running->host->AttachCommand("", {}, {"-N", "-o", "ExitOnForwardFailure=yes", "-L", spec});
  if (!attach.ok()) {
    fprintf(stderr, "spotrun: cannot forward to the notebook: %s\n",
            attach.status().message().c_str());
    next_at_ = ctx_.clock.Now() + 10;
    return false;
  }
  auto forward = Coprocess::Start(*attach);
  if (!forward.ok()) return false;
  const double give_up = ctx_.clock.Now() + kForwardWaitS;
  while (!Connects(local_port_)) {
    if (!(*forward)->Running() || ctx_.clock.Now() > give_up) return false;
    ctx_.clock.Sleep(0.1);
  }
  forward_ = std::move(forward).value();
  printf("%sopen http://127.0.0.1:%d/?token=%s\n",
         opened_ > 0 ? "spotrun: the notebook is on a new instance: " : "", local_port_,
         token->c_str());
  fflush(stdout);
  ++opened_;
  (void)ctx_.store->AddEvent(job_id_, ctx_.clock.Now(), "NOTEBOOK_URL",
                             nlohmann::json({{"port", local_port_}}).dump());
  return true;
}

}  // namespace spotrun
