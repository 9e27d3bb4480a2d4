// The state store's schema: its SQL at the current version, the migrations
// from each older version, and the check made on every open. The one place
// the schema is defined; docs/state-store.md describes it.
#pragma once

#include <sqlite3.h>

#include <string>

#include "util/status.h"

namespace spotrun {

// The schema version this binary writes (PRAGMA user_version).
constexpr int kSchemaVersion = 4;

// Brings the open database `db` (the file `path`, named in errors) to
// kSchemaVersion: creates the schema in a new (empty) file, migrates an older
// one in one transaction, and refuses (kInternal, one line naming the file and
// both versions) a newer one, an unversioned one that has tables, and an older
// one it cannot write. With `read_only`, writes nothing: the version must be
// the current one.
Status PrepareSchema(sqlite3* db, const std::string& path, bool read_only);

// The SQL of version 1, as the 0.1 release wrote it; tests build an old store
// from it to prove the migration.
extern const char* const kSchemaV1ForTests;

}  // namespace spotrun
