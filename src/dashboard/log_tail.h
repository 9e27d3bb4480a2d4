// A job's log as the dashboard tails it: every attempt's local log in order,
// each after its header (as `spotrun logs` prints it), read from the files
// the controller writes (jobs/attempt_logs.h).
#pragma once

#include <string>
#include <vector>

#include "store/store.h"

namespace spotrun {

struct LogChunk {
  long long start = 0;  // Offset of `text` in the whole log.
  long long end = 0;    // Offset after it: the next read's `offset`.
  std::string text;
};

// The log of `job_id` from byte `offset`, at most `max_bytes` of it; with
// offset < 0, its last `max_bytes`. An offset past the end gives "" at the end.
LogChunk ReadLogTail(const std::string& jobs_dir, const std::string& job_id,
                     const std::vector<AttemptRecord>& attempts, long long offset,
                     long long max_bytes);

}  // namespace spotrun
