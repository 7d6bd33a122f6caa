// The task-local context: inherited where a task is created, replaced where it is
// awaited, pinned by with_context, and given to gathered and spawned children.
#include <doctest/doctest.h>

#include <chrono>
#include <memory>
#include <string>

#include "aorm/detail/context.hpp"
#include "aorm/detail/loop.hpp"
#include "aorm/runtime.hpp"

using aorm::Task;
using aorm::detail::Context;
using aorm::detail::current_context;
using aorm::detail::with_context;
using namespace std::chrono_literals;

namespace {

using ContextPtr = std::shared_ptr<Context>;

// Counts mismatches instead of asserting at each point, so a failure names the place.
struct Probe {
  int checks = 0;
  std::string first_mismatch;
  void expect(const ContextPtr& expected, const char* where) {
    ++checks;
    if (current_context() != expected && first_mismatch.empty()) first_mismatch = where;
  }
};

Task<int> nested(ContextPtr expected, Probe& probe, std::chrono::milliseconds d) {
  probe.expect(expected, "nested start");
  co_await aorm::sleep(d);
  probe.expect(expected, "nested after sleep");
  co_return 1;
}

// Awaits, sleeps, gathers, spawns and hops to a worker, checking the context after each.
Task<int> everywhere(ContextPtr expected, Probe& probe, aorm::detail::WorkerThread& worker,
                     std::chrono::milliseconds d) {
  int total = 0;
  for (int round = 0; round < 3; ++round) {
    probe.expect(expected, "loop start");
    co_await aorm::sleep(d);
    probe.expect(expected, "after sleep");
    total += co_await nested(expected, probe, d);
    probe.expect(expected, "after nested await");
    auto [a, b] = co_await aorm::gather(nested(expected, probe, d), nested(expected, probe, 0ms));
    total += a + b;
    probe.expect(expected, "after gather");
    auto h = aorm::spawn(nested(expected, probe, d));
    co_await aorm::sleep(0ms);
    total += co_await h;
    probe.expect(expected, "after spawn");
    total += co_await aorm::detail::run_on(worker, [] { return 1; });
    probe.expect(expected, "after run_on");
  }
  co_return total;
}

}  // namespace

TEST_CASE("current_context is null outside any task and in tasks run without one") {
  CHECK(current_context() == nullptr);
  aorm::run([]() -> Task<void> {
    CHECK(current_context() == nullptr);
    co_await aorm::sleep(0ms);
    CHECK(current_context() == nullptr);
  }());
  CHECK(current_context() == nullptr);
}

TEST_CASE("two gathered tasks each under their own context see only their own context") {
  auto a = std::make_shared<Context>();
  auto b = std::make_shared<Context>();
  aorm::detail::WorkerThread worker;
  Probe probe_a, probe_b;
  auto [ra, rb] = aorm::run(aorm::gather(with_context(a, everywhere(a, probe_a, worker, 1ms)),
                                         with_context(b, everywhere(b, probe_b, worker, 2ms))));
  CHECK(ra == 15);
  CHECK(rb == 15);
  CHECK(probe_a.first_mismatch == "");
  CHECK(probe_b.first_mismatch == "");
  CHECK(probe_a.checks > 30);
  CHECK(probe_b.checks > 30);
  CHECK(a.use_count() == 1);  // no task, and no thread_local, holds the context any more
}

TEST_CASE("the awaiter's context wins over the context where a task was created") {
  auto outer = std::make_shared<Context>();
  auto inner = std::make_shared<Context>();
  aorm::run(with_context(outer, [&]() -> Task<void> {
    Probe probe;
    Task<int> made_here = nested(inner, probe, 1ms);  // created under `outer`...
    co_await with_context(inner, [&]() -> Task<void> {
      co_await std::move(made_here);  // ...awaited under `inner`
    }());
    CHECK(probe.first_mismatch == "");
    CHECK(current_context() == outer);  // back in the outer body
  }()));
}

TEST_CASE("a pinned context is kept when awaited under another context") {
  auto outer = std::make_shared<Context>();
  auto pinned = std::make_shared<Context>();
  aorm::run(with_context(outer, [&]() -> Task<void> {
    Probe probe;
    co_await with_context(pinned, nested(pinned, probe, 1ms));
    CHECK(probe.first_mismatch == "");
    CHECK(current_context() == outer);
  }()));
}

TEST_CASE("a child context can point at its parent like nested atomic blocks") {
  auto outer = std::make_shared<Context>();
  auto savepoint = std::make_shared<Context>(Context{outer, nullptr, nullptr, nullptr, nullptr});
  aorm::run(with_context(outer, [&]() -> Task<void> {
    co_await with_context(savepoint, [&]() -> Task<void> {
      co_await aorm::sleep(1ms);
      CHECK(current_context() == savepoint);
      CHECK(current_context()->parent == outer);
    }());
    CHECK(current_context() == outer);
  }()));
}
