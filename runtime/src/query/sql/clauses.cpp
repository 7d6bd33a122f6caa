// The clauses of a statement (writer.hpp): WHERE/HAVING, ORDER BY, LIMIT/OFFSET, the
// select list and a whole SELECT body (GROUP BY, FOR UPDATE).
#include "query/sql/writer.hpp"

#include <string>
#include <vector>

#include "aorm/errors.hpp"

namespace aorm::detail::sql {

void Writer::split(const NodePtr& n, int scope, Terms& plain, Terms& aggregated) {
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

void Writer::terms(std::string_view keyword, const Terms& ts) {
  for (std::size_t i = 0; i < ts.size(); ++i) {
    *this << (i ? " AND " : keyword);
    scope_ = ts[i].second;
    expr(ts[i].first);
  }
  scope_ = 0;
}

void Writer::where(const Query& q) {
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

void Writer::having(const Query& q) {
  Terms plain, aggregated;
  split(q.where, 0, plain, aggregated);
  terms(" HAVING ", aggregated);
}

void Writer::limits(const Query& q) {
  if (q.limit) {
    *this << " LIMIT ";
    from_query(Slot::limit);
    bind(*q.limit);
  } else if (q.offset) {
    *this << ops_->offset_without_limit;  // SQLite needs a LIMIT before OFFSET
  }
  if (q.offset) {
    *this << " OFFSET ";
    from_query(Slot::offset);
    bind(q.offset);
  }
}

void Writer::order(const Query& q) {
  const std::vector<OrderTerm> terms = q.effective_order();
  if (terms.empty()) return;
  *this << " ORDER BY ";
  for (std::size_t i = 0; i < terms.size(); ++i) {
    if (i) *this << ", ";
    expr(terms[i].expr);
    *this << (terms[i].desc ? " DESC" : " ASC");
  }
}

void Writer::select_list(const Query& q) {
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

void Writer::select_body(const Query& q, bool with_order) {
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
  if (q.for_update.enabled && ops_->row_locks) {
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

}  // namespace aorm::detail::sql
