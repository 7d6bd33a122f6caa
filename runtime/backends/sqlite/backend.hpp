// The SQLite backend: a pool of SqliteConnections behind detail::Backend.
//
// Threads: the pool's bookkeeping (free list, waiters, closing) is touched only on the
// event loop thread — every task that uses the pool runs there, and run_on() resumes
// there. Statements run on a connection's worker thread (Execution::workers) or on the
// loop thread itself (Execution::inline_).
//
// Workers: each connection has one member of a WorkerGroup. A statement outside a
// transaction is a shared job of the group: the first free member runs it on its
// connection, so the loop thread never hands a connection from one task to the next and
// the members go from one statement to the next without waiting for it. A leased
// connection (atomic, a cursor) has its member reserved: it runs only the lease's
// statements, in order, until the lease ends.
//
// Lending: a cursor steps its statement between other statements, so its connection
// stays leased while the loop body that reads it runs. A connection held by cursors only
// is therefore lent to the next lease, or (workers) statement, when no connection is free
// (take_lease, try_lend): saving each row inside an aiterator loop, or opening a second
// stream or a transaction there, works with a pool of one connection (inline, or
// `:memory:`), as Django's does on its one SQLite connection. Everything on a lent
// connection runs on its thread (its reserved member, with workers), in order. The cursor
// then reads inside whatever that lease does (it sees the rows the loop body writes: SQLite
// does not isolate the statements of one connection). A connection leased by anything
// else is never lent.
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
class WorkerGroup;
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
  /// Connections not leased (with workers, one may be running a statement right now).
  std::size_t idle_connections() const noexcept { return free_.size(); }
  Execution execution() const noexcept { return execution_; }
  BackendStats stats() const noexcept;

  // -- pool internals (used by the awaiters and cursors in backend.cpp) --
  //
  // Waiting is FIFO: a task that wants a lease (acquire, a cursor, the inline policy's
  // statements) or, with workers, a slot for a shared statement, is served at once only
  // when nobody waits before it. With workers, a lease never takes the last unleased
  // connection while shared statements are in flight: they need one open member to run
  // on. So a queued shared statement always runs, and the loop's teardown, which waits
  // for every job in flight, cannot wait for one stuck behind a lease held by a task that
  // is being destroyed.
  struct Waiter {
    std::coroutine_handle<> handle;
    EventLoop* loop = nullptr;
    bool wants_lease = true;            // else: a slot for a shared statement
    SqliteConnection* granted = nullptr;  // the lease handed over (or lent for a statement)
    bool slot_granted = false;            // the slot handed over (counted in flight)
  };
  /// A lease now, or null (then the caller queues a Waiter).
  SqliteConnection* try_take() noexcept;
  /// Workers: counts a shared statement in flight and returns true when it may be
  /// submitted now; false when the caller must queue a Waiter (or try_lend()).
  bool try_start_shared() noexcept;
  /// Workers, for a statement: a connection held by cursors only, lent now because every
  /// connection is leased and nobody waits; or null.
  SqliteConnection* try_lend() noexcept;
  /// A shared statement is back (or its granted slot was never used).
  void shared_done() noexcept;
  void enqueue(Waiter* w) { waiters_.push_back(w); }
  /// Removes a queued waiter whose task is being destroyed.
  void cancel_wait(Waiter* w) noexcept;
  /// Makes `c` unleased again, after rolling back a transaction left open on it, and
  /// serves the waiters that can now go.
  void give_back(SqliteConnection* c) noexcept;
  bool closed() const noexcept { return closed_; }
  void cursor_opened() noexcept { ++open_cursors_; }
  void cursor_closed() noexcept;
  /// A cursor holds its lease on `c` (until cursor_unleased()): while every lease on `c`
  /// is a cursor's, `c` may be lent (see Lending above).
  void cursor_leased(SqliteConnection* c) noexcept { ++c->cursor_leases; }
  void cursor_unleased(SqliteConnection* c) noexcept { --c->cursor_leases; }

 private:
  SqliteBackend() = default;
  /// Serves the waiters at the front of the queue that can go now (see Waiter).
  void dispatch() noexcept;
  /// Whether a lease may take a connection now (ignoring who waits): an unleased one, or
  /// one held by cursors only.
  bool lease_available() const noexcept;
  /// Takes a connection for a lease: an unleased one (with workers, its member is
  /// reserved), else one held by cursors only. Requires lease_available().
  SqliteConnection* take_lease() noexcept;
  /// A leased connection whose leases are all cursors', or null.
  SqliteConnection* shareable() const noexcept;
  /// shareable(), with one more lease counted on it (null: none).
  SqliteConnection* lend() noexcept;
  void maybe_finish_close() noexcept;
  [[noreturn]] void throw_closed() const;

  Execution execution_ = Execution::workers;
  std::chrono::milliseconds busy_timeout_{5000};
  std::vector<std::unique_ptr<SqliteConnection>> conns_;
  std::unique_ptr<WorkerGroup> workers_;  // workers policy; after conns_: joined before they close
  std::size_t shared_in_flight_ = 0;     // statements submitted to workers_ and not back yet
  std::vector<SqliteConnection*> free_;
  std::deque<Waiter*> waiters_;
  std::size_t open_cursors_ = 0;
  bool closed_ = false;
  Waiter close_waiter_;          // the task in close(), waiting for the pool to drain
  bool close_waiting_ = false;
};

}  // namespace aorm::detail::sqlite
