// aorm/queryset.hpp — QuerySet<T>, Manager<T> and the instance helpers (API.md §4).
//
//   auto qs = Article::objects.filter(Article::f.status == "published").order_by(Article::f.views.desc());
//   std::vector<Article> top = co_await qs.limit(10).alist();
//   std::int64_t n = co_await qs.acount();
//
// A QuerySet is a cheap immutable handle (one shared_ptr) to a query description; every
// builder call returns a new QuerySet and leaves the old one as it was. Nothing runs until
// a terminal method (a*) is awaited. A terminal method's task owns a reference to the query
// state, so it may be stored and awaited after the QuerySet that made it is gone.
//
// QuerySet<T, Row>: Row is T for model rows, std::tuple<...> after values()/annotate(), or
// one column's type after values_list(col).
//
// Relations: lookups across relations join (paths in detail/sql/node.hpp), select_related
// joins foreign keys at any depth, prefetch_related runs one query per relation level
// after the main query (also per chunk of aiterator). only()/defer() leave the deferred
// members at their default values (aorm has no lazy per-field loading).
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <optional>
#include <ranges>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "aorm/database.hpp"
#include "aorm/detail/backend.hpp"
#include "aorm/detail/registry.hpp"
#include "aorm/detail/sql/compiler.hpp"
#include "aorm/errors.hpp"
#include "aorm/expr.hpp"
#include "aorm/meta.hpp"
#include "aorm/task.hpp"
#include "aorm/types.hpp"
#include "aorm/value.hpp"

namespace aorm {

template <class T, class Row = T>
class QuerySet;

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

namespace detail {

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

/// A model's row functions with the type erased, for prefetch levels whose owner type the
/// typed code at hand does not know.
struct ModelOps {
  void (*read)(void* obj, int column, const RowReader& row, int index);
  void (*write)(const void* obj, int column, std::vector<Value>& out);
  const ModelMeta& (*meta)() noexcept;
};
template <class T>
inline constexpr ModelOps model_ops{
    [](void* obj, int column, const RowReader& row, int index) {
      ModelTraits<T>::read(*static_cast<T*>(obj), column, row, index);
    },
    [](const void* obj, int column, std::vector<Value>& out) {
      ModelTraits<T>::write(*static_cast<const T*>(obj), column, out);
    },
    &ModelTraits<T>::meta,
};

/// The objects of one prefetch level.
struct PrefetchLevel {
  std::vector<void*> objs;
  const ModelOps* ops = nullptr;
};
/// What a level's loader gets and gives back.
struct PrefetchCall {
  PrefetchLevel owners;
  const sql::Step* step = nullptr;
  Database db;
  StatePtr custom;  // null: every row of the level's model
  PrefetchLevel out;
};
using PrefetchLoader = Task<void> (*)(PrefetchCall&);

/// Runs the prefetches of `s` over `objs` (of model `ops`), one query per level; a level
/// shared by several specs (articles, articles->tags) loads once.
Task<void> prefetch(const QueryState& s, Database db, PrefetchLevel roots);

/// A RowReader over a row of Values.
class ValuesRow final : public RowReader {
 public:
  explicit ValuesRow(const std::vector<Value>& v) noexcept : v_(v) {}
  int column_count() const noexcept override { return static_cast<int>(v_.size()); }
  bool is_null(int i) const noexcept override;
  std::int64_t get_int64(int i) const noexcept override;
  double get_double(int i) const noexcept override;
  std::string_view get_text(int i) const noexcept override;
  std::span<const std::byte> get_blob(int i) const noexcept override;

 private:
  const std::vector<Value>& v_;
  mutable std::string text_;
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

// ---- non-template support (runtime/src/query/queryset.cpp) -----------------------------

/// The database a query runs on: on(db), else on(alias), else "default".
Database resolve(const QueryState& s);
/// Django's Query.set_limits: a slice of a slice stays inside the first one.
void apply_slice(sql::Query& q, std::int64_t start, std::optional<std::int64_t> stop);
/// Is the query ordered (explicitly or by Meta.ordering)?
bool is_ordered(const sql::Query& q);
/// Reverses the ordering in effect (alast, alatest); pk descending when unordered.
void reverse_order(sql::Query& q);
/// "Article matching query does not exist."
std::string does_not_exist_message(const ModelMeta& m);
/// "get() returned more than one Article -- it returned 2!" (n == 21: "more than 20").
std::string multiple_objects_message(const ModelMeta& m, std::size_t n);
/// The Value of time `t` for an auto_now / auto_now_add column of `kind`.
Value now_value(FieldKind kind, DateTime t);
/// Raises Error: "aorm: <what>" (Django's TypeError/ValueError cases).
[[noreturn]] void throw_usage(std::string what);

Task<std::int64_t> count(StatePtr s);
Task<bool> exists(StatePtr s);
Task<std::int64_t> update(StatePtr s, std::vector<std::pair<int, NodePtr>> sets);
/// Deletes the rows (and first their many-to-many link rows) in one transaction.
Task<DeleteResult> remove(StatePtr s);
Task<std::string> explain(StatePtr s);
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
/// The rows of a raw SELECT, each handed to `sink`.
Task<void> raw(Database db, Statement stmt, RowSink sink);

/// A RowReader over one Value: how the runtime sets a member from a Value through
/// ModelTraits<T>::read (defaults, auto_now, aget_or_create lookups).
class ValueRow final : public RowReader {
 public:
  explicit ValueRow(const Value& v);
  int column_count() const noexcept override { return 1; }
  bool is_null(int) const noexcept override;
  std::int64_t get_int64(int) const noexcept override;
  double get_double(int) const noexcept override;
  std::string_view get_text(int) const noexcept override;
  std::span<const std::byte> get_blob(int) const noexcept override;

