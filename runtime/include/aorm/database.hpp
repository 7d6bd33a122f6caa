// aorm/database.hpp — opening databases, the Database handle, transactions (API.md §6).
//
//   aorm::Database db = co_await aorm::aconnect("sqlite:blog.db");
//   co_await db.acreate_tables(blog::app);
//   co_await db.aexecute("UPDATE blog_article SET views = ? WHERE id = ?", 0, 7);
//   co_await aorm::atomic([&]() -> aorm::Task<void> { ... });   // BEGIN IMMEDIATE ... COMMIT
//
// Databases are registered under an alias ("default" unless ConnectOptions::alias says
// otherwise); the query layer finds them with detail::database(alias). The alias is
// released by aclose() or when the last handle goes away.
#pragma once

#include <chrono>
#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "aorm/detail/backend.hpp"
#include "aorm/detail/context.hpp"
#include "aorm/errors.hpp"
#include "aorm/meta.hpp"
#include "aorm/task.hpp"
#include "aorm/types.hpp"
#include "aorm/value.hpp"

namespace aorm {

/// Where a SQLite connection's statements run. Either way a lock held by another
/// connection or process is waited out without blocking the event loop, for up to
/// ConnectOptions::busy_timeout, then the statement raises OperationalError
/// ("database is locked").
enum class Execution {
  workers,  // each connection has its own worker thread; the loop never blocks on SQLite;
            // a busy database is waited out on the worker (SQLite's busy handler)
  inline_,  // statements run synchronously on the loop thread (lowest latency); a busy
            // database makes SQLite return at once and the statement is retried after
            // aorm::sleep() with backoff, so other tasks keep running meanwhile
};

/// Options of aconnect(). Trivially destructible on purpose (g++ 12 destroys a braced
/// temporary inside a co_await twice: TOOLCHAIN.md, bug 2), so `alias` is a view: it must
/// outlive the aconnect() call (a string literal, or a string alive until the co_await ends).
struct ConnectOptions {
  int pool_size = 0;  // 0: backend default (sqlite file: 4 with workers, 1 inline; :memory: 1)
  std::string_view alias = "default";
  Execution execution = Execution::workers;
  std::chrono::milliseconds busy_timeout{5000};  // how long to wait for another's lock
};
static_assert(std::is_trivially_destructible_v<ConnectOptions>);

/// Isolation level of a transaction (AtomicOptions::isolation). SQLite transactions are
/// always serializable, which satisfies every level, so SQLite accepts them all and
/// changes nothing; PostgreSQL begins with `BEGIN ISOLATION LEVEL ...`.
enum class Isolation : unsigned char {
  default_,  // the database's default (PostgreSQL: read committed; SQLite: serializable)
  read_committed,
  repeatable_read,
  serializable,
};

/// Options of atomic(). Trivially destructible (g++ 12, TOOLCHAIN.md bug 2).
struct AtomicOptions {
  /// Refuse to nest: raises TransactionManagementError when the block would run inside
  /// another atomic() on the same database (so its COMMIT is really durable; Django's
  /// durable=True).
  bool durable = false;
  /// Only for an outermost block; a nested block asking for a different level than its
  /// transaction raises TransactionManagementError.
  Isolation isolation = Isolation::default_;
};
static_assert(std::is_trivially_destructible_v<AtomicOptions>);

class Database;
struct Migrations;     // aorm/migrate.hpp
struct MigrateReport;  // aorm/migrate.hpp

namespace detail {
struct DatabaseState;
/// The open database registered under `alias`; ConfigError naming the alias when none is.
Database database(std::string_view alias);
/// The one way the query layer runs SQL: on the pinned connection when the context current
/// at the call holds a transaction on this database, else on a pooled one (so call it where
/// you await it). Logs (AORM_LOG_SQL=1) and feeds every live QueryCapture. `db`, `stmt` and
/// whatever `sink` refers to must stay alive until the task completes.
Task<ExecResult> execute(const Database& db, const Statement& stmt, RowSink sink = {});
/// Opens a cursor (same routing, logging and capture as execute()).
Task<std::unique_ptr<Cursor>> open_cursor(const Database& db, Statement stmt);
Task<std::int64_t> execute_rows(Database db, Statement stmt);
Task<void> atomic_impl(std::optional<Database> db, std::function<Task<void>()> body, AtomicOptions opts);
}  // namespace detail

/// A cheap, copyable handle to an open database (a connection pool). Copies share the pool.
/// A default-constructed handle refers to no database (every call raises ConfigError).
class Database {
 public:
  Database() = default;

