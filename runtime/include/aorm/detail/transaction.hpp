// aorm/detail/transaction.hpp — what atomic() keeps about an open transaction.
//
// One TransactionState per outermost atomic(); nested atomic() blocks (savepoints) share
// it. Each block is identified by the Context that atomic() runs its body under
// (detail/context.hpp); the state lives as long as any context refers to it and is only
// touched on the loop thread.
//
// The rule that keeps concurrent tasks inside one transaction correct ("whose turn"):
// the open blocks form a stack (outermost first) and only the innermost open block owns
// the connection. A statement, or a nested atomic(), from a task whose block is not the
// innermost one waits until the blocks opened after its own have ended. So savepoints of
// sibling tasks (gather(atomic(a), atomic(b)) inside a transaction) run one after the
// other, and a statement of the outer block never lands inside a sibling's savepoint
// (where that sibling's rollback would undo it). A task whose block has already ended (a
// task spawned inside atomic() that outlived it) gets TransactionManagementError.
#pragma once

#include <algorithm>
#include <coroutine>
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "aorm/detail/context.hpp"
#include "aorm/task.hpp"

namespace aorm::detail {

class EventLoop;

struct TransactionState {
  /// A task suspended until its block is the innermost open one (see the file comment).
  /// Lives in the waiting coroutine's frame; unlinks itself when destroyed early.
  struct TurnWaiter {
    std::coroutine_handle<> handle;
    EventLoop* loop = nullptr;
    TransactionState* owner = nullptr;  // non-null while queued
    ~TurnWaiter() {
      if (owner != nullptr) std::erase(owner->waiters, this);
    }
  };
  struct Callback {
    const Context* block;  // the block that registered it (re-tagged to the parent on RELEASE)
    std::function<void()> fn;
  };

  Connection* connection = nullptr;      // the pinned connection
  std::vector<const Context*> blocks;    // open blocks, outermost first; back() owns the connection
  std::uint64_t savepoints = 0;          // savepoints made so far (names them)
  unsigned char isolation = 0;           // AtomicOptions::isolation of the outermost block
  bool needs_rollback = false;           // a savepoint could not be undone: never commit
  /// A statement of the innermost open block failed (Django's needs_rollback): every
  /// statement and nested atomic() raises TransactionManagementError until that block
  /// ends, which rolls its work back (to its savepoint, or the whole transaction).
  bool broken = false;
  std::vector<Callback> on_commit;       // run after the outermost COMMIT
  std::vector<TurnWaiter*> waiters;      // FIFO

  bool is_open(const Context* block) const noexcept {
    return std::find(blocks.begin(), blocks.end(), block) != blocks.end();
  }
  bool has_turn(const Context* block) const noexcept { return !blocks.empty() && blocks.back() == block; }
  /// Resumes every waiter (each re-checks its turn); call after a block ends.
  void wake_waiters() noexcept;
  /// Waits (without blocking the loop) until `block` is the innermost open block. Raises
  /// TransactionManagementError when `block` has ended. `self` keeps the state alive.
  static Task<void> wait_turn(std::shared_ptr<TransactionState> self, const Context* block);
  /// Raises TransactionManagementError (Django's message) when the transaction is broken.
  void require_usable() const;
};

/// The innermost context of `ctx`'s chain that holds a transaction on `db`, or null.
inline const Context* transaction_on(const Context* ctx, const Backend* db) noexcept {
  for (; ctx != nullptr; ctx = ctx->parent.get())
    if (ctx->tx && ctx->db.get() == db) return ctx;
  return nullptr;
}

}  // namespace aorm::detail
