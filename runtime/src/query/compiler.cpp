// The SQL compiler (detail/sql/compiler.hpp): Query + ModelMeta + Dialect → Statement.
//
// One Writer builds one statement front to back, so postgres `$n` placeholders are numbered
// in text order even when a statement nests a subquery.
//
// compile() caches the text per query shape: a ShapeKey walk of the query writes everything
// the text depends on into a byte string and lists the value nodes (param, pattern, in) in
// walk order; on a miss the Writer records, for each parameter it binds, which of those
// nodes (and which transformation) it came from — the shape's Slots — and a later query of
// the same key rebuilds its parameters from the Slots alone.
#include "aorm/detail/sql/compiler.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

#include "aorm/errors.hpp"
#include <string>

namespace aorm::detail::sql {

std::string quote(std::string_view identifier) {
  std::string out;
  out.reserve(identifier.size() + 2);
  out += '"';
  for (char c : identifier) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::vector<int> Query::selected_columns() const {
  std::vector<int> out;
  if (!columns.empty()) return columns;
  out.reserve(meta->columns.size());
  for (std::size_t i = 0; i < meta->columns.size(); ++i) out.push_back(static_cast<int>(i));
  return out;
}

std::vector<OrderTerm> Query::effective_order() const {
  if (order_set) return order;
  std::vector<OrderTerm> out;
  for (const OrderMeta& o : meta->ordering) out.push_back({column(o.column), o.desc});
  return out;
}

std::vector<std::pair<int, int>> Query::join_offsets() const {
  std::vector<std::pair<int, int>> out;
  if (!projection.empty()) return out;
  const std::vector<int> cols = selected_columns();
  int at = static_cast<int>(cols.size() + annotations.size());  // select_list(): annotations first
  std::vector<int> starts;  // where each join's target columns start
  for (const Join& j : joins) {
    if (j.reverse) {  // keyed by the owner's primary key
      int pk = -1;
      if (j.parent < 0) {
        const auto key = std::find(cols.begin(), cols.end(), meta->pk);
        if (key != cols.end()) pk = static_cast<int>(key - cols.begin());
      } else {
        pk = starts[static_cast<std::size_t>(j.parent)] + joins[static_cast<std::size_t>(j.parent)].target->pk;
      }
      if (pk >= 0) out.emplace_back(reverse_join_key(pk, j.slot), at);
    } else if (j.parent < 0) {
      const auto key = std::find(cols.begin(), cols.end(), j.column);
      if (key != cols.end()) out.emplace_back(static_cast<int>(key - cols.begin()), at);
    } else {
      out.emplace_back(starts[static_cast<std::size_t>(j.parent)] + j.column, at);
    }
    starts.push_back(at);
    at += static_cast<int>(j.target->columns.size());
  }
  return out;
}

namespace {

// Escapes GLOB metacharacters so that `s` matches itself: * ? [ become [*] [?] [[].
std::string glob_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '*' || c == '?' || c == '[') {
      out += '[';
      out += c;
      out += ']';
    } else {
      out += c;
    }
  }
  return out;
}

// Escapes LIKE metacharacters for PostgreSQL's default escape character (backslash).
std::string like_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// An IN list long enough (and all integers) to be bound as one array parameter.
bool array_in(const Node& n) {
  if (n.values.size() < array_in_min) return false;
  return std::all_of(n.values.begin(), n.values.end(),
                     [](const Value& v) { return std::holds_alternative<std::int64_t>(v); });
}

// The array parameter of an array_in() list: a JSON array for SQLite's json_each, an array
// literal for PostgreSQL's = ANY.
Value array_param(const std::vector<Value>& values, Dialect d) {
  std::string out(1, d == Dialect::sqlite ? '[' : '{');
  out.reserve(values.size() * 8);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(std::get<std::int64_t>(values[i]));
  }
  out += d == Dialect::sqlite ? ']' : '}';
  return out;
}

// A LIKE (PostgreSQL) / GLOB (SQLite) pattern for text `s`, with a leading and/or trailing
// wildcard.
std::string like_pattern(std::string_view s, bool lead, bool trail, Dialect d) {
  const bool sqlite = d == Dialect::sqlite;
  std::string p;
  if (lead) p += sqlite ? '*' : '%';
  p += sqlite ? glob_escape(s) : like_escape(s);
  if (trail) p += sqlite ? '*' : '%';
  return p;
}

