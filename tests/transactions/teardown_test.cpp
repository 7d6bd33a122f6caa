// Cancellation and teardown: a task destroyed mid-transaction or while queued for a
// connection, an exception in one of many gathered tasks, closing a database with work
// in flight — none leaves a connection leaked, a transaction open or a task stuck. On every
// backend: SQLite's write lock must be free afterwards, PostgreSQL's server must show no
// session of the test still inside a transaction.
#include <sqlite3.h>

#include <stdexcept>

#include "fixture.hpp"

using namespace std::chrono_literals;
using aorm::Task;
using tx::Env;
using tx::Tag;

namespace {

Task<void> add_tag(std::string name) { co_await Tag::objects.acreate(Tag{.name = std::move(name)}); }

/// SQLite: true when another connection can take the write lock within `wait`.
bool write_lock_free(const std::filesystem::path& file, int wait_ms) {
  sqlite3* h = nullptr;
  sqlite3_open(file.c_str(), &h);
  sqlite3_busy_timeout(h, wait_ms);
  const bool ok = sqlite3_exec(h, "BEGIN IMMEDIATE; ROLLBACK", nullptr, nullptr, nullptr) == SQLITE_OK;
  sqlite3_close(h);
  return ok;
}

/// True when no transaction of `env`'s database is left open, waiting up to `wait` for
/// one that is being rolled back (on a worker thread, or by a ROLLBACK in flight).
Task<bool> no_transaction_open(const Env& env, std::chrono::milliseconds wait) {
  if (env.postgres())
    co_return co_await tx::wait_server_sessions(env.application_name, "idle in transaction", 0, wait) == 0;
  co_return write_lock_free(env.file, static_cast<int>(wait.count()));
}

}  // namespace

TEST_CASE("a task destroyed mid-transaction is rolled back and its connection returns to the pool") {
  tx::for_each_backend_outside_run(
      [](Env& env) {
        const aorm::Database& db = env.db;
        bool reached_sleep = false;
        aorm::run([&]() -> Task<void> {
          auto stuck = [&]() -> Task<void> {
            co_await aorm::atomic([&]() -> Task<void> {
              co_await add_tag("never committed");
              reached_sleep = true;
              co_await aorm::sleep(1h);
            });
          };
          auto queued = [&]() -> Task<void> { co_await add_tag("never run"); };  // waits for the pool
          auto a = aorm::spawn(stuck());
          auto b = aorm::spawn(queued());
          a.detach();
          b.detach();
          co_await aorm::sleep(30ms);
          CHECK(tx::idle(db) == 0);
          // The main task ends here: run() destroys both spawned tasks without resuming them.
        }());
        CHECK(reached_sleep);
        aorm::run([&]() -> Task<void> {
          // No transaction is left behind (a rollback may still be running: wait a bit).
          CHECK(co_await no_transaction_open(env, 2000ms));
          CHECK(tx::idle(db) == 1);
          CHECK(co_await tx::count(db, "blog_tag") == 0);
          co_await add_tag("next user");
          CHECK(co_await tx::count(db, "blog_tag") == 1);
        }());
      },
      {.pool_size = 1});
}

TEST_CASE("an exception in one of many gathered tasks leaves no connection taken and no transaction open") {
  tx::for_each_backend(
      [](Env& env) -> Task<void> {
        auto task = [](std::string prefix, int i) -> Task<void> {
          co_await add_tag(prefix + std::to_string(i));
          if (i == 3) throw std::runtime_error("task 3 failed");
          co_await aorm::sleep(1ms);
          co_await add_tag(prefix + "again" + std::to_string(i));
        };
        std::vector<Task<void>> outside;
        for (int i = 0; i < 8; ++i) outside.push_back(task("out", i));
        CHECK_THROWS_WITH(co_await aorm::gather(std::move(outside)), "task 3 failed");
        CHECK(co_await tx::count(env.db, "blog_tag") == 15);  // the others all finished
        CHECK(tx::idle(env.db) == tx::pool(env.db));

        CHECK_THROWS_WITH(co_await aorm::atomic([&]() -> Task<void> {
          std::vector<Task<void>> inside;
          for (int i = 0; i < 8; ++i) inside.push_back(task("in", i));
          co_await aorm::gather(std::move(inside));
        }),
                          "task 3 failed");
        CHECK(co_await tx::count(env.db, "blog_tag") == 15);  // all of the block rolled back
        CHECK(tx::idle(env.db) == tx::pool(env.db));
        CHECK(co_await no_transaction_open(env, 0ms));
      },
      {.pool_size = 3});
}

TEST_CASE("closing a database waits for work in flight, then refuses new work") {
  tx::for_each_backend(
      [](Env& env) -> Task<void> {
        bool committed = false;
        auto transaction = [&]() -> Task<void> {
          co_await aorm::atomic([&]() -> Task<void> {
            co_await add_tag("in transaction");
            co_await aorm::sleep(20ms);
            co_await add_tag("still in transaction");
          });
          committed = true;
        };
        auto inserts = [&]() -> Task<void> {
          std::vector<Task<void>> many;
          for (int i = 0; i < 20; ++i) many.push_back(add_tag("n" + std::to_string(i)));
          co_await aorm::gather(std::move(many));
        };
        auto close = [&]() -> Task<void> {
          co_await aorm::sleep(1ms);  // after the others have started or queued
          co_await env.db.aclose();
        };
        co_await aorm::gather(transaction(), inserts(), close());
        CHECK(committed);
        CHECK_THROWS_AS(co_await env.db.aexecute("DELETE FROM blog_tag"), aorm::OperationalError);
        CHECK_THROWS_AS(co_await add_tag("late"), aorm::ConfigError);  // the alias is released
        CHECK(tx::idle(env.db) == tx::pool(env.db));
        // Everything that started before the close landed.
        auto reopened = co_await aorm::aconnect(env.url, {.alias = "reopened"});
        CHECK(co_await tx::count(reopened, "blog_tag") == 22);
        co_await reopened.aclose();
      },
      {.pool_size = 2});
}