 private:
  const Value& v_;
  std::string text_;  // the text form of a number
};

// ---- reading rows ----------------------------------------------------------------------

/// Reads `cols` of `obj` from `r` starting at result index `at`. `joined` is `r` itself when
/// the query has select_related joins (the caller knows that once per query, from the
/// shape's layout: no per-row dynamic_cast), else null.
template <class T>
void read_model(T& obj, const std::vector<int>& cols, const RowReader& r, int at, const JoinedRow* joined) {
  for (std::size_t k = 0; k < cols.size(); ++k) ModelTraits<T>::read(obj, cols[k], r, at + static_cast<int>(k));
  bind_relations(obj);
  if constexpr (requires { ModelTraits<T>::related_set(obj, 0); }) {
    if (joined != nullptr) {  // select_related reverse one-to-ones
      const auto pk = std::find(cols.begin(), cols.end(), ModelTraits<T>::meta().pk);
      if (pk != cols.end()) read_reverse_joined(obj, *joined, at + static_cast<int>(pk - cols.begin()));
    }
  }
}

template <class X>
inline constexpr bool is_tuple_v = false;
template <class... X>
inline constexpr bool is_tuple_v<std::tuple<X...>> = true;

template <class T, class E>
void read_element(E& e, const RowReader& r, const std::vector<int>& cols, int& at, const JoinedRow* joined) {
  if constexpr (std::is_same_v<E, T>) {
    read_model(e, cols, r, at, joined);
    at += static_cast<int>(cols.size());
  } else {
    aorm::read_value(r, at, e);
    ++at;
  }
}

/// Reads one result row into `row` (value-initialised): the model, a tuple (model and/or
/// values), or one value. `joined`: as read_model.
template <class T, class Row>
void read_row_into(Row& row, const RowReader& r, const std::vector<int>& cols, const JoinedRow* joined) {
  if constexpr (std::is_same_v<Row, T>) {
    read_model(row, cols, r, 0, joined);
  } else if constexpr (is_tuple_v<Row>) {
    int at = 0;
    std::apply([&](auto&... e) { (read_element<T>(e, r, cols, at, joined), ...); }, row);
  } else {
    aorm::read_value(r, 0, row);
  }
}

/// One result row as a Row.
template <class T, class Row>
Row read_row(const RowReader& r, const std::vector<int>& cols, const JoinedRow* joined) {
  Row row{};
  read_row_into<T, Row>(row, r, cols, joined);
  return row;
}

/// Reads the row `r` into `row`. `joined`: the select_related layout of the query's shape
/// (empty: none).
template <class T, class Row>
void read_shaped_row(Row& row, const RowReader& r, const std::vector<int>& cols,
                     const std::vector<std::pair<int, int>>& joined) {
  if (joined.empty()) {
    read_row_into<T, Row>(row, r, cols, nullptr);
  } else {
    const JoinedRow jr(r, joined);
    read_row_into<T, Row>(row, jr, cols, &jr);
  }
}

/// Appends the row `r` to `out`, read in place (no Row moved per row).
template <class T, class Row>
void append_row(std::vector<Row>& out, const RowReader& r, const std::vector<int>& cols,
                const std::vector<std::pair<int, int>>& joined) {
  read_shaped_row<T, Row>(out.emplace_back(), r, cols, joined);
}

/// Sets column `col` of `obj` from `v`.
template <class T>
void assign(T& obj, int col, const Value& v) {
  ValueRow row(v);
  ModelTraits<T>::read(obj, col, row, 0);
}

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
    s->query.where = sql::binary(sql::Kind::compare, sql::Op::eq, sql::column(m.pk),
                                 sql::param(ModelTraits<T>::pk(obj)));
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

template <class Row>
struct as_tuple {
  using type = std::tuple<Row>;
};
template <class... X>
struct as_tuple<std::tuple<X...>> {
  using type = std::tuple<X...>;
};

template <class T, class... E>
using values_row_t = std::tuple<column_value_t<typename E::value_type>...>;

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

}  // namespace detail

/// A stream over a query's rows (aiterator): rows are fetched `chunk_size` at a time from a
/// cursor, so memory stays bounded. The cursor opens at the first anext() and holds a
/// connection until the stream is exhausted or destroyed. The stream must outlive each
/// anext() task.
template <class T, class Row = T>
class QueryStream {
 public:
  QueryStream(detail::StatePtr s, std::size_t chunk_size) : state_(std::move(s)), chunk_(chunk_size ? chunk_size : 1) {}

  /// The next row, or nullopt once every row has been delivered.
  Task<std::optional<Row>> anext() {
    // A row at hand is handed over as a ready Task: no coroutine frame, no suspension
    // (perf). So is a row the cursor can read on the spot (SQLite used inline).
    if (next_ < buffer_.size()) return detail::ready_task<std::optional<Row>>(std::move(buffer_[next_++]));
    if (done_) return detail::ready_task<std::optional<Row>>();
    if (reads_now()) {
      try {
        return read_now();
      } catch (...) {
        finish();
        return fail(std::current_exception());
      }
    }
    return fetch_next();
  }

 private:
  /// Whether the next row can be read without suspending: the cursor reads on the calling
  /// thread, and no chunk needs its prefetches. After the first chunk such rows are read one
  /// per anext(), into the task itself, so that a row's strings are allocated right after
  /// the previous row's were freed (malloc's per-thread cache) rather than a chunk's worth
  /// at once. The first chunk is always read whole: a result that fits in it gives the
  /// connection back before the first row is handed out, so the loop body may use it (an
  /// inline SQLite pool has one connection).
  bool reads_now() const noexcept {
    if constexpr (std::is_same_v<Row, T>) {
      if (!state_->prefetch.empty()) return false;
    }
    return cursor_ && cursor_->can_fetch_now();
  }

  Task<std::optional<Row>> read_now() {
    auto task = detail::ready_task<std::optional<Row>>();
    std::optional<Row>& row = detail::TaskAccess::ready_value(task);
    auto sink = [&](const RowReader& r) { detail::read_shaped_row<T, Row>(row.emplace(), r, cols_, joined_); };
    if (!cursor_->fetch_now(1, sink)) finish();
    return task;
  }

  void finish() noexcept {
    done_ = true;
    cursor_.reset();  // gives the connection back
    buffer_.clear();
    next_ = 0;
  }

  static Task<std::optional<Row>> fail(std::exception_ptr e) {
    std::rethrow_exception(std::move(e));
    co_return std::nullopt;
  }

