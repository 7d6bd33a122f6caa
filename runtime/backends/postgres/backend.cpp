#include "postgres/backend.hpp"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "aorm/errors.hpp"
#include "aorm/runtime.hpp"
#include "postgres/connection.hpp"
#include "postgres/wait_list.hpp"

namespace aorm::detail::postgres {
namespace {

/// The pool: a fixed number of slots, each holding a connection that is opened at start
/// and reopened on the first use after it failed.
///
/// Threads: loop thread only (see make_postgres_backend). Slots never move (the vector
/// is sized once), so leases and cursors refer to them by index.
class PgBackend final : public Backend, public std::enable_shared_from_this<PgBackend> {
 public:
  PgBackend(ConnectParams params, std::size_t size) : params_(std::move(params)), slots_(size) {}

  /// Opens every slot's connection concurrently; raises the first failure.
  Task<void> connect_all() {
    std::vector<Task<void>> connects;
    for (std::size_t i = 0; i < slots_.size(); ++i) connects.push_back(reconnect(i));
    co_await gather(std::move(connects));
  }

  Dialect dialect() const noexcept override { return Dialect::postgres; }

  Task<ExecResult> execute(const Statement& stmt, RowSink sink, Connection* pinned) override {
    if (pinned != nullptr) {
      // Inside a transaction: the caller holds the lease; never wait for the pool.
      auto* c = static_cast<PgConnection*>(pinned);
      co_return co_await PgConnection::execute(c->shared_from_this(), stmt, sink);
    }
    Taken taken = co_await take(Use::shared);
    co_return co_await PgConnection::execute(std::move(taken.conn), stmt, sink);
  }

  Task<ConnectionLease> acquire() override {
    Taken taken = co_await take(Use::exclusive);
    PgConnection* c = taken.conn.get();
    std::shared_ptr<void> token(static_cast<void*>(c),
                                [self = shared_from_this(), i = taken.slot](void*) { self->release(i); });
    co_return ConnectionLease(std::move(token), c);
  }

  Task<std::unique_ptr<Cursor>> open_cursor(Statement stmt, Connection* pinned) override;

  Task<void> close() override {
    if (closed_) co_return;
    closed_ = true;
    changes_.wake_all();  // tasks waiting in take() raise now
    while (busy()) co_await changes_.wait();
    for (Slot& s : slots_) {
      while (s.conn != nullptr && s.conn->in_flight() > 0) co_await s.conn->idle_waiters().wait();
      s.conn.reset();  // PQfinish
    }
  }

  // -- for cursors --
  void cursor_opened() noexcept { ++cursors_; }
  void cursor_closed() noexcept {
    --cursors_;
    changes_.wake_all();
  }
  std::uint64_t next_cursor_number() noexcept { return ++cursor_numbers_; }

  PostgresPoolStats stats() const noexcept {
    PostgresPoolStats out{slots_.size(), 0, 0};
    for (const Slot& s : slots_) {
      out.leased += s.leased ? 1 : 0;
      if (s.conn) out.max_in_flight = std::max(out.max_in_flight, s.conn->max_in_flight());
    }
    return out;
  }

 private:
  struct Slot {
    std::shared_ptr<PgConnection> conn;  // null or unusable: reopen on next use
    bool leased = false;
    bool connecting = false;
  };
  enum class Use { shared, exclusive };
  struct Taken {
    std::size_t slot;
    std::shared_ptr<PgConnection> conn;
  };

  /// Picks a slot for one statement (shared: pipelined with others) or for a lease
  /// (exclusive: marked leased, granted once its pipeline is empty). Prefers an idle
  /// usable connection, then reopening a failed one, then the least loaded; waits when
  /// every slot is leased or connecting. Raises OperationalError when the backend is
  /// closed or a reconnect fails (the slot stays empty for the next try). The caller
  /// submits on the connection without suspending in between, so close() either sees the
  /// statement in flight or take() sees close() started.
  Task<Taken> take(Use use) {
    for (;;) {
      if (closed_) throw OperationalError("the database is closed", {}, "postgresql");
      std::size_t best = npos, dead = npos;
      for (std::size_t i = 0; i < slots_.size(); ++i) {
        Slot& s = slots_[i];
        if (s.leased || s.connecting) continue;
        if (s.conn != nullptr && s.conn->usable()) {
          if (best == npos || s.conn->in_flight() < slots_[best].conn->in_flight()) best = i;
        } else if (dead == npos) {
          dead = i;
        }
      }
      std::size_t pick = npos;
      if (best != npos && slots_[best].conn->in_flight() == 0)
        pick = best;
      else if (dead != npos)
        pick = dead;
      else
        pick = best;
      if (pick == npos) {
        co_await changes_.wait();
        continue;
      }
      if (pick == best && !slots_[best].conn->probe()) continue;  // found dead: now a slot to reopen
      Slot& s = slots_[pick];
      if (use == Use::exclusive) s.leased = true;
      try {
        // A leased slot may need several rounds: its connection can fail while it drains.
        for (;;) {
          if (s.conn == nullptr || !s.conn->usable()) co_await reconnect(pick);
          if (use == Use::shared || s.conn->in_flight() == 0) break;
          co_await s.conn->idle_waiters().wait();
        }
        if (closed_) throw OperationalError("the database is closed", {}, "postgresql");
      } catch (...) {
        if (use == Use::exclusive) release(pick);
        throw;
      }
      co_return Taken{pick, s.conn};
    }
  }

