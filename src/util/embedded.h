// Files compiled into the binary by cmake/embed.cmake, so that spotrun runs
// from any directory without a data folder beside it.
#pragma once

#include <optional>
#include <string_view>

namespace spotrun {

// Returns the embedded file's bytes, or nullopt. Names: "catalog/aws-vms.csv",
// "agent/spotrun_agent.py".
std::optional<std::string_view> EmbeddedFile(std::string_view name);

}  // namespace spotrun
