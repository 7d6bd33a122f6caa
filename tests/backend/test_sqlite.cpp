// The SQLite backend: error mapping, execution policies, the pool, in-memory databases,
// the statement cache, cursors and close().
#include <sqlite3.h>

#include <functional>
#include <string>

#include "sqlite/backend.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using aorm::Execution;
using aorm::Task;
using aorm::detail::sqlite::SqliteBackend;

namespace {

SqliteBackend& sqlite_of(const aorm::Database& db) {
  auto* b = dynamic_cast<SqliteBackend*>(db.backend_ptr());
  REQUIRE(b != nullptr);
  return *b;
}

/// A statement that keeps a connection busy for a few milliseconds.
constexpr const char* kSlowCount =
    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) "
    "SELECT count(*) FROM n";

const char* policy_name(Execution e) { return e == Execution::workers ? "workers" : "inline"; }

/// Runs `body` once per execution policy, each time on a new file database with `pool_size`
/// connections (0: the policy's default).
void for_each_policy(int pool_size, const std::function<Task<void>(aorm::Database&, Execution)>& body) {
  test::TempDir dir;
  for (Execution policy : {Execution::workers, Execution::inline_}) {
    CAPTURE(policy_name(policy));
    aorm::run([&]() -> Task<void> {
      auto db = co_await aorm::aconnect(dir.url(policy_name(policy)), {.pool_size = pool_size, .execution = policy});
      co_await body(db, policy);
    }());
  }
}

/// Creates table t with one column x holding 1, 2, ..., n.
Task<void> numbers_table(aorm::Database& db, int n) {
  co_await db.aexecute("CREATE TABLE t (x)");
  co_await db.aexecute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
                       std::to_string(n) + ") INSERT INTO t SELECT i FROM n");
}

}  // namespace

TEST_CASE("a unique violation raises IntegrityError with the message, code and SQL") {
  for_each_policy(0, [&](aorm::Database& db, Execution) -> Task<void> {
    co_await db.aexecute("CREATE TABLE t (name TEXT UNIQUE)");
    co_await db.aexecute("INSERT INTO t (name) VALUES (?)", "x");
    bool raised = false;
    try {
      co_await db.aexecute("INSERT INTO t (name) VALUES (?)", "x");
    } catch (const aorm::IntegrityError& e) {
      raised = true;
      CHECK(std::string(e.what()) == "UNIQUE constraint failed: t.name");
      CHECK(e.sql() == "INSERT INTO t (name) VALUES (?)");
      CHECK(e.backend() == "sqlite");
      CHECK(e.code() == std::to_string(SQLITE_CONSTRAINT_UNIQUE));
    }
    CHECK(raised);
    // The connection is usable afterwards (the statement was reset).
    CHECK(co_await test::scalar(db, "SELECT count(*) FROM t") == 1);
  });
}

TEST_CASE("syntax errors, unknown tables and wrong parameter counts raise ProgrammingError") {
  test::TempDir dir;
  aorm::run([&]() -> Task<void> {
    auto db = co_await aorm::aconnect(dir.url());
    CHECK_THROWS_AS(co_await db.aexecute("SELEC 1"), aorm::ProgrammingError);
    bool raised = false;
    try {
      co_await db.aexecute("SELECT * FROM missing");
    } catch (const aorm::ProgrammingError& e) {
      raised = true;
      CHECK(std::string(e.what()) == "no such table: missing");
      CHECK(e.sql() == "SELECT * FROM missing");
    }
    CHECK(raised);
    CHECK_THROWS_WITH_AS(co_await db.aexecute("SELECT ?, ?", 1),
                         "statement has 2 placeholder(s) but 1 parameter(s) were given",
                         aorm::ProgrammingError);
    CHECK_THROWS_AS(co_await db.aexecute("SELECT 1; SELECT 2"), aorm::ProgrammingError);
  }());
}

