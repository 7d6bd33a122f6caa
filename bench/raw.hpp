// bench/raw.hpp — hand-written sqlite3 C API code: the limit each aorm workload is measured
// against. Prepared statements are prepared once and reused, as a careful programmer would.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace bench::raw {

/// An open sqlite3 connection (move-only) with a cache of prepared statements.
class Db {
 public:
  explicit Db(const std::string& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                                SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK)
      fail("open");
    exec("PRAGMA journal_mode=WAL");
    exec("PRAGMA synchronous=NORMAL");
    exec("PRAGMA foreign_keys=ON");
    sqlite3_busy_timeout(db_, 5000);
  }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;
  ~Db() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }

  void exec(const std::string& sql) {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "?";
      sqlite3_free(err);
      throw std::runtime_error("raw sqlite: " + msg + " in: " + sql);
    }
  }

  /// The cached prepared statement for `sql`, reset and with cleared bindings.
  sqlite3_stmt* prepare(const std::string& sql) {
    auto it = cache_.find(sql);
    if (it != cache_.end()) {
      sqlite3_reset(it->second);
      sqlite3_clear_bindings(it->second);
      return it->second;
    }
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK)
      fail(sql.c_str());
    cache_.emplace(sql, stmt);
    return stmt;
  }

  /// Steps `stmt` expecting it to finish (no rows); throws on error.
  void done(sqlite3_stmt* stmt) {
    if (sqlite3_step(stmt) != SQLITE_DONE) fail("step");
  }

  sqlite3* handle() const noexcept { return db_; }
  std::int64_t last_id() const noexcept { return sqlite3_last_insert_rowid(db_); }
  std::int64_t changes() const noexcept { return sqlite3_changes64(db_); }

  [[noreturn]] void fail(const char* what) const {
    throw std::runtime_error(std::string("raw sqlite (") + what + "): " + sqlite3_errmsg(db_));
  }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

inline std::string_view text(sqlite3_stmt* s, int i) {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
  return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(s, i))) : std::string_view{};
}

inline void bind_text(sqlite3_stmt* s, int i, std::string_view v) {
  sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
}

}  // namespace bench::raw
