// Files compiled into the binary by cmake/embed.cmake, so that spotrun runs
// from any directory without a data folder beside it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spotrun {

// Returns the embedded file's bytes, or nullopt. Names: "catalog/aws-vms.csv",
// "agent/spotrun_agent.py", "traces/availability/<zone>_v100_1.json".
std::optional<std::string_view> EmbeddedFile(std::string_view name);

// Names of the embedded files that start with `prefix`, in name order.
std::vector<std::string> EmbeddedFilesUnder(std::string_view prefix);

}  // namespace spotrun
