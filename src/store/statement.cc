#include "store/statement.h"

namespace spotrun {

Statement::Statement(sqlite3* db, const char* sql) : db_(db) {
  sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
}

Statement& Statement::Bind(int i, const std::string& v) {
  sqlite3_bind_text(stmt_, i, v.c_str(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
  return *this;
}

Statement& Statement::Bind(int i, double v) {
  sqlite3_bind_double(stmt_, i, v);
  return *this;
}

Statement& Statement::Bind(int i, long long v) {
  sqlite3_bind_int64(stmt_, i, v);
  return *this;
}

bool Statement::Step(Status* status) {
  if (!stmt_) {
    *status = Internal(std::string("sqlite prepare: ") + sqlite3_errmsg(db_));
    return false;
  }
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc != SQLITE_DONE) *status = Internal(std::string("sqlite: ") + sqlite3_errmsg(db_));
  return false;
}

Status Statement::Run() {
  Status status;
  while (Step(&status)) {
  }
  return status;
}

std::string Statement::Text(int col) const {
  const unsigned char* t = sqlite3_column_text(stmt_, col);
  return t ? reinterpret_cast<const char*>(t) : "";
}

}  // namespace spotrun
