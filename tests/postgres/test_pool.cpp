// Pipelining, the pool, leases (acquire / pinned execution), lost connections, close().
#include "support.hpp"

using namespace std::chrono_literals;
using aorm::Task;
using V = std::vector<aorm::Value>;

namespace {
const V none;  // no parameters (a named value: g++ 12 mishandles braced temporaries in co_await)
}  // namespace

TEST_CASE("64 concurrent statements share one connection through its pipeline") {
  PG_SERVER_OR_SKIP(conninfo);
  aorm::run([&]() -> Task<void> {
    auto backend = co_await pgtest::open(conninfo, 1);
    auto& b = *backend;
    auto one = [&](int i) -> Task<pgtest::Row> {
      const V params = {std::int64_t{i}};
      auto rows = co_await pgtest::rows(b, "SELECT $1::int * 2, pg_backend_pid()", params);
      co_return rows.at(0);
    };
    std::vector<Task<pgtest::Row>> tasks;
    for (int i = 0; i < 64; ++i) tasks.push_back(one(i));
    const auto results = co_await aorm::gather(std::move(tasks));
    REQUIRE(results.size() == 64);
    for (int i = 0; i < 64; ++i) {
      CAPTURE(i);
      CHECK(results[i][0] == std::to_string(2 * i));  // each task got its own statement's rows
      CHECK(results[i][1] == results[0][1]);          // all on the one connection
    }

    // They were in the connection's pipeline together: all 64 sent before the first answer
    // was read (gather starts each task up to its send without a loop turn in between).
    CHECK(aorm::detail::postgres_pool_stats(b).max_in_flight == 64);

    // What that saves, for the log only (speed is measured in bench/pg_bench, not asserted
    // here): the same 64 statements awaited one by one, and gathered.
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 64; ++i) co_await one(i);
    const double sequential = pgtest::seconds_since(start);
    start = std::chrono::steady_clock::now();
    std::vector<Task<pgtest::Row>> batch;
    for (int i = 0; i < 64; ++i) batch.push_back(one(i));
    co_await aorm::gather(std::move(batch));
    const double pipelined = pgtest::seconds_since(start);
    MESSAGE("64 statements on one connection: sequential " << sequential * 1e3 << " ms, pipelined "
                                                           << pipelined * 1e3 << " ms");
    co_await backend->close();
  }());
}

TEST_CASE("the pool runs statements on its connections concurrently") {
  PG_SERVER_OR_SKIP(conninfo);
  aorm::run([&]() -> Task<void> {
    auto backend = co_await pgtest::open(conninfo, 4);
    auto& b = *backend;
    auto nap = [&]() -> Task<std::string> { co_return co_await pgtest::scalar(b, "SELECT pg_backend_pid() FROM pg_sleep(0.01)"); };

    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 64; ++i) co_await nap();
    const double sequential = pgtest::seconds_since(start);

    start = std::chrono::steady_clock::now();
    std::vector<Task<std::string>> tasks;
    for (int i = 0; i < 64; ++i) tasks.push_back(nap());
    const auto pids = co_await aorm::gather(std::move(tasks));
    const double concurrent = pgtest::seconds_since(start);

    MESSAGE("64 x pg_sleep(0.01): sequential " << sequential * 1e3 << " ms, gathered on 4 connections "
                                                << concurrent * 1e3 << " ms");
    CHECK(sequential >= 0.64);
    CHECK(concurrent <= 0.5 * sequential);
    std::vector<std::string> distinct(pids.begin(), pids.end());
    std::sort(distinct.begin(), distinct.end());
    distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
    CHECK(distinct.size() == 4);  // spread over every connection
    co_await backend->close();
  }());
}

