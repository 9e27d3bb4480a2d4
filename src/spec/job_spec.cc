#include "spec/job_spec.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

#include "policy/registry.h"
#include "spec/sections.h"
#include "spec/skypilot.h"
#include "spec/spec_reader.h"
#include "spec/yaml_syntax.h"
#include "util/cidr.h"
#include "util/did_you_mean.h"
#include "util/encoding.h"

namespace spotrun {

namespace {

using spec::Entry;
using spec::ErrorAt;
using spec::FieldParser;
using spec::SpecContext;

constexpr size_t kMaxNameLength = 63;

bool IsNameChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
}

bool IsValidName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength || name == "." || name == "..") return false;
  for (char c : name) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

// The default name: the job file's directory name with every character a name
// may not hold replaced by '-'.
std::string DefaultName(const std::filesystem::path& dir) {
  std::string name = dir.filename().string().substr(0, kMaxNameLength);
  for (char& c : name) {
    if (!IsNameChar(c)) c = '-';
  }
  return IsValidName(name) ? name : "job";
}

}  // namespace

namespace spec {
Status ReadJobName(const SpecContext& ctx, const YAML::Node& node, std::string* out) {
  std::string name;
  SPOTRUN_RETURN_IF_ERROR(spec::ReadString(ctx, node, "name", &name));
  if (node.IsNull()) return Status::Ok();
  if (!IsValidName(name)) {
    return ErrorAt(ctx, node, "name",
                   spec::Quoted(name) +
                       " is not a valid name; use 1 to 63 letters, digits, "
                       "'.', '_' or '-' (not '.' or '..')");
  }
  *out = name;
  return Status::Ok();
}
}  // namespace spec

