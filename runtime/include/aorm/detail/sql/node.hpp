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

#include "aorm/meta.hpp"
#include "aorm/value.hpp"

namespace aorm {
template <class T>
class Task;  // task.hpp
namespace detail {
/// One level of a prefetch_related path being loaded (detail/query/prefetch.hpp).
struct PrefetchCall;
/// What a relation step's loader is: a typed routine of detail/query/prefetch_loaders.hpp,
/// instantiated for the step's models by the relation field that made the step.
using PrefetchLoader = Task<void> (*)(PrefetchCall&);
}  // namespace detail
}  // namespace aorm

namespace aorm::detail::sql {

/// How one step of a relation path goes from one model to the next.
enum class StepKind : std::uint8_t {
  forward,      // a foreign key of `from` (column `column`) to `to`
  reverse,      // the rows of `to` whose foreign key `column` references `from`
  m2m,          // `from`'s many_to_many[m2m] to `to`
  m2m_reverse,  // `to`'s many_to_many[m2m] seen from its target `from`
};

struct Step {
  StepKind kind = StepKind::forward;
  const ModelMeta* from = nullptr;
  const ModelMeta* to = nullptr;
  int column = -1;  // forward: key column of `from`; reverse: key column of `to`
  int m2m = -1;     // m2m: index in from->many_to_many; m2m_reverse: in to->many_to_many
  bool nullable = false;  // forward: the key may be NULL
  // For prefetch_related (set by the typed relation fields; not part of the identity):
  int slot = -1;               // which relation set of `from` the step fills
  PrefetchLoader loader = nullptr;
};

/// A relation path from a query's model (`Comment::f.article->author` is Comment→article→
/// author). Paths are interned: equal paths are the same pointer, and they live for the
/// whole program (so Field can hold one and stay a constant).
struct Path {
  const Path* parent = nullptr;  // null: the step starts at the query's model
  Step step;
  bool multi = false;  // some step (this one or a parent) may match several rows
  int depth = 1;
};

/// The interned path `parent` + `step`.
const Path* extend(const Path* parent, const Step& step);
/// The model a column reached through `p` belongs to (`root` when p is null).
inline const ModelMeta* path_model(const Path* p, const ModelMeta* root) noexcept {
  return p ? p->step.to : root;
}

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
  scope,      // a, the conditions of one filter() call (`column`: its number). Conditions
              // over a multi-valued relation inside one scope use the same related row.
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
  const Path* path = nullptr;  // column: reached through these relations (null: own column)
  Value value;                // param, pattern
  std::vector<Value> values;  // in
  NodePtr a, b, c;
  std::shared_ptr<const Query> query;  // in_query
};

// ---- factories (runtime/src/query/node.cpp) ---------------------------------------------
// The boolean combinators fold constants: and_(FALSE, x) is FALSE, or_(FALSE, x) is x,
// not_(TRUE) is FALSE; a null NodePtr stands for "no condition" (TRUE) in and_/or_.

NodePtr column(int index, const Path* path = nullptr);
/// The conditions of one filter()/exclude() call, numbered `id` (> 0).
NodePtr scope(NodePtr a, int id);
/// Does `n` read a column through a relation path (a multi-valued one when `multi_only`)?
bool has_path(const NodePtr& n, bool multi_only = false) noexcept;
/// Does `n` contain an aggregate?
bool has_aggregate(const NodePtr& n) noexcept;
NodePtr param(Value v);
NodePtr constant(bool v);
NodePtr binary(Kind kind, Op op, NodePtr a, NodePtr b);
/// `column = value` (value a bound parameter): how the runtime selects rows by a key (a
/// primary key, an owner's key). The node Field == value builds for a non-NULL value.
NodePtr equals(NodePtr column, Value value);
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
