// aorm/detail/query/upsert.hpp — aget_or_create / aupdate_or_create: sorting their
// arguments (lookups, aorm::defaults, aorm::create_defaults) and the two terminal routines.
//
// Contract: get_or_create inserts inside a savepoint and, on IntegrityError, looks again (a
// concurrent creator wins); update_or_create runs in one transaction, selecting for update.
#pragma once

#include <exception>
#include <optional>
#include <utility>
#include <vector>

#include "aorm/database.hpp"
#include "aorm/detail/query/read.hpp"
#include "aorm/detail/query/write.hpp"
#include "aorm/errors.hpp"
#include "aorm/query_options.hpp"

namespace aorm::detail {

/// aget_or_create / aupdate_or_create arguments, sorted by type.
struct UpsertArgs {
  NodePtr where;
  std::vector<std::pair<int, Value>> initial;  // from `field == value` lookups
  std::vector<std::pair<int, NodePtr>> defaults;
  std::vector<std::pair<int, NodePtr>> create_defaults;
  bool has_create_defaults = false;
};

template <class M>
void add_upsert_arg(UpsertArgs& a, const Predicate<M>& p) {
  a.where = sql::and_(a.where, p.node());
  int col = 0;
  Value v;
  if (sql::as_column_equals(p.node(), col, v)) a.initial.emplace_back(col, std::move(v));
}
template <class M>
void add_upsert_arg(UpsertArgs& a, const Defaults<M>& d) {
  a.defaults.insert(a.defaults.end(), d.sets.begin(), d.sets.end());
}
template <class M>
void add_upsert_arg(UpsertArgs& a, const CreateDefaults<M>& d) {
  a.create_defaults.insert(a.create_defaults.end(), d.sets.begin(), d.sets.end());
  a.has_create_defaults = true;
}

/// Applies value assignments to `obj`; an expression (F) in defaults raises Error.
template <class T>
void apply_sets(T& obj, const std::vector<std::pair<int, NodePtr>>& sets) {
  for (const auto& [col, node] : sets) {
    if (node->kind != sql::Kind::param) throw_usage("defaults() takes values, not expressions");
    assign(obj, col, node->value);
  }
}

template <class T>
Task<std::pair<T, bool>> get_or_create(StatePtr base, UpsertArgs args, bool create_defaults) {
  auto s = std::make_shared<QueryState>(*base);
  s->query.where = sql::and_(s->query.where, args.where);
  std::optional<T> found;
  try {
    found.emplace(co_await get<T, T>(s));
  } catch (const typename T::DoesNotExist&) {
  }
  if (found) co_return std::pair<T, bool>{std::move(*found), false};

  Database db = resolve(*s);
  T obj{};
  for (const auto& [col, v] : args.initial) assign(obj, col, v);
  apply_sets(obj, create_defaults && args.has_create_defaults ? args.create_defaults : args.defaults);
  std::exception_ptr conflict;
  try {
    // A savepoint, so that a conflict does not spoil an enclosing transaction.
    co_await atomic(db, [&]() -> Task<void> { co_await insert_object(obj, db); });
    co_return std::pair<T, bool>{std::move(obj), true};
  } catch (const IntegrityError&) {
    conflict = std::current_exception();  // created concurrently? then get() finds it
  }
  try {
    found.emplace(co_await get<T, T>(s));
  } catch (const typename T::DoesNotExist&) {
  }
  if (found) co_return std::pair<T, bool>{std::move(*found), false};
  std::rethrow_exception(conflict);
}

template <class T>
Task<std::pair<T, bool>> update_or_create(StatePtr base, UpsertArgs args) {
  Database db = resolve(*base);
  auto s = std::make_shared<QueryState>(*base);
  s->query.for_update.enabled = true;
  s->db = db;
  co_return co_await atomic(db, [&]() -> Task<std::pair<T, bool>> {
    std::pair<T, bool> got = co_await get_or_create<T>(s, args, true);
    if (got.second) co_return got;
    apply_sets(got.first, args.defaults);
    co_await save_on(got.first, db);
    co_return got;
  });
}

}  // namespace aorm::detail
