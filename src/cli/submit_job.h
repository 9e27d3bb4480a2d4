// What `spotrun launch` and `spotrun notebook` share: the flags, and a
// checked job file made into a job in the store (src/cli/cmd_launch.cc).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/args.h"
#include "cli/context.h"
#include "spec/job_spec.h"
#include "store/store.h"

namespace spotrun {

std::vector<FlagSpec> LaunchFlags();

// Checks the placement (and image) for `spec`, from `file` with `parsed`'s
// flags (--cloud, --results, --preempt-*, --dry-run), and records the job in
// the store for the home's controller. nullopt once the job is there (*out
// is it); else the exit status, the error printed (0 after --dry-run).
std::optional<int> SubmitJob(CliContext& ctx, const std::string& file, const ParsedArgs& parsed,
                             JobSpec* spec, JobKind kind, JobRecord* out);

// SIGINT, SIGTERM and SIGHUP set a flag instead of ending the process;
// LaunchInterrupted says whether one came.
void InstallLaunchSignalHandlers();
bool LaunchInterrupted();

}  // namespace spotrun
