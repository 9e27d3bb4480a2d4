// Store: the state of every job, kept in SQLite under SPOTRUN_HOME (or in
// memory for tests). Every transition is written before it is acted on, so a
// restarted spotrun can reconcile. Schema: docs/state-store.md.
// Thread-compatible; several processes may open the same file (WAL, busy timeout).
#pragma once

#include <sqlite3.h>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "util/status.h"

namespace spotrun {

class StatementCache;

enum class JobState {
  kPending,
  kProvisioning,
  kSettingUp,
  kRunning,
  kSucceeded,
  kFailed,
  kCancelled
};
const char* JobStateName(JobState s);  // "PENDING", ...
std::optional<JobState> ParseJobState(const std::string& name);
bool IsTerminal(JobState s);

// A batch job (`spotrun launch`) or a notebook session (`spotrun notebook`).
enum class JobKind { kJob, kNotebook };

struct JobRecord {
  std::string id;
  std::string name;
  JobState state = JobState::kPending;
  std::string cloud;
  std::string spec_path;    // The job file as given.
  std::string spec_text;    // Its content when launched.
  std::string results_dir;  // Absolute.
  double created_at = 0;
  double updated_at = 0;
  int controller_pid = 0;                   // The process driving the job; 0 = none.
  unsigned long long controller_start = 0;  // Its start ticks (guards pid reuse).
  bool cancel_requested = false;
  std::string message;  // Why it ended, for FAILED/CANCELLED.
  int exit_code = -1;   // The run's exit status, -1 until known.
  JobKind kind = JobKind::kJob;
};

struct AttemptRecord {
  std::string job_id;
  int number = 0;  // 1-based.
  std::string client_token;
  std::string instance_id;  // Empty until the cloud answered.
  std::string instance_type;
  std::string region;
  std::string zone;
  std::string market;  // "spot" / "on-demand"
  double price_per_hour = 0;
  double on_demand_price_per_hour = 0;
  double started_at = 0;  // Billing start; 0 before launch.
  double ended_at = 0;    // Billing end; 0 while alive.
  std::string outcome;    // "", "succeeded", "failed", "preempted", "cancelled", "lost"

  // Cost so far (ended_at, or `now` while alive), billed per second.
  double Cost(double now) const;
  double OnDemandCost(double now) const;
};

struct EventRecord {
  double at = 0;
  std::string kind;
  std::string detail;
};

struct ControllerLease {
  int pid = 0;
  unsigned long long start = 0;  // ProcessStartTicks of pid.
  double heartbeat = 0;          // Epoch seconds of its last renewal.
};

class Store {
 public:
  // Opens (creating if needed) the database at `path`; ":memory:" for tests.
  // Checks the schema version and migrates an older store (store/schema.h).
  // A file this process may not write opens read-only: reads work, writes
  // fail. Fails with one line naming `path` when the file is damaged, newer
  // than this binary, or cannot be migrated.
  static Result<std::unique_ptr<Store>> Open(const std::string& path);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  Status InsertJob(const JobRecord& job);
  Status UpdateJob(const JobRecord& job);
  Result<JobRecord> GetJob(const std::string& id_or_name);
  // All jobs, oldest first; only those not finished (IsTerminal) if asked.
  Result<std::vector<JobRecord>> ListJobs(bool unfinished_only = false);
  // The results directories of every job that start with one of
  // `prefixes` followed by "/" (compared as text).
  Result<std::vector<std::string>> ResultsDirsUnder(const std::vector<std::string>& prefixes);
  // Makes (pid, start) the job's controller if its controller is still
  // (old_pid, old_start); false when another process claimed it first.
  Result<bool> ClaimController(const std::string& job_id, int old_pid, unsigned long long old_start,
                               int pid, unsigned long long start);
  // Sets cancel_requested without touching the other columns.
  Status RequestCancel(const std::string& job_id);
  // Whether RequestCancel was called for the job (exact id).
  Result<bool> CancelRequested(const std::string& job_id);

  // The controller's lease (one per store): who drives the store's jobs.
  // holder.pid == 0: nobody.
  Result<ControllerLease> GetLease();
  // Makes (pid, start) the holder, if the holder is still `expected`; false
  // when another process changed it first.
  Result<bool> TakeLease(const ControllerLease& expected, int pid, unsigned long long start,
                         double now);
  // Renews the heartbeat; false once (pid, start) no longer holds the lease.
  Result<bool> RenewLease(int pid, unsigned long long start, double now);
  Status ReleaseLease(int pid, unsigned long long start);

  Status UpsertAttempt(const AttemptRecord& attempt);
  Result<std::vector<AttemptRecord>> Attempts(const std::string& job_id);

  Status AddEvent(const std::string& job_id, double at, const std::string& kind,
                  const std::string& detail);
  Result<std::vector<EventRecord>> Events(const std::string& job_id);

  const std::string& path() const { return path_; }
  // True when the file opened read-only (no write permission).
  bool read_only() const { return read_only_; }
  // When this store file was created (epoch seconds): it cannot know of an
  // instance launched before then.
  double created_at() const { return created_at_; }
  // Whether the file at path() is still the one opened and looks like an
  // SQLite file: fails (one line naming the file) once it was deleted,
  // replaced, emptied or overwritten under this process, which
  // would otherwise go on writing to a file no one else reads. OK for
  // ":memory:".
  Status CheckFile() const;

 private:
  explicit Store(sqlite3* db);
  Status Exec(const std::string& sql);
  Status ReadCreatedAt();
  sqlite3* db_;
  std::string path_;
  bool read_only_ = false;
  double created_at_ = 0;
  std::pair<unsigned long, unsigned long> file_id_;  // st_dev, st_ino at open.
  std::unique_ptr<StatementCache> statements_;       // Goes before db_ closes.
};

}  // namespace spotrun