TEST_CASE("a terminated connection fails only its in-flight statements and the pool reconnects") {
  PG_SERVER_OR_SKIP(conninfo);
  aorm::run([&]() -> Task<void> {
    auto backend = co_await pgtest::open(conninfo, 2);
    auto& b = *backend;
    auto killer = co_await pgtest::open(conninfo, 1);

    // Two leases: one connection each, so the test knows which statement runs where.
    aorm::detail::ConnectionLease victim = co_await b.acquire();
    aorm::detail::ConnectionLease bystander = co_await b.acquire();
    const std::string victim_pid = co_await pgtest::scalar(b, "SELECT pg_backend_pid()", none, victim.get());
    const std::string bystander_pid = co_await pgtest::scalar(b, "SELECT pg_backend_pid()", none, bystander.get());
    REQUIRE(victim_pid != bystander_pid);

    auto in_flight = [&](std::string sql, aorm::detail::Connection* on) -> Task<std::string> {
      try {
        co_return co_await pgtest::scalar(b, sql, none, on);
      } catch (const aorm::OperationalError& e) {
        co_return "OperationalError " + e.code();
      }
    };
    auto kill = [&]() -> Task<std::string> {
      co_await aorm::sleep(100ms);  // the victim's statements are on the wire by now
      const V pid = {std::stoll(victim_pid)};
      co_return co_await pgtest::scalar(*killer, "SELECT pg_terminate_backend($1::int)", pid);
    };
    const auto start = std::chrono::steady_clock::now();
    auto [slept, queued, other, killed] =
        co_await aorm::gather(in_flight("SELECT 'slept' FROM pg_sleep(30)", victim.get()),
                              in_flight("SELECT 'queued behind'", victim.get()),
                              in_flight("SELECT 'bystander' FROM pg_sleep(0.3)", bystander.get()), kill());
    CHECK(pgtest::seconds_since(start) < 10.0);  // nobody waited for the 30 s sleep
    CHECK(killed == "t");
    CHECK(slept == "OperationalError 57P01");  // admin_shutdown, as the server reported it
    CHECK(queued.substr(0, 16) == "OperationalError");
    CHECK(other == "bystander");
    // The dead connection refuses further statements at once, even while leased.
    CHECK((co_await in_flight("SELECT 1", victim.get())).substr(0, 16) == "OperationalError");
    victim = {};
    bystander = {};

    // The pool replaced the connection: every slot works again, with a new server process.
    std::vector<Task<std::string>> pids;
    for (int i = 0; i < 8; ++i) pids.push_back(pgtest::scalar(b, "SELECT pg_backend_pid() FROM pg_sleep(0.05)"));
    for (const std::string& pid : co_await aorm::gather(std::move(pids))) CHECK(pid != victim_pid);
    co_await killer->close();
    co_await backend->close();
  }());
}

TEST_CASE("an idle connection that the server closed is replaced before it is used") {
  PG_SERVER_OR_SKIP(conninfo);
  aorm::run([&]() -> Task<void> {
    auto backend = co_await pgtest::open(conninfo, 1);
    auto killer = co_await pgtest::open(conninfo, 1);
    const std::string old_pid = co_await pgtest::scalar(*backend, "SELECT pg_backend_pid()");
    const V pid = {std::stoll(old_pid)};
    CHECK(co_await pgtest::scalar(*killer, "SELECT pg_terminate_backend($1::int)", pid) == "t");
    co_await aorm::sleep(200ms);  // the server process has exited and closed the socket
    // The pool notices the closed socket before it sends anything on it, and reconnects.
    const std::string new_pid = co_await pgtest::scalar(*backend, "SELECT pg_backend_pid()");
    CHECK(new_pid != old_pid);
    co_await killer->close();
    co_await backend->close();
  }());
}

TEST_CASE("acquire leases a connection exclusively and pinned statements run in its transaction") {
  PG_SERVER_OR_SKIP(conninfo);
  aorm::run([&]() -> Task<void> {
    auto backend = co_await pgtest::open(conninfo, 2);
    auto& b = *backend;
    co_await pgtest::exec(b, "DROP TABLE IF EXISTS pg_pool_tx");
    co_await pgtest::exec(b, "CREATE TABLE pg_pool_tx (n int)");

    {
      aorm::detail::ConnectionLease lease = co_await b.acquire();
      REQUIRE(lease);
      CHECK_FALSE(co_await pgtest::in_transaction(b, lease.get()));
      co_await pgtest::exec(b, "BEGIN", none, lease.get());
      CHECK(co_await pgtest::in_transaction(b, lease.get()));
      co_await pgtest::exec(b, "INSERT INTO pg_pool_tx VALUES (1)", none, lease.get());
      CHECK(co_await pgtest::scalar(b, "SELECT count(*) FROM pg_pool_tx", none, lease.get()) == "1");
      // Unpinned statements go to the other connection: they do not see the uncommitted row.
      CHECK(co_await pgtest::scalar(b, "SELECT count(*) FROM pg_pool_tx") == "0");
      co_await pgtest::exec(b, "COMMIT", none, lease.get());
      CHECK(co_await pgtest::scalar(b, "SELECT count(*) FROM pg_pool_tx") == "1");
    }
    {
      // A lease given back inside a transaction is rolled back, not handed on half done.
      aorm::detail::ConnectionLease lease = co_await b.acquire();
      co_await pgtest::exec(b, "BEGIN", none, lease.get());
      co_await pgtest::exec(b, "INSERT INTO pg_pool_tx VALUES (2)", none, lease.get());
    }
    aorm::detail::ConnectionLease first = co_await b.acquire();
    aorm::detail::ConnectionLease second = co_await b.acquire();
    aorm::detail::Connection* const both[] = {first.get(), second.get()};
    for (aorm::detail::Connection* c : both) {
      CHECK(co_await pgtest::scalar(b, "SELECT count(*) FROM pg_pool_tx", none, c) == "1");
      CHECK_FALSE(co_await pgtest::in_transaction(b, c));  // no transaction left open
    }
    first = {};
    second = {};
    co_await pgtest::exec(b, "DROP TABLE pg_pool_tx");
    co_await backend->close();
  }());
}