  /// Reads the next chunk, opening the cursor first if needed. A failure ends the stream
  /// (a generator that raised is finished), whatever rows its chunk held.
  Task<std::optional<Row>> fetch_next() {
    try {
      if (next_ == buffer_.size() && !done_) {
        buffer_.clear();  // keeps its capacity: one allocation per stream, not per chunk
        next_ = 0;
        if (!cursor_) {
          if (state_->query.never()) {
            done_ = true;
            co_return std::nullopt;
          }
          db_ = detail::resolve(*state_);
          detail::sql::Compiled compiled = detail::sql::compile(detail::sql::Form::select, state_->query, db_->dialect());
          cols_ = compiled.shape->columns;
          joined_ = compiled.shape->joined;
          detail::check_for_update(state_->query, *db_);
          cursor_ = co_await detail::open_cursor(*db_, std::move(compiled.statement));
        }
        if (buffer_.capacity() < chunk_) buffer_.reserve(std::min<std::size_t>(chunk_, 4096));
        auto sink = [this](const RowReader& r) { detail::append_row<T, Row>(buffer_, r, cols_, joined_); };
        const bool more = co_await cursor_->fetch(chunk_, sink);
        if (!more) {
          done_ = true;
          cursor_.reset();  // gives the connection back
        }
        if constexpr (std::is_same_v<Row, T>) {
          if (!state_->prefetch.empty() && !buffer_.empty()) {  // per chunk
            detail::PrefetchLevel roots{{}, &detail::model_ops<T>};
            for (T& obj : buffer_) roots.objs.push_back(&obj);
            co_await detail::prefetch(*state_, *db_, std::move(roots));
          }
        }
      }
      if (next_ == buffer_.size()) co_return std::nullopt;
      co_return std::move(buffer_[next_++]);
    } catch (...) {
      finish();
      throw;
    }
  }

  detail::StatePtr state_;
  std::size_t chunk_;
  std::optional<Database> db_;
  std::vector<int> cols_;
  std::vector<std::pair<int, int>> joined_;
  std::unique_ptr<detail::Cursor> cursor_;
  std::vector<Row> buffer_;  // the current chunk; rows before next_ were delivered
  std::size_t next_ = 0;
  bool done_ = false;
};

/// prefetch_related(aorm::Prefetch(Article::f.tags, Tag::objects.filter(...))): prefetch a
/// relation with a chosen queryset (filter, order, select_related, its own prefetches) for
/// the related rows, like Django's Prefetch.
template <class F>
class Prefetch {
 public:
  template <class X>
  Prefetch(const F& field, const QuerySet<X, X>& qs)
      : field(field), queryset(std::make_shared<detail::QueryState>(qs.state())) {}
  F field;
  detail::StatePtr queryset;
};

namespace detail {

template <class A>
inline constexpr bool is_prefetch_v = false;
template <class F>
inline constexpr bool is_prefetch_v<Prefetch<F>> = true;

template <class T, class N>
Task<void> load_forward(PrefetchCall& call);
/// The second template argument of a ForeignKey type.
template <class FK>
struct fk_null;
template <class X, class N>
struct fk_null<ForeignKey<X, N>> {
  using type = N;
};
template <class FK>
using nullptr_t_or = typename fk_null<FK>::type;

/// The PrefetchSpec of one prefetch_related() argument of a QuerySet over T.
template <class T, class A>
PrefetchSpec prefetch_spec(const A& a) {
  if constexpr (is_prefetch_v<A>) {
    PrefetchSpec spec = prefetch_spec<T>(a.field);
    spec.custom = a.queryset;
    return spec;
  } else {
    static_assert(std::is_same_v<typename A::model_type, T>,
                  "prefetch_related() takes relation fields of the queryset's model (or aorm::Prefetch of one)");
    if constexpr (requires { a.target_path(); }) {
      return {a.target_path(), nullptr};
    } else {
      static_assert(is_foreign_key_v<typename A::value_type>,
                    "prefetch_related() takes many_to_many, reverse and foreign key fields");
      using FK = typename A::value_type;
      sql::Step step;
      step.kind = sql::StepKind::forward;
      step.from = model_at<T>(a.path());
      step.to = &ModelTraits<typename FK::target_type>::meta();
      step.column = a.column();
      step.nullable = FK::is_nullable;
      step.loader = erase_loader(&load_forward<typename FK::target_type, nullptr_t_or<FK>>);
      return {sql::extend(a.path(), step), nullptr};
    }
  }
}

}  // namespace detail

template <class T, class Row>
class QuerySet {
 public:
  using model_type = T;
  using row_type = Row;

  constexpr QuerySet() noexcept = default;
  explicit QuerySet(detail::StatePtr s) noexcept : state_(std::move(s)) {}

  // ---- building: each returns a new QuerySet ----------------------------------------------

  // The common builders come in two forms: on a QuerySet that is kept (const&), and on a
  // temporary (&&: `objects.filter(a).order_by(b)`), which reuses the state it alone holds
  // instead of copying it (perf). The change itself is written once (the *_change helpers).

