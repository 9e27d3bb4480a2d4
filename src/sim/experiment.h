// Replaying one trace through one policy from many start ticks: the
// deterministic experiment behind `spotrun simulate` and the policy benchmark.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "policy/policy.h"
#include "sim/simulator.h"
#include "sim/trace.h"
#include "util/status.h"

namespace spotrun {

// `n` start ticks evenly spaced over [0, ticks - deadline window), where the
// window is the deadline in ticks (rounded up): start i is
// floor(i * span / n). Fails with InvalidArgument when n < 1 or the trace is
// shorter than the deadline window.
Result<std::vector<int64_t>> EvenStartTicks(const Trace& trace, double deadline_s, int n);

// Start ticks for start offsets in hours from the beginning of the trace
// (rounded down to a tick). Fails with InvalidArgument for a negative offset
// or one past the end of the trace.
Result<std::vector<int64_t>> StartTicksFromHours(const Trace& trace,
                                                 const std::vector<double>& hours);

// Runs `policy` (a registry name, see policy/registry.h) over `trace` from
// each start tick, in order. Offline policies are planned per start from the
// trace's future. Fails as MakePolicy does.
Result<std::vector<RunResult>> RunPolicy(std::string_view policy, const Trace& trace,
                                         const std::vector<int64_t>& starts, const JobTerms& terms);

}  // namespace spotrun
