// SQLSTATE → exception class, with the server's message, the SQL and the code.
#include "support.hpp"

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
