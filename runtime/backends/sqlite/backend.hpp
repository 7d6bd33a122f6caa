// The SQLite backend: a pool of SqliteConnections behind detail::Backend.
//
// Threads: the pool's bookkeeping (free list, waiters, closing) is touched only on the
// event loop thread — every task that uses the pool runs there, and run_on() resumes
// there. Statements run on a connection's worker thread (Execution::workers) or on the
// loop thread itself (Execution::inline_).
//
// Locks: SQLite lets one connection write at a time. With workers, a statement that finds
// the database locked waits in SQLite's busy handler on its worker (up to busy_timeout);
// inline connections have the handler off and retry with aorm::sleep() (wait_out_busy in
// backend.cpp), so the loop never blocks on a lock. A transaction (atomic) holds its
// leased connection and runs every statement on it: it never waits for the pool.
//
// Teardown rules:
// - A task destroyed while queued for a connection leaves the queue; one destroyed after a
//   connection was granted to it gives the connection back.
// - A connection given back while a transaction is still open on it (its atomic() task
//   was destroyed, or a raw BEGIN ran outside atomic()) is rolled back first.
// - close() refuses new work, waits for leases, cursors and queued tasks, then closes
//   each connection on its own thread. Destroying the backend without close() joins the
//   workers after their queued jobs (each connection closes on destruction).
#pragma once

#include <coroutine>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "aorm/database.hpp"
#include "aorm/detail/backend.hpp"
#include "sqlite/connection.hpp"

namespace aorm::detail {
class EventLoop;
}

namespace aorm::detail::sqlite {

/// Statement-cache counters summed over a backend's connections.
struct BackendStats {
  std::uint64_t prepares = 0;
  std::uint64_t cache_hits = 0;
};

class SqliteBackend final : public Backend, public std::enable_shared_from_this<SqliteBackend> {
 public:
  /// Opens `target` ("" or ":memory:" for a private in-memory database, else a file path)
  /// with `pool_size` connections (0: default) and the given execution policy.
  static Task<std::shared_ptr<SqliteBackend>> open(std::string target, int pool_size,
                                                   Execution execution,
                                                   std::chrono::milliseconds busy_timeout);
  ~SqliteBackend() override;

  Dialect dialect() const noexcept override { return Dialect::sqlite; }
  Task<ExecResult> execute(const Statement& stmt, RowSink sink, Connection* pinned) override;
  Task<ConnectionLease> acquire() override;
  Task<std::unique_ptr<Cursor>> open_cursor(Statement stmt, Connection* pinned) override;
  Task<void> close() override;

  std::size_t pool_size() const noexcept { return conns_.size(); }
  /// Connections not leased or running a statement right now.
  std::size_t idle_connections() const noexcept { return free_.size(); }
  Execution execution() const noexcept { return execution_; }
  BackendStats stats() const noexcept;

  // -- pool internals (used by the awaiters and cursors in backend.cpp) --
  struct Waiter {
    std::coroutine_handle<> handle;
    EventLoop* loop = nullptr;
    SqliteConnection* granted = nullptr;
  };
  /// A free connection now, or null (then the caller queues a Waiter).
  SqliteConnection* try_take() noexcept;
  void enqueue(Waiter* w) { waiters_.push_back(w); }
  /// Removes a queued waiter whose task is being destroyed.
  void cancel_wait(Waiter* w) noexcept;
  /// Hands `c` to the oldest waiter (resumed through its loop) or back to the free list,
  /// after rolling back a transaction left open on it.
  void give_back(SqliteConnection* c) noexcept;
  bool closed() const noexcept { return closed_; }
  void cursor_opened() noexcept { ++open_cursors_; }
  void cursor_closed() noexcept;

 private:
  SqliteBackend() = default;
  void maybe_finish_close() noexcept;
  [[noreturn]] void throw_closed() const;

  Execution execution_ = Execution::workers;
  std::chrono::milliseconds busy_timeout_{5000};
  std::vector<std::unique_ptr<SqliteConnection>> conns_;
  std::vector<SqliteConnection*> free_;
  std::deque<Waiter*> waiters_;
  std::size_t open_cursors_ = 0;
  bool closed_ = false;
  Waiter close_waiter_;          // the task in close(), waiting for the pool to drain
  bool close_waiting_ = false;
};

}  // namespace aorm::detail::sqlite