TEST_CASE("a foreign key violation raises IntegrityError (foreign_keys is on)") {
  test::TempDir dir;
  aorm::run([&]() -> Task<void> {
    auto db = co_await aorm::aconnect(dir.url());
    co_await db.aexecute("CREATE TABLE p (id INTEGER PRIMARY KEY)");
    co_await db.aexecute("CREATE TABLE c (p_id INTEGER REFERENCES p(id))");
    CHECK_THROWS_AS(co_await db.aexecute("INSERT INTO c (p_id) VALUES (?)", 42), aorm::IntegrityError);
  }());
}

TEST_CASE("file databases use WAL, synchronous=NORMAL and report rows affected") {
  for_each_policy(0, [&](aorm::Database& db, Execution policy) -> Task<void> {
    auto mode = co_await test::column<std::string>(db, "PRAGMA journal_mode");
    CHECK(mode.at(0) == "wal");
    CHECK(co_await test::scalar(db, "PRAGMA synchronous") == 1);
    CHECK(co_await test::scalar(db, "PRAGMA foreign_keys") == 1);
    co_await db.aexecute("CREATE TABLE t (x INTEGER)");
    for (int i = 0; i < 5; ++i) co_await db.aexecute("INSERT INTO t (x) VALUES (?)", i);
    CHECK(co_await db.aexecute("UPDATE t SET x = x + 1 WHERE x >= ?", 2) == 3);
    CHECK(co_await db.aexecute("UPDATE t SET x = 0 WHERE x > 100") == 0);
    CHECK(co_await db.aexecute("SELECT * FROM t") == 0);
    aorm::Statement ins{"INSERT INTO t (x) VALUES (?)", {std::int64_t{9}}};
    auto r = co_await aorm::detail::execute(db, ins);
    CHECK(r.rows_affected == 1);
    CHECK(r.last_insert_id == 6);
    CHECK(sqlite_of(db).execution() == policy);
    CHECK(sqlite_of(db).pool_size() == (policy == Execution::workers ? 4u : 1u));
  });
}

TEST_CASE("tasks wait for a connection when all are busy, without blocking the loop") {
  for_each_policy(2, [&](aorm::Database& db, Execution) -> Task<void> {
    auto& backend = sqlite_of(db);
    // Lease both connections: a statement must now wait.
    auto a = co_await backend.acquire();
    auto b = co_await backend.acquire();
    CHECK(backend.idle_connections() == 0);
    bool done = false;
    auto body = [&]() -> Task<void> {  // named: the spawned frame refers to its captures
      CHECK(co_await test::scalar(db, "SELECT 41 + 1") == 42);
      done = true;
    };
    auto waiting = aorm::spawn(body());
    co_await aorm::sleep(20ms);  // the loop keeps running while the task waits
    CHECK_FALSE(done);
    a = aorm::detail::ConnectionLease{};
    co_await waiting;
    CHECK(done);
    b = aorm::detail::ConnectionLease{};
    CHECK(backend.idle_connections() == 2);

    // More concurrent statements than connections: all complete.
    std::vector<Task<std::int64_t>> tasks;
    for (int i = 0; i < 8; ++i) tasks.push_back(test::scalar(db, kSlowCount));
    auto results = co_await aorm::gather(std::move(tasks));
    CHECK(results.size() == 8);
    for (auto r : results) CHECK(r == 200000);
    CHECK(backend.idle_connections() == 2);
  });
}

TEST_CASE("worker connections run statements in parallel") {
  test::TempDir dir;
  aorm::run([&]() -> Task<void> {
    auto db = co_await aorm::aconnect(dir.url(), {.pool_size = 3});
    // Three slow statements on three connections all finish; each ran on its own worker.
    auto [x, y, z] = co_await aorm::gather(test::scalar(db, kSlowCount), test::scalar(db, kSlowCount),
                                           test::scalar(db, kSlowCount));
    CHECK(x + y + z == 600000);
  }());
}

