// aorm::Task<T>: laziness, results, exceptions, lifetimes, stack use, aorm::run.
#include <doctest/doctest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "aorm/runtime.hpp"
#include "aorm/task.hpp"
#include "counting.hpp"

using aorm::Task;

namespace {

Task<int> answer(std::vector<std::string>& log) {
  log.push_back("answer runs");
  co_return 42;
}

Task<std::string> greet(std::string name) { co_return "hello " + name; }

Task<int&> pick(std::vector<int>& values, std::size_t i) { co_return values[i]; }

Task<void> fail_at(int depth) {
  if (depth == 0) throw std::runtime_error("failed at the bottom");
  co_await fail_at(depth - 1);
}

Task<Counted> make_counted(Counts& counts, int value) {
  Counted c(counts, value);
  co_return c;  // a local in co_return is moved from
}

Task<int> keep_then_return(Counted held) { co_return held.value(); }

Task<int> one() { co_return 1; }

// The distance between the lowest and the highest machine stack address seen in a leaf
// task. (A local's address would not do: locals of a coroutine live in its heap frame.)
struct StackSpan {
  std::uintptr_t low = UINTPTR_MAX, high = 0;
  [[gnu::noinline]] void see() {
    auto a = reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
    if (a < low) low = a;
    if (a > high) high = a;
  }
};

Task<int> leaf(StackSpan& span) {
  span.see();
  co_return 1;
}

}  // namespace

TEST_CASE("a task does not run until it is awaited") {
  std::vector<std::string> log;
  int result = aorm::run([&]() -> Task<int> {
    Task<int> t = answer(log);
    log.push_back("created");
    int v = co_await std::move(t);
    log.push_back("awaited");
    co_return v;
  }());
  CHECK(result == 42);
  CHECK(log == std::vector<std::string>{"created", "answer runs", "awaited"});
}

TEST_CASE("a task hands its value or its reference to the awaiter") {
  std::vector<int> values{1, 2, 3};
  auto [text, ref_ok] = aorm::run([&]() -> Task<std::pair<std::string, bool>> {
    std::string s = co_await greet("world");
    int& r = co_await pick(values, 1);
    r = 20;  // writes through to the vector
    Task<int> lvalue = one();
    int from_lvalue = co_await lvalue;  // awaiting a named task works too
    co_return std::pair<std::string, bool>(s, &r == &values[1] && from_lvalue == 1);
  }());
  CHECK(text == "hello world");
  CHECK(ref_ok);
  CHECK(values[1] == 20);
}

TEST_CASE("an exception thrown deep in nested awaits is rethrown by run") {
  CHECK_THROWS_WITH_AS(aorm::run(fail_at(10)), "failed at the bottom", std::runtime_error);
}

TEST_CASE("an exception can be caught by the awaiting task and the task goes on") {
  int result = aorm::run([]() -> Task<int> {
    try {
      co_await fail_at(3);
    } catch (const std::runtime_error&) {
      co_return 7;
    }
    co_return 0;
  }());
  CHECK(result == 7);
}

TEST_CASE("a million co_awaits of synchronously completing tasks do not grow the stack") {
  StackSpan span;
  long total = aorm::run([&]() -> Task<long> {
    long sum = 0;
    for (int i = 0; i < 1'000'000; ++i) sum += co_await leaf(span);
    co_return sum;
  }());
  CHECK(total == 1'000'000);
  // Every leaf body runs at the same depth (symmetric transfer); recursion would have
  // used about a hundred bytes per iteration.
  CHECK(span.high - span.low < 4096);
}

TEST_CASE("destroying a task that never started frees its frame and its arguments") {
  Counts counts;
  {
    Task<int> t = keep_then_return(Counted(counts, 5));
    CHECK(counts.alive() == 1);  // the argument, moved into the frame
  }
  CHECK(counts.alive() == 0);
  CHECK(counts.copied == 0);
}

TEST_CASE("a value returned through a task is moved not copied and destroyed exactly once") {
  Counts counts;
  {
    Counted result = aorm::run(make_counted(counts, 9));
    CHECK(result.value() == 9);
    CHECK(counts.copied == 0);
    CHECK(counts.alive() == 1);
  }
  CHECK(counts.alive() == 0);
  CHECK(counts.constructed == counts.destroyed);

  Counts awaited;
  aorm::run([&]() -> Task<void> {
    Counted c = co_await make_counted(awaited, 3);
    CHECK(c.value() == 3);
  }());
  CHECK(awaited.copied == 0);
  CHECK(awaited.moved <= 2);  // into the promise, out to the awaiter
  CHECK(awaited.alive() == 0);
}

TEST_CASE("moving a task moves the ownership of its frame") {
  Counts counts;
  Task<int> a = keep_then_return(Counted(counts, 4));
  Task<int> b = std::move(a);
  CHECK_FALSE(a);
  CHECK(b);
  b = Task<int>();  // assigning over a task destroys its frame
  CHECK(counts.alive() == 0);
}

