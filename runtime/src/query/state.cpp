// The query state's non-template helpers (detail/query/state.hpp): the database a query
// runs on, slicing, ordering, select_related joins, select_for_update.
#include "aorm/detail/query/state.hpp"

#include <algorithm>
#include <string>

#include "aorm/detail/context.hpp"
#include "aorm/detail/sql/dialect.hpp"
#include "aorm/detail/transaction.hpp"
#include "aorm/errors.hpp"

namespace aorm::detail {

void throw_usage(std::string what) { throw Error(std::move(what)); }

Database resolve(const QueryState& s) {
  if (s.db) return *s.db;
  return database(s.alias.empty() ? std::string_view("default") : std::string_view(s.alias));
}

void apply_slice(sql::Query& q, std::int64_t start, std::optional<std::int64_t> stop) {
  if (start < 0 || (stop && *stop < 0)) throw_usage("Negative indexing is not supported.");
  std::optional<std::int64_t> high;
  if (q.limit) high = q.offset + *q.limit;
  std::int64_t low = q.offset;
  if (stop) high = high ? std::min(*high, low + *stop) : low + *stop;
  low = high ? std::min(*high, low + start) : low + start;
  q.offset = low;
  if (high) q.limit = *high - low;
  else q.limit.reset();
}

bool is_ordered(const sql::Query& q) {
  return q.order_set ? !q.order.empty() : !q.meta->ordering.empty();
}

void reverse_order(sql::Query& q) {
  std::vector<sql::OrderTerm> terms = q.effective_order();
  if (terms.empty()) terms.push_back({sql::column(q.meta->pk), false});
  for (sql::OrderTerm& t : terms) t.desc = !t.desc;
  q.order_set = true;
  q.order = std::move(terms);
}

namespace {

// The select_related join of `join` (parent, column, target, ...), made when missing.
int add_join(sql::Query& q, sql::Join join) {
  for (std::size_t j = 0; j < q.joins.size(); ++j) {
    const sql::Join& have = q.joins[j];
    if (have.parent == join.parent && have.column == join.column && have.reverse == join.reverse &&
        (!join.reverse || have.target == join.target))
      return static_cast<int>(j);
  }
  // Below a LEFT OUTER JOIN every join must be one too, or it would drop the outer rows.
  join.nullable = join.nullable || (join.parent >= 0 && q.joins[static_cast<std::size_t>(join.parent)].nullable);
  q.joins.push_back(join);
  return static_cast<int>(q.joins.size() - 1);
}

}  // namespace

int related_join(sql::Query& q, const sql::Path* p) {
  const int parent = p->parent ? related_join(q, p->parent) : -1;
  const sql::Step& s = p->step;
  if (s.kind == sql::StepKind::forward) return add_join(q, {s.column, s.to, s.nullable, parent});
  if (s.kind == sql::StepKind::reverse &&
      s.to->columns[static_cast<std::size_t>(s.column)].kind == FieldKind::one_to_one) {
    if (s.slot < 0 || s.slot > 255) throw_usage("select_related(): this reverse one-to-one has no relation slot");
    return add_join(q, {s.column, s.to, true, parent, true, s.slot});  // no row: NULLs
  }
  throw_usage("select_related() follows foreign keys and one-to-one relations only; use prefetch_related() for "
              "many-to-many and reverse relations");
}

int related_join(sql::Query& q, const sql::Path* p, int column, const ModelMeta& target, bool nullable) {
  const int parent = p ? related_join(q, p) : -1;
  return add_join(q, {column, &target, nullable, parent});
}

void set_for_update(sql::Query& q, bool nowait, bool skip_locked, const ForUpdateOf& of) {
  q.for_update.enabled = true;
  q.for_update.nowait = nowait;
  q.for_update.skip_locked = skip_locked;
  q.for_update.of.assign(of.entries.begin(), of.entries.begin() + of.size);
}

void check_for_update(const sql::Query& q, const Database& db) {
  if (!q.for_update.enabled || !sql::ops(db.dialect()).row_locks) return;
  if (!transaction_on(current_context().get(), db.backend().get()))
    throw TransactionManagementError("select_for_update cannot be used outside of a transaction.");
}

}  // namespace aorm::detail