const char* sql_operator(Op op) {
  switch (op) {
    case Op::add: return " + ";
    case Op::sub: return " - ";
    case Op::mul: return " * ";
    case Op::div: return " / ";
    case Op::eq: return " = ";
    case Op::ne: return " <> ";
    case Op::lt: return " < ";
    case Op::le: return " <= ";
    case Op::gt: return " > ";
    case Op::ge: return " >= ";
    default: throw std::logic_error("aorm: not a binary operator");
  }
}

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
  Writer(const ModelMeta& m, Dialect d) : meta_(&m), d_(d), prefix_(quote(m.table)) {
    sets_.push_back({"J", {}});
  }

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
  const std::vector<Value>& params() const noexcept { return params_; }

  void from_node(const Node& n, Slot::Kind kind, std::uint32_t index = 0) {
    if (!nodes_) return;
    const auto it = std::find(nodes_->begin(), nodes_->end(), &n);
    if (it == nodes_->end()) {
      pending_.reset();
      return;
    }
    pending_ = Slot{kind, static_cast<std::uint32_t>(it - nodes_->begin()), index};
  }
  void from_query(Slot::Kind kind) {
    if (nodes_) pending_ = Slot{kind, 0, 0};
  }

  void bind(Value v) {
    if (nodes_) {
      if (pending_) slots_.push_back(*pending_);
      else cacheable_ = false;
      pending_.reset();
    }
    params_.push_back(std::move(v));
    if (d_ == Dialect::sqlite) {
      sql_ += '?';
    } else {
      sql_ += '$';
      sql_ += std::to_string(params_.size());
    }
  }

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
  int resolve(const Path* p, int scope) {
    const int parent = p->parent ? resolve(p->parent, scope) : -1;
    const int eff = p->multi ? scope : 0;
    std::vector<LookupJoin>& joins = sets_.back().joins;
    for (std::size_t i = 0; i < joins.size(); ++i)
      if (joins[i].path == p && (eff == 0 || joins[i].scope == eff)) return static_cast<int>(i);
    LookupJoin j;
    j.path = p;
    j.scope = eff;
    j.parent = parent;
    j.left = (parent >= 0 && joins[static_cast<std::size_t>(parent)].left) ||
             p->step.kind != StepKind::forward || p->step.nullable;
    j.target = !many_to_many(p->step);  // until a column other than its key is read
    if (parent >= 0) joins[static_cast<std::size_t>(parent)].target = true;
    const std::string name = sets_.back().letter + std::to_string(joins.size() + 1);
    j.alias = quote(name);
    j.link_alias = quote(name + "L");
    joins.push_back(std::move(j));
    return static_cast<int>(joins.size() - 1);
  }

  // Join trimming (as Django's trim_joins): the key of a many-to-many's far model is the
  // link table's far column, so a path that reads only that key does not join the far table.
  static bool many_to_many(const Step& s) noexcept {
    return s.kind == StepKind::m2m || s.kind == StepKind::m2m_reverse;
  }
  static bool link_key(const Node& n) noexcept { return many_to_many(n.path->step) && n.column == n.path->step.to->pk; }
  // The link table's column that holds the far model's key.
  static std::string_view far_column(const Step& s) {
    const bool fwd = s.kind == StepKind::m2m;
    const ManyToManyMeta& link = (fwd ? s.from : s.to)->many_to_many[static_cast<std::size_t>(s.m2m)];
    return fwd ? link.target_column : link.source_column;
  }

  // Makes the joins every relation path under `n` needs (not those of subqueries).
  void collect(const NodePtr& n, int scope) {
    if (!n) return;
    switch (n->kind) {
      case Kind::column:
        if (n->path) {
          const int j = resolve(n->path, scope);
          if (!link_key(*n)) sets_.back().joins[static_cast<std::size_t>(j)].target = true;
        }
        return;
      case Kind::scope: collect(n->a, n->column); return;
      case Kind::in_query: collect(n->a, scope); return;
      case Kind::not_:
        if (has_path(n->a, true)) return;  // written as a subquery with its own joins
        break;
      default: break;
    }
    collect(n->a, scope);
    collect(n->b, scope);
    collect(n->c, scope);
  }

  // Outer-join simplification: a top-level AND term of the WHERE that cannot hold when a
  // joined column is NULL (a comparison, IN, BETWEEN or text lookup on the column itself)
  // drops every row that the LEFT OUTER JOIN of the column's path adds, so that join and its
  // parents can be INNER. Same rows; but the planner may then start from the condition (a
  // prefetch's `IN` over the far side of a many-to-many) instead of scanning the table.
  void inner_joins(const NodePtr& n, int scope) {
    if (!n) return;
    switch (n->kind) {
      case Kind::and_:
        inner_joins(n->a, scope);
        inner_joins(n->b, scope);
        return;
      case Kind::scope: inner_joins(n->a, n->column); return;
      case Kind::compare:
      case Kind::in:
      case Kind::range:
      case Kind::pattern:
        if (has_aggregate(n)) return;  // a HAVING term
        for (const NodePtr* op : {&n->a, &n->b, &n->c}) {
          if (!*op || (*op)->kind != Kind::column || !(*op)->path) continue;
          std::vector<LookupJoin>& joins = sets_.back().joins;
          for (int j = resolve((*op)->path, scope); j >= 0; j = joins[static_cast<std::size_t>(j)].parent)
            joins[static_cast<std::size_t>(j)].left = false;
        }
        return;
      default: return;  // OR, NOT, IS NULL, ...: a NULL-extended row may match
    }
  }

  // Collects the joins of everything a SELECT over `q` writes (the condition first, so that
  // orderings and aggregates reuse its joins).
  void prepare(const Query& q, std::span<const NodePtr> extra = {}) {
    collect(q.where, 0);
    inner_joins(q.where, 0);
    for (const NodePtr& n : q.projection) collect(n, 0);
    for (const NodePtr& n : q.annotations) collect(n, 0);
    for (const NodePtr& n : extra) collect(n, 0);
    for (const NodePtr& n : q.extra) collect(n, 0);
    if (q.projection.empty() || !q.annotations.empty())
      for (const OrderTerm& t : q.effective_order()) collect(t.expr, 0);
  }

  // `parent_ref.column` of the model a join starts from.
  std::string ref(int parent) const {
    return parent < 0 ? prefix_ : sets_.back().joins[static_cast<std::size_t>(parent)].alias;
  }
  static std::string pk_column(const ModelMeta& m) {
    return quote(m.columns[static_cast<std::size_t>(m.pk)].column);
  }

  // The JOIN clauses of the current JoinSet.
  void lookup_joins() {
    for (const LookupJoin& j : sets_.back().joins) {
      const Step& s = j.path->step;
      const std::string from = ref(j.parent);
      const char* kind = j.left ? " LEFT OUTER JOIN " : " INNER JOIN ";
      switch (s.kind) {
        case StepKind::forward:
          *this << kind << quote(s.to->table) << " " << j.alias << " ON (" << from << "."
                << quote(s.from->columns[static_cast<std::size_t>(s.column)].column) << " = " << j.alias
                << "." << pk_column(*s.to) << ")";
          break;
        case StepKind::reverse:
          *this << kind << quote(s.to->table) << " " << j.alias << " ON (" << from << "." << pk_column(*s.from)
                << " = " << j.alias << "." << quote(s.to->columns[static_cast<std::size_t>(s.column)].column)
                << ")";
          break;
        case StepKind::m2m:
        case StepKind::m2m_reverse: {
          const bool fwd = s.kind == StepKind::m2m;
          const ManyToManyMeta& link = (fwd ? s.from : s.to)->many_to_many[static_cast<std::size_t>(s.m2m)];
          const std::string_view near = fwd ? link.source_column : link.target_column;
          const std::string_view far = fwd ? link.target_column : link.source_column;
          *this << kind << quote(link.table) << " " << j.link_alias << " ON (" << from << "."
                << pk_column(*s.from) << " = " << j.link_alias << "." << quote(near) << ")";
          if (!j.target) break;
          *this << kind << quote(s.to->table) << " " << j.alias << " ON (" << j.link_alias << "."
                << quote(far) << " = " << j.alias << "." << pk_column(*s.to) << ")";
          break;
        }
      }
    }
  }

  // A column reached through a relation path.
  void path_col(const Node& n) {
    const LookupJoin& j = sets_.back().joins[static_cast<std::size_t>(resolve(n.path, scope_))];
    if (!j.target && link_key(n)) {
      *this << j.link_alias << "." << quote(far_column(n.path->step));
      return;
    }
    *this << j.alias << "." << quote(n.path->step.to->columns[static_cast<std::size_t>(n.column)].column);
  }

  // FROM table [select_related joins] [lookup joins]; collects the joins of `q` first.
  void from(const Query& q, bool with_related) {
    *this << " FROM ";
    table();
    if (with_related) joins(q);
    lookup_joins();
  }

  // True when `n` may evaluate to NULL (so NOT n needs Django's null handling).
  bool may_be_null(const NodePtr& n) const {
    if (!n) return false;
    switch (n->kind) {
      case Kind::column:
        return n->path != nullptr || meta_->columns[static_cast<std::size_t>(n->column)].nullable;
      case Kind::param: return std::holds_alternative<std::nullptr_t>(n->value);
      case Kind::constant:
      case Kind::isnull:
      case Kind::not_:
      case Kind::count_all:
      case Kind::random: return false;
      case Kind::aggregate: return n->op != Op::count;
      default: return may_be_null(n->a) || may_be_null(n->b) || may_be_null(n->c);
    }
  }

  void lower(const NodePtr& a) {
    *this << (d_ == Dialect::sqlite ? "aorm_lower(" : "LOWER(");
    expr(a);
    *this << ")";
  }

  void expr(const NodePtr& np) {
    const Node& n = *np;
    switch (n.kind) {
      case Kind::column:
        if (n.path) path_col(n);
        else col(n.column);
        return;
      case Kind::scope: {
        const int outer = scope_;
        scope_ = n.column;
        expr(n.a);
        scope_ = outer;
        return;
      }
      case Kind::param:
        from_node(n, Slot::value);
        bind(n.value);
        return;
      case Kind::constant:
        *this << (d_ == Dialect::sqlite ? (n.flag ? "1" : "0") : (n.flag ? "TRUE" : "FALSE"));
        return;
      case Kind::arith:
      case Kind::compare:
        *this << "(";
        expr(n.a);
        *this << sql_operator(n.op);
        expr(n.b);
        *this << ")";
        return;
      case Kind::pattern: pattern(n); return;
      case Kind::in:
        *this << "(";
        expr(n.a);
        if (array_in(n)) {
          // One parameter whatever the length: the statement is prepared once.
          *this << (d_ == Dialect::sqlite ? " IN (SELECT value FROM json_each(" : " = ANY(");
          from_node(n, Slot::array);
          bind(array_param(n.values, d_));
          *this << (d_ == Dialect::sqlite ? ")))" : "))");
          return;
        }
        *this << " IN (";
        for (std::size_t i = 0; i < n.values.size(); ++i) {
          if (i) *this << ", ";
          from_node(n, Slot::element, static_cast<std::uint32_t>(i));
          bind(n.values[i]);
        }
        *this << "))";
        return;
      case Kind::range:
        *this << "(";
        expr(n.a);
        *this << " BETWEEN ";
        expr(n.b);
        *this << " AND ";
        expr(n.c);
        *this << ")";
        return;
      case Kind::isnull:
        *this << "(";
        expr(n.a);
        *this << (n.flag ? " IS NULL)" : " IS NOT NULL)");
        return;
      case Kind::extract: extract(n); return;
      case Kind::and_:
      case Kind::or_:
        *this << "(";
        expr(n.a);
        *this << (n.kind == Kind::and_ ? " AND " : " OR ");
        expr(n.b);
        *this << ")";
        return;
      case Kind::not_:
        if (has_path(n.a, true)) {
          // Django's exclude() over a multi-valued relation: not any related row matches,
          // pk NOT IN (the rows that have a matching related row).
          *this << "NOT (";
          col(meta_->pk);
          *this << " IN (SELECT ";
          sets_.push_back({std::string(1, static_cast<char>('U' + (sets_.size() - 1) % 5)), {}});
          collect(n.a, scope_);
          col(meta_->pk);
          *this << " FROM ";
          table();
          lookup_joins();
          if (has_aggregate(n.a)) {  // exclude(Count(...) >= 1): the rows whose groups match
            *this << " GROUP BY ";
            col(meta_->pk);
            *this << " HAVING ";
          } else {
            *this << " WHERE ";
          }
          expr(n.a);
          sets_.pop_back();
          *this << "))";
          return;
        }
        // Django's negation: a row where the condition is unknown (NULL) counts as not
        // matching it, so NOT keeps it: exclude(x == 1) keeps rows where x IS NULL.
        if (may_be_null(n.a)) {
          *this << "NOT COALESCE(";
          expr(n.a);
          *this << (d_ == Dialect::sqlite ? ", 0)" : ", FALSE)");
        } else {
          *this << "NOT ";
          expr(n.a);
        }
        return;
      case Kind::aggregate: aggregate(n); return;
      case Kind::count_all: *this << "COUNT(*)"; return;
      case Kind::random: *this << "RANDOM()"; return;
      case Kind::in_query: {
        *this << "(";
        expr(n.a);
        *this << " IN (";
        // The subquery's columns belong to its own model: switch model and prefix.
        const ModelMeta* outer = meta_;
        std::string outer_prefix = std::move(prefix_);
        meta_ = n.query->meta;
        prefix_ = quote(meta_->table);
        sets_.push_back({std::string(1, static_cast<char>('U' + (sets_.size() - 1) % 5)), {}});
        collect(n.query->where, 0);
        *this << "SELECT ";
        col(meta_->pk);
        *this << " FROM ";
        table();
        lookup_joins();
        where(*n.query);
        if (has_aggregate(n.query->where)) {  // the rows whose aggregates pass: one group per row
          *this << " GROUP BY ";
          col(meta_->pk);
          having(*n.query);
        }
        sets_.pop_back();
        meta_ = outer;
        prefix_ = std::move(outer_prefix);
        *this << "))";
        return;
      }
    }
  }

  void pattern(const Node& n) {
    const std::string* s = std::get_if<std::string>(&n.value);
    if (!s) throw std::logic_error("aorm: a text lookup needs a text value");
    const bool sqlite = d_ == Dialect::sqlite;
    auto like = [&](bool lead, bool trail, bool fold) {
      std::string p = like_pattern(*s, lead, trail, d_);
      const auto shape = static_cast<std::uint32_t>((lead ? 1 : 0) | (trail ? 2 : 0));
      *this << "(";
      if (sqlite) {
        // GLOB is case-sensitive (LIKE is not, in SQLite); folding both sides gives the
        // i-variants. Lowering the pattern keeps its [*] escapes intact.
        if (fold) lower(n.a); else expr(n.a);
        *this << " GLOB ";
        if (fold) {
          *this << "aorm_lower(";
          from_node(n, Slot::like, shape);
          bind(std::move(p));
          *this << ")";
        } else {
          from_node(n, Slot::like, shape);
          bind(std::move(p));
        }
      } else {
        expr(n.a);
        *this << (fold ? " ILIKE " : " LIKE ");
        from_node(n, Slot::like, shape);
        bind(std::move(p));
      }
      *this << ")";
    };
    if (sqlite && s->find('\0') != std::string::npos && n.op >= Op::contains && n.op <= Op::iendswith) {
      nul_pattern(n, *s);
      return;
    }
    switch (n.op) {
      case Op::iexact:
        *this << "(";
        lower(n.a);
        *this << " = ";
        *this << (sqlite ? "aorm_lower(" : "LOWER(");
        from_node(n, Slot::value);
        bind(*s);
        *this << "))";
        return;
      case Op::contains: like(true, true, false); return;
      case Op::icontains: like(true, true, true); return;
      case Op::startswith: like(false, true, false); return;
      case Op::istartswith: like(false, true, true); return;
      case Op::endswith: like(true, false, false); return;
      case Op::iendswith: like(true, false, true); return;
      case Op::regex:
      case Op::iregex:
        *this << "(";
        expr(n.a);
        if (sqlite) {
          *this << " REGEXP ";
          from_node(n, n.op == Op::iregex ? Slot::regex_icase : Slot::value);
          bind(n.op == Op::iregex ? "(?i)" + *s : *s);
        } else {
          *this << (n.op == Op::iregex ? " ~* " : " ~ ");
          from_node(n, Slot::value);
          bind(*s);
        }
        *this << ")";
        return;
      default: throw std::logic_error("aorm: not a text lookup");
    }
  }

  // SQLite's GLOB and LIKE stop reading at a NUL byte: a value holding one is compared as
  // bytes instead (instr / substr over BLOBs), folded by aorm_lower for the i-variants.
  void nul_pattern(const Node& n, const std::string& v) {
    const bool fold = n.op == Op::icontains || n.op == Op::istartswith || n.op == Op::iendswith;
    auto subject = [&] {
      *this << "CAST(";
      if (fold) lower(n.a); else expr(n.a);
      *this << " AS BLOB)";
    };
    auto value = [&] {
      *this << (fold ? "CAST(aorm_lower(" : "CAST(");
      from_node(n, Slot::value);
      bind(v);
      *this << (fold ? ") AS BLOB)" : " AS BLOB)");
    };
    *this << "(";
    if (n.op == Op::contains || n.op == Op::icontains) {
      *this << "instr(";
      subject();
      *this << ", ";
      value();
      *this << ") > 0";
    } else {
      const bool start = n.op == Op::startswith || n.op == Op::istartswith;
      *this << "substr(";
      subject();
      *this << (start ? ", 1, length(" : ", -length(");
      value();
      *this << ")) = ";
      value();
    }
    *this << ")";
  }

  void extract(const Node& n) {
    if (d_ == Dialect::sqlite) {
      if (n.op == Op::date) {
        *this << "date(";
        expr(n.a);
        *this << ")";
        return;
      }
      const char* fmt = n.op == Op::year ? "%Y" : n.op == Op::month ? "%m" : n.op == Op::day ? "%d"
                      : n.op == Op::week_day ? "%w" : n.op == Op::hour ? "%H" : "%M";
      if (n.op == Op::week_day) *this << "(";
      *this << "CAST(strftime('" << fmt << "', ";
      expr(n.a);
      *this << ") AS INTEGER)";
      if (n.op == Op::week_day) *this << " + 1)";  // Django: 1 = Sunday ... 7 = Saturday
      return;
    }
    if (n.op == Op::date) {
      *this << "CAST(";
      expr(n.a);
      *this << " AS date)";
      return;
    }
    const char* part = n.op == Op::year ? "YEAR" : n.op == Op::month ? "MONTH" : n.op == Op::day ? "DAY"
                     : n.op == Op::week_day ? "DOW" : n.op == Op::hour ? "HOUR" : "MINUTE";
    if (n.op == Op::week_day) *this << "(";
    *this << "CAST(EXTRACT(" << part << " FROM ";
    expr(n.a);
    *this << ") AS integer)";
    if (n.op == Op::week_day) *this << " + 1)";
  }

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

  void aggregate(const Node& n) {
    switch (n.op) {
      case Op::count: call("COUNT", n); return;
      case Op::sum: call("SUM", n); return;
      case Op::avg: call("AVG", n); return;
      case Op::min: call("MIN", n); return;
      case Op::max: call("MAX", n); return;
      case Op::stddev:
      case Op::variance: break;
      default: throw std::logic_error("aorm: not an aggregate");
    }
    const bool sample = n.flag;
    if (d_ == Dialect::postgres) {
      call(n.op == Op::stddev ? (sample ? "STDDEV_SAMP" : "STDDEV_POP")
                              : (sample ? "VAR_SAMP" : "VAR_POP"),
           n);
      return;
    }
    // SQLite has no variance aggregate: (Σx² − (Σx)²/n) / (n or n − 1). A division by
    // zero is NULL in SQLite, which is what an undefined sample variance should be.
    auto real = [&] {
      *this << "CAST(";
      expr(n.a);
      *this << " AS REAL)";
    };
    if (n.op == Op::stddev) *this << "sqrt(max(0.0, ";
    *this << "((";
    call("SUM", n, [&] {
      real();
      *this << " * ";
      real();
    });
    *this << " - ";
    call("SUM", n, real);
    *this << " * ";
    call("SUM", n, real);
    *this << " / ";
    call("COUNT", n);
    *this << ") / (";
    call("COUNT", n);
    *this << (sample ? " - 1))" : "))");
    if (n.op == Op::stddev) *this << "))";
  }

  // Splits a condition into its top-level AND terms (with the scope each is in), the
  // ones with an aggregate (HAVING) apart from the others (WHERE).
  using Terms = std::vector<std::pair<NodePtr, int>>;
  static void split(const NodePtr& n, int scope, Terms& plain, Terms& aggregated) {
    if (!n || (n->kind == Kind::constant && n->flag)) return;
    if (n->kind == Kind::and_) {
      split(n->a, scope, plain, aggregated);
      split(n->b, scope, plain, aggregated);
    } else if (n->kind == Kind::scope) {
      split(n->a, n->column, plain, aggregated);
    } else {
      (has_aggregate(n) ? aggregated : plain).emplace_back(n, scope);
    }
  }
  void terms(std::string_view keyword, const Terms& ts) {
    for (std::size_t i = 0; i < ts.size(); ++i) {
      *this << (i ? " AND " : keyword);
      scope_ = ts[i].second;
      expr(ts[i].first);
    }
    scope_ = 0;
  }

  // WHERE (and, for conditions on aggregates, GROUP BY pk when there is no other grouping
  // and HAVING, when `grouped` says the caller writes the GROUP BY itself).
  void where(const Query& q) {
    if (!has_aggregate(q.where)) {
      if (!q.where || (q.where->kind == Kind::constant && q.where->flag)) return;
      *this << " WHERE ";
      expr(q.where);
      return;
    }
    Terms plain, aggregated;
    split(q.where, 0, plain, aggregated);
    terms(" WHERE ", plain);
  }
  void having(const Query& q) {
    Terms plain, aggregated;
    split(q.where, 0, plain, aggregated);
    terms(" HAVING ", aggregated);
  }

  // LIMIT and OFFSET are parameters, so that every page of a query is one statement.
  void limits(const Query& q) {
    if (q.limit) {
      *this << " LIMIT ";
      from_query(Slot::limit);
      bind(*q.limit);
    } else if (q.offset && d_ == Dialect::sqlite) {
      *this << " LIMIT -1";  // SQLite needs a LIMIT before OFFSET
    }
    if (q.offset) {
      *this << " OFFSET ";
      from_query(Slot::offset);
      bind(q.offset);
    }
  }

  void order(const Query& q) {
    const std::vector<OrderTerm> terms = q.effective_order();
    if (terms.empty()) return;
    *this << " ORDER BY ";
    for (std::size_t i = 0; i < terms.size(); ++i) {
      if (i) *this << ", ";
      expr(terms[i].expr);
      *this << (terms[i].desc ? " DESC" : " ASC");
    }
  }

  // The select list of a row query.
  void select_list(const Query& q) {
    bool first = true;
    auto sep = [&] {
      if (!first) *this << ", ";
      first = false;
    };
    if (q.projection.empty()) {
      for (int c : q.selected_columns()) {
        sep();
        col(c);
      }
      // Annotations follow the model's columns, so that a (model, annotations...) row reads
      // them there; the select_related columns come after (join_offsets() counts them).
      write_annotations(q, sep);
      for (std::size_t j = 0; j < q.joins.size(); ++j) {
        const std::string alias = join_alias(j);
        for (const ColumnMeta& c : q.joins[j].target->columns) {
          sep();
          *this << alias << "." << quote(c.column);
        }
      }
      for (const NodePtr& n : q.extra) {
        sep();
        expr(n);
      }
    } else {
      for (std::size_t i = 0; i < q.projection.size(); ++i) {
        sep();
        expr(q.projection[i]);
        if (q.projection[i]->kind != Kind::column) *this << " AS " << quote("c" + std::to_string(i));
      }
      write_annotations(q, sep);
    }
  }

  template <class Sep>
  void write_annotations(const Query& q, Sep& sep) {
    for (std::size_t i = 0; i < q.annotations.size(); ++i) {
      sep();
      expr(q.annotations[i]);
      *this << " AS " << quote("a" + std::to_string(i));
    }
  }

  // SELECT ... FROM table WHERE ... GROUP BY ... [ORDER BY ...] [LIMIT/OFFSET] [FOR UPDATE]
  void select_body(const Query& q, bool with_order) {
    prepare(q);
    *this << "SELECT ";
    if (q.distinct) *this << "DISTINCT ";
    select_list(q);
    from(q, q.projection.empty());
    where(q);
    if (!q.annotations.empty() || has_aggregate(q.where)) {
      *this << " GROUP BY ";
      if (q.projection.empty()) {
        col(meta_->pk);
        // PostgreSQL takes a column as grouped when its table's primary key is: group by the
        // select_related tables' keys too (one row each per model row: the result is the same).
        for (std::size_t j = 0; j < q.joins.size(); ++j)
          *this << ", " << join_alias(j) << "." << pk_column(*q.joins[j].target);
      } else {
        for (std::size_t i = 0; i < q.projection.size(); ++i) {
          if (i) *this << ", ";
          expr(q.projection[i]);
        }
      }
    }
    having(q);
    // Like Django, Meta.ordering does not apply to a grouped query.
    if (with_order && (q.order_set || q.annotations.empty())) order(q);
    limits(q);
    if (q.for_update.enabled && d_ == Dialect::postgres) {
      *this << " FOR UPDATE";
      for (std::size_t i = 0; i < q.for_update.of.size(); ++i) {
        *this << (i ? ", " : " OF ");
        const int c = q.for_update.of[i];
        std::size_t j = 0;
        while (j < q.joins.size() && !(q.joins[j].parent < 0 && q.joins[j].column == c)) ++j;
        if (c < 0) table();
        else if (j < q.joins.size()) *this << join_alias(j);
        else throw Error("aorm: select_for_update(of=...) names a foreign key that is not in select_related()");
      }
      if (q.for_update.nowait) *this << " NOWAIT";
      if (q.for_update.skip_locked) *this << " SKIP LOCKED";
    }
    // SQLite has no row locks: a write transaction (BEGIN IMMEDIATE) already excludes
    // other writers, so select_for_update() adds nothing there (as in Django).
  }

  static std::string join_alias(std::size_t j) { return quote("T" + std::to_string(j + 2)); }

  // select_related: INNER JOIN for a required key, LEFT OUTER JOIN for a nullable one.
  void joins(const Query& q) {
    for (std::size_t j = 0; j < q.joins.size(); ++j) {
      const Join& join = q.joins[j];
      const std::string alias = join_alias(j);
      *this << (join.nullable ? " LEFT OUTER JOIN " : " INNER JOIN ") << quote(join.target->table) << " "
            << alias << " ON (";
      if (join.reverse) {  // the parent's primary key = the target's one-to-one key
        if (join.parent < 0) {
          col(meta_->pk);
        } else {
          const Join& parent = q.joins[static_cast<std::size_t>(join.parent)];
          *this << join_alias(static_cast<std::size_t>(join.parent)) << "." << pk_column(*parent.target);
        }
        *this << " = " << alias << "." << quote(join.target->columns[static_cast<std::size_t>(join.column)].column)
              << ")";
        continue;
      }
      if (join.parent < 0) {
        col(join.column);
      } else {
        const Join& parent = q.joins[static_cast<std::size_t>(join.parent)];
        *this << join_alias(static_cast<std::size_t>(join.parent)) << "."
              << quote(parent.target->columns[static_cast<std::size_t>(join.column)].column);
      }
      *this << " = " << alias << "."
            << quote(join.target->columns[static_cast<std::size_t>(join.target->pk)].column) << ")";
    }
  }

  bool needs_subquery(const Query& q) const {
    return q.sliced() || q.distinct || !q.annotations.empty() || has_aggregate(q.where);
  }

 private:
  const ModelMeta* meta_;
  Dialect d_;
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

