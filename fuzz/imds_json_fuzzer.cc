// The instance metadata service's spot/instance-action notice
// ({"action": "terminate", "time": "2026-11-26T06:27:58Z"}), as the agent
// relays it and NoticeActionTime reads it.
#include <cstddef>
#include <cstdint>
#include <string>

#include "jobs/agent_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string notice(reinterpret_cast<const char*>(data), size);
  (void)spotrun::NoticeActionTime(notice);
  return 0;
}
