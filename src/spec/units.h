// Parsing of the numbers, sizes and durations written in a job file. Pure
// functions over text; range checks (such as "> 0") are left to the caller.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace spotrun {

// A decimal number such as "4", "0.5", "+2", "1e3". The whole text must be the
// number (no spaces); infinities and NaN are rejected. nullopt when not a number.
std::optional<double> ParseNumber(std::string_view text);

// A decimal integer such as "50" or "-3" that fits in int64_t; nullopt otherwise.
std::optional<int64_t> ParseInteger(std::string_view text);

// A memory size in GiB: a number, optionally followed (spaces allowed) by a
// case-insensitive unit. "G", "GB", "GiB" or none mean GiB; "M", "MB", "MiB"
// mean MiB; "T", "TB", "TiB" mean TiB. Units are binary: "16GB" is 16 GiB and
// "512M" is 0.5 GiB. nullopt when the text is not of that form. A finite
// number may still give an infinite size ("1e308T"): the caller's range check
// refuses it.
std::optional<double> ParseMemoryGib(std::string_view text);

// A duration in seconds: a plain number of seconds ("3600", "90.5"), or one or
// more number+unit parts with units d, h, m, s in that order, each at most
// once, optionally separated by spaces ("90s", "30m", "2h", "1d", "1h30m",
// "1.5h"). nullopt when the text is not of that form. As with sizes, a huge
// number may give an infinite duration ("1e308d") for the caller to refuse.
std::optional<double> ParseDurationSeconds(std::string_view text);

}  // namespace spotrun
