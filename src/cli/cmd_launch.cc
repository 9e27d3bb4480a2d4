// `spotrun launch`: checks the job file, submits the job to the home's
// controller (cli/controller_service.h) and, unless --detach, follows it.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/controller_service.h"
#include "cli/spec_flags.h"
#include "cli/submit_job.h"
#include "cli/terminal_reporter.h"
#include "cloud/local/market.h"
#include "jobs/controller.h"
#include "jobs/job_summary.h"
#include "jobs/upload_excludes.h"
#include "spec/job_spec.h"
#include "util/fs.h"
#include "util/subprocess.h"

namespace spotrun {
namespace {

namespace fs = std::filesystem;

std::atomic<bool> g_interrupted{false};  // Set by SIGINT/SIGTERM/SIGHUP.

void OnSignal(int) { g_interrupted = true; }
bool Interrupted() { return g_interrupted.load(); }

// While launch follows its job, SIGINT (Ctrl-C), SIGTERM and SIGHUP cancel it.
void InstallSignalHandlers() {
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
}

int Fail(const std::string& message, int code) {
  fprintf(stderr, "spotrun: %s\n", message.c_str());
  return code;
}

bool NonEmptyDir(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec) && !fs::is_empty(path, ec);
}

Result<double> ParseNumber(const std::string& flag, const std::string& text) {
  try {
    size_t used = 0;
    double v = std::stod(text, &used);
    if (used == text.size() && v >= 0) return v;
  } catch (const std::exception&) {
  }
  return InvalidArgument("--" + flag + ": expected a number >= 0, got '" + text + "'");
}

// The local cloud's spot market for this job, from --preempt-at,
// --preempt-rate, --preempt-trace, --trace-speed and --seed.
Result<MarketPlan> MarketPlanFromFlags(const ParsedArgs& args, double now) {
  MarketPlan plan;
  plan.started_at = now;
  if (auto at = args.Get("preempt-at")) {
    std::stringstream list(*at);
    std::string item;
    while (std::getline(list, item, ',')) {
      auto v = ParseNumber("preempt-at", item);
      if (!v.ok()) return v.status();
      plan.preempt_at.push_back(*v);
    }
  }
  if (auto rate = args.Get("preempt-rate")) {
    auto v = ParseNumber("preempt-rate", *rate);
    if (!v.ok()) return v.status();
    plan.rate_per_hour = *v;
  }
  if (auto trace = args.Get("preempt-trace")) {
    if (!PathExists(*trace)) return InvalidArgument("--preempt-trace: no such file " + *trace);
    plan.trace_path = fs::absolute(*trace).string();
    plan.trace_encoding =
        trace->find("preemption") != std::string::npos ? "preemption" : "availability";
  }
  if (auto speed = args.Get("trace-speed")) {
    auto v = ParseNumber("trace-speed", *speed);
    if (!v.ok() || *v <= 0) return InvalidArgument("--trace-speed: expected a number > 0");
    plan.trace_speed = *v;
  }
  if (auto seed = args.Get("seed")) {
    auto v = ParseNumber("seed", *seed);
    if (!v.ok()) return v.status();
    plan.seed = static_cast<unsigned>(*v);
  }
  return plan;
}

// Fails, as the controller's first placement would, when no offer can take
// the job in any market it may use: spot or on-demand as resources.use_spot
// says, plus on-demand with recovery.on_demand_fallback or a deadline.
// kInvalidArgument when nothing fits; the cloud's error when it lists no offers.
Status CheckPlacement(const JobSpec& spec, Cloud& cloud) {
  auto candidates = PlanCandidates(spec, cloud);
  if (candidates.ok() || candidates.status().code() != Code::kInvalidArgument) {
    return candidates.status();
  }
  if (spec.resources.use_spot && (spec.recovery.on_demand_fallback || spec.deadline_s)) {
    JobSpec on_demand = spec;
    on_demand.resources.use_spot = false;
    if (PlanCandidates(on_demand, cloud).ok()) return Status::Ok();
  }
  return candidates.status();
}

}  // namespace

std::vector<FlagSpec> LaunchFlags() {
  std::vector<FlagSpec> flags = {
      {"results", true},     {"detach", false},      {"cloud", true},
      {"preempt-at", true},  {"preempt-rate", true}, {"preempt-trace", true},
      {"trace-speed", true}, {"seed", true},         {"dry-run", false}};
  for (const FlagSpec& f : JobFileFlags()) flags.push_back(f);
  return flags;
}

