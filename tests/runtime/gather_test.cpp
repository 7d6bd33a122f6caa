// aorm::gather: concurrency, result order, exceptions after all children finished.
#include <doctest/doctest.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "aorm/runtime.hpp"
#include "counting.hpp"

using aorm::Task;
using namespace std::chrono_literals;

namespace {

Task<int> after(std::chrono::milliseconds d, int value, std::vector<std::string>& log) {
  log.push_back("start " + std::to_string(value));
  co_await aorm::sleep(d);
  log.push_back("end " + std::to_string(value));
  co_return value;
}

Task<void> fail_after(std::chrono::milliseconds d, std::string message, std::vector<std::string>& log) {
  co_await aorm::sleep(d);
  log.push_back("throw " + message);
  throw std::runtime_error(message);
}

Task<std::string> now(std::string s) { co_return s; }

}  // namespace

TEST_CASE("gather returns results in argument order even when children finish in another order") {
  std::vector<std::string> log;
  auto [a, b, c] = aorm::run(aorm::gather(after(30ms, 1, log), after(10ms, 2, log), after(20ms, 3, log)));
  CHECK(a == 1);
  CHECK(b == 2);
  CHECK(c == 3);
  // Every child started before any finished: they ran concurrently.
  CHECK(log == std::vector<std::string>{"start 1", "start 2", "start 3", "end 2", "end 3", "end 1"});
}

TEST_CASE("gather mixes value void and reference results") {
  int target = 5;
  std::vector<std::string> log;
  auto result = aorm::run([&]() -> Task<std::tuple<std::string, std::monostate, int&>> {
    auto ref = [&]() -> Task<int&> { co_return target; };
    co_return co_await aorm::gather(now("x"), aorm::sleep(1ms), ref());
  }());
  CHECK(std::get<0>(result) == "x");
  CHECK(&std::get<2>(result) == &target);
}

TEST_CASE("gather of children that all complete synchronously finishes without the loop") {
  auto [a, b] = aorm::run(aorm::gather(now("a"), now("b")));
  CHECK(a == "a");
  CHECK(b == "b");
  auto empty = aorm::run(aorm::gather());
  CHECK(std::tuple_size_v<decltype(empty)> == 0);
}

TEST_CASE("gather rethrows the first exception only after all children finished") {
  std::vector<std::string> log;
  CHECK_THROWS_WITH_AS(aorm::run(aorm::gather(after(30ms, 1, log), fail_after(20ms, "second", log),
                                              fail_after(10ms, "first", log))),
                       "first", std::runtime_error);
  CHECK(log == std::vector<std::string>{"start 1", "throw first", "throw second", "end 1"});
}

TEST_CASE("gather over a vector keeps the vector's order and void gives monostates") {
  std::vector<std::string> log;
  auto values = aorm::run([&]() -> Task<std::vector<int>> {
    std::vector<Task<int>> tasks;
    for (int i = 0; i < 5; ++i) tasks.push_back(after(std::chrono::milliseconds(10 - 2 * i), i, log));
    co_return co_await aorm::gather(std::move(tasks));
  }());
  CHECK(values == std::vector<int>{0, 1, 2, 3, 4});

  auto voids = aorm::run([&]() -> Task<std::vector<std::monostate>> {
    std::vector<Task<void>> tasks;
    tasks.push_back(aorm::sleep(2ms));
    tasks.push_back(aorm::sleep(1ms));
    co_return co_await aorm::gather(std::move(tasks));
  }());
  CHECK(voids.size() == 2);
  CHECK(aorm::run(aorm::gather(std::vector<Task<int>>{})).empty());
}

TEST_CASE("gather moves results and destroys each exactly once") {
  Counts counts;
  auto make = [&](int v) -> Task<Counted> {
    co_await aorm::sleep(1ms);
    co_return Counted(counts, v);
  };
  {
    auto [x, y] = aorm::run(aorm::gather(make(1), make(2)));
    CHECK(x.value() + y.value() == 3);
    CHECK(counts.copied == 0);
    CHECK(counts.alive() == 2);
  }
  CHECK(counts.alive() == 0);
}

TEST_CASE("gather nested in gather propagates an exception through both") {
  std::vector<std::string> log;
  auto inner = [&]() -> Task<int> {
    auto [a, b] = co_await aorm::gather(after(1ms, 1, log), [&]() -> Task<int> {
      co_await fail_after(2ms, "inner", log);
      co_return 0;
    }());
    co_return a + b;
  };
  CHECK_THROWS_WITH(aorm::run(aorm::gather(inner(), after(5ms, 2, log))), "inner");
  CHECK(log.back() == "end 2");  // the sibling still ran to completion
}
