// migrate/operation.hpp — a migration as aormc reads and writes it (docs/migrations.md).
//
// A migration is a list of operations on the model state. The state *is* a model file as
// written (an ir::ModelSetSpec, so its meaning comes from ir::resolve like any model file's);
// every operation carries what it needs to be undone (a removed field keeps its whole spec),
// so inverse() of any operation is an operation too, and backwards SQL is the forwards SQL of
// the inverses.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "diag/diagnostics.hpp"
#include "ir/spec.hpp"

namespace aormc::migrate {

enum class OpKind {
  create_model, delete_model, rename_model, alter_model_table,
  add_field, remove_field, rename_field, alter_field,
  add_index, remove_index, alter_unique_together, run_sql,
};

/// The file spelling: OpKind::add_field -> "add_field".
std::string_view op_name(OpKind k) noexcept;
std::optional<OpKind> parse_op(std::string_view name) noexcept;
const std::vector<std::string_view>& op_names();

/// Statements for one dialect, forwards and backwards (run_sql).
struct SqlPair {
  std::vector<std::string> forward;
  std::optional<std::vector<std::string>> backward;  // nullopt: the operation cannot be undone
};

struct Operation {
  OpKind kind = OpKind::run_sql;
  diag::Location where;
  std::string model;   // the model the operation changes (create/delete: model_spec's name)
  // rename_model / rename_field: old and new names. alter_model_table: old and new
  // meta.table (empty: the default table name).
  std::string from, to;
  ir::ModelSpec model_spec;             // create_model / delete_model: the whole model
  ir::FieldSpec field;                  // add/remove_field: the field; alter_field: the new spec
  ir::FieldSpec old_field;              // alter_field: the old spec
  std::vector<std::string> fields;      // add_index / remove_index
  std::vector<std::vector<std::string>> old_lists, new_lists;  // alter_unique_together
  SqlPair sqlite, postgres;             // run_sql
};

struct Migration {
  std::string file;   // as the user named it: "migrations/blog/0002_add_rating.yaml"
  std::string name;   // "0002_add_rating"
  std::string ns;     // the model file's namespace
  std::vector<std::string> dependencies;
  diag::Location dependencies_where;
  std::vector<Operation> operations;
};

}  // namespace aormc::migrate
