// The data plane of a job's running instance, for the commands that reach
// into it (`spotrun ssh`, `spotrun sync-down`).
#pragma once

#include <memory>

#include "cli/context.h"
#include "cloud/cloud.h"
#include "remote/host.h"
#include "store/store.h"
#include "util/status.h"

namespace spotrun {

struct RunningHost {
  std::unique_ptr<Cloud> cloud;
  Instance instance;
  std::unique_ptr<Host> host;
};

// The host of `job`'s newest open attempt; kNotFound when the job has ended
// or has no instance yet, kUnavailable when its instance is not running.
Result<RunningHost> RunningHostOf(CliContext& ctx, const JobRecord& job);

}  // namespace spotrun
