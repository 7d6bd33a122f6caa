// migrate/autodetect.hpp — the operations that take the migrations' state to a model file.
#pragma once

#include <string>
#include <vector>

#include "diag/diagnostics.hpp"
#include "ir/spec.hpp"
#include "migrate/operation.hpp"

namespace aormc::migrate {

struct Changes {
  std::vector<Operation> operations;
  std::vector<std::string> warnings;  // what loses data, said plainly ("removes column ...")
};

/// Compares `state` (the replayed migrations) with `target` (the model file as written) and
/// returns the operations that turn one into the other, in dependency order: renames first
/// (only where the model file says `renamed_from:`), then new models (a referenced model
/// before the one that references it), removed indexes, added and altered fields, removed
/// fields, added indexes, and removed models last. An added field that is not null and has
/// no default, on a model that exists already, is an error at the field (rows already in
/// the table would have no value), reported to `diags`.
Changes autodetect(const ir::ModelSetSpec& state, const ir::ModelSetSpec& target, diag::Diagnostics& diags);

}  // namespace aormc::migrate
