// SkyPilot's `file_mounts:`: local paths and S3 buckets copied onto the node.
#include <array>
#include <cstdlib>
#include <set>
#include <system_error>

#include "spec/sections.h"
#include "spec/skypilot.h"
#include "spec/spec_paths.h"
#include "util/ascii.h"

namespace spotrun::spec {

namespace {

// `text` with every ${VAR} replaced from `vars`; nullopt (and the name in
// `*missing`) when a variable has no value.
std::optional<std::string> Substitute(const std::string& text,
                                      const std::map<std::string, std::string>& vars,
                                      std::string* missing) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const size_t close = text.find('}', i);
    if (text.compare(i, 2, "${") != 0 || close == std::string::npos) {
      out += text[i];
      continue;
    }
    const std::string name = text.substr(i + 2, close - i - 2);
    auto it = vars.find(name);
    if (it == vars.end() || it->second.empty()) {
      *missing = name;
      return std::nullopt;
    }
    out += it->second;
    i = close;
  }
  return out;
}

// "~/x" -> "$HOME/x"; anything else as it is.
std::string ExpandHome(const std::string& path) {
  const char* home = getenv("HOME");
  if (path.rfind("~/", 0) != 0 || home == nullptr) return path;
  return std::string(home) + path.substr(1);
}

struct MountContext {
  const SpecContext& ctx;
  const std::map<std::string, std::string>& vars;
  JobSpec* spec;
};

Result<std::string> Expanded(const MountContext& m, const YAML::Node& node,
                             const std::string& field) {
  std::string text;
  SPOTRUN_RETURN_IF_ERROR(ReadString(m.ctx, node, field, &text));
  std::string missing;
  std::optional<std::string> out = Substitute(text, m.vars, &missing);
  if (!out) {
    return ErrorAt(
        m.ctx, node, field,
        "${" + missing + "} has no value; set it in envs or with --env " + missing + "=VALUE");
  }
  return *out;
}

// A source: a local path (relative to where the command runs) or s3://.
Status ReadMountSource(const MountContext& m, const YAML::Node& node, const std::string& field,
                       InputSpec* in) {
  Result<std::string> source = Expanded(m, node, field);
  if (!source.ok()) return source.status();
  if (std::optional<std::string> scheme = UrlScheme(*source)) {
    if (*scheme != "s3") {
      return ErrorAt(m.ctx, node, field,
                     "'" + *scheme +
                         "://' buckets are not supported; spotrun copies from s3:// "
                         "or local paths");
    }
    if (std::optional<std::string> problem = UrlProblem(*source)) {
      return ErrorAt(m.ctx, node, field, *problem);
    }
    in->source = *source;
    in->is_url = true;
    return Status::Ok();
  }
  std::error_code ec;
  const std::filesystem::path local =
      ResolveLocal(std::filesystem::current_path(ec), ExpandHome(*source));
  if (!std::filesystem::exists(local, ec)) {
    return ErrorAt(m.ctx, node, field, "local source '" + local.string() + "' does not exist");
  }
  in->source = local.string();
  return Status::Ok();
}

Status ReadStorageObject(const MountContext& m, const Entry& e, const std::string& field,
                         InputSpec* in) {
  YAML::Node source, mode;
  auto keep = [](YAML::Node* target) {
    return [target](const Entry& x, const std::string&) {
      *target = x.value;
      return Status::Ok();
    };
  };
  auto store = [&](const Entry& x, const std::string& f) {
    std::string s;
    SPOTRUN_RETURN_IF_ERROR(ReadString(m.ctx, x.value, f, &s));
    if (AsciiLower(s) == "s3") return Status::Ok();
    return ErrorAt(m.ctx, x.value, f, "store '" + s + "' is not supported; spotrun copies from s3");
  };
  auto persistent = [&](const Entry& x, const std::string& f) {
    m.spec->notes.push_back(NoteAt(m.ctx, x.key_node, f, "spotrun creates no bucket; not used"));
    return Status::Ok();
  };
  const std::array<FieldParser, 5> parsers = {
      FieldParser{"name", [](const Entry&, const std::string&) { return Status::Ok(); }},
      FieldParser{"source", keep(&source)}, FieldParser{"mode", keep(&mode)},
      FieldParser{"store", store}, FieldParser{"persistent", persistent}};
  SPOTRUN_RETURN_IF_ERROR(ParseFields(m.ctx, e.value, field, parsers));
  if (!source || source.IsNull()) {
    return ErrorAt(m.ctx, e.value, field,
                   "a bucket without a source (one SkyPilot creates) is not supported; give "
                   "source: s3://BUCKET/PATH");
  }
  SPOTRUN_RETURN_IF_ERROR(ReadMountSource(m, source, field + ".source", in));
  std::string how = "MOUNT";
  SPOTRUN_RETURN_IF_ERROR(ReadString(m.ctx, mode, field + ".mode", &how));
  how = AsciiLower(how);
  if (how != "copy" && how != "mount" && how != "mount_cached") {
    return ErrorAt(m.ctx, mode, field + ".mode", "expected MOUNT, COPY or MOUNT_CACHED");
  }
  if (how != "copy") {
    m.spec->notes.push_back(NoteAt(m.ctx, e.key_node, field,
                                   "mode " + how +
                                       " is done as COPY: the files are copied onto "
                                       "the node at start and never written back"));
  }
  return Status::Ok();
}

Status ReadMount(const MountContext& m, const Entry& e, std::set<std::string>* seen) {
  const std::string field = FieldPath("file_mounts", e.key);
  Result<std::string> remote = Expanded(m, e.key_node, field);
  if (!remote.ok()) return remote.status();
  if (!remote->empty() && remote->front() == '/') {
    return ErrorAt(m.ctx, e.key_node, field,
                   "remote paths outside the home directory are not supported yet; use ~/" +
                       remote->substr(1) + " or a path relative to ~/sky_workdir");
  }
  InputSpec in;
  in.line = LineOf(e.key_node);
  YAML::Node remote_node = YAML::Clone(e.key_node);
  remote_node = *remote;
  SPOTRUN_RETURN_IF_ERROR(ReadInputRemote(m.ctx, remote_node, field, &in.remote));
  if (!seen->insert(in.remote).second) {
    return ErrorAt(m.ctx, e.key_node, field, "'" + in.remote + "' is already mounted");
  }
  if (e.value.IsMap()) {
    SPOTRUN_RETURN_IF_ERROR(ReadStorageObject(m, e, field, &in));
  } else {
    SPOTRUN_RETURN_IF_ERROR(ReadMountSource(m, e.value, field, &in));
  }
  m.spec->inputs.push_back(std::move(in));
  return Status::Ok();
}

}  // namespace

Status ParseSkyFileMounts(const SpecContext& ctx, const YAML::Node& node,
                          const std::map<std::string, std::string>& vars, JobSpec* spec) {
  std::vector<Entry> entries;
  SPOTRUN_RETURN_IF_ERROR(ReadMapping(ctx, node, "file_mounts", &entries));
  MountContext m{ctx, vars, spec};
  std::set<std::string> seen;
  for (const Entry& e : entries) SPOTRUN_RETURN_IF_ERROR(ReadMount(m, e, &seen));
  return Status::Ok();
}

}  // namespace spotrun::spec
