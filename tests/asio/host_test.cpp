// aorm::asio::Host: async_run with every token kind, use_task, exceptions both ways, the task
// context, gather/spawn/sleep on the host, the threads rule, a Host torn down with work in
// flight — on every backend (fixture.hpp).
#include <aorm/aorm.hpp>
#include <atomic>
#include <boost/asio/local/connect_pair.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <chrono>
#include <thread>
#include <vector>

#include "fixture.hpp"

namespace {

using namespace std::chrono_literals;
using hx::net::awaitable;
using hx::net::use_awaitable;
using hx::Tag;
namespace net = hx::net;

aorm::Task<std::int64_t> count_named(std::string name) { co_return co_await Tag::objects.filter(Tag::f.name == name).acount(); }

TEST_CASE("1,000 Asio handlers await queries through async_run with use_awaitable") {
  hx::for_each_backend([](hx::Env& env) {
    env.complete(hx::add_tags(10));
    int done = 0;
    std::int64_t found = 0;
    for (int i = 0; i < 1000; ++i) {
      net::co_spawn(
          env.io,
          [&, i]() -> awaitable<void> {
            found += co_await aorm::asio::async_run(count_named("t" + std::to_string(i % 20)), use_awaitable);
            ++done;
          },
          net::detached);
    }
    env.io.restart();
    env.io.run();
    CHECK(done == 1000);
    CHECK(found == 500);  // t0..t9 exist, t10..t19 do not
    CHECK(hx::idle(env.db) == hx::pool(env.db));
  });
}

TEST_CASE("an aorm exception arrives in the Asio coroutine with its own type") {
  hx::for_each_backend([](hx::Env& env) {
    bool caught = false;
    net::co_spawn(
        env.io,
        [&]() -> awaitable<void> {
          try {
            co_await aorm::asio::async_run(Tag::objects.aget(Tag::f.name == "missing"), use_awaitable);
          } catch (const Tag::DoesNotExist& e) {
            caught = std::string(e.what()) == "Tag matching query does not exist.";
          }
        },
        net::detached);
    env.io.restart();
    env.io.run();
    CHECK(caught);
  });
}

TEST_CASE("use_task makes a steady_timer and a socket read aorm tasks, errors raise system_error") {
  hx::for_each_backend([](hx::Env& env) {
    net::local::stream_protocol::socket a(env.io), b(env.io);
    net::local::connect_pair(a, b);
    const auto waited = env.complete([&]() -> aorm::Task<std::chrono::steady_clock::duration> {
      const auto start = std::chrono::steady_clock::now();
      net::steady_timer timer(env.io, 10ms);
      co_await timer.async_wait(aorm::asio::use_task);
      co_return std::chrono::steady_clock::now() - start;
    }());
    CHECK(waited >= 10ms);

    const std::string got = env.complete([&]() -> aorm::Task<std::string> {
      co_await net::async_write(b, net::buffer(std::string_view("hello")), aorm::asio::use_task);
      b.close();
      std::string buf(5, '\0');
      const std::size_t n = co_await net::async_read(a, net::buffer(buf), aorm::asio::use_task);
      CHECK(n == 5);
      co_await Tag::objects.acount();  // a query between two Asio operations
      try {
        co_await net::async_read(a, net::buffer(buf), aorm::asio::use_task);
        FAIL("read past the end did not raise");
      } catch (const boost::system::system_error& e) {
        CHECK(e.code() == net::error::eof);
      }
      co_return buf;
    }());
    CHECK(got == "hello");
  });
}

TEST_CASE("all four completion tokens: use_awaitable, deferred, use_future and a callback") {
  hx::for_each_backend([](hx::Env& env) {
    env.complete(hx::add_tags(3));
    std::int64_t awaited = -1, deferred = -1, called = -1, bound = -1;
    net::co_spawn(
        env.io,
        [&]() -> awaitable<void> {
          awaited = co_await aorm::asio::async_run(Tag::objects.acount(), use_awaitable);
          auto op = aorm::asio::async_run(Tag::objects.filter(Tag::f.name == "t1").acount(), net::deferred);
          deferred = co_await std::move(op)(use_awaitable);
        },
        net::detached);
    // A plain callback has no executor: the Host is given, the callback runs on its strand.
    aorm::asio::async_run(*env.host, Tag::objects.acount(), [&](std::exception_ptr e, std::int64_t n) {
      CHECK(!e);
      called = n;
    });
    // A callback bound to the io_context's executor finds the Host through it.
    aorm::asio::async_run(Tag::objects.acount(), net::bind_executor(env.io, [&](std::exception_ptr e, std::int64_t n) {
                            CHECK(!e);
                            bound = n;
                          }));
    env.io.restart();
    env.io.run();
    CHECK(awaited == 3);
    CHECK(deferred == 1);
    CHECK(called == 3);
    CHECK(bound == 3);
    std::future<std::int64_t> f = aorm::asio::async_run(*env.host, Tag::objects.acount(), net::use_future);
    env.io.restart();
    env.io.run();
    CHECK(f.get() == 3);
    // use_future passes the task's exception on unchanged too.
    auto missing = aorm::asio::async_run(*env.host, Tag::objects.aget(Tag::f.name == "x"), net::use_future);
    env.io.restart();
    env.io.run();
    CHECK_THROWS_AS(missing.get(), Tag::DoesNotExist);
  });
}

TEST_CASE("the task context crosses async_run: atomic() inside a task, and async_run inside atomic()") {
  hx::for_each_backend([](hx::Env& env) {
    std::int64_t inside = -1, nested = -1;
    CHECK_THROWS_AS(env.complete([&]() -> aorm::Task<void> {
      co_await aorm::atomic([&]() -> aorm::Task<void> {
        Tag t;
        t.name = "uncommitted";
        co_await Tag::objects.acreate(std::move(t));
        // Only the transaction's connection sees the row (on SQLite another connection
        // would not), so both counts prove the routing.
        inside = co_await Tag::objects.acount();
        // aorm -> Asio -> aorm: the nested task inherits this block's context.
        nested = co_await aorm::asio::async_run(Tag::objects.acount(), aorm::asio::use_task);
        throw std::runtime_error("roll back");
      });
    }()),
                    std::runtime_error);
    CHECK(inside == 1);
    CHECK(nested == 1);
    CHECK(env.complete(Tag::objects.acount()) == 0);
    CHECK(hx::idle(env.db) == hx::pool(env.db));
  });
}

TEST_CASE("gather, spawn and sleep work inside tasks on the host") {
  hx::for_each_backend([](hx::Env& env) {
    env.complete(hx::add_tags(4));
    const auto [a, b, c] = env.complete([&]() -> aorm::Task<std::tuple<std::int64_t, std::int64_t, std::int64_t>> {
      auto later = aorm::spawn([]() -> aorm::Task<std::int64_t> {
        co_await aorm::sleep(5ms);
        co_return co_await Tag::objects.acount();
      }());
      const auto start = std::chrono::steady_clock::now();
      co_await aorm::sleep(5ms);
      CHECK(std::chrono::steady_clock::now() - start >= 5ms);
      auto [x, y] = co_await aorm::gather(Tag::objects.acount(), count_named("t2"));
      co_return std::tuple{x, y, co_await later};
    }());
    CHECK(a == 4);
    CHECK(b == 1);
    CHECK(c == 4);
  });
}

TEST_CASE("threads rule: io_context::run() on two threads at once, aorm tasks never overlap") {
  hx::for_each_backend([](hx::Env& env) {
    env.complete(hx::add_tags(2));
    std::atomic<int> in_task{0}, overlaps{0}, done{0};
    for (int i = 0; i < 200; ++i) {
      net::co_spawn(
          env.io,
          [&]() -> awaitable<void> {
            co_await aorm::asio::async_run(
                [&]() -> aorm::Task<void> {
                  for (int k = 0; k < 3; ++k) {
                    if (in_task.fetch_add(1) != 0) ++overlaps;
                    std::this_thread::yield();
                    in_task.fetch_sub(1);
                    co_await Tag::objects.acount();
                  }
                }(),
                use_awaitable);
            ++done;
          },
          net::detached);
    }
    env.io.restart();
    std::thread second([&] { env.io.run(); });
    env.io.run();
    second.join();
    CHECK(done == 200);
    CHECK(overlaps == 0);
  });
}

TEST_CASE("aorm::run() inside a Host's handler raises, and a thread that ran a Host can aorm::run() later") {
  hx::for_each_backend([](hx::Env& env) {
    bool raised = false;
    env.complete([&]() -> aorm::Task<void> {
      try {
        aorm::run(Tag::objects.acount());
      } catch (const std::logic_error&) {
        raised = true;
      }
      co_return;
    }());
    CHECK(raised);
    CHECK(aorm::run(Tag::objects.acount()) == 0);
    CHECK_THROWS_AS(aorm::asio::Host(env.io), std::logic_error);  // one Host per io_context
  });
}

TEST_CASE("a Host destroyed with work in flight destroys the tasks' frames and aborts their handlers") {
  hx::for_each_backend([](hx::Env& env) {
    std::atomic<int> aborted{0}, other{0};
    for (int i = 0; i < 40; ++i) {
      auto task = [](int i) -> aorm::Task<void> {
        if (i % 2 == 0) {
          // Inside a transaction, parked on a long sleep.
          co_await aorm::atomic([i]() -> aorm::Task<void> {
            Tag t;
            t.name = "doomed" + std::to_string(i);
            co_await Tag::objects.acreate(std::move(t));
            co_await aorm::sleep(1h);
          });
        } else {
          // Busy with statements (SQLite workers: jobs in flight at teardown).
          for (;;) co_await Tag::objects.acount();
        }
      }(i);
      aorm::asio::async_run(*env.host, std::move(task), [&](std::exception_ptr e) {
        try {
          if (e) std::rethrow_exception(e);
          ++other;
        } catch (const boost::system::system_error& err) {
          (err.code() == net::error::operation_aborted ? aborted : other)++;
        } catch (...) {
          ++other;
        }
      });
    }
    env.io.restart();
    env.io.run_for(100ms);
    env.host.reset();  // no thread runs io now
    CHECK(aborted == 0);  // handlers are posted, not called by the destructor
    env.io.restart();
    env.io.run();
    CHECK(aborted == 40);
    CHECK(other == 0);
    // Transactions were rolled back, connections went back (PostgreSQL: dropped when a
    // statement was in flight); the database works on a new host.
    env.host.emplace(env.io);
    CHECK(env.complete(Tag::objects.acount()) == 0);
    CHECK(hx::idle(env.db) == hx::pool(env.db));
  });
}

}  // namespace
