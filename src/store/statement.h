// A prepared SQLite statement with RAII finalisation and typed binds, and a
// cache that keeps a connection's statements prepared between uses.
#pragma once

#include <sqlite3.h>

#include <map>
#include <string>

#include "util/status.h"

namespace spotrun {

// The statements of one connection, prepared once each (SQL text -> statement).
class StatementCache {
 public:
  explicit StatementCache(sqlite3* db) : db_(db) {}
  ~StatementCache();
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;
  // The prepared statement for `sql`, reset; null when it does not prepare.
  sqlite3_stmt* Get(const char* sql);

 private:
  sqlite3* db_;
  std::map<std::string, sqlite3_stmt*, std::less<>> statements_;
};

class Statement {
 public:
  // Prepares `sql`; finalised when the Statement goes.
  Statement(sqlite3* db, const char* sql);
  // Borrows the cached statement for `sql`; reset when the Statement goes.
  Statement(sqlite3* db, StatementCache& cache, const char* sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  bool prepared() const { return stmt_ != nullptr; }
  Statement& Bind(int i, const std::string& v);
  Statement& Bind(int i, double v);
  Statement& Bind(int i, long long v);
  Statement& Bind(int i, int v) { return Bind(i, static_cast<long long>(v)); }
  // Steps once: true when a row is available; `status` reports errors.
  bool Step(Status* status);
  // Steps to completion (for INSERT/UPDATE).
  Status Run();

  std::string Text(int col) const;
  double Real(int col) const { return sqlite3_column_double(stmt_, col); }
  long long Int(int col) const { return sqlite3_column_int64(stmt_, col); }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  bool cached_ = false;
};

}  // namespace spotrun
