#include "store/store.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

#include "store/schema.h"
#include "store/statement.h"

namespace spotrun {
namespace {

constexpr const char* kJobColumns =
    "id, name, state, cloud, spec_path, spec_text, results_dir, created_at, updated_at, "
    "controller_pid, controller_start, cancel_requested, message, exit_code, kind";

JobRecord ReadJob(const Statement& s) {
  JobRecord j;
  j.id = s.Text(0);
  j.name = s.Text(1);
  j.state = ParseJobState(s.Text(2)).value_or(JobState::kFailed);
  j.cloud = s.Text(3);
  j.spec_path = s.Text(4);
  j.spec_text = s.Text(5);
  j.results_dir = s.Text(6);
  j.created_at = s.Real(7);
  j.updated_at = s.Real(8);
  j.controller_pid = static_cast<int>(s.Int(9));
  j.controller_start = static_cast<unsigned long long>(s.Int(10));
  j.cancel_requested = s.Int(11) != 0;
  j.message = s.Text(12);
  j.exit_code = static_cast<int>(s.Int(13));
  j.kind = s.Text(14) == "notebook" ? JobKind::kNotebook : JobKind::kJob;
  return j;
}

void BindJob(Statement& s, const JobRecord& j) {
  s.Bind(1, j.id).Bind(2, j.name).Bind(3, std::string(JobStateName(j.state))).Bind(4, j.cloud);
  s.Bind(5, j.spec_path).Bind(6, j.spec_text).Bind(7, j.results_dir).Bind(8, j.created_at);
  s.Bind(9, j.updated_at).Bind(10, j.controller_pid);
  s.Bind(11, static_cast<long long>(j.controller_start)).Bind(12, j.cancel_requested ? 1 : 0);
  s.Bind(13, j.message).Bind(14, j.exit_code);
  s.Bind(15, std::string(j.kind == JobKind::kNotebook ? "notebook" : "job"));
}

constexpr const char* kStateNames[] = {"PENDING",   "PROVISIONING", "SETTING_UP", "RUNNING",
                                       "SUCCEEDED", "FAILED",       "CANCELLED"};

// Whether a read works on `db` (a read-only WAL store may not: no -shm).
bool Readable(sqlite3* db) {
  Statement s(db, "PRAGMA user_version");
  Status status;
  return s.Step(&status) || status.ok();
}

}  // namespace

const char* JobStateName(JobState s) { return kStateNames[static_cast<int>(s)]; }

std::optional<JobState> ParseJobState(const std::string& name) {
  for (int i = 0; i < 7; ++i) {
    if (name == kStateNames[i]) return static_cast<JobState>(i);
  }
  return std::nullopt;
}

bool IsTerminal(JobState s) {
  return s == JobState::kSucceeded || s == JobState::kFailed || s == JobState::kCancelled;
}

double AttemptRecord::Cost(double now) const {
  if (started_at <= 0) return 0;
  double end = ended_at > 0 ? ended_at : now;
  return std::max(0.0, end - started_at) * price_per_hour / 3600.0;
}

double AttemptRecord::OnDemandCost(double now) const {
  if (started_at <= 0) return 0;
  double end = ended_at > 0 ? ended_at : now;
  return std::max(0.0, end - started_at) * on_demand_price_per_hour / 3600.0;
}

Result<std::unique_ptr<Store>> Store::Open(const std::string& path) {
  sqlite3* db = nullptr;
  // One connection per Store, used by one thread at a time: no SQLite mutexes.
  // A file the user may not write opens read-only (sqlite3_db_readonly).
  constexpr int kFlags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db, kFlags, nullptr) != SQLITE_OK) {
    std::string err = db ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    return Internal("cannot open state store " + path + ": " + err);
  }
  if (sqlite3_db_readonly(db, "main") == 1 && !Readable(db)) {
    // WAL needs a writable -shm beside the file: read what is there, unchanging.
    sqlite3_close(db);
    db = nullptr;
    std::string uri = "file:";
    for (char c : path)
      uri += c == '%' ? "%25" : c == '?' ? "%3f" : c == '#' ? "%23" : std::string(1, c);
    uri += "?immutable=1";
    if (sqlite3_open_v2(uri.c_str(), &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nullptr) !=
        SQLITE_OK) {
      std::string err = db ? sqlite3_errmsg(db) : "out of memory";
      sqlite3_close(db);
      return Internal("cannot open state store " + path + ": " + err);
    }
  }
  sqlite3_busy_timeout(db, 10000);
  std::unique_ptr<Store> store(new Store(db));
  store->path_ = path;
  store->read_only_ = sqlite3_db_readonly(db, "main") == 1;
  if (path != ":memory:") {
    struct stat st {};
    if (stat(path.c_str(), &st) == 0) store->file_id_ = {st.st_dev, st.st_ino};
  }
  SPOTRUN_RETURN_IF_ERROR(PrepareSchema(db, path, store->read_only_));
  // A store in memory dies with its process: nothing to journal.
  if (!store->read_only_) {
    // Switching a new file to WAL needs it to itself, and SQLite does not
    // wait for that (no busy handler): another process opening the same new
    // store at once is waited for here, up to the busy timeout.
    const char* mode = path == ":memory:" ? "PRAGMA journal_mode=OFF;" : "PRAGMA journal_mode=WAL;";
    Status journal = store->Exec(mode);
    for (int tries = 0;
         !journal.ok() && journal.message().find("locked") != std::string::npos && tries < 1000;
         ++tries) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
      journal = store->Exec(mode);
    }
    if (!journal.ok()) return Internal("state store " + path + ": " + journal.message());
  }
  SPOTRUN_RETURN_IF_ERROR(store->ReadCreatedAt());
  return store;
}

