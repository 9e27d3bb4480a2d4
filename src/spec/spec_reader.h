// Internal to src/spec/: reads yaml-cpp nodes into plain values and reports
// mistakes as one-line InvalidArgument statuses that point into the job file.
// Nothing declared here throws; callers still guard against yaml-cpp
// exceptions because node access in general may throw.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "spec/limits.h"
#include "util/status.h"

namespace spotrun::spec {

// What every reader needs: where messages point and where relative paths start.
struct SpecContext {
  std::string file;                // The job file's path as the user wrote it.
  std::filesystem::path base_dir;  // Absolute, normalized directory of the job file.
  // Resolved `--env` values (ParseOptions::env_overrides).
  std::map<std::string, std::string> env_overrides;
  // The file is read for `spotrun notebook` (ParseOptions::notebook).
  bool notebook = false;
};

// InvalidArgument "FILE:LINE:COLUMN: FIELD: message" with the 1-based position
// of `at` (1:1 when the node has none). Control characters in `field` or
// `message` are escaped (a line break as "\n", a tab as "\t", others such as
// NUL as "\x00"), so the result is always one printable line.
Status ErrorAt(const SpecContext& ctx, const YAML::Node& at, std::string_view field,
               std::string_view message);
// Same at a yaml-cpp mark (0-based; a negative part becomes 1).
Status ErrorAtMark(const SpecContext& ctx, const YAML::Mark& mark, std::string_view field,
                   std::string_view message);
// Same at an explicit 1-based position; an empty `field` is left out, giving
// "FILE:LINE:COLUMN: message" for errors about the whole file.
Status ErrorAtPosition(const SpecContext& ctx, int line, int column, std::string_view field,
                       std::string_view message);

// 1-based line of `node`, or 1 when it has no position.
int LineOf(const YAML::Node& node);
// "a mapping", "a list", "a string" or "nothing", for "expected X, got Y".
std::string DescribeType(const YAML::Node& node);
// `text` in single quotes, shortened to about 60 characters.
std::string Quoted(std::string_view text);
// `text` shortened to about 60 characters ("123...").
std::string Shortened(std::string_view text);
// "prefix.key", or "key" when `prefix` is empty.
std::string FieldPath(std::string_view prefix, std::string_view key);
// "prefix[index]".
std::string IndexPath(std::string_view prefix, size_t index);

// One key: value pair of a mapping.
struct Entry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
  // The node to point at for errors about the value: the value itself, or
  // the key when the value is empty (yaml-cpp places empty values on the
  // following line).
  const YAML::Node& where() const { return value.IsNull() ? key_node : value; }
};

// Reads `node`, which must be a mapping whose keys are distinct scalars, into
// `entries` in file order. `field` names the mapping in messages.
Status ReadMapping(const SpecContext& ctx, const YAML::Node& node, std::string_view field,
                   std::vector<Entry>* entries);

// A key allowed in a fixed-shape mapping and how to read its entry.
struct FieldParser {
  std::string_view key;
  std::function<Status(const Entry& entry, const std::string& field)> parse;
};

// Reads the mapping `node` found at `field` ("" for the top level): calls the
// parser of each key present, in file order, with the key's dotted path; an
// unknown key is an error that suggests the closest known key, if any.
Status ParseFields(const SpecContext& ctx, const YAML::Node& node, std::string_view field,
                   std::span<const FieldParser> parsers);

// Scalar readers. Each leaves `*out` unchanged when `node` is null (the key
// was written without a value), and otherwise checks the node's shape and
// value, reporting at `node` under `field`.
Status ReadString(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                  std::string* out);
Status ReadBool(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                bool* out);
// Checks `value`, read from `node`, against `range` (every range holds
// numbers > 0 only): "must be > 0, got X", "must be at least MIN, got X" or
// "must be at most MAX, got X", X being the node's text as written
// (shortened). An infinity is above every range, NaN in none.
Status CheckRange(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                  double value, const NumberRange& range);
// A number in `range`.
Status ReadNumber(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                  const NumberRange& range, double* out);
// An integer in [min, max].
Status ReadIntInRange(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                      int min, int max, int* out);
// A shell script: a string, or a list of strings joined with "\n".
Status ReadScript(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                  std::string* out);

}  // namespace spotrun::spec
