// Spot availability traces: loading the public "Can't Be Late" JSON files
// (data/traces/README.md) into one boolean per tick.
//
// File format: {"metadata": {"gap_seconds": N}, "data": [v0, v1, ...]}, one
// value per tick of N seconds. What a value means depends on the encoding:
//   availability  1 = a launch probe failed, so spot is available iff v == 0
//                 (data/traces/availability/*.json, gap 195 s);
//   preemption    1 = the probe instance was running, so available iff v != 0
//                 (data/traces/preemption/*.json, gap 32 s);
//   count:N       v = instances up in an N-node gang, available iff v >= N.
// When no encoding is given it is inferred from the name of the folder that
// holds the file ("availability" or "preemption"), falling back to
// availability.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace spotrun {

struct TraceEncoding {
  enum class Kind { kAvailability, kPreemption, kCount };
  Kind kind = Kind::kAvailability;
  int64_t count = 1;  // For kCount: the gang size N.
};

// Parses "availability", "preemption" or "count:N" (N >= 1).
// Fails with InvalidArgument naming the text.
Result<TraceEncoding> ParseTraceEncoding(std::string_view text);

// The encoding implied by the folder holding `path`; availability if none.
TraceEncoding InferTraceEncoding(std::string_view path);

struct Trace {
  std::string name;                // The file's stem, e.g. "us-east-1a_v100_1".
  int64_t gap_s = 0;               // Seconds per tick, > 0.
  std::vector<uint8_t> available;  // 1 where spot is available at that tick.

  // Spot availability at `tick`; false outside the trace.
  bool Available(int64_t tick) const {
    return tick >= 0 && tick < static_cast<int64_t>(available.size()) && available[tick] != 0;
  }
  int64_t ticks() const { return static_cast<int64_t>(available.size()); }
  // Fraction of ticks where spot is available.
  double AvailableFraction() const;
};

// Decodes the JSON text of a trace file. Fails with InvalidArgument (naming
// `name` and the field) on malformed JSON, a missing or non-positive
// gap_seconds, or a non-integer value.
Result<Trace> ParseTrace(std::string_view json, const TraceEncoding& encoding, std::string name);

// Reads and decodes `path`; the encoding defaults to InferTraceEncoding(path).
// Fails with NotFound if the file cannot be read, else as ParseTrace.
Result<Trace> LoadTrace(const std::string& path,
                        const std::optional<TraceEncoding>& encoding = std::nullopt);

// The *.json files directly under `dir` and its availability/ and preemption/
// subfolders, sorted. Fails with NotFound if `dir` is not a directory.
Result<std::vector<std::string>> ListTraceFiles(const std::string& dir);

}  // namespace spotrun
