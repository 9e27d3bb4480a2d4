// A prepared SQLite statement with RAII finalisation and typed binds.
#pragma once

#include <sqlite3.h>

#include <string>

#include "util/status.h"

namespace spotrun {

class Statement {
 public:
  Statement(sqlite3* db, const char* sql);
  ~Statement() { sqlite3_finalize(stmt_); }
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
};

}  // namespace spotrun
