// Reader for the `envs:` section.
#include <cctype>

#include "spec/sections.h"

namespace spotrun::spec {

namespace {

bool IsEnvName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name[0]))) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

}  // namespace

Status ParseEnvs(const SpecContext& ctx, const YAML::Node& node, std::string_view section,
                 std::map<std::string, std::string>* out, std::map<std::string, int>* required) {
  std::vector<Entry> entries;
  SPOTRUN_RETURN_IF_ERROR(ReadMapping(ctx, node, section, &entries));
  for (const Entry& entry : entries) {
    const std::string field = FieldPath(section, entry.key);
    if (!IsEnvName(entry.key)) {
      return ErrorAt(ctx, entry.key_node, field,
                     Quoted(entry.key) +
                         " is not a valid variable name; use letters, digits "
                         "and '_', not starting with a digit");
    }
    if (!entry.value.IsNull() && !entry.value.IsScalar()) {
      return ErrorAt(ctx, entry.value, field,
                     "expected a string, number or bool, got " + DescribeType(entry.value));
    }
    const std::string value = entry.value.IsNull() ? "" : entry.value.Scalar();
    (*out)[entry.key] = value;
    // No value: the variable must be given at launch (`--env KEY=VALUE`).
    if (value.empty()) (*required)[entry.key] = LineOf(entry.key_node);
  }
  return Status::Ok();
}

}  // namespace spotrun::spec