namespace {

Status ReadCloud(const SpecContext& ctx, const YAML::Node& node, std::string* out) {
  std::string cloud = *out;
  SPOTRUN_RETURN_IF_ERROR(spec::ReadString(ctx, node, "cloud", &cloud));
  constexpr std::array<std::string_view, 2> kClouds = {"local", "aws"};
  if (cloud != kClouds[0] && cloud != kClouds[1]) {
    std::string message = "must be 'local' or 'aws', got " + spec::Quoted(cloud);
    if (std::optional<std::string> guess = DidYouMean(cloud, kClouds)) {
      message += "; did you mean '" + *guess + "'?";
    }
    return ErrorAt(ctx, node, "cloud", message);
  }
  *out = cloud;
  return Status::Ok();
}

Status ReadSshCidr(const SpecContext& ctx, const YAML::Node& node, std::string* out) {
  std::string cidr;
  SPOTRUN_RETURN_IF_ERROR(spec::ReadString(ctx, node, "ssh_cidr", &cidr));
  if (node.IsNull()) return Status::Ok();
  if (!IsCidr(cidr)) {
    return ErrorAt(ctx, node, "ssh_cidr",
                   "expected an address range such as 203.0.113.7/32 or 2001:db8::/64, got " +
                       spec::Quoted(cidr));
  }
  if (IsWholeInternet(cidr)) {
    return ErrorAt(ctx, node, "ssh_cidr",
                   spec::Quoted(cidr) +
                       " would open SSH to the whole internet; give your own address, e.g. "
                       "203.0.113.7/32");
  }
  *out = cidr;
  return Status::Ok();
}

Status ReadRun(const SpecContext& ctx, const Entry& entry, std::string* out) {
  SPOTRUN_RETURN_IF_ERROR(spec::ReadScript(ctx, entry.value, "run", out));
  if (out->find_first_not_of(" \t\r\n") == std::string::npos) {
    return ErrorAt(ctx, entry.where(), "run", "must not be empty: give the command that trains");
  }
  return Status::Ok();
}

Status ReadPolicy(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                  std::string* out) {
  std::string name = *out;
  SPOTRUN_RETURN_IF_ERROR(spec::ReadString(ctx, node, field, &name));
  auto info = FindPolicy(name);
  if (!info.ok()) return ErrorAt(ctx, node, field, info.status().message());
  if ((*info)->offline) {
    return ErrorAt(ctx, node, field,
                   "'" + name + "' needs the future and only runs in `spotrun simulate`");
  }
  *out = name;
  return Status::Ok();
}

// A parser for a section: empty values (`key:` alone) mean "not given".
template <typename Fn>
FieldParser Section(std::string_view key, Fn read) {
  return FieldParser{key, [read](const Entry& e, const std::string&) {
                       return e.value.IsNull() ? Status::Ok() : read(e.value);
                     }};
}

Status ParseRoot(const SpecContext& ctx, const YAML::Node& root, JobSpec* spec) {
  bool has_run = false;
  YAML::Node deadline_node, policy_node;
  bool has_policy = false;
  const std::array<FieldParser, 17> parsers = {
      FieldParser{"name",
                  [&](const Entry& e, const std::string&) {
                    return spec::ReadJobName(ctx, e.value, &spec->name);
                  }},
      FieldParser{"cloud",
                  [&](const Entry& e, const std::string&) {
                    return ReadCloud(ctx, e.value, &spec->cloud);
                  }},
      Section("resources",
              [&](const YAML::Node& n) { return ParseResources(ctx, n, &spec->resources); }),
      Section("workdir", [&](const YAML::Node& n) { return ParseWorkdir(ctx, n, &spec->workdir); }),
      Section("inputs", [&](const YAML::Node& n) { return ParseInputs(ctx, n, &spec->inputs); }),
      Section("envs",
              [&](const YAML::Node& n) {
                return ParseEnvs(ctx, n, "envs", &spec->envs, &spec->required_envs);
              }),
      Section("secrets",
              [&](const YAML::Node& n) {
                return ParseEnvs(ctx, n, "secrets", &spec->secrets, &spec->required_envs);
              }),
      FieldParser{"setup",
                  [&](const Entry& e, const std::string& f) {
                    return spec::ReadScript(ctx, e.value, f, &spec->setup);
                  }},
      FieldParser{"run",
                  [&](const Entry& e, const std::string&) {
                    has_run = true;
                    return ReadRun(ctx, e, &spec->run);
                  }},
      Section("outputs", [&](const YAML::Node& n) { return ParseOutputs(ctx, n, &spec->outputs); }),
      Section("checkpoint",
              [&](const YAML::Node& n) { return ParseCheckpoint(ctx, n, &spec->checkpoint); }),
      Section("recovery",
              [&](const YAML::Node& n) { return ParseRecovery(ctx, n, &spec->recovery); }),
      Section("budget", [&](const YAML::Node& n) { return ParseBudget(ctx, n, &spec->budget); }),
      FieldParser{"ssh_cidr",
                  [&](const Entry& e, const std::string&) {
                    return ReadSshCidr(ctx, e.value, &spec->ssh_cidr);
                  }},
      FieldParser{"deadline",
                  [&](const Entry& e, const std::string& f) {
                    deadline_node = e.where();
                    return ReadDuration(ctx, e.value, f, &spec->deadline_s);
                  }},
      FieldParser{"policy",
                  [&](const Entry& e, const std::string& f) {
                    policy_node = e.where();
                    has_policy = true;
                    return ReadPolicy(ctx, e.value, f, &spec->policy);
                  }},
      FieldParser{"idle_minutes",
                  [&](const Entry& e, const std::string& f) {
                    if (!ctx.notebook) {
                      return ErrorAt(ctx, e.where(), f,
                                     "only `spotrun notebook` stops when idle; `spotrun launch` "
                                     "runs `run` to its end");
                    }
                    double minutes = 0;
                    SPOTRUN_RETURN_IF_ERROR(
                        spec::ReadNumber(ctx, e.value, f, spec::kIdleMinutesRange, &minutes));
                    spec->notebook.idle_s = minutes * 60;
                    return Status::Ok();
                  }},
  };
  SPOTRUN_RETURN_IF_ERROR(spec::ParseFields(ctx, root, "", parsers));
  if (!has_run && !ctx.notebook) {
    return spec::ErrorAtPosition(ctx, 1, 1, "run",
                                 "missing required key: give the command that trains");
  }
  if (spec->deadline_s && !spec->budget.expected_s) {
    return ErrorAt(ctx, deadline_node, "deadline",
                   "a deadline needs budget.expected_hours, the time the job takes");
  }
  if (has_policy && !spec->deadline_s) {
    return ErrorAt(ctx, policy_node, "policy", "a policy needs a deadline to plan for");
  }
  return Status::Ok();
}

// YAML is Unicode text; yaml-cpp 0.7 can spin for ever on bytes that are not
// UTF-8 (0xFF in a scalar), so they are refused before it sees them.
Status CheckUtf8(const SpecContext& ctx, const std::string& text) {
  const size_t bad = FirstInvalidUtf8(text);
  if (bad == std::string::npos) return Status::Ok();
  const size_t newline = bad == 0 ? std::string::npos : text.rfind('\n', bad - 1);
  const size_t line_begin = newline == std::string::npos ? 0 : newline + 1;
  const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + bad, '\n'));
  static constexpr char kHex[] = "0123456789ABCDEF";
  const auto b = static_cast<unsigned char>(text[bad]);
  return spec::ErrorAtPosition(ctx, line, static_cast<int>(bad - line_begin) + 1, "",
                               std::string("the file is not UTF-8 text (byte 0x") + kHex[b >> 4] +
                                   kHex[b & 15] + " here); save it as UTF-8");
}

