// SQLSTATE → exception class, with the server's message, the SQL and the code.
#include "support.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <thread>

using aorm::Task;
using V = std::vector<aorm::Value>;

namespace {

/// What a failing statement raised.
struct Raised {
  std::string kind;  // "integrity", "data", "programming", "operational", "database", "none"
  std::string message, sql, code, backend;
};

Task<Raised> raised_by(aorm::detail::Backend& b, std::string sql, V params = {}) {
  Raised r;
  try {
    co_await pgtest::exec(b, sql, std::move(params));
    r.kind = "none";
  } catch (const aorm::IntegrityError& e) {
    r = {"integrity", e.what(), e.sql(), e.code(), e.backend()};
  } catch (const aorm::DataError& e) {
    r = {"data", e.what(), e.sql(), e.code(), e.backend()};
  } catch (const aorm::ProgrammingError& e) {
    r = {"programming", e.what(), e.sql(), e.code(), e.backend()};
  } catch (const aorm::OperationalError& e) {
    r = {"operational", e.what(), e.sql(), e.code(), e.backend()};
  } catch (const aorm::DatabaseError& e) {
    r = {"database", e.what(), e.sql(), e.code(), e.backend()};
  }
  co_return r;
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("SQLSTATE classes map to the matching DatabaseError subclasses") {
  PG_SERVER_OR_SKIP(conninfo);
  aorm::run([&]() -> Task<void> {
    auto backend = co_await pgtest::open(conninfo, 2);
    auto& b = *backend;
    co_await pgtest::exec(b, "DROP TABLE IF EXISTS pg_errors_child");
    co_await pgtest::exec(b, "DROP TABLE IF EXISTS pg_errors_parent");
    co_await pgtest::exec(b, "CREATE TABLE pg_errors_parent (id int PRIMARY KEY, name text UNIQUE NOT NULL)");
    co_await pgtest::exec(b, "CREATE TABLE pg_errors_child (parent_id int REFERENCES pg_errors_parent (id))");
    co_await pgtest::exec(b, "INSERT INTO pg_errors_parent VALUES (1, 'x')");

    const std::string duplicate_sql = "INSERT INTO pg_errors_parent VALUES ($1, $2)";
    const V duplicate = {std::int64_t{2}, std::string("x")};
    Raised unique = co_await raised_by(b, duplicate_sql, duplicate);
    CHECK(unique.kind == "integrity");
    CHECK(unique.code == "23505");
    CHECK(unique.sql == duplicate_sql);
    CHECK(unique.backend == "postgresql");
    CHECK(contains(unique.message, "duplicate key value violates unique constraint \"pg_errors_parent_name_key\""));
    CHECK(contains(unique.message, "DETAIL: Key (name)=(x) already exists."));

    Raised foreign = co_await raised_by(b, "INSERT INTO pg_errors_child VALUES (42)");
    CHECK(foreign.kind == "integrity");
    CHECK(foreign.code == "23503");
    CHECK(contains(foreign.message, "violates foreign key constraint"));

    Raised not_null = co_await raised_by(b, "INSERT INTO pg_errors_parent (id) VALUES (3)");
    CHECK(not_null.kind == "integrity");
    CHECK(not_null.code == "23502");

    Raised syntax = co_await raised_by(b, "SELEC 1");
    CHECK(syntax.kind == "programming");
    CHECK(syntax.code == "42601");
    CHECK(contains(syntax.message, "syntax error at or near \"SELEC\""));
    CHECK(syntax.sql == "SELEC 1");

    Raised no_table = co_await raised_by(b, "SELECT * FROM pg_errors_missing");
    CHECK(no_table.kind == "programming");
    CHECK(no_table.code == "42P01");

    Raised division = co_await raised_by(b, "SELECT 1 / 0");
    CHECK(division.kind == "data");
    CHECK(division.code == "22012");
    CHECK(contains(division.message, "division by zero"));

    const V not_a_number = {std::string("abc")};
    Raised bad_input = co_await raised_by(b, "SELECT $1::int", not_a_number);
    CHECK(bad_input.kind == "data");
    CHECK(bad_input.code == "22P02");

    Raised serialization = co_await raised_by(
        b, "DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = 'serialization_failure'; END $$");
    CHECK(serialization.kind == "operational");
    CHECK(serialization.code == "40001");
    Raised deadlock =
        co_await raised_by(b, "DO $$ BEGIN RAISE EXCEPTION 'cycle' USING ERRCODE = 'deadlock_detected'; END $$");
    CHECK(deadlock.kind == "operational");
    CHECK(deadlock.code == "40P01");

    Raised internal = co_await raised_by(b, "DO $$ BEGIN RAISE EXCEPTION 'oops' USING ERRCODE = 'XX000'; END $$");
    CHECK(internal.kind == "database");  // no subclass fits: the base class, with the code
    CHECK(internal.code == "XX000");
    CHECK(internal.message == "oops");

    // The failures did not disturb the connections.
    CHECK(co_await pgtest::scalar(b, "SELECT count(*) FROM pg_errors_parent") == "1");
    co_await pgtest::exec(b, "DROP TABLE pg_errors_child");
    co_await pgtest::exec(b, "DROP TABLE pg_errors_parent");
    co_await backend->close();
  }());
}

TEST_CASE("a failing statement in a pipeline fails alone and the statements around it succeed") {
  PG_SERVER_OR_SKIP(conninfo);
  aorm::run([&]() -> Task<void> {
    auto backend = co_await pgtest::open(conninfo, 1);
    auto& b = *backend;
    auto ok = [&](int n) -> Task<std::string> {
      const V params = {std::int64_t{n}};
      co_return co_await pgtest::scalar(b, "SELECT $1::int * 10", params);
    };
    auto fails = [&]() -> Task<std::string> {
      try {
        co_await pgtest::scalar(b, "SELECT 1 / 0");
      } catch (const aorm::DataError&) {
        co_return "DataError";
      }
      co_return "no error";
    };
    auto [a, bad, c] = co_await aorm::gather(ok(1), fails(), ok(3));
    CHECK(a == "10");
    CHECK(bad == "DataError");
    CHECK(c == "30");
    co_await backend->close();
  }());
}

TEST_CASE("an exception thrown by the row sink reaches the task and the connection stays usable") {
  PG_SERVER_OR_SKIP(conninfo);
  aorm::run([&]() -> Task<void> {
    auto backend = co_await pgtest::open(conninfo, 1);
    int calls = 0;
    const aorm::Statement stmt{"SELECT g FROM generate_series(1, 5) g", {}};
    bool raised = false;
    try {
      co_await backend->execute(stmt, [&](const aorm::RowReader&) {
        if (++calls == 2) throw std::runtime_error("sink gave up");
      }, nullptr);
    } catch (const std::runtime_error& e) {
      raised = std::string(e.what()) == "sink gave up";
    }
    CHECK(raised);
    CHECK(calls == 2);  // the rows after the throw were skipped
    CHECK(co_await pgtest::scalar(*backend, "SELECT 'next'") == "next");
    co_await backend->close();
  }());
}

namespace {

/// Ends the process with a message when the test is still running after `limit`: a
/// statement whose results libpq already holds but aorm never reads waits forever, and
/// the test should say so rather than run into ctest's timeout.
class Watchdog {
 public:
  Watchdog(std::chrono::seconds limit, const char* what) : thread_([this, limit, what] {
    std::unique_lock lock(mutex_);
    if (!done_cv_.wait_for(lock, limit, [this] { return done_; })) {
      std::fprintf(stderr, "watchdog: %s did not finish within %lld s\n", what,
                   static_cast<long long>(limit.count()));
      std::fflush(stderr);
      std::_Exit(1);
    }
  }) {}
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  ~Watchdog() {
    {
      const std::lock_guard lock(mutex_);
      done_ = true;
    }
    done_cv_.notify_one();
    thread_.join();
  }

 private:
  std::mutex mutex_;
  std::condition_variable done_cv_;
  bool done_ = false;
  std::thread thread_;  // last: starts once the rest is constructed
};

}  // namespace

// A DEFERRABLE INITIALLY DEFERRED constraint is checked when the statement's implicit
// transaction commits, at its pipeline sync: the server sends the statement's rows and
// CommandComplete, then the error, then ReadyForQuery. libpq hands that out as the
// statement's result, a null, the error, a null, the sync; the error and the sync often
// arrive in one read, so the connection must keep reading past the second null.
TEST_CASE("errors raised when a statement's implicit transaction commits fail it promptly, one by one and pipelined") {
  PG_SERVER_OR_SKIP(conninfo);
  const Watchdog watchdog(std::chrono::seconds(30), "the deferred-constraint test");
  aorm::run([&]() -> Task<void> {
    auto backend = co_await pgtest::open(conninfo, 1);  // one connection: one pipeline
    auto& b = *backend;
    co_await pgtest::exec(b, "DROP TABLE IF EXISTS pg_deferred_child");
    co_await pgtest::exec(b, "DROP TABLE IF EXISTS pg_deferred_parent");
    co_await pgtest::exec(b, "CREATE TABLE pg_deferred_parent (id int PRIMARY KEY)");
    co_await pgtest::exec(b,
                          "CREATE TABLE pg_deferred_child (id int PRIMARY KEY, parent_id int REFERENCES "
                          "pg_deferred_parent (id) DEFERRABLE INITIALLY DEFERRED)");
    co_await pgtest::exec(b, "INSERT INTO pg_deferred_parent VALUES (1)");

    // As aorm's acreate: INSERT ... RETURNING, whose row arrives before the error.
    const std::string insert = "INSERT INTO pg_deferred_child VALUES ($1, $2) RETURNING id";
    auto orphan = [&](int id) -> Task<std::string> {
      const V params = {std::int64_t{id}, std::int64_t{999}};
      try {
        co_await pgtest::scalar(b, insert, params);
      } catch (const aorm::IntegrityError& e) {
        co_return e.code() + (contains(e.what(), "violates foreign key constraint") ? " fk" : " ?");
      }
      co_return "no error";
    };
    auto adopted = [&](int id) -> Task<std::string> {
      const V params = {std::int64_t{id}, std::int64_t{1}};
      co_return co_await pgtest::scalar(b, insert, params);
    };

    // One after another, each followed by a statement that succeeds.
    for (int i = 0; i < 40; ++i) {
      CAPTURE(i);
      const auto start = std::chrono::steady_clock::now();
      CHECK(co_await orphan(1000 + i) == "23503 fk");
      CHECK(pgtest::seconds_since(start) < 5.0);
      CHECK(co_await adopted(i) == std::to_string(i));
    }

    // Many at once on the one pipeline, failing and succeeding statements interleaved.
    std::vector<Task<std::string>> batch;
    for (int i = 0; i < 64; ++i) batch.push_back(i % 2 == 0 ? orphan(2000 + i) : adopted(100 + i));
    const auto outcomes = co_await aorm::gather(std::move(batch));
    for (int i = 0; i < 64; ++i) {
      CAPTURE(i);
      CHECK(outcomes[i] == (i % 2 == 0 ? std::string("23503 fk") : std::to_string(100 + i)));
    }

    // The failed statements were rolled back; the connection serves normal queries.
    CHECK(co_await pgtest::scalar(b, "SELECT count(*) FROM pg_deferred_child") == "72");
    CHECK(co_await pgtest::scalar(b, "SELECT count(*) FROM pg_deferred_child WHERE parent_id <> 1") == "0");
    CHECK(co_await pgtest::scalar(b, "SELECT 'after'") == "after");
    co_await pgtest::exec(b, "DROP TABLE pg_deferred_child");
    co_await pgtest::exec(b, "DROP TABLE pg_deferred_parent");
    co_await backend->close();
  }());
}
