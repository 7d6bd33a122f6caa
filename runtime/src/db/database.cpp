// Database handles, aconnect() and URL parsing, the alias registry, statement routing
// (transaction pinning, AORM_LOG_SQL, QueryCapture) and atomic().
#include "aorm/database.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <coroutine>
#include <cstdint>
#include <map>
#include <mutex>

#include "aorm/capture.hpp"
#include "aorm/detail/loop.hpp"
#include "aorm/detail/sql/dialect.hpp"
#include "aorm/detail/transaction.hpp"
#include "aorm/url.hpp"
#include "db/open.hpp"

namespace aorm {

namespace detail {

/// What every copy of one Database handle shares. Destroying it (the last handle gone)
/// releases the alias; the backend closes when nothing else (a lease, a cursor) uses it.
struct DatabaseState {
  std::shared_ptr<Backend> backend;
  std::string alias;
  ~DatabaseState();
};

namespace {

/// alias → open database. Guarded by a mutex: databases may be opened on several loops.
struct Registry {
  std::mutex mutex;
  std::map<std::string, std::weak_ptr<DatabaseState>, std::less<>> by_alias;
  // Bumped (under `mutex`) whenever by_alias changes, so database() can reuse a thread's
  // last lookup without the lock while the registry is unchanged.
  std::atomic<std::uint64_t> generation{1};
};

Registry& registry() {
  static Registry r;
  return r;
}

/// Removes `alias` from the registry if it still names `state`.
void release_alias(const std::string& alias, const DatabaseState* state) noexcept {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.by_alias.find(alias);
  if (it == r.by_alias.end()) return;
  auto live = it->second.lock();
  if (!live || live.get() == state) {
    r.by_alias.erase(it);
    r.generation.fetch_add(1, std::memory_order_release);
  }
}

}  // namespace

DatabaseState::~DatabaseState() { release_alias(alias, this); }

Database database(std::string_view alias) {
  auto& r = registry();
  // This thread's last lookup, reused while the registry's generation has not moved (perf:
  // every query resolves its database by alias; this skips the mutex and the map search).
  struct Last {
    std::uint64_t generation = 0;
    std::string alias;
    std::weak_ptr<DatabaseState> state;
  };
  thread_local Last last;
  if (last.generation == r.generation.load(std::memory_order_acquire) && last.alias == alias) {
    if (auto s = last.state.lock()) return Database(std::move(s));
  }
  std::lock_guard lock(r.mutex);
  auto it = r.by_alias.find(alias);
  if (it != r.by_alias.end()) {
    if (auto s = it->second.lock()) {
      last.generation = r.generation.load(std::memory_order_relaxed);  // stable under the mutex
      last.alias.assign(alias);
      last.state = it->second;
      return Database(std::move(s));
    }
  }
  throw ConfigError("no database is open under the alias '" + std::string(alias) +
                    "' (open one with aorm::aconnect(url, {.alias = \"" + std::string(alias) + "\"}))");
}

}  // namespace detail

// ---- Database ------------------------------------------------------------------------------

const detail::DatabaseState& Database::state() const {
  if (!state_) throw ConfigError("this aorm::Database handle refers to no database");
  return *state_;
}

Dialect Database::dialect() const { return state().backend->dialect(); }
std::string_view Database::alias() const { return state().alias; }
std::shared_ptr<detail::Backend> Database::backend() const { return state().backend; }
detail::Backend* Database::backend_ptr() const { return state().backend.get(); }

namespace {

// The alias stays registered until the backend has drained, so that work in flight (a
// transaction's next statement through Article::objects, say) still finds its database.
Task<void> close_database(std::shared_ptr<detail::DatabaseState> s) {
  if (!s) co_return;
  try {
    co_await s->backend->close();
  } catch (...) {
    detail::release_alias(s->alias, s.get());
    throw;
  }
  detail::release_alias(s->alias, s.get());
}

Task<void> create_tables(Database db, const App& app) {
  co_await atomic(db, [&db, &app]() -> Task<void> {
    for (std::string_view ddl : detail::sql::ops(db.dialect()).ddl(app)) {
      Statement stmt{std::string(ddl), {}};
      co_await detail::execute(db, stmt);
    }
  });
}

}  // namespace

Task<void> Database::aclose() const {
  if (state_ && detail::transaction_on(detail::current_context().get(), state_->backend.get()))
    throw TransactionManagementError("Database::aclose() inside an atomic() block on the same database "
                                     "would wait for its own transaction to end; close it after the block");
  return close_database(state_);
}

Task<void> Database::acreate_tables(const App& app) const {
  state();  // a null handle raises here, not when awaited
  return create_tables(*this, app);
}

// ---- aconnect ------------------------------------------------------------------------------

// Every message about a URL shows it through redact_url(): services log exception
// messages, and a URL may hold a password (docs/security.md).
void detail::bad_url(const std::string& url, std::string_view why) {
  throw ConfigError("invalid database URL '" + redact_url(url) + "': " + std::string(why));
}

namespace {

#ifndef AORM_WITH_POSTGRES
Task<std::shared_ptr<detail::Backend>> postgres_not_built(std::string url, const ConnectOptions&) {
  throw ConfigError("PostgreSQL backend not built (configure aorm with -DAORM_WITH_POSTGRES=ON): '" + redact_url(url) +
                    "'");
  co_return nullptr;
}
#endif

/// The backends aconnect() knows, by URL scheme; each parses its own URL (db/open.hpp).
struct Scheme {
  std::string_view name;
  detail::BackendOpener open;
};
#ifdef AORM_WITH_POSTGRES
constexpr detail::BackendOpener open_postgres = &detail::open_postgres;
#else
constexpr detail::BackendOpener open_postgres = &postgres_not_built;
#endif
constexpr Scheme schemes[] = {
    {"sqlite", &detail::open_sqlite},
    {"postgresql", open_postgres},
    {"postgres", open_postgres},
};

}  // namespace

Task<Database> aconnect(std::string url, ConnectOptions opts) {
  detail::refresh_log_sql();
  if (opts.alias.empty()) throw ConfigError("database alias must not be empty");
  if (opts.pool_size < 0)
    throw ConfigError("pool_size must be positive (or 0 for the default), got " +
                      std::to_string(opts.pool_size));
  const std::string alias(opts.alias);  // opts.alias is a view into the caller's frame

  // A scheme is a letter, then letters, digits, '+', '-', '.' (RFC 3986). Anything else
  // before the first ':' ("password=pw host=db:5432", a conninfo string) is no scheme, and
  // is not repeated in the message.
  const std::size_t colon = url.find(':');
  const auto scheme_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
  };
  if (colon == std::string::npos || colon == 0 || !std::isalpha(static_cast<unsigned char>(url[0])) ||
      !std::all_of(url.begin(), url.begin() + static_cast<std::ptrdiff_t>(colon), scheme_char))
    detail::bad_url(url, "expected a scheme (sqlite:PATH, sqlite::memory:, postgresql://...)");
  const std::string scheme = url.substr(0, colon);

