// The SQL compiler (detail/sql/compiler.hpp): Query + ModelMeta + Dialect → Statement.
//
// One Writer builds one statement front to back, so postgres `$n` placeholders are numbered
// in text order even when a statement nests a subquery.
// TODO(perf): cache the SQL text per query shape (same tree shape, different values).
#include "aorm/detail/sql/compiler.hpp"

#include <algorithm>
#include <stdexcept>

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
  int at = static_cast<int>(cols.size());
  std::vector<int> starts;  // where each join's target columns start
  for (const Join& j : joins) {
    if (j.parent < 0) {
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

  void bind(Value v) {
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
    const std::string name = sets_.back().letter + std::to_string(joins.size() + 1);
    j.alias = quote(name);
    j.link_alias = quote(name + "L");
    joins.push_back(std::move(j));
    return static_cast<int>(joins.size() - 1);
  }

  // Makes the joins every relation path under `n` needs (not those of subqueries).
  void collect(const NodePtr& n, int scope) {
    if (!n) return;
    switch (n->kind) {
      case Kind::column:
        if (n->path) resolve(n->path, scope);
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

  // Collects the joins of everything a SELECT over `q` writes (the condition first, so that
  // orderings and aggregates reuse its joins).
  void prepare(const Query& q, std::span<const NodePtr> extra = {}) {
    collect(q.where, 0);
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
          *this << kind << quote(s.to->table) << " " << j.alias << " ON (" << j.link_alias << "."
                << quote(far) << " = " << j.alias << "." << pk_column(*s.to) << ")";
          break;
        }
      }
    }
  }

  // A column reached through a relation path.
  void path_col(const Node& n) {
    const int j = resolve(n.path, scope_);
    *this << sets_.back().joins[static_cast<std::size_t>(j)].alias << "."
          << quote(n.path->step.to->columns[static_cast<std::size_t>(n.column)].column);
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
      case Kind::param: bind(n.value); return;
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
        *this << " IN (";
        for (std::size_t i = 0; i < n.values.size(); ++i) {
          if (i) *this << ", ";
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
          *this << " WHERE ";
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
    auto like = [&](std::string_view before, std::string_view after, bool fold) {
      std::string p{before};
      p += sqlite ? glob_escape(*s) : like_escape(*s);
      p += after;
      *this << "(";
      if (sqlite) {
        // GLOB is case-sensitive (LIKE is not, in SQLite); folding both sides gives the
        // i-variants. Lowering the pattern keeps its [*] escapes intact.
        if (fold) lower(n.a); else expr(n.a);
        *this << " GLOB ";
        if (fold) {
          *this << "aorm_lower(";
          bind(std::move(p));
          *this << ")";
        } else {
          bind(std::move(p));
        }
      } else {
        expr(n.a);
        *this << (fold ? " ILIKE " : " LIKE ");
        bind(std::move(p));
      }
      *this << ")";
    };
    if (sqlite && s->find('\0') != std::string::npos && n.op >= Op::contains && n.op <= Op::iendswith) {
      nul_pattern(n, *s);
      return;
    }
    const std::string_view any = sqlite ? "*" : "%";
    switch (n.op) {
      case Op::iexact:
        *this << "(";
        lower(n.a);
        *this << " = ";
        *this << (sqlite ? "aorm_lower(" : "LOWER(");
        bind(*s);
        *this << "))";
        return;
      case Op::contains: like(any, any, false); return;
      case Op::icontains: like(any, any, true); return;
      case Op::startswith: like("", any, false); return;
      case Op::istartswith: like("", any, true); return;
      case Op::endswith: like(any, "", false); return;
      case Op::iendswith: like(any, "", true); return;
      case Op::regex:
      case Op::iregex:
        *this << "(";
        expr(n.a);
        if (sqlite) {
          *this << " REGEXP ";
          bind(n.op == Op::iregex ? "(?i)" + *s : *s);
        } else {
          *this << (n.op == Op::iregex ? " ~* " : " ~ ");
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

  void limits(const Query& q) {
    if (q.limit) {
      *this << " LIMIT " << std::to_string(*q.limit);
    } else if (q.offset && d_ == Dialect::sqlite) {
      *this << " LIMIT -1";  // SQLite needs a LIMIT before OFFSET
    }
    if (q.offset) *this << " OFFSET " << std::to_string(q.offset);
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
    }
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
};

// A query whose condition uses relation paths, as `pk IN (SELECT pk ... joins ... WHERE)`:
// UPDATE and DELETE cannot join.
Query without_joins(const Query& q) {
  if (!has_path(q.where)) return q;
  Query out = q;
  auto sub = std::make_shared<Query>();
  sub->meta = q.meta;
  sub->where = q.where;
  out.where = in_query(column(q.meta->pk), std::move(sub));
  return out;
}

}  // namespace

Statement select(const Query& q, Dialect d) {
  Writer w(*q.meta, d);
  w.select_body(q, true);
  return std::move(w).finish();
}

Statement count(const Query& q, Dialect d) {
  Writer w(*q.meta, d);
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
  return std::move(w).finish();
}

Statement exists(const Query& q, Dialect d) {
  Writer w(*q.meta, d);
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

}  // namespace aorm::detail::sql
