// ASCII text helpers (locale-independent: config keys, header names, GPU
// names, units, lists on the command line).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace spotrun {

// `text` with A-Z turned into a-z; other bytes unchanged.
std::string AsciiLower(std::string_view text);

// Whether `a` and `b` are equal, ignoring ASCII case.
bool EqualsNoCase(std::string_view a, std::string_view b);

// The pieces of `text` between `sep`s, each with its spaces trimmed; empty
// pieces are dropped ("a, b,,c" -> a, b, c).
std::vector<std::string> Split(std::string_view text, char sep);

// `parts` with `sep` between them.
std::string Join(const std::vector<std::string>& parts, std::string_view sep);

}  // namespace spotrun
