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

#include <cstddef>
#include <cstdint>
#include <initializer_list>
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
#include "aorm/detail/query/delete.hpp"
#include "aorm/detail/query/prefetch.hpp"
#include "aorm/detail/query/read.hpp"
#include "aorm/detail/query/rows.hpp"
#include "aorm/detail/query/state.hpp"
#include "aorm/detail/query/stream.hpp"
#include "aorm/detail/query/upsert.hpp"
#include "aorm/detail/query/write.hpp"
#include "aorm/detail/registry.hpp"
#include "aorm/errors.hpp"
#include "aorm/expr.hpp"
#include "aorm/meta.hpp"
#include "aorm/query_options.hpp"
#include "aorm/task.hpp"
#include "aorm/types.hpp"
#include "aorm/value.hpp"

namespace aorm {

template <class T, class Row = T>
class QuerySet;

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
  // Anything else (a reverse foreign key, a many-to-many field, another model's field) stops
  // here with one line that names the fix.
  AORM_DETAIL_DELETED_BEGIN
  template <class... F>
    requires(sizeof...(F) > 0 && !(detail::select_related_field<F, T> && ...))
  QuerySet select_related(const F&...) const& = AORM_DETAIL_DELETED(AORM_DETAIL_NOT_SELECT_RELATED);
  template <class... F>
    requires(sizeof...(F) > 0 && !(detail::select_related_field<F, T> && ...))
  QuerySet select_related(const F&...) && = AORM_DETAIL_DELETED(AORM_DETAIL_NOT_SELECT_RELATED);
  AORM_DETAIL_DELETED_END
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
    auto is_obj = detail::sql::equals(detail::sql::column(s->query.meta->pk), ModelTraits<T>::pk(obj));
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

}  // namespace aorm

// Defined after QuerySet and Manager, which they use.
#include "aorm/detail/query/instance.hpp"
#include "aorm/detail/query/prefetch_loaders.hpp"
#include "aorm/detail/query/related.hpp"
