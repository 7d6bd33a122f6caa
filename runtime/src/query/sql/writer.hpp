// The SQL compiler's Writer (private to runtime/src/query/sql): one statement's text and
// bound parameters, written front to back, so that postgres `$n` placeholders are numbered
// in text order even when a statement nests a subquery.
//
// The Writer's parts live one concept per file: writer.cpp (the Writer itself: binding,
// recording the parameter layout for the shape cache, expression text), joins.cpp (join
// planning: relation paths, select_related joins, FROM), clauses.cpp (WHERE/HAVING, GROUP
// BY, ORDER BY, LIMIT/OFFSET, the select list, a whole SELECT body); statements.cpp builds
// the statements of compiler.hpp from them, shape_cache.cpp caches their text per shape.
//
// Contract: a Writer is used for one statement and then finish()ed; it never reads a
// Query after the call that was given it; from_node()/from_query() must announce every
// bind() while recording, or the statement is marked uncacheable.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aorm/detail/sql/compiler.hpp"
#include "aorm/detail/sql/dialect.hpp"

namespace aorm::detail::sql {

// An IN list long enough (and all integers) to be bound as one array parameter
// (Ops::array_in, Ops::array_param).
bool array_in(const Node& n);

// One join that a relation path in a condition, an ordering, values() or an aggregate
// needs. Joins of one (sub)query form a JoinSet; `parent` indexes the same set.
struct LookupJoin {
  const Path* path = nullptr;
  int scope = 0;  // the filter() call whose conditions use it (0: shared)
  int parent = -1;
  bool left = false;  // LEFT OUTER JOIN (else INNER)
  bool target = true;  // many-to-many: the far table is joined (else only the link table)
  std::string alias, link_alias;
};
struct JoinSet {
  std::string letter;  // alias prefix: "J" for the statement, "U", "V"... for subqueries
  std::vector<LookupJoin> joins;
};

class Writer {
 public:
  Writer(const ModelMeta& m, Dialect d) : meta_(&m), ops_(&ops(d)), prefix_(quote(m.table)) {
    sets_.push_back({"J", {}});
  }
  // A Writer for a table without a model (a many-to-many link table): no table(), col()
  // or expressions over columns; text and bind() only.
  explicit Writer(Dialect d) : meta_(nullptr), ops_(&ops(d)) { sets_.push_back({"J", {}}); }

  Statement finish() && { return Statement{std::move(sql_), std::move(params_)}; }

  Writer& operator<<(std::string_view s) {
    sql_ += s;
    return *this;
  }

  // ---- recording the parameter layout (compile()) ----------------------------------------
  // Each bind() is announced by from_node()/from_query(); a bind that was not makes the
  // statement uncacheable.

  void record(const std::vector<const Node*>* nodes) { nodes_ = nodes; }
  bool cacheable() const noexcept { return cacheable_; }
  std::vector<Slot> take_slots() && { return std::move(slots_); }
  std::string_view text() const noexcept { return sql_; }
  const Ops& dialect_ops() const noexcept { return *ops_; }
  const std::vector<Value>& params() const noexcept { return params_; }

  void from_node(const Node& n, Slot::Kind kind, std::uint32_t index = 0);
  void from_query(Slot::Kind kind) {
    if (nodes_) pending_ = Slot{kind, 0, 0};
  }

  void bind(Value v);

  void table() { sql_ += quote(meta_->table); }
  // A column as `"table"."column"` (or `"subquery"."column"` while prefix_ says so).
  void col(int i) {
    sql_ += prefix_;
    sql_ += '.';
    sql_ += quote(column_name(i));
  }
  std::string_view column_name(int i) const { return meta_->columns[static_cast<std::size_t>(i)].column; }
  void set_prefix(std::string p) { prefix_ = std::move(p); }

  // ---- relation paths -----------------------------------------------------------------
  // Single-valued steps (forward keys) share one join per path; a multi-valued path gets
  // one join per filter() call (its scope), like Django: conditions inside one filter()
  // apply to the same related row, separate calls may match different rows. Orderings,
  // values() and aggregates (scope 0) reuse the first join of their path.

  // The index in the current JoinSet of the join for `p` in `scope` (made when missing).
  int resolve(const Path* p, int scope);

  // Join trimming (as Django's trim_joins): the key of a many-to-many's far model is the
  // link table's far column, so a path that reads only that key does not join the far table.
  static bool many_to_many(const Step& s) noexcept {
    return s.kind == StepKind::m2m || s.kind == StepKind::m2m_reverse;
  }
  static bool link_key(const Node& n) noexcept { return many_to_many(n.path->step) && n.column == n.path->step.to->pk; }
  // The link table's column that holds the far model's key.
  static std::string_view far_column(const Step& s);

  // Makes the joins every relation path under `n` needs (not those of subqueries).
  void collect(const NodePtr& n, int scope);

