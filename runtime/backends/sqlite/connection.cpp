#include "sqlite/connection.hpp"

#include <sqlite3.h>

#include "aorm/detail/loop.hpp"
#include "sqlite/functions.hpp"
#include "aorm/errors.hpp"
#include "aorm/url.hpp"
#include "sqlite/error.hpp"

namespace aorm::detail::sqlite {

// ---- DbHandle ------------------------------------------------------------------------------

DbHandle& DbHandle::operator=(DbHandle&& o) noexcept {
  if (this != &o) {
    if (db_) sqlite3_close_v2(db_);
    db_ = std::exchange(o.db_, nullptr);
  }
  return *this;
}

DbHandle::~DbHandle() {
  // close_v2: a statement not yet finalized (a bug elsewhere) delays the close instead of
  // leaking the handle.
  if (db_) sqlite3_close_v2(db_);
}

DbHandle DbHandle::open(const std::string& target, bool uri) {
  sqlite3* db = nullptr;
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
                    (uri ? SQLITE_OPEN_URI : 0);
  const int rc = sqlite3_open_v2(target.c_str(), &db, flags, nullptr);
  DbHandle h(db);
  if (rc != SQLITE_OK) {
    // The path comes from the URL, which may be a server URL given the wrong scheme.
    std::string msg = "cannot open SQLite database '" + redact_url(target) + "': " +
                      (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    throw OperationalError(msg, {}, "sqlite", std::to_string(rc));
  }
  sqlite3_extended_result_codes(db, 1);
  // The SQL functions the query compiler emits: aorm_lower (case folding beyond ASCII, for
  // the i-lookups) and regexp (for .regex/.iregex). Header-only: aorm_db stays independent
  // of the query layer.
  if (const int frc = aorm::detail::sql::register_sqlite_functions(db); frc != SQLITE_OK)
    throw OperationalError("cannot register aorm's SQL functions: " + std::string(sqlite3_errstr(frc)),
                           {}, "sqlite", std::to_string(frc));
  return h;
}

// ---- SqliteConnection ----------------------------------------------------------------------

SqliteConnection::SqliteConnection() = default;

// The backend joins the workers (after their queued jobs) before it destroys connections.
SqliteConnection::~SqliteConnection() { close(); }

namespace {
void exec_simple(sqlite3* db, const char* sql) {
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
  sqlite3_free(err);
  if (rc != SQLITE_OK) throw_error(db, rc, sql);
}
}  // namespace

void SqliteConnection::open(const ConnectionConfig& cfg) {
  db_ = DbHandle::open(cfg.target, cfg.uri);
  // Opening waits for locks with SQLite's busy handler even for the inline policy (the
  // journal_mode switch needs a lock; aconnect is rare enough to block for it).
  sqlite3_busy_timeout(db_.get(), static_cast<int>(cfg.busy_timeout.count()));
  exec_simple(db_.get(), "PRAGMA foreign_keys=ON");
  exec_simple(db_.get(), "PRAGMA synchronous=NORMAL");
  if (cfg.wal) exec_simple(db_.get(), "PRAGMA journal_mode=WAL");
  if (cfg.busy_returns_at_once) sqlite3_busy_timeout(db_.get(), 0);
}

CachedStmt SqliteConnection::start(const Statement& stmt) {
  if (!db_.get()) throw OperationalError("the database connection is closed", stmt.sql, "sqlite");
  CachedStmt s = cache_.acquire(db_.get(), stmt.sql, stmt.sql_hash);
  bind_all(db_.get(), s.get(), stmt.params, stmt.sql);
  return s;
}

namespace {
bool is_commit(std::string_view sql) noexcept { return sql == "COMMIT" || sql == "END"; }
}  // namespace

std::optional<ExecResult> SqliteConnection::try_run(const Statement& stmt, RowSink sink) {
  sqlite3* db = db_.get();
  CachedStmt s = start(stmt);
  const std::int64_t before = sqlite3_total_changes64(db);
  Row row(s.get());
  bool delivered = false;
  int rc;
  while ((rc = sqlite3_step(s.get())) == SQLITE_ROW) {
    delivered = true;
    if (sink) sink(row);
  }
  const bool in_tx = sqlite3_get_autocommit(db) == 0;
  in_transaction_.store(in_tx, std::memory_order_relaxed);
  if (rc != SQLITE_DONE) {
    // SQLITE_BUSY_SNAPSHOT cannot succeed by waiting (the reader's snapshot is stale).
    if ((rc & 0xff) == SQLITE_BUSY && rc != SQLITE_BUSY_SNAPSHOT && !delivered &&
        (!in_tx || is_commit(stmt.sql)))
      return std::nullopt;
    throw_error(db, rc, stmt.sql);
  }
  ExecResult r;
  // sqlite3_changes64 keeps the count of the last INSERT/UPDATE/DELETE: report it only
  // when this statement changed something.
  if (sqlite3_total_changes64(db) != before) r.rows_affected = sqlite3_changes64(db);
  r.last_insert_id = sqlite3_last_insert_rowid(db);
  return r;
}

ExecResult SqliteConnection::run(const Statement& stmt, RowSink sink) {
  if (auto r = try_run(stmt, sink)) return *r;
  // Busy with the busy handler on (workers): SQLite already waited busy_timeout.
  throw_error(db_.get(), SQLITE_BUSY, stmt.sql);
}

void SqliteConnection::rollback_if_open(bool keep_cursors) noexcept {
  sqlite3* db = db_.get();
  if (db != nullptr && sqlite3_get_autocommit(db) == 0) {
    // Statements still stepping (an abandoned cursor) would make ROLLBACK fail on old
    // SQLite versions; reset them first, unless live cursors read on (SQLite >= 3.7.11
    // rolls back under pending reads, which go on unless the schema changed).
    if (!keep_cursors)
      for (sqlite3_stmt* s = sqlite3_next_stmt(db, nullptr); s != nullptr; s = sqlite3_next_stmt(db, s))
        sqlite3_reset(s);
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  in_transaction_.store(false, std::memory_order_relaxed);
}

void SqliteConnection::close() noexcept {
  cache_.clear();
  db_ = DbHandle{};
}

}  // namespace aorm::detail::sqlite
