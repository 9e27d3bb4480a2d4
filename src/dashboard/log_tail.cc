#include "dashboard/log_tail.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "jobs/attempt_logs.h"
#include "jobs/controller.h"

namespace spotrun {

LogChunk ReadLogTail(const std::string& jobs_dir, const std::string& job_id,
                     const std::vector<AttemptRecord>& attempts, long long offset,
                     long long max_bytes) {
  std::string whole;
  for (const auto& a : attempts) {
    std::ifstream in(LocalAttemptLogPath(jobs_dir, job_id, a.number), std::ios::binary);
    if (!in) continue;
    std::ostringstream text;
    text << in.rdbuf();
    whole += AttemptLogHeader(a) + text.str();
  }
  const long long size = static_cast<long long>(whole.size());
  LogChunk chunk;
  chunk.start = offset < 0 ? std::max(0LL, size - max_bytes) : std::min(offset, size);
  chunk.end = std::min(size, chunk.start + max_bytes);
  chunk.text = whole.substr(chunk.start, chunk.end - chunk.start);
  return chunk;
}

}  // namespace spotrun