TEST_CASE("acquire waits for the pipeline to drain and for a lease to come back") {
  PG_SERVER_OR_SKIP(conninfo);
  aorm::run([&]() -> Task<void> {
    auto backend = co_await pgtest::open(conninfo, 1);
    auto& b = *backend;
    std::vector<std::string> events;
    auto slow = [&]() -> Task<void> {
      co_await pgtest::exec(b, "SELECT pg_sleep(0.2)");
      events.push_back("statement done");
    };
    auto lease_it = [&]() -> Task<void> {
      aorm::detail::ConnectionLease lease = co_await b.acquire();
      events.push_back("leased");
      co_await aorm::sleep(100ms);
      events.push_back("lease released");
    };
    auto after_lease = [&]() -> Task<void> {
      co_await aorm::sleep(50ms);  // queued while the lease is pending or held
      co_await pgtest::exec(b, "SELECT 1");
      events.push_back("unpinned statement done");
    };
    co_await aorm::gather(slow(), lease_it(), after_lease());
    const std::vector<std::string> expected = {"statement done", "leased", "lease released",
                                               "unpinned statement done"};
    CHECK(events == expected);
    co_await backend->close();
  }());
}

TEST_CASE("close waits for statements in flight and later calls raise OperationalError") {
  PG_SERVER_OR_SKIP(conninfo);
  aorm::run([&]() -> Task<void> {
    auto backend = co_await pgtest::open(conninfo, 2);
    auto& b = *backend;
    std::string result;
    auto slow = [&]() -> Task<void> { result = co_await pgtest::scalar(b, "SELECT 'done' FROM pg_sleep(0.1)"); };
    auto closer = [&]() -> Task<void> {
      co_await aorm::sleep(20ms);
      co_await b.close();
      CHECK(result == "done");  // close() returned only after the statement finished
    };
    co_await aorm::gather(slow(), closer());
    CHECK_THROWS_AS(co_await pgtest::scalar(b, "SELECT 1"), aorm::OperationalError);
    CHECK_THROWS_AS(co_await b.acquire(), aorm::OperationalError);
    co_await b.close();  // a second close is harmless
  }());
}

TEST_CASE("a backend opened in one aorm::run() serves the next one") {
  PG_SERVER_OR_SKIP(conninfo);
  auto backend = aorm::run(pgtest::open(conninfo, 2));
  CHECK(aorm::run(pgtest::scalar(*backend, "SELECT 'first run'")) == "first run");
  CHECK(aorm::run(pgtest::scalar(*backend, "SELECT 'second run'")) == "second run");
  aorm::run(backend->close());
}

TEST_CASE("statements left in flight when aorm::run() returns do not break the next run") {
  PG_SERVER_OR_SKIP(conninfo);
  auto backend = aorm::run(pgtest::open(conninfo, 1));
  auto& b = *backend;
  aorm::run([&]() -> Task<void> {
    auto sleeper = [&]() -> Task<void> { co_await pgtest::exec(b, "SELECT pg_sleep(5)"); };
    auto left_behind = aorm::spawn(sleeper());
    left_behind.detach();
    co_await aorm::sleep(50ms);  // the statement is on the wire; then run() ends without it
  }());
  const auto start = std::chrono::steady_clock::now();
  CHECK(aorm::run(pgtest::scalar(b, "SELECT 'next run'")) == "next run");
  CHECK(pgtest::seconds_since(start) < 2.0);  // a fresh connection, not the busy one
  aorm::run(b.close());
}