  /// Rows matching every predicate (AND). Raises Error after a slice (as Django does).
  template <std::same_as<Predicate<T>>... P>
  QuerySet filter(const P&... preds) const& {
    return with(filter_change(false, preds...));
  }
  template <std::same_as<Predicate<T>>... P>
  QuerySet filter(const P&... preds) && {
    return std::move(*this).with(filter_change(false, preds...));
  }
  /// Rows not matching all the predicates together: NOT (p1 AND p2 ...), Django's exclude
  /// (a row where a predicate is unknown because of a NULL is kept).
  template <std::same_as<Predicate<T>>... P>
    requires(sizeof...(P) > 0)
  QuerySet exclude(const P&... preds) const& {
    return with(filter_change(true, preds...));
  }
  template <std::same_as<Predicate<T>>... P>
    requires(sizeof...(P) > 0)
  QuerySet exclude(const P&... preds) && {
    return std::move(*this).with(filter_change(true, preds...));
  }
  /// Replaces the ordering; order_by() with no terms removes it (also Meta.ordering).
  template <class... A>
  QuerySet order_by(const A&... terms) const& {
    return with(order_change(terms...));
  }
  template <class... A>
  QuerySet order_by(const A&... terms) && {
    return std::move(*this).with(order_change(terms...));
  }
  QuerySet distinct() const& { return with(distinct_change); }
  QuerySet distinct() && { return std::move(*this).with(distinct_change); }
  /// Python's qs[start:stop].
  QuerySet slice(std::int64_t start, std::int64_t stop) const& { return with(slice_change(start, stop)); }
  QuerySet slice(std::int64_t start, std::int64_t stop) && {
    return std::move(*this).with(slice_change(start, stop));
  }
  QuerySet limit(std::int64_t n) const& { return slice(0, n); }
  QuerySet limit(std::int64_t n) && { return std::move(*this).slice(0, n); }
  QuerySet offset(std::int64_t n) const& { return with(slice_change(n, std::nullopt)); }
  QuerySet offset(std::int64_t n) && { return std::move(*this).with(slice_change(n, std::nullopt)); }
  /// Loads only these columns (and the primary key); the others keep their defaults.
  template <detail::expression... F>
    requires(std::same_as<typename F::model_type, T> && ...)
  QuerySet only(const F&... fields) const {
    return with([&](detail::QueryState& s) {
      const int pk = s.query.meta->pk;
      std::vector<int> cols{pk};
      for (int c : {fields.column()...})
        if (c != pk) cols.push_back(c);
      s.query.columns = std::move(cols);
    });
  }
  /// Loads every column but these (the primary key always loads).
  template <detail::expression... F>
    requires(std::same_as<typename F::model_type, T> && ...)
  QuerySet defer(const F&... fields) const {
    return with([&](detail::QueryState& s) {
      std::vector<int> cols;
      const std::vector<int> skip{fields.column()...};
      for (int c : s.query.selected_columns())
        if (c == s.query.meta->pk || std::find(skip.begin(), skip.end(), c) == skip.end()) cols.push_back(c);
      s.query.columns = std::move(cols);
    });
  }
  /// Matches nothing; terminal methods answer without a query.
  QuerySet none() const {
    return with([](detail::QueryState& s) { s.query.where = detail::sql::constant(false); });
  }
  QuerySet all() const { return QuerySet(state_or_default()); }
  /// Runs on `db` (Django's using()).
  QuerySet on(Database db) const {
    return with([&](detail::QueryState& s) { s.db = std::move(db); });
  }
  /// Runs on the database opened under `alias`.
  QuerySet on(std::string_view alias) const {
    return with([&](detail::QueryState& s) {
      s.db.reset();
      s.alias = std::string(alias);
    });
  }
  /// Fetches the objects these foreign keys reference in the same SELECT (JOINs; LEFT
  /// OUTER for nullable keys), so that `article.author->name` needs no query. Chains load
  /// every level: select_related(Comment::f.article->author) fills comment.article and
  /// comment.article->author.
  template <class... F>
    requires(sizeof...(F) > 0 && (detail::select_related_field<F, T> && ...))
  QuerySet select_related(const F&... fields) const& {
    return with(select_related_change(fields...));
  }
  template <class... F>
    requires(sizeof...(F) > 0 && (detail::select_related_field<F, T> && ...))
  QuerySet select_related(const F&... fields) && {
    return std::move(*this).with(select_related_change(fields...));
  }
  /// Loads these relations of every fetched object with one query per relation level,
  /// after the main query (Django's prefetch_related): many_to_many and reverse fields
  /// (`Article::f.tags`, `Author::f.articles`), nested paths (`Author::f.articles->tags`;
  /// foreign keys too, inside a path or at its end: `Comment::f.article->tags`,
  /// `Article::f.comments->author`, one query per level), and aorm::Prefetch(field,
  /// queryset) to choose the related rows' filter and order.
  template <class... F>
    requires(sizeof...(F) > 0)
  QuerySet prefetch_related(const F&... fields) const& {
    return with(prefetch_change(fields...));
  }
  template <class... F>
    requires(sizeof...(F) > 0)
  QuerySet prefetch_related(const F&... fields) && {
    return std::move(*this).with(prefetch_change(fields...));
  }
  /// SELECT ... FOR UPDATE on PostgreSQL; SQLite has nothing finer than its write
  /// transactions, so there it changes nothing (like Django). On PostgreSQL, evaluating
  /// it outside a transaction raises TransactionManagementError.
  QuerySet select_for_update(ForUpdateOptions o = {}) const {
    return with([&](detail::QueryState& s) { detail::set_for_update(s.query, o.nowait, o.skip_locked, o.of); });
  }
  /// Rows as tuples of these columns/expressions: values(a, b).alist() is
  /// std::vector<std::tuple<A, B>> (a foreign key gives its id).
  template <detail::expression... E>
    requires(sizeof...(E) > 0 && (std::same_as<typename E::model_type, T> && ...))
  QuerySet<T, detail::values_row_t<T, E...>> values(const E&... cols) const {
    return QuerySet<T, detail::values_row_t<T, E...>>(project({cols.node()...}));
  }
  /// values_list(col).alist() is std::vector<Col>; with several columns, like values().
  template <detail::expression E>
    requires std::same_as<typename E::model_type, T>
  QuerySet<T, detail::column_value_t<typename E::value_type>> values_list(const E& col) const {
    return QuerySet<T, detail::column_value_t<typename E::value_type>>(project({col.node()}));
  }
  template <detail::expression E1, detail::expression E2, detail::expression... E>
    requires(std::same_as<typename E1::model_type, T>)
  auto values_list(const E1& a, const E2& b, const E&... rest) const {
    return values(a, b, rest...);
  }
  /// Appends aggregates to each row, grouped by the values() columns (or per object):
  /// values(f.status).annotate(Count(f.id)) gives std::tuple<Status, std::int64_t> rows;
  /// annotate(...) on objects gives std::tuple<T, R...>.
  template <class... R>
    requires(sizeof...(R) > 0)
  auto annotate(const Aggregate<T, R>&... aggs) const {
    using Out = decltype(std::tuple_cat(std::declval<typename detail::as_tuple<Row>::type>(),
                                        std::declval<std::tuple<R...>>()));
    return QuerySet<T, Out>(with_state([&](detail::QueryState& s) {
      (s.query.annotations.push_back(aggs.node()), ...);
    }));
  }

  // ---- terminal methods: each returns a Task that owns what it needs ----------------------