  // Check the alias before opening anything (and again after, in case of a race).
  {
    auto& r = detail::registry();
    std::lock_guard lock(r.mutex);
    auto it = r.by_alias.find(alias);
    if (it != r.by_alias.end() && !it->second.expired())
      throw ConfigError("a database is already open under the alias '" + alias +
                        "' (close it first, or pass another alias)");
  }

  const Scheme* found = nullptr;
  for (const Scheme& s : schemes)
    if (s.name == scheme) found = &s;
  if (!found)
    throw ConfigError("unknown database scheme '" + scheme + "' in URL '" + redact_url(url) +
                      "' (supported: sqlite, postgresql)");
  std::shared_ptr<detail::Backend> backend = co_await found->open(url, opts);

  auto state = std::make_shared<detail::DatabaseState>();
  state->backend = std::move(backend);
  state->alias = alias;
  {
    auto& r = detail::registry();
    std::lock_guard lock(r.mutex);
    auto& slot = r.by_alias[alias];
    if (!slot.expired()) {
      state->alias.clear();  // so its destructor leaves the live entry alone
      throw ConfigError("a database is already open under the alias '" + alias + "'");
    }
    slot = state;
    r.generation.fetch_add(1, std::memory_order_release);
  }
  co_return Database(std::move(state));
}

// ---- statement routing -----------------------------------------------------------------------