// A query whose condition uses relation paths or aggregates, as
// `pk IN (SELECT pk ... joins ... WHERE ... GROUP BY pk HAVING ...)`: UPDATE and DELETE can
// neither join nor group, and their WHERE must select exactly the rows a SELECT of `q` returns.
Query without_joins(const Query& q) {
  if (!has_path(q.where) && !has_aggregate(q.where)) return q;
  Query out = q;
  auto sub = std::make_shared<Query>();
  sub->meta = q.meta;
  sub->where = q.where;
  out.where = in_query(column(q.meta->pk), std::move(sub));
  return out;
}

}  // namespace

namespace {

void write_select(Writer& w, const Query& q) { w.select_body(q, true); }

void write_count(Writer& w, const Query& q) {
  if (w.needs_subquery(q)) {
    Query inner = q;
    inner.joins.clear();  // select_related changes no row count
    w << "SELECT COUNT(*) FROM (";
    w.select_body(inner, q.sliced());
    w << ") " << quote("subquery");
  } else {
    w.prepare(q);
    w << "SELECT COUNT(*)";
    w.from(q, false);
    w.where(q);
  }
}

void write_exists(Writer& w, const Query& q) {
  if (w.needs_subquery(q)) {
    Query inner = q;
    inner.joins.clear();
    w << "SELECT 1 AS " << quote("a") << " FROM (";
    w.select_body(inner, q.sliced());
    w << ") " << quote("subquery") << " LIMIT 1";
  } else {
    w.prepare(q);
    w << "SELECT 1 AS " << quote("a");
    w.from(q, false);
    w.where(q);
    w << " LIMIT 1";
  }
}

void write(Writer& w, Form form, const Query& q) {
  switch (form) {
    case Form::select: write_select(w, q); return;
    case Form::count: write_count(w, q); return;
    case Form::exists: write_exists(w, q); return;
  }
}

}  // namespace

