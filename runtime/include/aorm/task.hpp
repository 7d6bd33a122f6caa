// aorm/task.hpp — aorm::Task<T>, the coroutine type of every aorm operation.
//
// A Task is lazy: calling a coroutine that returns Task<T> allocates its frame and runs
// nothing. `co_await task` starts it: the awaiting coroutine suspends and the task's body
// runs in its place (symmetric transfer, so no stack is consumed); when the body finishes
// it resumes its awaiter the same way, which receives the value or the rethrown exception.
// A task that completes without suspending therefore costs no stack depth with clang++
// (g++ 12 does not guarantee the tail call: see TOOLCHAIN.md).
//
// Ownership: the Task object owns the coroutine frame. Destroying a Task that never
// started or that finished frees the frame. A Task that is suspended mid-body is owned by
// whoever awaits it (its frame lives inside the awaiter's frame's co_await), so destroying
// a suspended chain happens only from the top, which the event loop does at shutdown
// (detail/loop.hpp).
//
// The task-local context (detail/context.hpp): every promise holds a
// shared_ptr<Context>. A task takes the context current where it is created, and again
// where it is awaited (the awaiter wins), unless the context was pinned by with_context().
// Whenever a task body starts or resumes, `detail::running_context` is pointed at that
// task's context, so `detail::current_context()` always answers for the running body.
#pragma once

#include "aorm/detail/compiler_check.hpp"  // g++ < 13 stops here, with the reason

#include <cassert>
#include <concepts>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

#include "aorm/detail/context.hpp"

// The coroutine frame pool is off under AddressSanitizer, so that it still reports a
// use of a freed frame (a recycled frame would look valid to it).
#if defined(__SANITIZE_ADDRESS__)
#define AORM_FRAME_POOL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define AORM_FRAME_POOL 0
#endif
#endif
#ifndef AORM_FRAME_POOL
#define AORM_FRAME_POOL 1
#endif

namespace aorm {

template <class T = void>
class Task;

namespace detail {

/// The context of the task body running on this thread: the address of that task's
/// promise's context, or null between task bodies. Written by the Task machinery each
/// time a body starts or resumes, cleared when a body finishes and by the event loop when
/// it regains control. constinit: read without a thread_local initialisation guard.
inline constinit thread_local const std::shared_ptr<Context>* running_context = nullptr;

class PromiseBase;

/// Coroutine frame memory (perf): every Task's frame is allocated here. Frames of up to
/// `classes * granule` bytes are recycled through per-thread free lists, one per size
/// class, so a query's frames and aiterator's frame per row cost no malloc/free.
/// A frame may be freed on another thread than the one that allocated it (a task resumed
/// on a worker): it joins the freeing thread's list — memory is not tied to a thread. At
/// most `keep` frames per class stay cached per thread; a thread's cache is released when
/// the thread exits (frames freed after that go straight to operator delete).
/// Each block starts with a header holding its class, so freeing does not depend on the
/// compiler handing the allocation size back to operator delete.
/// Off (plain operator new/delete) under AddressSanitizer: AORM_FRAME_POOL.
struct FramePool {
  static constexpr std::size_t granule = 64;
  static constexpr std::size_t classes = 32;  // blocks up to 2 KiB are recycled
  static constexpr std::uint32_t keep = 64;
  static constexpr std::size_t header = alignof(std::max_align_t);  // keeps the frame aligned
  static constexpr std::size_t unpooled = classes;  // the header's class of a larger block

  struct Node {
    Node* next;
  };
  struct Lists {
    Node* head[classes];
    std::uint32_t count[classes];
    bool registered;  // the thread-exit release is armed
    bool closed;      // the thread is exiting: cache nothing more
  };
  /// Trivially destructible, so still readable while other thread_locals are destroyed.
  static inline constinit thread_local Lists lists{};

  static void* allocate(std::size_t n) {
#if AORM_FRAME_POOL
    const std::size_t c = (n + header - 1) / granule;
    void* block = nullptr;
    if (c < classes) {
      if (Node* f = lists.head[c]) {
        lists.head[c] = f->next;
        --lists.count[c];
        block = f;
      } else {
        block = ::operator new((c + 1) * granule);  // the class's size: any frame of it fits
      }
    } else {
      block = ::operator new(n + header);
    }
    *static_cast<std::size_t*>(block) = c < classes ? c : unpooled;
    return static_cast<char*>(block) + header;
#else
    return ::operator new(n);
#endif
  }
  static void deallocate(void* p) noexcept {
#if AORM_FRAME_POOL
    void* block = static_cast<char*>(p) - header;
    const std::size_t c = *static_cast<std::size_t*>(block);
    if (c < classes && !lists.closed && lists.count[c] < keep) {
      if (!lists.registered) arm_release();
      Node* f = static_cast<Node*>(block);
      f->next = lists.head[c];
      lists.head[c] = f;
      ++lists.count[c];
      return;
    }
    ::operator delete(block);
#else
    ::operator delete(p);
#endif
  }

