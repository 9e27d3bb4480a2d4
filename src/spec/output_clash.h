// Where each output lands in the results directory, and which pairs of
// outputs cannot both be staged there. Pure functions over the parsed specs.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "spec/job_spec.h"

namespace spotrun::spec {

// Whether an output's remote is a glob: it holds '*', '?' or '[' (what the
// agent's glob.has_magic looks for).
bool IsGlobOutput(std::string_view remote);

// Why `later` cannot be staged beside `earlier` (listed before it), or nullopt.
// Two paths clash when one remote holds the other (the same files brought back
// twice), or when their destinations are the same or one lies inside the other
// (one would overwrite the other). A glob's files land in its `dest` directory:
// it clashes with a path whose destination is that directory or holds it. Two
// globs never clash here; what they match is known only on the instance, where
// the agent fails the job on a clash.
std::optional<std::string> OutputClash(const OutputSpec& earlier, const OutputSpec& later);

}  // namespace spotrun::spec