namespace detail {
namespace {

bool observed() noexcept { return capture_active() || log_sql_enabled(); }

void observe(const Statement& stmt, std::chrono::steady_clock::time_point start,
             std::string_view alias, std::exception_ptr error) {
  const auto elapsed = std::chrono::steady_clock::now() - start;
  if (capture_active()) capture_record(stmt, elapsed);
  if (log_sql_enabled()) {
    std::string what;
    if (error) {
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        what = e.what();
      } catch (...) {
        what = "unknown error";
      }
    }
    log_sql(stmt, elapsed, alias, error ? what.c_str() : nullptr);
  }
}

/// Runs `stmt` on `backend` (`pinned` or pooled), logging and capturing when asked.
Task<ExecResult> run_statement(Backend& backend, std::string_view alias, const Statement& stmt,
                               RowSink sink, Connection* pinned) {
  if (!observed()) co_return co_await backend.execute(stmt, sink, pinned);
  const auto start = std::chrono::steady_clock::now();
  std::exception_ptr error;
  ExecResult result;
  try {
    result = co_await backend.execute(stmt, sink, pinned);
  } catch (...) {
    error = std::current_exception();
  }
  observe(stmt, start, alias, error);
  if (error) std::rethrow_exception(error);
  co_return result;
}

/// Waits until `block` owns its transaction's connection (detail/transaction.hpp), then
/// refuses to go on in a broken transaction. Returns the pinned connection.
Task<Connection*> enter_block(const Context* block) {
  const std::shared_ptr<TransactionState>& tx = block->tx;
  if (!tx->has_turn(block)) co_await TransactionState::wait_turn(tx, block);
  tx->require_usable();
  co_return block->connection;
}

/// execute() inside a transaction block: on the pinned connection once it is the block's
/// turn; a statement that fails marks the transaction broken (Django's needs_rollback), on
/// both backends alike (PostgreSQL would refuse the next statement anyway, SQLite would not).
Task<ExecResult> execute_in_block(const Database& db, const Statement& stmt, RowSink sink, const Context* block) {
  const std::shared_ptr<TransactionState> tx = block->tx;
  Connection* const pinned = co_await enter_block(block);
  try {
    co_return co_await run_statement(*db.backend_ptr(), db.alias(), stmt, sink, pinned);
  } catch (const DatabaseError&) {
    tx->broken = true;
    throw;
  }
}

}  // namespace

// Not a coroutine: the backend's task is returned as is, so the common path costs one
// coroutine frame, not two. The routing is therefore decided by the context current when
// execute() is called (which is where the caller awaits it, in every use in aorm).
Task<ExecResult> execute(const Database& db, const Statement& stmt, RowSink sink) {
  Backend* backend = db.backend_ptr();
  if (const Context* block = transaction_on(current_context().get(), backend))
    return execute_in_block(db, stmt, sink, block);
  if (!observed()) return backend->execute(stmt, sink, nullptr);
  return run_statement(*backend, db.alias(), stmt, sink, nullptr);
}

Task<std::unique_ptr<Cursor>> open_cursor(const Database& db, Statement stmt) {
  Backend* backend = db.backend_ptr();
  Connection* pinned = nullptr;
  std::shared_ptr<TransactionState> tx;
  if (const Context* block = transaction_on(current_context().get(), backend)) {
    tx = block->tx;
    pinned = co_await enter_block(block);
  }
  const bool watched = observed();
  const Statement copy = watched ? stmt : Statement{};  // the backend takes the original
  const auto start = std::chrono::steady_clock::now();
  std::exception_ptr error;
  std::unique_ptr<Cursor> cursor;
  try {
    cursor = co_await backend->open_cursor(std::move(stmt), pinned);
  } catch (const DatabaseError&) {
    if (tx) tx->broken = true;  // as execute_in_block
    error = std::current_exception();
  } catch (...) {
    error = std::current_exception();
  }
  if (watched) observe(copy, start, db.alias(), error);
  if (error) std::rethrow_exception(error);
  co_return cursor;
}

Task<std::int64_t> execute_rows(Database db, Statement stmt) {
  const ExecResult r = co_await execute(db, stmt);
  co_return r.rows_affected;
}

// ---- atomic ----------------------------------------------------------------------------------

namespace {

/// `co_await TurnAwaiter{w, tx}`: queues `w` on `tx` until wake_waiters() resumes it.
struct TurnAwaiter {
  TransactionState::TurnWaiter& waiter;
  TransactionState& tx;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    waiter.handle = h;
    waiter.loop = &EventLoop::require_current("aorm::atomic");
    waiter.owner = &tx;
    tx.waiters.push_back(&waiter);
  }
  void await_resume() const noexcept {}
};

}  // namespace

void TransactionState::require_usable() const {
  if (broken)
    throw TransactionManagementError(
        "An error occurred in the current transaction. You can't execute queries until the end "
        "of the 'atomic' block.");
}

void TransactionState::wake_waiters() noexcept {
  for (TurnWaiter* w : waiters) {
    w->owner = nullptr;
    w->loop->schedule(w->handle);
  }
  waiters.clear();
}

Task<void> TransactionState::wait_turn(std::shared_ptr<TransactionState> self, const Context* block) {
  for (;;) {
    if (!self->is_open(block))
      throw TransactionManagementError(
          "a statement (or atomic(), on_commit()) came from a task started inside an atomic() block "
          "that has already ended; await the tasks you spawn inside a block before it ends");
    if (self->has_turn(block)) co_return;
    TurnWaiter waiter;
    co_await TurnAwaiter{waiter, *self};
  }
}