 private:
  /// Frees this thread's cached frames when the thread exits.
  struct Release {
    ~Release() {
      lists.closed = true;
      for (std::size_t c = 0; c < classes; ++c) {
        while (Node* f = lists.head[c]) {
          lists.head[c] = f->next;
          ::operator delete(f);
        }
        lists.count[c] = 0;
      }
    }
  };
  static void arm_release() noexcept {
    static thread_local Release release;
    (void)&release;  // constructs it (and schedules its destructor) on first use
    lists.registered = true;
  }
};

/// An allocator over FramePool's per-thread lists, for the small objects every query
/// makes and drops again (its expression nodes, its QueryState): make_pooled<X>(...).
template <class T>
struct PoolAllocator {
  using value_type = T;
  PoolAllocator() noexcept = default;
  template <class U>
  PoolAllocator(const PoolAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) {
    static_assert(alignof(T) <= FramePool::header, "FramePool blocks are aligned to max_align_t");
    return static_cast<T*>(FramePool::allocate(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t) noexcept { FramePool::deallocate(p); }
  template <class U>
  bool operator==(const PoolAllocator<U>&) const noexcept {
    return true;
  }
};

/// std::make_shared, with the object and its count in one FramePool block.
template <class T, class... Args>
std::shared_ptr<T> make_pooled(Args&&... args) {
  return std::allocate_shared<T>(PoolAllocator<T>(), std::forward<Args>(args)...);
}

/// Notified when a task finishes, in place of a single awaiting coroutine: how gather()
/// and spawn() learn that a child is done. Runs on the loop thread, at the child's final
/// suspend point; returns the coroutine to resume next (std::noop_coroutine() for none).
/// It may destroy the child's frame.
class Completion {
 public:
  virtual std::coroutine_handle<> on_done(PromiseBase& child) noexcept = 0;

 protected:
  ~Completion() = default;
};

/// Returns what `co_await a` awaits on: a.operator co_await(), operator co_await(a), or a
/// itself (as a reference: the awaitable then lives in the co_await full-expression).
template <class A>
decltype(auto) get_awaiter(A&& a) {
  if constexpr (requires { static_cast<A&&>(a).operator co_await(); })
    return static_cast<A&&>(a).operator co_await();
  else if constexpr (requires { operator co_await(static_cast<A&&>(a)); })
    return operator co_await(static_cast<A&&>(a));
  else
    return static_cast<A&&>(a);
}

/// Wraps every awaiter used inside a Task body: when the body resumes after the await,
/// the running context is the body's own again, whoever resumed it; and when the body
/// really suspended and its scope was cancelled meanwhile (detail::Cancellation), it
/// raises the cancellation instead of taking the awaited result (the awaiter's destructor
/// cleans up what it holds). An await that did not suspend (a ready row) checks nothing:
/// the check costs a flag and, after a real suspension, a walk of the context chain.
template <class Awaiter>
struct ContextRestoringAwaiter {
  Awaiter awaiter;
  const std::shared_ptr<Context>* context;
  bool suspended = false;

  bool await_ready() { return awaiter.await_ready(); }
  template <class Promise>
  auto await_suspend(std::coroutine_handle<Promise> h) {
    suspended = true;  // before: the body may be resumed (or destroyed) inside the call
    return awaiter.await_suspend(h);
  }
  decltype(auto) await_resume() {
    running_context = context;
    if (suspended && *context) throw_if_cancelled(context->get());
    return awaiter.await_resume();
  }
};

/// What every Task promise shares, whatever T is.
class PromiseBase {
 public:
  PromiseBase() noexcept {
    if (running_context != nullptr) context_ = *running_context;
  }

  struct InitialAwaiter {
    PromiseBase* promise;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<>) const noexcept {}
    void await_resume() const noexcept { running_context = &promise->context_; }
  };
  struct FinalAwaiter {
    bool await_ready() const noexcept { return false; }
    template <class Promise>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> h) noexcept {
      running_context = nullptr;
      PromiseBase& p = h.promise();
      // on_done() may destroy this frame (a finished detached spawn): touch nothing after.
      if (p.completion_ != nullptr) return p.completion_->on_done(p);
      return p.continuation_ ? p.continuation_ : std::noop_coroutine();
    }
    void await_resume() const noexcept {}
  };