Statement select(const Query& q, Dialect d) {
  Writer w(*q.meta, d);
  write_select(w, q);
  return std::move(w).finish();
}

Statement count(const Query& q, Dialect d) {
  Writer w(*q.meta, d);
  write_count(w, q);
  return std::move(w).finish();
}

Statement exists(const Query& q, Dialect d) {
  Writer w(*q.meta, d);
  write_exists(w, q);
  return std::move(w).finish();
}

Statement aggregate(const Query& q, std::span<const NodePtr> aggregates, Dialect d) {
  Writer w(*q.meta, d);
  auto list = [&] {
    for (std::size_t i = 0; i < aggregates.size(); ++i) {
      if (i) w << ", ";
      w.expr(aggregates[i]);
    }
  };
  if (w.needs_subquery(q)) {
    // The aggregates read the subquery's columns, which keep the model's column names.
    Query inner = q;
    inner.projection.clear();
    inner.annotations.clear();
    inner.columns.clear();
    inner.joins.clear();
    w << "SELECT ";
    w.set_prefix(quote("subquery"));
    list();
    w.set_prefix(quote(q.meta->table));
    w << " FROM (";
    w.select_body(inner, q.sliced());
    w << ") " << quote("subquery");
  } else {
    Query plain = q;
    plain.order_set = true;  // orderings do not matter to an aggregate
    plain.order.clear();
    w.prepare(plain, aggregates);
    w << "SELECT ";
    list();
    w.from(plain, false);
    w.where(plain);
  }
  return std::move(w).finish();
}