  /// (Re)opens slot `i`'s connection. Other tasks skip the slot meanwhile.
  Task<void> reconnect(std::size_t i) {
    slots_[i].connecting = true;
    slots_[i].conn.reset();
    std::exception_ptr failed;
    try {
      slots_[i].conn = co_await PgConnection::open(params_);
    } catch (...) {
      failed = std::current_exception();
    }
    slots_[i].connecting = false;
    changes_.wake_all();
    if (failed) std::rethrow_exception(failed);
  }

  /// A lease ends. A connection given back inside a transaction block (an interrupted
  /// atomic()) is rolled back before anyone else can use it.
  void release(std::size_t i) noexcept {
    Slot& s = slots_[i];
    s.leased = false;
    if (s.conn != nullptr && s.conn->usable() && s.conn->in_flight() == 0 && s.conn->in_transaction())
      s.conn->send_detached("ROLLBACK");
    changes_.wake_all();
  }

  bool busy() const noexcept {
    for (const Slot& s : slots_)
      if (s.leased || s.connecting) return true;
    return cursors_ > 0;
  }

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

  ConnectParams params_;
  std::vector<Slot> slots_;
  WaitList changes_;  // woken when a lease ends, a connect finishes, a cursor closes
  std::size_t cursors_ = 0;
  std::uint64_t cursor_numbers_ = 0;
  bool closed_ = false;
};

/// A server-side cursor (see make_postgres_backend). Holds its connection, and the lease
/// of it when the cursor opened its own transaction.
class PgCursor final : public Cursor {
 public:
  PgCursor(std::shared_ptr<PgBackend> backend, ConnectionLease lease, std::shared_ptr<PgConnection> conn,
           std::string name)
      : backend_(std::move(backend)), lease_(std::move(lease)), conn_(std::move(conn)), name_(std::move(name)) {
    backend_->cursor_opened();
  }
  PgCursor(const PgCursor&) = delete;
  PgCursor& operator=(const PgCursor&) = delete;

  ~PgCursor() override {
    // The cursor's own transaction ends with COMMIT (which also closes the cursor), queued
    // before the lease goes back, so whoever leases the connection next starts after it.
    // A cursor on a pinned connection is closed when the caller's transaction ends: an
    // explicit CLOSE could fail (a savepoint rolled back since the DECLARE) and would
    // then abort the caller's transaction.
    // TODO(perf): CLOSE pinned cursors early when that cannot fail, to free server memory
    // in long transactions that open many cursors.
    if (lease_) conn_->send_detached("COMMIT");
    lease_ = ConnectionLease{};
    backend_->cursor_closed();
  }

  Task<bool> fetch(std::size_t max_rows, RowSink sink) override {
    if (done_) co_return false;
    if (max_rows == 0) co_return true;
    const Statement fetch{"FETCH FORWARD " + std::to_string(max_rows) + " FROM " + name_, {}};
    std::size_t delivered = 0;
    auto counting = [&](const RowReader& row) {
      ++delivered;
      sink(row);
    };
    try {
      co_await PgConnection::execute(conn_, fetch, counting);
    } catch (...) {
      done_ = true;
      throw;
    }
    if (delivered < max_rows) done_ = true;
    co_return !done_;
  }

 private:
  std::shared_ptr<PgBackend> backend_;
  ConnectionLease lease_;
  std::shared_ptr<PgConnection> conn_;
  std::string name_;
  bool done_ = false;
};

Task<std::unique_ptr<Cursor>> PgBackend::open_cursor(Statement stmt, Connection* pinned) {
  ConnectionLease lease;
  auto* c = static_cast<PgConnection*>(pinned);
  if (c == nullptr) {
    lease = co_await acquire();
    c = static_cast<PgConnection*>(lease.get());
    const Statement begin{"BEGIN", {}};
    co_await PgConnection::execute(c->shared_from_this(), begin, {});
  }
  // If the DECLARE fails, the lease goes back inside the failed transaction and
  // release() rolls it back.
  std::string name = "aorm_cursor_" + std::to_string(next_cursor_number());
  const Statement declare{"DECLARE " + name + " NO SCROLL CURSOR FOR " + stmt.sql, std::move(stmt.params)};
  co_await PgConnection::execute(c->shared_from_this(), declare, {});
  co_return std::make_unique<PgCursor>(shared_from_this(), std::move(lease), c->shared_from_this(), std::move(name));
}

}  // namespace
}  // namespace aorm::detail::postgres

namespace aorm::detail {

Task<std::shared_ptr<Backend>> make_postgres_backend(std::string conninfo, int pool_size,
                                                     std::chrono::milliseconds connect_timeout) {
  postgres::ConnectParams params = postgres::parse_conninfo(conninfo, connect_timeout);
  const auto size = static_cast<std::size_t>(pool_size > 0 ? pool_size : 4);
  auto backend = std::make_shared<postgres::PgBackend>(std::move(params), size);
  co_await backend->connect_all();
  co_return backend;
}

PostgresPoolStats postgres_pool_stats(const Backend& backend) {
  return dynamic_cast<const postgres::PgBackend&>(backend).stats();
}

}  // namespace aorm::detail
