#include "cli/cmd_simulate.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>

#include "policy/registry.h"
#include "sim/aggregate.h"
#include "sim/experiment.h"
#include "sim/replay.h"
#include "sim/trace.h"
#include "util/fs.h"
#include "util/status.h"

namespace spotrun {
namespace {

constexpr char kUsage[] = R"(usage: spotrun simulate --trace FILE [--trace FILE ...]
         --job-hours H --deadline-hours D --overhead-hours d
         [--policy NAME[,NAME...]] [--on-demand-price P] [--spot-price S]
         [--start-offsets-hours h1,h2,... | --starts N] [--encoding E] [--json]

Replays spot availability traces through deadline-aware policies and prints,
per policy, the mean and p90 cost, missed deadlines, runs, mean spot hours and
the score 100 x (on-demand cost - mean cost) / (on-demand cost - all-spot cost).
Each run is a job driven by spotrun's own controller, as `spotrun launch`
drives it, on a cloud whose spot market is the trace and a simulated clock
(one controller poll and one policy decision per trace tick).

  --trace FILE           trace JSON {"metadata":{"gap_seconds":N},"data":[...]}
  --policy NAMES         comma-separated (default: default); "all" for every one;
                         optimal can take seconds per start on short-tick traces
  --job-hours H          compute the job needs
  --deadline-hours D     deadline, hours after the start
  --overhead-hours d     changeover paid on every launch of spot or on-demand
  --on-demand-price P    $/h (default 3.06)
  --spot-price S         $/h (default 0.9731)
  --start-offsets-hours  start offsets into each trace, in hours
  --starts N             N starts evenly spaced over each trace (default 100)
  --encoding E           availability (1 = probe failed), preemption (1 =
                         running) or count:N (available when value >= N);
                         default: from the trace's folder name, else availability
  --json                 one JSON object per line per policy
)";

// The flags that take a value, as --flag VALUE or --flag=VALUE.
constexpr std::string_view kValueFlags[] = {
    "--trace",          "--policy",          "--job-hours",  "--deadline-hours",
    "--overhead-hours", "--on-demand-price", "--spot-price", "--start-offsets-hours",
    "--starts",         "--encoding"};

struct SimulateOptions {
  std::vector<std::string> traces;
  std::vector<std::string> policies = {"default"};
  std::optional<double> job_hours, deadline_hours, overhead_hours;
  double on_demand_price = 3.06;
  double spot_price = 0.9731;
  std::vector<double> start_hours;  // Empty: `starts` evenly spaced.
  int starts = 100;
  bool starts_given = false;
  std::optional<TraceEncoding> encoding;
  bool json = false;
  bool help = false;
};

std::vector<std::string_view> SplitCommas(std::string_view text) {
  std::vector<std::string_view> parts;
  size_t begin = 0;
  while (true) {
    const size_t comma = text.find(',', begin);
    parts.push_back(text.substr(begin, comma - begin));
    if (comma == std::string_view::npos) return parts;
    begin = comma + 1;
  }
}

Result<double> ParseNumber(std::string_view flag, std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() ||
      !std::isfinite(value)) {
    return InvalidArgument(std::string(flag) + ": '" + std::string(text) + "' is not a number");
  }
  return value;
}

Result<double> ParsePositive(std::string_view flag, std::string_view text, bool allow_zero) {
  Result<double> v = ParseNumber(flag, text);
  if (!v.ok()) return v;
  if (*v < 0 || (*v == 0 && !allow_zero)) {
    return InvalidArgument(std::string(flag) + " must be " + (allow_zero ? ">= 0" : "> 0"));
  }
  return v;
}