TEST_CASE("with workers, statements outside a transaction never run on a leased connection") {
  test::TempDir dir;
  aorm::run([&]() -> Task<void> {
    auto db = co_await aorm::aconnect(dir.url(), {.pool_size = 3});
    auto& backend = sqlite_of(db);
    auto lease = co_await backend.acquire();
    // A TEMP table exists only on the connection that created it: the leased one.
    aorm::Statement create{"CREATE TEMP TABLE only_here (x)", {}};
    const aorm::RowSink no_rows;  // named: g++ 12 bug 2 (braced temporaries in co_await)
    co_await backend.execute(create, no_rows, lease.get());
    const std::string probe = "SELECT count(*) FROM sqlite_temp_master WHERE name = 'only_here'";
    std::vector<Task<std::int64_t>> probes;
    for (int i = 0; i < 64; ++i) probes.push_back(test::scalar(db, probe));
    for (std::int64_t seen : co_await aorm::gather(std::move(probes))) CHECK(seen == 0);
    aorm::Statement pinned{probe, {}};
    std::int64_t on_lease = -1;
    auto read = [&](const aorm::RowReader& r) { on_lease = r.get_int64(0); };
    co_await backend.execute(pinned, read, lease.get());
    CHECK(on_lease == 1);
  }());
}

TEST_CASE("with workers, a lease never takes the last connection from statements in flight") {
  test::TempDir dir;
  std::vector<std::string> order;
  aorm::run([&]() -> Task<void> {
    auto db = co_await aorm::aconnect(dir.url(), {.pool_size = 1});
    auto& backend = sqlite_of(db);
    auto slow = [&]() -> Task<void> {
      co_await test::scalar(db, kSlowCount);
      order.push_back("statement");
    };
    auto lease_it = [&]() -> Task<void> {
      auto lease = co_await backend.acquire();
      order.push_back("lease");
      co_await aorm::sleep(1h);  // held until run() ends and destroys this task
    };
    auto after = [&]() -> Task<void> {  // queued behind the lease: FIFO
      co_await test::scalar(db, "SELECT 1");
      order.push_back("after");
    };
    auto s = aorm::spawn(slow());
    co_await aorm::sleep(1ms);  // the statement is in flight
    auto l = aorm::spawn(lease_it());
    auto a = aorm::spawn(after());
    co_await s;
    co_await aorm::sleep(20ms);
    l.detach();
    a.detach();
    // Returning destroys the task holding the lease and the one queued behind it: run()
    // must neither hang nor resume them.
  }());
  CHECK(order == std::vector<std::string>{"statement", "lease"});
}

TEST_CASE("a transaction begun by a raw statement outside atomic is rolled back at once") {
  test::TempDir dir;
  for (Execution policy : {Execution::workers, Execution::inline_}) {
    CAPTURE(policy_name(policy));
    const std::string file = std::string(policy_name(policy)) + ".db";
    aorm::run([&]() -> Task<void> {
      auto db = co_await aorm::aconnect(dir.url(file), {.pool_size = 2, .execution = policy});
      co_await db.aexecute("CREATE TABLE t (x)");
      co_await db.aexecute("BEGIN IMMEDIATE");  // would hold the write lock if left open
      co_await db.aexecute("INSERT INTO t VALUES (1)");
      // Another process-level connection can write: no lock was left behind, and the
      // insert was committed on its own.
      sqlite3* other = nullptr;
      REQUIRE(sqlite3_open((dir.path() / file).c_str(), &other) == SQLITE_OK);
      CHECK(sqlite3_exec(other, "BEGIN IMMEDIATE; INSERT INTO t VALUES (2); COMMIT", nullptr, nullptr, nullptr) == SQLITE_OK);
      sqlite3_close(other);
      CHECK(co_await test::scalar(db, "SELECT count(*) FROM t") == 2);
    }());
  }
}

