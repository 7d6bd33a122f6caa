// aorm/detail/transaction.hpp — what atomic() keeps about an open transaction.
//
// One TransactionState per outermost atomic(); nested atomic() blocks (savepoints) share
// it. It lives in the Context that atomic() runs its body under (detail/context.hpp) and
// is only touched on the loop thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "aorm/detail/context.hpp"

namespace aorm::detail {

struct TransactionState {
  int depth = 0;                 // 0 in the outermost block, +1 per nested savepoint
  std::uint64_t savepoints = 0;  // savepoints made so far (names them)
  std::vector<std::function<void()>> on_commit;  // run after the outermost COMMIT
};

/// The innermost context of `ctx`'s chain that holds a transaction on `db`, or null.
inline const Context* transaction_on(const Context* ctx, const Backend* db) noexcept {
  for (; ctx != nullptr; ctx = ctx->parent.get())
    if (ctx->tx && ctx->db.get() == db) return ctx;
  return nullptr;
}

}  // namespace aorm::detail