Status Store::ReadCreatedAt() {
  Statement s(db_, "SELECT created_at FROM store_info LIMIT 1");
  Status status;
  if (s.Step(&status)) {
    created_at_ = s.Real(0);
    return Status::Ok();
  }
  if (!status.ok()) return Internal("state store " + path_ + ": " + status.message());
  return Internal("state store " + path_ + " has no store_info row; see docs/state-store.md");
}

Status Store::CheckFile() const {
  if (path_ == ":memory:" || path_.empty()) return Status::Ok();
  struct stat st {};
  if (stat(path_.c_str(), &st) != 0) return Internal("state store " + path_ + " was deleted");
  if (std::make_pair(st.st_dev, st.st_ino) != file_id_) {
    return Internal("state store " + path_ + " was replaced by another file");
  }
  // The SQLite magic (sqlite.org/fileformat.html). The size in the header
  // is no test of truncation: a checkpoint writes page 1 before the pages
  // that grow the file.
  // Read through SQLite's own file handle: opening the file again and
  // closing it would drop this process's POSIX locks on it, and another
  // process would then delete the WAL this connection still writes to.
  if (st.st_size == 0) return Internal("state store " + path_ + " was emptied");
  char h[16] = {};
  sqlite3_file* file = nullptr;
  if (sqlite3_file_control(db_, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK ||
      file == nullptr || file->pMethods == nullptr) {
    return Status::Ok();  // No handle to read through: nothing to judge by.
  }
  const int rc = file->pMethods->xRead(file, h, sizeof(h), 0);
  if (rc != SQLITE_OK || std::string(h, 16) != std::string("SQLite format 3\0", 16)) {
    return Internal("state store " + path_ + " is no longer an SQLite file (overwritten)");
  }
  return Status::Ok();
}

Store::Store(sqlite3* db) : db_(db), statements_(std::make_unique<StatementCache>(db)) {}

Store::~Store() {
  statements_.reset();
  sqlite3_close(db_);
}

Status Store::Exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    return Internal("state store: " + msg);
  }
  return Status::Ok();
}

Status Store::InsertJob(const JobRecord& job) {
  Statement s(
      db_, *statements_,
      "INSERT INTO jobs (id, name, state, cloud, spec_path, spec_text, results_dir, "
      "created_at, updated_at, controller_pid, controller_start, cancel_requested, "
      "message, exit_code, kind) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15)");
  BindJob(s, job);
  return s.Run();
}

Status Store::UpdateJob(const JobRecord& job) {
  // cancel_requested is only ever raised, by RequestCancel, so keep the stored value.
  Statement s(db_, *statements_,
              "UPDATE jobs SET name=?2, state=?3, cloud=?4, spec_path=?5, spec_text=?6, "
              "results_dir=?7, created_at=?8, updated_at=?9, controller_pid=?10, "
              "controller_start=?11, cancel_requested=MAX(cancel_requested, ?12), "
              "message=?13, exit_code=?14, kind=?15 WHERE id=?1");
  BindJob(s, job);
  return s.Run();
}

