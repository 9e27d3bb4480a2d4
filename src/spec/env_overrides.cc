// `--env` at launch, and the spec format names.
#include "spec/job_spec.h"

namespace spotrun {

std::optional<SpecFormat> ParseSpecFormat(const std::string& name) {
  if (name == "auto") return SpecFormat::kAuto;
  if (name == "spotrun") return SpecFormat::kSpotrun;
  if (name == "skypilot") return SpecFormat::kSkyPilot;
  return std::nullopt;
}

namespace {

std::string Where(const JobSpec& spec, int line, const std::string& key) {
  const char* section = spec.secrets.count(key) ? "secrets" : "envs";
  return spec.source_path + ":" + std::to_string(line) + ":1: " + section + "." + key;
}

}  // namespace

Result<std::map<std::string, std::string>> ResolveEnvFlags(
    const std::vector<std::string>& flags, const std::map<std::string, std::string>& environ) {
  std::map<std::string, std::string> values;
  for (const std::string& flag : flags) {
    const size_t eq = flag.find('=');
    const std::string key = flag.substr(0, eq);
    if (key.empty()) return InvalidArgument("--env: expected KEY=VALUE or KEY, got '" + flag + "'");
    std::string value;
    if (eq != std::string::npos) {
      value = flag.substr(eq + 1);
    } else if (auto it = environ.find(key); it != environ.end()) {
      value = it->second;
    } else {
      return InvalidArgument("--env " + key + ": not set in your environment; give --env " + key +
                             "=VALUE");
    }
    values[key] = value;
  }
  return values;
}

Status ApplyEnvOverrides(const std::map<std::string, std::string>& values, JobSpec* spec) {
  for (const auto& [key, value] : values) {
    auto& target = spec->secrets.count(key) ? spec->secrets : spec->envs;
    target[key] = value;
  }
  for (const auto& [key, line] : spec->required_envs) {
    const auto& map = spec->secrets.count(key) ? spec->secrets : spec->envs;
    auto it = map.find(key);
    if (it == map.end() || it->second.empty()) {
      return InvalidArgument(Where(*spec, line, key) +
                             ": required (declared without a value); give it with --env " + key +
                             "=VALUE or --env " + key);
    }
  }
  spec->required_envs.clear();
  return Status::Ok();
}

}  // namespace spotrun
