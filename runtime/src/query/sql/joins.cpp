// Join planning (writer.hpp): the joins that relation paths in conditions, orderings,
// values() and aggregates need (one per filter() call for multi-valued paths, trimmed and
// turned INNER where Django would), select_related's joins, and the FROM clause.
#include "query/sql/writer.hpp"

#include <string>
#include <vector>

namespace aorm::detail::sql {

int Writer::resolve(const Path* p, int scope) {
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

std::string_view Writer::far_column(const Step& s) {
  const bool fwd = s.kind == StepKind::m2m;
  const ManyToManyMeta& link = (fwd ? s.from : s.to)->many_to_many[static_cast<std::size_t>(s.m2m)];
  return fwd ? link.target_column : link.source_column;
}

void Writer::collect(const NodePtr& n, int scope) {
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

void Writer::inner_joins(const NodePtr& n, int scope) {
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

void Writer::prepare(const Query& q, std::span<const NodePtr> extra) {
  collect(q.where, 0);
  inner_joins(q.where, 0);
  for (const NodePtr& n : q.projection) collect(n, 0);
  for (const NodePtr& n : q.annotations) collect(n, 0);
  for (const NodePtr& n : extra) collect(n, 0);
  for (const NodePtr& n : q.extra) collect(n, 0);
  if (q.projection.empty() || !q.annotations.empty())
    for (const OrderTerm& t : q.effective_order()) collect(t.expr, 0);
}

void Writer::lookup_joins() {
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

void Writer::path_col(const Node& n) {
  const LookupJoin& j = sets_.back().joins[static_cast<std::size_t>(resolve(n.path, scope_))];
  if (!j.target && link_key(n)) {
    *this << j.link_alias << "." << quote(far_column(n.path->step));
    return;
  }
  *this << j.alias << "." << quote(n.path->step.to->columns[static_cast<std::size_t>(n.column)].column);
}

void Writer::from(const Query& q, bool with_related) {
  *this << " FROM ";
  table();
  if (with_related) joins(q);
  lookup_joins();
}

void Writer::joins(const Query& q) {
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

}  // namespace aorm::detail::sql
