#include "dashboard/simulate_view.h"

#include <charconv>
#include <cmath>

#include "dashboard/access.h"
#include "policy/registry.h"
#include "sim/aggregate.h"
#include "sim/experiment.h"
#include "sim/replay.h"
#include "sim/trace.h"
#include "util/embedded.h"
#include "util/fs.h"

namespace spotrun {
namespace {

using nlohmann::json;

constexpr char kTraceDir[] = "traces/availability/";

// Sets `*out` to the query's `name` as a number in [min, max], if given.
Status ReadNumber(const std::string& query, const char* name, double min, double max, double* out) {
  const std::string text = QueryParam(query, name);
  if (text.empty()) return Status::Ok();
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v) || v < min ||
      v > max) {
    return InvalidArgument(std::string(name) + ": '" + text + "' is not a number in [" +
                           std::to_string(min) + ", " + std::to_string(max) + "]");
  }
  *out = v;
  return Status::Ok();
}

std::vector<std::string> OnlinePolicies() {
  std::vector<std::string> names;
  for (const std::string& n : PolicyNames()) {
    auto info = FindPolicy(n);
    if (info.ok() && !(*info)->offline) names.push_back(n);
  }
  return names;
}

Status ReadPolicies(const std::string& query, std::vector<std::string>* out) {
  std::string text = QueryParam(query, "policies");
  while (!text.empty()) {
    const size_t comma = text.find(',');
    const std::string name = text.substr(0, comma);
    auto info = FindPolicy(name);
    if (!info.ok()) return info.status();
    out->push_back(name);
    text = comma == std::string::npos ? "" : text.substr(comma + 1);
  }
  if (out->empty()) *out = OnlinePolicies();
  return Status::Ok();
}

json PolicyJson(const std::string& policy, const std::vector<RunResult>& runs,
                const JobTerms& terms) {
  json costs = json::array();
  for (const RunResult& r : runs) costs.push_back(r.cost);
  const Summary s = Summarize(policy, runs, terms);
  return {{"policy", policy},       {"costs", costs},     {"mean_cost", s.mean_cost},
          {"p90_cost", s.p90_cost}, {"misses", s.misses}, {"runs", s.runs},
          {"score", s.score}};
}

}  // namespace

Result<SimulateQuery> ParseSimulateQuery(const std::string& query) {
  SimulateQuery q;
  q.trace = QueryParam(query, "trace");
  if (q.trace.empty()) q.trace = "us-east-1a_v100_1";
  double job_h = q.terms.work_s / 3600, deadline_h = q.terms.deadline_s / 3600,
         overhead_h = q.terms.overhead_s / 3600, starts = q.starts;
  SPOTRUN_RETURN_IF_ERROR(ReadNumber(query, "job_hours", 0.01, 10000, &job_h));
  SPOTRUN_RETURN_IF_ERROR(ReadNumber(query, "deadline_hours", 0.01, 10000, &deadline_h));
  SPOTRUN_RETURN_IF_ERROR(ReadNumber(query, "overhead_hours", 0, 100, &overhead_h));
  SPOTRUN_RETURN_IF_ERROR(
      ReadNumber(query, "on_demand_price", 0.0001, 1000, &q.terms.on_demand_price));
  SPOTRUN_RETURN_IF_ERROR(ReadNumber(query, "spot_price", 0.0001, 1000, &q.terms.spot_price));
  SPOTRUN_RETURN_IF_ERROR(ReadNumber(query, "starts", 1, 200, &starts));
  if (starts != std::floor(starts)) return InvalidArgument("starts must be a whole number");
  if (deadline_h < job_h) return InvalidArgument("deadline_hours must be >= job_hours");
  q.terms.work_s = job_h * 3600;
  q.terms.deadline_s = deadline_h * 3600;
  q.terms.overhead_s = overhead_h * 3600;
  q.starts = static_cast<int>(starts);
  SPOTRUN_RETURN_IF_ERROR(ReadPolicies(query, &q.policies));
  return q;
}

json SimulateChoices() {
  json traces = json::array();
  for (const std::string& name : EmbeddedFilesUnder(kTraceDir)) {
    std::string stem = name.substr(sizeof(kTraceDir) - 1);
    traces.push_back(stem.substr(0, stem.rfind(".json")));
  }
  const JobTerms d;
  return {{"traces", traces},
          {"policies", PolicyNames()},
          {"default_policies", OnlinePolicies()},
          {"defaults",
           {{"job_hours", d.work_s / 3600},
            {"deadline_hours", d.deadline_s / 3600},
            {"overhead_hours", d.overhead_s / 3600},
            {"on_demand_price", d.on_demand_price},
            {"spot_price", d.spot_price},
            {"starts", SimulateQuery().starts}}}};
}

Result<json> RunSimulation(const SimulateQuery& q) {
  auto text = EmbeddedFile(kTraceDir + q.trace + ".json");
  if (!text) return NotFound("no bundled trace named '" + q.trace + "'");
  Result<Trace> trace = ParseTrace(*text, TraceEncoding{}, q.trace);
  if (!trace.ok()) return trace.status();
  auto starts = EvenStartTicks(*trace, q.terms.deadline_s, q.starts);
  if (!starts.ok()) return starts.status();
  Result<TempDir> scratch = TempDir::Make("spotrun-dashboard-sim", /*in_memory=*/true);
  if (!scratch.ok()) return scratch.status();
  auto runs = ReplayAll(q.policies, *trace, *starts, q.terms, scratch->path());
  if (!runs.ok()) return runs.status();
  json policies = json::array();
  for (size_t p = 0; p < q.policies.size(); ++p) {
    policies.push_back(PolicyJson(q.policies[p], (*runs)[p], q.terms));
  }
  return json{{"trace", q.trace},
              {"starts", q.starts},
              {"terms",
               {{"job_hours", q.terms.work_s / 3600},
                {"deadline_hours", q.terms.deadline_s / 3600},
                {"overhead_hours", q.terms.overhead_s / 3600},
                {"on_demand_price", q.terms.on_demand_price},
                {"spot_price", q.terms.spot_price}}},
              {"policies", policies}};
}

}  // namespace spotrun
