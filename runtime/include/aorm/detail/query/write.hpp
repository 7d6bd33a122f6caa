// aorm/detail/query/write.hpp — instance and bulk writes: stamping auto_now columns, the
// columns an INSERT writes, inserting/saving one object (save_on: Django's Model.save()),
// abulk_create / abulk_update, and the non-template statements they run (UPDATE, batched
// INSERT and CASE-WHEN UPDATE; runtime/src/query/write.cpp).
//
// Contract: batches respect the dialect's parameter limit and `batch_size`; several batches
// run in one transaction; primary keys that come back are set on the objects.
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "aorm/database.hpp"
#include "aorm/detail/query/rows.hpp"
#include "aorm/detail/query/state.hpp"
#include "aorm/meta.hpp"
#include "aorm/query_options.hpp"
#include "aorm/task.hpp"
#include "aorm/types.hpp"

namespace aorm::detail {

/// The Value of time `t` for an auto_now / auto_now_add column of `kind`.
Value now_value(FieldKind kind, DateTime t);
Task<std::int64_t> update(StatePtr s, std::vector<std::pair<int, NodePtr>> sets);
/// Runs INSERT statements for `rows` rows of `columns` (values row by row), in batches that
/// respect the dialect's parameter limit and `batch_size`, all in one transaction when there
/// are several; appends the returned primary keys to `pks` (when opts.returning_pk).
Task<void> insert_rows(Database db, const ModelMeta& m, std::vector<int> columns,
                       std::vector<Value> values, std::size_t rows, std::size_t batch_size,
                       sql::InsertOptions opts, std::vector<std::int64_t>& pks);
/// Django's bulk_update: CASE WHEN pk = ... per column, batched, one transaction.
Task<std::int64_t> bulk_update_rows(Database db, const ModelMeta& m, std::vector<int> columns,
                                    std::vector<Value> pks, std::vector<Value> values,
                                    std::size_t batch_size);

/// Stamps auto_now columns (and auto_now_add ones when `adding`) with the current time.
template <class T>
void stamp(T& obj, bool adding) {
  const ModelMeta& m = ModelTraits<T>::meta();
  const DateTime t = aorm::now();  // one instant for every stamped column
  for (std::size_t i = 0; i < m.columns.size(); ++i) {
    const ColumnMeta& c = m.columns[i];
    if (c.auto_now || (adding && c.auto_now_add)) assign(obj, static_cast<int>(i), now_value(c.kind, t));
  }
}

/// The columns an INSERT of `obj` writes: all, minus an auto-increment pk that is unset.
template <class T>
std::vector<int> insert_columns(const T& obj) {
  const ModelMeta& m = ModelTraits<T>::meta();
  std::vector<int> cols;
  for (std::size_t i = 0; i < m.columns.size(); ++i) {
    const int c = static_cast<int>(i);
    if (c == m.pk && m.columns[i].auto_increment && ModelTraits<T>::pk(obj) == 0) continue;
    cols.push_back(c);
  }
  return cols;
}

template <class T>
void write_columns(const T& obj, const std::vector<int>& cols, std::vector<Value>& out) {
  for (int c : cols) ModelTraits<T>::write(obj, c, out);
}

/// INSERTs `obj` (stamping auto_now/auto_now_add) and sets its primary key.
template <class T>
Task<void> insert_object(T& obj, Database db) {
  stamp(obj, true);
  std::vector<int> cols = insert_columns(obj);
  std::vector<Value> values;
  write_columns(obj, cols, values);
  std::vector<std::int64_t> pks;
  const sql::InsertOptions opts;  // named: g++ 12 destroys a braced temporary in a co_await twice
  co_await insert_rows(std::move(db), ModelTraits<T>::meta(), std::move(cols), std::move(values), 1, 0, opts, pks);
  if (!pks.empty()) ModelTraits<T>::pk(obj) = pks.front();
  bind_relations(obj);
}

/// Django's Model.save(): UPDATE every column when the pk is set and the row exists, else
/// INSERT. auto_now columns are stamped on every save, auto_now_add ones on insert.
template <class T>
Task<void> save_on(T& obj, Database db) {
  const ModelMeta& m = ModelTraits<T>::meta();
  if (ModelTraits<T>::pk(obj) != 0) {
    stamp(obj, false);
    auto s = std::make_shared<QueryState>();
    s->query.meta = &m;
    s->query.where = sql::equals(sql::column(m.pk), ModelTraits<T>::pk(obj));
    s->db = db;
    std::vector<std::pair<int, NodePtr>> sets;
    std::vector<Value> values;
    for (std::size_t i = 0; i < m.columns.size(); ++i) {
      if (static_cast<int>(i) == m.pk) continue;
      values.clear();
      ModelTraits<T>::write(obj, static_cast<int>(i), values);
      sets.emplace_back(static_cast<int>(i), sql::param(std::move(values.front())));
    }
    if (sets.empty() || co_await update(std::move(s), std::move(sets)) > 0) {
      bind_relations(obj);
      co_return;
    }
  }
  co_await insert_object(obj, std::move(db));
}

template <class T>
Task<std::vector<T>> bulk_create(StatePtr s, std::vector<T> objs, BulkCreateOptions<T> opts) {
  if (objs.empty()) co_return objs;
  Database db = resolve(*s);
  const ModelMeta& m = ModelTraits<T>::meta();
  sql::InsertOptions io;
  io.ignore_conflicts = opts.ignore_conflicts;
  io.update_conflicts = opts.update_conflicts;
  io.unique_columns = opts.unique_fields.to_vector();
  io.update_columns = opts.update_fields.to_vector();
  // Like Django, primary keys are not reported back when conflicting rows are ignored.
  io.returning_pk = !opts.ignore_conflicts;
  // Objects with and without a primary key insert different column lists.
  std::vector<std::size_t> with_pk, without_pk;
  for (std::size_t i = 0; i < objs.size(); ++i) {
    stamp(objs[i], true);
    (ModelTraits<T>::pk(objs[i]) == 0 ? without_pk : with_pk).push_back(i);
  }
  auto run = [&](const std::vector<std::size_t>& group) -> Task<void> {
    if (group.empty()) co_return;
    std::vector<int> cols = insert_columns(objs[group.front()]);
    std::vector<Value> values;
    values.reserve(cols.size() * group.size());
    for (std::size_t i : group) write_columns(objs[i], cols, values);
    std::vector<std::int64_t> pks;
    co_await insert_rows(db, m, std::move(cols), std::move(values), group.size(), opts.batch_size, io, pks);
    if (pks.size() == group.size()) {
      for (std::size_t k = 0; k < group.size(); ++k) {
        ModelTraits<T>::pk(objs[group[k]]) = pks[k];
        bind_relations(objs[group[k]]);
      }
    }
  };
  if (!with_pk.empty() && !without_pk.empty()) {
    co_await atomic(db, [&]() -> Task<void> {
      co_await run(with_pk);
      co_await run(without_pk);
    });
  } else {
    co_await run(with_pk.empty() ? without_pk : with_pk);
  }
  co_return objs;
}

template <class T>
Task<std::int64_t> bulk_update(StatePtr s, std::vector<T> objs, ColumnList<T> columns, BulkUpdateOptions opts) {
  if (objs.empty() || columns.size == 0) co_return 0;
  const ModelMeta& m = ModelTraits<T>::meta();
  std::vector<int> cols = columns.to_vector();
  std::vector<Value> pks, values;
  for (const T& obj : objs) {
    if (ModelTraits<T>::pk(obj) == 0) throw_usage("All bulk_update() objects must have a primary key set.");
    ModelTraits<T>::write(obj, m.pk, pks);
    write_columns(obj, cols, values);
  }
  co_return co_await bulk_update_rows(resolve(*s), m, std::move(cols), std::move(pks), std::move(values),
                                      opts.batch_size);
}

}  // namespace aorm::detail
