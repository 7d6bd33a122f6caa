// atomic(): commit, rollback, savepoints, connection pinning, on_commit.
#include <stdexcept>

#include "sqlite/backend.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using aorm::Execution;
using aorm::Task;

namespace {

const char* policy_name(Execution e) { return e == Execution::workers ? "workers" : "inline"; }

Task<aorm::Database> open_with_table(const test::TempDir& dir, Execution policy, int pool_size = 0) {
  auto db = co_await aorm::aconnect(dir.url(policy_name(policy)),
                                    {.pool_size = pool_size, .execution = policy});
  co_await db.aexecute("CREATE TABLE t (x INTEGER)");
  co_return db;
}

}  // namespace

TEST_CASE("atomic commits when the body completes and rolls back when it throws") {
  test::TempDir dir;
  for (Execution policy : {Execution::workers, Execution::inline_}) {
    CAPTURE(policy_name(policy));
    aorm::run([&]() -> Task<void> {
      auto db = co_await open_with_table(dir, policy);
      aorm::QueryCapture cap;
      co_await aorm::atomic([&]() -> Task<void> {
        co_await db.aexecute("INSERT INTO t VALUES (1)");
        co_await db.aexecute("INSERT INTO t VALUES (2)");
      });
      CHECK(cap.count() == 4);
      CHECK(cap.queries().front().sql == "BEGIN IMMEDIATE");
      CHECK(cap.queries().back().sql == "COMMIT");
      CHECK(co_await test::scalar(db, "SELECT count(*) FROM t") == 2);

      CHECK_THROWS_WITH_AS(co_await aorm::atomic(db, [&]() -> Task<void> {
        co_await db.aexecute("INSERT INTO t VALUES (3)");
        throw std::runtime_error("boom");
      }),
                           "boom", std::runtime_error);
      CHECK(cap.queries().back().sql == "ROLLBACK");
      CHECK(co_await test::scalar(db, "SELECT count(*) FROM t") == 2);
      // The connection went back to the pool in a clean state.
      CHECK(dynamic_cast<aorm::detail::sqlite::SqliteBackend&>(*db.backend()).idle_connections() ==
            dynamic_cast<aorm::detail::sqlite::SqliteBackend&>(*db.backend()).pool_size());
    }());
  }
}

TEST_CASE("nested atomic makes a savepoint that rolls back alone") {
  test::TempDir dir;
  for (Execution policy : {Execution::workers, Execution::inline_}) {
    CAPTURE(policy_name(policy));
    aorm::run([&]() -> Task<void> {
      auto db = co_await open_with_table(dir, policy);
      aorm::QueryCapture cap;
      co_await aorm::atomic([&]() -> Task<void> {
        co_await db.aexecute("INSERT INTO t VALUES (1)");
        try {
          co_await aorm::atomic([&]() -> Task<void> {
            co_await db.aexecute("INSERT INTO t VALUES (2)");
            throw std::runtime_error("inner");
          });
        } catch (const std::runtime_error&) {
        }
        co_await aorm::atomic([&]() -> Task<void> { co_await db.aexecute("INSERT INTO t VALUES (3)"); });
      });
      auto rows = co_await test::column<std::int64_t>(db, "SELECT x FROM t ORDER BY x");
      CHECK(rows == std::vector<std::int64_t>{1, 3});
      std::vector<std::string> sql;
      for (const auto& q : cap.queries()) sql.push_back(q.sql);
      CHECK(sql == std::vector<std::string>{
                       "BEGIN IMMEDIATE", "INSERT INTO t VALUES (1)", "SAVEPOINT aorm_sp_1",
                       "INSERT INTO t VALUES (2)", "ROLLBACK TO SAVEPOINT aorm_sp_1",
                       "RELEASE SAVEPOINT aorm_sp_1", "SAVEPOINT aorm_sp_2", "INSERT INTO t VALUES (3)",
                       "RELEASE SAVEPOINT aorm_sp_2", "COMMIT", "SELECT x FROM t ORDER BY x"});
    }());
  }
}

TEST_CASE("an exception escaping nested blocks rolls back the whole transaction") {
  test::TempDir dir;
  aorm::run([&]() -> Task<void> {
    auto db = co_await open_with_table(dir, Execution::workers);
    CHECK_THROWS_AS(co_await aorm::atomic([&]() -> Task<void> {
      co_await db.aexecute("INSERT INTO t VALUES (1)");
      co_await aorm::atomic([&]() -> Task<void> {
        co_await db.aexecute("INSERT INTO t VALUES (2)");
        co_await db.aexecute("INSERT INTO missing VALUES (2)");
      });
    }),
                    aorm::ProgrammingError);
    CHECK(co_await test::scalar(db, "SELECT count(*) FROM t") == 0);
  }());
}

