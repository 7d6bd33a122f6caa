// aorm/detail/sql/node.hpp — the expression tree the typed front end (expr.hpp) builds and
// the SQL compiler (compiler.hpp) reads.
//
// Nodes are immutable and shared: combining two expressions makes a new node pointing at
// the old ones, so a QuerySet copy never copies a tree. Nothing here is a template: the
// typed layer only checks types and calls these factories.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "aorm/value.hpp"

namespace aorm::detail::sql {

/// What a node is. The operands used by each kind are listed beside it.
enum class Kind : std::uint8_t {
  column,     // `column` of the query's model
  param,      // `value`, always sent as a bound parameter
  constant,   // TRUE when `flag`, else FALSE (folded away wherever possible)
  arith,      // a op b, op in add..div
  compare,    // a op b, op in eq..ge
  pattern,    // a op value, op in iexact..iregex (the compiler builds the pattern)
  in,         // a IN (values); never empty (an empty list folds to FALSE)
  range,      // a BETWEEN b AND c (inclusive, like Django's __range)
  isnull,     // a IS NULL when `flag`, else a IS NOT NULL
  extract,    // op(a), op in year..date
  and_,       // a AND b
  or_,        // a OR b
  not_,       // NOT a, with Django's null semantics (a row where a is NULL is kept)
  aggregate,  // op(a) [FILTER (WHERE b)]; `flag`: DISTINCT (count) or sample (stddev/variance)
  count_all,  // COUNT(*)
  random,     // a random number (order_by(aorm::random()))
  in_query,   // a IN (SELECT pk FROM query's model WHERE query's condition); see compiler.hpp
};

enum class Op : std::uint8_t {
  none,
  add, sub, mul, div,
  eq, ne, lt, le, gt, ge,
  iexact, contains, icontains, startswith, istartswith, endswith, iendswith, regex, iregex,
  year, month, day, week_day, hour, minute, date,
  count, sum, avg, min, max, stddev, variance,
};

struct Node;
using NodePtr = std::shared_ptr<const Node>;
struct Query;  // compiler.hpp

struct Node {
  Kind kind = Kind::constant;
  Op op = Op::none;
  bool flag = false;
  int column = -1;
  Value value;                // param, pattern
  std::vector<Value> values;  // in
  NodePtr a, b, c;
  std::shared_ptr<const Query> query;  // in_query
};

// ---- factories (runtime/src/query/node.cpp) ---------------------------------------------
// The boolean combinators fold constants: and_(FALSE, x) is FALSE, or_(FALSE, x) is x,
// not_(TRUE) is FALSE; a null NodePtr stands for "no condition" (TRUE) in and_/or_.

NodePtr column(int index);
NodePtr param(Value v);
NodePtr constant(bool v);
NodePtr binary(Kind kind, Op op, NodePtr a, NodePtr b);
NodePtr pattern(Op op, NodePtr a, Value v);
/// `values` empty → FALSE.
NodePtr in(NodePtr a, std::vector<Value> values);
NodePtr range(NodePtr a, NodePtr lo, NodePtr hi);
NodePtr isnull(NodePtr a, bool is_null);
NodePtr extract(Op part, NodePtr a);
NodePtr and_(NodePtr a, NodePtr b);
NodePtr or_(NodePtr a, NodePtr b);
NodePtr not_(NodePtr a);
NodePtr aggregate(Op fn, NodePtr arg, NodePtr filter, bool flag);
NodePtr count_all();
NodePtr random();

/// True when `n` is the FALSE constant (the whole condition can never hold).
bool is_false(const NodePtr& n) noexcept;

/// When `n` is `column == value` (as built by Field == v), sets `column` and `value` and
/// returns true. Used by aget_or_create to turn lookups into initial values.
bool as_column_equals(const NodePtr& n, int& column, Value& value);

}  // namespace aorm::detail::sql
