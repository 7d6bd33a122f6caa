// detail::WorkerThread and detail::run_on: FIFO jobs, results and exceptions back on the
// loop thread, and the loop waiting for work in flight when run() returns.
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
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
  static_assert(WorkerThread::kSpin < 5ms && aorm::detail::EpollLoop::kSpin < 5ms);
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

// ---- WorkerGroup: shared jobs run on whichever open member is free ------------------------

using aorm::detail::run_on_any;
using aorm::detail::WorkerGroup;

namespace {

/// A shared job that records which member ran it (on that member's thread).
struct Recorder final : WorkerGroup::Job {
  std::atomic<std::size_t> ran_on{SIZE_MAX};
  std::atomic<bool> done{false};
  std::thread::id thread;
  void run(std::size_t worker) noexcept override {
    thread = std::this_thread::get_id();
    ran_on.store(worker);
    done.store(true);
  }
};

bool wait_until(const std::atomic<bool>& flag, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!flag.load()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(100us);
  }
  return true;
}

}  // namespace

TEST_CASE("a worker group runs each shared job once, on the thread of the member it names") {
  WorkerGroup group(3);
  REQUIRE(group.size() == 3);
  std::vector<Recorder> jobs(300);
  // Three submitting threads at once: the queue is safe from any thread.
  std::vector<std::thread> submitters;
  for (int t = 0; t < 3; ++t)
    submitters.emplace_back([&, t] {
      for (std::size_t i = static_cast<std::size_t>(t); i < jobs.size(); i += 3) group.submit(jobs[i]);
    });
  for (auto& t : submitters) t.join();
  for (auto& j : jobs) REQUIRE(wait_until(j.done, 5s));
  for (auto& j : jobs) {
    REQUIRE(j.ran_on.load() < 3);
    CHECK(j.thread == group[j.ran_on.load()].id());
  }
}

TEST_CASE("shared jobs run in parallel on several members") {
  WorkerGroup group(2);
  // Each job waits until both have started: only two members running at once can meet.
  struct Meet final : WorkerGroup::Job {
    std::atomic<int>* started = nullptr;
    std::atomic<bool> met{false};
    std::atomic<bool> done{false};
    void run(std::size_t) noexcept override {
      started->fetch_add(1);
      const auto deadline = std::chrono::steady_clock::now() + 5s;
      while (started->load() < 2 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
      met.store(started->load() == 2);
      done.store(true);
    }
  };
  std::atomic<int> started{0};
  Meet a, b;
  a.started = b.started = &started;
  group.submit(a);
  group.submit(b);
  REQUIRE(wait_until(a.done, 10s));
  REQUIRE(wait_until(b.done, 10s));
  CHECK(a.met.load());
  CHECK(b.met.load());
}

TEST_CASE("a reserved member takes no shared job until it is released, and still runs its own") {
  WorkerGroup group(2);
  group.reserve(0);
  std::vector<Recorder> jobs(100);
  for (auto& j : jobs) group.submit(j);
  for (auto& j : jobs) REQUIRE(wait_until(j.done, 5s));
  for (auto& j : jobs) CHECK(j.ran_on.load() == 1);

  // Both reserved: a shared job waits; own jobs run meanwhile; releasing one runs it there.
  group.reserve(1);
  Recorder waiting;
  group.submit(waiting);
  std::atomic<bool> own_ran{false};
  std::thread::id own_thread;
  group[1].submit([&] {
    own_thread = std::this_thread::get_id();
    own_ran.store(true);
  });
  REQUIRE(wait_until(own_ran, 5s));
  CHECK(own_thread == group[1].id());
  std::this_thread::sleep_for(20ms);
  CHECK_FALSE(waiting.done.load());
  group.release(0);
  REQUIRE(wait_until(waiting.done, 5s));
  CHECK(waiting.ran_on.load() == 0);
}

TEST_CASE("a worker group's destructor runs the shared jobs still queued, even with every member reserved") {
  std::vector<Recorder> jobs(20);
  {
    WorkerGroup group(2);
    group.reserve(0);
    group.reserve(1);
    for (auto& j : jobs) group.submit(j);
  }
  for (auto& j : jobs) CHECK(j.done.load());
}

TEST_CASE("run_on_any returns the result or the exception to the task, on the loop thread") {
  WorkerGroup group(2);
  const auto loop_thread = std::this_thread::get_id();
  auto [sum, resumed_on] = aorm::run([&]() -> Task<std::pair<long, std::thread::id>> {
    std::vector<Task<long>> tasks;
    for (int t = 0; t < 16; ++t)
      tasks.push_back([](WorkerGroup& g, int t) -> Task<long> {
        long s = 0;
        for (int i = 0; i < 50; ++i)
          s += co_await run_on_any(g, [t, i](std::size_t member) -> long {
            return member < 2 ? t * 100 + i : -1'000'000;  // a bad index spoils the sum
          });
        co_return s;
      }(group, t));
    long total = 0;
    for (long v : co_await aorm::gather(std::move(tasks))) total += v;
    CHECK_THROWS_WITH_AS(co_await run_on_any(group, [](std::size_t) -> int { throw std::invalid_argument("no such row"); }),
                         "no such row", std::invalid_argument);
    co_return std::pair(total, std::this_thread::get_id());
  }());
  long expected = 0;
  for (int t = 0; t < 16; ++t)
    for (int i = 0; i < 50; ++i) expected += t * 100 + i;
  CHECK(sum == expected);
  CHECK(resumed_on == loop_thread);
}

TEST_CASE("the last shared job to finish wakes a sleeping loop even if it started behind a long queue") {
  // Four slow jobs start first, while 36 quick ones wait behind them; the quick ones finish
  // and are delivered, the loop goes to sleep, and the slow ones finish last: their posts
  // must wake it. A lost wake-up hangs the loop, so a watchdog aborts after 10 s.
  std::mutex m;
  std::condition_variable cv;
  bool finished = false;
  std::thread watchdog([&] {
    std::unique_lock lock(m);
    if (!cv.wait_for(lock, 10s, [&] { return finished; })) {
      std::fprintf(stderr, "the loop never woke for the last shared jobs\n");
      std::abort();
    }
  });
  WorkerGroup group(4);
  const int total = aorm::run([&]() -> Task<int> {
    std::vector<Task<int>> tasks;
    for (int i = 0; i < 40; ++i)
      tasks.push_back([](WorkerGroup& g, int i) -> Task<int> {
        co_return co_await run_on_any(g, [i](std::size_t) {
          if (i < 4) std::this_thread::sleep_for(50ms);
          return 1;
        });
      }(group, i));
    int sum = 0;
    for (int v : co_await aorm::gather(std::move(tasks))) sum += v;
    co_return sum;
  }());
  {
    std::lock_guard lock(m);
    finished = true;
  }
  cv.notify_one();
  watchdog.join();
  CHECK(total == 40);
}
