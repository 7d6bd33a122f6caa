// aorm/detail/query/prefetch_loaders.hpp — the typed loader of each relation kind that a
// prefetch level calls (load_reverse, load_reverse_one, load_m2m, load_forward) and their
// shared pieces (the level's queryset, the keys condition, filling the owners' sets).
//
// Contract: a loader runs one query for its level (none when it can never match), fills
// every owner's member (empty when nothing relates) and hands the loaded objects on as
// `call.out`, the next level's owners.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "aorm/detail/query/prefetch.hpp"
#include "aorm/detail/query/read.hpp"
#include "aorm/detail/query/rows.hpp"
#include "aorm/relations.hpp"

namespace aorm::detail {

/// The queryset a prefetch level runs: Prefetch's, else every row of T; on `call.db`.
template <class T>
std::shared_ptr<QueryState> level_state(const PrefetchCall& call) {
  auto s = std::make_shared<QueryState>(call.custom ? *call.custom : *default_state<T>());
  s->db = call.db;
  return s;
}

/// A prefetch's condition "`key` is one of `keys`": `key IN (...)` over the keys without
/// repeats, ascending (SQLite builds its IN index from them in order). When they are a run
/// of consecutive integers as long as an array IN list (a page of rows by primary key,
/// say), `key BETWEEN first AND last` instead: the same rows, read as one index range
/// rather than one lookup per key (and no temporary index of the keys in SQLite).
inline NodePtr key_in(NodePtr key, std::vector<std::int64_t> keys) {
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  // Unsigned: the difference of any two int64 keys fits.
  if (keys.size() >= sql::array_in_min &&
      static_cast<std::uint64_t>(keys.back()) - static_cast<std::uint64_t>(keys.front()) == keys.size() - 1)
    return sql::range(std::move(key), sql::param(keys.front()), sql::param(keys.back()));
  return sql::in(std::move(key), std::vector<Value>(keys.begin(), keys.end()));
}

/// The primary keys of a level's owners (an owner may appear twice: key_in drops repeats).
template <class Owner>
std::vector<std::int64_t> owner_keys(const PrefetchLevel& owners) {
  std::vector<std::int64_t> keys;
  keys.reserve(owners.objs.size());
  for (void* o : owners.objs) keys.push_back(ModelTraits<Owner>::pk(*static_cast<Owner*>(o)));
  return keys;
}

/// The related objects of one owner key in a prefetch level, and how many owner objects
/// (with that key) have yet to take them.
template <class T>
struct PrefetchGroup {
  std::vector<T> items;
  int takers = 0;
};
template <class T>
using PrefetchGroups = std::unordered_map<std::int64_t, PrefetchGroup<T>>;

/// Gives each owner its group — moved to the last owner object with that key, copied to
/// the others (an owner may appear twice) — and hands on the loaded objects as the next
/// level.
template <class Owner, class T, class Set>
void fill_sets(PrefetchCall& call, PrefetchGroups<T>& groups) {
  for (void* o : call.owners.objs) {
    const auto it = groups.find(ModelTraits<Owner>::pk(*static_cast<Owner*>(o)));
    if (it != groups.end()) ++it->second.takers;
  }
  for (void* o : call.owners.objs) {
    Owner& owner = *static_cast<Owner*>(o);
    auto* set = static_cast<Set*>(ModelTraits<Owner>::related_set(owner, call.step->slot));
    const auto it = groups.find(ModelTraits<Owner>::pk(owner));
    if (it == groups.end())
      set->set_loaded({});
    else if (--it->second.takers == 0)
      set->set_loaded(std::move(it->second.items));
    else
      set->set_loaded(it->second.items);
    for (T& child : set->loaded_items()) call.out.objs.push_back(&child);
  }
  call.out.ops = &model_ops<T>;
}

template <class Owner, class T>
Task<void> load_reverse(PrefetchCall& call) {
  const int key = call.step->column;
  auto s = level_state<T>(call);
  s->query.where = sql::and_(s->query.where, key_in(sql::column(key), owner_keys<Owner>(call.owners)));
  std::vector<T> rows = co_await list<T, T>(std::move(s));
  PrefetchGroups<T> groups;
  std::vector<Value> v;
  for (T& row : rows) {
    v.clear();
    ModelTraits<T>::write(row, key, v);
    if (const auto* id = std::get_if<std::int64_t>(&v.front())) groups[*id].items.push_back(std::move(row));
  }
  fill_sets<Owner, T, RelatedSet<T>>(call, groups);
}

template <class Owner, class T>
Task<void> load_reverse_one(PrefetchCall& call) {
  const int key = call.step->column;
  auto s = level_state<T>(call);
  s->query.where = sql::and_(s->query.where, key_in(sql::column(key), owner_keys<Owner>(call.owners)));
  std::vector<T> rows = co_await list<T, T>(std::move(s));
  std::unordered_map<std::int64_t, T*> by_owner;
  std::vector<Value> v;
  for (T& row : rows) {
    v.clear();
    ModelTraits<T>::write(row, key, v);
    if (const auto* id = std::get_if<std::int64_t>(&v.front())) by_owner.emplace(*id, &row);
  }
  for (void* o : call.owners.objs) {
    Owner& owner = *static_cast<Owner*>(o);
    auto* one = static_cast<RelatedObject<T>*>(ModelTraits<Owner>::related_set(owner, call.step->slot));
    const auto it = by_owner.find(ModelTraits<Owner>::pk(owner));
    one->set_loaded(it == by_owner.end() ? std::nullopt : std::optional<T>(*it->second));
    if (T* got = one->get()) call.out.objs.push_back(got);
  }
  call.out.ops = &model_ops<T>;
}

template <class Owner, class T>
Task<void> load_m2m(PrefetchCall& call) {
  const sql::Step& step = *call.step;
  // The way back from T to its owners, whose key is selected after T's columns.
  sql::Step back;
  back.kind = step.kind == sql::StepKind::m2m ? sql::StepKind::m2m_reverse : sql::StepKind::m2m;
  back.from = step.to;
  back.to = step.from;
  back.m2m = step.m2m;
  const NodePtr owner_key = sql::column(step.from->pk, sql::extend(nullptr, back));
  auto s = level_state<T>(call);
  s->query.where = sql::and_(s->query.where, key_in(owner_key, owner_keys<Owner>(call.owners)));
  s->query.extra.push_back(owner_key);
  PrefetchGroups<T> groups;
  if (!s->query.never()) {
    const sql::Compiled compiled = sql::compile(sql::Form::select, s->query, call.db.dialect());
    const Statement& stmt = compiled.statement;
    const std::vector<int>& cols = compiled.shape->columns;
    const std::vector<std::pair<int, int>>& joined = compiled.shape->joined;
    groups.reserve(call.owners.objs.size());
    auto sink = [&](const RowReader& r) {
      const std::int64_t owner = r.get_int64(r.column_count() - 1);
      std::vector<T>& items = groups[owner].items;
      // A few related rows per owner is the common case: start at 4, not 1, 2, 4 (perf).
      if (items.capacity() == 0) items.reserve(4);
      append_row<T, T>(items, r, cols, joined);  // read in place
    };
    co_await execute(call.db, stmt, sink);
  }
  fill_sets<Owner, T, ManyToMany<Owner, T>>(call, groups);
  if (!s->prefetch.empty() && !call.out.objs.empty()) co_await prefetch(*s, call.db, call.out);
}

template <class T, class N>
Task<void> load_forward(PrefetchCall& call) {
  const int key = call.step->column;
  const ModelOps& ops = *call.owners.ops;
  std::vector<Value> keys(call.owners.objs.size()), v;
  std::vector<std::int64_t> ids;  // the non-NULL keys
  for (std::size_t i = 0; i < keys.size(); ++i) {
    v.clear();
    ops.write(call.owners.objs[i], key, v);
    keys[i] = v.front();
    if (const auto* id = std::get_if<std::int64_t>(&keys[i])) ids.push_back(*id);
  }
  auto s = level_state<T>(call);
  const int pk = ModelTraits<T>::meta().pk;
  s->query.where = sql::and_(s->query.where, key_in(sql::column(pk), std::move(ids)));
  std::vector<T> rows = co_await list<T, T>(std::move(s));
  std::unordered_map<std::int64_t, const T*> by_id;
  for (const T& row : rows) by_id.emplace(ModelTraits<T>::pk(row), &row);
  const int n = static_cast<int>(ModelTraits<T>::meta().columns.size());
  const std::vector<std::pair<int, int>> offsets{{0, 1}};
  for (std::size_t i = 0; i < keys.size(); ++i) {
    const auto* id = std::get_if<std::int64_t>(&keys[i]);
    const auto it = id ? by_id.find(*id) : by_id.end();
    if (it == by_id.end()) continue;
    // The owner reads its key from a joined row holding the key and the target's columns.
    std::vector<Value> row{keys[i]};
    for (int k = 0; k < n; ++k) ModelTraits<T>::write(*it->second, k, row);
    const ValuesRow values(row);
    JoinedRow joined(values, offsets);
    joined.collect_loaded(0, &call.out.objs);  // the owner's copy is the next level's object
    ops.read(call.owners.objs[i], key, joined, 0);
  }
  call.out.ops = &model_ops<T>;
}

}  // namespace aorm::detail