// Applies one flag and its value to `o`.
Status ApplyFlag(std::string_view flag, std::string_view value, SimulateOptions* o) {
  auto set = [&](std::optional<double>* field, bool allow_zero) -> Status {
    Result<double> v = ParsePositive(flag, value, allow_zero);
    if (!v.ok()) return v.status();
    *field = *v;
    return Status::Ok();
  };
  if (flag == "--trace") {
    o->traces.emplace_back(value);
  } else if (flag == "--policy") {
    o->policies.clear();
    for (std::string_view name : SplitCommas(value)) o->policies.emplace_back(name);
  } else if (flag == "--job-hours") {
    return set(&o->job_hours, false);
  } else if (flag == "--deadline-hours") {
    return set(&o->deadline_hours, false);
  } else if (flag == "--overhead-hours") {
    return set(&o->overhead_hours, true);
  } else if (flag == "--on-demand-price" || flag == "--spot-price") {
    Result<double> v = ParsePositive(flag, value, false);
    if (!v.ok()) return v.status();
    (flag == "--spot-price" ? o->spot_price : o->on_demand_price) = *v;
  } else if (flag == "--start-offsets-hours") {
    for (std::string_view part : SplitCommas(value)) {
      Result<double> v = ParsePositive(flag, part, true);
      if (!v.ok()) return v.status();
      o->start_hours.push_back(*v);
    }
  } else if (flag == "--starts") {
    int n = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || end != value.data() + value.size() || n < 1) {
      return InvalidArgument("--starts: '" + std::string(value) + "' is not a positive integer");
    }
    o->starts = n;
    o->starts_given = true;
  } else {  // --encoding
    Result<TraceEncoding> e = ParseTraceEncoding(value);
    if (!e.ok()) return e.status();
    o->encoding = *e;
  }
  return Status::Ok();
}

Status CheckOptions(SimulateOptions* o) {
  if (o->traces.empty()) return InvalidArgument("--trace is required");
  if (!o->job_hours) return InvalidArgument("--job-hours is required");
  if (!o->deadline_hours) return InvalidArgument("--deadline-hours is required");
  if (!o->overhead_hours) return InvalidArgument("--overhead-hours is required");
  if (o->starts_given && !o->start_hours.empty()) {
    return InvalidArgument("--start-offsets-hours and --starts are exclusive");
  }
  if (o->policies.size() == 1 && o->policies[0] == "all") o->policies = PolicyNames();
  for (const std::string& name : o->policies) {
    Result<const PolicyInfo*> info = FindPolicy(name);
    if (!info.ok()) return info.status();
  }
  return Status::Ok();
}

Result<SimulateOptions> ParseFlags(const std::vector<std::string>& args) {
  SimulateOptions o;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      o.help = true;
      return o;
    }
    if (arg == "--json") {
      o.json = true;
      continue;
    }
    if (arg.substr(0, 2) != "--") return InvalidArgument("unexpected argument '" + args[i] + "'");
    std::string_view flag = arg, value;
    const size_t eq = arg.find('=');
    if (eq != std::string_view::npos) flag = arg.substr(0, eq);
    if (std::find(std::begin(kValueFlags), std::end(kValueFlags), flag) == std::end(kValueFlags)) {
      return InvalidArgument("unknown flag " + std::string(flag) + " (see --help)");
    }
    if (eq != std::string_view::npos) {
      value = arg.substr(eq + 1);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return InvalidArgument(std::string(flag) + " needs a value");
    }
    SPOTRUN_RETURN_IF_ERROR(ApplyFlag(flag, value, &o));
  }
  SPOTRUN_RETURN_IF_ERROR(CheckOptions(&o));
  return o;
}

JobTerms TermsOf(const SimulateOptions& o) {
  JobTerms t;
  t.work_s = *o.job_hours * 3600;
  t.deadline_s = *o.deadline_hours * 3600;
  t.overhead_s = *o.overhead_hours * 3600;
  t.on_demand_price = o.on_demand_price;
  t.spot_price = o.spot_price;
  return t;
}

// A trace and the ticks the job starts at.
struct Workload {
  Trace trace;
  std::vector<int64_t> starts;
};

