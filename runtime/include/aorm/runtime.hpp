// aorm/runtime.hpp — run, gather, spawn, sleep (API.md §6; asyncio's run, gather,
// create_task, sleep).
//
// Everything here runs on the loop thread of aorm::run() (detail/loop.hpp). A child task
// started by gather() or spawn() gets the context of the task that called them.
#pragma once

#include <array>
#include <cassert>
#include <chrono>
#include <coroutine>
#include <cstddef>
#include <exception>
#include <functional>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "aorm/detail/loop.hpp"
#include "aorm/task.hpp"

namespace aorm {

/// Runs `task` to completion on a new event loop on the calling thread and returns its
/// value, or rethrows its exception (asyncio.run). Tasks it spawned that are still running
/// when it finishes are destroyed without resuming (see detail::EventLoop). Raises
/// std::logic_error when called on a thread that is already running a loop (inside a
/// task: co_await the task instead).
template <class T>
T run(Task<T> task) {
  assert(task && "aorm::run() on an empty Task");
  detail::EpollLoop loop;  // destroyed before `task`: in-flight work first, then the rest
  loop.run_until_done(detail::TaskAccess::frame(task));
  return detail::TaskAccess::frame(task).promise().take();
}

namespace detail {

/// What gather() yields for a Task<T>: void becomes std::monostate.
template <class T>
using gathered_t = std::conditional_t<std::is_void_v<T>, std::monostate, T>;
/// The element type of gather(vector): references are held by std::reference_wrapper.
template <class T>
using gathered_element_t =
    std::conditional_t<std::is_reference_v<T>, std::reference_wrapper<std::remove_reference_t<T>>,
                       gathered_t<T>>;

struct GatherChild {
  PromiseBase* promise;
  std::coroutine_handle<> frame;
};

template <class T>
GatherChild gather_child(Task<T>& task) {  // a ready task gets a frame: may allocate
  auto frame = TaskAccess::frame(task);
  assert(frame && !frame.done() && "gather() of an empty or finished Task");
  return {&frame.promise(), frame};
}

template <class T>
gathered_t<T> take_gathered(Task<T>& task) {
  if constexpr (std::is_void_v<T>) {
    TaskAccess::frame(task).promise().take();
    return {};
  } else {
    return TaskAccess::frame(task).promise().take();
  }
}

/// Starts tasks one after the other (each runs until it first suspends) and resumes the
/// awaiting coroutine once all have finished; then rethrows the first exception in
/// completion order, if any. Lives in the gathering coroutine's frame; the children's
/// frames stay owned by their Task objects (the results are taken from them).
class Barrier final : public Completion {
 public:
  explicit Barrier(std::span<const GatherChild> children) noexcept : children_(children) {}

  struct Awaiter {
    Barrier* barrier;
    bool await_ready() const noexcept { return barrier->children_.empty(); }
    bool await_suspend(std::coroutine_handle<> waiter) noexcept { return barrier->start(waiter); }
    void await_resume() const {
      if (barrier->first_error_) std::rethrow_exception(barrier->first_error_);
    }
  };
  Awaiter operator co_await() & noexcept { return {this}; }

  std::coroutine_handle<> on_done(PromiseBase& child) noexcept override;

 private:
  bool start(std::coroutine_handle<> waiter) noexcept;  // false: all finished already

  std::span<const GatherChild> children_;
  std::size_t remaining_ = 0;
  std::coroutine_handle<> waiter_;
  std::exception_ptr first_error_;
};

/// Shared by a spawned task and its Spawned handle. Owns the task's frame. While the
/// task runs it is also on the loop's list of spawned tasks. Deleted by whichever comes
/// last: the handle letting go (detach), or the task finishing (or being cancelled at loop
/// shutdown) after the handle let go.
class SpawnState final : public Completion {
 public:
  /// Adopts `frame`, gives it the running context, schedules its start on `loop`.
  SpawnState(std::coroutine_handle<> frame, PromiseBase& promise, EventLoop& loop);
  ~SpawnState();
  SpawnState(const SpawnState&) = delete;
  SpawnState& operator=(const SpawnState&) = delete;

  bool finished() const noexcept { return phase_ == Phase::finished; }
  void set_waiter(std::coroutine_handle<> waiter) noexcept;
  /// The handle's result was (or is about to be) taken: its exception is observed.
  void mark_observed() noexcept { observed_ = true; }
  /// The handle lets go: deletes *this when the task is over, else the task finishes alone.
  void detach() noexcept;
  /// Loop shutdown: destroys the unfinished frame; deletes *this when detached.
  void cancel() noexcept;
  std::coroutine_handle<> on_done(PromiseBase& child) noexcept override;
  std::coroutine_handle<> frame() const noexcept { return frame_; }

  SpawnState* prev = nullptr;  // the loop's list of running spawned tasks
  SpawnState* next = nullptr;

 private:
  enum class Phase : unsigned char { running, finished, cancelled };
  void report_unobserved_exception() const noexcept;

