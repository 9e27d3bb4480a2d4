#include "sim/experiment.h"

#include <cmath>
#include <cstdio>
#include <memory>
#include <span>

#include "policy/registry.h"

namespace spotrun {
namespace {

std::string FormatHours(double h) {
  char text[32];
  std::snprintf(text, sizeof(text), "%g", h);
  return text;
}

}  // namespace

Result<std::vector<int64_t>> EvenStartTicks(const Trace& trace, double deadline_s, int n) {
  if (n < 1) return InvalidArgument("--starts must be at least 1");
  const auto window =
      static_cast<int64_t>(std::ceil(deadline_s / static_cast<double>(trace.gap_s)));
  const int64_t span = trace.ticks() - window;
  if (span <= 0) {
    return InvalidArgument("trace " + trace.name + " (" + std::to_string(trace.ticks()) +
                           " ticks) is shorter than the deadline window");
  }
  std::vector<int64_t> starts;
  starts.reserve(n);
  for (int64_t i = 0; i < n; ++i) starts.push_back(i * span / n);
  return starts;
}

Result<std::vector<int64_t>> StartTicksFromHours(const Trace& trace,
                                                 const std::vector<double>& hours) {
  std::vector<int64_t> starts;
  for (double h : hours) {
    const auto tick = static_cast<int64_t>(std::floor(h * 3600 / static_cast<double>(trace.gap_s)));
    if (h < 0 || tick >= trace.ticks()) {
      return InvalidArgument("start offset " + FormatHours(h) + " h is outside trace " +
                             trace.name);
    }
    starts.push_back(tick);
  }
  return starts;
}

Result<std::vector<RunResult>> RunPolicy(std::string_view policy, const Trace& trace,
                                         const std::vector<int64_t>& starts,
                                         const JobTerms& terms) {
  const JobTerms t = TermsForTrace(terms, trace);
  Result<const PolicyInfo*> info = FindPolicy(policy);
  if (!info.ok()) return info.status();
  std::unique_ptr<Policy> online;
  if (!(*info)->offline) {
    Result<std::unique_ptr<Policy>> made = MakePolicy(policy, t);
    if (!made.ok()) return made.status();
    online = std::move(*made);
  }
  std::vector<RunResult> results;
  results.reserve(starts.size());
  for (int64_t start : starts) {
    if (online) {
      results.push_back(SimulateRun(trace, start, t, *online));
      continue;
    }
    std::span<const uint8_t> future(trace.available);
    future = future.subspan(static_cast<size_t>(std::min(start, trace.ticks())));
    Result<std::unique_ptr<Policy>> made = MakePolicy(policy, t, future);
    if (!made.ok()) return made.status();
    results.push_back(SimulateRun(trace, start, t, **made));
  }
  return results;
}

}  // namespace spotrun
