// The transactions tests' fixture (fixture.hpp); also linked into postgres_tests, whose
// PostgreSQL-only transaction tests (tests/postgres/test_locking.cpp) use it.
#include "fixture.hpp"

#include <libpq-fe.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <exception>
#include <memory>
#include <stdexcept>
#include <type_traits>
#include <string_view>
#include <system_error>

#include "sqlite/backend.hpp"
#ifdef AORM_WITH_POSTGRES
#include "postgres/backend.hpp"
#endif

namespace tx {

const char* policy_name(aorm::Execution e) { return e == aorm::Execution::workers ? "workers" : "inline"; }

namespace {

/// The writer of kill_writer_after(), in the child process.
[[noreturn]] void crash_writer_main(const std::string& url, aorm::ConnectOptions opts, int progress) {
  aorm::run([&]() -> aorm::Task<void> {
    auto db = co_await aorm::aconnect(url, opts);
    co_await aorm::atomic(db, [&]() -> aorm::Task<void> {
      for (int batch = 0; batch < kCrashRows / kCrashBatch; ++batch) {
        std::vector<Tag> tags;
        for (int i = 0; i < kCrashBatch; ++i) tags.push_back(Tag{.name = "t" + std::to_string(batch * kCrashBatch + i)});
        co_await Tag::objects.on(db).abulk_create(std::move(tags));
        const char b = 'b';
        [[maybe_unused]] auto w = ::write(progress, &b, 1);
      }
    });
    const char c = 'c';
    [[maybe_unused]] auto w = ::write(progress, &c, 1);
  }());
  for (;;) ::pause();
}

}  // namespace

void kill_writer_after(const std::string& url, aorm::ConnectOptions opts, int kill_after,
                       const std::function<void()>& before_kill) {
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    crash_writer_main(url, opts, pipe_fds[1]);
  }
  ::close(pipe_fds[1]);
  int seen = 0;
  char b;
  while (seen < kill_after && ::read(pipe_fds[0], &b, 1) == 1) ++seen;
  if (before_kill) before_kill();
  ::kill(child, SIGKILL);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  ::close(pipe_fds[0]);
  REQUIRE(seen == kill_after);
}

void with_env(aorm_test::Backend backend, const std::function<void(Env&)>& fn, EnvOptions opts) {
  static std::atomic<int> counter{0};
  aorm_test::TempDatabase database(backend);
  Env env{backend, database.options().execution, database.url(), {}, {}, {}};
  if (env.postgres()) {
    // A name of its own, so that the server's view of the sessions (pg_stat_activity) can
    // tell this test's connections from everyone else's.
    env.application_name = "aorm_tx_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    env.url += "&application_name=" + env.application_name;
  } else {
    env.file = std::string_view(env.url).substr(std::string_view("sqlite:").size());
  }
  aorm::run([&]() -> aorm::Task<void> {
    aorm::ConnectOptions options = database.options();
    options.pool_size = opts.pool_size;
    options.busy_timeout = opts.busy_timeout;
    env.db = co_await aorm::aconnect(env.url, options);
    co_await env.db.acreate_tables(blog::app);
  }());
  std::exception_ptr failure;
  try {
    fn(env);
  } catch (...) {
    failure = std::current_exception();
  }
  aorm::run(env.db.aclose());
  if (failure) std::rethrow_exception(failure);
}

void run_env(aorm_test::Backend backend, const Body& body, EnvOptions opts) {
  with_env(backend, [&](Env& env) { aorm::run(body(env)); }, opts);
}

void run_env(aorm::Execution execution, const Body& body, EnvOptions opts) {
  run_env(execution == aorm::Execution::inline_ ? aorm_test::Backend::sqlite_inline
                                                : aorm_test::Backend::sqlite_workers,
          body, opts);
}

void for_each_policy(const Body& body, EnvOptions opts) {
  SUBCASE("with worker threads") { run_env(aorm::Execution::workers, body, opts); }
  SUBCASE("inline on the loop thread") { run_env(aorm::Execution::inline_, body, opts); }
}

void for_each_backend(const Body& body, EnvOptions opts) {
  if (aorm_test::skip_without_server()) return;
  if (aorm_test::postgres_run()) {
    SUBCASE("on PostgreSQL") { run_env(aorm_test::Backend::postgres, body, opts); }
    return;
  }
  SUBCASE("on SQLite with worker threads") { run_env(aorm_test::Backend::sqlite_workers, body, opts); }
  SUBCASE("on SQLite inline on the loop thread") { run_env(aorm_test::Backend::sqlite_inline, body, opts); }
}

