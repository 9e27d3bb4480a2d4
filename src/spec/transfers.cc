// Readers for the sections that name files: `workdir:`, `inputs:`,
// `outputs:` and `checkpoint:`.
#include <array>
#include <set>
#include <system_error>

#include "spec/output_clash.h"
#include "spec/sections.h"
#include "spec/spec_paths.h"

namespace spotrun::spec {

namespace {

constexpr std::string_view kRemoteWorkdir = "the workdir on the instance";
constexpr std::string_view kResultsDir = "the results directory";

// Reads a path that must stay inside `inside` into its normalized form; an
// empty value leaves `out` unchanged.
Status ReadInsidePath(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                      std::string_view inside, std::string* out) {
  if (node.IsNull()) return Status::Ok();
  std::string text;
  SPOTRUN_RETURN_IF_ERROR(ReadString(ctx, node, field, &text));
  if (std::optional<std::string> problem = InsidePathProblem(text, inside)) {
    return ErrorAt(ctx, node, field, *problem);
  }
  *out = NormalizeRelative(text);
  return Status::Ok();
}

Status ReadSource(const SpecContext& ctx, const Entry& entry, const std::string& field,
                  InputSpec* input) {
  if (entry.value.IsNull() || (entry.value.IsScalar() && entry.value.Scalar().empty())) {
    return ErrorAt(ctx, entry.where(), field, "needs a source: a local path or a URL");
  }
  SPOTRUN_RETURN_IF_ERROR(ReadString(ctx, entry.value, field, &input->source));
  if (UrlScheme(input->source)) {
    if (std::optional<std::string> problem = UrlProblem(input->source)) {
      return ErrorAt(ctx, entry.value, field, *problem);
    }
    input->is_url = true;
    return Status::Ok();
  }
  const std::filesystem::path local = ResolveLocal(ctx.base_dir, input->source);
  std::error_code ec;
  if (!std::filesystem::exists(local, ec)) {
    return ErrorAt(ctx, entry.value, field, "local source '" + local.string() + "' does not exist");
  }
  input->source = local.string();
  return Status::Ok();
}

Status ReadOutputPair(const SpecContext& ctx, const Entry& entry, const std::string& field,
                      std::vector<OutputSpec>* out) {
  OutputSpec output;
  output.line = LineOf(entry.key_node);
  SPOTRUN_RETURN_IF_ERROR(
      ReadInsidePath(ctx, entry.key_node, field, kRemoteWorkdir, &output.remote));
  if (entry.value.IsNull()) {
    return ErrorAt(ctx, entry.key_node, field,
                   "needs a destination inside the results directory; to keep the "
                   "file name, list the path as a plain list item instead");
  }
  SPOTRUN_RETURN_IF_ERROR(ReadInsidePath(ctx, entry.value, field, kResultsDir, &output.dest));
  out->push_back(std::move(output));
  return Status::Ok();
}

Status ReadOutputItem(const SpecContext& ctx, const YAML::Node& item, const std::string& field,
                      std::vector<OutputSpec>* out) {
  if (item.IsScalar()) {
    OutputSpec output;
    output.line = LineOf(item);
    SPOTRUN_RETURN_IF_ERROR(ReadInsidePath(ctx, item, field, kRemoteWorkdir, &output.remote));
    out->push_back(std::move(output));
    return Status::Ok();
  }
  if (!item.IsMap() || item.size() != 1) {
    return ErrorAt(ctx, item, field,
                   "expected a path or a one-entry mapping {remote: dest}, got " +
                       (item.IsMap() ? "a mapping with " + std::to_string(item.size()) + " entries"
                                     : DescribeType(item)));
  }
  std::vector<Entry> entries;
  SPOTRUN_RETURN_IF_ERROR(ReadMapping(ctx, item, field, &entries));
  return ReadOutputPair(ctx, entries.front(), field, out);
}

// The output just read (the last of `outputs`) against those before it.
Status CheckClashes(const SpecContext& ctx, const YAML::Node& at, const std::string& field,
                    const std::vector<OutputSpec>& outputs) {
  for (size_t i = 0; i + 1 < outputs.size(); ++i) {
    if (auto clash = OutputClash(outputs[i], outputs.back())) {
      return ErrorAt(ctx, at, field, *clash);
    }
  }
  return Status::Ok();
}

}  // namespace

Status ReadInputRemote(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                       std::string* out) {
  const bool home = node.IsScalar() && node.Scalar().rfind("~/", 0) == 0;
  if (!home) return ReadInsidePath(ctx, node, field, kRemoteWorkdir, out);
  const std::string rest = node.Scalar().substr(2);
  if (std::optional<std::string> problem = InsidePathProblem(rest, "the home directory")) {
    return ErrorAt(ctx, node, field, *problem);
  }
  *out = "~/" + NormalizeRelative(rest);
  return Status::Ok();
}

Status ParseWorkdir(const SpecContext& ctx, const YAML::Node& node, std::string* out) {
  if (node.IsScalar() && node.Tag() != "!" && node.Scalar() == "false") {
    out->clear();  // Nothing to upload.
    return Status::Ok();
  }
  std::string text;
  SPOTRUN_RETURN_IF_ERROR(ReadString(ctx, node, "workdir", &text));
  if (text.empty()) return ErrorAt(ctx, node, "workdir", "must not be empty");
  const std::filesystem::path dir = ResolveLocal(ctx.base_dir, text);
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(dir, ec);
  if (!std::filesystem::exists(status)) {
    return ErrorAt(ctx, node, "workdir", "directory '" + dir.string() + "' does not exist");
  }
  if (!std::filesystem::is_directory(status)) {
    return ErrorAt(ctx, node, "workdir", "'" + dir.string() + "' is not a directory");
  }
  *out = dir.string();
  return Status::Ok();
}

Status ParseInputs(const SpecContext& ctx, const YAML::Node& node, std::vector<InputSpec>* out) {
  std::vector<Entry> entries;
  SPOTRUN_RETURN_IF_ERROR(ReadMapping(ctx, node, "inputs", &entries));
  std::set<std::string> remotes;
  for (const Entry& entry : entries) {
    const std::string field = FieldPath("inputs", entry.key);
    InputSpec input;
    input.line = LineOf(entry.key_node);
    SPOTRUN_RETURN_IF_ERROR(ReadInputRemote(ctx, entry.key_node, field, &input.remote));
    if (!remotes.insert(input.remote).second) {
      return ErrorAt(ctx, entry.key_node, field,
                     "'" + input.remote + "' is already the destination of another input");
    }
    SPOTRUN_RETURN_IF_ERROR(ReadSource(ctx, entry, field, &input));
    out->push_back(std::move(input));
  }
  return Status::Ok();
}

Status ParseOutputs(const SpecContext& ctx, const YAML::Node& node, std::vector<OutputSpec>* out) {
  if (node.IsSequence()) {
    for (size_t i = 0; i < node.size(); ++i) {
      const std::string field = IndexPath("outputs", i);
      SPOTRUN_RETURN_IF_ERROR(ReadOutputItem(ctx, node[i], field, out));
      SPOTRUN_RETURN_IF_ERROR(CheckClashes(ctx, node[i], field, *out));
    }
    return Status::Ok();
  }
  if (!node.IsMap()) {
    return ErrorAt(
        ctx, node, "outputs",
        "expected a list of paths or a mapping remote -> dest, got " + DescribeType(node));
  }
  std::vector<Entry> entries;
  SPOTRUN_RETURN_IF_ERROR(ReadMapping(ctx, node, "outputs", &entries));
  for (const Entry& entry : entries) {
    const std::string field = FieldPath("outputs", entry.key);
    SPOTRUN_RETURN_IF_ERROR(ReadOutputPair(ctx, entry, field, out));
    SPOTRUN_RETURN_IF_ERROR(CheckClashes(ctx, entry.key_node, field, *out));
  }
  return Status::Ok();
}

Status ParseCheckpoint(const SpecContext& ctx, const YAML::Node& node, CheckpointSpec* out) {
  const std::array<FieldParser, 3> parsers = {
      FieldParser{"store",
                  [&](const Entry& e, const std::string& f) {
                    std::string url;
                    SPOTRUN_RETURN_IF_ERROR(ReadString(ctx, e.value, f, &url));
                    if (url.rfind("s3://", 0) != 0 || url.size() <= 5 || url[5] == '/') {
                      return ErrorAt(ctx, e.value, f,
                                     "expected an S3 location such as s3://my-bucket/checkpoints/, "
                                     "got " +
                                         Quoted(url));
                    }
                    out->store = url;
                    return Status::Ok();
                  }},
      FieldParser{"dir",
                  [&](const Entry& e, const std::string& f) {
                    return ReadInsidePath(ctx, e.value, f, kRemoteWorkdir, &out->dir);
                  }},
      FieldParser{"sync_interval",
                  [&](const Entry& e, const std::string& f) {
                    std::optional<double> seconds;
                    SPOTRUN_RETURN_IF_ERROR(ReadDuration(ctx, e.value, f, &seconds));
                    if (seconds) out->sync_interval_s = *seconds;
                    return Status::Ok();
                  }},
  };
  return ParseFields(ctx, node, "checkpoint", parsers);
}

}  // namespace spotrun::spec
