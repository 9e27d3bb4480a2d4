// ASCII case helpers (locale-independent: config keys, header names, GPU
// names, units).
#pragma once

#include <string>
#include <string_view>

namespace spotrun {

// `text` with A-Z turned into a-z; other bytes unchanged.
std::string AsciiLower(std::string_view text);

// Whether `a` and `b` are equal, ignoring ASCII case.
bool EqualsNoCase(std::string_view a, std::string_view b);

}  // namespace spotrun
