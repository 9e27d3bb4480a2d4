// The job file (YAML) through ParseJobSpec, which must never throw: every
// input is a JobSpec or one InvalidArgument line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz_support.h"
#include "spec/job_spec.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = spotrun::fuzz::ScratchDir() + "/job.yaml";
  std::string text(reinterpret_cast<const char*>(data), size);
  spotrun::Result<spotrun::JobSpec> spec = spotrun::ParseJobSpec(text, path);
  if (!spec.ok() && spec.status().code() != spotrun::Code::kInvalidArgument) std::abort();
  return 0;
}
