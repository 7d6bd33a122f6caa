// aorm/meta.hpp — the description of a model that generated code hands to the runtime.
//
// aormc emits, per model, constant tables of these types plus a ModelTraits<T>
// specialization. The runtime (QuerySet, SQL compiler, DDL execution) is written against
// these tables only: it never names a model.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "aorm/value.hpp"

namespace aorm {

/// Storage kind of a column. `many_to_many` never appears in ModelMeta::columns (it has no
/// column); it is listed in ModelMeta::many_to_many.
enum class FieldKind {
  boolean, int32, int64, float64, decimal, string, text, bytes,
  date, datetime, time, uuid, json, foreign_key, one_to_one,
};

/// What happens to rows that reference a deleted row.
enum class OnDelete { cascade, protect, restrict_, set_null, set_default, do_nothing };

struct ModelMeta;

/// One column of a model's table, in declaration order (the implicit `id` first).
struct ColumnMeta {
  std::string_view name;    // C++ member name: "author"
  std::string_view column;  // database column: "author_id"
  FieldKind kind = FieldKind::int64;
  bool nullable = false;
  bool primary_key = false;
  bool auto_increment = false;  // the implicit `id` (and any int primary key without a value)
  bool unique = false;
  bool index = false;
  bool auto_now = false;      // set to now() on every save
  bool auto_now_add = false;  // set to now() on insert
  bool has_default = false;   // the model gave a default (already in the C++ member initializer)
  int max_length = 0;         // string
  int max_digits = 0;         // decimal
  int decimal_places = 0;     // decimal
  std::span<const std::string_view> choices{};  // stored values, in enum order; empty if none
  // foreign_key / one_to_one only:
  const ModelMeta& (*target)() = nullptr;  // the referenced model
  OnDelete on_delete = OnDelete::cascade;
  std::string_view related_name{};  // reverse accessor on the target ("articles")
};

/// One ordering term of Meta.ordering: column index, descending when `desc`.
struct OrderMeta {
  int column = 0;
  bool desc = false;
};

/// An index or a unique_together constraint over column indexes.
struct IndexMeta {
  std::string_view name;  // database name of the index
  std::span<const int> columns;
  bool unique = false;
};

/// A many_to_many field: the link table and its two columns.
struct ManyToManyMeta {
  std::string_view name;           // member name: "tags"
  std::string_view table;          // link table: "blog_article_tags" (or db_table)
  std::string_view source_column;  // "article_id"
  std::string_view target_column;  // "tag_id"
  const ModelMeta& (*target)() = nullptr;
  std::string_view related_name{};   // reverse accessor on the target ("articles")
  std::string_view through{};        // model name of an explicit through model, or empty
};

/// Everything the runtime knows about one model.
// Members that generated code may leave out have `{}` initializers, so designated
// initializers that omit them compile cleanly under -Wextra (clang's
// -Wmissing-designated-field-initializers).
struct ModelMeta {
  std::string_view name;   // "Article"
  std::string_view label;  // "blog.Article" (Django's app_label.ModelName; DeleteResult keys)
  std::string_view table;  // "blog_article"
  std::span<const ColumnMeta> columns;
  int pk = 0;  // index of the primary-key column
  std::span<const OrderMeta> ordering{};  // Meta.ordering; empty when none
  int get_latest_by = -1;               // column index or -1
  bool get_latest_by_desc = false;      // "-created_at"
  std::span<const IndexMeta> indexes{};   // index: true columns, meta.indexes, unique_together
  std::span<const ManyToManyMeta> many_to_many{};

  /// Index of the column whose C++ name is `member`, or -1.
  constexpr int find(std::string_view member) const noexcept {
    for (std::size_t i = 0; i < columns.size(); ++i)
      if (columns[i].name == member) return static_cast<int>(i);
    return -1;
  }
};

/// A model file: its models and the DDL aormc emitted for them, one statement per entry,
/// in dependency order (referenced tables first).
struct App {
  std::string_view name;  // the YAML namespace: "blog"
  std::span<const ModelMeta* const> models;
  std::span<const std::string_view> ddl_sqlite;
  std::span<const std::string_view> ddl_postgres;

  /// The DDL statements for `d`, joined with ";\n" and a final ";\n".
  std::string ddl(Dialect d) const {
    std::string out;
    for (std::string_view s : d == Dialect::sqlite ? ddl_sqlite : ddl_postgres) {
      out += s;
      out += ";\n";
    }
    return out;
  }
};

/// Specialised by generated code for every model `T`:
///
///   template <> struct aorm::ModelTraits<blog::Article> {
///     static const ModelMeta& meta() noexcept;
///     // Appends the value of column `column` of `obj` to `out` (one Value).
///     static void write(const blog::Article& obj, int column, std::vector<Value>& out);
///     // Sets column `column` of `obj` from result column `index` of `row`.
///     static void read(blog::Article& obj, int column, const RowReader& row, int index);
///     static std::int64_t& pk(blog::Article& obj) noexcept;          // the pk member
///     static const std::int64_t& pk(const blog::Article& obj) noexcept;
///   };
template <class T>
struct ModelTraits;

/// Specialised by generated code for every `choices` enum `E`:
///
///   template <> struct aorm::EnumTraits<blog::Article::Status> {
///     static constexpr std::array<std::string_view, 3> values{"draft", "published", "archived"};
///   };
/// `values[i]` is what is stored for the enumerator whose underlying value is `i`.
template <class E>
struct EnumTraits;

/// An enum declared by `choices` in a model file (generated code gave it EnumTraits).
template <class E>
concept choice_enum = std::is_enum_v<E> && requires { EnumTraits<E>::values; };

/// The stored text of a choice: `aorm::to_string(Article::Status::published)` is "published"
/// ("" for a value that is no enumerator). Generated code adds `to_string(E)` in the
/// model's namespace, so `to_string(article.status)` finds it.
template <choice_enum E>
constexpr std::string_view to_string(E value) noexcept {
  const auto i = static_cast<std::size_t>(value);
  return i < EnumTraits<E>::values.size() ? EnumTraits<E>::values[i] : std::string_view();
}

/// The enumerator whose stored text is exactly `text`, or std::nullopt:
/// `aorm::from_string<Article::Status>("draft")`. (Generated code adds
/// `from_string(text, E& out) -> bool` in the model's namespace.)
template <choice_enum E>
constexpr std::optional<E> from_string(std::string_view text) noexcept {
  const auto& values = EnumTraits<E>::values;
  for (std::size_t i = 0; i < values.size(); ++i)
    if (values[i] == text) return static_cast<E>(static_cast<std::underlying_type_t<E>>(i));
  return std::nullopt;
}

/// What adelete() reports: the total rows deleted and the count per model label
/// ("blog.Article"; many-to-many links as "blog.Article_tags"), like Django's tuple.
struct DeleteResult {
  std::int64_t total = 0;
  std::map<std::string, std::int64_t> per_model;
};

}  // namespace aorm
