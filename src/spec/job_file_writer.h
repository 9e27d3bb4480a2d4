// A JobSpec written back as a spotrun job file (docs/job-spec.md): what
// `spotrun convert` prints, and what the store keeps for a translated file.
// Parsing the text again (with ParseJobSpec) gives the same spec, except that
// secret values are never written (secrets appear as names with no value) and
// local paths are absolute. Pure.
#pragma once

#include <string>

#include "spec/job_spec.h"

namespace spotrun {

// The job file for `spec`; each of spec.notes becomes a comment at the top,
// after `header` (one or more lines, each written as a comment; may be empty).
std::string WriteJobFile(const JobSpec& spec, const std::string& header = "");

}  // namespace spotrun
