// aorm/detail/query/state.hpp — what a QuerySet holds (QueryState: the SQL description, the
// database to run on, the prefetches) and the non-template helpers its builders and
// terminal methods share (runtime/src/query/state.cpp): resolving the database, slicing,
// ordering, select_related joins, select_for_update, the Manager's default state.
//
// Contract: a state is made by make_shared or make_pooled<QueryState> (never const), shared
// read-only through StatePtr; only a holder whose use_count is 1 may change it in place.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "aorm/database.hpp"
#include "aorm/detail/sql/compiler.hpp"
#include "aorm/expr.hpp"
#include "aorm/meta.hpp"
#include "aorm/query_options.hpp"

namespace aorm::detail {

struct QueryState;
using StatePtr = std::shared_ptr<const QueryState>;

/// One prefetch_related() argument: the relation path to load level by level (each step
/// carries its typed loader) and, for Prefetch(field, qs), the queryset of the last level.
struct PrefetchSpec {
  const sql::Path* path = nullptr;
  StatePtr custom;
};

/// What a QuerySet holds: the SQL description and where to run it.
struct QueryState {
  sql::Query query;
  std::optional<Database> db;  // on(db)
  std::string alias;           // on("alias"); empty: "default"
  std::vector<PrefetchSpec> prefetch;
};

/// The select_related join for `column` of the model `p` leads to (adds the parents).
int related_join(sql::Query& q, const sql::Path* p, int column, const ModelMeta& target, bool nullable);
/// The select_related joins of every step of `p`: foreign keys and reverse one-to-ones
/// (Error for other steps).
int related_join(sql::Query& q, const sql::Path* p);
/// Applies select_for_update() to `q`.
void set_for_update(sql::Query& q, bool nowait, bool skip_locked, const ForUpdateOf& of);
/// Raises TransactionManagementError when `q` selects for update on PostgreSQL outside a
/// transaction (Django's "select_for_update cannot be used outside of a transaction.").
void check_for_update(const sql::Query& q, const Database& db);

/// The database a query runs on: on(db), else on(alias), else "default".
Database resolve(const QueryState& s);
/// Django's Query.set_limits: a slice of a slice stays inside the first one.
void apply_slice(sql::Query& q, std::int64_t start, std::optional<std::int64_t> stop);
/// Is the query ordered (explicitly or by Meta.ordering)?
bool is_ordered(const sql::Query& q);
/// Reverses the ordering in effect (alast, alatest); pk descending when unordered.
void reverse_order(sql::Query& q);
/// Raises Error: "aorm: <what>" (Django's TypeError/ValueError cases).
[[noreturn]] void throw_usage(std::string what);

/// A Field of model M whose member is a ForeignKey.
template <class F, class M>
concept foreign_key_field = expression<F> && std::same_as<typename F::model_type, M> &&
                            is_foreign_key_v<typename F::value_type> && requires(const F& f) { f.column(); };
/// What select_related() takes: a foreign key field or a reverse one-to-one field of M.
template <class F, class M>
concept select_related_field =
    foreign_key_field<F, M> || (std::same_as<typename F::model_type, M> && F::is_related_object);

/// The select_related joins of one select_related() argument.
template <class F>
void select_join(sql::Query& q, const F& f) {
  if constexpr (foreign_key_field<F, typename F::model_type>) {
    related_join(q, f.path(), f.column(), ModelTraits<typename F::value_type::target_type>::meta(),
                 F::value_type::is_nullable);
  } else {
    related_join(q, f.target_path());
  }
}

template <class T>
const StatePtr& default_state() {
  static const StatePtr s = [] {
    auto st = std::make_shared<QueryState>();
    st->query.meta = &ModelTraits<T>::meta();
    return StatePtr(std::move(st));
  }();
  return s;
}

template <class M, class A>
sql::OrderTerm order_term(const A& a) {
  if constexpr (std::is_same_v<A, OrderBy<M>> || std::is_same_v<A, OrderBy<void>>) {
    return {a.expr, a.desc};
  } else {
    static_assert(expression<A> && std::is_same_v<typename A::model_type, M>,
                  "order_by() takes columns, expressions, .asc()/.desc() terms of this model, or aorm::random()");
    return {a.node(), false};
  }
}

}  // namespace aorm::detail