Statement update(const Query& query, std::span<const std::pair<int, NodePtr>> sets, Dialect d) {
  const Query q = without_joins(query);
  Writer w(*q.meta, d);
  w << "UPDATE ";
  w.table();
  w << " SET ";
  for (std::size_t i = 0; i < sets.size(); ++i) {
    if (i) w << ", ";
    w << quote(w.column_name(sets[i].first)) << " = ";
    w.expr(sets[i].second);
  }
  w.where(q);
  return std::move(w).finish();
}

Statement remove(const Query& query, Dialect d) {
  const Query q = without_joins(query);
  Writer w(*q.meta, d);
  w << "DELETE FROM ";
  w.table();
  w.where(q);
  return std::move(w).finish();
}

NodePtr in_query(NodePtr a, std::shared_ptr<const Query> sub) {
  if (sub->never()) return constant(false);
  auto n = std::make_shared<Node>();
  n->kind = Kind::in_query;
  n->a = std::move(a);
  n->query = std::move(sub);
  return n;
}

Statement remove_links(const Query& query, std::string_view link_table, std::string_view link_column, Dialect d) {
  const Query q = without_joins(query);
  Writer w(*q.meta, d);
  w << "DELETE FROM " << quote(link_table) << " WHERE " << quote(link_column) << " IN (SELECT ";
  w.col(q.meta->pk);
  w << " FROM ";
  w.table();
  w.where(q);
  w << ")";
  return std::move(w).finish();
}

