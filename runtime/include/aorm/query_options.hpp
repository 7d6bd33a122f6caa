// aorm/query_options.hpp — the option and argument types of QuerySet's methods (API.md §4):
// ColumnList, BulkCreateOptions, BulkUpdateOptions, ForUpdateOptions (aorm::self),
// aorm::defaults / aorm::create_defaults (aget_or_create, aupdate_or_create) and
// aorm::through_defaults (ManyToMany::aadd/aset/acreate).
//
// Contract: every type here that a caller builds inside a co_await (the option structs) is
// trivially destructible (TOOLCHAIN.md, g++ bug 2); the defaults carry expression nodes,
// which the terminal methods check (values only, no F expressions).
#pragma once

#include <array>
#include <cstddef>
#include <utility>
#include <vector>

#include "aorm/expr.hpp"

namespace aorm {

/// A list of columns of model M: `{Article::f.title, Article::f.views}`. Fixed capacity and
/// trivially destructible, so it can sit in option structs built inside a co_await
/// (TOOLCHAIN.md, g++ bug 2).
template <class M>
struct ColumnList {
  static constexpr int capacity = 32;
  std::array<int, capacity> columns{};
  int size = 0;

  constexpr ColumnList() noexcept = default;
  template <class... F>
    requires(sizeof...(F) > 0 && (std::same_as<typename F::model_type, M> && ...))
  constexpr ColumnList(const F&... fields) noexcept  // NOLINT: built from a braced list
      : columns{fields.column()...}, size(static_cast<int>(sizeof...(F))) {
    static_assert(sizeof...(F) <= capacity, "aorm::ColumnList holds at most 32 columns");
  }
  std::vector<int> to_vector() const { return {columns.begin(), columns.begin() + size}; }
};

/// abulk_create() options (Django's bulk_create arguments).
template <class M>
struct BulkCreateOptions {
  std::size_t batch_size = 0;  // 0: as many rows per INSERT as the parameter limit allows
  bool ignore_conflicts = false;
  bool update_conflicts = false;
  // `{}`: g++ warns (-Wmissing-field-initializers) about members left out of a designated
  // initializer such as `{.batch_size = 2}` unless they have a default member initializer.
  ColumnList<M> unique_fields{};  // update_conflicts: the conflict target
  ColumnList<M> update_fields{};  // update_conflicts: the columns overwritten
};

/// abulk_update() options.
struct BulkUpdateOptions {
  std::size_t batch_size = 0;  // 0: as many rows per UPDATE as the parameter limit allows
};

/// select_for_update() options (PostgreSQL; SQLite's write transactions lock the file).
/// `of`: lock only the rows of these tables (FOR UPDATE OF ...): the query's model
/// (`aorm::self`) and/or select_related foreign keys, as column indexes of the model
/// (`{.of = {Article::f.author.column()}}`). Fixed capacity: trivially destructible.
/// ForUpdateOptions::of entry for the query's own table.
inline constexpr int self = -1;
/// The tables of FOR UPDATE OF: aorm::self and/or foreign key column indexes, at most 8.
struct ForUpdateOf {
  std::array<int, 8> entries{};
  int size = 0;
  constexpr ForUpdateOf() noexcept = default;
  template <class... I>
    requires(sizeof...(I) > 0 && sizeof...(I) <= 8 && (std::convertible_to<I, int> && ...))
  constexpr ForUpdateOf(I... items) noexcept  // NOLINT: built from a braced list
      : entries{static_cast<int>(items)...}, size(static_cast<int>(sizeof...(I))) {}
};
struct ForUpdateOptions {
  bool nowait = false;
  bool skip_locked = false;
  ForUpdateOf of{};
};

/// aorm::defaults(assigns...) / aorm::create_defaults(assigns...) for aget_or_create and
/// aupdate_or_create.
template <class M, bool Create>
struct DefaultsOf {
  std::vector<std::pair<int, detail::NodePtr>> sets;
};
template <class M>
using Defaults = DefaultsOf<M, false>;
template <class M>
using CreateDefaults = DefaultsOf<M, true>;

template <class M, class... Ms>
  requires(std::same_as<M, Ms> && ...)
Defaults<M> defaults(const Assignment<M>& first, const Assignment<Ms>&... rest) {
  return {{{first.column, first.value}, {rest.column, rest.value}...}};
}
template <class M, class... Ms>
  requires(std::same_as<M, Ms> && ...)
CreateDefaults<M> create_defaults(const Assignment<M>& first, const Assignment<Ms>&... rest) {
  return {{{first.column, first.value}, {rest.column, rest.value}...}};
}

/// aorm::through_defaults(assigns...): the values of a `through` model's own columns for
/// the link rows ManyToMany::aadd/aset/acreate insert (Django's `through_defaults`);
/// columns not named get the through model's defaults.
template <class M>
struct ThroughDefaults {
  std::vector<std::pair<int, detail::NodePtr>> sets;
};
template <class M, class... Ms>
  requires(std::same_as<M, Ms> && ...)
ThroughDefaults<M> through_defaults(const Assignment<M>& first, const Assignment<Ms>&... rest) {
  return {{{first.column, first.value}, {rest.column, rest.value}...}};
}

}  // namespace aorm
