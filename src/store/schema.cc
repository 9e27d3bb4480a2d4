#include "store/schema.h"

#include "store/statement.h"

namespace spotrun {
namespace {

// Version 1: jobs, attempts, events.
constexpr const char* kTablesV1 = R"sql(
CREATE TABLE jobs (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  state TEXT NOT NULL,
  cloud TEXT NOT NULL,
  spec_path TEXT NOT NULL,
  spec_text TEXT NOT NULL,
  results_dir TEXT NOT NULL,
  created_at REAL NOT NULL,
  updated_at REAL NOT NULL,
  controller_pid INTEGER NOT NULL DEFAULT 0,
  controller_start INTEGER NOT NULL DEFAULT 0,
  cancel_requested INTEGER NOT NULL DEFAULT 0,
  message TEXT NOT NULL DEFAULT '',
  exit_code INTEGER NOT NULL DEFAULT -1
);
CREATE TABLE attempts (
  job_id TEXT NOT NULL REFERENCES jobs(id),
  number INTEGER NOT NULL,
  client_token TEXT NOT NULL,
  instance_id TEXT NOT NULL DEFAULT '',
  instance_type TEXT NOT NULL DEFAULT '',
  region TEXT NOT NULL DEFAULT '',
  zone TEXT NOT NULL DEFAULT '',
  market TEXT NOT NULL DEFAULT '',
  price_per_hour REAL NOT NULL DEFAULT 0,
  on_demand_price_per_hour REAL NOT NULL DEFAULT 0,
  started_at REAL NOT NULL DEFAULT 0,
  ended_at REAL NOT NULL DEFAULT 0,
  outcome TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (job_id, number)
);
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  job_id TEXT NOT NULL,
  at REAL NOT NULL,
  kind TEXT NOT NULL,
  detail TEXT NOT NULL
);
)sql";

// Version 2 adds store_info: when this file was created, so that the orphan
// sweep can tell a job the store forgot from one it never saw (an instance
// older than the store). A migrated store dates from its oldest job.
constexpr const char* kMigrateV1ToV2 = R"sql(
CREATE TABLE store_info (created_at REAL NOT NULL);
INSERT INTO store_info (created_at)
  SELECT COALESCE(MIN(created_at), (julianday('now') - 2440587.5) * 86400.0) FROM jobs;
)sql";

// The controller's lease: one row while a controller drives this store's jobs;
// indexes for lookups by job name and for a job's events (one controller
// drives thousands of jobs).
constexpr const char* kMigrateV2ToV3 = R"sql(
CREATE INDEX jobs_by_name ON jobs (name, created_at);
CREATE INDEX jobs_by_results ON jobs (results_dir);
CREATE INDEX events_by_job ON events (job_id, seq);
CREATE TABLE controller_lease (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  pid INTEGER NOT NULL,
  start INTEGER NOT NULL,
  heartbeat REAL NOT NULL
);
)sql";

// Version 4: what a job is (a batch job, or a notebook session).
constexpr const char* kMigrateV3ToV4 = R"sql(
ALTER TABLE jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'job';
)sql";

// The steps, in order: kSteps[v] takes a version-v store to v+1 (0 = empty file).
constexpr const char* kSteps[] = {kTablesV1, kMigrateV1ToV2, kMigrateV2ToV3, kMigrateV3ToV4};
static_assert(sizeof(kSteps) / sizeof(kSteps[0]) == kSchemaVersion);

Status Exec(sqlite3* db, const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) == SQLITE_OK) return Status::Ok();
  std::string msg = err ? err : sqlite3_errmsg(db);
  sqlite3_free(err);
  return Internal(msg);
}

// One integer from a one-row query.
Result<long long> QueryInt(sqlite3* db, const char* sql) {
  Statement s(db, sql);
  Status status;
  if (s.Step(&status)) return s.Int(0);
  if (!status.ok()) return status;
  return Internal(std::string("no row from ") + sql);
}

// Takes the store to kSchemaVersion in one write transaction. The version is
// read again inside it: another process opening the same new store at once
// may have migrated it while this one waited for the lock.
Status Migrate(sqlite3* db) {
  SPOTRUN_RETURN_IF_ERROR(Exec(db, "BEGIN IMMEDIATE;"));
  auto from = QueryInt(db, "PRAGMA user_version");
  std::string sql;
  if (from.ok()) {
    for (long long v = *from; v < kSchemaVersion; ++v) sql += kSteps[v];
    if (!sql.empty()) sql += "PRAGMA user_version = " + std::to_string(kSchemaVersion) + ";";
  }
  Status s = from.ok() ? Exec(db, sql + "COMMIT;") : from.status();
  if (!s.ok()) (void)Exec(db, "ROLLBACK;");
  return s;
}

}  // namespace

const char* const kSchemaV1ForTests = kTablesV1;

Status PrepareSchema(sqlite3* db, const std::string& path, bool read_only) {
  const std::string where = "state store " + path;
  auto damaged = [&](const Status& s) {
    return Internal(where + " is unreadable (" + s.message() +
                    "); see docs/state-store.md, \"Recovering\"");
  };
  // The version and the tables are read in one snapshot: another process
  // may be migrating a new store meanwhile.
  if (Status s = Exec(db, "BEGIN;"); !s.ok()) return damaged(s);
  auto version = QueryInt(db, "PRAGMA user_version");
  auto tables = QueryInt(db, "SELECT count(*) FROM sqlite_master");
  (void)Exec(db, "COMMIT;");
  if (!version.ok()) return damaged(version.status());
  if (!tables.ok()) return damaged(tables.status());
  auto check = QueryInt(db, "SELECT count(*) FROM pragma_quick_check WHERE quick_check != 'ok'");
  if (!check.ok()) return damaged(check.status());
  if (*check > 0) return damaged(Internal("quick_check failed"));
  const std::string versions = " has schema version " + std::to_string(*version) +
                               "; this spotrun reads version " + std::to_string(kSchemaVersion);
  if (*version > kSchemaVersion) return Internal(where + versions + ": use a newer spotrun");
  if (*version == kSchemaVersion) return Status::Ok();
  if (*version == 0 && *tables > 0) {
    return Internal(where + " has tables but no schema version: not a spotrun store?");
  }
  if (read_only)
    return Internal(where + versions + " and is read-only: make it writable to migrate");
  if (Status s = Migrate(db); !s.ok()) {
    return Internal(where + ": migrating from version " + std::to_string(*version) +
                    " failed: " + s.message());
  }
  return Status::Ok();
}

}  // namespace spotrun
