// Spot availability trace files through ParseTrace. The first byte picks the
// encoding (availability, preemption, count:N).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sim/trace.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using spotrun::TraceEncoding;
  if (size == 0) return 0;
  TraceEncoding encoding;
  encoding.kind = static_cast<TraceEncoding::Kind>(data[0] % 3);
  encoding.count = 1 + data[0] / 3 % 8;
  std::string_view json(reinterpret_cast<const char*>(data) + 1, size - 1);
  spotrun::Result<spotrun::Trace> trace = spotrun::ParseTrace(json, encoding, "fuzz.json");
  if (trace.ok()) (void)trace->AvailableFraction();
  return 0;
}
