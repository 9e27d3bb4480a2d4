// SkyPilot's task format: the top level, and how a file is recognised.
#include "spec/skypilot.h"

#include <array>
#include <system_error>

#include "spec/sections.h"

namespace spotrun::spec {

namespace {

constexpr std::array<std::string_view, 9> kSpotrunOnly = {"cloud",      "inputs",   "outputs",
                                                          "checkpoint", "recovery", "budget",
                                                          "ssh_cidr",   "deadline", "policy"};
constexpr std::array<std::string_view, 6> kSkyTop = {"num_nodes", "file_mounts", "secrets",
                                                     "config",    "service",     "experimental"};
constexpr std::array<std::string_view, 14> kSkyResources = {
    "infra",  "cloud",   "disk_tier", "network_tier",  "image_id", "job_recovery",     "autostop",
    "any_of", "ordered", "ports",     "spot_recovery", "labels",   "accelerator_args", "priority"};

template <size_t N>
bool HasAny(const YAML::Node& map, const std::array<std::string_view, N>& keys) {
  for (const auto& pair : map) {
    if (!pair.first.IsScalar()) continue;
    for (std::string_view k : keys) {
      if (pair.first.Scalar() == k) return true;
    }
  }
  return false;
}

// cpus "4+", memory "2x" or accelerators as a set/list are SkyPilot's spelling.
bool SkyResourceValues(const YAML::Node& r) {
  const YAML::Node acc = r["accelerators"];
  if (acc && (acc.IsMap() || acc.IsSequence())) return true;
  // A fraction of a GPU ("K80:0.5").
  if (acc && acc.IsScalar() &&
      acc.Scalar().find('.', acc.Scalar().find(':')) != std::string::npos &&
      acc.Scalar().find(':') != std::string::npos) {
    return true;
  }
  for (const char* key : {"cpus", "memory", "disk_size"}) {
    const YAML::Node v = r[key];
    if (!v || !v.IsScalar() || v.Scalar().empty()) continue;
    const char last = v.Scalar().back();
    if (last == '+' || last == 'x' || last == 'B') return true;
  }
  return false;
}

Status ReadWorkdir(const SpecContext& ctx, const Entry& e, JobSpec* spec) {
  if (e.value.IsMap()) {
    return ErrorAt(ctx, e.value, "workdir",
                   "a git workdir ({url, ref}) is not supported; clone it in `setup`");
  }
  if (e.value.IsNull()) return Status::Ok();
  // SkyPilot resolves the workdir against the directory the command runs in.
  SpecContext here = ctx;
  std::error_code ec;
  here.base_dir = std::filesystem::current_path(ec);
  return ParseWorkdir(here, e.value, &spec->workdir);
}

Status ReadNumNodes(const SpecContext& ctx, const Entry& e) {
  int nodes = 1;
  SPOTRUN_RETURN_IF_ERROR(ReadIntInRange(ctx, e.value, "num_nodes", 1, 1000, &nodes));
  if (nodes > 1) {
    return ErrorAt(ctx, e.where(), "num_nodes",
                   "multi-node jobs are not supported yet (num_nodes: " + std::to_string(nodes) +
                       "); spotrun runs one node");
  }
  return Status::Ok();
}

Status ReadRun(const SpecContext& ctx, const Entry& e, std::string* out) {
  SPOTRUN_RETURN_IF_ERROR(ReadScript(ctx, e.value, "run", out));
  if (out->find_first_not_of(" \t\r\n") == std::string::npos) {
    return ErrorAt(ctx, e.where(), "run", "must not be empty: spotrun runs a job");
  }
  return Status::Ok();
}

}  // namespace

std::string NoteAt(const SpecContext& ctx, const YAML::Node& at, const std::string& field,
                   const std::string& text) {
  return ctx.file + ":" + std::to_string(LineOf(at)) + ": " + field + ": " + text;
}

bool LooksLikeSkyPilot(const YAML::Node& root) {
  if (!root.IsMap() || HasAny(root, kSpotrunOnly)) return false;
  if (HasAny(root, kSkyTop)) return true;
  const YAML::Node workdir = root["workdir"];
  if (workdir && workdir.IsMap()) return true;  // {url, ref}: a git workdir.
  const YAML::Node r = root["resources"];
  return r && r.IsMap() && (HasAny(r, kSkyResources) || SkyResourceValues(r));
}

Status ParseSkyPilot(const SpecContext& ctx, const YAML::Node& root, JobSpec* spec) {
  spec->resources.use_spot = false;  // SkyPilot's default market is on-demand.
  spec->workdir.clear();             // No workdir: nothing is uploaded.
  bool has_run = false;
  YAML::Node mounts, resources;
  auto note = [&](const Entry& e, const std::string& text) {
    spec->notes.push_back(NoteAt(ctx, e.key_node, e.key, text));
    return Status::Ok();
  };
  const std::array<FieldParser, 11> parsers = {
      FieldParser{"name",
                  [&](const Entry& e, const std::string&) {
                    return ReadJobName(ctx, e.value, &spec->name);
                  }},
      FieldParser{"workdir",
                  [&](const Entry& e, const std::string&) { return ReadWorkdir(ctx, e, spec); }},
      FieldParser{"num_nodes",
                  [&](const Entry& e, const std::string&) { return ReadNumNodes(ctx, e); }},
      FieldParser{"resources",
                  [&](const Entry& e, const std::string&) {
                    resources = e.value;
                    return Status::Ok();
                  }},
      FieldParser{"envs",
                  [&](const Entry& e, const std::string&) {
                    if (e.value.IsNull()) return Status::Ok();
                    return ParseEnvs(ctx, e.value, "envs", &spec->envs, &spec->required_envs);
                  }},
      FieldParser{"secrets",
                  [&](const Entry& e, const std::string&) {
                    if (e.value.IsNull()) return Status::Ok();
                    return ParseEnvs(ctx, e.value, "secrets", &spec->secrets, &spec->required_envs);
                  }},
      FieldParser{"file_mounts",
                  [&](const Entry& e, const std::string&) {
                    mounts = e.value;
                    return Status::Ok();
                  }},
      FieldParser{"setup",
                  [&](const Entry& e, const std::string& f) {
                    return ReadScript(ctx, e.value, f, &spec->setup);
                  }},
      FieldParser{"run",
                  [&](const Entry& e, const std::string&) {
                    has_run = true;
                    return ReadRun(ctx, e, &spec->run);
                  }},
      FieldParser{"config",
                  [&](const Entry& e, const std::string&) {
                    return note(e,
                                "SkyPilot's own config overrides do not apply to spotrun; "
                                "not used");
                  }},
      FieldParser{"service",
                  [&](const Entry& e, const std::string&) {
                    return note(e,
                                "serving (SkyServe) is not done; spotrun runs the task part "
                                "once");
                  }},
  };
  SPOTRUN_RETURN_IF_ERROR(ParseFields(ctx, root, "", parsers));
  if (resources && !resources.IsNull()) {
    SPOTRUN_RETURN_IF_ERROR(ParseSkyResources(ctx, resources, spec));
  }
  if (mounts && !mounts.IsNull()) {
    std::map<std::string, std::string> vars = spec->envs;
    for (const auto& [k, v] : ctx.env_overrides) {
      if (!spec->secrets.count(k)) vars[k] = v;
    }
    SPOTRUN_RETURN_IF_ERROR(ParseSkyFileMounts(ctx, mounts, vars, spec));
  }
  if (!has_run && !ctx.notebook) {
    return ErrorAtPosition(ctx, 1, 1, "run",
                           "missing: spotrun runs a job (a task without `run` only provisions)");
  }
  return Status::Ok();
}

}  // namespace spotrun::spec
