#include "sqlite/backend.hpp"

#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <optional>
#include <string>

#include "aorm/detail/loop.hpp"
#include "aorm/runtime.hpp"
#include "aorm/errors.hpp"
#include "sqlite/error.hpp"

namespace aorm::detail::sqlite {
namespace {

/// Names the in-memory databases: each ":memory:" open gets its own.
std::atomic<std::uint64_t> g_memory_databases{0};

/// `co_await turn` with `WaitTurn turn(backend, wants_lease)`: the caller's turn at the pool
/// (FIFO, see SqliteBackend::Waiter). With `wants_lease`, a connection for the caller alone
/// (the value; give it back with give_back()); else (workers) a slot for a statement on the
/// WorkerGroup, counted in flight until the caller's InFlight guard ends — or, when every
/// connection is leased and one is held by cursors only, that connection lent (the value,
/// to give back). At once when nobody waits before it and one is free. Raises
/// OperationalError when the backend is closed. It lives in the awaiting frame while
/// queued; if that frame is destroyed first (loop shutdown), it leaves the queue, or gives
/// back what was granted but never taken.
struct WaitTurn {
  SqliteBackend* backend;
  SqliteBackend::Waiter waiter{};
  bool queued = false;
  bool taken = false;

  WaitTurn(SqliteBackend* b, bool wants_lease) noexcept : backend(b) { waiter.wants_lease = wants_lease; }
  WaitTurn(const WaitTurn&) = delete;
  WaitTurn& operator=(const WaitTurn&) = delete;
  ~WaitTurn() {
    if (!queued || taken) return;
    if (waiter.granted != nullptr)
      backend->give_back(waiter.granted);
    else if (waiter.slot_granted)
      backend->shared_done();
    else
      backend->cancel_wait(&waiter);
  }

  bool granted() const noexcept { return waiter.granted != nullptr || waiter.slot_granted; }
  bool await_ready() noexcept {
    if (backend->closed()) return true;  // await_resume raises
    if (waiter.wants_lease)
      waiter.granted = backend->try_take();
    else if (!(waiter.slot_granted = backend->try_start_shared()))
      waiter.granted = backend->try_lend();
    return granted();
  }
  void await_suspend(std::coroutine_handle<> h) {
    waiter.handle = h;
    waiter.loop = EventLoop::current();
    backend->enqueue(&waiter);
    queued = true;
  }
  /// The connection leased or lent; null for a slot.
  SqliteConnection* await_resume() {
    taken = true;
    if (!granted()) throw OperationalError("the database is closed", {}, "sqlite");
    return waiter.granted;
  }
};

/// Gives a leased connection back when the scope ends (on the loop).
struct GiveBack {
  SqliteBackend* backend;
  SqliteConnection* conn;
  GiveBack(SqliteBackend* b, SqliteConnection* c) noexcept : backend(b), conn(c) {}
  GiveBack(const GiveBack&) = delete;
  GiveBack& operator=(const GiveBack&) = delete;
  ~GiveBack() { backend->give_back(conn); }
};

/// Ends the count of a shared statement in flight when the scope ends (on the loop).
struct InFlight {
  SqliteBackend* backend;
  explicit InFlight(SqliteBackend* b) noexcept : backend(b) {}
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;
  ~InFlight() { backend->shared_done(); }
};

/// Suspends close() until every connection is back and no cursor is open. If the frame
/// of close() is destroyed while it waits, the backend stops waking it.
struct DrainAwaiter {
  SqliteBackend::Waiter* slot;
  bool* waiting;
  DrainAwaiter(SqliteBackend::Waiter* s, bool* w) noexcept : slot(s), waiting(w) {}
  DrainAwaiter(const DrainAwaiter&) = delete;
  DrainAwaiter& operator=(const DrainAwaiter&) = delete;
  ~DrainAwaiter() { *waiting = false; }
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) noexcept {
    slot->handle = h;
    slot->loop = EventLoop::current();
    *waiting = true;
  }
  void await_resume() const noexcept {}
};

/// `co_await wait_out_busy(c, stmt, sink, timeout)` (inline policy): `stmt` just found the
/// database locked by another connection or process; retries it after aorm::sleep() with
/// exponential backoff (1 ms doubling to 25 ms) until it runs, or until `timeout` has
/// passed since the first attempt, then raises OperationalError ("database is locked").
/// Other tasks run while it sleeps; the connection stays taken.
Task<ExecResult> wait_out_busy(SqliteConnection& c, const Statement& stmt, RowSink sink,
                               std::chrono::milliseconds timeout) {
  using Clock = std::chrono::steady_clock;
  const Clock::time_point deadline = Clock::now() + timeout;
  std::chrono::microseconds delay{1000};
  for (;;) {
    const Clock::time_point now = Clock::now();
    if (now >= deadline) co_return c.run(stmt, sink);  // a last try; raises when still busy
    co_await aorm::sleep(std::min<Clock::duration>(delay, deadline - now));
    delay = std::min(delay * 2, std::chrono::microseconds{25000});
    if (std::optional<ExecResult> r = c.try_run(stmt, sink)) co_return *r;
  }
}

/// A forward-only cursor. Holds the statement (SQL + params, which the bound statement
/// references), the prepared statement and, unless it runs on a pinned connection, the
/// lease of its connection. Steps run on the connection's thread.
class SqliteCursor final : public Cursor {
 public:
  SqliteCursor(std::shared_ptr<SqliteBackend> backend, ConnectionLease lease, SqliteConnection* conn,
               Statement stmt)
      : backend_(std::move(backend)), lease_(std::move(lease)), conn_(conn), stmt_(std::move(stmt)) {
    backend_->cursor_opened();
    if (lease_) backend_->cursor_leased(conn_);  // may be lent meanwhile
  }

