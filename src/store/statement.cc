#include "store/statement.h"

namespace spotrun {

StatementCache::~StatementCache() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
}

sqlite3_stmt* StatementCache::Get(const char* sql) {
  auto it = statements_.find(std::string_view(sql));
  if (it != statements_.end()) return it->second;
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr) != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return nullptr;
  }
  statements_.emplace(sql, stmt);
  return stmt;
}

Statement::Statement(sqlite3* db, const char* sql) : db_(db) {
  sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
}

Statement::Statement(sqlite3* db, StatementCache& cache, const char* sql)
    : db_(db), stmt_(cache.Get(sql)), cached_(true) {}

Statement::~Statement() {
  if (!cached_) {
    sqlite3_finalize(stmt_);
  } else if (stmt_) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
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
  int rc = stmt_ ? sqlite3_step(stmt_) : sqlite3_errcode(db_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string msg = std::string(stmt_ ? "sqlite: " : "sqlite prepare: ") + sqlite3_errmsg(db_);
  // A lock held too long (past the busy timeout) passes; damage does not.
  const bool locked = (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
  *status = locked ? Unavailable(msg) : Internal(msg);
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
