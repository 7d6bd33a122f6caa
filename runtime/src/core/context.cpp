// The running task's context (detail/context.hpp); the Task machinery (task.hpp) keeps
// detail::running_context pointed at it.
#include "aorm/detail/context.hpp"

#include "aorm/task.hpp"

namespace aorm::detail {

const std::shared_ptr<Context>& current_context() noexcept {
  static const std::shared_ptr<Context> none;  // constant-initialised: no guard
  return running_context != nullptr ? *running_context : none;
}

}  // namespace aorm::detail