Result<YAML::Node> LoadSingleDocument(const SpecContext& ctx, const std::string& text,
                                      bool parsed_before) {
  SPOTRUN_RETURN_IF_ERROR(CheckUtf8(ctx, text));
  if (auto bad = spec::CheckYamlSyntax(text)) {
    return spec::ErrorAtPosition(ctx, bad->line, bad->column, "",
                                 "YAML syntax error: " + bad->message);
  }
  if (!parsed_before && !spec::CheckYamlCppFinishes(text)) {
    return spec::ErrorAtPosition(
        ctx, 1, 1, "",
        "the YAML reader (yaml-cpp) does not finish on this file; look for a line that starts "
        "with ',' after a tag ('!') or an anchor ('&')");
  }
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
  } catch (const YAML::ParserException& e) {
    return spec::ErrorAtMark(ctx, e.mark, "", "YAML syntax error: " + e.msg);
  }
  if (docs.size() > 1) {
    // A SkyPilot pipeline (several tasks) is refused here too.
    return ErrorAt(ctx, docs[1], "",
                   "the file holds more than one YAML document; a job file is one document");
  }
  return docs.empty() ? YAML::Node() : docs.front();
}

Result<JobSpec> ParseDocument(const SpecContext& ctx, const std::string& text,
                              const ParseOptions& options) {
  const SpecFormat format = options.format;
  Result<YAML::Node> root = LoadSingleDocument(ctx, text, options.parsed_before);
  if (!root.ok()) return root.status();
  if (root->IsNull()) {
    return spec::ErrorAtPosition(ctx, 1, 1, "run", "missing required key (the job file is empty)");
  }
  if (!root->IsMap()) {
    return ErrorAt(ctx, *root, "",
                   "the top level of a job file must be a mapping of keys such as 'run:', got " +
                       spec::DescribeType(*root));
  }
  JobSpec spec;
  spec.name = DefaultName(ctx.base_dir);
  if (format == SpecFormat::kSkyPilot ||
      (format == SpecFormat::kAuto && spec::LooksLikeSkyPilot(*root))) {
    spec.format = static_cast<int>(SpecFormat::kSkyPilot);
    SPOTRUN_RETURN_IF_ERROR(spec::ParseSkyPilot(ctx, *root, &spec));
    return spec;
  }
  spec.workdir = ctx.base_dir.string();
  SPOTRUN_RETURN_IF_ERROR(ParseRoot(ctx, *root, &spec));
  return spec;
}

// A notebook session: Jupyter in place of `run`, and the workdir's new and
// changed files as its checkpoint (synced every minute at most, and at once
// on a notice) and as its outputs.
void MakeNotebook(const SpecContext& ctx, JobSpec* spec) {
  spec->notebook.enabled = true;
  const std::string where = ctx.file + ": ";
  if (!spec->run.empty()) {
    spec->notes.push_back(where + "run: not run: `spotrun notebook` runs Jupyter instead");
    spec->run.clear();
  }
  if (!spec->outputs.empty()) {
    spec->notes.push_back(where +
                          "outputs: a notebook brings back every new and changed file of the "
                          "workdir, these included");
    spec->outputs.clear();
  }
  spec->checkpoint.dir = ".";
  spec->checkpoint.sync_interval_s = std::min(spec->checkpoint.sync_interval_s, 60.0);
}

}  // namespace

Result<JobSpec> ParseJobSpec(const std::string& text, const std::string& path,
                             const ParseOptions& options) {
  std::error_code ec;
  const std::filesystem::path file = std::filesystem::absolute(path, ec).lexically_normal();
  SpecContext ctx{path, path.empty() ? std::filesystem::current_path(ec) : file.parent_path(),
                  options.env_overrides, options.notebook};
  try {
    Result<JobSpec> spec = ParseDocument(ctx, text, options);
    if (spec.ok() && options.notebook) MakeNotebook(ctx, &*spec);
    if (spec.ok() && !path.empty()) spec->source_path = file.string();
    return spec;
  } catch (const YAML::Exception& e) {
    // Node accessors throw only on misuse; report it against the file anyway.
    return spec::ErrorAtMark(ctx, e.mark, "", std::string("cannot read YAML: ") + e.what());
  }
}

Result<JobSpec> LoadJobSpec(const std::string& path, const ParseOptions& options) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return InvalidArgument(path + ": is a directory, not a job file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return InvalidArgument(path + ": cannot open job file: " + std::strerror(errno));
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return InvalidArgument(path + ": cannot read job file");
  return ParseJobSpec(text.str(), path, options);
}

}  // namespace spotrun