Statement insert(const ModelMeta& m, std::span<const int> columns, std::vector<Value> values,
                 std::size_t rows, const InsertOptions& opts, Dialect d) {
  Writer w(m, d);
  w << "INSERT INTO ";
  w.table();
  if (columns.empty()) {
    if (rows != 1) throw std::logic_error("aorm: DEFAULT VALUES inserts one row at a time");
    w << " DEFAULT VALUES";
  } else {
    w << " (";
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (i) w << ", ";
      w << quote(w.column_name(columns[i]));
    }
    w << ") VALUES ";
    std::size_t k = 0;
    for (std::size_t r = 0; r < rows; ++r) {
      w << (r ? ", (" : "(");
      for (std::size_t i = 0; i < columns.size(); ++i, ++k) {
        if (i) w << ", ";
        w.bind(std::move(values.at(k)));
      }
      w << ")";
    }
  }
  if (opts.ignore_conflicts) {
    w << " ON CONFLICT DO NOTHING";
  } else if (opts.update_conflicts) {
    w << " ON CONFLICT (";
    for (std::size_t i = 0; i < opts.unique_columns.size(); ++i) {
      if (i) w << ", ";
      w << quote(w.column_name(opts.unique_columns[i]));
    }
    w << ") DO UPDATE SET ";
    for (std::size_t i = 0; i < opts.update_columns.size(); ++i) {
      if (i) w << ", ";
      const std::string c = quote(w.column_name(opts.update_columns[i]));
      w << c << " = " << (d == Dialect::sqlite ? "excluded." : "EXCLUDED.") << c;
    }
  }
  if (opts.returning_pk) w << " RETURNING " << quote(w.column_name(m.pk));
  return std::move(w).finish();
}

