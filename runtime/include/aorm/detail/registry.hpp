// aorm/detail/registry.hpp — the models the program links, for what needs to know every
// model: deletes follow foreign keys backwards (on_delete) and clear many-to-many links that
// point at the deleted rows, which ModelMeta alone (forward references only) cannot reach.
//
// Generated code registers each model file once, in models.cpp:
//
//   [[maybe_unused]] const bool registered = aorm::detail::register_app(app);
#pragma once

#include <vector>

#include "aorm/meta.hpp"

namespace aorm::detail {

/// Makes the models of `app` known (idempotent, thread-safe). Returns true, so that it can
/// initialise a static.
bool register_app(const App& app) noexcept;

/// Every model of every registered app, without duplicates.
std::vector<const ModelMeta*> registered_models();

}  // namespace aorm::detail
