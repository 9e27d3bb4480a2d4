#include "jobs/agent_protocol.h"

#include <algorithm>
#include <climits>
#include <cstdint>
#include <ctime>
#include <nlohmann/json.hpp>

#include "jobs/status_line.h"

namespace spotrun {

using nlohmann::json;

std::map<std::string, std::string> SkyPilotEnv(const std::string& job_name,
                                               const std::string& job_id,
                                               const AttemptConfig& attempt) {
  const std::string task_id = "sky-" + job_id + "_" + job_name;
  const std::string ips = attempt.node_ip.empty() ? "127.0.0.1" : attempt.node_ip;
  const json cluster = {{"cluster_name", job_name + "-" + job_id},
                        {"cloud", attempt.cloud},
                        {"region", attempt.region},
                        {"zone", attempt.zone},
                        {"num_nodes", 1}};
  return {{"SKYPILOT_TASK_ID", task_id},
          {"SKYPILOT_SPOT_RUN_ID", task_id},
          {"SKYPILOT_NODE_RANK", "0"},
          {"SKY_NODE_RANK", "0"},
          {"SKYPILOT_SETUP_NODE_RANK", "0"},
          {"SKYPILOT_NUM_NODES", "1"},
          {"SKYPILOT_NODE_IPS", ips},
          {"SKY_NODE_IPS", ips},
          {"SKYPILOT_SETUP_NODE_IPS", ips},
          {"SKYPILOT_NUM_GPUS_PER_NODE", std::to_string(attempt.gpus)},
          {"SKYPILOT_CLUSTER_INFO", cluster.dump()}};
}

std::string AgentConfigJson(const JobSpec& spec, const RemoteLayout& layout,
                            const std::string& job_id, const AttemptConfig& attempt) {
  json env = SkyPilotEnv(spec.name, job_id, attempt);
  for (const auto& [k, v] : spec.envs) env[k] = v;
  env["SPOTRUN_JOB_ID"] = job_id;
  env["SPOTRUN_ATTEMPT"] = std::to_string(attempt.attempt);
  json url_inputs = json::array();
  for (const auto& in : spec.inputs) {
    if (in.is_url) url_inputs.push_back({{"remote", in.remote}, {"source", in.source}});
  }
  json outputs = json::array();
  for (const auto& out : spec.outputs)
    outputs.push_back({{"remote", out.remote}, {"dest", out.dest}});
  json cfg = {{"job_id", job_id},
              {"attempt", attempt.attempt},
              {"root", layout.root},
              {"snapshot_dir", layout.snapshot_dir},
              {"heartbeat_file", layout.heartbeat},
              {"progress_file", layout.progress},
              {"signal", spec.recovery.signal},
              {"controller_timeout", spec.recovery.controller_timeout_s},
              {"stop_at", attempt.stop_at},
              {"stop_at_reason", attempt.stop_at_reason},
              {"shutdown_command", attempt.shutdown_command},
              {"snapshot_base", attempt.snapshot_base},
              {"workdir", layout.workdir},
              {"checkpoint_dir", layout.CheckpointDir(spec.checkpoint.dir)},
              {"log_file", layout.log_file},
              {"agent_log", layout.agent_log},
              {"status_file", layout.status_file},
              {"out_dir", layout.out_dir},
              {"setup_marker", layout.setup_marker},
              {"setup", spec.setup},
              {"run", spec.run},
              {"env", env},
              {"url_inputs", url_inputs},
              {"outputs", outputs},
              {"grace_seconds", spec.recovery.grace_period_s},
              {"accelerator", spec.resources.accelerator},
              {"accelerator_count", spec.resources.accelerator_count},
              {"secrets_file", layout.root + "/secrets.env"},
              {"sky_workdir", "sky_workdir"}};
  if (spec.notebook.enabled) {
    json inputs = json::array();
    for (const auto& in : spec.inputs) inputs.push_back(in.remote);
    cfg["notebook"] = {{"file", layout.root + "/notebook.json"}, {"inputs", inputs}};
    cfg["baseline_file"] = layout.root + "/workdir-baseline.json";
  }
  return cfg.dump(2);
}

std::string AgentStartCommand(const RemoteLayout& l) {
  return "mkdir -p " + l.root + "/logs && python3 " + l.agent + " start " + l.root;
}

std::string AgentPollCommand(const RemoteLayout& l, long long log_offset) {
  return "python3 " + l.agent + " poll " + l.root + " " + std::to_string(log_offset);
}

std::string AgentServeCommand(const RemoteLayout& l) {
  return "exec python3 " + l.agent + " serve " + l.root;
}

std::string AgentPollRequest(long long log_offset) {
  return "poll " + std::to_string(log_offset) + "\n";
}

std::string AgentSnapshotCommand(const RemoteLayout& l) {
  return "python3 " + l.agent + " snapshot " + l.root;
}

std::string AgentBaselineCommand(const RemoteLayout& l) {
  return "python3 " + l.agent + " baseline " + l.root;
}

std::string AgentStopCommand(const RemoteLayout& l) {
  return "python3 " + l.agent + " stop " + l.root;
}

std::optional<double> NoticeActionTime(const std::string& notice_json) {
  json j = json::parse(notice_json, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("time") || !j["time"].is_string()) {
    return std::nullopt;
  }
  std::tm tm{};
  const std::string t = j["time"];
  if (!strptime(t.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm)) return std::nullopt;
  return static_cast<double>(timegm(&tm));
}

namespace {

bool Fits(const json& v, std::string*) { return v.is_string(); }
bool Fits(const json& v, bool*) { return v.is_boolean(); }
bool Fits(const json& v, double*) { return v.is_number(); }
bool Fits(const json& v, int*) {
  if (v.is_number_unsigned()) return v.get<uint64_t>() <= INT_MAX;
  return v.is_number_integer() && v.get<int64_t>() >= INT_MIN && v.get<int64_t>() <= INT_MAX;
}
bool Fits(const json& v, std::vector<std::string>*) {
  return v.is_array() &&
         std::all_of(v.begin(), v.end(), [](const json& e) { return e.is_string(); });
}

// Reads the status field `key` into *out when it is there (null = absent).
// The agent writes every field with one type: another type means the status
// file was damaged, so the line is unreadable (and never throws).
template <typename T>
Status ReadField(const json& status, const char* key, T* out) {
  auto it = status.find(key);
  if (it == status.end() || it->is_null()) return Status::Ok();
  if (!Fits(*it, out)) {
    return Unavailable(std::string("agent poll: bad status line: field '") + key +
                       "' has the wrong type");
  }
  *out = it->template get<T>();
  return Status::Ok();
}

json GpusJson(const std::vector<InstanceGpu>& gpus) {
  json out = json::array();
  for (const auto& g : gpus) {
    out.push_back(
        {{"index", g.index}, {"name", g.name}, {"memory_mib", g.memory_mib}, {"driver", g.driver}});
  }
  return out;
}

std::vector<InstanceGpu> GpusFrom(const json& j) {
  std::vector<InstanceGpu> out;
  if (!j.is_array()) return out;
  for (const auto& g : j) {
    if (!g.is_object()) continue;
    InstanceGpu gpu;
    // Damaged entries are dropped, never thrown over (the file is the agent's).
    if (!ReadField(g, "index", &gpu.index).ok() || !ReadField(g, "name", &gpu.name).ok() ||
        !ReadField(g, "memory_mib", &gpu.memory_mib).ok() ||
        !ReadField(g, "driver", &gpu.driver).ok()) {
      continue;
    }
    out.push_back(gpu);
  }
  return out;
}

}  // namespace

std::string GpuReportToJson(const GpuReport& r) {
  return json{
      {"attempt", r.attempt}, {"gpus", GpusJson(r.gpus)}, {"missing_reason", r.missing_reason}}
      .dump();
}

std::optional<GpuReport> GpuReportFromJson(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  GpuReport r;
  r.attempt = j.value("attempt", 0);
  if (j.contains("gpus")) r.gpus = GpusFrom(j["gpus"]);
  r.missing_reason = j.value("missing_reason", "");
  return r;
}

std::string DescribeGpus(const GpuReport& r) {
  if (r.gpus.empty()) return "none (" + r.missing_reason + ")";
  // Runs of one model and memory: "2 x NVIDIA H200 (143771 MiB)".
  std::vector<std::pair<int, std::string>> kinds;
  std::vector<std::string> drivers;
  for (const auto& g : r.gpus) {
    const std::string kind =
        g.name + " (" + std::to_string(static_cast<long long>(g.memory_mib)) + " MiB)";
    if (!kinds.empty() && kinds.back().second == kind) {
      ++kinds.back().first;
    } else {
      kinds.push_back({1, kind});
    }
    if (std::find(drivers.begin(), drivers.end(), g.driver) == drivers.end())
      drivers.push_back(g.driver);
  }
  std::string out;
  for (const auto& [n, kind] : kinds) {
    out += (out.empty() ? "" : ", ") + std::to_string(n) + " x " + kind;
  }
  std::string driver;
  for (const auto& d : drivers) driver += (driver.empty() ? "" : ", ") + d;
  return out + ", driver " + driver;
}

Result<AgentStatus> ReadStatusTree(std::string_view line) {
  json j = json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Unavailable("agent poll: bad status line");
  AgentStatus st;
  st.phase = "starting";
  SPOTRUN_RETURN_IF_ERROR(ReadField(j, "phase", &st.phase));
  SPOTRUN_RETURN_IF_ERROR(ReadField(j, "exit_code", &st.exit_code));
  SPOTRUN_RETURN_IF_ERROR(ReadField(j, "message", &st.message));
  SPOTRUN_RETURN_IF_ERROR(ReadField(j, "notice", &st.notice));
  SPOTRUN_RETURN_IF_ERROR(ReadField(j, "missing_outputs", &st.missing_outputs));
  SPOTRUN_RETURN_IF_ERROR(ReadField(j, "staging_error", &st.staging_error));
  SPOTRUN_RETURN_IF_ERROR(ReadField(j, "final_snapshot", &st.final_snapshot));
  SPOTRUN_RETURN_IF_ERROR(ReadField(j, "supervisor_alive", &st.supervisor_alive));
  SPOTRUN_RETURN_IF_ERROR(ReadField(j, "run_started_at", &st.run_started_at));
  // The progress file is the job's own: a value that is not a number is ignored.
  if (j.contains("progress") && j["progress"].is_number()) {
    st.progress = std::clamp(j["progress"].get<double>(), 0.0, 1.0);
  }
  if (j.contains("gpus") && j["gpus"].is_array()) {
    st.gpus = GpusFrom(j["gpus"]);
    SPOTRUN_RETURN_IF_ERROR(ReadField(j, "gpus_missing_reason", &st.gpus_missing_reason));
  }
  if (j.contains("notebook_idle_s") && j["notebook_idle_s"].is_number()) {
    st.notebook_idle_s = std::max(0.0, j["notebook_idle_s"].get<double>());
    SPOTRUN_RETURN_IF_ERROR(ReadField(j, "notebook_busy", &st.notebook_busy));
  }
  return st;
}

Result<PollResult> ParsePollOutput(const std::string& output) {
  size_t nl = output.find('\n');
  if (nl == std::string::npos) return Unavailable("agent poll: no status line");
  const std::string_view line(output.data(), nl);
  PollResult r;
  if (std::optional<AgentStatus> flat = ReadFlatStatusLine(line)) {
    r.status = std::move(*flat);
  } else {
    auto tree = ReadStatusTree(line);
    if (!tree.ok()) return tree.status();
    r.status = std::move(tree).value();
  }
  r.log = output.substr(nl + 1);
  return r;
}

}  // namespace spotrun
