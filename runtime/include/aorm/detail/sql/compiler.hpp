// aorm/detail/sql/compiler.hpp — turns a query description plus ModelMeta into SQL text and
// bound parameters for one dialect.
//
// Identifiers are always quoted; every value is a parameter (`?` for sqlite, `$n` for
// postgres). The compiler is plain code over ModelMeta: it never names a model type, and
// it asks the dialect's sql::Ops (dialect.hpp) for every spelling instead of branching on
// a dialect. Its parts: runtime/src/query/sql/ (writer.hpp says which file holds what).
//
// SQLite needs two SQL functions that it does not have built in; the SQLite backend
// registers them on every connection (runtime/backends/sqlite/functions.hpp):
//   aorm_lower(x)        Unicode-aware lower case of a text value (NULL for NULL); used by
//                        the i-lookups so that they fold non-ASCII letters too.
//   regexp(pattern, x)   what `x REGEXP pattern` calls: 1 when std::regex (ECMAScript)
//                        finds `pattern` in `x`, else 0; NULL when either is NULL. A pattern
//                        starting with "(?i)" is matched case-insensitively (icase) without
//                        those four characters (used by iregex).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "aorm/detail/sql/node.hpp"
#include "aorm/meta.hpp"
#include "aorm/value.hpp"

namespace aorm::detail::sql {

/// One ORDER BY term.
struct OrderTerm {
  NodePtr expr;
  bool desc = false;
};

/// select_for_update() options.
struct ForUpdate {
  bool enabled = false;
  bool nowait = false;
  bool skip_locked = false;
  std::vector<int> of;  // FOR UPDATE OF: -1 the model's table, else a select_related key
                        // column of the model (its join's table)
};

/// select_related(): a foreign key whose target row is fetched in the same SELECT, or the
/// reverse side of a one_to_one (`reverse`: the `target` row whose key `column` references
/// the parent's primary key; always a LEFT OUTER JOIN).
struct Join {
  int column = 0;                  // the foreign key column of the query's model (or of
                                   // joins[parent]'s target); reverse: of `target`
  const ModelMeta* target = nullptr;
  bool nullable = false;           // LEFT OUTER JOIN when the key (or a parent's) may be NULL
  int parent = -1;                 // -1: a key of the query's model; else a nested join
  bool reverse = false;
  int slot = -1;                   // reverse: the relation slot of the parent's model
};

/// Query::join_offsets() key of a reverse one-to-one join (negative, unlike a key column's
/// result index): the result index of the owner's primary key and the owner's relation
/// slot the object goes to. Slots are below 256.
constexpr int reverse_join_key(int pk_index, int slot) noexcept { return -1 - (pk_index * 256 + slot); }
constexpr int reverse_join_pk_index(int key) noexcept { return (-1 - key) / 256; }
constexpr int reverse_join_slot(int key) noexcept { return (-1 - key) % 256; }

/// Everything a SELECT over one model needs. Copied (cheaply: nodes are shared) by each
/// QuerySet builder call.
struct Query {
  const ModelMeta* meta = nullptr;
  NodePtr where;                       // null: every row
  bool order_set = false;              // order_by() was called (with no terms: unordered)
  std::vector<OrderTerm> order;        // used when order_set; else meta->ordering
  bool distinct = false;
  std::int64_t offset = 0;
  std::optional<std::int64_t> limit;   // none: no LIMIT
  std::vector<int> columns;            // only()/defer(): model columns selected; empty: all
  std::vector<NodePtr> projection;     // values(): expressions selected instead of the model
  std::vector<NodePtr> annotations;    // annotate(): aggregates appended, grouped by the
                                       // projection (or by the primary key without one)
  std::vector<Join> joins;             // select_related(): target columns follow the model's
  std::vector<NodePtr> extra;          // selected after all of those (prefetch: the owner key)
  ForUpdate for_update;
  int scopes = 0;                      // filter()/exclude() calls so far (sql::scope ids)

