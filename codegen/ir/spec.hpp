// ir/spec.hpp — a model file as written, before any meaning is given to it.
//
// Front ends fill these structs (the YAML front end from a document, the Clang front end
// from annotated structs) and decide nothing: no defaults, no naming, no validation beyond
// "this option is spelt right and has the right shape". ir::resolve() turns a ModelSetSpec
// into an ir::ModelSet. Every value keeps where it was written, for diagnostics.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diag/diagnostics.hpp"

namespace aormc::ir {

/// A value as written and where.
template <class T>
struct Spanned {
  T value{};
  diag::Location where;
};

/// A scalar as written (a `default:` value): its text, whether it was quoted (then it is a
/// string whatever it looks like) and whether it was YAML null (`~`, `null`, nothing).
struct Scalar {
  std::string text;
  bool quoted = false;
  bool is_null = false;
  diag::Location where;
};

/// The option names a field accepts, for front ends and did-you-mean hints.
inline constexpr std::string_view kFieldOptions[] = {
    "type",       "null",         "default",     "unique",       "index",
    "primary_key", "choices",     "max_length",  "max_digits",   "decimal_places",
    "db_column",  "auto_now",     "auto_now_add", "on_delete",   "related_name",
    "db_table",   "through",      "to",           "renamed_from",
};

struct FieldSpec {
  Spanned<std::string> name;
  // The front end already reported an error inside this field: the field exists (meta may
  // name it) but is not checked further, so one mistake gives one diagnostic.
  bool broken = false;
  std::optional<Spanned<std::string>> type;
  std::optional<Spanned<bool>> null, unique, index, primary_key, auto_now, auto_now_add;
  std::optional<Spanned<int>> max_length, max_digits, decimal_places;
  std::optional<Scalar> default_value;
  std::optional<Spanned<std::vector<Spanned<std::string>>>> choices;
  std::optional<Spanned<std::string>> db_column, to, on_delete, related_name, db_table, through;
  // `renamed_from: old`: the field was called `old` before (makemigrations renames the
  // column instead of dropping it and adding a new one). No effect on the generated code.
  std::optional<Spanned<std::string>> renamed_from;
  // Annotated C++ only: the name of the nested enum that gave the choices (the generated
  // struct names it after the field, so the two must agree).
  std::optional<Spanned<std::string>> enum_name;
};

/// A list of field names (`[status, created_at]`), e.g. one entry of meta.indexes.
using NameList = Spanned<std::vector<Spanned<std::string>>>;

struct MetaSpec {
  std::optional<Spanned<std::string>> table;
  std::optional<NameList> ordering;
  std::optional<Spanned<std::string>> get_latest_by;
  std::vector<NameList> indexes;
  std::vector<NameList> unique_together;
};

struct ModelSpec {
  Spanned<std::string> name;
  std::vector<FieldSpec> fields;  // as written, in order (duplicates already reported and dropped)
  MetaSpec meta;
  std::optional<Spanned<std::string>> renamed_from;  // `renamed_from: OldName` (migrations)
};

struct ModelSetSpec {
  std::string file;  // the input as the user named it ("models/blog.yaml")
  Spanned<std::string> ns;
  std::vector<ModelSpec> models;
};

}  // namespace aormc::ir