void for_each_backend_outside_run(const std::function<void(Env&)>& fn, EnvOptions opts) {
  if (aorm_test::skip_without_server()) return;
  if (aorm_test::postgres_run()) {
    SUBCASE("on PostgreSQL") { with_env(aorm_test::Backend::postgres, fn, opts); }
    return;
  }
  SUBCASE("on SQLite with worker threads") { with_env(aorm_test::Backend::sqlite_workers, fn, opts); }
  SUBCASE("on SQLite inline on the loop thread") { with_env(aorm_test::Backend::sqlite_inline, fn, opts); }
}

bool skip_on_postgres() {
  if (!aorm_test::postgres_run()) return false;
  std::printf("aorm-postgres-skip: a SQLite-only test (its PostgreSQL counterpart is in postgres_tests)\n");
  return true;
}

bool skip_without_postgres() {
  if (!aorm_test::postgres_server().empty()) return false;
  std::printf("aorm-postgres-skip: %s\n", aorm_test::no_server_reason().c_str());
  return true;
}

void on_postgres(const Body& body, EnvOptions opts) {
  if (skip_without_postgres()) return;
  run_env(aorm_test::Backend::postgres, body, opts);
}

namespace {

/// The single value `sql` yields, read as T (std::int64_t or std::string).
template <class T>
aorm::Task<T> single(const aorm::Database& db, std::string sql) {
  std::vector<T> rows;
  const aorm::Statement stmt{std::move(sql), {}};
  co_await aorm::detail::execute(db, stmt, [&rows](const aorm::RowReader& r) {
    if constexpr (std::is_same_v<T, std::string>)
      rows.emplace_back(r.get_text(0));
    else
      rows.push_back(r.get_int64(0));
  });
  REQUIRE(rows.size() == 1);
  co_return rows[0];
}

}  // namespace

aorm::Task<std::int64_t> scalar(const aorm::Database& db, std::string sql) {
  return single<std::int64_t>(db, std::move(sql));
}

aorm::Task<std::string> text(const aorm::Database& db, std::string sql) {
  return single<std::string>(db, std::move(sql));
}

aorm::Task<std::int64_t> count(const aorm::Database& db, std::string table) {
  return scalar(db, "SELECT count(*) FROM " + table);
}

std::size_t idle(const aorm::Database& db) {
#ifdef AORM_WITH_POSTGRES
  if (db.dialect() == aorm::Dialect::postgres) {
    const auto stats = aorm::detail::postgres_pool_stats(*db.backend_ptr());
    return stats.size - stats.leased;
  }
#endif
  return dynamic_cast<aorm::detail::sqlite::SqliteBackend&>(*db.backend_ptr()).idle_connections();
}

std::size_t pool(const aorm::Database& db) {
#ifdef AORM_WITH_POSTGRES
  if (db.dialect() == aorm::Dialect::postgres) return aorm::detail::postgres_pool_stats(*db.backend_ptr()).size;
#endif
  return dynamic_cast<aorm::detail::sqlite::SqliteBackend&>(*db.backend_ptr()).pool_size();
}

std::int64_t server_sessions(const std::string& application_name, const std::string& state) {
  std::unique_ptr<PGconn, void (*)(PGconn*)> conn(PQconnectdb(aorm_test::postgres_server().c_str()), PQfinish);
  REQUIRE(PQstatus(conn.get()) == CONNECTION_OK);
  const char* params[] = {application_name.c_str(), state.c_str()};
  std::unique_ptr<PGresult, void (*)(PGresult*)> r(
      PQexecParams(conn.get(),
                   "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 "
                   "AND state LIKE $2 || '%' AND pid <> pg_backend_pid()",
                   2, nullptr, params, nullptr, nullptr, 0),
      PQclear);
  REQUIRE(PQresultStatus(r.get()) == PGRES_TUPLES_OK);
  return std::stoll(PQgetvalue(r.get(), 0, 0));
}

aorm::Task<std::int64_t> wait_server_sessions(std::string application_name, std::string state,
                                              std::int64_t expected, std::chrono::milliseconds within) {
  const auto deadline = std::chrono::steady_clock::now() + within;
  for (;;) {
    const std::int64_t n = server_sessions(application_name, state);
    if (n == expected || std::chrono::steady_clock::now() >= deadline) co_return n;
    co_await aorm::sleep(std::chrono::milliseconds{10});
  }
}

aorm::Task<Author> make_author(std::string name) {
  std::string email = name + "@example.com";
  co_return co_await Author::objects.acreate(Author{.name = std::move(name), .email = std::move(email)});
}

}  // namespace tx
