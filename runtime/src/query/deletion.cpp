// QuerySet.adelete() (detail/query/delete.hpp), like Django's Collector: the rows first,
// protected references next, then on_delete rules, link rows and the rows themselves.
#include "aorm/detail/query/delete.hpp"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "aorm/database.hpp"
#include "aorm/detail/query/read.hpp"
#include "aorm/detail/registry.hpp"
#include "aorm/errors.hpp"

namespace aorm::detail {

namespace {

// A foreign key of `model` (column `column`) that references the model being deleted.
struct ReverseKey {
  const ModelMeta* model;
  int column;
};

std::vector<ReverseKey> reverse_keys(const ModelMeta& target) {
  std::vector<ReverseKey> out;
  for (const ModelMeta* m : registered_models())
    for (std::size_t i = 0; i < m->columns.size(); ++i)
      if (m->columns[i].target && &m->columns[i].target() == &target) out.push_back({m, static_cast<int>(i)});
  return out;
}

// A many-to-many link table with a column that references the model being deleted.
struct LinkColumn {
  std::string label;  // "blog.Article_tags", Django's label of the auto-created through model
  std::string_view table, column;
};

std::vector<LinkColumn> link_columns(const ModelMeta& m) {
  std::vector<LinkColumn> out;
  auto add = [&](const ModelMeta& owner, const ManyToManyMeta& link, std::string_view column) {
    out.push_back({std::string(owner.label) + "_" + std::string(link.name), link.table, column});
  };
  for (const ManyToManyMeta& link : m.many_to_many) add(m, link, link.source_column);
  for (const ModelMeta* owner : registered_models())
    for (const ManyToManyMeta& link : owner->many_to_many)
      if (link.target && &link.target() == &m) add(*owner, link, link.target_column);
  return out;
}

// The rows of `child` whose `column` references a row of `parent`.
std::shared_ptr<sql::Query> referencing(const ModelMeta& child, int column, const sql::Query& parent) {
  auto sub = std::make_shared<sql::Query>();
  sub->meta = parent.meta;
  sub->where = parent.where;
  auto q = std::make_shared<sql::Query>();
  q->meta = &child;
  q->where = sql::in_query(sql::column(column), std::move(sub));
  return q;
}

std::string key_name(const ReverseKey& k) {
  return std::string(k.model->name) + "." + std::string(k.model->columns[static_cast<std::size_t>(k.column)].name);
}

class Deleter {
 public:
  Deleter(Database db, DeleteResult& out) : db_(std::move(db)), out_(out) {}

  // Raises ProtectedError when a protect/restrict key references a row that the delete
  // would remove (following cascades), before anything is deleted.
  Task<void> check(std::shared_ptr<const sql::Query> q) {
    if (on_path(*q->meta)) {  // a cycle of keys: follow the rows, not the models
      q = co_await materialize(std::move(q), checked_);
      if (q->never()) co_return;
    }
    path_.push_back(q->meta);
    for (const ReverseKey& k : reverse_keys(*q->meta)) {
      const OnDelete rule = k.model->columns[static_cast<std::size_t>(k.column)].on_delete;
      if (rule != OnDelete::cascade && rule != OnDelete::protect && rule != OnDelete::restrict_) continue;
      auto child = referencing(*k.model, k.column, *q);
      if (child->never()) continue;
      if (rule == OnDelete::cascade) {
        co_await check(child);
        continue;
      }
      auto state = std::make_shared<QueryState>();
      state->query = *child;
      state->db = db_;
      if (co_await exists(state))
        throw ProtectedError("Cannot delete some instances of model '" + std::string(q->meta->name) +
                             "' because they are referenced through protected foreign keys: '" + key_name(k) + "'.");
    }
    path_.pop_back();
  }

