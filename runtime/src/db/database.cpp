// Database handles, aconnect() and URL parsing, the alias registry, statement routing
// (transaction pinning, AORM_LOG_SQL, QueryCapture) and atomic().
#include "aorm/database.hpp"

#include <map>
#include <mutex>

#include "aorm/capture.hpp"
#include "aorm/detail/transaction.hpp"
#include "sqlite/backend.hpp"

namespace aorm {

#ifdef AORM_WITH_POSTGRES
namespace detail {
/// Defined by the PostgreSQL backend (backends/postgres).
Task<std::shared_ptr<Backend>> open_postgres(std::string url, const ConnectOptions& opts);
}  // namespace detail
#endif

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
  if (!live || live.get() == state) r.by_alias.erase(it);
}

}  // namespace

DatabaseState::~DatabaseState() { release_alias(alias, this); }

Database database(std::string_view alias) {
  auto& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.by_alias.find(alias);
  if (it != r.by_alias.end()) {
    if (auto s = it->second.lock()) return Database(std::move(s));
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

Task<void> close_database(std::shared_ptr<detail::DatabaseState> s) {
  detail::release_alias(s->alias, s.get());
  co_await s->backend->close();
}

Task<void> create_tables(Database db, const App& app) {
  co_await atomic(db, [&db, &app]() -> Task<void> {
    for (std::string_view ddl : db.dialect() == Dialect::sqlite ? app.ddl_sqlite : app.ddl_postgres) {
      Statement stmt{std::string(ddl), {}};
      co_await detail::execute(db, stmt);
    }
  });
}

}  // namespace

Task<void> Database::aclose() const { return close_database(state_ ? state_ : nullptr); }

Task<void> Database::acreate_tables(const App& app) const {
  state();  // a null handle raises here, not when awaited
  return create_tables(*this, app);
}

// ---- aconnect ------------------------------------------------------------------------------

namespace {

[[noreturn]] void bad_url(const std::string& url, std::string_view why) {
  throw ConfigError("invalid database URL '" + url + "': " + std::string(why));
}

/// "sqlite:PATH" → PATH, "sqlite:///abs" → "/abs", "sqlite://rel" → "rel",
/// "sqlite::memory:" and "sqlite://:memory:" → ":memory:".
std::string sqlite_target(const std::string& url) {
  std::string_view rest = std::string_view(url).substr(std::string_view("sqlite:").size());
  if (rest.starts_with("//")) rest.remove_prefix(2);
  if (rest.empty())
    bad_url(url, "no database path (expected sqlite:PATH or sqlite::memory:)");
  if (rest.find('?') != std::string_view::npos)
    bad_url(url, "query parameters are not supported for sqlite URLs");
  return std::string(rest);
}

}  // namespace

Task<Database> aconnect(std::string url, ConnectOptions opts) {
  detail::refresh_log_sql();
  if (opts.alias.empty()) throw ConfigError("database alias must not be empty");
  if (opts.pool_size < 0)
    throw ConfigError("pool_size must be positive (or 0 for the default), got " +
                      std::to_string(opts.pool_size));
  const std::string alias(opts.alias);  // opts.alias is a view into the caller's frame

  const std::size_t colon = url.find(':');
  if (colon == std::string::npos || colon == 0)
    bad_url(url, "expected a scheme (sqlite:PATH, sqlite::memory:, postgresql://...)");
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

  std::shared_ptr<detail::Backend> backend;
  if (scheme == "sqlite") {
    const std::string target = sqlite_target(url);
    backend = co_await detail::sqlite::SqliteBackend::open(target, opts.pool_size, opts.execution,
                                                           opts.busy_timeout);
  } else if (scheme == "postgresql" || scheme == "postgres") {
#ifdef AORM_WITH_POSTGRES
    backend = co_await detail::open_postgres(url, opts);
#else
    throw ConfigError("PostgreSQL backend not built (configure aorm with -DAORM_WITH_POSTGRES=ON): '" +
                      url + "'");
#endif
  } else {
    throw ConfigError("unknown database scheme '" + scheme + "' in URL '" + url +
                      "' (supported: sqlite, postgresql)");
  }

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
  }
  co_return Database(std::move(state));
}

// ---- statement routing -----------------------------------------------------------------------

