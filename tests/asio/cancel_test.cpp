// Cancelling an aorm task through the cancellation slot bound to async_run: the task raises
// system_error(operation_aborted), its transaction is rolled back, its connection goes back
// clean, and the database stays usable.
#include <aorm/aorm.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <chrono>

#include "fixture.hpp"

namespace {

using namespace std::chrono_literals;
using hx::Tag;
namespace net = hx::net;

/// Runs `body` (inside atomic(), after inserting a tag) through async_run with a
/// cancellation slot, emits a terminal cancellation after `after`, and checks what the
/// task raised, the rows, the pool and the database afterwards.
void cancel_inside_atomic(hx::Env& env, std::function<aorm::Task<void>()> body, std::chrono::milliseconds after) {
  net::cancellation_signal signal;
  net::steady_timer fire(env.io, after);
  fire.async_wait([&](const boost::system::error_code&) { signal.emit(net::cancellation_type::terminal); });
  bool aborted = false, finished = false;
  const auto start = std::chrono::steady_clock::now();
  net::co_spawn(
      env.io,
      [&]() -> net::awaitable<void> {
        try {
          co_await aorm::asio::async_run(aorm::atomic([&]() -> aorm::Task<void> {
                                           Tag t;
                                           t.name = "cancelled";
                                           co_await Tag::objects.acreate(std::move(t));
                                           co_await body();
                                         }),
                                         net::bind_cancellation_slot(signal.slot(), net::use_awaitable));
          finished = true;
        } catch (const boost::system::system_error& e) {
          aborted = e.code() == net::error::operation_aborted;
        }
      },
      net::detached);
  env.io.restart();
  env.io.run();
  CHECK(aborted);
  CHECK(!finished);
  CHECK(std::chrono::steady_clock::now() - start < 20s);  // not the body's hour
  CHECK(hx::idle(env.db) == hx::pool(env.db));
  CHECK(env.complete(Tag::objects.acount()) == 0);  // rolled back; the pool works
  Tag t;
  t.name = "after";
  env.complete(Tag::objects.acreate(std::move(t)));
  CHECK(env.complete(Tag::objects.acount()) == 1);
}

TEST_CASE("cancelling a task parked on aorm::sleep inside atomic() rolls it back") {
  hx::for_each_backend([](hx::Env& env) {
    cancel_inside_atomic(env, []() -> aorm::Task<void> { co_await aorm::sleep(1h); }, 20ms);
  });
}

TEST_CASE("cancelling a task awaiting an Asio timer through use_task inside atomic() cancels the timer") {
  hx::for_each_backend([](hx::Env& env) {
    cancel_inside_atomic(
        env,
        [&]() -> aorm::Task<void> {
          net::steady_timer timer(env.io, 1h);
          co_await timer.async_wait(aorm::asio::use_task);
        },
        20ms);
  });
}

TEST_CASE("cancelling a task while a query is in flight ends it once the query returns") {
  hx::for_each_backend([](hx::Env& env) {
    cancel_inside_atomic(
        env,
        [&]() -> aorm::Task<void> {
          // A statement that takes a while (~100+ ms), then a long wait it never reaches.
          if (env.postgres())
            co_await env.db.aexecute("SELECT pg_sleep(0.2)");
          else
            co_await env.db.aexecute(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) "
                "SELECT count(*) FROM c");
          co_await aorm::sleep(1h);
        },
        5ms);
  });
}

TEST_CASE("the || awaitable operator with a timer cancels the aorm task") {
  hx::for_each_backend([](hx::Env& env) {
    using namespace net::experimental::awaitable_operators;
    bool timer_won = false;
    net::co_spawn(
        env.io,
        [&]() -> net::awaitable<void> {
          net::steady_timer timeout(env.io, 20ms);
          auto r = co_await (aorm::asio::async_run(aorm::atomic([]() -> aorm::Task<void> {
                                                     Tag t;
                                                     t.name = "raced";
                                                     co_await Tag::objects.acreate(std::move(t));
                                                     co_await aorm::sleep(1h);
                                                   }),
                                                   net::use_awaitable) ||
                             timeout.async_wait(net::use_awaitable));
          timer_won = r.index() == 1;
        },
        net::detached);
    env.io.restart();
    env.io.run();
    CHECK(timer_won);
    CHECK(env.complete(Tag::objects.acount()) == 0);
    CHECK(hx::idle(env.db) == hx::pool(env.db));
  });
}

}  // namespace