namespace {

Task<void> control(Backend& backend, std::string_view alias, Connection* conn, std::string sql) {
  const Statement stmt{std::move(sql), {}};
  co_await run_statement(backend, alias, stmt, {}, conn);
}

/// The alias under which `backend` is registered (for the SQL log), or "?".
std::string alias_of(const Backend* backend) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  for (const auto& [alias, weak] : r.by_alias)
    if (auto s = weak.lock(); s && s->backend.get() == backend) return alias;
  return "?";
}

/// Runs `body` under `ctx`, capturing its exception instead of throwing. `body()` itself is
/// called with `ctx` as the running context, so a body that is not a coroutine (or code
/// before its first suspension) sees the transaction too.
Task<std::exception_ptr> run_body(std::shared_ptr<Context> ctx, const std::function<Task<void>()>& body) {
  Task<void> task;
  const std::shared_ptr<Context>* const saved = running_context;
  running_context = &ctx;
  try {
    task = body();
  } catch (...) {
    running_context = saved;
    co_return std::current_exception();
  }
  running_context = saved;
  try {
    co_await with_context(std::move(ctx), std::move(task));
  } catch (...) {
    co_return std::current_exception();
  }
  co_return nullptr;
}

/// Keeps a block on its transaction's stack of open blocks for its scope (so it survives
/// an exception from a control statement, and a frame destroyed at loop shutdown); when the
/// block ends, the tasks waiting for their turn re-check it.
class OpenBlock {
 public:
  OpenBlock(std::shared_ptr<TransactionState> tx, const Context* block) : tx_(std::move(tx)), block_(block) {
    tx_->blocks.push_back(block_);
  }
  OpenBlock(const OpenBlock&) = delete;
  OpenBlock& operator=(const OpenBlock&) = delete;
  ~OpenBlock() { end(); }
  void end() noexcept {
    if (!tx_) return;
    std::erase(tx_->blocks, block_);
    tx_->wake_waiters();
    tx_.reset();
  }

 private:
  std::shared_ptr<TransactionState> tx_;
  const Context* block_;
};

// The dialect's BEGIN for `isolation` (Ops::begin).
std::string begin_sql(Dialect dialect, Isolation isolation) { return sql::ops(dialect).begin(isolation); }

std::shared_ptr<Context> block_context(const std::shared_ptr<Context>& parent, std::shared_ptr<Backend> backend,
                                       std::shared_ptr<TransactionState> tx) {
  auto ctx = std::make_shared<Context>();
  ctx->parent = parent;
  ctx->db = std::move(backend);
  ctx->connection = tx->connection;
  ctx->tx = std::move(tx);
  return ctx;
}

/// What a block raises when it ends normally although a statement inside it failed: the
/// error was caught in the block, so its work was rolled back instead of committed (Django
/// rolls back silently here; aorm does not let a caller believe the work was kept).
std::string caught_error_message(std::string_view undone) {
  return "a statement inside this atomic() block failed and its error was caught inside the "
         "block; the block's " + std::string(undone) + " was rolled back instead of committed "
         "(to carry on after an expected error, wrap the statement in its own atomic() block)";
}

