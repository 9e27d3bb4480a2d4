// The context every command works in: SPOTRUN_HOME, the state store, the clock
// and the clouds. Built once in main and passed down; no globals.
#pragma once

#include <memory>
#include <string>

#include "cloud/cloud.h"
#include "store/store.h"
#include "util/clock.h"

namespace spotrun {

struct CliContext {
  std::string home;      // SPOTRUN_HOME, default ~/.spotrun
  std::string self_exe;  // This binary, for detached controllers and the IMDS daemon.
  std::unique_ptr<Store> store;
  RealClock clock;

  std::string jobs_dir() const { return home + "/jobs"; }
  // The cloud named `name` ("local" or "aws").
  Result<std::unique_ptr<Cloud>> MakeCloud(const std::string& name);
};

// Opens SPOTRUN_HOME and its state store.
Result<std::unique_ptr<CliContext>> OpenContext();

// True when the process that drives `job` is alive.
bool ControllerAlive(const JobRecord& job);

// Picks up what a dead controller left behind: every unfinished job whose
// controller is gone gets a new detached controller (`spotrun _drive`), which
// re-attaches to its instance or relaunches; then spotrun-tagged instances
// whose job is over or unknown are terminated. Prints one line per action to
// stderr. Errors are reported, not fatal.
void SweepOrphans(CliContext& ctx);

// Terminates the instances of `job`'s open attempts and closes their billing.
Status TerminateJobInstances(CliContext& ctx, const JobRecord& job, const std::string& outcome);

}  // namespace spotrun