Statement bulk_update(const ModelMeta& m, std::span<const int> columns,
                      std::span<const Value> pks, std::span<const Value> values, Dialect d) {
  Writer w(m, d);
  const std::string pk = quote(w.column_name(m.pk));
  w << "UPDATE ";
  w.table();
  w << " SET ";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i) w << ", ";
    w << quote(w.column_name(columns[i])) << " = CASE";
    for (std::size_t r = 0; r < pks.size(); ++r) {
      w << " WHEN " << pk << " = ";
      w.bind(pks[r]);
      w << " THEN ";
      w.bind(values[r * columns.size() + i]);
    }
    // PostgreSQL types a CASE whose branches are all untyped parameters as text; an ELSE
    // of the column itself makes it the column's type (every updated row matches a WHEN).
    if (d == Dialect::postgres) w << " ELSE " << quote(w.column_name(columns[i]));
    w << " END";
  }
  w << " WHERE " << pk << " IN (";
  for (std::size_t r = 0; r < pks.size(); ++r) {
    if (r) w << ", ";
    w.bind(pks[r]);
  }
  w << ")";
  return std::move(w).finish();
}

Statement explain(const Query& q, Dialect d) {
  Writer w(*q.meta, d);
  w << (d == Dialect::sqlite ? "EXPLAIN QUERY PLAN " : "EXPLAIN ");
  w.select_body(q, true);
  return std::move(w).finish();
}

// ---- the compiled-SQL cache ---------------------------------------------------------------

namespace {

// Writes the shape of a query into `key` and lists its value nodes (see the file comment).
// Two queries with equal keys make the Writer write the same text and bind the same slots.
// Every field of Query, Join, OrderTerm, ForUpdate and Node that the Writer reads must be
// written here; the size checks below trip when one of them gains a field.
#if defined(__GLIBCXX__) && defined(__x86_64__)
static_assert(sizeof(Join) == 32, "a new sql::Join field: add it to ShapeKey::query (or say why not)");
static_assert(sizeof(Query) == 248, "a new sql::Query field: add it to ShapeKey::query (or say why not)");
static_assert(sizeof(Node) == 144, "a new sql::Node field: add it to ShapeKey::node (or say why not)");
#endif
class ShapeKey {
 public:
  static constexpr std::size_t max_nodes = 64;  // beyond: not cached (the dedup is quadratic)

  std::vector<const Node*> nodes;
  bool ok = true;

  void reset() {
    size_ = 0;
    nodes.clear();
    ok = true;
  }
  std::string_view key() const noexcept { return {buf_.get(), size_}; }

  void query(Form form, const Query& q, Dialect d) {
    put(static_cast<std::uint8_t>(form));
    put(static_cast<std::uint8_t>(d));
    put(q.meta);
    node(q.where);
    put(static_cast<std::uint8_t>((q.order_set ? 1 : 0) | (q.distinct ? 2 : 0) | (q.offset != 0 ? 4 : 0) |
                                  (q.limit ? 8 : 0)));
    if (q.order_set) {
      put(static_cast<std::uint32_t>(q.order.size()));
      for (const OrderTerm& t : q.order) {
        node(t.expr);
        put(t.desc);
      }
    }
    put(static_cast<std::uint32_t>(q.columns.size()));
    for (int c : q.columns) put(c);
    list(q.projection);
    list(q.annotations);
    put(static_cast<std::uint32_t>(q.joins.size()));
    for (const Join& j : q.joins) {
      put(j.column);
      put(j.target);
      put(j.nullable);
      put(j.parent);
      put(j.reverse);
      put(j.slot);
    }
    list(q.extra);
    put(static_cast<std::uint8_t>((q.for_update.enabled ? 1 : 0) | (q.for_update.nowait ? 2 : 0) |
                                  (q.for_update.skip_locked ? 4 : 0)));
    put(static_cast<std::uint32_t>(q.for_update.of.size()));
    for (int c : q.for_update.of) put(c);
  }

 private:
  // A plain buffer: std::string::append's out-of-line call per field cost more than the rest.
  template <class X>
  void put(const X& x) {
    if (size_ + sizeof x > capacity_) grow();
    std::memcpy(buf_.get() + size_, &x, sizeof x);
    size_ += sizeof x;
  }
  void grow() {
    capacity_ = capacity_ ? capacity_ * 2 : 512;
    auto bigger = std::make_unique<char[]>(capacity_);
    if (size_) std::memcpy(bigger.get(), buf_.get(), size_);
    buf_ = std::move(bigger);
  }