TEST_CASE("an in-memory database is shared by every connection of its pool") {
  for (Execution policy : {Execution::workers, Execution::inline_}) {
    CAPTURE(policy_name(policy));
    aorm::run([&]() -> Task<void> {
      auto db = co_await aorm::aconnect("sqlite::memory:", {.pool_size = 3, .execution = policy});
      auto& backend = sqlite_of(db);
      auto first = co_await backend.acquire();
      auto second = co_await backend.acquire();
      REQUIRE(first.get() != second.get());
      aorm::Statement create{"CREATE TABLE t (x)", {}};
      aorm::Statement insert{"INSERT INTO t VALUES (1), (2)", {}};
      co_await backend.execute(create, {}, first.get());
      co_await backend.execute(insert, {}, first.get());
      std::int64_t seen = 0;
      aorm::Statement count{"SELECT count(*) FROM t", {}};
      co_await backend.execute(count, [&](const aorm::RowReader& r) { seen = r.get_int64(0); },
                               second.get());
      CHECK(seen == 2);
    }());
  }
}

TEST_CASE("two in-memory databases are distinct") {
  aorm::run([&]() -> Task<void> {
    auto a = co_await aorm::aconnect("sqlite::memory:", {.alias = "mem_a"});
    auto b = co_await aorm::aconnect("sqlite::memory:", {.alias = "mem_b"});
    CHECK(sqlite_of(a).pool_size() == 1);
    co_await a.aexecute("CREATE TABLE only_in_a (x)");
    CHECK(co_await a.aexecute("INSERT INTO only_in_a VALUES (1)") == 1);
    CHECK_THROWS_WITH_AS(co_await b.aexecute("SELECT * FROM only_in_a"), "no such table: only_in_a",
                         aorm::ProgrammingError);
  }());
}

TEST_CASE("the statement cache prepares a statement once and reuses it") {
  for_each_policy(1, [&](aorm::Database& db, Execution) -> Task<void> {
    auto& backend = sqlite_of(db);
    co_await db.aexecute("CREATE TABLE t (x)");
    const auto before = backend.stats();
    for (int i = 0; i < 10; ++i) co_await db.aexecute("INSERT INTO t (x) VALUES (?)", i);
    const auto after = backend.stats();
    CHECK(after.prepares - before.prepares == 1);
    CHECK(after.cache_hits - before.cache_hits == 9);
    // Bindings were cleared after each use: a reused statement gets fresh parameters.
    CHECK(co_await test::scalar(db, "SELECT sum(x) FROM t") == 45);
  });
}

TEST_CASE("the statement cache is a bounded LRU that never hands out a busy statement") {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(":memory:", &raw) == SQLITE_OK);
  {
    aorm::detail::sqlite::StatementCache cache(2);
    {
      auto s1 = cache.acquire(raw, "SELECT 1");
      auto s1b = cache.acquire(raw, "SELECT 1");  // busy: a private statement
      CHECK(s1.get() != s1b.get());
      CHECK(cache.size() == 1);
    }
    { auto s = cache.acquire(raw, "SELECT 1"); }
    CHECK(cache.stats().hits == 1);
    { auto s = cache.acquire(raw, "SELECT 2"); }
    { auto s = cache.acquire(raw, "SELECT 3"); }  // evicts "SELECT 1" (least recently used)
    CHECK(cache.size() == 2);
    const auto prepares = cache.stats().prepares.load();
    { auto s = cache.acquire(raw, "SELECT 3"); }
    CHECK(cache.stats().prepares == prepares);
    { auto s = cache.acquire(raw, "SELECT 1"); }
    CHECK(cache.stats().prepares == prepares + 1);
  }
  sqlite3_close(raw);
}