Result<std::vector<Workload>> LoadWorkloads(const SimulateOptions& o) {
  std::vector<Workload> all;
  for (const std::string& path : o.traces) {
    Result<Trace> trace = LoadTrace(path, o.encoding);
    if (!trace.ok()) return trace.status();
    Result<std::vector<int64_t>> starts =
        o.start_hours.empty() ? EvenStartTicks(*trace, *o.deadline_hours * 3600, o.starts)
                              : StartTicksFromHours(*trace, o.start_hours);
    if (!starts.ok()) return starts.status();
    all.push_back({std::move(*trace), std::move(*starts)});
  }
  return all;
}

// Every run of every policy over all workloads, through the job controller;
// result i is o.policies[i]'s.
Result<std::vector<std::vector<RunResult>>> RunAll(const SimulateOptions& o,
                                                   const std::vector<Workload>& workloads) {
  // The replayed jobs' local files: memory-backed when there is one.
  Result<TempDir> scratch = TempDir::Make("spotrun-simulate", /*in_memory=*/true);
  if (!scratch.ok()) return scratch.status();
  std::vector<std::vector<RunResult>> all(o.policies.size());
  for (const Workload& w : workloads) {
    auto runs = ReplayAll(o.policies, w.trace, w.starts, TermsOf(o), scratch->path());
    if (!runs.ok()) return runs.status();
    for (size_t p = 0; p < all.size(); ++p) {
      all[p].insert(all[p].end(), (*runs)[p].begin(), (*runs)[p].end());
    }
  }
  return all;
}

void PrintJson(const Summary& s) {
  nlohmann::ordered_json j = {{"policy", s.policy},     {"mean_cost", s.mean_cost},
                              {"p90_cost", s.p90_cost}, {"misses", s.misses},
                              {"runs", s.runs},         {"spot_hours", s.spot_hours},
                              {"score", s.score}};
  std::printf("%s\n", j.dump().c_str());
}

void PrintHeader(const SimulateOptions& o, size_t traces) {
  std::printf(
      "job %g h, deadline %g h, changeover %g h, on-demand $%g/h, spot $%g/h, %zu trace%s\n",
      *o.job_hours, *o.deadline_hours, *o.overhead_hours, o.on_demand_price, o.spot_price, traces,
      traces == 1 ? "" : "s");
  std::printf("%-18s %10s %10s %7s %6s %8s %7s\n", "policy", "mean $", "p90 $", "misses", "runs",
              "spot h", "score");
}

void PrintRow(const Summary& s) {
  std::printf("%-18s %10.2f %10.2f %7d %6d %8.2f %7.1f\n", s.policy.c_str(), s.mean_cost,
              s.p90_cost, s.misses, s.runs, s.spot_hours, s.score);
}

// Bad input exits 2; a replay that could not run (disk, memory) exits 1.
int Fail(const Status& status) {
  std::fprintf(stderr, "spotrun simulate: %s\n", status.message().c_str());
  return status.code() == Code::kInvalidArgument || status.code() == Code::kNotFound ? 2 : 1;
}

}  // namespace

int RunSimulateCommand(const std::vector<std::string>& args) {
  Result<SimulateOptions> parsed = ParseFlags(args);
  if (!parsed.ok()) return Fail(parsed.status());
  const SimulateOptions& o = *parsed;
  if (o.help) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  Result<std::vector<Workload>> workloads = LoadWorkloads(o);
  if (!workloads.ok()) return Fail(workloads.status());
  Result<std::vector<std::vector<RunResult>>> runs = RunAll(o, *workloads);
  if (!runs.ok()) return Fail(runs.status());
  if (!o.json) PrintHeader(o, workloads->size());
  for (size_t p = 0; p < o.policies.size(); ++p) {
    const Summary s = Summarize(o.policies[p], (*runs)[p], TermsOf(o));
    o.json ? PrintJson(s) : PrintRow(s);
  }
  return 0;
}

}  // namespace spotrun