  /// The one row matching; T::DoesNotExist / T::MultipleObjectsReturned with Django's messages.
  template <std::same_as<Predicate<T>>... P>
  Task<Row> aget(const P&... preds) const {
    if constexpr (sizeof...(P) == 0)
      return detail::get<T, Row>(state_or_default());
    else
      return detail::get<T, Row>(filter(preds...).state_or_default());
  }
  /// The first row (by pk when unordered), or nullopt.
  Task<std::optional<Row>> afirst() const {
    return detail::first<T, Row>(with_state([](detail::QueryState& s) {
      if (!detail::is_ordered(s.query)) {
        s.query.order_set = true;
        s.query.order = {{detail::sql::column(s.query.meta->pk), false}};
      }
      detail::apply_slice(s.query, 0, 1);
    }));
  }
  /// The last row (by pk when unordered), or nullopt. Raises Error on a sliced query.
  Task<std::optional<Row>> alast() const {
    return detail::first<T, Row>(with_state([](detail::QueryState& s) {
      if (s.query.sliced()) detail::throw_usage("Cannot reverse a query once a slice has been taken.");
      detail::reverse_order(s.query);
      detail::apply_slice(s.query, 0, 1);
    }));
  }
  /// The latest row by `col` (descending), or by Meta.get_latest_by.
  template <detail::expression E>
    requires std::same_as<typename E::model_type, T>
  Task<Row> alatest(const E& col) const { return latest_by(col.node(), true); }
  Task<Row> alatest() const { return latest_by(nullptr, true); }
  template <detail::expression E>
    requires std::same_as<typename E::model_type, T>
  Task<Row> aearliest(const E& col) const { return latest_by(col.node(), false); }
  Task<Row> aearliest() const { return latest_by(nullptr, false); }

  /// Number of rows (of the slice, when sliced).
  Task<std::int64_t> acount() const { return detail::count(state_or_default()); }
  Task<bool> aexists() const { return detail::exists(state_or_default()); }
  /// Is `obj` (by primary key) among the rows? Raises Error for an unsaved object.
  Task<bool> acontains(const T& obj) const {
    if (ModelTraits<T>::pk(obj) == 0) detail::throw_usage("QuerySet.contains() cannot be used on unsaved objects.");
    auto s = std::make_shared<detail::QueryState>(state());
    auto is_obj = detail::sql::binary(detail::sql::Kind::compare, detail::sql::Op::eq,
                                      detail::sql::column(s->query.meta->pk), detail::sql::param(ModelTraits<T>::pk(obj)));
    if (s->query.sliced()) {
      // The slice decides which rows are in; test membership among them.
      s->query.projection = {detail::sql::column(s->query.meta->pk)};
      s->query.annotations.clear();
      return contains_pk(std::move(s), ModelTraits<T>::pk(obj));
    }
    s->query.where = detail::sql::and_(s->query.where, is_obj);
    return detail::exists(std::move(s));
  }
  Task<std::vector<Row>> alist() const { return detail::list<T, Row>(state_or_default()); }
  Task<std::vector<Row>> aall() const { return alist(); }
  /// A stream: `while (auto a = co_await s.anext()) ...`, `chunk_size` rows per fetch.
  QueryStream<T, Row> aiterator(std::size_t chunk_size = 2000) const {
    return QueryStream<T, Row>(state_or_default(), chunk_size);
  }
  /// Rows keyed by primary key, for these ids (no query for no ids).
  template <std::ranges::input_range R>
  Task<std::unordered_map<std::int64_t, T>> ain_bulk(const R& ids) const {
    const int pk = state().query.meta->pk;
    return in_bulk_on<std::int64_t>(Field<T, std::int64_t>(pk).in(ids), pk);
  }
  Task<std::unordered_map<std::int64_t, T>> ain_bulk(std::initializer_list<std::int64_t> ids) const {
    return ain_bulk(std::vector<std::int64_t>(ids));
  }
  /// Rows keyed by the (unique) column `col`, for these keys.
  template <std::ranges::input_range R, class V>
  Task<std::unordered_map<detail::column_value_t<V>, T>> ain_bulk(const R& keys, const Field<T, V>& col) const {
    return in_bulk_on<detail::column_value_t<V>>(col.in(keys), col.column());
  }

  /// Inserts `obj` and returns it with its primary key and auto_now(_add) columns set.
  Task<T> acreate(T obj) const { return create_on(state_or_default(), std::move(obj)); }
  /// (object, created): gets the row matching the lookups, or creates it from the
  /// `field == value` lookups plus aorm::defaults(...). Safe against a concurrent creator.
  template <class... A>
  Task<std::pair<T, bool>> aget_or_create(const A&... args) const {
    detail::UpsertArgs u;
    (detail::add_upsert_arg<T>(u, args), ...);
    return detail::get_or_create<T>(state_or_default(), std::move(u), false);
  }
  /// (object, created): updates the matching row with aorm::defaults(...), or creates it
  /// (with aorm::create_defaults(...) when given), in one transaction.
  template <class... A>
  Task<std::pair<T, bool>> aupdate_or_create(const A&... args) const {
    detail::UpsertArgs u;
    (detail::add_upsert_arg<T>(u, args), ...);
    return detail::update_or_create<T>(state_or_default(), std::move(u));
  }
  /// Inserts every object (multi-row INSERTs; several batches run in one transaction) and
  /// returns them with primary keys set (not with ignore_conflicts).
  Task<std::vector<T>> abulk_create(std::vector<T> objs, BulkCreateOptions<T> opts = {}) const {
    return detail::bulk_create<T>(state_or_default(), std::move(objs), opts);
  }
  /// Writes `columns` of every object (by primary key); returns the rows matched.
  Task<std::int64_t> abulk_update(std::vector<T> objs, ColumnList<T> columns, BulkUpdateOptions opts = {}) const {
    return detail::bulk_update<T>(state_or_default(), std::move(objs), columns, opts);
  }
  /// UPDATE the matching rows; returns how many matched. auto_now columns are not touched
  /// (as in Django). Raises Error on a sliced query.
  template <class... A>
    requires(sizeof...(A) > 0 && (std::same_as<A, Assignment<T>> && ...))
  Task<std::int64_t> aupdate(const A&... sets) const {
    if (state().query.sliced()) detail::throw_usage("Cannot update a query once a slice has been taken.");
    return detail::update(state_or_default(), {{sets.column, sets.value}...});
  }
  /// DELETE the matching rows (their many-to-many links first); {total, per model label}.
  Task<DeleteResult> adelete() const {
    const detail::QueryState& s = state();
    if (s.query.sliced()) detail::throw_usage("Cannot use 'limit' or 'offset' with delete().");
    if (s.query.distinct) detail::throw_usage("Cannot call delete() after .distinct().");
    if (!s.query.projection.empty()) detail::throw_usage("Cannot call delete() after .values() or .values_list()");
    return detail::remove(state_or_default());
  }
  /// One row of aggregates over the matching rows: auto [n, avg] = co_await qs.aaggregate(Count(..), Avg(..)).
  template <class... R>
    requires(sizeof...(R) > 0)
  Task<std::tuple<R...>> aaggregate(const Aggregate<T, R>&... aggs) const {
    return detail::aggregate<T, R...>(state_or_default(), {aggs.node()...});
  }
  /// The database's plan for this query (SQLite: EXPLAIN QUERY PLAN rows).
  Task<std::string> aexplain() const { return detail::explain(state_or_default()); }
  /// A raw SELECT mapped onto T: its columns must be T's columns in declaration order
  /// (`SELECT *` of the model's table is).
  template <class... P>
  Task<std::vector<T>> araw(std::string sql, const P&... params) const {
    Statement stmt{std::move(sql), {}};
    (stmt.params.push_back(aorm::to_value(params)), ...);
    return detail::raw_rows<T>(detail::resolve(state()), std::move(stmt));
  }

