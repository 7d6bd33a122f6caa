// fixture.hpp — what the transactions tests share: a fresh database per test on every backend
// configuration (tests/common/backends.hpp), and small raw-SQL helpers that work inside and
// outside atomic().
//
//   TEST_CASE("...") {                       // runs on SQLite (both policies) and PostgreSQL
//     tx::for_each_backend([](tx::Env& env) -> aorm::Task<void> {
//       co_await env.db.aexecute("INSERT ...");
//       CHECK(co_await tx::count(env.db, "blog_tag") == 1);
//     });
//   }
//
// One run of transactions_tests covers either SQLite (the default) or PostgreSQL
// (`--aorm-backend=postgres`; ctest registers that run as "postgres.<name>"). Tests that are
// inherently SQLite (BEGIN IMMEDIATE, busy timeouts, a killed SQLite writer) start with
// `if (tx::skip_on_postgres()) return;` (reported skipped on the PostgreSQL run). Tests of
// PostgreSQL alone (row locks, isolation levels, a killed client) live in postgres_tests
// (tests/postgres/test_locking.cpp), which links this fixture too, and use on_postgres().
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "backends.hpp"
#include "blog/models.hpp"
#include "temp_db.hpp"

namespace tx {

using blog::Article;
using blog::Author;
using blog::Tag;

/// A database file for the SQLite-only tests that open files themselves.
using aorm_test::TempDbFile;

const char* policy_name(aorm::Execution e);

/// The crash tests (SQLite: crash_test.cpp, PostgreSQL: test_locking.cpp): a writer process
/// inserts kCrashRows tags in one atomic() bulk insert, in batches of kCrashBatch.
inline constexpr int kCrashRows = 20000;
inline constexpr int kCrashBatch = 500;

/// Forks a writer that connects to `url` with `opts`, inserts kCrashRows tags in one
/// atomic() (a byte written to a pipe after each batch, one more after the commit) and then
/// waits; once it has written `kill_after` bytes, calls `before_kill` (when given), kills it
/// with SIGKILL and reaps it, checking that SIGKILL ended it. Outside any event loop: the
/// child runs one of its own.
void kill_writer_after(const std::string& url, aorm::ConnectOptions opts, int kill_after,
                       const std::function<void()>& before_kill = {});

/// What a test body gets: the configuration, the open "default" database with the blog
/// tables, and how to reach it again.
struct Env {
  aorm_test::Backend backend;
  aorm::Execution execution;       // SQLite's policy (workers on PostgreSQL, where it means nothing)
  std::string url;                 // what aconnect() took (another alias may open it again)
  std::filesystem::path file;      // the SQLite file; empty on PostgreSQL
  std::string application_name;    // PostgreSQL: every connection's application_name (unique per test)
  aorm::Database db;

  bool postgres() const noexcept { return backend == aorm_test::Backend::postgres; }
};

struct EnvOptions {
  int pool_size = 0;
  std::chrono::milliseconds busy_timeout{5000};
};

using Body = std::function<aorm::Task<void>(Env&)>;

/// Opens a fresh database of `backend` with the blog tables (in an aorm::run of its own),
/// calls `fn(env)` outside any event loop, then closes the database (in another run).
void with_env(aorm_test::Backend backend, const std::function<void(Env&)>& fn, EnvOptions opts = {});
/// Runs `body` in aorm::run on a fresh database of `backend`; closes the database afterwards
/// (also when the body throws; the exception then propagates to the test).
void run_env(aorm_test::Backend backend, const Body& body, EnvOptions opts = {});
/// SQLite with `execution` (the SQLite-only tests).
void run_env(aorm::Execution execution, const Body& body, EnvOptions opts = {});
/// Runs `body` once per SQLite execution policy, each in its own doctest SUBCASE.
void for_each_policy(const Body& body, EnvOptions opts = {});
/// Runs `body` on every configuration of this run (both SQLite policies, or PostgreSQL),
/// each in its own SUBCASE; on a PostgreSQL run without a server, reports the test skipped.
void for_each_backend(const Body& body, EnvOptions opts = {});
/// for_each_backend() for tests that run several aorm::run() calls on one database: `fn`
/// is called outside any event loop with the database open (and closed after it).
void for_each_backend_outside_run(const std::function<void(Env&)>& fn, EnvOptions opts = {});
/// First line of a SQLite-only test: on the PostgreSQL run, prints why the test is skipped
/// (ctest reports it so) and returns true.
bool skip_on_postgres();
/// Without a PostgreSQL test server: prints why the test is skipped and returns true.
bool skip_without_postgres();
/// A PostgreSQL-only test: runs `body` on a fresh schema, or reports the test skipped
/// without a server.
void on_postgres(const Body& body, EnvOptions opts = {});

/// The single integer `sql` yields (run where awaited: inside atomic() on its connection).
aorm::Task<std::int64_t> scalar(const aorm::Database& db, std::string sql);
/// The single text value `sql` yields (same routing as scalar()).
aorm::Task<std::string> text(const aorm::Database& db, std::string sql);
/// SELECT count(*) FROM table.
aorm::Task<std::int64_t> count(const aorm::Database& db, std::string table);

/// Connections of the pool that are not leased (to a transaction or a cursor), and all of
/// them: equal when nothing is leaked.
std::size_t idle(const aorm::Database& db);
std::size_t pool(const aorm::Database& db);

/// PostgreSQL: the test server's sessions named `application_name` (Env::application_name)
/// other than the one asking, whose state starts with `state` ("idle in transaction" matches
/// the aborted ones too; "" matches every session). Asked over a blocking connection of the
/// test's own.
std::int64_t server_sessions(const std::string& application_name, const std::string& state);
/// PostgreSQL: polls server_sessions() (sleeping on the loop in between) until it is
/// `expected` or `within` has passed; returns the last value.
aorm::Task<std::int64_t> wait_server_sessions(std::string application_name, std::string state,
                                              std::int64_t expected,
                                              std::chrono::milliseconds within = std::chrono::milliseconds{5000});

/// An author to hang articles on.
aorm::Task<Author> make_author(std::string name = "Ada");

}  // namespace tx
