#include "cli/spec_flags.h"

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "spec/job_file_writer.h"
#include "util/fs.h"

extern char** environ;

namespace spotrun {

namespace {

std::map<std::string, std::string> CallerEnvironment() {
  std::map<std::string, std::string> out;
  for (char** e = environ; e && *e; ++e) {
    const std::string entry = *e;
    const size_t eq = entry.find('=');
    if (eq != std::string::npos) out[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return out;
}

}  // namespace

std::vector<FlagSpec> JobFileFlags() { return {{"format", true, false}, {"env", true, true}}; }

Result<JobSpec> LoadJobFileWithFlags(const std::string& file, const ParsedArgs& args,
                                     bool for_convert, bool notebook) {
  ParseOptions options;
  options.notebook = notebook;
  if (auto f = args.Get("format")) {
    auto format = ParseSpecFormat(*f);
    if (!format)
      return InvalidArgument("--format: expected auto, spotrun or skypilot, got '" + *f + "'");
    options.format = *format;
  }
  const auto it = args.flags.find("env");
  const std::vector<std::string> flags =
      it == args.flags.end() ? std::vector<std::string>{} : it->second;
  auto values = ResolveEnvFlags(flags, CallerEnvironment());
  if (!values.ok()) return values.status();
  options.env_overrides = *values;
  auto spec = LoadJobSpec(file, options);
  if (!spec.ok()) return spec.status();
  if (for_convert) {
    // Values given are written; variables still without one stay required.
    std::map<std::string, int> required = spec->required_envs;
    (void)ApplyEnvOverrides(*values, &*spec);
    for (const auto& [key, line] : required) {
      const auto& map = spec->secrets.count(key) ? spec->secrets : spec->envs;
      if (map.at(key).empty()) spec->required_envs[key] = line;
    }
    return spec;
  }
  if (Status s = ApplyEnvOverrides(*values, &*spec); !s.ok()) {
    // Name the file as the user wrote it.
    std::string m = s.message();
    if (!spec->source_path.empty() && m.rfind(spec->source_path, 0) == 0) {
      m = file + m.substr(spec->source_path.size());
    }
    return InvalidArgument(m);
  }
  for (const std::string& note : spec->notes) fprintf(stderr, "spotrun: note: %s\n", note.c_str());
  return spec;
}

std::string SpecTextToStore(const JobSpec& spec, const std::string& file, const ParsedArgs& args) {
  const bool translated = spec.format == static_cast<int>(SpecFormat::kSkyPilot);
  if (!translated && !args.Has("env")) return ReadFile(file).value();
  JobSpec stored = spec;
  stored.notes.clear();
  return WriteJobFile(stored, "translated by spotrun from " + file);
}

std::string EncodeStringMap(const std::map<std::string, std::string>& map) {
  return nlohmann::json(map).dump();
}

std::map<std::string, std::string> DecodeStringMap(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return {};
  return j.get<std::map<std::string, std::string>>();
}

}  // namespace spotrun