  /// The SQL dialect of the backend.
  Dialect dialect() const;
  /// The alias it was opened under ("default" unless given).
  std::string_view alias() const;

  /// Waits for work in flight (statements, open transactions, cursors, and tasks already
  /// queued for a connection), closes every connection and releases the alias. Later calls
  /// on any copy of this handle raise OperationalError. Idempotent. Raises
  /// TransactionManagementError when awaited inside a transaction on this database (it
  /// would wait for itself).
  Task<void> aclose() const;

  /// Runs one raw SQL statement with `?` placeholders bound to `params` (each converted
  /// with aorm::to_value) and returns the number of rows it changed.
  template <class... P>
  Task<std::int64_t> aexecute(std::string sql, const P&... params) const {
    Statement stmt{std::move(sql), {}};
    stmt.params.reserve(sizeof...(P));
    (stmt.params.push_back(to_value(params)), ...);
    return detail::execute_rows(*this, std::move(stmt));
  }

  /// Executes `app`'s DDL for this database's dialect, all in one transaction.
  Task<void> acreate_tables(const App& app) const;

  /// Applies `migrations` (aorm/migrate.hpp: one transaction per migration, concurrent
  /// migrators apply each once): all that are missing when `target` is empty, else forwards or
  /// backwards to the migration named `target` ("zero": every one undone). Raises
  /// MigrationError for a failing migration (rolled back), ConfigError for an unknown target
  /// or an applied migration the list does not know.
  Task<MigrateReport> amigrate(const Migrations& migrations, std::string_view target = {}) const;

  /// The backend (for the query layer and tests).
  std::shared_ptr<detail::Backend> backend() const;
  /// Same, without touching the reference count (valid while this handle lives).
  detail::Backend* backend_ptr() const;

  explicit operator bool() const noexcept { return state_ != nullptr; }
  friend bool operator==(const Database& a, const Database& b) noexcept { return a.state_ == b.state_; }

 private:
  friend struct detail::DatabaseState;
  friend Task<Database> aconnect(std::string url, ConnectOptions opts);
  friend Database detail::database(std::string_view alias);
  explicit Database(std::shared_ptr<detail::DatabaseState> s) noexcept : state_(std::move(s)) {}
  const detail::DatabaseState& state() const;