namespace detail {
namespace {

/// The connection pinned for `db` by a transaction of the running task, or null.
Connection* pinned_for(const Backend* db) noexcept {
  const Context* tx = transaction_on(current_context().get(), db);
  return tx ? tx->connection : nullptr;
}

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

}  // namespace

// Not a coroutine: the backend's task is returned as is, so the common path costs one
// coroutine frame, not two. The routing is therefore decided by the context current when
// execute() is called (which is where the caller awaits it, in every use in aorm).
Task<ExecResult> execute(const Database& db, const Statement& stmt, RowSink sink) {
  Backend* backend = db.backend_ptr();
  Connection* pinned = pinned_for(backend);
  if (!observed()) return backend->execute(stmt, sink, pinned);
  return run_statement(*backend, db.alias(), stmt, sink, pinned);
}

Task<std::unique_ptr<Cursor>> open_cursor(const Database& db, Statement stmt) {
  Backend* backend = db.backend_ptr();
  Connection* pinned = pinned_for(backend);
  if (!observed()) co_return co_await backend->open_cursor(std::move(stmt), pinned);
  const Statement copy = stmt;  // the backend takes the original
  const auto start = std::chrono::steady_clock::now();
  std::exception_ptr error;
  std::unique_ptr<Cursor> cursor;
  try {
    cursor = co_await backend->open_cursor(std::move(stmt), pinned);
  } catch (...) {
    error = std::current_exception();
  }
  observe(copy, start, db.alias(), error);
  if (error) std::rethrow_exception(error);
  co_return cursor;
}

Task<std::int64_t> execute_rows(Database db, Statement stmt) {
  const ExecResult r = co_await execute(db, stmt);
  co_return r.rows_affected;
}

// ---- atomic ----------------------------------------------------------------------------------

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

}  // namespace

Task<void> atomic_impl(std::optional<Database> db, std::function<Task<void>()> body) {
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
    // Nested: a savepoint on the transaction's connection.
    const std::shared_ptr<TransactionState> tx = outer->tx;
    Connection* conn = outer->connection;
    const std::string name = "aorm_sp_" + std::to_string(++tx->savepoints);
    co_await control(*backend, alias, conn, "SAVEPOINT " + name);
    const std::size_t callbacks = tx->on_commit.size();
    ++tx->depth;
    auto ctx = std::make_shared<Context>();
    ctx->parent = current;
    ctx->db = backend;
    ctx->connection = conn;
    ctx->tx = tx;
    std::exception_ptr error = co_await run_body(std::move(ctx), body);
    --tx->depth;
    if (error) {
      tx->on_commit.resize(callbacks);  // callbacks of the rolled-back block never run
      co_await control(*backend, alias, conn, "ROLLBACK TO SAVEPOINT " + name);
      co_await control(*backend, alias, conn, "RELEASE SAVEPOINT " + name);
      std::rethrow_exception(error);
    }
    co_await control(*backend, alias, conn, "RELEASE SAVEPOINT " + name);
    co_return;
  }

  // Outermost: lease a connection for the whole block.
  ConnectionLease lease = co_await backend->acquire();
  Connection* conn = lease.get();
  const bool sqlite = backend->dialect() == Dialect::sqlite;
  co_await control(*backend, alias, conn, sqlite ? "BEGIN IMMEDIATE" : "BEGIN");
  auto tx = std::make_shared<TransactionState>();
  auto ctx = std::make_shared<Context>();
  ctx->parent = current;
  ctx->db = backend;
  ctx->connection = conn;
  ctx->tx = tx;
  std::exception_ptr error = co_await run_body(std::move(ctx), body);
  if (!error) {
    try {
      co_await control(*backend, alias, conn, "COMMIT");
    } catch (...) {
      error = std::current_exception();
    }
  }
  if (error) {
    try {
      co_await control(*backend, alias, conn, "ROLLBACK");
    } catch (...) {
      // The rollback failed too (the connection is gone?): the first error is the story.
    }
    std::rethrow_exception(error);
  }
  lease = ConnectionLease{};  // give the connection back before the callbacks run
  for (auto& fn : tx->on_commit) fn();
}

}  // namespace detail

void on_commit(std::function<void()> fn) {
  for (const detail::Context* c = detail::current_context().get(); c != nullptr; c = c->parent.get()) {
    if (c->tx) {
      c->tx->on_commit.push_back(std::move(fn));
      return;
    }
  }
  fn();
}

}  // namespace aorm
