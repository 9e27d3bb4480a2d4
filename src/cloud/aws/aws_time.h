// Timestamps as AWS writes them: RFC 3339 / ISO 8601 in UTC
// ("2024-05-01T12:34:56.000Z"), converted to and from epoch seconds.
#pragma once

#include <optional>
#include <string>

namespace spotrun::aws {

// "2026-11-26T12:00:00Z", with optional fractional seconds and a numeric
// offset ("+02:00") in place of Z, as epoch seconds. nullopt otherwise.
std::optional<double> ParseRfc3339(const std::string& text);

// "2026-11-26T12:00:00Z" for `time` (epoch seconds; fractions dropped).
std::string FormatRfc3339(double time);

}  // namespace spotrun::aws