  std::coroutine_handle<> frame_;
  PromiseBase& promise_;
  EventLoop& loop_;
  std::coroutine_handle<> waiter_;
  Phase phase_ = Phase::running;
  bool detached_ = false;
  bool observed_ = false;
};

Task<void> sleep_for(std::chrono::steady_clock::duration duration);

}  // namespace detail

/// Runs the tasks concurrently on this loop and yields their results in argument order
/// (void results as std::monostate). Each child starts in turn and runs until it first
/// suspends, then the next one starts. If any child throws, the first exception (in
/// completion order) is rethrown once every child has finished.
template <class... Ts>
Task<std::tuple<detail::gathered_t<Ts>...>> gather(Task<Ts>... tasks) {
  std::array<detail::GatherChild, sizeof...(Ts)> children{detail::gather_child(tasks)...};
  detail::Barrier barrier(children);
  co_await barrier;
  co_return std::tuple<detail::gathered_t<Ts>...>(detail::take_gathered(tasks)...);
}

/// gather() over a vector: results in the vector's order. Task<void> children yield
/// std::vector<std::monostate> (same rule as the tuple form, so generic code can count
/// or zip the results); reference results are std::reference_wrapper.
template <class T>
Task<std::vector<detail::gathered_element_t<T>>> gather(std::vector<Task<T>> tasks) {
  std::vector<detail::GatherChild> children;
  children.reserve(tasks.size());
  for (Task<T>& task : tasks) children.push_back(detail::gather_child(task));
  detail::Barrier barrier(children);
  co_await barrier;
  std::vector<detail::gathered_element_t<T>> results;
  results.reserve(tasks.size());
  for (Task<T>& task : tasks) results.push_back(detail::take_gathered(task));
  co_return results;
}

/// The handle of a spawned task: `co_await handle` yields its result or rethrows (once).
/// Destroying (or detach()ing) a handle that was not awaited detaches the task: it still
/// runs to completion; its result is dropped and an exception from it is reported on
/// stderr. Move-only; loop thread only.
template <class T>
class [[nodiscard]] Spawned {
 public:
  Spawned() noexcept = default;
  Spawned(Spawned&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
  Spawned& operator=(Spawned&& other) noexcept {
    if (this != &other) {
      detach();
      state_ = std::exchange(other.state_, nullptr);
    }
    return *this;
  }
  ~Spawned() { detach(); }

  /// True once the task has finished (awaiting it will not suspend).
  bool done() const noexcept { return state_ != nullptr && state_->finished(); }
  /// Lets the task run on alone (see the class comment).
  void detach() noexcept {
    if (state_ != nullptr) std::exchange(state_, nullptr)->detach();
  }

  auto operator co_await() & noexcept { return Awaiter{state_}; }
  auto operator co_await() && noexcept { return Awaiter{state_}; }

 private:
  template <class U>
  friend Spawned<U> spawn(Task<U> task);
  explicit Spawned(detail::SpawnState* state) noexcept : state_(state) {}

  struct Awaiter {
    detail::SpawnState* state;
    bool await_ready() const noexcept {
      assert(state != nullptr && "co_await on an empty Spawned handle");
      return state->finished();
    }
    void await_suspend(std::coroutine_handle<> waiter) const noexcept { state->set_waiter(waiter); }
    T await_resume() const {
      state->mark_observed();
      using Frame = std::coroutine_handle<detail::TaskPromise<T>>;
      return Frame::from_address(state->frame().address()).promise().take();
    }
  };

  detail::SpawnState* state_ = nullptr;
};

/// Starts `task` on the running loop, under the caller's context, and returns its handle.
/// The task is scheduled, not run inline: it starts on the loop's next turn (after the
/// caller suspends), spawned tasks starting in spawn order (asyncio.create_task). Raises
/// std::logic_error outside aorm::run().
template <class T>
Spawned<T> spawn(Task<T> task) {
  assert(task && "aorm::spawn() on an empty Task");
  detail::EventLoop& loop = detail::EventLoop::require_current("aorm::spawn");
  auto frame = detail::TaskAccess::frame(task);
  auto* state = new detail::SpawnState(frame, frame.promise(), loop);
  detail::TaskAccess::release(task);  // the state owns the frame now
  return Spawned<T>(state);
}

/// Suspends the calling task only, for at least `duration` (asyncio.sleep); a zero or
/// negative duration still lets the other ready tasks run first. Raises std::logic_error
/// outside aorm::run().
template <class Rep, class Period>
Task<void> sleep(std::chrono::duration<Rep, Period> duration) {
  using Ticks = std::chrono::steady_clock::duration;
  // Compared in floating point: converting e.g. hours::max() to Ticks would overflow.
  if (std::chrono::duration<double>(duration) >= std::chrono::duration<double>(Ticks::max()))
    return detail::sleep_for(Ticks::max());
  return detail::sleep_for(std::chrono::ceil<Ticks>(duration));
}

}  // namespace aorm
