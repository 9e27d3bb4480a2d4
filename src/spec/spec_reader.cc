#include "spec/spec_reader.h"

#include <cctype>
#include <set>

#include "spec/units.h"
#include "util/ascii.h"
#include "util/did_you_mean.h"

namespace spotrun::spec {

namespace {

// Keeps a message on one printable line whatever bytes the user's file put
// into it: a NUL would end it early when printed, a line break split it.
std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

std::string KnownKeysHint(std::string_view key, std::span<const FieldParser> parsers) {
  std::vector<std::string_view> keys;
  for (const FieldParser& parser : parsers) keys.push_back(parser.key);
  if (std::optional<std::string> guess = DidYouMean(key, keys)) {
    return "unknown key; did you mean '" + *guess + "'?";
  }
  std::string hint = "unknown key; expected one of:";
  for (size_t i = 0; i < keys.size(); ++i) hint += (i ? ", " : " ") + std::string(keys[i]);
  return hint;
}

}  // namespace

Status ErrorAtPosition(const SpecContext& ctx, int line, int column, std::string_view field,
                       std::string_view message) {
  std::string text = ctx.file + ":" + std::to_string(line) + ":" + std::to_string(column) + ": ";
  if (!field.empty()) text += std::string(field) + ": ";
  return InvalidArgument(OneLine(text + std::string(message)));
}

Status ErrorAtMark(const SpecContext& ctx, const YAML::Mark& mark, std::string_view field,
                   std::string_view message) {
  return ErrorAtPosition(ctx, mark.line >= 0 ? mark.line + 1 : 1,
                         mark.column >= 0 ? mark.column + 1 : 1, field, message);
}

Status ErrorAt(const SpecContext& ctx, const YAML::Node& at, std::string_view field,
               std::string_view message) {
  return ErrorAtMark(ctx, at.Mark(), field, message);
}

int LineOf(const YAML::Node& node) {
  const int line = node.Mark().line;
  return line >= 0 ? line + 1 : 1;
}

std::string DescribeType(const YAML::Node& node) {
  if (node.IsMap()) return "a mapping";
  if (node.IsSequence()) return "a list";
  if (node.IsScalar()) return "a string";
  return "nothing";
}

std::string Shortened(std::string_view text) {
  constexpr size_t kMax = 60;
  if (text.size() <= kMax) return std::string(text);
  return std::string(text.substr(0, kMax)) + "...";
}

std::string Quoted(std::string_view text) { return "'" + Shortened(text) + "'"; }

std::string FieldPath(std::string_view prefix, std::string_view key) {
  if (prefix.empty()) return std::string(key);
  return std::string(prefix) + "." + std::string(key);
}

std::string IndexPath(std::string_view prefix, size_t index) {
  return std::string(prefix) + "[" + std::to_string(index) + "]";
}

Status ReadMapping(const SpecContext& ctx, const YAML::Node& node, std::string_view field,
                   std::vector<Entry>* entries) {
  if (!node.IsMap()) {
    return ErrorAt(ctx, node, field, "expected a mapping, got " + DescribeType(node));
  }
  std::set<std::string> seen;
  for (const auto& pair : node) {
    const YAML::Node key = pair.first;
    if (!key.IsScalar()) {
      return ErrorAt(ctx, key, field, "keys must be strings, got " + DescribeType(key));
    }
    if (!seen.insert(key.Scalar()).second) {
      return ErrorAt(ctx, key, FieldPath(field, key.Scalar()), "duplicate key");
    }
    entries->push_back(Entry{key.Scalar(), key, pair.second});
  }
  return Status::Ok();
}

Status ParseFields(const SpecContext& ctx, const YAML::Node& node, std::string_view field,
                   std::span<const FieldParser> parsers) {
  std::vector<Entry> entries;
  SPOTRUN_RETURN_IF_ERROR(ReadMapping(ctx, node, field, &entries));
  for (const Entry& entry : entries) {
    const std::string path = FieldPath(field, entry.key);
    const FieldParser* parser = nullptr;
    for (const FieldParser& candidate : parsers) {
      if (candidate.key == entry.key) parser = &candidate;
    }
    if (parser == nullptr) {
      return ErrorAt(ctx, entry.key_node, path, KnownKeysHint(entry.key, parsers));
    }
    SPOTRUN_RETURN_IF_ERROR(parser->parse(entry, path));
  }
  return Status::Ok();
}

Status ReadString(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                  std::string* out) {
  if (node.IsNull()) return Status::Ok();
  if (!node.IsScalar()) {
    return ErrorAt(ctx, node, field, "expected a string, got " + DescribeType(node));
  }
  *out = node.Scalar();
  return Status::Ok();
}

Status ReadBool(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                bool* out) {
  if (node.IsNull()) return Status::Ok();
  const std::string text = AsciiLower(node.IsScalar() ? node.Scalar() : "");
  if (text == "true" || text == "yes" || text == "on") {
    *out = true;
  } else if (text == "false" || text == "no" || text == "off") {
    *out = false;
  } else {
    const std::string got = node.IsScalar() ? Quoted(node.Scalar()) : DescribeType(node);
    return ErrorAt(ctx, node, field, "expected true or false, got " + got);
  }
  return Status::Ok();
}

Status CheckRange(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                  double value, const NumberRange& range) {
  const std::string got = ", got " + Shortened(node.Scalar());
  if (!(value > 0)) return ErrorAt(ctx, node, field, "must be > 0" + got);
  if (!(value >= range.min)) {
    return ErrorAt(ctx, node, field, "must be at least " + std::string(range.min_text) + got);
  }
  if (!(value <= range.max)) {
    return ErrorAt(ctx, node, field, "must be at most " + std::string(range.max_text) + got);
  }
  return Status::Ok();
}

Status ReadNumber(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                  const NumberRange& range, double* out) {
  if (node.IsNull()) return Status::Ok();
  const std::optional<double> value = node.IsScalar() ? ParseNumber(node.Scalar()) : std::nullopt;
  if (!value) {
    const std::string got = node.IsScalar() ? Quoted(node.Scalar()) : DescribeType(node);
    return ErrorAt(ctx, node, field, "expected a number, got " + got);
  }
  SPOTRUN_RETURN_IF_ERROR(CheckRange(ctx, node, field, *value, range));
  *out = *value;
  return Status::Ok();
}

Status ReadIntInRange(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                      int min, int max, int* out) {
  if (node.IsNull()) return Status::Ok();
  const std::optional<int64_t> value = node.IsScalar() ? ParseInteger(node.Scalar()) : std::nullopt;
  if (!value) {
    const std::string got = node.IsScalar() ? Quoted(node.Scalar()) : DescribeType(node);
    return ErrorAt(ctx, node, field, "expected a whole number, got " + got);
  }
  if (*value < min || *value > max) {
    return ErrorAt(ctx, node, field,
                   "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                       ", got " + node.Scalar());
  }
  *out = static_cast<int>(*value);
  return Status::Ok();
}

Status ReadScript(const SpecContext& ctx, const YAML::Node& node, const std::string& field,
                  std::string* out) {
  if (node.IsNull() || node.IsScalar()) return ReadString(ctx, node, field, out);
  if (!node.IsSequence()) {
    return ErrorAt(ctx, node, field,
                   "expected a string or a list of strings, got " + DescribeType(node));
  }
  std::string script;
  for (size_t i = 0; i < node.size(); ++i) {
    const YAML::Node item = node[i];
    if (!item.IsScalar()) {
      return ErrorAt(ctx, item.IsNull() ? node : item, IndexPath(field, i),
                     "expected a string, got " + DescribeType(item));
    }
    script += (i ? "\n" : "") + item.Scalar();
  }
  *out = script;
  return Status::Ok();
}

}  // namespace spotrun::spec
