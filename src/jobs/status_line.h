// The agent's status line, the first line of every poll answer, read two
// ways. Nearly every line the agent writes is one flat JSON object of short
// ASCII strings, numbers and booleans: ReadFlatStatusLine reads those in one
// pass, without building a tree (the controller reads one per job per poll,
// and `spotrun simulate` hundreds of thousands). Anything else (a list, an
// escape, a field of another type, a number out of range) it leaves to
// ReadStatusTree, which reads any line with nlohmann/json and checks each
// field's type. Where both read a line they give the same status (the
// agent_status fuzzer checks it).
#pragma once

#include <optional>
#include <string_view>

#include "jobs/agent_protocol.h"
#include "util/status.h"

namespace spotrun {

// The status in `line` when it is a flat object this reader knows how to
// read whole; nullopt otherwise (never an error: the tree decides).
std::optional<AgentStatus> ReadFlatStatusLine(std::string_view line);

// The status in `line`, any JSON object; kUnavailable when the line is not
// one or a field has the wrong type.
Result<AgentStatus> ReadStatusTree(std::string_view line);

}  // namespace spotrun