  ~SqliteCursor() override {  // on the loop
    if (prepared_) {
      if (conn_->worker) {
        // Reset on the connection's thread; the worker's FIFO runs it before any later
        // job on this connection (the lease is given back just below).
        auto p = std::make_shared<CachedStmt>(std::move(prepared_));
        conn_->worker->submit([p] { p->reset(); });
      } else {
        prepared_.reset();
      }
    }
    if (lease_) backend_->cursor_unleased(conn_);
    lease_ = ConnectionLease{};
    backend_->cursor_closed();
  }

  /// Prepares and binds (on the connection's thread).
  void start() { prepared_ = conn_->start(stmt_); }

  Task<bool> fetch(std::size_t max_rows, RowSink sink) override {
    if (done_) co_return false;
    if (conn_->worker) {
      auto on_worker = [this, max_rows, sink] { return step(max_rows, sink); };
      co_return co_await run_on(*conn_->worker, on_worker);
    }
    co_return step(max_rows, sink);
  }

  bool can_fetch_now() const noexcept override { return conn_->worker == nullptr; }
  bool fetch_now(std::size_t max_rows, RowSink sink) override {
    assert(!conn_->worker && "fetch_now() on a connection that belongs to a worker thread");
    return !done_ && step(max_rows, sink);
  }

 private:
  /// Steps up to max_rows rows into `sink`, on the connection's thread.
  bool step(std::size_t max_rows, RowSink sink) {
    Row row(prepared_.get());
    for (std::size_t n = 0; n < max_rows; ++n) {
      const int rc = sqlite3_step(prepared_.get());
      if (rc == SQLITE_ROW) {
        sink(row);
      } else if (rc == SQLITE_DONE) {
        done_ = true;
        return false;
      } else {
        done_ = true;
        throw_error(conn_->handle(), rc, stmt_.sql);
      }
    }
    return true;
  }

  std::shared_ptr<SqliteBackend> backend_;
  ConnectionLease lease_;
  SqliteConnection* conn_;
  Statement stmt_;
  CachedStmt prepared_;
  bool done_ = false;
};

}  // namespace

Task<std::shared_ptr<SqliteBackend>> SqliteBackend::open(std::string target, int pool_size,
                                                         Execution execution,
                                                         std::chrono::milliseconds busy_timeout) {
  std::shared_ptr<SqliteBackend> b(new SqliteBackend());
  b->execution_ = execution;
  b->busy_timeout_ = busy_timeout;
  ConnectionConfig cfg;
  cfg.busy_timeout = busy_timeout;
  cfg.busy_returns_at_once = execution == Execution::inline_;
  const bool memory = target == ":memory:";
  if (memory) {
    // The memdb VFS shares a database whose name starts with '/' among the connections of
    // this process, and locks it like a file (so busy_timeout applies, unlike with
    // shared-cache ":memory:" which fails at once with SQLITE_LOCKED). It lives while one
    // connection is open: the pool keeps them all open until close().
    cfg.target = "file:/aorm-mem-" + std::to_string(++g_memory_databases) + "?vfs=memdb";
    cfg.uri = true;
    cfg.wal = false;
  } else {
    cfg.target = std::move(target);
  }
  const int n = pool_size > 0 ? pool_size : (memory || execution == Execution::inline_ ? 1 : 4);
  b->conns_.reserve(static_cast<std::size_t>(n));
  if (execution == Execution::workers) b->workers_ = std::make_unique<WorkerGroup>(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) {
    auto c = std::make_unique<SqliteConnection>();
    c->index = static_cast<std::size_t>(i);
    if (execution == Execution::workers) {
      c->worker = &(*b->workers_)[c->index];
      SqliteConnection* raw = c.get();
      co_await run_on(*c->worker, [raw, &cfg] { raw->open(cfg); });
    } else {
      c->open(cfg);
    }
    b->free_.push_back(c.get());
    b->conns_.push_back(std::move(c));
  }
  co_return b;
}

