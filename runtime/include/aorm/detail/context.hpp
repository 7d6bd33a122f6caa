// aorm/detail/context.hpp — the task-local context (DESIGN.md "Runtime model").
//
// Every Task carries a shared_ptr<Context>. A task created or awaited while another task
// runs inherits that task's context; gather() and spawn() pass the creator's context to
// the tasks they start. `atomic()` runs its body under a new Context that pins one
// connection, so every query awaited inside — however deep — lands on that connection.
// The Task machinery (task.hpp) only carries the pointer; what is inside belongs to the
// database layer.
#pragma once

#include <exception>
#include <memory>

namespace aorm::detail {

class Backend;
class Connection;
struct TransactionState;

/// Something a suspended task waits for that can be cut short when its task is cancelled
/// (an Asio operation awaited through aorm::asio::use_task, a timer of the Asio host, a
/// nested Cancellation). Registered on a Cancellation while the task waits; on_cancel()
/// must make the task resume soon (it then sees the cancellation and raises).
/// Issue 19 plugs server-side cancel in here (PQcancel, sqlite3_interrupt).
class CancelHook {
 public:
  virtual void on_cancel() noexcept = 0;
  /// Unregisters it from the Cancellation it is registered on, if any.
  inline void unregister() noexcept;

 protected:
  ~CancelHook() = default;

 private:
  friend class Cancellation;
  CancelHook* prev_ = nullptr;
  CancelHook* next_ = nullptr;
  class Cancellation* on_ = nullptr;  // where it is registered, or null
};

/// A request to cancel every task running under a context that holds it (Context::cancel,
/// inherited by the tasks they await, gather, spawn, and by atomic() blocks through
/// Context::parent). Cancelling is cooperative and sticky (like a Trio cancel scope):
/// once requested, every task of the scope raises `reason()` each time it resumes after
/// a real suspension (task.hpp: ContextRestoringAwaiter), before the awaited operation's
/// result is taken; RAII in the frames then gives connections back (an open transaction
/// is rolled back on the way). A suspension with a CancelHook registered is cut short;
/// others (a statement in flight, a wait for a pooled connection) end first. The core
/// never cancels anything by itself: aorm::asio::async_run does, on an Asio cancellation.
///
/// Threads: the loop thread of the tasks. Ownership: shared (Context::cancel).
class Cancellation {
 public:
  Cancellation() = default;
  Cancellation(const Cancellation&) = delete;
  Cancellation& operator=(const Cancellation&) = delete;
  ~Cancellation() {
    while (hooks_ != nullptr) remove(*hooks_);
  }

  bool requested() const noexcept { return requested_; }
  const std::exception_ptr& reason() const noexcept { return reason_; }

  /// Requests cancellation with `reason` (raised in the tasks; the first request wins) and
  /// calls every registered hook once, unregistering it first.
  void cancel(std::exception_ptr reason) noexcept {
    if (requested_) return;
    requested_ = true;
    reason_ = std::move(reason);
    while (CancelHook* h = hooks_) {
      remove(*h);
      h->on_cancel();  // may add or remove other hooks
    }
  }
  /// Registers `hook` (not registered elsewhere). When already requested, calls it now.
  void add(CancelHook& hook) noexcept {
    if (requested_) {
      hook.on_cancel();
      return;
    }
    hook.on_ = this;
    hook.prev_ = nullptr;
    hook.next_ = hooks_;
    if (hooks_ != nullptr) hooks_->prev_ = &hook;
    hooks_ = &hook;
  }
  /// Unregisters `hook` (no effect when it is not registered here).
  void remove(CancelHook& hook) noexcept {
    if (hook.on_ != this) return;
    if (hook.prev_ != nullptr)
      hook.prev_->next_ = hook.next_;
    else
      hooks_ = hook.next_;
    if (hook.next_ != nullptr) hook.next_->prev_ = hook.prev_;
    hook.prev_ = hook.next_ = nullptr;
    hook.on_ = nullptr;
  }

 private:
  CancelHook* hooks_ = nullptr;
  std::exception_ptr reason_;
  bool requested_ = false;
};

/// Immutable once a task runs under it; shared by every task of the same scope.
struct Context {
  std::shared_ptr<Context> parent;          // the enclosing scope (outer atomic), or null
  std::shared_ptr<Backend> db;              // the database of the open transaction, or null
  Connection* connection = nullptr;         // the pinned connection inside atomic(), or null
  std::shared_ptr<TransactionState> tx;     // savepoint depth, on_commit callbacks; or null
  std::shared_ptr<Cancellation> cancel;     // this scope's cancellation (async_run), or null
};

inline void CancelHook::unregister() noexcept {
  if (on_ != nullptr) on_->remove(*this);
}

/// The innermost cancellation on `ctx`'s chain, or null.
inline Cancellation* cancellation_of(const Context* ctx) noexcept {
  for (; ctx != nullptr; ctx = ctx->parent.get())
    if (ctx->cancel) return ctx->cancel.get();
  return nullptr;
}

/// Raises the reason of the first cancellation requested on `ctx`'s chain, if any.
inline void throw_if_cancelled(const Context* ctx) {
  for (; ctx != nullptr; ctx = ctx->parent.get())
    if (ctx->cancel && ctx->cancel->requested()) std::rethrow_exception(ctx->cancel->reason());
}

/// The context of the task whose body is running on this thread (null outside any task,
/// or for tasks started from outside any context). Defined in task machinery.
const std::shared_ptr<Context>& current_context() noexcept;

}  // namespace aorm::detail
