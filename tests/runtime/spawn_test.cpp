// aorm::spawn: start order, results and exceptions through the handle, detaching.
#include <doctest/doctest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "aorm/runtime.hpp"
#include "counting.hpp"

using aorm::Task;
using namespace std::chrono_literals;

namespace {

Task<int> logged(std::string name, std::vector<std::string>& log, int value) {
  log.push_back(name + " starts");
  co_await aorm::sleep(1ms);
  log.push_back(name + " ends");
  co_return value;
}

Task<int> throws_later() {
  co_await aorm::sleep(1ms);
  throw std::runtime_error("spawned failure");
}

}  // namespace

TEST_CASE("spawned tasks start in spawn order once their creator suspends") {
  std::vector<std::string> log;
  int sum = aorm::run([&]() -> Task<int> {
    auto a = aorm::spawn(logged("a", log, 1));
    auto b = aorm::spawn(logged("b", log, 2));
    log.push_back("creator continues");
    int x = co_await b;  // b finishes after a, but awaiting b first is fine
    int y = co_await a;
    co_return x + y;
  }());
  CHECK(sum == 3);
  CHECK(log == std::vector<std::string>{"creator continues", "a starts", "b starts", "a ends", "b ends"});
}

TEST_CASE("awaiting a spawned task that already finished does not suspend") {
  int v = aorm::run([]() -> Task<int> {
    auto h = aorm::spawn([]() -> Task<int> { co_return 11; }());
    co_await aorm::sleep(2ms);
    CHECK(h.done());
    co_return co_await h;
  }());
  CHECK(v == 11);
}

TEST_CASE("an exception from a spawned task is rethrown where the handle is awaited") {
  CHECK_THROWS_WITH_AS(aorm::run([]() -> Task<int> {
                         auto h = aorm::spawn(throws_later());
                         co_return co_await h;
                       }()),
                       "spawned failure", std::runtime_error);
}

TEST_CASE("a detached spawned task still runs to completion") {
  std::vector<std::string> log;
  aorm::run([&]() -> Task<void> {
    { auto dropped = aorm::spawn(logged("detached", log, 0)); }  // handle destroyed at once
    co_await aorm::sleep(10ms);
    log.push_back("main ends");
  }());
  CHECK(log == std::vector<std::string>{"detached starts", "detached ends", "main ends"});
}

TEST_CASE("an exception from a detached task is dropped and does not reach run") {
  CHECK_NOTHROW(aorm::run([]() -> Task<void> {
    aorm::spawn(throws_later()).detach();
    auto finished_unawaited = aorm::spawn(throws_later());
    co_await aorm::sleep(10ms);
    CHECK(finished_unawaited.done());
  }()));
}

TEST_CASE("a spawned task's result is moved and destroyed exactly once") {
  Counts counts;
  // Named: a spawned lambda coroutine outlives the full-expression that spawned it.
  auto make = [&](int v) -> Task<Counted> { co_return Counted(counts, v); };
  aorm::run([&]() -> Task<void> {
    auto h = aorm::spawn(make(3));
    Counted c = co_await h;
    CHECK(c.value() == 3);
    auto never_awaited = aorm::spawn(make(4));
    co_await aorm::sleep(1ms);
  }());
  CHECK(counts.copied == 0);
  CHECK(counts.alive() == 0);
}

TEST_CASE("spawn outside run raises logic_error") {
  CHECK_THROWS_AS((void)aorm::spawn([]() -> Task<void> { co_return; }()), std::logic_error);
}

TEST_CASE("a task awaiting a spawned task is destroyed with it when run returns") {
  Counts counts;
  aorm::run([&]() -> Task<void> {
    auto waiter = [&]() -> Task<void> {
      Counted local(counts, 1);
      auto h = aorm::spawn(aorm::sleep(1h));
      co_await h;
    };
    aorm::spawn(waiter()).detach();
    co_await aorm::sleep(2ms);
  }());
  CHECK(counts.alive() == 0);
}