Result<JobRecord> Store::GetJob(const std::string& id_or_name) {
  // An id matches exactly; a name matches its newest job.
  std::string sql = std::string("SELECT ") + kJobColumns +
                    " FROM jobs WHERE id=?1 OR name=?1 ORDER BY (id=?1) DESC, created_at DESC "
                    "LIMIT 1";
  Statement s(db_, *statements_, sql.c_str());
  s.Bind(1, id_or_name);
  Status status;
  if (s.Step(&status)) return ReadJob(s);
  if (!status.ok()) return status;
  return NotFound("no job '" + id_or_name + "' (see `spotrun status`)");
}

Result<std::vector<JobRecord>> Store::ListJobs(bool unfinished_only) {
  std::string where;
  if (unfinished_only) {
    where = std::string(" WHERE state NOT IN ('") + JobStateName(JobState::kSucceeded) + "', '" +
            JobStateName(JobState::kFailed) + "', '" + JobStateName(JobState::kCancelled) + "')";
  }
  std::string sql =
      std::string("SELECT ") + kJobColumns + " FROM jobs" + where + " ORDER BY created_at, id";
  Statement s(db_, *statements_, sql.c_str());
  std::vector<JobRecord> jobs;
  Status status;
  while (s.Step(&status)) jobs.push_back(ReadJob(s));
  if (!status.ok()) return status;
  return jobs;
}

Result<std::vector<std::string>> Store::ResultsDirsUnder(const std::vector<std::string>& prefixes) {
  std::vector<std::string> dirs;
  for (const std::string& prefix : prefixes) {
    // A range over the index: every text that starts with "prefix/" sorts
    // at or after it and before "prefix0" ('0' follows '/').
    Statement s(db_, *statements_,
                "SELECT results_dir FROM jobs WHERE results_dir >= ?1 AND results_dir < ?2");
    s.Bind(1, prefix + "/").Bind(2, prefix + "0");
    Status status;
    while (s.Step(&status)) dirs.push_back(s.Text(0));
    SPOTRUN_RETURN_IF_ERROR(status);
  }
  return dirs;
}

Result<bool> Store::ClaimController(const std::string& job_id, int old_pid,
                                    unsigned long long old_start, int pid,
                                    unsigned long long start) {
  Statement s(db_, *statements_,
              "UPDATE jobs SET controller_pid=?4, controller_start=?5 "
              "WHERE id=?1 AND controller_pid=?2 AND controller_start=?3");
  s.Bind(1, job_id).Bind(2, old_pid).Bind(3, static_cast<long long>(old_start)).Bind(4, pid);
  s.Bind(5, static_cast<long long>(start));
  SPOTRUN_RETURN_IF_ERROR(s.Run());
  return sqlite3_changes(db_) == 1;
}

Status Store::RequestCancel(const std::string& job_id) {
  Statement s(db_, *statements_, "UPDATE jobs SET cancel_requested=1 WHERE id=?1");
  s.Bind(1, job_id);
  return s.Run();
}

Result<bool> Store::CancelRequested(const std::string& job_id) {
  Statement s(db_, *statements_, "SELECT cancel_requested FROM jobs WHERE id=?1");
  s.Bind(1, job_id);
  Status status;
  if (!s.Step(&status)) {
    if (!status.ok()) return status;
    return NotFound("no job " + job_id);
  }
  return s.Int(0) != 0;
}

Result<ControllerLease> Store::GetLease() {
  Statement s(db_, *statements_, "SELECT pid, start, heartbeat FROM controller_lease WHERE id=1");
  Status status;
  ControllerLease lease;
  if (s.Step(&status)) {
    lease.pid = static_cast<int>(s.Int(0));
    lease.start = static_cast<unsigned long long>(s.Int(1));
    lease.heartbeat = s.Real(2);
  }
  if (!status.ok()) return status;
  return lease;
}

