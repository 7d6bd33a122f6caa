// Server-side cursors: batches, their own transaction, pinned cursors, clean-up.
#include "support.hpp"

using aorm::Task;
using V = std::vector<aorm::Value>;

namespace {

const V none;

/// Fetches batches of `batch` rows until the cursor reports the end; returns the sizes.
Task<std::vector<std::size_t>> batches(aorm::detail::Cursor& cursor, std::size_t batch,
                                       std::vector<std::int64_t>& values) {
  std::vector<std::size_t> sizes;
  bool more = true;
  while (more) {
    std::size_t n = 0;
    more = co_await cursor.fetch(batch, [&](const aorm::RowReader& r) {
      ++n;
      values.push_back(r.get_int64(0));
    });
    sizes.push_back(n);
  }
  co_return sizes;
}

}  // namespace

TEST_CASE("a cursor delivers a large result in batches inside its own transaction") {
  PG_SERVER_OR_SKIP(conninfo);
  aorm::run([&]() -> Task<void> {
    auto backend = co_await pgtest::open(conninfo, 2);
    auto& b = *backend;
    std::vector<std::int64_t> values;
    {
      aorm::Statement stmt{"SELECT g FROM generate_series(1, $1::int) g ORDER BY g", {std::int64_t{1000}}};
      auto cursor = co_await b.open_cursor(std::move(stmt), nullptr);
      const auto sizes = co_await batches(*cursor, 300, values);
      const std::vector<std::size_t> expected = {300, 300, 300, 100};
      CHECK(sizes == expected);
      CHECK_FALSE(co_await cursor->fetch(10, [](const aorm::RowReader&) { FAIL("a row after the end"); }));
      // While the cursor lives it holds one connection; the other serves everyone else.
      CHECK(co_await pgtest::scalar(b, "SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' "
                                       "AND query LIKE 'FETCH FORWARD 300 FROM%'") == "1");
    }
    REQUIRE(values.size() == 1000);
    CHECK(values.front() == 1);
    CHECK(values.back() == 1000);

    // Destroying the cursor ended its transaction before the connection went back.
    auto first = co_await b.acquire();
    auto second = co_await b.acquire();
    aorm::detail::Connection* const both[] = {first.get(), second.get()};
    for (aorm::detail::Connection* c : both)
      CHECK_FALSE(co_await pgtest::in_transaction(b, c));
    first = {};
    second = {};
    co_await backend->close();
  }());
}

TEST_CASE("a cursor on a pinned connection lives in the caller's transaction") {
  PG_SERVER_OR_SKIP(conninfo);
  aorm::run([&]() -> Task<void> {
    auto backend = co_await pgtest::open(conninfo, 1);
    auto& b = *backend;
    co_await pgtest::exec(b, "DROP TABLE IF EXISTS pg_cursor_rows");
    co_await pgtest::exec(b, "CREATE TABLE pg_cursor_rows (n int)");
    {
      auto lease = co_await b.acquire();
      co_await pgtest::exec(b, "BEGIN", none, lease.get());
      co_await pgtest::exec(b, "INSERT INTO pg_cursor_rows SELECT g FROM generate_series(1, 25) g", none, lease.get());
      std::vector<std::int64_t> values;
      {
        aorm::Statement stmt{"SELECT n FROM pg_cursor_rows WHERE n > $1 ORDER BY n", {std::int64_t{5}}};
        auto cursor = co_await b.open_cursor(std::move(stmt), lease.get());
        const auto sizes = co_await batches(*cursor, 8, values);
        const std::vector<std::size_t> expected = {8, 8, 4};
        CHECK(sizes == expected);  // it sees the transaction's own uncommitted rows
        // Statements can run on the connection between fetches.
        CHECK(co_await pgtest::scalar(b, "SELECT count(*) FROM pg_cursor_rows", none, lease.get()) == "25");
      }
      CHECK(values.size() == 20);
      co_await pgtest::exec(b, "ROLLBACK", none, lease.get());
    }
    CHECK(co_await pgtest::scalar(b, "SELECT count(*) FROM pg_cursor_rows") == "0");
    co_await pgtest::exec(b, "DROP TABLE pg_cursor_rows");
    co_await backend->close();
  }());
}

TEST_CASE("a cursor over a failing query raises and its connection returns to the pool clean") {
  PG_SERVER_OR_SKIP(conninfo);
  aorm::run([&]() -> Task<void> {
    auto backend = co_await pgtest::open(conninfo, 1);
    auto& b = *backend;
    aorm::Statement bad{"SELECT * FROM pg_cursor_missing", {}};
    CHECK_THROWS_AS(co_await b.open_cursor(std::move(bad), nullptr), aorm::ProgrammingError);
    aorm::Statement divides{"SELECT 1 / (g - 3) FROM generate_series(1, 5) g", {}};
    auto cursor = co_await b.open_cursor(std::move(divides), nullptr);
    std::vector<std::int64_t> values;
    CHECK_THROWS_AS(co_await batches(*cursor, 10, values), aorm::DataError);
    CHECK_FALSE(co_await cursor->fetch(10, [](const aorm::RowReader&) {}));
    cursor.reset();
    auto lease = co_await b.acquire();
    CHECK_FALSE(co_await pgtest::in_transaction(b, lease.get()));
    lease = {};
    co_await backend->close();
  }());
}