TEST_CASE("atomic returns the body's value") {
  test::TempDir dir;
  aorm::run([&]() -> Task<void> {
    auto db = co_await open_with_table(dir, Execution::inline_);
    const std::int64_t n = co_await aorm::atomic(db, [&]() -> Task<std::int64_t> {
      co_await db.aexecute("INSERT INTO t VALUES (5)");
      co_return co_await test::scalar(db, "SELECT sum(x) FROM t");
    });
    CHECK(n == 5);
  }());
}

TEST_CASE("queries inside atomic use its connection, however deep, and others do not see them") {
  test::TempDir dir;
  aorm::run([&]() -> Task<void> {
    // One connection: a query inside the block that waited for the pool would deadlock.
    auto mem = co_await aorm::aconnect("sqlite::memory:");
    co_await mem.aexecute("CREATE TABLE t (x)");
    co_await aorm::atomic(mem, [&]() -> Task<void> {
      auto nested = [&]() -> Task<void> { co_await mem.aexecute("INSERT INTO t VALUES (1)"); };
      co_await nested();
      co_await aorm::gather(nested(), nested());  // children inherit the context
    });
    CHECK(co_await test::scalar(mem, "SELECT count(*) FROM t") == 3);

    // File database, two connections: uncommitted rows are invisible outside the block.
    auto db = co_await aorm::aconnect(dir.url(), {.pool_size = 2, .alias = "file"});
    co_await db.aexecute("CREATE TABLE t (x)");
    co_await aorm::atomic(db, [&]() -> Task<void> {
      co_await db.aexecute("INSERT INTO t VALUES (1)");
      CHECK(co_await test::scalar(db, "SELECT count(*) FROM t") == 1);
      auto outside = aorm::detail::with_context(nullptr, test::scalar(db, "SELECT count(*) FROM t"));
      CHECK(co_await std::move(outside) == 0);
    });
    CHECK(co_await test::scalar(db, "SELECT count(*) FROM t") == 1);
  }());
}

TEST_CASE("two atomic blocks under one gather each use their own connection") {
  test::TempDir dir;
  aorm::run([&]() -> Task<void> {
    auto db = co_await open_with_table(dir, Execution::workers, 2);
    auto block = [&](int v) -> Task<void> {
      co_await aorm::atomic(db, [&db, v]() -> Task<void> {
        co_await db.aexecute("INSERT INTO t VALUES (?)", v);
        co_await aorm::sleep(5ms);
        // Sees its own row; the other block's row only if that one committed first.
        CHECK(co_await test::scalar(db, "SELECT count(*) FROM t WHERE x = " + std::to_string(v)) == 1);
      });
    };
    co_await aorm::gather(block(1), block(2));
    CHECK(co_await test::scalar(db, "SELECT count(*) FROM t") == 2);
  }());
}

TEST_CASE("on_commit runs after the outermost commit, never after a rollback") {
  test::TempDir dir;
  aorm::run([&]() -> Task<void> {
    auto db = co_await open_with_table(dir, Execution::workers);
    std::vector<std::string> log;
    aorm::on_commit([&] { log.push_back("now"); });
    CHECK(log == std::vector<std::string>{"now"});

    co_await aorm::atomic([&]() -> Task<void> {
      aorm::on_commit([&] { log.push_back("outer"); });
      try {
        co_await aorm::atomic([&]() -> Task<void> {
          aorm::on_commit([&] { log.push_back("rolled back"); });
          throw std::runtime_error("x");
        });
      } catch (const std::runtime_error&) {
      }
      co_await aorm::atomic([&]() -> Task<void> {
        aorm::on_commit([&] { log.push_back("inner"); });
        co_return;
      });
      CHECK(log.size() == 1);  // nothing runs before the commit
    });
    CHECK(log == std::vector<std::string>{"now", "outer", "inner"});

    CHECK_THROWS(co_await aorm::atomic([&]() -> Task<void> {
      aorm::on_commit([&] { log.push_back("never"); });
      co_await aorm::sleep(0ms);
      throw std::runtime_error("y");
    }));
    // A body that is not even a coroutine (it throws when called) also runs in the block.
    CHECK_THROWS(co_await aorm::atomic([&]() -> Task<void> {
      aorm::on_commit([&] { log.push_back("never either"); });
      throw std::runtime_error("z");
    }));
    CHECK(log.size() == 3);
  }());
}

TEST_CASE("atomic without a database and without a default raises ConfigError") {
  aorm::run([]() -> Task<void> {
    CHECK_THROWS_AS(co_await aorm::atomic([]() -> Task<void> { co_return; }), aorm::ConfigError);
  }());
}