  /// The query description (for tests and the other parts of the runtime).
  const detail::QueryState& state() const { return *state_or_default(); }

 private:
  template <class, class>
  friend class QuerySet;

  detail::StatePtr state_or_default() const { return state_ ? state_ : detail::default_state<T>(); }

  /// A new state: a copy of this one with `change` applied.
  template <class F>
  detail::StatePtr with_state(F&& change) const {
    std::shared_ptr<detail::QueryState> s;
    if (state_) {
      s = detail::make_pooled<detail::QueryState>(*state_);
    } else {  // the default state holds nothing but the model: no copy needed
      s = detail::make_pooled<detail::QueryState>();
      s->query.meta = &ModelTraits<T>::meta();
    }
    change(*s);
    return s;
  }
  template <class F>
  QuerySet with(F&& change) const& {
    return QuerySet(with_state(std::forward<F>(change)));
  }
  /// On a temporary whose state no one else holds (no other QuerySet, task or Prefetch:
  /// use_count 1, so no other thread can reach it either), the state is changed in place;
  /// states are always made by make_shared or make_pooled<QueryState>, never const
  /// (internals.md).
  template <class F>
  QuerySet with(F&& change) && {
    if (state_ && state_.use_count() == 1) {
      change(const_cast<detail::QueryState&>(*state_));
      return QuerySet(std::move(state_));
    }
    return QuerySet(with_state(std::forward<F>(change)));
  }

  // The changes of the two-form builders.
  template <class... P>
  static auto filter_change(bool negate, const P&... preds) {
    return [negate, &preds...](detail::QueryState& s) {
      if (s.query.sliced()) detail::throw_usage("Cannot filter a query once a slice has been taken.");
      detail::NodePtr all;
      ((all = detail::sql::and_(all, preds.node())), ...);
      // Conditions of one call over a multi-valued relation apply to the same related row.
      if (detail::sql::has_path(all, true)) all = detail::sql::scope(std::move(all), ++s.query.scopes);
      s.query.where = detail::sql::and_(s.query.where, negate ? detail::sql::not_(all) : std::move(all));
    };
  }
  template <class... A>
  static auto order_change(const A&... terms) {
    return [&terms...](detail::QueryState& s) {
      s.query.order_set = true;
      s.query.order = {detail::order_term<T>(terms)...};
    };
  }
  static void distinct_change(detail::QueryState& s) { s.query.distinct = true; }
  static auto slice_change(std::int64_t start, std::optional<std::int64_t> stop) {
    return [start, stop](detail::QueryState& s) { detail::apply_slice(s.query, start, stop); };
  }
  template <class... F>
  static auto select_related_change(const F&... fields) {
    return [&fields...](detail::QueryState& s) { (detail::select_join(s.query, fields), ...); };
  }
  template <class... F>
  static auto prefetch_change(const F&... fields) {
    return [&fields...](detail::QueryState& s) { (s.prefetch.push_back(detail::prefetch_spec<T>(fields)), ...); };
  }
  detail::StatePtr project(std::vector<detail::NodePtr> nodes) const {
    return with_state([&](detail::QueryState& s) { s.query.projection = std::move(nodes); });
  }

  Task<Row> latest_by(detail::NodePtr col, bool latest) const {
    auto s = std::make_shared<detail::QueryState>(state());
    if (s->query.sliced()) detail::throw_usage("Cannot change a query once a slice has been taken.");
    bool desc = false;
    if (!col) {
      const ModelMeta& m = *s->query.meta;
      if (m.get_latest_by < 0)
        detail::throw_usage("earliest() and latest() require either fields as positional arguments or 'get_latest_by' in the model's Meta.");
      col = detail::sql::column(m.get_latest_by);
      desc = m.get_latest_by_desc;
    }
    s->query.order_set = true;
    s->query.order = {{std::move(col), latest != desc}};
    detail::apply_slice(s->query, 0, 1);
    return detail::get<T, Row>(std::move(s));
  }

  template <class K>
  Task<std::unordered_map<K, T>> in_bulk_on(const Predicate<T>& p, int key_column) const {
    auto s = std::make_shared<detail::QueryState>(state());
    s->query.where = detail::sql::and_(s->query.where, p.node());
    s->query.projection.clear();
    s->query.annotations.clear();
    s->query.columns.clear();
    return detail::in_bulk<T, K>(std::move(s), key_column);
  }

  static Task<bool> contains_pk(detail::StatePtr s, std::int64_t pk) {
    std::vector<std::int64_t> pks = co_await detail::list<T, std::int64_t>(std::move(s));
    co_return std::find(pks.begin(), pks.end(), pk) != pks.end();
  }

  static Task<T> create_on(detail::StatePtr s, T obj) {
    co_await detail::insert_object(obj, detail::resolve(*s));
    co_return obj;
  }

