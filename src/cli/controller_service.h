// The one controller of a SPOTRUN_HOME (`spotrun _controller`, started in the
// background by the commands that need it). It holds the store's lease
// (Store::TakeLease), drives every unfinished job of the home as a task of
// one TaskLoop (jobs/controller.h DriveJob), and exits once it has had
// nothing to drive for a few seconds. Commands talk to it through the store
// (a job row, a cancel request) and SIGUSR1 ("look for new jobs now"); it
// talks back through the store and each job's console file.
#pragma once

#include <functional>
#include <string>

#include "cli/context.h"

namespace spotrun {

// How long a controller with nothing to drive waits before it exits;
// SPOTRUN_CONTROLLER_IDLE_S overrides it.
inline constexpr double kControllerIdleExitS = 10;
// A lease whose heartbeat is this old is taken over even if its process lives.
inline constexpr double kLeaseStaleS = 30;

// Files the controller writes for a job, under SPOTRUN_HOME/jobs/:
// what `spotrun launch` prints while it follows the job (phases, notes, the
// job's output), a marker that the controller stopped driving it, and the
// job's secrets (0600, until the job ends).
std::string JobConsolePath(const CliContext& ctx, const std::string& job_id);
std::string JobEndedPath(const CliContext& ctx, const std::string& job_id);
std::string JobSecretsPath(const CliContext& ctx, const std::string& job_id);
// The environment of the command that submitted the job (0600, until the
// job ends): the controller makes the job's cloud with it (AWS settings,
// SPOTRUN_* switches) and the local cloud's instances start from it, as if
// the submitting command drove the job, whoever started the controller.
std::string JobEnvPath(const CliContext& ctx, const std::string& job_id);
Status SaveJobEnv(const CliContext& ctx, const std::string& job_id);

// Makes sure a controller runs for this home: wakes the live lease holder,
// or starts a new one in the background and waits (up to a few seconds)
// until it holds the lease and has claimed the jobs that had no controller.
// One line on stderr per job a new controller picked up after its
// controller died.
Status EnsureController(CliContext& ctx);

// `spotrun _controller`: runs the controller until it is idle or stopped by
// SIGTERM/SIGINT (its jobs stay in the store for the next controller). Exit
// status 0; 1 when the store failed.
int RunController(CliContext& ctx);

// Follows `job_id` as `spotrun launch` shows it: copies the job's console to
// stdout until the job has ended, then prints its outcome. `cancel` is asked
// a few times a second; once it says so the job is asked to cancel. Returns
// launch's exit status (0 succeeded, 130 cancelled, 1 otherwise).
int FollowJob(CliContext& ctx, const std::string& job_id, const std::function<bool()>& cancel);

}  // namespace spotrun
