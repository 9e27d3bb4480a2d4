// The command table and dispatch.
#include <cstdio>
#include <cstring>

#include "cli/cmd_simulate.h"
#include "cli/commands.h"
#include "cli/controller_service.h"
#include "cloud/local/local_cloud.h"
#include "cloud/local/local_sshd.h"
#include "util/did_you_mean.h"

namespace spotrun {
namespace {

constexpr const char* kVersion = "0.1.0";

struct Command {
  const char* name;
  const char* summary;
  const char* usage;  // Printed by `spotrun NAME --help`.
  int (*run)(CliContext&, const Args&);
  // Commands that touch no state run without SPOTRUN_HOME and print their own
  // --help.
  int (*run_stateless)(const Args&) = nullptr;
};

const Command kCommands[] = {
    {"launch", "run a job file on the cloud it names",
     "usage: spotrun launch FILE [--results DIR] [--detach] [--cloud local|aws] [--dry-run]\n"
     "                      [--format auto|spotrun|skypilot] [--env KEY[=VALUE]]...\n"
     "                      [--preempt-at S1,S2,... | --preempt-rate R |\n"
     "                       --preempt-trace FILE [--trace-speed X]] [--seed N]\n\n"
     "Launches the job described by FILE (see docs/job-spec.md): picks the cheapest\n"
     "instance that fits, uploads the workdir, runs setup and run with live logs,\n"
     "brings the outputs back and terminates the instance.\n\n"
     "  --results DIR   where outputs and logs land (default ./spotrun-results/NAME-ID)\n"
     "  --detach        return at once; a background controller drives the job\n"
     "  --cloud NAME    override the job file's cloud\n"
     "  --dry-run       print the ranked offers and why the first wins; launch nothing\n"
     "  --format F      the file's format: auto (default: SkyPilot's task format is\n"
     "                  recognised by its keys, docs/skypilot.md), spotrun, skypilot\n"
     "  --env K=V       set envs/secrets K (repeatable); --env K takes your $K\n\n"
     "The local cloud's simulated spot market (local cloud only; every reclaim\n"
     "comes with an interruption notice through IMDS first, EC2's 2 minutes\n"
     "scaled to 5 s):\n"
     "  --preempt-at S1,S2,...  reclaim the i-th spot instance Si seconds after\n"
     "                          its `run` starts\n"
     "  --preempt-rate R        reclaim at random, R times per hour on average\n"
     "  --preempt-trace FILE    follow a spot availability trace (data/traces/):\n"
     "                          no launch while it says unavailable, reclaim when\n"
     "                          it turns unavailable\n"
     "  --trace-speed X         trace seconds per real second (default 3600)\n"
     "  --seed N                seed of --preempt-rate (default 1)\n",
     CmdLaunch},
    {"notebook", "a Jupyter notebook on a spot instance, saved and stopped when idle",
     "usage: spotrun notebook FILE [--port P] [--results DIR] [--detach] [--cloud NAME]\n"
     "                        [--format F] [--env K[=V]]... [--preempt-* ...]\n"
     "       spotrun notebook --attach JOB [--port P]\n\n"
     "Places and launches an instance for the job file (its `run` may be absent),\n"
     "uploads the workdir, fetches the inputs, runs `setup`, then starts Jupyter\n"
     "there (from the image, else installed into a virtual environment) on the\n"
     "instance's loopback with a random token, forwards 127.0.0.1:P here to it over\n"
     "SSH and prints the one line to open: http://127.0.0.1:P/?token=... (the token\n"
     "is in that line and nowhere else).\n\n"
     "It stops after `idle_minutes` (job file, default 30) with no kernel busy, no\n"
     "activity and no open `spotrun ssh`, at the budget, on Ctrl-C or `spotrun\n"
     "cancel`; stopping brings the workdir's new and changed files into the results\n"
     "directory, then terminates the instance. On a spot interruption notice the\n"
     "files are saved at once and the session comes back on another instance with a\n"
     "new URL (docs/notebooks.md).\n\n"
     "  --port P        the local port (default: a free one)\n"
     "  --detach        return at once; `spotrun notebook --attach JOB` opens it\n"
     "  --attach JOB    forward to a running notebook and print its URL; Ctrl-C\n"
     "                  detaches and the notebook goes on\n"
     "  the other flags are launch's (spotrun launch --help)\n",
     CmdNotebook},
    {"status", "show jobs and their state, cost and attempts",
     "usage: spotrun status [JOB] [--json]\n\n"
     "Lists every job (or one), newest last. --json prints {\"jobs\": [...]}.\n",
     CmdStatus},
    {"logs", "print a job's output",
     "usage: spotrun logs JOB [--follow]\n\n"
     "Prints the job's setup and run output. --follow keeps printing until it ends.\n",
     CmdLogs},
    {"cancel", "stop a job, keep its outputs so far, terminate its instance",
     "usage: spotrun cancel JOB\n", CmdCancel},
    {"down", "terminate the instances of a job, or of every job",
     "usage: spotrun down [JOB | --all]\n\n"
     "Cancels unfinished jobs and terminates every instance spotrun started for them.\n",
     CmdDown},
    {"estimate", "what a job file would cost and when it would finish, before launching",
     "usage: spotrun estimate FILE [--starts N] [--json] [--format F] [--env K[=V]]...\n\n"
     "Replays the bundled spot availability traces (N evenly spaced starts each,\n"
     "default 40) through the job's policy on its cheapest placement, from the\n"
     "bundled catalog, each start a job run by spotrun's controller on a\n"
     "simulated cloud and clock: p50 and p90 of cost and finish time, and the\n"
     "chance of missing the deadline. Needs budget.expected_hours.\n",
     CmdEstimate},
    {"convert", "print a SkyPilot task file as the equivalent spotrun job file", "", nullptr,
     RunConvertCommand},
    {"simulate", "replay spot traces through the spot/on-demand policies", "", nullptr,
     RunSimulateCommand},
    {"prices", "spot prices per zone in every region, cheapest first, with the saving",
     "usage: spotrun prices [--gpu NAME] [--type TYPE] [--region all|R1,R2...]\n\n"
     "Lists spot prices per zone, cheapest first (per GPU-hour for GPU types, both\n"
     "columns shown), with the on-demand price and the saving, in every region of\n"
     "the catalog unless --region names some. Live from EC2\n"
     "(DescribeSpotPriceHistory, all regions at once) when AWS credentials work,\n"
     "with this account's zone names beside the zone ids; otherwise from the\n"
     "bundled snapshot, and it says so and when it was bundled.\n\n"
     "  --gpu NAME        only types with this GPU (A10G, V100, ...)\n"
     "  --type TYPE       only this instance type\n"
     "  --region R1,R2    only these regions (default: all)\n",
     CmdPrices},
    {"sync-down", "files from a job's running instance, now",
     "usage: spotrun sync-down JOB [PATH...] [--to DIR] [--force]\n\n"
     "Copies PATHs (files or directories, relative to the job's workdir on its\n"
     "instance; default: the whole workdir) from the job's running instance into\n"
     "DIR (default: the current directory), at the same relative places. Each\n"
     "comes down into a temporary directory first and is then moved into place, so\n"
     "an interrupted transfer leaves no half-written file. A local file newer than\n"
     "the instance's copy is kept (and counted) unless --force.\n",
     CmdSyncDown},
    {"ssh", "a shell, or one command, on a job's running instance",
     "usage: spotrun ssh JOB [OPENSSH OPTIONS] [-- COMMAND...]\n\n"
     "Opens a shell on the job's running instance, or runs COMMAND there, in the\n"
     "job's workdir. Over SSH (aws, or the local cloud with SPOTRUN_LOCAL_SSH=1) it\n"
     "uses the job's key and known_hosts, and passes OpenSSH options through, e.g.\n"
     "  spotrun ssh JOB -L 8888:localhost:8888\n"
     "  spotrun ssh JOB -N -L 8888:localhost:8888   (only the forward, until Ctrl-C)\n"
     "On the local cloud otherwise, the shell runs in the instance's sandbox home\n"
     "with its environment.\n",
     CmdSsh},
    {"dashboard", "a web UI of jobs, logs, cost and the spot market, on 127.0.0.1",
     "usage: spotrun dashboard [--port P]\n\n"
     "Serves a web UI on 127.0.0.1 only (port P, default: any free port) and prints\n"
     "its URL with a random access token; a request without the token is refused.\n"
     "Pages: the jobs (live), a job (timeline of attempts, phases, log tail, cost\n"
     "against on-demand, progress against the deadline, its zone's spot market,\n"
     "a cancel button) and simulate (each policy's cost distribution on a bundled\n"
     "trace, from the replay of `spotrun simulate`). Reads the state store and\n"
     "the job logs; its only write is a cancel. Ctrl-C stops it (docs/dashboard.md).\n",
     CmdDashboard},
};

void PrintHelp() {
  printf("spotrun %s: train on cheap spot capacity with one command, safely.\n\n", kVersion);
  printf("usage: spotrun COMMAND [ARGS] (spotrun COMMAND --help for details)\n\n");
  for (const auto& c : kCommands) printf("  %-9s %s\n", c.name, c.summary);
  printf("\nState lives in SPOTRUN_HOME (default ~/.spotrun).\n");
}

// "spotrun: unknown command 'stauts'; did you mean 'status'? (see spotrun --help)"
int UnknownCommand(const std::string& name) {
  std::vector<std::string_view> names;
  for (const auto& c : kCommands) names.push_back(c.name);
  std::string hint;
  if (std::optional<std::string> guess = DidYouMean(name, names)) {
    hint = "; did you mean '" + *guess + "'?";
  }
  fprintf(stderr, "spotrun: unknown command '%s'%s (see spotrun --help)\n", name.c_str(),
          hint.c_str());
  return 2;
}

bool WantsHelp(const Args& args) {
  for (const auto& a : args) {
    if (a == "--") return false;
    if (a == "--help" || a == "-h") return true;
  }
  return false;
}

}  // namespace

int RunCli(int argc, char** argv) {
  Args args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    PrintHelp();
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--version") {
    printf("spotrun %s\n", kVersion);
    return 0;
  }
  const std::string name = args[0];
  Args rest(args.begin() + 1, args.end());
  if (name == "_imds" && rest.size() == 1) return RunImdsDaemon(rest[0]);
  if (name == "_sshd" && rest.size() == 2) return RunSshdDaemon(rest[0], rest[1]);
  if (name == "_local-terminate" && rest.size() == 1) return TerminateLocalInstance(rest[0]);
  const Command* cmd = nullptr;
  for (const auto& c : kCommands) {
    if (name == c.name) cmd = &c;
  }
  if (!cmd && name != "_controller") return UnknownCommand(name);
  if (cmd && cmd->run_stateless) return cmd->run_stateless(rest);
  if (cmd && WantsHelp(rest)) {
    fputs(cmd->usage, stdout);
    return 0;
  }
  auto ctx = OpenContext();
  if (!ctx.ok()) {
    fprintf(stderr, "spotrun: %s\n", ctx.status().message().c_str());
    // The way out of a broken store: the cloud's tags say what is running.
    auto bare = name == "down" && rest == Args{"--all"} ? OpenContext(false) : ctx.status();
    return bare.ok() ? DownAllByTags(**bare) : 1;
  }
  if (name == "_controller") return RunController(**ctx);
  SweepOrphans(**ctx);
  return cmd->run(**ctx, rest);
}

}  // namespace spotrun
