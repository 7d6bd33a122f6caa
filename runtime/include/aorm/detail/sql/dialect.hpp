// aorm/detail/sql/dialect.hpp — the one home of dialect knowledge (Django's
// `connection.ops` / `connection.features`, sqlpp11's serializer per connector). The SQL
// compiler (runtime/src/query/sql), transactions and table creation (src/db/database.cpp)
// and the batching of writes (src/query/write.cpp) ask `sql::ops(dialect)` for a spelling
// or a feature; nobody else compares a Dialect. Defined in runtime/src/db/dialect.cpp
// (aorm_db, so that both the db and the query parts can ask).
//
//   const sql::Ops& ops = sql::ops(db.dialect());
//   ops.placeholder(sql, 3);                 // appends "?" (sqlite) or "$3" (postgres)
//   ops.begin(Isolation::serializable);      // "BEGIN IMMEDIATE" / "BEGIN ISOLATION LEVEL SERIALIZABLE"
//
// Contract: every answer is a constant of the dialect (no state, no allocation except
// where a std::string is returned); adding a dialect means one more Ops object in
// dialect.cpp, and nothing else in the compiler changes. Not included by any header that
// user code includes.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "aorm/database.hpp"
#include "aorm/detail/sql/node.hpp"
#include "aorm/meta.hpp"
#include "aorm/value.hpp"

namespace aorm::detail::sql {

/// Text written before and after an operand (an EXTRACT, say).
struct Wrap {
  std::string_view before, after;
};

/// What one dialect says. Spellings are data members; what needs the operand or a value
/// is a member function.
struct Ops {
  Dialect dialect;

  // ---- placeholders and literals ---------------------------------------------------------
  /// Whether placeholders carry their 1-based number (`$n`); else `?`.
  bool numbered_placeholders;
  /// Appends the placeholder of parameter `n` (1-based, in text order) to `out`.
  void placeholder(std::string& out, std::size_t n) const;
  /// The placeholder of parameter `n` as a string.
  std::string placeholder(std::size_t n) const;
  /// The boolean literals ("1"/"0" on SQLite, "TRUE"/"FALSE" on PostgreSQL).
  std::string_view true_literal, false_literal;
  std::string_view boolean(bool v) const noexcept { return v ? true_literal : false_literal; }

  // ---- parameter limits ------------------------------------------------------------------
  /// Most parameters one statement may bind: SQLite's SQLITE_MAX_VARIABLE_NUMBER (3.32+),
  /// PostgreSQL's protocol limit.
  std::size_t max_params;

  // ---- transactions ----------------------------------------------------------------------
  /// The statement that begins a transaction of `isolation` (SQLite: BEGIN IMMEDIATE,
  /// serializable whatever is asked; PostgreSQL: BEGIN [ISOLATION LEVEL ...]).
  std::string begin(Isolation isolation) const;

  // ---- function spellings ----------------------------------------------------------------
  /// The lower-case function, up to its opening parenthesis ("aorm_lower(" on SQLite, which
  /// the SQLite backend registers; "LOWER(").
  std::string_view lower;
  /// How op(a) is written for a date part `part` (year..minute, date): integer results.
  Wrap extract(Op part) const;
  /// The native aggregate for stddev/variance (`op`), population or `sample`; empty when
  /// the dialect has none (the compiler then computes it from sums).
  std::string_view variance_function(Op op, bool sample) const;
  /// `a IN <array parameter>` for long integer IN lists: the text around the parameter.
  Wrap array_in;
  /// The array parameter of such a list (a JSON array for json_each, an array literal for = ANY).
  Value array_param(const std::vector<Value>& values) const;

  // ---- text lookups ----------------------------------------------------------------------
  /// The case-sensitive pattern operator (" GLOB " / " LIKE ").
  std::string_view like_operator;
  /// The case-insensitive one, or empty: then both sides are folded with `lower`.
  std::string_view ilike_operator;
  /// A pattern for text `s` matching itself, with a leading and/or trailing wildcard.
  std::string like_pattern(std::string_view s, bool lead, bool trail) const;
  /// The regular-expression operators (" REGEXP " / " ~ ", " ~* "). An empty `iregex_operator`
  /// means: use `regex_operator` with the pattern prefixed by "(?i)".
  std::string_view regex_operator, iregex_operator;
  /// Whether text patterns stop at a NUL byte (SQLite's GLOB/LIKE): such values are
  /// compared as bytes instead.
  bool patterns_stop_at_nul;

  // ---- clauses ---------------------------------------------------------------------------
  /// Written for an OFFSET without a LIMIT (SQLite needs " LIMIT -1"; else empty).
  std::string_view offset_without_limit;
  /// Whether SELECT ... FOR UPDATE locks rows (PostgreSQL). Without, select_for_update()
  /// writes nothing: SQLite's write transactions already exclude other writers.
  bool row_locks;
  /// Upsert syntax: the prefix naming the proposed row in ON CONFLICT DO UPDATE SET.
  std::string_view excluded;
  /// Whether a CASE whose branches are all parameters needs `ELSE column` to get the
  /// column's type (PostgreSQL types it as text otherwise).
  bool case_needs_column_else;
  /// The prefix of the plan of a SELECT ("EXPLAIN QUERY PLAN " / "EXPLAIN ").
  std::string_view explain;

  // ---- DDL -------------------------------------------------------------------------------
  /// The CREATE statements of `app` for this dialect (generated for each).
  std::span<const std::string_view> ddl(const App& app) const noexcept;
};

/// The Ops of `d`.
const Ops& ops(Dialect d) noexcept;

}  // namespace aorm::detail::sql
