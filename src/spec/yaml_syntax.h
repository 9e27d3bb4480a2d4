// A YAML syntax check with libyaml, the reference parser, before yaml-cpp
// builds nodes from the text: yaml-cpp 0.7 loops for ever, allocating, on
// some malformed input (a stray ',' at the top level), so text libyaml
// refuses never reaches it. Internal to spec/.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace spotrun::spec {

struct YamlSyntaxError {
  int line = 1;    // 1-based.
  int column = 1;  // 1-based.
  std::string message;
};

// nullopt when `text` is a well-formed YAML stream.
std::optional<YamlSyntaxError> CheckYamlSyntax(std::string_view text);

}  // namespace spotrun::spec
