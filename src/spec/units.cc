#include "spec/units.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <string>

#include "util/ascii.h"

namespace spotrun {

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// from_chars rejects a leading '+', which YAML allows in numbers.
std::string_view DropPlus(std::string_view text) {
  if (text.size() > 1 && text[0] == '+' && text[1] != '-') text.remove_prefix(1);
  return text;
}

std::optional<double> MemoryUnitInGib(std::string_view unit) {
  const std::string u = AsciiLower(unit);
  if (u.empty() || u == "g" || u == "gb" || u == "gib") return 1.0;
  if (u == "m" || u == "mb" || u == "mib") return 1.0 / 1024;
  if (u == "t" || u == "tb" || u == "tib") return 1024.0;
  return std::nullopt;
}

// Seconds per unit for "d", "h", "m", "s"; 0 for anything else.
double DurationUnitSeconds(char unit) {
  switch (unit) {
    case 'd':
      return 86400;
    case 'h':
      return 3600;
    case 'm':
      return 60;
    case 's':
      return 1;
    default:
      return 0;
  }
}

}  // namespace

std::optional<double> ParseNumber(std::string_view text) {
  text = DropPlus(text);
  double value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

std::optional<int64_t> ParseInteger(std::string_view text) {
  text = DropPlus(text);
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end) return std::nullopt;
  return value;
}

std::optional<double> ParseMemoryGib(std::string_view text) {
  text = Trim(text);
  size_t unit_start = text.size();
  while (unit_start > 0 && std::isalpha(static_cast<unsigned char>(text[unit_start - 1]))) {
    --unit_start;
  }
  const std::optional<double> number = ParseNumber(Trim(text.substr(0, unit_start)));
  const std::optional<double> scale = MemoryUnitInGib(text.substr(unit_start));
  if (!number || !scale) return std::nullopt;
  return *number * *scale;
}

std::optional<double> ParseDurationSeconds(std::string_view text) {
  text = Trim(text);
  if (text.empty()) return std::nullopt;
  if (std::optional<double> plain = ParseNumber(text)) return plain;
  double total = 0;
  double last_unit = INFINITY;  // Units must strictly decrease: d, h, m, s.
  while (!text.empty()) {
    size_t digits = 0;
    while (digits < text.size() &&
           (std::isdigit(static_cast<unsigned char>(text[digits])) || text[digits] == '.')) {
      ++digits;
    }
    if (digits == 0 || digits == text.size()) return std::nullopt;
    const std::optional<double> number = ParseNumber(text.substr(0, digits));
    const double unit = DurationUnitSeconds(text[digits]);
    if (!number || unit == 0 || unit >= last_unit) return std::nullopt;
    total += *number * unit;
    last_unit = unit;
    text = Trim(text.substr(digits + 1));
  }
  return total;
}

}  // namespace spotrun
