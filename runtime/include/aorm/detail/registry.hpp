// aorm/detail/registry.hpp — the models the program links, for what needs to know every
// model: deletes follow foreign keys backwards (on_delete) and clear many-to-many links that
// point at the deleted rows, which ModelMeta alone (forward references only) cannot reach.
//
// Generated code registers each model file once, in models.cpp:
//
//   [[maybe_unused]] const bool registered = aorm::detail::register_app(app);
//   [[maybe_unused]] const bool defaults_registered =
//       aorm::detail::register_defaults(article_meta, &aorm::detail::write_default<Article>) && ...;
#pragma once

#include <vector>

#include "aorm/meta.hpp"

namespace aorm::detail {

/// Makes the models of `app` known (idempotent, thread-safe). Returns true, so that it can
/// initialise a static.
bool register_app(const App& app) noexcept;

/// Every model of every registered app, without duplicates.
std::vector<const ModelMeta*> registered_models();

/// Appends the value column `column` has in a default-constructed object (the model's
/// defaults live in the member initialisers): what on_delete set_default writes.
using DefaultWriter = void (*)(int column, std::vector<Value>& out);
template <class T>
void write_default(int column, std::vector<Value>& out) {
  const T obj{};
  ModelTraits<T>::write(obj, column, out);
}
/// Makes the defaults of model `m` known (generated code: one call per model).
bool register_defaults(const ModelMeta& m, DefaultWriter writer) noexcept;
/// The DefaultWriter registered for `m`, or null.
DefaultWriter defaults_of(const ModelMeta& m) noexcept;

}  // namespace aorm::detail