TEST_CASE("the statement cache tells SQL texts apart by their text whatever hash the caller passes") {
  sqlite3* raw = nullptr;
  REQUIRE(sqlite3_open(":memory:", &raw) == SQLITE_OK);
  {
    aorm::detail::sqlite::StatementCache cache(4);
    const std::size_t h1 = std::hash<std::string_view>{}("SELECT 1");
    { auto s = cache.acquire(raw, "SELECT 1", h1); }
    { auto s = cache.acquire(raw, "SELECT 1", h1); }  // the precomputed hash finds it
    { auto s = cache.acquire(raw, "SELECT 1"); }      // and so does the text's own hash
    CHECK(cache.stats().prepares == 1);
    CHECK(cache.stats().hits == 2);
    // Another text under the same (colliding) hash is another statement.
    {
      auto s = cache.acquire(raw, "SELECT 2", h1);
      CHECK(std::string_view(sqlite3_sql(s.get())) == "SELECT 2");
      REQUIRE(sqlite3_step(s.get()) == SQLITE_ROW);
      CHECK(sqlite3_column_int64(s.get(), 0) == 2);
    }
    CHECK(cache.stats().prepares == 2);
    {
      auto s = cache.acquire(raw, "SELECT 1", h1);
      CHECK(std::string_view(sqlite3_sql(s.get())) == "SELECT 1");
    }
    // A wrong hash (its owner changed the text) costs a second lookup, not a wrong statement
    // or a duplicate entry.
    { auto s = cache.acquire(raw, "SELECT 2", 12345); }
    CHECK(cache.stats().prepares == 2);
    CHECK(cache.size() == 2);
  }
  sqlite3_close(raw);
}

TEST_CASE("cursors deliver rows in batches and release their connection") {
  for_each_policy(1, [&](aorm::Database& db, Execution) -> Task<void> {
    co_await numbers_table(db, 25);
    std::vector<std::int64_t> seen;
    int calls = 0;
    {
      aorm::Statement select{"SELECT x FROM t ORDER BY x", {}};  // named: g++ 12 bug 2
      auto cursor = co_await aorm::detail::open_cursor(db, std::move(select));
      CHECK(sqlite_of(db).idle_connections() == 0);
      bool more = true;
      while (more) {
        more = co_await cursor->fetch(10, [&](const aorm::RowReader& r) { seen.push_back(r.get_int64(0)); });
        ++calls;
      }
    }
    CHECK(calls == 3);
    REQUIRE(seen.size() == 25);
    CHECK(seen.front() == 1);
    CHECK(seen.back() == 25);
    CHECK(sqlite_of(db).idle_connections() == 1);
    // The same SQL runs again on the connection (its statement was reset).
    CHECK((co_await test::column<std::int64_t>(db, "SELECT x FROM t ORDER BY x")).size() == 25);
  });
}

TEST_CASE("a connection held by cursors only is lent to the next lease, which its cursors then read inside") {
  for_each_policy(2, [&](aorm::Database& db, Execution) -> Task<void> {
    auto& backend = sqlite_of(db);
    co_await numbers_table(db, 6);
    std::vector<std::int64_t> seen;
    const auto read = [&](const aorm::RowReader& r) { seen.push_back(r.get_int64(0)); };
    aorm::Statement select{"SELECT x FROM t ORDER BY x", {}};  // named: g++ 12 bug 2
    auto cursor = co_await aorm::detail::open_cursor(db, std::move(select));
    CHECK(co_await cursor->fetch(2, read));
    CHECK(backend.idle_connections() == 1);
    // A free connection is taken first; then the cursor's connection is lent at once.
    auto first = co_await backend.acquire();
    CHECK(backend.idle_connections() == 0);
    auto second = co_await backend.acquire();
    CHECK(first.get() != second.get());
    // While a lease that is not a cursor's shares it, nobody else gets it.
    bool third_granted = false;
    auto take_third = [&]() -> Task<void> {
      auto third = co_await backend.acquire();
      third_granted = true;
    };
    auto waiting = aorm::spawn(take_third());
    co_await aorm::sleep(10ms);
    CHECK_FALSE(third_granted);
    // The lent lease opens a transaction and is given back with it open (as when its
    // task is destroyed): it is rolled back, and the cursor reads on from where it was.
    aorm::Statement begin{"BEGIN", {}}, insert{"INSERT INTO t VALUES (100)", {}};
    const auto no_rows = [](const aorm::RowReader&) {};
    co_await backend.execute(begin, no_rows, second.get());
    co_await backend.execute(insert, no_rows, second.get());
    second = aorm::detail::ConnectionLease{};
    co_await waiting;
    CHECK(third_granted);
    while (co_await cursor->fetch(2, read)) {
    }
    CHECK(seen == std::vector<std::int64_t>{1, 2, 3, 4, 5, 6});
    cursor.reset();
    first = aorm::detail::ConnectionLease{};
    CHECK(backend.idle_connections() == 2);
    CHECK(co_await test::scalar(db, "SELECT count(*) FROM t") == 6);  // the INSERT was rolled back
  });
}