// The workers finish their queued jobs and join (workers_ goes first), then every
// connection closes.
SqliteBackend::~SqliteBackend() = default;

SqliteConnection* SqliteBackend::take_lease() noexcept {
  if (free_.empty()) return lend();
  SqliteConnection* c = free_.back();
  free_.pop_back();
  c->leases = 1;
  if (workers_) workers_->reserve(c->index);  // its member runs only the lease's jobs now
  return c;
}

SqliteConnection* SqliteBackend::shareable() const noexcept {
  for (const auto& c : conns_)
    if (c->leases > 0 && c->leases == c->cursor_leases) return c.get();
  return nullptr;
}

SqliteConnection* SqliteBackend::lend() noexcept {
  SqliteConnection* c = shareable();
  if (c != nullptr) ++c->leases;
  return c;
}

bool SqliteBackend::lease_available() const noexcept {
  // With workers, the last unleased connection stays for the statements in flight (Waiter).
  if (free_.empty()) return shareable() != nullptr;
  return !(workers_ && free_.size() == 1 && shared_in_flight_ > 0);
}

SqliteConnection* SqliteBackend::try_take() noexcept {
  return waiters_.empty() && lease_available() ? take_lease() : nullptr;
}

bool SqliteBackend::try_start_shared() noexcept {
  if (!waiters_.empty() || free_.empty()) return false;
  ++shared_in_flight_;
  return true;
}

SqliteConnection* SqliteBackend::try_lend() noexcept {
  return waiters_.empty() && free_.empty() ? lend() : nullptr;
}

void SqliteBackend::shared_done() noexcept {
  --shared_in_flight_;
  dispatch();
  maybe_finish_close();
}

void SqliteBackend::dispatch() noexcept {
  while (!waiters_.empty()) {
    Waiter* w = waiters_.front();
    if (w->wants_lease) {
      if (!lease_available()) return;
      w->granted = take_lease();
    } else if (!free_.empty()) {
      ++shared_in_flight_;
      w->slot_granted = true;
    } else if (SqliteConnection* c = lend()) {  // every member is reserved, this one by cursors only
      w->granted = c;
    } else {
      return;
    }
    waiters_.pop_front();
    // Resume on a later turn of the loop, not from here: this runs inside other tasks'
    // scope exits and lease destructors.
    w->loop->schedule(w->handle);
  }
}

void SqliteBackend::cancel_wait(Waiter* w) noexcept {
  std::erase(waiters_, w);
  dispatch();  // the ones behind it may be able to go now
}

void SqliteBackend::give_back(SqliteConnection* c) noexcept {
  // Lent, the other holders keep it; nothing changes while one of them is not a cursor.
  const bool still_held = --c->leases > 0;
  if (still_held && c->leases != c->cursor_leases) return;
  if (c->in_transaction()) {
    // Its user was destroyed mid-transaction (or ran a raw BEGIN outside atomic()): roll
    // back before anyone else gets it, so no lock stays held and no half-done work leaks
    // into the next user's statements. On the worker, its own queue runs it before any
    // later job on this connection. Cursors still holding it read on.
    if (c->worker)
      c->worker->submit([c, still_held] { c->rollback_if_open(/*keep_cursors=*/still_held); });
    else
      c->rollback_if_open(/*keep_cursors=*/still_held);
  }
  if (still_held) {  // cursors alone hold it: it can be lent again
    dispatch();
    return;
  }
  free_.push_back(c);
  dispatch();  // a waiting lease takes `c` again (the last one pushed) without a release
  if (workers_ && !free_.empty() && free_.back() == c) workers_->release(c->index);
  maybe_finish_close();
}

void SqliteBackend::cursor_closed() noexcept {
  --open_cursors_;
  maybe_finish_close();
}