  // Deletes the rows of `q`, after applying on_delete to the rows that reference them and
  // clearing their many-to-many links.
  Task<void> remove(std::shared_ptr<const sql::Query> q) {
    if (on_path(*q->meta)) {
      q = co_await materialize(std::move(q), removed_);
      if (q->never()) co_return;
    }
    path_.push_back(q->meta);
    const Dialect d = db_.dialect();
    for (const ReverseKey& k : reverse_keys(*q->meta)) {
      const ColumnMeta& c = k.model->columns[static_cast<std::size_t>(k.column)];
      auto child = referencing(*k.model, k.column, *q);
      if (child->never()) continue;
      switch (c.on_delete) {
        case OnDelete::cascade: co_await remove(child); break;
        case OnDelete::set_null: {
          const std::vector<std::pair<int, NodePtr>> sets{{k.column, sql::param(nullptr)}};
          const Statement stmt = sql::update(*child, sets, d);
          co_await execute(db_, stmt);
          break;
        }
        case OnDelete::set_default: {
          // The default lives in the member initialiser: generated code registers a writer.
          const DefaultWriter writer = defaults_of(*k.model);
          if (!writer) throw Error("aorm: on_delete set_default: no defaults registered for " + key_name(k));
          std::vector<Value> v;
          writer(k.column, v);
          const std::vector<std::pair<int, NodePtr>> sets{{k.column, sql::param(std::move(v.front()))}};
          const Statement stmt = sql::update(*child, sets, d);
          co_await execute(db_, stmt);
          break;
        }
        case OnDelete::protect:
        case OnDelete::restrict_:  // check() found no referencing rows
        case OnDelete::do_nothing: break;
      }
    }
    for (const LinkColumn& link : link_columns(*q->meta)) {
      const Statement stmt = sql::remove_links(*q, link.table, link.column, d);
      count(link.label, (co_await execute(db_, stmt)).rows_affected);
    }
    const Statement stmt = sql::remove(*q, d);
    count(std::string(q->meta->label), (co_await execute(db_, stmt)).rows_affected);
    path_.pop_back();
  }

  // Whether deleting rows of `m` touches anything but its own table.
  static bool reaches_others(const ModelMeta& m) { return !reverse_keys(m).empty() || !link_columns(m).empty(); }

  // The rows of `q` as `pk IN (ids)` when its condition reads other tables (relation paths,
  // aggregates over related rows): cascades and the clearing of links change those tables,
  // after which the condition would select other rows (or none). Django's Collector fixes
  // the rows first too. `q` itself when its condition reads its own columns only.
  Task<std::shared_ptr<const sql::Query>> fix_rows(std::shared_ptr<const sql::Query> q) {
    if (!sql::has_path(q->where) && !sql::has_aggregate(q->where)) co_return q;
    std::vector<std::pair<const ModelMeta*, std::int64_t>> seen;
    co_return co_await materialize(std::move(q), seen);
  }

 private:
  bool on_path(const ModelMeta& m) const { return std::find(path_.begin(), path_.end(), &m) != path_.end(); }

  // The rows of `q` as `pk IN (ids)`, minus those this delete already reached through the
  // same cycle (`seen`): a cycle of keys (a self-referencing key, A→B→A) ends when no new
  // rows turn up.
  Task<std::shared_ptr<const sql::Query>> materialize(std::shared_ptr<const sql::Query> q,
                                                       std::vector<std::pair<const ModelMeta*, std::int64_t>>& seen) {
    auto state = std::make_shared<QueryState>();
    state->query = *q;
    state->query.projection = {sql::column(q->meta->pk)};
    state->db = db_;
    const Statement stmt = sql::select(state->query, db_.dialect());
    std::vector<Value> ids;
    auto sink = [&](const RowReader& r) {
      const std::pair<const ModelMeta*, std::int64_t> key{q->meta, r.get_int64(0)};
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) return;
      seen.push_back(key);
      ids.emplace_back(key.second);
    };
    co_await execute(db_, stmt, sink);
    auto out = std::make_shared<sql::Query>();
    out->meta = q->meta;
    out->where = sql::in(sql::column(q->meta->pk), std::move(ids));  // none: FALSE
    co_return out;
  }
  void count(std::string label, std::int64_t n) {
    if (n == 0) return;  // like Django, labels with nothing deleted are left out
    out_.per_model[std::move(label)] += n;
    out_.total += n;
  }

  Database db_;
  DeleteResult& out_;
  std::vector<const ModelMeta*> path_;
  std::vector<std::pair<const ModelMeta*, std::int64_t>> checked_, removed_;
};

}  // namespace

Task<DeleteResult> remove(StatePtr s) {
  DeleteResult out;
  if (s->query.never()) co_return out;
  const Database db = resolve(*s);
  auto query = std::make_shared<sql::Query>();
  query->meta = s->query.meta;
  query->where = s->query.where;
  std::shared_ptr<const sql::Query> q = std::move(query);
  Deleter deleter(db, out);
  if (!Deleter::reaches_others(*q->meta)) {
    co_await deleter.remove(q);
  } else {
    // Django's Collector: the rows first, protected references next, then everything in
    // one transaction.
    co_await atomic(db, [&]() -> Task<void> {
      q = co_await deleter.fix_rows(std::move(q));
      if (q->never()) co_return;
      co_await deleter.check(q);
      co_await deleter.remove(q);
    });
  }
  co_return out;
}


}  // namespace aorm::detail
