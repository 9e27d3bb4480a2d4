// Controller: drives one job through PENDING -> PROVISIONING -> SETTING_UP ->
// RUNNING -> SUCCEEDED | FAILED | CANCELLED over the Cloud, Host, Store and
// Clock seams. Every transition is written to the store before it is acted
// on. Whatever happens, the instance is terminated before Drive returns.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "cloud/cloud.h"
#include "cloud/object_store.h"
#include "jobs/reporter.h"
#include "policy/policy.h"
#include "spec/job_spec.h"
#include "store/store.h"
#include "util/clock.h"

namespace spotrun {

struct ControllerOptions {
  // Seconds between polls of the agent.
  double poll_interval_s = 0.5;
  // Consecutive failed polls before the instance is declared lost.
  int max_poll_failures = 60;
  // Directory for the job's local state: <jobs_dir>/<id>/attempt-N.log, checkpoints/.
  std::string jobs_dir;
  // Seconds to wait before trying again when no spot capacity is to be had.
  double capacity_retry_s = 30;
  // Jobs with a deadline: how often the policy is asked while `run` runs, and
  // the changeover (launch + setup) it plans with until one is measured.
  double policy_tick_s = 60;
  double default_changeover_s = 0.2 * 3600;
  // Upper bound on instances launched for one job, whatever happens. A
  // replay, which ends at its horizon anyway, lifts it.
  int max_attempts = 100;
  // On a spot interruption notice, launch the replacement at once, while the
  // noticed instance takes its final checkpoint (true), or only once the
  // reclaim has happened (false: the behaviour before, kept for
  // bench/notice_overlap's baseline).
  bool replace_during_notice = true;
};

struct ControllerContext {
  Cloud* cloud = nullptr;
  Store* store = nullptr;
  Clock* clock = nullptr;
  Reporter* reporter = nullptr;
  ControllerOptions options;
  // Where verified checkpoints are mirrored (the job's checkpoint.store, e.g.
  // an S3 prefix); null = the controller's disk only. Not owned.
  ObjectStore* checkpoint_mirror = nullptr;
  // Builds a deadline job's policy; null = MakePolicy (online policies only).
  // `spotrun simulate` passes one that gives offline policies the trace.
  PolicyFactory make_policy;
  // Whether `spotrun cancel` (another process) can ask through the store; a
  // replay's in-memory store is open to no one else, so it does not look.
  bool watch_cancel_requests = true;
  // Values of the job's secrets (JobSpec::secrets), never in the store: the
  // CLI keeps them in a 0600 file of the private SPOTRUN_HOME until the job
  // ends; they reach the instance in a 0600 file the agent reads and deletes
  // at start.
  std::map<std::string, std::string> secrets;
  // True once the user asked to stop (Ctrl-C); checked at every poll.
  std::function<bool()> interrupted = [] { return false; };
};

// Drives the job `job_id` (in the store, not terminal) to its end and returns
// the final state. Errors of the cloud or host end the job FAILED, with the
// reason in JobRecord::message; only store failures are returned as Status,
// and the instances are terminated then too. A store file deleted, replaced
// or damaged under the job (Store::CheckFile) stops it: FAILED, "lost the
// state store: ...".
Result<JobState> DriveJob(const ControllerContext& ctx, const std::string& job_id);

// The offers of every region `resources` (or one of its alternatives) names,
// every region of the cloud (Cloud::Regions) for those that name none. When
// none of the catalog's fits, the offers of the types beyond it that fit are
// added (Cloud::TypesBeyondCatalog, the kTypesBeyondCatalog smallest).
inline constexpr size_t kTypesBeyondCatalog = 6;
Result<std::vector<Offer>> OffersFor(Cloud& cloud, const Resources& resources);

// Path of the local copy of one attempt's log (what `spotrun logs` prints).
std::string LocalAttemptLogPath(const std::string& jobs_dir, const std::string& job_id,
                                int attempt);
// Directory of the job's checkpoint store.
std::string LocalCheckpointDir(const std::string& jobs_dir, const std::string& job_id);

}  // namespace spotrun