  std::shared_ptr<detail::DatabaseState> state_;
};

/// Opens a database: "sqlite:PATH" (also "sqlite:///abs/path"), "sqlite::memory:" (a
/// private in-memory database shared by the pool's connections), or
/// "postgresql://user@host:port/db" (when built with AORM_WITH_POSTGRES). Registers it under
/// opts.alias. Raises ConfigError for a malformed URL, an unknown scheme, or an alias that
/// is already open; OperationalError when the database cannot be opened.
Task<Database> aconnect(std::string url, ConnectOptions opts = {});

namespace detail {
template <class T>
struct task_value;
template <class T>
struct task_value<Task<T>> {
  using type = T;
};
template <class T>
inline constexpr bool is_task_v = false;
template <class T>
inline constexpr bool is_task_v<Task<T>> = true;
template <class Fn>
using atomic_result_t = typename task_value<std::invoke_result_t<Fn&>>::type;

template <class Fn>
Task<atomic_result_t<Fn>> atomic_returning(std::optional<Database> db, Fn fn, AtomicOptions opts) {
  std::optional<atomic_result_t<Fn>> out;
  std::function<Task<void>()> body = [&out, &fn]() -> Task<void> { out.emplace(co_await fn()); };
  co_await atomic_impl(std::move(db), std::move(body), opts);
  co_return std::move(*out);
}

template <class Fn>
auto run_atomic(std::optional<Database> db, Fn fn, AtomicOptions opts) {
  if constexpr (std::is_void_v<atomic_result_t<Fn>>) {
    return atomic_impl(std::move(db), std::function<Task<void>()>(std::move(fn)), opts);
  } else {
    return atomic_returning(std::move(db), std::move(fn), opts);
  }
}
}  // namespace detail

/// What atomic() runs: a callable without arguments that returns an aorm::Task, i.e. a
/// coroutine lambda with its return type spelt out: `[&]() -> aorm::Task<void> { ... }`.
/// (A lambda's return type is not deduced from co_await, and one without co_await returns
/// a plain value that atomic() cannot await.)
template <class Fn>
concept transaction_body = std::invocable<Fn&> && detail::is_task_v<std::invoke_result_t<Fn&>>;

#define AORM_DETAIL_ATOMIC_BODY_MESSAGE                                                        \
  "aorm::atomic() takes a coroutine that returns aorm::Task: write the lambda as "             \
  "[&]() -> aorm::Task<void> { ... co_await ...; } (or -> aorm::Task<T> to return a value)"

/// Runs `fn()` (a callable returning Task<void> or Task<T>) in a transaction on `db` and
/// returns fn's value.
///
/// - Outermost block: leases one connection for the whole block and begins (SQLite:
///   `BEGIN IMMEDIATE`, so the write lock is taken up front and a later write cannot fail
///   with a lock upgrade; a lock held elsewhere is waited out up to
///   ConnectOptions::busy_timeout, then OperationalError). COMMIT when fn completes;
///   ROLLBACK and rethrow when it throws (or when COMMIT fails).
/// - Every query awaited inside — however deep, in tasks started with gather() or spawn()
///   inside the block too — runs on that connection: the transaction never waits for a
///   second connection of the pool.
/// - Nested atomic() on the same database makes a SAVEPOINT; an exception rolls back to
///   it alone and propagates (catch it to keep the outer work).
/// - Concurrent tasks inside one transaction take turns (detail/transaction.hpp): while a
///   nested block of one task is open, statements and nested blocks of the other tasks of
///   the transaction wait for it to end. Corollary: a nested block must not await a task
///   that issues statements in an outer block (that would wait for ever).
/// - A task spawned inside the block must be awaited before the block ends; if it
///   outlives it, its next statement raises TransactionManagementError.
/// - Cancellation: if the task running atomic() is destroyed before it finishes (loop
///   shutdown), the transaction is rolled back and the connection returns to the pool.
template <class Fn>
  requires std::invocable<Fn&>
auto atomic(Database db, Fn fn, AtomicOptions opts = {}) {
  if constexpr (!transaction_body<Fn>) {
    static_assert(transaction_body<Fn>, AORM_DETAIL_ATOMIC_BODY_MESSAGE);
    return Task<void>();
  } else {
    return detail::run_atomic(std::optional<Database>(std::move(db)), std::move(fn), opts);
  }
}

/// atomic() on the database of the enclosing transaction, else on the "default" database.
template <class Fn>
  requires std::invocable<Fn&>
auto atomic(Fn fn, AtomicOptions opts = {}) {
  if constexpr (!transaction_body<Fn>) {
    static_assert(transaction_body<Fn>, AORM_DETAIL_ATOMIC_BODY_MESSAGE);
    return Task<void>();
  } else {
    return detail::run_atomic(std::nullopt, std::move(fn), opts);
  }
}
#undef AORM_DETAIL_ATOMIC_BODY_MESSAGE

/// Runs `fn` after the outermost transaction of the current task commits (after the
/// connection went back to the pool); never when it rolls back (a rolled-back savepoint
/// discards the callbacks registered inside it, not those of sibling tasks). Outside any
/// transaction, runs `fn` now. Raises TransactionManagementError from a task whose atomic()
/// block has already ended.
void on_commit(std::function<void()> fn);

}  // namespace aorm
