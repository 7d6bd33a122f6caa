// The Writer (writer.hpp): binding parameters, recording where each came from (the shape
// cache's Slots), and the text of every expression node.
#include "query/sql/writer.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "aorm/errors.hpp"

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

// An IN list long enough (and all integers) to be bound as one array parameter.
bool array_in(const Node& n) {
  if (n.values.size() < array_in_min) return false;
  return std::all_of(n.values.begin(), n.values.end(),
                     [](const Value& v) { return std::holds_alternative<std::int64_t>(v); });
}


namespace {

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

}  // namespace

void Writer::from_node(const Node& n, Slot::Kind kind, std::uint32_t index) {
  if (!nodes_) return;
  const auto it = std::find(nodes_->begin(), nodes_->end(), &n);
  if (it == nodes_->end()) {
    pending_.reset();
    return;
  }
  pending_ = Slot{kind, static_cast<std::uint32_t>(it - nodes_->begin()), index};
}

void Writer::bind(Value v) {
  if (nodes_) {
    if (pending_) slots_.push_back(*pending_);
    else cacheable_ = false;
    pending_.reset();
  }
  params_.push_back(std::move(v));
  ops_->placeholder(sql_, params_.size());
}

bool Writer::may_be_null(const NodePtr& n) const {
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

void Writer::lower(const NodePtr& a) {
  *this << ops_->lower;
  expr(a);
  *this << ")";
}

void Writer::expr(const NodePtr& np) {
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
      *this << ops_->boolean(n.flag);
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
        *this << ops_->array_in.before;
        from_node(n, Slot::array);
        bind(ops_->array_param(n.values));
        *this << ops_->array_in.after;
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
        *this << ", " << ops_->boolean(false) << ")";
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

void Writer::pattern(const Node& n) {
  const std::string* s = std::get_if<std::string>(&n.value);
  if (!s) throw std::logic_error("aorm: a text lookup needs a text value");
  const Ops& ops = *ops_;
  auto like = [&](bool lead, bool trail, bool fold) {
    std::string p = ops.like_pattern(*s, lead, trail);
    const auto shape = static_cast<std::uint32_t>((lead ? 1 : 0) | (trail ? 2 : 0));
    *this << "(";
    if (ops.ilike_operator.empty()) {
      // No case-insensitive operator (SQLite's GLOB is case-sensitive, its LIKE is not);
      // folding both sides gives the i-variants. Lowering the pattern keeps its [*]
      // escapes intact.
      if (fold) lower(n.a); else expr(n.a);
      *this << ops.like_operator;
      if (fold) {
        *this << ops.lower;
        from_node(n, Slot::like, shape);
        bind(std::move(p));
        *this << ")";
      } else {
        from_node(n, Slot::like, shape);
        bind(std::move(p));
      }
    } else {
      expr(n.a);
      *this << (fold ? ops.ilike_operator : ops.like_operator);
      from_node(n, Slot::like, shape);
      bind(std::move(p));
    }
    *this << ")";
  };
  if (ops.patterns_stop_at_nul && s->find('\0') != std::string::npos && n.op >= Op::contains && n.op <= Op::iendswith) {
    nul_pattern(n, *s);
    return;
  }
  switch (n.op) {
    case Op::iexact:
      *this << "(";
      lower(n.a);
      *this << " = ";
      *this << ops.lower;
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
      if (ops.iregex_operator.empty()) {  // case-insensitive through the pattern: "(?i)"
        *this << ops.regex_operator;
        from_node(n, n.op == Op::iregex ? Slot::regex_icase : Slot::value);
        bind(n.op == Op::iregex ? "(?i)" + *s : *s);
      } else {
        *this << (n.op == Op::iregex ? ops.iregex_operator : ops.regex_operator);
        from_node(n, Slot::value);
        bind(*s);
      }
      *this << ")";
      return;
    default: throw std::logic_error("aorm: not a text lookup");
  }
}

void Writer::nul_pattern(const Node& n, const std::string& v) {
  const bool fold = n.op == Op::icontains || n.op == Op::istartswith || n.op == Op::iendswith;
  auto subject = [&] {
    *this << "CAST(";
    if (fold) lower(n.a); else expr(n.a);
    *this << " AS BLOB)";
  };
  auto value = [&] {
    *this << "CAST(";
    if (fold) *this << ops_->lower;
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

void Writer::extract(const Node& n) {
  const Wrap w = ops_->extract(n.op);
  *this << w.before;
  expr(n.a);
  *this << w.after;
}

void Writer::aggregate(const Node& n) {
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
  if (const std::string_view fn = ops_->variance_function(n.op, sample); !fn.empty()) {
    call(fn, n);
    return;
  }
  // No variance aggregate (SQLite): (Σx² − (Σx)²/n) / (n or n − 1). A division by zero
  // is NULL in SQLite, which is what an undefined sample variance should be.
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

}  // namespace aorm::detail::sql