  detail::StatePtr state_;  // null: every row of T (the Manager's state)
};

/// `Article::objects`: a QuerySet over every row (constant-initialised, stateless).
template <class T>
class Manager : public QuerySet<T> {
 public:
  constexpr Manager() noexcept = default;
};

namespace detail {

/// Model.save() (generated `asave()`): INSERT when the pk is 0, else UPDATE (INSERT when
/// no row has that pk). Runs on the "default" database. `obj` must outlive the task.
template <class T>
Task<void> save(T& obj) {
  co_await save_on(obj, database("default"));
}

/// Model.delete() (generated `adelete()`): deletes the row and its many-to-many links and
/// resets the pk to 0. Raises Error for an unsaved object.
template <class T>
Task<DeleteResult> remove(T& obj) {
  const ModelMeta& m = ModelTraits<T>::meta();
  if (ModelTraits<T>::pk(obj) == 0)
    throw_usage(std::string(m.name) + " object can't be deleted because its " +
                std::string(m.columns[static_cast<std::size_t>(m.pk)].name) + " attribute is set to None.");
  DeleteResult r = co_await Manager<T>().filter(Predicate<T>(sql::binary(
      sql::Kind::compare, sql::Op::eq, sql::column(m.pk), sql::param(ModelTraits<T>::pk(obj))))).adelete();
  ModelTraits<T>::pk(obj) = 0;
  co_return r;
}

/// Model.refresh_from_db() (generated `arefresh_from_db()`): reloads every column;
/// T::DoesNotExist when the row is gone.
template <class T>
Task<void> refresh(T& obj) {
  const ModelMeta& m = ModelTraits<T>::meta();
  obj = co_await Manager<T>().aget(Predicate<T>(sql::binary(
      sql::Kind::compare, sql::Op::eq, sql::column(m.pk), sql::param(ModelTraits<T>::pk(obj)))));
}

}  // namespace detail
// ---- relations: loaders for prefetch_related, related managers, ForeignKey::aload ----------

namespace detail {

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

Database default_database();
/// The link rows of a many_to_many relation from one owner: `near` is the owner's column.
struct LinkSide {
  const ManyToManyMeta* link = nullptr;
  bool reverse = false;  // the owner is the link's target side
};
/// aorm::through_defaults(...) with its model erased: `model` null when none was given.
struct ThroughValues {
  const ModelMeta* model = nullptr;
  std::vector<std::pair<int, NodePtr>> sets;
};
/// Adds the missing links to `targets`. A link of a `through` model is a row of that model:
/// its other columns get `through`'s values, else their defaults (Error when `through`
/// names another model or a value that is not a constant).
Task<void> link_add(LinkSide side, std::int64_t owner, std::vector<std::int64_t> targets, ThroughValues through);
/// Removes the links to `targets` (every link of the owner when nullopt).
Task<void> link_remove(LinkSide side, std::int64_t owner, std::optional<std::vector<std::int64_t>> targets);
/// Links exactly `targets`: removes the others, adds the missing ones (as link_add).
Task<void> link_set(LinkSide side, std::int64_t owner, std::vector<std::int64_t> targets, ThroughValues through);
/// UPDATE m SET key = value WHERE pk IN pks [AND key = only_if] (pks empty: no pk condition).
Task<void> set_key(const ModelMeta& m, std::vector<Value> pks, bool all, int key, Value value,
                   std::optional<Value> only_if);
/// Points `pks` at `owner` and, when `nullable`, every other row of the owner at NULL.
Task<void> set_related(const ModelMeta& m, int key, std::int64_t owner, std::vector<Value> pks, bool nullable);

template <class M>
ThroughValues through_values(const ThroughDefaults<M>& d) {
  return {&ModelTraits<M>::meta(), d.sets};
}

/// A primary key from an object or an id.
template <class T, class A>
std::int64_t key_of(const A& a) {
  if constexpr (std::integral<std::remove_cvref_t<A>>) {
    return static_cast<std::int64_t>(a);
  } else {
    static_assert(std::is_same_v<std::remove_cvref_t<A>, T>, "pass related objects or their primary keys");
    if (ModelTraits<T>::pk(a) == 0) throw_usage(std::string(ModelTraits<T>::meta().name) +
                                                " instance isn't saved. Save the object first.");
    return ModelTraits<T>::pk(a);
  }
}

template <class Owner, class T>
LinkSide link_side(const ManyToMany<Owner, T>& set) {
  const ModelMeta& m = set.reverse() ? ModelTraits<T>::meta() : ModelTraits<Owner>::meta();
  return {&m.many_to_many[static_cast<std::size_t>(set.relation())], set.reverse()};
}

template <class T>
Task<T> create_and_link(T obj, LinkSide side, std::int64_t owner, ThroughValues through) {
  T created = co_await Manager<T>().acreate(std::move(obj));
  std::vector<std::int64_t> key{ModelTraits<T>::pk(created)};  // named: g++ 12, braced lists in co_await
  co_await link_add(side, owner, std::move(key), std::move(through));
  co_return created;
}

/// Sorts one aadd() argument: a related object or key into `keys`, through_defaults into
/// `through`.
template <class T, class A>
void link_argument(const A& a, std::vector<std::int64_t>& keys, ThroughValues& through) {
  if constexpr (std::is_same_v<A, T> || std::integral<A>) {
    keys.push_back(key_of<T>(a));
  } else {
    through = through_values(a);
  }
}

}  // namespace detail

template <class T>
std::int64_t LoadedSet<T>::require_owner() const {
  if (owner_ == 0 || relation_ < 0)
    detail::throw_usage("the object that owns this related set needs a primary key value (save it) before the relationship can be used");
  return owner_;
}

template <class Owner, class T>
QuerySet<T, T> ManyToMany<Owner, T>::all() const {
  const std::int64_t owner = this->require_owner();
  detail::sql::Step back;
  back.kind = this->reverse() ? detail::sql::StepKind::m2m : detail::sql::StepKind::m2m_reverse;
  back.from = &ModelTraits<T>::meta();
  back.to = &ModelTraits<Owner>::meta();
  back.m2m = this->relation();
  return Manager<T>().filter(Predicate<T>(detail::sql::binary(
      detail::sql::Kind::compare, detail::sql::Op::eq,
      detail::sql::column(back.to->pk, detail::sql::extend(nullptr, back)), detail::sql::param(owner))));
}
template <class Owner, class T>
template <class... A>
Task<void> ManyToMany<Owner, T>::aadd(const A&... objs) const {
  static_assert((0 + ... + (std::integral<A> || std::is_same_v<A, T> ? 0 : 1)) <= 1,
                "aadd() takes related objects or keys and at most one aorm::through_defaults(...)");
  std::vector<std::int64_t> keys;
  detail::ThroughValues through;
  (detail::link_argument<T>(objs, keys, through), ...);
  return detail::link_add(detail::link_side(*this), this->require_owner(), std::move(keys), std::move(through));
}
template <class Owner, class T>
template <class... A>
Task<void> ManyToMany<Owner, T>::aremove(const A&... objs) const {
  return detail::link_remove(detail::link_side(*this), this->require_owner(),
                             std::vector<std::int64_t>{detail::key_of<T>(objs)...});
}
template <class Owner, class T>
template <class R>
Task<void> ManyToMany<Owner, T>::aset(const R& objs) const {
  std::vector<std::int64_t> keys;
  for (const auto& o : objs) keys.push_back(detail::key_of<T>(o));
  return detail::link_set(detail::link_side(*this), this->require_owner(), std::move(keys), {});
}
template <class Owner, class T>
template <class R, class M>
Task<void> ManyToMany<Owner, T>::aset(const R& objs, const ThroughDefaults<M>& through) const {
  std::vector<std::int64_t> keys;
  for (const auto& o : objs) keys.push_back(detail::key_of<T>(o));
  return detail::link_set(detail::link_side(*this), this->require_owner(), std::move(keys),
                          detail::through_values(through));
}
template <class Owner, class T>
Task<void> ManyToMany<Owner, T>::aclear() const {
  return detail::link_remove(detail::link_side(*this), this->require_owner(), std::nullopt);
}
template <class Owner, class T>
Task<T> ManyToMany<Owner, T>::acreate(T obj) const {
  return detail::create_and_link(std::move(obj), detail::link_side(*this), this->require_owner(), {});
}
template <class Owner, class T>
template <class M>
Task<T> ManyToMany<Owner, T>::acreate(T obj, const ThroughDefaults<M>& through) const {
  return detail::create_and_link(std::move(obj), detail::link_side(*this), this->require_owner(),
                                 detail::through_values(through));
}

template <class T>
QuerySet<T, T> RelatedSet<T>::all() const {
  const std::int64_t owner = this->require_owner();
  return Manager<T>().filter(Predicate<T>(detail::sql::binary(detail::sql::Kind::compare, detail::sql::Op::eq,
                                                              detail::sql::column(this->relation()),
                                                              detail::sql::param(owner))));
}
template <class T>
template <class... A>
Task<void> RelatedSet<T>::aadd(A&&... objs) const {
  const std::int64_t owner = this->require_owner();
  const int key = this->relation();
  auto one = [&](auto&& o) {
    using O = std::remove_cvref_t<decltype(o)>;
    const std::int64_t pk = detail::key_of<T>(o);
    if constexpr (std::is_same_v<O, T> && !std::is_const_v<std::remove_reference_t<decltype(o)>>)
      detail::assign(o, key, Value(owner));  // the caller's object follows the row
    return Value(pk);
  };
  return detail::set_key(ModelTraits<T>::meta(), {one(objs)...}, false, key, Value(owner), std::nullopt);
}
template <class T>
template <class... A>
Task<void> RelatedSet<T>::aremove(A&&... objs) const {
  const std::int64_t owner = this->require_owner();
  const int key = this->relation();
  if (!ModelTraits<T>::meta().columns[static_cast<std::size_t>(key)].nullable)
    detail::throw_usage("aremove() needs a nullable foreign key (the rows cannot exist without their owner)");
  auto one = [&](auto&& o) {
    using O = std::remove_cvref_t<decltype(o)>;
    const std::int64_t pk = detail::key_of<T>(o);
    if constexpr (std::is_same_v<O, T> && !std::is_const_v<std::remove_reference_t<decltype(o)>>)
      detail::assign(o, key, Value(nullptr));
    return Value(pk);
  };
  return detail::set_key(ModelTraits<T>::meta(), {one(objs)...}, false, key, Value(nullptr), Value(owner));
}
template <class T>
template <class R>
Task<void> RelatedSet<T>::aset(const R& objs) const {
  std::vector<Value> pks;
  for (const auto& o : objs) pks.emplace_back(detail::key_of<T>(o));
  const int key = this->relation();
  return detail::set_related(ModelTraits<T>::meta(), key, this->require_owner(), std::move(pks),
                             ModelTraits<T>::meta().columns[static_cast<std::size_t>(key)].nullable);
}
template <class T>
Task<void> RelatedSet<T>::aclear() const {
  const int key = this->relation();
  if (!ModelTraits<T>::meta().columns[static_cast<std::size_t>(key)].nullable)
    detail::throw_usage("aclear() needs a nullable foreign key (the rows cannot exist without their owner)");
  return detail::set_key(ModelTraits<T>::meta(), {}, true, key, Value(nullptr), Value(this->require_owner()));
}
template <class T>
Task<T> RelatedSet<T>::acreate(T obj) const {
  detail::assign(obj, this->relation(), Value(this->require_owner()));
  return Manager<T>().acreate(std::move(obj));
}

template <class T>
Task<T&> RelatedObject<T>::aload() {
  if (owner_ == 0 || key_ < 0)
    detail::throw_usage("the object that owns this related object needs a primary key value (save it) before the relationship can be used");
  std::vector<T> rows = co_await Manager<T>()
                            .filter(Predicate<T>(detail::sql::binary(detail::sql::Kind::compare, detail::sql::Op::eq,
                                                                     detail::sql::column(key_),
                                                                     detail::sql::param(owner_))))
                            .alist();
  if (rows.empty()) {
    set_loaded(std::nullopt);
    throw typename T::DoesNotExist(missing_message());
  }
  set_loaded(std::move(rows.front()));
  co_return *obj_;
}

template <class T, class N>
Task<T&> ForeignKey<T, N>::aload() {
  std::int64_t id = 0;
  if constexpr (is_nullable) {
    if (!id_) detail::throw_usage("aload() on a null foreign key to " + std::string(ModelTraits<T>::meta().name));
    id = *id_;
  } else {
    id = id_;
  }
  const ModelMeta& m = ModelTraits<T>::meta();
  T obj = co_await Manager<T>().aget(Predicate<T>(detail::sql::binary(
      detail::sql::Kind::compare, detail::sql::Op::eq, detail::sql::column(m.pk), detail::sql::param(id))));
  set_loaded(std::move(obj));
  co_return *obj_;
}

}  // namespace aorm