  /// Frames come from FramePool.
  static void* operator new(std::size_t n) { return FramePool::allocate(n); }
  static void operator delete(void* p) noexcept { FramePool::deallocate(p); }

  InitialAwaiter initial_suspend() noexcept { return {this}; }
  FinalAwaiter final_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { exception_ = std::current_exception(); }

  template <class A>
  auto await_transform(A&& awaitable) {
    using Awaiter = decltype(get_awaiter(static_cast<A&&>(awaitable)));
    return ContextRestoringAwaiter<Awaiter>{get_awaiter(static_cast<A&&>(awaitable)), &context_};
  }

  /// The task is about to start under `from` (the awaiter's or starter's context, null
  /// for none); ignored when the context was pinned by with_context().
  void adopt_context(const std::shared_ptr<Context>* from) noexcept {
    if (pinned_) return;
    if (from == nullptr)
      context_.reset();
    else if (context_ != *from)  // compares pointers only: no reference-count traffic
      context_ = *from;
  }
  void pin_context(std::shared_ptr<Context> context) noexcept {
    context_ = std::move(context);
    pinned_ = true;
  }

  const std::exception_ptr& exception() const noexcept { return exception_; }
  void rethrow_if_failed() const {
    if (exception_) std::rethrow_exception(exception_);
  }

  std::coroutine_handle<> continuation_;  // resumed when the body finishes, or none
  Completion* completion_ = nullptr;      // when set, told instead of continuation_

 private:
  std::shared_ptr<Context> context_;
  std::exception_ptr exception_;
  bool pinned_ = false;
};

template <class T>
class TaskPromise final : public PromiseBase {
 public:
  Task<T> get_return_object() noexcept;

  template <class U = T>
    requires std::convertible_to<U&&, T>
  void return_value(U&& value) noexcept(std::is_nothrow_constructible_v<T, U&&>) {
    value_.emplace(std::forward<U>(value));
  }
  /// The result, moved out (once), or the body's exception rethrown.
  T take() {
    rethrow_if_failed();
    return std::move(*value_);
  }

 private:
  std::optional<T> value_;
};

template <class T>
class TaskPromise<T&> final : public PromiseBase {
 public:
  Task<T&> get_return_object() noexcept;
  void return_value(T& value) noexcept { value_ = std::addressof(value); }
  T& take() {
    rethrow_if_failed();
    return *value_;
  }

