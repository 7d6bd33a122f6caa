// ir/model.hpp — the model of the world every emitter reads.
//
// A ModelSet is a resolved, validated model file: every default is filled in (tables,
// columns, the implicit `id`, link tables, reverse relation names), every reference is an
// index, and every name is final. Emitters only print what is here; they decide nothing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diag/diagnostics.hpp"

namespace aormc::ir {

enum class FieldType {
  boolean, int32, int64, float64, decimal, string, text, bytes,
  date, datetime, time, uuid, json, foreign_key, one_to_one, many_to_many,
};

/// The YAML spelling of a type: FieldType::float64 -> "double".
std::string_view type_name(FieldType t) noexcept;
/// The type spelt `name`, or nullopt.
std::optional<FieldType> parse_type(std::string_view name) noexcept;
/// Every type name, for did-you-mean hints.
const std::vector<std::string_view>& type_names();

enum class OnDelete { cascade, protect, restrict_, set_null, set_default, do_nothing };

/// The YAML spelling: OnDelete::restrict_ -> "restrict".
std::string_view on_delete_name(OnDelete d) noexcept;
const std::vector<std::string_view>& on_delete_names();

inline bool is_relation(FieldType t) noexcept {
  return t == FieldType::foreign_key || t == FieldType::one_to_one || t == FieldType::many_to_many;
}

/// One `choices` entry: the stored value and its enumerator ("delete" -> "delete_").
struct Choice {
  std::string value;
  std::string enumerator;
};

/// A field's `default:`, checked against the field's type.
struct Default {
  enum class Kind { boolean, integer, floating, string, enumerator, null };
  Kind kind = Kind::null;
  std::string text;  // "true", "42", "1.5", the string itself, or the enumerator name
};

/// A column-backed field (everything but many_to_many).
struct Field {
  std::string name;    // C++ member: "author"
  std::string column;  // database column: "author_id"
  FieldType type = FieldType::int64;
  bool nullable = false;
  bool primary_key = false;
  bool auto_increment = false;
  bool unique = false;
  bool index = false;
  bool auto_now = false;
  bool auto_now_add = false;
  int max_length = 0;
  int max_digits = 0;
  int decimal_places = 0;
  std::vector<Choice> choices;
  std::string enum_name;  // "Status" when there are choices
  std::optional<Default> default_value;
  // foreign_key / one_to_one:
  int target = -1;             // index into ModelSet::models
  OnDelete on_delete = OnDelete::cascade;
  std::string related_name;    // reverse accessor on the target; empty for "+"
  std::string renamed_from;    // `renamed_from:` (makemigrations only), else empty
  diag::Location where;
};

/// A many_to_many field: no column, a link table.
struct ManyToMany {
  std::string name;           // "tags"
  int target = -1;
  std::string related_name;   // empty for "+"
  std::string table;          // "blog_article_tags"
  std::string source_column;  // "article_id"
  std::string target_column;  // "tag_id"
  int through = -1;           // model index of an explicit through model, or -1
  diag::Location where;
};

struct OrderTerm {
  int column = 0;
  bool desc = false;
};

struct Index {
  std::string name;          // database name
  std::vector<int> columns;  // column indexes
  bool unique = false;
};

/// A relation that points at a model, seen from that model (not emitted yet; the IR keeps
/// them so that related names are validated).
struct ReverseRelation {
  std::string name;  // "articles"
  int from_model = -1;
  std::string from_field;
};

struct Model {
  std::string name;   // "Article"
  std::string snake;  // "article"
  std::string table;  // "blog_article"
  std::string label;  // "blog.Article"
  std::vector<Field> columns;  // declaration order, the implicit `id` first
  std::vector<ManyToMany> many_to_many;
  int pk = 0;
  std::vector<OrderTerm> ordering;
  std::optional<OrderTerm> get_latest_by;
  std::vector<Index> indexes;  // index: true, foreign keys, meta.indexes, unique_together
  std::vector<ReverseRelation> reverse;
  std::string renamed_from;  // `renamed_from:` (makemigrations only), else empty
  diag::Location where;

  /// Index of the column whose member is `name`, or -1.
  int find_column(std::string_view name) const noexcept;
};

struct ModelSet {
  std::string file;  // the input as the user named it
  std::string ns;    // "blog" or "shop::v1"
  std::vector<Model> models;  // declaration order

  /// Model indexes in table-creation order: every model after the models it references
  /// (cycles are broken in declaration order).
  std::vector<int> creation_order() const;
};

}  // namespace aormc::ir
