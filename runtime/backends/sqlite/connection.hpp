// One SQLite connection: the RAII sqlite3 handle, its statement cache and (for the workers
// policy) the worker thread that runs its statements.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "aorm/detail/backend.hpp"
#include "aorm/value.hpp"
#include "sqlite/statement.hpp"

struct sqlite3;

namespace aorm::detail {
class WorkerThread;
}

namespace aorm::detail::sqlite {

/// Owns one sqlite3*; closes it on destruction. Move-only.
class DbHandle {
 public:
  DbHandle() noexcept = default;
  explicit DbHandle(sqlite3* db) noexcept : db_(db) {}
  DbHandle(DbHandle&& o) noexcept : db_(std::exchange(o.db_, nullptr)) {}
  DbHandle& operator=(DbHandle&& o) noexcept;
  DbHandle(const DbHandle&) = delete;
  DbHandle& operator=(const DbHandle&) = delete;
  ~DbHandle();

  sqlite3* get() const noexcept { return db_; }

  /// Opens `target` (a file path, or a `file:` URI when `uri`) read-write, creating it,
  /// in multi-thread mode (the connection is used by one thread at a time). Raises
  /// OperationalError naming the target when it cannot be opened.
  static DbHandle open(const std::string& target, bool uri);

 private:
  sqlite3* db_ = nullptr;
};

/// Where a connection's statements run and how it was configured.
struct ConnectionConfig {
  std::string target;  // path or URI
  bool uri = false;
  bool wal = true;     // files: journal_mode=WAL
  std::chrono::milliseconds busy_timeout{5000};
  /// Inline policy: after open, SQLite's busy handler is turned off (busy_timeout 0) so a
  /// lock held elsewhere returns SQLITE_BUSY at once and the caller retries without
  /// blocking the loop (see try_run()).
  bool busy_returns_at_once = false;
};

/// A pooled connection. Its sqlite3 handle and statement cache are touched only by the
/// thread that runs its statements: `worker` when set (its own jobs and the group's shared
/// jobs it takes run there one at a time, so jobs on one connection never overlap), else
/// the event loop thread.
class SqliteConnection final : public Connection {
 public:
  SqliteConnection();
  ~SqliteConnection() override;

  /// Opens the handle and applies the pragmas (foreign_keys=ON, synchronous=NORMAL, WAL for
  /// files, the busy timeout). Runs on the connection's thread.
  void open(const ConnectionConfig& cfg);

  /// Runs `stmt` to completion, calling `sink` for each row. Runs on the connection's thread.
  /// rows_affected is 0 unless the statement changed rows.
  ExecResult run(const Statement& stmt, RowSink sink);

  /// Like run(), but returns nullopt instead of raising when SQLite reported SQLITE_BUSY in
  /// a state where running `stmt` again later is safe: before any row reached `sink`, and
  /// outside an explicit transaction (or for COMMIT itself, which SQLite allows to retry).
  /// The statement has then changed nothing.
  std::optional<ExecResult> try_run(const Statement& stmt, RowSink sink);

  /// True when the last statement run left a transaction open. Written on the connection's
  /// thread after each statement; read on the loop thread when a lease ends (the worker's
  /// hand-back of the lease's last statement orders the two).
  bool in_transaction() const noexcept { return in_transaction_.load(std::memory_order_relaxed); }
  /// ROLLBACK if a transaction is open (a lease given back mid-transaction: its task was
  /// destroyed). Never raises. Runs on the connection's thread. Statements still stepping
  /// are reset first, unless `keep_cursors` (live cursors share the connection).
  void rollback_if_open(bool keep_cursors = false) noexcept;

  /// A ready-to-step statement for `stmt` (bound; params must outlive it).
  CachedStmt start(const Statement& stmt);

  /// Finalizes cached statements and closes the handle. Runs on the connection's thread.
  void close() noexcept;

  sqlite3* handle() const noexcept { return db_.get(); }
  StatementCache& cache() noexcept { return cache_; }

  /// The thread that runs its statements: a member of the backend's WorkerGroup (which
  /// owns it), or null for the inline policy. `index` is its place in the group and in the
  /// backend's pool.
  WorkerThread* worker = nullptr;
  std::size_t index = 0;

  /// Pool bookkeeping (the backend's, on the loop thread): leases held on this connection,
  /// and how many of them are cursors'. A connection held by cursors only is lent when no
  /// connection is free (SqliteBackend, "Lending").
  int leases = 0;
  int cursor_leases = 0;

 private:
  DbHandle db_;          // declared before cache_: statements are finalized first
  StatementCache cache_;
  std::atomic<bool> in_transaction_{false};  // relaxed: ordered by the worker hand-back
};

}  // namespace aorm::detail::sqlite
