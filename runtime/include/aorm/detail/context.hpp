// aorm/detail/context.hpp — the task-local context (DESIGN.md "Runtime model").
//
// Every Task carries a shared_ptr<Context>. A task created or awaited while another task
// runs inherits that task's context; gather() and spawn() pass the creator's context to
// the tasks they start. `atomic()` runs its body under a new Context that pins one
// connection, so every query awaited inside — however deep — lands on that connection.
// The Task machinery (task.hpp) only carries the pointer; what is inside belongs to the
// database layer.
#pragma once

#include <memory>

namespace aorm::detail {

class Backend;
class Connection;
struct TransactionState;

/// Immutable once a task runs under it; shared by every task of the same scope.
struct Context {
  std::shared_ptr<Context> parent;          // the enclosing scope (outer atomic), or null
  std::shared_ptr<Backend> db;              // the database of the open transaction, or null
  Connection* connection = nullptr;         // the pinned connection inside atomic(), or null
  std::shared_ptr<TransactionState> tx;     // savepoint depth, on_commit callbacks; or null
};

/// The context of the task whose body is running on this thread (null outside any task,
/// or for tasks started from outside any context). Defined in task machinery.
const std::shared_ptr<Context>& current_context() noexcept;

}  // namespace aorm::detail
