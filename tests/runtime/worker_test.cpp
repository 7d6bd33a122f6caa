// detail::WorkerThread and detail::run_on: FIFO jobs, results and exceptions back on the
// loop thread, and the loop waiting for work in flight when run() returns.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "aorm/detail/loop.hpp"
#include "aorm/runtime.hpp"
#include "counting.hpp"

using aorm::Task;
using aorm::detail::run_on;
using aorm::detail::WorkerThread;
using namespace std::chrono_literals;

TEST_CASE("a worker thread runs jobs in FIFO order and its destructor finishes queued jobs") {
  std::vector<int> order;  // only the worker writes it; read after the join
  std::thread::id ran_on;
  std::thread::id worker_id;
  {
    WorkerThread worker;
    worker_id = worker.id();
    worker.submit([&] { std::this_thread::sleep_for(20ms); });  // queue the rest behind it
    for (int i = 0; i < 100; ++i) worker.submit([&order, i] { order.push_back(i); });
    worker.submit([&] { ran_on = std::this_thread::get_id(); });
  }  // joins after the 102 jobs
  REQUIRE(order.size() == 100);
  for (int i = 0; i < 100; ++i) CHECK(order[i] == i);
  CHECK(ran_on == worker_id);
  CHECK(ran_on != std::this_thread::get_id());
}

TEST_CASE("run_on runs the function on the worker and resumes the task on the loop thread") {
  WorkerThread worker;
  const auto loop_thread = std::this_thread::get_id();
  auto [fn_thread, resumed_thread, value] = aorm::run([&]() -> Task<std::tuple<std::thread::id, std::thread::id, std::string>> {
    std::thread::id inside;
    std::string s = co_await run_on(worker, [&] {
      inside = std::this_thread::get_id();
      return std::string("from the worker");
    });
    co_return std::tuple(inside, std::this_thread::get_id(), s);
  }());
  CHECK(fn_thread == worker.id());
  CHECK(resumed_thread == loop_thread);
  CHECK(value == "from the worker");
}

TEST_CASE("run_on rethrows the function's exception in the awaiting task") {
  WorkerThread worker;
  CHECK_THROWS_WITH_AS(aorm::run([&]() -> Task<void> {
                         co_await run_on(worker, []() -> int { throw std::invalid_argument("bad sql"); });
                       }()),
                       "bad sql", std::invalid_argument);
}

TEST_CASE("run_on passes void and reference results") {
  WorkerThread worker;
  int target = 0;
  aorm::run([&]() -> Task<void> {
    co_await run_on(worker, [&] { target = 1; });
    int& r = co_await run_on(worker, [&]() -> int& { return target; });
    CHECK(&r == &target);
    CHECK(target == 1);
  }());
}

TEST_CASE("run_on moves its result without copying it") {
  WorkerThread worker;
  Counts counts;
  aorm::run([&]() -> Task<void> {
    Counted c = co_await run_on(worker, [&] { return Counted(counts, 8); });
    CHECK(c.value() == 8);
  }());
  CHECK(counts.copied == 0);
  CHECK(counts.alive() == 0);
}

TEST_CASE("many gathered tasks hop to several workers and back") {
  std::vector<WorkerThread> workers(3);
  std::atomic<int> on_workers{0};
  auto hops = [&](int i) -> Task<long> {
    long sum = 0;
    for (int k = 0; k < 10; ++k)
      sum += co_await run_on(workers[(i + k) % workers.size()], [&, k] {
        on_workers.fetch_add(1, std::memory_order_relaxed);
        return k;
      });
    co_return sum;
  };
  long total = aorm::run([&]() -> Task<long> {
    std::vector<Task<long>> tasks;
    for (int i = 0; i < 300; ++i) tasks.push_back(hops(i));
    long total = 0;
    for (long v : co_await aorm::gather(std::move(tasks))) total += v;
    co_return total;
  }());
  CHECK(total == 300 * 45);
  CHECK(on_workers.load() == 3000);
}

TEST_CASE("run waits for worker jobs in flight before destroying the tasks waiting on them") {
  WorkerThread worker;
  std::atomic<bool> job_done{false};
  Counts counts;
  aorm::run([&]() -> Task<void> {
    auto slow = [&]() -> Task<void> {
      Counted local(counts, 1);
      // The job writes its result into this frame after run()'s main task has finished.
      std::string s = co_await run_on(worker, [&] {
        std::this_thread::sleep_for(50ms);
        job_done = true;
        return std::string(1000, 'x');
      });
      FAIL("a task is resumed after run() finished");
    };
    aorm::spawn(slow()).detach();
    co_await aorm::sleep(5ms);  // the job is running now
  }());
  CHECK(job_done.load());
  CHECK(counts.alive() == 0);
}

// The worker and the loop spin for up to kSpin before they sleep; these round trips are
// slower than that on both sides, so each must wake a sleeping worker (condition variable)
// and a sleeping loop (eventfd). A lost wake-up hangs the test.
TEST_CASE("run_on round trips still complete when the worker and the loop have gone to sleep") {
  static_assert(WorkerThread::kSpin < 5ms && aorm::detail::EventLoop::kSpin < 5ms);
  WorkerThread worker;
  const int sum = aorm::run([&]() -> Task<int> {
    int total = 0;
    for (int i = 1; i <= 5; ++i) {
      co_await aorm::sleep(5ms);  // the worker's queue has been empty for longer than kSpin
      total += co_await run_on(worker, [i] {
        std::this_thread::sleep_for(5ms);  // the loop has stopped spinning and sleeps
        return i;
      });
    }
    co_return total;
  }());
  CHECK(sum == 15);
}

TEST_CASE("back-to-back run_on round trips from many tasks all complete") {
  WorkerThread a, b;
  std::atomic<int> ran{0};
  auto hop = [&](int n) -> Task<int> {
    int got = 0;
    for (int i = 0; i < 200; ++i)
      got += co_await run_on(i % 2 ? a : b, [&ran, n] { ran.fetch_add(1, std::memory_order_relaxed); return n; });
    co_return got;
  };
  std::vector<Task<int>> tasks;
  for (int n = 0; n < 8; ++n) tasks.push_back(hop(n));
  const auto results = aorm::run(aorm::gather(std::move(tasks)));
  for (int n = 0; n < 8; ++n) CHECK(results[static_cast<std::size_t>(n)] == 200 * n);
  CHECK(ran.load() == 1600);
}
