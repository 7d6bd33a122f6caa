// The statements of compiler.hpp: SELECT, COUNT, EXISTS, aggregates, UPDATE, DELETE,
// link-row DELETE, INSERT, bulk UPDATE, EXPLAIN; and what a Query derives (selected
// columns, ordering in effect, select_related layout).
#include "query/sql/writer.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>

namespace aorm::detail::sql {

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

}  // namespace

void write(Writer& w, Form form, const Query& q) {
  switch (form) {
    case Form::select: write_select(w, q); return;
    case Form::count: write_count(w, q); return;
    case Form::exists: write_exists(w, q); return;
  }
}

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

Statement link_select(const LinkColumns& link, std::int64_t owner, Dialect d) {
  Writer w(d);
  w << "SELECT " << quote(link.far) << " FROM " << quote(link.table) << " WHERE " << quote(link.near) << " = ";
  w.bind(Value(owner));
  return std::move(w).finish();
}

Statement link_insert(const LinkColumns& link, std::int64_t owner, std::span<const std::int64_t> targets, Dialect d) {
  Writer w(d);
  w << "INSERT INTO " << quote(link.table) << " (" << quote(link.near) << ", " << quote(link.far) << ") VALUES ";
  for (std::size_t i = 0; i < targets.size(); ++i) {
    w << (i ? ", (" : "(");
    w.bind(Value(owner));
    w << ", ";
    w.bind(Value(targets[i]));
    w << ")";
  }
  return std::move(w).finish();
}

Statement link_delete(const LinkColumns& link, std::int64_t owner, const std::vector<std::int64_t>* targets,
                      Dialect d) {
  Writer w(d);
  w << "DELETE FROM " << quote(link.table) << " WHERE " << quote(link.near) << " = ";
  w.bind(Value(owner));
  if (targets) {
    w << " AND " << quote(link.far) << " IN (";
    for (std::size_t i = 0; i < targets->size(); ++i) {
      if (i) w << ", ";
      w.bind(Value((*targets)[i]));
    }
    w << ")";
  }
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
      w << c << " = " << w.dialect_ops().excluded << c;
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
    if (w.dialect_ops().case_needs_column_else) w << " ELSE " << quote(w.column_name(columns[i]));
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
  w << w.dialect_ops().explain;
  w.select_body(q, true);
  return std::move(w).finish();
}

}  // namespace aorm::detail::sql
