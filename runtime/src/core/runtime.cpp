// The machinery behind gather, spawn and sleep (runtime.hpp).
#include <cstdio>
#include <exception>
#include <utility>

#include "aorm/detail/loop.hpp"
#include "aorm/runtime.hpp"
#include "aorm/task.hpp"

namespace aorm::detail {

bool Barrier::start(std::coroutine_handle<> waiter) noexcept {
  waiter_ = waiter;
  // +1 for this function: no child may resume the waiter while others are being started.
  remaining_ = children_.size() + 1;
  const std::shared_ptr<Context>* context = running_context;  // the gathering task's
  for (const GatherChild& child : children_) {
    child.promise->completion_ = this;
    child.promise->adopt_context(context);
    child.frame.resume();  // until its first suspension (or its end)
  }
  return --remaining_ != 0;
}

std::coroutine_handle<> Barrier::on_done(PromiseBase& child) noexcept {
  if (child.exception() && !first_error_) first_error_ = child.exception();
  if (--remaining_ == 0) return waiter_;
  return std::noop_coroutine();
}

SpawnState::SpawnState(std::coroutine_handle<> frame, PromiseBase& promise, EventLoop& loop)
    : frame_(frame), promise_(promise), loop_(loop) {
  loop_.schedule(frame_);  // the only step that can throw: nothing is linked yet
  promise_.completion_ = this;
  promise_.adopt_context(running_context);
  loop_.adopt(*this);
}

SpawnState::~SpawnState() {
  if (frame_) frame_.destroy();
}

void SpawnState::set_waiter(std::coroutine_handle<> waiter) noexcept { waiter_ = waiter; }

void SpawnState::detach() noexcept {
  if (phase_ == Phase::running) {
    detached_ = true;
    waiter_ = {};
    return;
  }
  if (phase_ == Phase::finished) report_unobserved_exception();
  delete this;
}

void SpawnState::cancel() noexcept {
  loop_.release(*this);
  phase_ = Phase::cancelled;
  // Destroying the frame may run destructors that detach other handles, or this one.
  const bool delete_after = detached_;
  std::exchange(frame_, {}).destroy();
  if (delete_after) delete this;
}

std::coroutine_handle<> SpawnState::on_done(PromiseBase&) noexcept {
  phase_ = Phase::finished;
  loop_.release(*this);
  if (detached_) {
    report_unobserved_exception();
    delete this;  // destroys the finished frame, which is suspended at its final point
    return std::noop_coroutine();
  }
  if (waiter_) return std::exchange(waiter_, {});
  return std::noop_coroutine();
}

void SpawnState::report_unobserved_exception() const noexcept {
  if (observed_ || !promise_.exception()) return;
  try {
    std::rethrow_exception(promise_.exception());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "aorm: exception in a detached spawned task was dropped: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "aorm: exception in a detached spawned task was dropped\n");
  }
}

namespace {

struct TimerAwaiter {
  EventLoop::Clock::duration duration;
  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) const {
    EventLoop& loop = EventLoop::require_current("aorm::sleep");
    const auto now = EventLoop::Clock::now();
    // Saturate: sleep(hours::max()) must mean "forever", not overflow into the past.
    const auto deadline = duration > EventLoop::Clock::time_point::max() - now
                              ? EventLoop::Clock::time_point::max()
                              : now + duration;
    loop.resume_at(deadline, h);
  }
  void await_resume() const noexcept {}
};

}  // namespace

Task<void> sleep_for(std::chrono::steady_clock::duration duration) {
  co_await TimerAwaiter{duration};
}

}  // namespace aorm::detail