void SqliteBackend::maybe_finish_close() noexcept {
  if (close_waiting_ && free_.size() == conns_.size() && open_cursors_ == 0 && shared_in_flight_ == 0 &&
      waiters_.empty()) {
    close_waiting_ = false;
    close_waiter_.loop->schedule(close_waiter_.handle);
  }
}

void SqliteBackend::throw_closed() const {
  throw OperationalError("the database is closed", {}, "sqlite");
}

BackendStats SqliteBackend::stats() const noexcept {
  BackendStats s;
  for (const auto& c : conns_) {
    s.prepares += c->cache().stats().prepares.load(std::memory_order_relaxed);
    s.cache_hits += c->cache().stats().hits.load(std::memory_order_relaxed);
  }
  return s;
}

Task<ExecResult> SqliteBackend::execute(const Statement& stmt, RowSink sink, Connection* pinned) {
  if (pinned != nullptr) {
    // Inside a transaction: the lease is held by atomic(); never wait for the pool.
    auto* c = static_cast<SqliteConnection*>(pinned);
    if (c->worker) co_return co_await run_on(*c->worker, [c, &stmt, sink] { return c->run(stmt, sink); });
    if (std::optional<ExecResult> r = c->try_run(stmt, sink)) co_return *r;
    co_return co_await wait_out_busy(*c, stmt, sink, busy_timeout_);
  }
  if (workers_) {
    // A shared job: whichever open member is free first runs it on its own connection.
    WaitTurn turn(this, false);  // named: g++ 12 destroys braced temporaries in co_await twice
    if (SqliteConnection* lent = co_await turn) {
      // Every connection is leased; this one, by cursors only, was lent: run on its member.
      GiveBack back{this, lent};
      co_return co_await run_on(*lent->worker, [lent, &stmt, sink] { return lent->run(stmt, sink); });
    }
    InFlight in_flight(this);
    co_return co_await run_on_any(*workers_, [this, &stmt, sink](std::size_t i) {
      SqliteConnection& c = *conns_[i];
      // A transaction left open (a raw BEGIN outside atomic()) is rolled back at once, as
      // a lease given back mid-transaction is: the next statement may run anywhere.
      struct RollBackLeftOpen {
        SqliteConnection& c;
        ~RollBackLeftOpen() {
          if (c.in_transaction()) c.rollback_if_open();
        }
      } guard{c};
      return c.run(stmt, sink);
    });
  }
  WaitTurn turn(this, true);
  SqliteConnection* c = co_await turn;
  GiveBack back{this, c};
  if (std::optional<ExecResult> r = c->try_run(stmt, sink)) co_return *r;
  co_return co_await wait_out_busy(*c, stmt, sink, busy_timeout_);
}

Task<ConnectionLease> SqliteBackend::acquire() {
  WaitTurn turn(this, true);
  SqliteConnection* c = co_await turn;
  std::shared_ptr<SqliteBackend> self = shared_from_this();
  std::shared_ptr<void> token(static_cast<void*>(c), [self](void* p) {
    self->give_back(static_cast<SqliteConnection*>(p));
  });
  co_return ConnectionLease(std::move(token), c);
}

Task<std::unique_ptr<Cursor>> SqliteBackend::open_cursor(Statement stmt, Connection* pinned) {
  ConnectionLease lease;
  auto* c = static_cast<SqliteConnection*>(pinned);
  if (c == nullptr) {
    lease = co_await acquire();
    c = static_cast<SqliteConnection*>(lease.get());
  }
  auto cursor = std::make_unique<SqliteCursor>(shared_from_this(), std::move(lease), c, std::move(stmt));
  SqliteCursor* raw = cursor.get();
  if (c->worker)
    co_await run_on(*c->worker, [raw] { raw->start(); });
  else
    raw->start();
  co_return std::unique_ptr<Cursor>(std::move(cursor));
}

Task<void> SqliteBackend::close() {
  if (closed_) co_return;
  closed_ = true;  // from now on WaitTurn raises
  if (free_.size() != conns_.size() || open_cursors_ != 0 || shared_in_flight_ != 0)
    co_await DrainAwaiter{&close_waiter_, &close_waiting_};
  for (auto& c : conns_) {
    if (c->worker) {
      SqliteConnection* raw = c.get();
      co_await run_on(*c->worker, [raw] { raw->close(); });
      c->worker = nullptr;
    } else {
      c->close();
    }
  }
  workers_.reset();
}

}  // namespace aorm::detail::sqlite