TEST_CASE("statements run between a cursor's fetches on a pool of one connection") {
  test::TempDir dir;
  struct Config {
    const char* name;
    std::string url;
    aorm::ConnectOptions options;
  };
  const std::vector<Config> configs{
      {"workers", dir.url("workers"), {.pool_size = 1, .execution = Execution::workers}},
      {"inline", dir.url("inline"), {.pool_size = 1, .execution = Execution::inline_}},
      {"memory (defaults)", "sqlite::memory:", {}},
  };
  for (const Config& config : configs) {
    CAPTURE(config.name);
    aorm::run([&]() -> Task<void> {
      auto db = co_await aorm::aconnect(config.url, config.options);
      REQUIRE(sqlite_of(db).pool_size() == 1);
      co_await numbers_table(db, 5);
      co_await db.aexecute("ALTER TABLE t ADD COLUMN seen");
      aorm::Statement select{"SELECT x FROM t ORDER BY x", {}};  // named: g++ 12 bug 2
      auto cursor = co_await aorm::detail::open_cursor(db, std::move(select));
      std::vector<std::int64_t> batch;
      int rows = 0;
      while (true) {
        batch.clear();
        const bool more = co_await cursor->fetch(1, [&](const aorm::RowReader& r) { batch.push_back(r.get_int64(0)); });
        for (std::int64_t x : batch) {
          // A statement, and a transaction, while the cursor is open.
          CHECK(co_await db.aexecute("UPDATE t SET seen = 1 WHERE x = ?", x) == 1);
          co_await aorm::atomic(db, [&]() -> Task<void> {
            co_await db.aexecute("UPDATE t SET seen = seen + 1 WHERE x = ?", x);
          });
          ++rows;
        }
        if (!more) break;
      }
      cursor.reset();
      CHECK(rows == 5);
      CHECK(co_await test::scalar(db, "SELECT count(*) FROM t WHERE seen = 2") == 5);
      CHECK(sqlite_of(db).idle_connections() == 1);
      co_await db.aclose();
    }());
  }
}

TEST_CASE("aclose waits for statements in flight and later calls raise OperationalError") {
  for_each_policy(1, [&](aorm::Database& db, Execution) -> Task<void> {
    auto lease = co_await db.backend()->acquire();
    auto slow = aorm::spawn(test::scalar(db, "SELECT 7"));  // waits for the leased connection
    bool closed = false;
    auto close_it = [&]() -> Task<void> {
      co_await db.aclose();
      closed = true;
    };
    auto closer = aorm::spawn(close_it());
    co_await aorm::sleep(10ms);
    CHECK_FALSE(closed);  // the lease and the queued statement are in flight
    lease = aorm::detail::ConnectionLease{};
    CHECK(co_await slow == 7);
    co_await closer;
    CHECK(closed);
    CHECK_THROWS_WITH_AS(co_await db.aexecute("SELECT 1"), "the database is closed", aorm::OperationalError);
    CHECK_THROWS_AS(co_await db.backend()->acquire(), aorm::OperationalError);
    co_await db.aclose();  // idempotent
  });
}

TEST_CASE("opening a file in a missing directory raises OperationalError") {
  test::TempDir dir;
  aorm::run([&]() -> Task<void> {
    const std::string url = "sqlite:" + (dir.path() / "no/such/dir/x.db").string();
    CHECK_THROWS_AS(co_await aorm::aconnect(url), aorm::OperationalError);
  }());
}