/// A nested atomic(): a savepoint on the transaction of `outer`, the innermost block of
/// the running task.
Task<void> savepoint_block(const std::shared_ptr<Context>& current, const Context* outer,
                           std::shared_ptr<Backend> backend, const std::string& alias,
                           const std::function<Task<void>()>& body, AtomicOptions opts) {
  const std::shared_ptr<TransactionState> tx = outer->tx;
  if (opts.durable)
    throw TransactionManagementError(
        "A durable atomic block cannot be nested within another atomic block (on the same "
        "database: its changes would only be durable once the outer block commits).");
  if (opts.isolation != Isolation::default_ && static_cast<unsigned char>(opts.isolation) != tx->isolation)
    throw TransactionManagementError(
        "a nested atomic() cannot change the isolation level of its transaction; set it on the "
        "outermost block");
  // Sibling tasks' savepoints run one after the other (detail/transaction.hpp).
  if (!tx->has_turn(outer)) co_await TransactionState::wait_turn(tx, outer);
  tx->require_usable();  // no savepoint on a broken transaction (Django's rule too)
  Connection* conn = tx->connection;
  const std::string name = "aorm_sp_" + std::to_string(++tx->savepoints);
  const std::shared_ptr<Context> ctx = block_context(current, backend, tx);
  // Open before SAVEPOINT is sent: from here on the other tasks' statements wait.
  OpenBlock open(tx, ctx.get());
  co_await control(*backend, alias, conn, "SAVEPOINT " + name);
  const std::exception_ptr error = co_await run_body(ctx, body);
  // A statement of this block failed (the error was caught inside it), or one of a block
  // nested in it whose own rollback failed: this block's work is undone like on an error.
  if (error || tx->broken) {
    // Callbacks of the rolled-back block never run; those of sibling tasks (registered in
    // an outer block meanwhile) stay.
    std::erase_if(tx->on_commit, [&](const TransactionState::Callback& c) { return c.block == ctx.get(); });
    try {
      co_await control(*backend, alias, conn, "ROLLBACK TO SAVEPOINT " + name);
      co_await control(*backend, alias, conn, "RELEASE SAVEPOINT " + name);
      tx->broken = false;  // back where the block began: the enclosing block goes on
    } catch (...) {
      // The savepoint's work may still be in the transaction: it must not commit, and the
      // enclosing block cannot go on either.
      tx->needs_rollback = tx->broken = true;
    }
    open.end();
    if (error) std::rethrow_exception(error);
    throw TransactionManagementError(caught_error_message("work"));
  }
  try {
    co_await control(*backend, alias, conn, "RELEASE SAVEPOINT " + name);
  } catch (...) {
    tx->needs_rollback = tx->broken = true;
    throw;
  }
  for (auto& c : tx->on_commit)
    if (c.block == ctx.get()) c.block = outer;  // now part of the enclosing block
}

}  // namespace

Task<void> atomic_impl(std::optional<Database> db, std::function<Task<void>()> body, AtomicOptions opts) {
  const std::shared_ptr<Context> current = current_context();  // a copy: outlives switches
  std::shared_ptr<Backend> backend;
  std::string alias;
  if (db) {
    backend = db->backend();
    alias = db->alias();
  } else {
    const Context* c = current.get();
    while (c != nullptr && !c->tx) c = c->parent.get();
    if (c != nullptr) {
      backend = c->db;
      alias = alias_of(backend.get());
    } else {
      Database def = database("default");
      backend = def.backend();
      alias = def.alias();
    }
  }

  if (const Context* outer = transaction_on(current.get(), backend.get())) {
    co_await savepoint_block(current, outer, std::move(backend), alias, body, opts);
    co_return;
  }

  // Outermost: lease a connection for the whole block. If this frame is destroyed before
  // the end (loop shutdown), the lease's release rolls the open transaction back.
  ConnectionLease lease = co_await backend->acquire();
  auto tx = std::make_shared<TransactionState>();
  tx->connection = lease.get();
  tx->isolation = static_cast<unsigned char>(opts.isolation);
  co_await control(*backend, alias, tx->connection, begin_sql(backend->dialect(), opts.isolation));
  const std::shared_ptr<Context> ctx = block_context(current, backend, tx);
  OpenBlock open(tx, ctx.get());
  std::exception_ptr error = co_await run_body(ctx, body);
  if (!error && tx->needs_rollback)
    error = std::make_exception_ptr(TransactionManagementError(
        "a savepoint of this transaction could not be rolled back or released; the whole "
        "transaction was rolled back"));
  else if (!error && tx->broken)
    error = std::make_exception_ptr(TransactionManagementError(caught_error_message("transaction")));
  if (!error) {
    try {
      co_await control(*backend, alias, tx->connection, "COMMIT");
    } catch (...) {
      error = std::current_exception();
    }
  }
  if (error) {
    try {
      co_await control(*backend, alias, tx->connection, "ROLLBACK");
    } catch (...) {
      // The rollback failed too (the connection is gone?): the first error is the story.
      // The lease's release rolls back what may still be open.
    }
    open.end();
    std::rethrow_exception(error);
  }
  open.end();  // tasks of the block that are still waiting learn that it ended
  std::vector<TransactionState::Callback> callbacks = std::move(tx->on_commit);
  lease = ConnectionLease{};  // give the connection back before the callbacks run
  for (auto& c : callbacks) c.fn();
}

}  // namespace detail

void on_commit(std::function<void()> fn) {
  for (const detail::Context* c = detail::current_context().get(); c != nullptr; c = c->parent.get()) {
    if (c->tx) {
      if (!c->tx->is_open(c))
        throw TransactionManagementError(
            "aorm::on_commit() called from a task whose atomic() block has already ended");
      c->tx->on_commit.push_back({c, std::move(fn)});
      return;
    }
  }
  fn();
}

}  // namespace aorm
