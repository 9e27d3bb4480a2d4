// What `spotrun_agent.py poll` prints (a status.json line, then log bytes),
// through ParsePollOutput: the instance side is not trusted. Where the
// one-pass reader of flat lines reads a line, the tree reader must read it
// the same way (jobs/status_line.h).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "jobs/agent_protocol.h"
#include "jobs/status_line.h"

namespace {

bool Same(const spotrun::AgentStatus& a, const spotrun::AgentStatus& b) {
  return a.phase == b.phase && a.exit_code == b.exit_code && a.message == b.message &&
         a.notice == b.notice && a.missing_outputs == b.missing_outputs &&
         a.staging_error == b.staging_error && a.final_snapshot == b.final_snapshot &&
         a.supervisor_alive == b.supervisor_alive && a.run_started_at == b.run_started_at &&
         a.progress == b.progress && a.gpus.has_value() == b.gpus.has_value() &&
         a.gpus_missing_reason == b.gpus_missing_reason;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string output(reinterpret_cast<const char*>(data), size);
  spotrun::Result<spotrun::PollResult> poll = spotrun::ParsePollOutput(output);
  if (poll.ok() && poll->status.progress) {
    double p = *poll->status.progress;
    if (!(p >= 0 && p <= 1)) __builtin_trap();
  }
  const std::string_view line = std::string_view(output).substr(0, output.find('\n'));
  if (auto flat = spotrun::ReadFlatStatusLine(line)) {
    auto tree = spotrun::ReadStatusTree(line);
    if (!tree.ok() || !Same(*flat, *tree)) __builtin_trap();
  }
  return 0;
}