  // Outer-join simplification: a top-level AND term of the WHERE that cannot hold when a
  // joined column is NULL (a comparison, IN, BETWEEN or text lookup on the column itself)
  // drops every row that the LEFT OUTER JOIN of the column's path adds, so that join and its
  // parents can be INNER. Same rows; but the planner may then start from the condition (a
  // prefetch's `IN` over the far side of a many-to-many) instead of scanning the table.
  void inner_joins(const NodePtr& n, int scope);

  // Collects the joins of everything a SELECT over `q` writes (the condition first, so that
  // orderings and aggregates reuse its joins).
  void prepare(const Query& q, std::span<const NodePtr> extra = {});

  // `parent_ref.column` of the model a join starts from.
  std::string ref(int parent) const {
    return parent < 0 ? prefix_ : sets_.back().joins[static_cast<std::size_t>(parent)].alias;
  }
  static std::string pk_column(const ModelMeta& m) {
    return quote(m.columns[static_cast<std::size_t>(m.pk)].column);
  }

  // The JOIN clauses of the current JoinSet.
  void lookup_joins();

  // A column reached through a relation path.
  void path_col(const Node& n);

  // FROM table [select_related joins] [lookup joins]; collects the joins of `q` first.
  void from(const Query& q, bool with_related);

  // True when `n` may evaluate to NULL (so NOT n needs Django's null handling).
  bool may_be_null(const NodePtr& n) const;

  void lower(const NodePtr& a);

  void expr(const NodePtr& np);

  void pattern(const Node& n);

  // SQLite's GLOB and LIKE stop reading at a NUL byte: a value holding one is compared as
  // bytes instead (instr / substr over BLOBs), folded by aorm_lower for the i-variants.
  void nul_pattern(const Node& n, const std::string& v);

  void extract(const Node& n);

  // FN([DISTINCT ]arg) [FILTER (WHERE filter)]; `arg` writes the argument.
  template <class Arg>
  void call(std::string_view fn, const Node& n, Arg&& arg) {
    *this << fn << "(";
    if (n.op == Op::count && n.flag) *this << "DISTINCT ";
    arg();
    *this << ")";
    if (n.b) {
      *this << " FILTER (WHERE ";
      expr(n.b);
      *this << ")";
    }
  }
  void call(std::string_view fn, const Node& n) {
    call(fn, n, [&] { expr(n.a); });
  }

  void aggregate(const Node& n);

  // Splits a condition into its top-level AND terms (with the scope each is in), the
  // ones with an aggregate (HAVING) apart from the others (WHERE).
  using Terms = std::vector<std::pair<NodePtr, int>>;
  static void split(const NodePtr& n, int scope, Terms& plain, Terms& aggregated);
  void terms(std::string_view keyword, const Terms& ts);

  // WHERE (and, for conditions on aggregates, GROUP BY pk when there is no other grouping
  // and HAVING, when `grouped` says the caller writes the GROUP BY itself).
  void where(const Query& q);
  void having(const Query& q);

  // LIMIT and OFFSET are parameters, so that every page of a query is one statement.
  void limits(const Query& q);

  void order(const Query& q);

  // The select list of a row query.
  void select_list(const Query& q);

  template <class Sep>
  void write_annotations(const Query& q, Sep& sep) {
    for (std::size_t i = 0; i < q.annotations.size(); ++i) {
      sep();
      expr(q.annotations[i]);
      *this << " AS " << quote("a" + std::to_string(i));
    }
  }

  // SELECT ... FROM table WHERE ... GROUP BY ... [ORDER BY ...] [LIMIT/OFFSET] [FOR UPDATE]
  void select_body(const Query& q, bool with_order);

  static std::string join_alias(std::size_t j) { return quote("T" + std::to_string(j + 2)); }

  // select_related: INNER JOIN for a required key, LEFT OUTER JOIN for a nullable one.
  void joins(const Query& q);

  bool needs_subquery(const Query& q) const {
    return q.sliced() || q.distinct || !q.annotations.empty() || has_aggregate(q.where);
  }

 private:
  const ModelMeta* meta_;
  const Ops* ops_;  // what the dialect says (dialect.hpp); the Writer never compares dialects
  std::string prefix_;
  std::string sql_;
  std::vector<Value> params_;
  std::vector<JoinSet> sets_;  // the statement's joins, then those of open subqueries
  int scope_ = 0;              // the filter() call whose condition is being written
  const std::vector<const Node*>* nodes_ = nullptr;  // recording: the shape's value nodes
  std::optional<Slot> pending_;
  std::vector<Slot> slots_;
  bool cacheable_ = true;
};

// Writes the text of a cached statement form (statements.cpp): what select(), count() and
// exists() write.
void write(Writer& w, Form form, const Query& q);

}  // namespace aorm::detail::sql
