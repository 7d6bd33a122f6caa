// migrate/state.hpp — the model state a list of migrations leaves, and the operations on it.
//
// The state is an ir::ModelSetSpec (a model file as written, without what does not touch the
// schema: meta.ordering and meta.get_latest_by). ir::resolve() turns it into the
// ModelSet that the SQL emitter reads, exactly as it does a model file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "diag/diagnostics.hpp"
#include "ir/model.hpp"
#include "ir/spec.hpp"
#include "migrate/operation.hpp"

namespace aormc::migrate {

/// `spec` without what migrations do not track (ordering, get_latest_by). renamed_from stays
/// (the autodetector reads it; field_yaml() and the writer leave it out).
ir::ModelSetSpec normalized(ir::ModelSetSpec spec);

/// A field as a one-line YAML flow map, options in a fixed order, flags only when true:
///   { type: string, max_length: 200, unique: true }
/// Two fields are the same to migrations exactly when these strings are equal.
std::string field_yaml(const ir::FieldSpec& f);

/// A scalar as YAML writes it: plain when that reads back as the same string, else
/// double-quoted with escapes. `force_quotes` quotes anyway (a default that is a string
/// but looks like a number).
std::string yaml_scalar(std::string_view text, bool force_quotes = false);

ir::ModelSpec* find_model(ir::ModelSetSpec& s, std::string_view name);
const ir::ModelSpec* find_model(const ir::ModelSetSpec& s, std::string_view name);
ir::FieldSpec* find_field(ir::ModelSpec& m, std::string_view name);
const ir::FieldSpec* find_field(const ir::ModelSpec& m, std::string_view name);

/// Applies `op` to `state`. Reports (at op.where) and returns false when the operation does
/// not fit the state (an unknown model or field, a model or field that exists already).
bool apply(ir::ModelSetSpec& state, const Operation& op, diag::Diagnostics& diags);

/// The operation that undoes `op` (run_sql: backward and forward swapped; its `backward`
/// must exist: check reversible() first).
Operation inverse(const Operation& op);
bool reversible(const Operation& op);

/// The state after every migration of `migrations` (in order); nullopt when an operation did
/// not apply or the state does not resolve (reported). `upto`: only the first `upto`.
std::optional<ir::ModelSetSpec> replay(const std::vector<Migration>& migrations,
                                       diag::Diagnostics& diags,
                                       std::size_t upto = static_cast<std::size_t>(-1));

}  // namespace aormc::migrate
