#include "cloud/aws/aws_time.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "util/clock.h"

namespace spotrun::aws {

std::optional<double> ParseRfc3339(const std::string& text) {
  std::tm tm{};
  const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr) return std::nullopt;
  double seconds = double(timegm(&tm));
  if (*rest == '.') {
    char* end = nullptr;
    seconds += std::strtod(rest, &end);
    rest = end;
  }
  if (*rest == 'Z' || *rest == 'z') return rest[1] == '\0' ? std::optional(seconds) : std::nullopt;
  int hours = 0, minutes = 0;
  char sign = 0;
  if (std::sscanf(rest, "%c%2d:%2d", &sign, &hours, &minutes) != 3 ||
      (sign != '+' && sign != '-')) {
    return std::nullopt;
  }
  double offset = hours * 3600.0 + minutes * 60.0;
  return sign == '+' ? seconds - offset : seconds + offset;
}

std::string FormatRfc3339(double time) { return FormatUtc(time, "%Y-%m-%dT%H:%M:%SZ"); }

}  // namespace spotrun::aws