TEST_CASE("run inside a running task raises logic_error") {
  bool raised = false;
  aorm::run([&]() -> Task<void> {
    try {
      aorm::run(one());
    } catch (const std::logic_error& e) {
      raised = std::string(e.what()).find("already running an event loop") != std::string::npos;
    }
    co_return;
  }());
  CHECK(raised);
  CHECK(aorm::run(one()) == 1);  // the thread can run a loop again afterwards
}

TEST_CASE("run raises logic_error when the main task waits on something that never completes") {
  struct Never {
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<>) const noexcept {}
    void await_resume() const noexcept {}
  };
  Counts counts;
  auto waits_forever = [&]() -> Task<void> {
    Counted local(counts, 1);
    co_await Never{};
  };
  CHECK_THROWS_AS(aorm::run(waits_forever()), std::logic_error);
  CHECK(counts.alive() == 0);  // the suspended main task was destroyed
}

// ---- coroutine frame memory (detail::FramePool) ----------------------------------------

TEST_CASE("a freed task frame is reused by the next task of the same size on the thread") {
  void* first = nullptr;
  {
    Task<std::string> t = greet("a");  // allocated, never started: destroying it frees it
    first = aorm::detail::TaskAccess::frame(t).address();
  }
  Task<std::string> again = greet("b");
  if constexpr (AORM_FRAME_POOL) {
    CHECK(aorm::detail::TaskAccess::frame(again).address() == first);  // recycled
  } else {
    CHECK(aorm::detail::TaskAccess::frame(again).address() != nullptr);  // ASan: plain new
  }
  CHECK(aorm::run(std::move(again)) == "hello b");
}

TEST_CASE("frames freed on another thread are reused there and stay valid after that thread exits") {
  constexpr int n = 200;
  std::vector<Task<std::string>> tasks;
  for (int i = 0; i < n; ++i) tasks.push_back(greet(std::to_string(i)));
  std::vector<std::string> results(n);
  std::string again;
  std::thread other([&] {
    // Run on another thread, then free every frame there (into that thread's lists).
    for (int i = 0; i < n; ++i) results[static_cast<std::size_t>(i)] = aorm::run(std::move(tasks[static_cast<std::size_t>(i)]));
    tasks.clear();
    // That thread allocates from its list again before it exits and releases the rest.
    again = aorm::run(greet("again"));
  });
  other.join();
  CHECK(again == "hello again");
  for (int i = 0; i < n; ++i) CHECK(results[static_cast<std::size_t>(i)] == "hello " + std::to_string(i));
  // This thread's own frames are unaffected.
  long sum = 0;
  for (int i = 0; i < n; ++i) sum += static_cast<long>(aorm::run(greet(std::string(static_cast<std::size_t>(i), 'x'))).size());
  CHECK(sum == n * 6L + static_cast<long>(n) * (n - 1) / 2);
}

TEST_CASE("a ready task yields its value without suspending and moves it, never copies") {
  Counts counts;
  aorm::run([&]() -> Task<void> {
    Task<Counted> ready = aorm::detail::ready_task<Counted>(counts, 5);
    CHECK(ready);
    Task<Counted> moved = std::move(ready);  // the value moves with the task
    CHECK_FALSE(ready);
    CHECK(moved);
    Counted c = co_await moved;
    CHECK(c.value() == 5);
    CHECK_FALSE(moved);  // its value was handed over
    // A million ready tasks in a row: none suspends, so the stack does not grow either.
    long sum = 0;
    for (int i = 0; i < 1'000'000; ++i) sum += co_await aorm::detail::ready_task<int>(i & 1);
    CHECK(sum == 500'000);
  }());
  CHECK(counts.copied == 0);
  CHECK(counts.alive() == 0);
}

TEST_CASE("a ready task can be run, gathered, spawned and pinned to a context like any task") {
  CHECK(aorm::run(aorm::detail::ready_task<std::string>("ran")) == "ran");
  auto [a, b] = aorm::run(aorm::gather(aorm::detail::ready_task<int>(1), greet("x")));
  CHECK(a == 1);
  CHECK(b == "hello x");
  CHECK(aorm::run([]() -> Task<int> {
          auto spawned = aorm::spawn(aorm::detail::ready_task<int>(7));
          co_return co_await spawned;
        }()) == 7);
  auto context = std::make_shared<aorm::detail::Context>();
  CHECK(aorm::run(aorm::detail::with_context(context, aorm::detail::ready_task<int>(3))) == 3);
  Counts counts;
  {
    Task<Counted> dropped = aorm::detail::ready_task<Counted>(counts, 1);  // never awaited
  }
  CHECK(counts.alive() == 0);
}