  bool sliced() const noexcept { return offset != 0 || limit.has_value(); }
  /// True when the WHERE is provably false: no statement needs to run.
  bool never() const noexcept { return is_false(where); }
  /// Model columns a row query selects, in select order.
  std::vector<int> selected_columns() const;
  /// The ORDER BY terms in effect (explicit, else Meta.ordering).
  std::vector<OrderTerm> effective_order() const;
  /// For each select_related join whose key column is selected: (result index of the key
  /// column, result index of the target's first column); for a reverse one-to-one join
  /// (reverse_join_key(result index of the owner's primary key, slot), the same).
  std::vector<std::pair<int, int>> join_offsets() const;
};

/// INSERT options (abulk_create).
struct InsertOptions {
  bool ignore_conflicts = false;
  bool update_conflicts = false;
  std::vector<int> unique_columns;  // ON CONFLICT (...) target
  std::vector<int> update_columns;  // DO UPDATE SET c = excluded.c
  bool returning_pk = true;
};

/// `a IN (SELECT pk FROM sub's model WHERE sub's condition)`: rows referencing the rows of
/// another query (how deletes reach related rows). Only sub.meta and sub.where are used;
/// relation paths in sub.where join inside the subquery.
NodePtr in_query(NodePtr a, std::shared_ptr<const Query> sub);

/// SELECT of the rows (model columns, or projection + annotations).
Statement select(const Query& q, Dialect d);
/// SELECT COUNT(*) — over a subquery when sliced or distinct.
Statement count(const Query& q, Dialect d);
/// SELECT 1 ... LIMIT 1.
Statement exists(const Query& q, Dialect d);
/// SELECT agg1, agg2, ... over the query's rows (a subquery when sliced or distinct).
Statement aggregate(const Query& q, std::span<const NodePtr> aggregates, Dialect d);
/// UPDATE table SET col = expr, ... WHERE ...
Statement update(const Query& q, std::span<const std::pair<int, NodePtr>> sets, Dialect d);
/// DELETE FROM table WHERE ...
Statement remove(const Query& q, Dialect d);
/// DELETE FROM link_table WHERE link_column IN (SELECT pk ... WHERE ...): the link rows of
/// a many-to-many table that point at the query's rows.
Statement remove_links(const Query& q, std::string_view link_table, std::string_view link_column, Dialect d);
/// One owner's side of a many-to-many link table: `near` holds the owner's key, `far` the
/// other side's.
struct LinkColumns {
  std::string_view table, near, far;
};
/// SELECT far FROM table WHERE near = owner: the keys linked to `owner`.
Statement link_select(const LinkColumns& link, std::int64_t owner, Dialect d);
/// INSERT INTO table (near, far) VALUES (owner, target), ...: one row per target (not empty).
Statement link_insert(const LinkColumns& link, std::int64_t owner, std::span<const std::int64_t> targets, Dialect d);
/// DELETE FROM table WHERE near = owner [AND far IN (targets...)]: the owner's links to
/// `targets` (not empty), or all of them when `targets` is null.
Statement link_delete(const LinkColumns& link, std::int64_t owner, const std::vector<std::int64_t>* targets,
                      Dialect d);
/// INSERT INTO table (columns) VALUES (...), ... [ON CONFLICT ...] [RETURNING pk];
/// `values` holds `rows` × `columns.size()` values, row by row.
Statement insert(const ModelMeta& m, std::span<const int> columns, std::vector<Value> values,
                 std::size_t rows, const InsertOptions& opts, Dialect d);
/// UPDATE table SET c = CASE WHEN pk = ? THEN ? ... END, ... WHERE pk IN (...), like
/// Django's bulk_update. `values[r * columns.size() + k]` is row r's value of columns[k].
Statement bulk_update(const ModelMeta& m, std::span<const int> columns,
                      std::span<const Value> pks, std::span<const Value> values, Dialect d);
/// EXPLAIN QUERY PLAN (sqlite) / EXPLAIN (postgres) of select(q).
Statement explain(const Query& q, Dialect d);

// ---- compiled-SQL cache (what the QuerySet terminal methods use) --------------------------
//
// Queries of one *shape* — the same form, dialect, models, columns, joins, ordering, slice
// presence and expression tree, differing only in parameter values — share one compiled SQL
// text and parameter layout; a later query of that shape only collects its values. The shape
// covers everything the SQL text depends on: each parameter's type (NULL-ness decides
// `NOT COALESCE`), IN-list lengths (up to `array_in_min` values), whether a SQLite text lookup
// holds a NUL byte, and which value nodes are shared inside one tree. The cache is per
// thread (no locking) and bounded; it keys on ModelMeta and Path addresses, so use it only
// for metas of static storage (ModelTraits<T>::meta()). A statement whose parameters the
// compiler cannot trace to the query (a bind it does not know) is compiled, not cached.

/// The statement kinds that go through the cache.
enum class Form : std::uint8_t { select, count, exists };

/// Where one bound parameter of a cached statement comes from.
struct Slot {
  enum Kind : std::uint8_t {
    value,         // node's value
    element,       // node's values[index]
    array,         // node's values as one array parameter (long IN lists)
    like,          // node's text as a LIKE/GLOB pattern (index: bit 0 leading, bit 1 trailing wildcard)
    regex_icase,   // "(?i)" + node's text
    limit,         // the query's LIMIT
    offset,        // the query's OFFSET
  };
  Kind kind = value;
  std::uint32_t node = 0;   // ordinal of the value node in the shape's traversal
  std::uint32_t index = 0;
};

/// What every query of one shape shares.
struct Shape {
  std::string sql;
  std::size_t sql_hash = 0;                 // std::hash of sql (Statement::sql_hash)
  std::vector<Slot> slots;
  std::vector<int> columns;                 // Query::selected_columns() (Form::select)
  std::vector<std::pair<int, int>> joined;  // Query::join_offsets() (Form::select)
};

struct Compiled {
  Statement statement;
  std::shared_ptr<const Shape> shape;
};

/// select()/count()/exists() of `q` through the per-thread cache: the same Statement those
/// give, plus the shape's result layout.
Compiled compile(Form form, const Query& q, Dialect d);

/// Cache counters of the calling thread (tests).
struct CacheStats {
  std::uint64_t hits = 0, misses = 0, uncacheable = 0;
  std::size_t entries = 0;
};
CacheStats cache_stats() noexcept;
/// Empties the calling thread's cache.
void clear_cache() noexcept;

/// IN lists with at least this many values, all integers, compile to one array parameter
/// (`IN (SELECT value FROM json_each(?))` on SQLite, `= ANY($n)` on PostgreSQL), so that
/// their statement is prepared once whatever the length.
inline constexpr std::size_t array_in_min = 16;

/// `"name"` with embedded quotes doubled.
std::string quote(std::string_view identifier);

}  // namespace aorm::detail::sql