Result<bool> Store::TakeLease(const ControllerLease& expected, int pid, unsigned long long start,
                              double now) {
  const char* sql = expected.pid == 0
                        ? "INSERT OR IGNORE INTO controller_lease (id, pid, start, heartbeat) "
                          "VALUES (1, ?1, ?2, ?3)"
                        : "UPDATE controller_lease SET pid=?1, start=?2, heartbeat=?3 "
                          "WHERE id=1 AND pid=?4 AND start=?5";
  Statement s(db_, *statements_, sql);
  s.Bind(1, pid).Bind(2, static_cast<long long>(start)).Bind(3, now);
  if (expected.pid != 0) s.Bind(4, expected.pid).Bind(5, static_cast<long long>(expected.start));
  SPOTRUN_RETURN_IF_ERROR(s.Run());
  return sqlite3_changes(db_) == 1;
}

Result<bool> Store::RenewLease(int pid, unsigned long long start, double now) {
  Statement s(db_, *statements_,
              "UPDATE controller_lease SET heartbeat=?3 WHERE id=1 AND pid=?1 AND start=?2");
  s.Bind(1, pid).Bind(2, static_cast<long long>(start)).Bind(3, now);
  SPOTRUN_RETURN_IF_ERROR(s.Run());
  return sqlite3_changes(db_) == 1;
}

Status Store::ReleaseLease(int pid, unsigned long long start) {
  Statement s(db_, *statements_, "DELETE FROM controller_lease WHERE id=1 AND pid=?1 AND start=?2");
  s.Bind(1, pid).Bind(2, static_cast<long long>(start));
  return s.Run();
}

Status Store::UpsertAttempt(const AttemptRecord& a) {
  Statement s(db_, *statements_,
              "INSERT INTO attempts (job_id, number, client_token, instance_id, "
              "instance_type, region, zone, market, price_per_hour, on_demand_price_per_hour, "
              "started_at, ended_at, outcome) VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13) "
              "ON CONFLICT (job_id, number) DO UPDATE SET client_token=?3, instance_id=?4, "
              "instance_type=?5, region=?6, zone=?7, market=?8, price_per_hour=?9, "
              "on_demand_price_per_hour=?10, started_at=?11, ended_at=?12, outcome=?13");
  s.Bind(1, a.job_id).Bind(2, a.number).Bind(3, a.client_token).Bind(4, a.instance_id);
  s.Bind(5, a.instance_type).Bind(6, a.region).Bind(7, a.zone).Bind(8, a.market);
  s.Bind(9, a.price_per_hour).Bind(10, a.on_demand_price_per_hour).Bind(11, a.started_at);
  s.Bind(12, a.ended_at).Bind(13, a.outcome);
  return s.Run();
}

Result<std::vector<AttemptRecord>> Store::Attempts(const std::string& job_id) {
  Statement s(db_, *statements_,
              "SELECT job_id, number, client_token, instance_id, instance_type, region, zone, "
              "market, price_per_hour, on_demand_price_per_hour, started_at, ended_at, outcome "
              "FROM attempts WHERE job_id=?1 ORDER BY number");
  s.Bind(1, job_id);
  std::vector<AttemptRecord> out;
  Status status;
  while (s.Step(&status)) {
    AttemptRecord a;
    a.job_id = s.Text(0);
    a.number = static_cast<int>(s.Int(1));
    a.client_token = s.Text(2);
    a.instance_id = s.Text(3);
    a.instance_type = s.Text(4);
    a.region = s.Text(5);
    a.zone = s.Text(6);
    a.market = s.Text(7);
    a.price_per_hour = s.Real(8);
    a.on_demand_price_per_hour = s.Real(9);
    a.started_at = s.Real(10);
    a.ended_at = s.Real(11);
    a.outcome = s.Text(12);
    out.push_back(std::move(a));
  }
  if (!status.ok()) return status;
  return out;
}

Status Store::AddEvent(const std::string& job_id, double at, const std::string& kind,
                       const std::string& detail) {
  Statement s(db_, *statements_,
              "INSERT INTO events (job_id, at, kind, detail) VALUES (?1, ?2, ?3, ?4)");
  s.Bind(1, job_id).Bind(2, at).Bind(3, kind).Bind(4, detail);
  return s.Run();
}

Result<std::vector<EventRecord>> Store::Events(const std::string& job_id) {
  Statement s(db_, *statements_,
              "SELECT at, kind, detail FROM events WHERE job_id=?1 ORDER BY seq");
  s.Bind(1, job_id);
  std::vector<EventRecord> out;
  Status status;
  while (s.Step(&status)) out.push_back({s.Real(0), s.Text(1), s.Text(2)});
  if (!status.ok()) return status;
  return out;
}

}  // namespace spotrun
