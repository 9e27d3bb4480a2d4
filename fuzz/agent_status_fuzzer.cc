// What `spotrun_agent.py poll` prints (a status.json line, then log bytes),
// through ParsePollOutput: the instance side is not trusted.
#include <cstddef>
#include <cstdint>
#include <string>

#include "jobs/agent_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string output(reinterpret_cast<const char*>(data), size);
  spotrun::Result<spotrun::PollResult> poll = spotrun::ParsePollOutput(output);
  if (poll.ok() && poll->status.progress) {
    double p = *poll->status.progress;
    if (!(p >= 0 && p <= 1)) __builtin_trap();
  }
  return 0;
}
