// WaitList: coroutines parked until some state they watch may have changed.
#pragma once

#include <coroutine>

#include "aorm/detail/loop.hpp"

namespace aorm::detail::postgres {

/// Coroutines waiting for a change of state they re-check after waking (a connection of the
/// pool coming free, a pipeline draining). `co_await list.wait()` parks the caller;
/// wake_all() schedules every parked coroutine on its loop's next turn (never resumes it
/// inline: wake_all runs inside callbacks and destructors).
///
/// Each entry lives in its waiter's frame and unlinks itself when destroyed, so a frame
/// destroyed while parked (a task cancelled at loop shutdown) leaves nothing dangling; the
/// list unlinks what remains when it is destroyed first. Loop thread only.
class WaitList {
 public:
  class [[nodiscard]] Awaiter {
   public:
    explicit Awaiter(WaitList& list) noexcept : list_(&list) {}
    Awaiter(const Awaiter&) = delete;
    Awaiter& operator=(const Awaiter&) = delete;
    ~Awaiter() { unlink(); }

    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) {
      loop_ = &EventLoop::require_current("aorm: waiting for a PostgreSQL connection");
      handle_ = h;
      next_ = list_->head_;
      if (next_ != nullptr) next_->prev_ = this;
      list_->head_ = this;
      linked_ = true;
    }
    void await_resume() const noexcept {}

   private:
    friend class WaitList;
    void unlink() noexcept {
      if (!linked_) return;
      if (prev_ != nullptr)
        prev_->next_ = next_;
      else
        list_->head_ = next_;
      if (next_ != nullptr) next_->prev_ = prev_;
      prev_ = next_ = nullptr;
      linked_ = false;
    }

    WaitList* list_;
    EventLoop* loop_ = nullptr;
    std::coroutine_handle<> handle_;
    Awaiter* prev_ = nullptr;
    Awaiter* next_ = nullptr;
    bool linked_ = false;
  };

  WaitList() = default;
  WaitList(const WaitList&) = delete;
  WaitList& operator=(const WaitList&) = delete;
  ~WaitList() {
    while (head_ != nullptr) head_->unlink();
  }

  Awaiter wait() noexcept { return Awaiter(*this); }

  /// Schedules every parked coroutine (in no particular order) and empties the list.
  void wake_all() noexcept {
    while (head_ != nullptr) {
      Awaiter* w = head_;
      w->unlink();
      w->loop_->schedule(w->handle_);
    }
  }

 private:
  Awaiter* head_ = nullptr;
};

}  // namespace aorm::detail::postgres
