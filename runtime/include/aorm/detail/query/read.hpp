// aorm/detail/query/read.hpp — the terminal methods that read: alist, aget, afirst,
// aaggregate, ain_bulk, araw (templates), and acount, aexists, aexplain and raw statements
// (runtime/src/query/read.cpp).
//
// Contract: each takes the query state by StatePtr (a task may outlive its QuerySet);
// a query that can never match (`never()`) runs no statement; rows of a model run the
// state's prefetches after the main query.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "aorm/database.hpp"
#include "aorm/detail/query/prefetch.hpp"
#include "aorm/detail/query/rows.hpp"
#include "aorm/detail/query/state.hpp"
#include "aorm/meta.hpp"
#include "aorm/task.hpp"

namespace aorm::detail {

/// "Article matching query does not exist."
std::string does_not_exist_message(const ModelMeta& m);
/// "get() returned more than one Article -- it returned 2!" (n == 21: "more than 20").
std::string multiple_objects_message(const ModelMeta& m, std::size_t n);

Task<std::int64_t> count(StatePtr s);
Task<bool> exists(StatePtr s);
Task<std::string> explain(StatePtr s);
/// The rows of a raw SELECT, each handed to `sink`.
Task<void> raw(Database db, Statement stmt, RowSink sink);

template <class T, class Row>
Task<std::vector<Row>> list(StatePtr s) {
  std::vector<Row> out;
  if (s->query.never()) co_return out;
  Database db = resolve(*s);
  // The SQL text and result layout come from the per-shape cache (compiler.hpp).
  const sql::Compiled compiled = sql::compile(sql::Form::select, s->query, db.dialect());
  const Statement& stmt = compiled.statement;
  const std::vector<int>& cols = compiled.shape->columns;
  const std::vector<std::pair<int, int>>& joined = compiled.shape->joined;
  auto sink = [&](const RowReader& r) { append_row<T, Row>(out, r, cols, joined); };
  check_for_update(s->query, db);
  co_await execute(db, stmt, sink);
  if constexpr (std::is_same_v<Row, T>) {
    if (!s->prefetch.empty() && !out.empty()) {
      PrefetchLevel roots{{}, &model_ops<T>};
      for (T& obj : out) roots.objs.push_back(&obj);
      co_await prefetch(*s, db, std::move(roots));
    }
  }
  co_return out;
}

template <class T, class Row>
Task<Row> get(StatePtr s) {
  const ModelMeta& m = ModelTraits<T>::meta();
  if (!s->query.sliced() && !s->query.for_update.enabled) {
    // Django: no ordering, at most 21 rows. A state only this task holds (aget(preds...)
    // made it) is changed in place instead of copied: states are made by
    // make_shared/make_pooled<QueryState> (non-const) and never shared across threads while in use.
    QueryState* q = s.use_count() == 1 ? const_cast<QueryState*>(s.get()) : nullptr;
    if (!q) {
      auto copy = make_pooled<QueryState>(*s);
      q = copy.get();
      s = std::move(copy);
    }
    q->query.order_set = true;
    q->query.order.clear();
    q->query.limit = 21;
  }
  if (s->query.never()) throw typename T::DoesNotExist(does_not_exist_message(m));
  // Not through list(): the first row is read straight into the result and the others are
  // only counted (no vector, no extra frame: perf).
  Database db = resolve(*s);
  const sql::Compiled compiled = sql::compile(sql::Form::select, s->query, db.dialect());
  const std::vector<int>& cols = compiled.shape->columns;
  const std::vector<std::pair<int, int>>& joined = compiled.shape->joined;
  std::optional<Row> found;
  std::size_t rows = 0;
  auto sink = [&](const RowReader& r) {
    if (rows++ == 0) read_shaped_row<T, Row>(found.emplace(), r, cols, joined);
  };
  check_for_update(s->query, db);
  co_await execute(db, compiled.statement, sink);
  if (rows == 0) throw typename T::DoesNotExist(does_not_exist_message(m));
  if (rows > 1) throw typename T::MultipleObjectsReturned(multiple_objects_message(m, rows));
  if constexpr (std::is_same_v<Row, T>) {
    if (!s->prefetch.empty()) {
      PrefetchLevel roots{{&*found}, &model_ops<T>};
      co_await prefetch(*s, db, std::move(roots));
    }
  }
  co_return std::move(*found);
}

template <class T, class Row>
Task<std::optional<Row>> first(StatePtr s) {
  std::vector<Row> rows = co_await list<T, Row>(std::move(s));
  if (rows.empty()) co_return std::nullopt;
  co_return std::move(rows.front());
}

template <class T, class... R>
Task<std::tuple<R...>> aggregate(StatePtr s, std::vector<NodePtr> aggs) {
  std::tuple<R...> out{};
  if (s->query.never()) co_return out;  // COUNT 0, everything else NULL
  Database db = resolve(*s);
  const Statement stmt = sql::aggregate(s->query, aggs, db.dialect());
  const std::vector<int> none;
  auto sink = [&](const RowReader& r) { out = read_row<T, std::tuple<R...>>(r, none, nullptr); };
  co_await execute(db, stmt, sink);
  co_return out;
}

template <class T, class K>
Task<std::unordered_map<K, T>> in_bulk(StatePtr s, int key_column) {
  std::vector<T> rows = co_await list<T, T>(std::move(s));
  std::unordered_map<K, T> out;
  std::vector<Value> v;
  for (T& obj : rows) {
    v.clear();
    ModelTraits<T>::write(obj, key_column, v);
    K key{};
    ValueRow row(v.front());
    aorm::read_value(row, 0, key);
    out.insert_or_assign(std::move(key), std::move(obj));
  }
  co_return out;
}

template <class T>
Task<std::vector<T>> raw_rows(Database db, Statement stmt) {
  std::vector<T> out;
  const ModelMeta& m = ModelTraits<T>::meta();
  std::vector<int> cols;
  for (std::size_t i = 0; i < m.columns.size(); ++i) cols.push_back(static_cast<int>(i));
  auto sink = [&](const RowReader& r) {
    T obj{};
    const std::size_t n = std::min(cols.size(), static_cast<std::size_t>(r.column_count()));
    for (std::size_t k = 0; k < n; ++k) ModelTraits<T>::read(obj, cols[k], r, static_cast<int>(k));
    out.push_back(std::move(obj));
  };
  co_await raw(std::move(db), std::move(stmt), sink);
  co_return out;
}

}  // namespace aorm::detail
