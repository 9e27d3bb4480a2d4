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

// Seconds yaml-cpp may take over a job file in CheckYamlCppFinishes.
inline constexpr double kYamlCppParseSeconds = 3;

// yaml-cpp 0.7 also loops for ever on some text libyaml accepts (a node with
// a tag or an anchor at the top level, then a line that starts with ','):
// parses `text` with yaml-cpp in a child process first, and returns false
// when that child does not finish within kYamlCppParseSeconds (it is
// killed) or dies. A fork costs about a millisecond; a job already in the
// store is not checked again.
bool CheckYamlCppFinishes(const std::string& text);

}  // namespace spotrun::spec
