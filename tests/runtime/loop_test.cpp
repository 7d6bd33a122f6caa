// detail::EventLoop through the public API: sleep ordering, cross-thread post, fd watches,
// and what happens to tasks still suspended when run() returns.
#include <doctest/doctest.h>

#include <sys/epoll.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "aorm/detail/loop.hpp"
#include "aorm/runtime.hpp"
#include "counting.hpp"

using aorm::Task;
using namespace std::chrono_literals;

namespace {

Task<void> sleep_then_log(std::chrono::milliseconds d, std::string name, std::vector<std::string>& log) {
  co_await aorm::sleep(d);
  log.push_back(name);
}

}  // namespace

TEST_CASE("sleeping tasks wake in deadline order whatever order they started in") {
  std::vector<std::string> log;
  aorm::run(aorm::gather(sleep_then_log(30ms, "30", log), sleep_then_log(10ms, "10", log),
                         sleep_then_log(20ms, "20", log), sleep_then_log(10ms, "10 again", log)));
  CHECK(log == std::vector<std::string>{"10", "10 again", "20", "30"});
}

TEST_CASE("a sleep suspends only the sleeping task and lasts at least its duration") {
  std::vector<std::string> log;
  auto start = std::chrono::steady_clock::now();
  aorm::run([&]() -> Task<void> {
    auto sleeper = aorm::spawn(sleep_then_log(20ms, "sleeper woke", log));
    co_await aorm::sleep(0ms);  // lets the sleeper start
    log.push_back("main still running");
    co_await sleeper;
  }());
  CHECK(std::chrono::steady_clock::now() - start >= 20ms);
  CHECK(log == std::vector<std::string>{"main still running", "sleeper woke"});
}

TEST_CASE("a sleep of the longest duration never wakes up") {
  bool woke = false;
  auto forever = [&]() -> Task<void> {
    co_await aorm::sleep(std::chrono::hours::max());
    woke = true;
  };
  aorm::run([&]() -> Task<void> {
    aorm::spawn(forever()).detach();
    co_await aorm::sleep(5ms);
  }());
  CHECK_FALSE(woke);
}

TEST_CASE("sleep outside run raises logic_error") {
  Task<void> t = aorm::sleep(1ms);
  auto frame = aorm::detail::TaskAccess::frame(t);
  frame.resume();  // started by hand: there is no loop on this thread
  REQUIRE(frame.done());
  CHECK_THROWS_AS(frame.promise().take(), std::logic_error);
}

TEST_CASE("post from another thread resumes the coroutine on the loop thread") {
  struct PostFromThread {
    std::thread::id resumed_on;
    std::thread poster;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
      auto* loop = aorm::detail::EventLoop::current();
      loop->expect_post();
      poster = std::thread([loop, h] {
        std::this_thread::sleep_for(5ms);
        loop->post(h);
      });
    }
    void await_resume() { resumed_on = std::this_thread::get_id(); }
  };
  PostFromThread awaiter;
  aorm::run([&]() -> Task<void> { co_await awaiter; }());
  awaiter.poster.join();
  CHECK(awaiter.resumed_on == std::this_thread::get_id());
}

TEST_CASE("posts from two hundred threads all arrive") {
  int resumed = 0;
  struct Posted {
    int& resumed;
    std::thread& thread;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
      auto* loop = aorm::detail::EventLoop::current();
      loop->expect_post();
      thread = std::thread([loop, h] { loop->post(h); });
    }
    void await_resume() { ++resumed; }
  };
  auto one_post = [&](std::thread& t) -> Task<void> { co_await Posted{resumed, t}; };
  std::vector<std::thread> threads(4 * 50);
  aorm::run([&]() -> Task<void> {
    std::vector<Task<void>> tasks;
    for (auto& t : threads) tasks.push_back(one_post(t));
    co_await aorm::gather(std::move(tasks));
  }());
  for (auto& t : threads) t.join();
  CHECK(resumed == 200);
}

TEST_CASE("a post whose wake check says no is resumed with the next waking post") {
  // Two tasks await posts from one thread: the first post leaves the sleeping loop asleep,
  // the second (100 ms later) wakes it; both tasks resume, the first not before the second
  // post. Two posts are expected, so the loop sleeps rather than spins while it waits.
  using Clock = std::chrono::steady_clock;
  struct Quiet {
    std::coroutine_handle<> first, second;
    int suspended = 0;
    std::thread poster;
    aorm::detail::EventLoop* loop = nullptr;
    Clock::time_point second_posted;
  } shared;
  struct Await {
    Quiet& q;
    bool is_first;
    Clock::time_point resumed_at;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
      q.loop = aorm::detail::EventLoop::current();
      q.loop->expect_post();
      (is_first ? q.first : q.second) = h;
      if (++q.suspended == 2)
        q.poster = std::thread([&q = q] {
          std::this_thread::sleep_for(20ms);  // the loop is asleep by now
          q.loop->post(
              q.first, [](const void*) noexcept { return false; }, nullptr);
          std::this_thread::sleep_for(100ms);
          q.second_posted = Clock::now();
          q.loop->post(q.second);
        });
    }
    void await_resume() { resumed_at = Clock::now(); }
  };
  Await a{shared, true, {}}, b{shared, false, {}};
  auto wait_on = [](Await& w) -> Task<void> { co_await w; };
  aorm::run(aorm::gather(wait_on(a), wait_on(b)));
  shared.poster.join();
  CHECK(a.resumed_at >= shared.second_posted);
  CHECK(b.resumed_at >= shared.second_posted);
}

TEST_CASE("watch calls back when a pipe becomes readable and unwatch stops it") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::vector<std::string> got;
  aorm::run([&]() -> Task<void> {
    auto* loop = aorm::detail::EventLoop::current();
    loop->watch(fds[0], EPOLLIN, [&](std::uint32_t events) {
      char buf[16];
      auto n = ::read(fds[0], buf, sizeof buf);
      got.emplace_back(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
      if (got.size() == 2) loop->unwatch(fds[0]);  // from inside its own callback
      CHECK((events & EPOLLIN) != 0);
    });
    co_await aorm::sleep(5ms);
    CHECK(got.empty());  // nothing written yet
    REQUIRE(::write(fds[1], "ab", 2) == 2);
    co_await aorm::sleep(5ms);
    REQUIRE(::write(fds[1], "cd", 2) == 2);
    co_await aorm::sleep(5ms);
    REQUIRE(::write(fds[1], "ef", 2) == 2);  // unwatched: not read
    co_await aorm::sleep(5ms);
  }());
  CHECK(got == std::vector<std::string>{"ab", "cd"});
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST_CASE("a task suspended on sleep when run returns is destroyed without leaking") {
  Counts counts;
  bool finished = false;
  auto sleeps_long = [&]() -> Task<void> {
    Counted local(counts, 1);
    co_await aorm::sleep(1h);
    finished = true;
  };
  aorm::run([&]() -> Task<void> {
    aorm::spawn(sleeps_long()).detach();
    co_await aorm::sleep(1ms);  // the spawned task is now suspended in its sleep
    CHECK(counts.alive() == 1);
  }());
  CHECK_FALSE(finished);
  CHECK(counts.alive() == 0);
}

TEST_CASE("a task that is never awaited is destroyed without running") {
  Counts counts;
  bool ran = false;
  auto body = [&](Counted) -> Task<void> {
    ran = true;
    co_return;
  };
  aorm::run([&]() -> Task<void> {
    Task<void> unused = body(Counted(counts, 1));
    co_await aorm::sleep(0ms);
  }());
  CHECK_FALSE(ran);
  CHECK(counts.alive() == 0);
}