std::optional<int> SubmitJob(CliContext& ctx, const std::string& file, const ParsedArgs& parsed,
                             JobSpec* spec, JobKind kind, JobRecord* out) {
  if (auto c = parsed.Get("cloud")) spec->cloud = *c;
  CloudParams cloud_params = CloudParamsFor(*spec);
  cloud_params.check_access = true;
  auto cloud = ctx.MakeCloud(spec->cloud, cloud_params);
  if (!cloud.ok()) return Fail(file + ": cloud: " + cloud.status().message(), 2);
  if (parsed.Has("dry-run")) {
    auto candidates = PlanCandidates(*spec, **cloud);
    if (!candidates.ok()) return Fail(file + ": resources: " + candidates.status().message(), 2);
    auto image = (*cloud)->DescribeImageChoice(ImageRequest(*spec, candidates->front()));
    if (!image.ok()) return Fail(file + ": " + image.status().message(), 2);
    printf("spotrun: job %s on the %s cloud\n", spec->name.c_str(), spec->cloud.c_str());
    PrintDryRun(*spec, (*cloud)->Regions(), *candidates);
    if (!image->empty()) printf("image: %s\n", image->c_str());
    return 0;
  }
  // Before anything is recorded, detached or launched.
  if (Status s = CheckPlacement(*spec, **cloud); !s.ok()) {
    return Fail(file + ": resources: " + s.message(), s.code() == Code::kInvalidArgument ? 2 : 1);
  }

  // An image the first offer cannot boot (a refused type, a disk smaller than
  // the image) is the user's to fix: said now, before a job exists.
  if (auto first = PlanCandidates(*spec, **cloud); first.ok() && spec->cloud == "aws") {
    auto image = (*cloud)->DescribeImageChoice(ImageRequest(*spec, first->front()));
    if (!image.ok() && image.status().code() == Code::kInvalidArgument) {
      return Fail(file + ": " + image.status().message(), 2);
    }
  }

  JobRecord job;
  job.id = NewJobId();
  job.name = spec->name;
  job.cloud = spec->cloud;
  job.kind = kind;
  job.spec_path = fs::absolute(file).string();
  job.spec_text = SpecTextToStore(*spec, file, parsed);
  std::string results = parsed.Get("results").value_or(std::string(kDefaultResultsRoot) + "/" +
                                                       job.name + "-" + job.id);
  job.results_dir = fs::absolute(results).lexically_normal().string();
  if (NonEmptyDir(job.results_dir)) {
    return Fail("--results: " + job.results_dir + " exists and is not empty", 2);
  }
  job.created_at = job.updated_at = ctx.clock.Now();
  auto plan = MarketPlanFromFlags(parsed, job.created_at);
  if (!plan.ok()) return Fail(plan.status().message(), 2);
  if (!plan->empty()) {
    if (job.cloud != "local")
      return Fail("--preempt-*: only the local cloud preempts on request", 2);
    const std::string dir = ctx.home + "/local/market";
    if (Status s = MakeDirs(dir); !s.ok()) return Fail(s.ToString(), 1);
    if (Status s = SaveMarketPlan(dir + "/" + job.id + ".json", *plan); !s.ok()) {
      return Fail(s.ToString(), 1);
    }
  }
  // Checked now, before the job exists: the controller opens it again.
  auto mirror = MakeCheckpointMirror(ctx, *spec, job.id);
  if (!mirror.ok()) return Fail(file + ": checkpoint.store: " + mirror.status().message(), 2);
  mirror->reset();
  if (Status s = MakeDirs(ctx.jobs_dir()); !s.ok()) return Fail(s.ToString(), 1);
  if (!spec->secrets.empty()) {
    // For the controller, in the private SPOTRUN_HOME (0600), until the job ends.
    Status s = WriteFileAtomic(JobSecretsPath(ctx, job.id), EncodeStringMap(spec->secrets));
    if (!s.ok()) return Fail(s.ToString(), 1);
  }
  if (Status s = SaveJobEnv(ctx, job.id); !s.ok()) return Fail(s.ToString(), 1);
  // No controller yet: the home's controller claims it.
  job.controller_pid = 0;
  job.controller_start = 0;
  if (Status s = ctx.store->InsertJob(job); !s.ok()) return Fail(s.ToString(), 1);
  *out = job;
  return std::nullopt;
}

void InstallLaunchSignalHandlers() { InstallSignalHandlers(); }
bool LaunchInterrupted() { return Interrupted(); }

int CmdLaunch(CliContext& ctx, const Args& args) {
  auto parsed = ParseArgs(args, LaunchFlags());
  if (!parsed.ok()) return Fail(parsed.status().message(), 2);
  if (parsed->positional.size() != 1) return Fail("launch needs one job file (see --help)", 2);
  const std::string file = parsed->positional[0];
  auto spec = LoadJobFileWithFlags(file, *parsed);
  if (!spec.ok()) return Fail(spec.status().message(), 2);
  JobRecord job;
  if (auto done = SubmitJob(ctx, file, *parsed, &*spec, JobKind::kJob, &job)) return *done;
  if (parsed->Has("detach")) {
    if (Status s = EnsureController(ctx); !s.ok()) return Fail(s.ToString(), 1);
    printf("job %s (%s) launched in the background on the %s cloud\n", job.id.c_str(),
           job.name.c_str(), job.cloud.c_str());
    printf("follow it with: spotrun logs %s --follow\n", job.id.c_str());
    return 0;
  }
  printf("spotrun: job %s (id %s) on the %s cloud%s\n", job.name.c_str(), job.id.c_str(),
         job.cloud.c_str(), job.cloud == "local" ? " (built in, no account needed)" : "");
  fflush(stdout);
  InstallSignalHandlers();
  if (Status s = EnsureController(ctx); !s.ok()) {
    fprintf(stderr, "spotrun: %s\n", s.ToString().c_str());
  }
  return FollowJob(ctx, job.id, Interrupted);
}

}  // namespace spotrun
