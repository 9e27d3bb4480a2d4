// `spotrun dashboard`: the web UI on 127.0.0.1 (src/dashboard/, docs/dashboard.md).
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/controller_service.h"
#include "dashboard/serve.h"
#include "dashboard/token.h"

namespace spotrun {
namespace {

// The port of --port: 0 (any free port, the default) to 65535.
Result<int> PortFlag(const ParsedArgs& parsed) {
  auto text = parsed.Get("port");
  if (!text) return 0;
  char* end = nullptr;
  const long port = std::strtol(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || port < 0 || port > 65535) {
    return InvalidArgument("--port: '" + *text + "' is not a port number (0-65535)");
  }
  return static_cast<int>(port);
}

std::atomic<bool> g_stop{false};  // Set by SIGINT/SIGTERM.

void OnStopSignal(int) { g_stop = true; }

// SIGINT (Ctrl-C) and SIGTERM stop the server. A handler, not a blocked
// mask: a controller the dashboard starts (a cancel with none alive) must
// not inherit blocked signals.
void CatchStopSignals() {
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

// Asks for the cancel, and starts the home's controller to act on it when
// the job has none.
Status RequestCancel(CliContext& ctx, const JobRecord& job) {
  SPOTRUN_RETURN_IF_ERROR(ctx.store->RequestCancel(job.id));
  return ControllerAlive(job) ? Status::Ok() : EnsureController(ctx);
}

}  // namespace

int CmdDashboard(CliContext& ctx, const Args& args) {
  auto parsed = ParseArgs(args, {{"port", true}});
  Result<int> port = parsed.ok() ? PortFlag(*parsed) : Result<int>(parsed.status());
  if (port.ok() && !parsed->positional.empty()) port = InvalidArgument("dashboard takes no job");
  if (!port.ok()) return fprintf(stderr, "spotrun: %s\n", port.status().message().c_str()), 2;
  auto token = NewDashboardToken();
  if (!token.ok()) return fprintf(stderr, "spotrun: %s\n", token.status().message().c_str()), 1;
  CatchStopSignals();
  ServeOptions options;
  options.port = *port;
  options.jobs_dir = ctx.jobs_dir();
  options.token = *token;
  options.cancel = [&ctx](const JobRecord& job) { return RequestCancel(ctx, job); };
  options.live_offers = [&ctx](const JobRecord& job,
                               const std::string& region) -> Result<std::vector<Offer>> {
    auto cloud = ctx.MakeCloudForJob(job);
    if (!cloud.ok()) return cloud.status();
    return (*cloud)->Offers(region);
  };
  options.listening = [&](int bound) {
    printf("dashboard: http://127.0.0.1:%d/?token=%s\n", bound, token->c_str());
    printf("(serving on 127.0.0.1 only; Ctrl-C stops it)\n");
    fflush(stdout);
  };
  options.keep_going = [] { return !g_stop.load(); };
  if (Status s = ServeDashboard(ctx.store.get(), &ctx.clock, options); !s.ok()) {
    return fprintf(stderr, "spotrun: dashboard: %s\n", s.message().c_str()), 1;
  }
  printf("dashboard: stopped\n");
  return 0;
}

}  // namespace spotrun