  void list(const std::vector<NodePtr>& ns) {
    put(static_cast<std::uint32_t>(ns.size()));
    for (const NodePtr& n : ns) node(n);
  }

  // A value node: its ordinal, or a reference to where the same node appeared before (a
  // tree sharing one node in two places binds one value twice; another tree of that
  // shape must share it too).
  void value_node(const Node& n) {
    const auto it = std::find(nodes.begin(), nodes.end(), &n);
    if (it != nodes.end()) {
      put('R');
      put(static_cast<std::uint32_t>(it - nodes.begin()));
      return;
    }
    if (nodes.size() >= max_nodes) ok = false;
    nodes.push_back(&n);
    put('N');
  }

  void node(const NodePtr& np) {
    if (!np) {
      put('0');
      return;
    }
    const Node& n = *np;
    put(static_cast<std::uint8_t>(n.kind));
    put(static_cast<std::uint8_t>(n.op));
    put(n.flag);
    put(n.column);
    put(n.path);
    switch (n.kind) {
      case Kind::param:
        value_node(n);
        put(static_cast<std::uint8_t>(n.value.index()));  // NULL-ness and type
        break;
      case Kind::pattern: {
        value_node(n);
        put(static_cast<std::uint8_t>(n.value.index()));
        const std::string* s = std::get_if<std::string>(&n.value);
        put(s && s->find('\0') != std::string::npos);  // SQLite compares those as bytes
        break;
      }
      case Kind::in:
        value_node(n);
        if (array_in(n)) put('A');
        else put(static_cast<std::uint32_t>(n.values.size()));
        break;
      case Kind::in_query:
        put(n.query->meta);
        node(n.query->where);
        break;
      default: break;
    }
    node(n.a);
    node(n.b);
    node(n.c);
  }

  std::unique_ptr<char[]> buf_;
  std::size_t size_ = 0, capacity_ = 0;
};

// The value of parameter `s` for a query whose value nodes are `nodes`.
Value slot_value(const Slot& s, const std::vector<const Node*>& nodes, const Query& q, Dialect d) {
  switch (s.kind) {
    case Slot::limit: return *q.limit;
    case Slot::offset: return q.offset;
    default: break;
  }
  const Node& n = *nodes[s.node];
  switch (s.kind) {
    case Slot::value: return n.value;
    case Slot::element: return n.values[s.index];
    case Slot::array: return array_param(n.values, d);
    case Slot::like: return like_pattern(std::get<std::string>(n.value), (s.index & 1) != 0, (s.index & 2) != 0, d);
    case Slot::regex_icase: return "(?i)" + std::get<std::string>(n.value);
    default: throw std::logic_error("aorm: unknown parameter slot");
  }
}

struct Cache {
  static constexpr std::size_t capacity = 1024;  // shapes; a full cache starts over
  // Looked up by string_view (the ShapeKey's buffer) without making a string. The key is
  // binary and short (~100 bytes for a point query): a multiply-xorshift over 8-byte words
  // costs about half of std::hash's (perf: this runs once per query).
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept {
      constexpr std::uint64_t mul = 0x9E3779B97F4A7C15ull;
      std::uint64_t h = s.size() * mul;
      const auto mix = [&](std::uint64_t w) {
        h = (h ^ w) * mul;
        h ^= h >> 29;
      };
      std::size_t i = 0;
      for (; i + 8 <= s.size(); i += 8) {
        std::uint64_t w;
        std::memcpy(&w, s.data() + i, 8);
        mix(w);
      }
      if (i < s.size()) {
        std::uint64_t w = 0;
        std::memcpy(&w, s.data() + i, s.size() - i);
        mix(w);
      }
      return static_cast<std::size_t>(h);
    }
  };
  std::unordered_map<std::string, std::shared_ptr<const Shape>, Hash, std::equal_to<>> shapes;
  ShapeKey scratch;
  CacheStats stats;
};

Cache& cache() {
  thread_local Cache c;
  return c;
}

std::shared_ptr<Shape> make_shape(Form form, const Query& q) {
  auto shape = std::make_shared<Shape>();
  if (form == Form::select) {
    shape->columns = q.selected_columns();
    shape->joined = q.join_offsets();
  }
  return shape;
}

}  // namespace

Compiled compile(Form form, const Query& q, Dialect d) {
  Cache& c = cache();
  ShapeKey& k = c.scratch;
  k.reset();
  k.query(form, q, d);
  if (k.ok) {
    if (const auto it = c.shapes.find(k.key()); it != c.shapes.end()) {
      ++c.stats.hits;
      Compiled out{{it->second->sql, {}, it->second->sql_hash}, it->second};
      out.statement.params.reserve(it->second->slots.size());
      for (const Slot& s : it->second->slots) out.statement.params.push_back(slot_value(s, k.nodes, q, d));
      return out;
    }
  }
  Writer w(*q.meta, d);
  if (k.ok) w.record(&k.nodes);
  write(w, form, q);
  std::shared_ptr<Shape> shape = make_shape(form, q);
  bool cached = k.ok && w.cacheable();
  if (cached) {
    shape->sql = std::string(w.text());
    shape->sql_hash = std::hash<std::string_view>{}(shape->sql);
    shape->slots = std::move(w).take_slots();
    // The layout must give back exactly what the Writer bound; else do not keep it.
    cached = shape->slots.size() == w.params().size();
    for (std::size_t i = 0; cached && i < shape->slots.size(); ++i)
      cached = slot_value(shape->slots[i], k.nodes, q, d) == w.params()[i];
  }
  Compiled out{std::move(w).finish(), nullptr};
  if (cached) {
    out.statement.sql_hash = shape->sql_hash;
    ++c.stats.misses;
    if (c.shapes.size() >= Cache::capacity) c.shapes.clear();
    c.shapes.emplace(std::string(k.key()), shape);
  } else {
    ++c.stats.uncacheable;
    shape->slots.clear();
  }
  out.shape = std::move(shape);
  return out;
}

CacheStats cache_stats() noexcept {
  const Cache& c = cache();
  CacheStats s = c.stats;
  s.entries = c.shapes.size();
  return s;
}

void clear_cache() noexcept { cache().shapes.clear(); }

}  // namespace aorm::detail::sql