 private:
  T* value_ = nullptr;
};

template <>
class TaskPromise<void> final : public PromiseBase {
 public:
  Task<void> get_return_object() noexcept;
  void return_void() noexcept {}
  void take() { rethrow_if_failed(); }
};

/// A finished task's value held by the Task itself, with no coroutine frame behind it
/// (detail::ready_task). Only Tasks of object types have one.
template <class T>
struct ReadyValue {
  static constexpr bool nothrow = std::is_nothrow_move_constructible_v<T>;
  std::optional<T> value;
  bool has() const noexcept { return value.has_value(); }
  /// Moves `other`'s value here, leaving `other` empty (T need not be assignable).
  void take(ReadyValue& other) noexcept(nothrow) {
    value.reset();
    if (other.value) {
      value.emplace(std::move(*other.value));
      other.value.reset();
    }
  }
};
/// Tasks of references and of void are never ready_task()s.
struct NoReadyValue {
  static constexpr bool nothrow = true;
  static constexpr bool has() noexcept { return false; }
  void take(NoReadyValue&) noexcept {}
};
template <class T>
struct ReadyValue<T&> : NoReadyValue {};
template <>
struct ReadyValue<void> : NoReadyValue {};

template <class T>
Task<T> frame_for(T value) {
  co_return std::move(value);
}

/// The runtime's access to a Task's frame (gather, spawn, run, with_context).
struct TaskAccess {
  /// The task's frame; a ready task (ready_task) first gets one that returns its value.
  template <class T>
  static std::coroutine_handle<TaskPromise<T>> frame(Task<T>& task) {
    if constexpr (!std::is_void_v<T> && !std::is_reference_v<T>) {
      if (task.ready_.has()) task = frame_for<T>(*std::move(task.ready_.value));
    }
    return task.frame_;
  }
  template <class T>
  static std::coroutine_handle<TaskPromise<T>> release(Task<T>& task) {
    frame(task);
    return std::exchange(task.frame_, {});
  }
  template <class T, class... Args>
  static Task<T> ready(Args&&... args) {
    Task<T> task;
    task.ready_.value.emplace(std::forward<Args>(args)...);
    return task;
  }
  /// A ready task's value, to be written in place.
  template <class T>
  static T& ready_value(Task<T>& task) noexcept {
    return *task.ready_.value;
  }
};

}  // namespace detail

/// A lazy coroutine producing a T (a value, a reference, or void). Move-only; await it
/// once, with `co_await` (or hand it to run/gather/spawn). Destroying a Task that was
/// never started or has finished frees its frame.
///
/// Task is [[nodiscard]]: a Task that is dropped unawaited never runs, and compilers warn
/// (clang and g++: -Wunused-result, on by default; -Werror=unused-result makes it an error).
template <class T>
class [[nodiscard("an aorm::Task does nothing until it is awaited: co_await it, or hand it to "
                  "aorm::run, aorm::gather or aorm::spawn")]] Task {
 public:
  using promise_type = detail::TaskPromise<T>;
  using value_type = T;

  Task() noexcept = default;
  Task(Task&& other) noexcept(detail::ReadyValue<T>::nothrow) : frame_(std::exchange(other.frame_, {})) {
    ready_.take(other.ready_);
  }
  Task& operator=(Task&& other) noexcept(detail::ReadyValue<T>::nothrow) {
    if (this != &other) {
      if (frame_) frame_.destroy();
      frame_ = std::exchange(other.frame_, {});
      ready_.take(other.ready_);
    }
    return *this;
  }
  ~Task() {
    if (frame_) frame_.destroy();
  }

  /// False for a default-constructed or moved-from Task.
  explicit operator bool() const noexcept { return frame_ || ready_.has(); }

  /// Starts the task; the co_await yields its result (moved out) or rethrows. A ready
  /// task (detail::ready_task) yields its value without suspending.
  auto operator co_await() & noexcept { return Awaiter{this}; }
  auto operator co_await() && noexcept { return Awaiter{this}; }

 private:
  friend promise_type;
  friend struct detail::TaskAccess;
  explicit Task(std::coroutine_handle<promise_type> frame) noexcept : frame_(frame) {}

  struct Awaiter {
    Task* task;  // the awaited Task outlives the co_await expression that holds this

    bool await_ready() const noexcept { return task->ready_.has(); }
    std::coroutine_handle<> await_suspend(std::coroutine_handle<> awaiting) const noexcept {
      const auto frame = task->frame_;
      assert(frame && !frame.done() && "co_await on an empty, running or finished Task");
      promise_type& p = frame.promise();
      p.continuation_ = awaiting;
      // The awaiting body is the one running, so running_context is its context.
      p.adopt_context(detail::running_context);
      return frame;
    }
    T await_resume() const {
      if constexpr (!std::is_void_v<T> && !std::is_reference_v<T>) {
        if (task->ready_.has()) {  // handed over once: the task is empty afterwards
          T value = *std::move(task->ready_.value);
          task->ready_.value.reset();
          return value;
        }
      }
      return task->frame_.promise().take();
    }
  };

  std::coroutine_handle<promise_type> frame_;
  [[no_unique_address]] detail::ReadyValue<T> ready_;
};

namespace detail {

template <class T>
Task<T> TaskPromise<T>::get_return_object() noexcept {
  return Task<T>(std::coroutine_handle<TaskPromise>::from_promise(*this));
}
template <class T>
Task<T&> TaskPromise<T&>::get_return_object() noexcept {
  return Task<T&>(std::coroutine_handle<TaskPromise>::from_promise(*this));
}
inline Task<void> TaskPromise<void>::get_return_object() noexcept {
  return Task<void>(std::coroutine_handle<TaskPromise>::from_promise(*this));
}

/// A Task that is already finished with a T made from `args`: awaiting it does not
/// suspend and no coroutine frame exists (perf: what aiterator's anext() returns for a
/// row at hand). gather, spawn and run give it a frame when handed one.
template <class T, class... Args>
  requires(!std::is_void_v<T> && !std::is_reference_v<T>)
Task<T> ready_task(Args&&... args) {
  return TaskAccess::ready<T>(std::forward<Args>(args)...);
}

/// Runs `task` under `context` instead of the context of whoever awaits, gathers or
/// spawns it; everything the task awaits, creates, gathers or spawns inherits it.
/// atomic() uses this to pin a transaction's connection. `task` must not have started.
template <class T>
Task<T> with_context(std::shared_ptr<Context> context, Task<T> task) {
  assert(task && "with_context() on an empty Task");
  TaskAccess::frame(task).promise().pin_context(std::move(context));
  return task;
}

}  // namespace detail
}  // namespace aorm
