// The related managers' statements (detail/query/related.hpp): link rows of many-to-many
// relations, foreign keys pointed at an owner.
#include "aorm/detail/query/related.hpp"

#include <algorithm>
#include <string>

#include "aorm/detail/registry.hpp"
#include "aorm/errors.hpp"

namespace aorm::detail {

void throw_not_loaded(std::string_view what, std::string_view fix) {
  throw NotLoaded(std::string(what) + " is not loaded: " + std::string(fix));
}

Database default_database() { return database("default"); }

namespace {

// The owner's column and the other side's column of a link table.
std::pair<std::string_view, std::string_view> link_columns(const LinkSide& side) {
  if (side.reverse) return {side.link->target_column, side.link->source_column};
  return {side.link->source_column, side.link->target_column};
}

// The link table seen from the owner's side.
sql::LinkColumns link_table(const LinkSide& side) {
  const auto [near, far] = link_columns(side);
  return {side.link->table, near, far};
}

// The linked keys of `owner`.
Task<std::vector<std::int64_t>> linked(const Database& db, const LinkSide& side, std::int64_t owner) {
  const Statement stmt = sql::link_select(link_table(side), owner, db.dialect());
  std::vector<std::int64_t> out;
  auto sink = [&](const RowReader& r) { out.push_back(r.get_int64(0)); };
  co_await execute(db, stmt, sink);
  co_return out;
}

// The through model of `link` (registered by its generated code), or null for an
// auto-created link table.
const ModelMeta* through_model(const ManyToManyMeta& link) {
  if (link.through.empty()) return nullptr;
  for (const ModelMeta* m : registered_models())
    if (m->name == link.through && m->table == link.table) return m;
  throw_usage("the through model " + std::string(link.through) + " of " + std::string(link.name) +
              " is not registered (its models.cpp is not linked)");
}

// INSERTs link rows of a through model: the two keys, then every other column from
// `through`, else auto_now/auto_now_add, else the model's default.
Task<void> insert_through_rows(const Database& db, const LinkSide& side, const ModelMeta& m, std::int64_t owner,
                               const std::vector<std::int64_t>& targets, const ThroughValues& through) {
  const auto [near, far] = link_columns(side);
  const DefaultWriter defaults = defaults_of(m);
  const DateTime now = aorm::now();
  std::vector<int> columns;
  std::vector<Value> fixed;  // per column: the value every row gets (keys filled per row)
  for (std::size_t i = 0; i < m.columns.size(); ++i) {
    const ColumnMeta& c = m.columns[i];
    const int col = static_cast<int>(i);
    if (col == m.pk && c.auto_increment) continue;
    columns.push_back(col);
    const auto given = std::find_if(through.sets.begin(), through.sets.end(),
                                    [&](const auto& set) { return set.first == col; });
    if (c.column == near || c.column == far) {
      if (given != through.sets.end())
        throw_usage("through_defaults cannot set the link's key " + std::string(c.name));
      fixed.emplace_back(nullptr);
    } else if (given != through.sets.end()) {
      if (given->second->kind != sql::Kind::param)
        throw_usage("through_defaults takes values, not expressions (" + std::string(c.name) + ")");
      fixed.push_back(given->second->value);
    } else if (c.auto_now || c.auto_now_add) {
      fixed.push_back(now_value(c.kind, now));
    } else if (defaults) {
      std::vector<Value> v;
      defaults(col, v);
      fixed.push_back(std::move(v.front()));
    } else {
      throw_usage("no defaults are registered for the through model " + std::string(m.name));
    }
  }
  std::vector<Value> values;
  for (std::int64_t target : targets) {
    for (std::size_t k = 0; k < columns.size(); ++k) {
      const std::string_view name = m.columns[static_cast<std::size_t>(columns[k])].column;
      if (name == near) values.emplace_back(owner);
      else if (name == far) values.emplace_back(target);
      else values.push_back(fixed[k]);
    }
  }
  sql::InsertOptions opts;
  opts.returning_pk = false;
  const Statement stmt = sql::insert(m, columns, std::move(values), targets.size(), opts, db.dialect());
  co_await execute(db, stmt);
}

Task<void> insert_links(const Database& db, const LinkSide& side, std::int64_t owner,
                        const std::vector<std::int64_t>& targets, const ThroughValues& through) {
  if (targets.empty()) co_return;
  const ModelMeta* model = through_model(*side.link);
  if (through.model && through.model != model)
    throw_usage("through_defaults are for the through model of " + std::string(side.link->name) + ", not " +
                std::string(through.model->name));
  if (model) {
    co_await insert_through_rows(db, side, *model, owner, targets, through);
    co_return;
  }
  const Statement stmt = sql::link_insert(link_table(side), owner, targets, db.dialect());
  co_await execute(db, stmt);
}

Task<void> delete_links(const Database& db, const LinkSide& side, std::int64_t owner,
                        const std::optional<std::vector<std::int64_t>>& targets) {
  if (targets && targets->empty()) co_return;
  const Statement stmt = sql::link_delete(link_table(side), owner, targets ? &*targets : nullptr, db.dialect());
  co_await execute(db, stmt);
}

std::vector<std::int64_t> unique(std::vector<std::int64_t> v) {
  std::vector<std::int64_t> out;
  for (std::int64_t x : v)
    if (std::find(out.begin(), out.end(), x) == out.end()) out.push_back(x);
  return out;
}

}  // namespace

Task<void> link_add(LinkSide side, std::int64_t owner, std::vector<std::int64_t> targets, ThroughValues through) {
  targets = unique(std::move(targets));
  if (targets.empty()) co_return;
  const Database db = default_database();
  // Like Django: read the existing links, insert only the missing ones (adding twice is a
  // no-op), in one transaction.
  co_await atomic(db, [&]() -> Task<void> {
    const std::vector<std::int64_t> have = co_await linked(db, side, owner);
    std::vector<std::int64_t> missing;
    for (std::int64_t t : targets)
      if (std::find(have.begin(), have.end(), t) == have.end()) missing.push_back(t);
    co_await insert_links(db, side, owner, missing, through);
  });
}

Task<void> link_remove(LinkSide side, std::int64_t owner, std::optional<std::vector<std::int64_t>> targets) {
  if (targets) targets = unique(std::move(*targets));
  co_await delete_links(default_database(), side, owner, targets);
}

Task<void> link_set(LinkSide side, std::int64_t owner, std::vector<std::int64_t> targets, ThroughValues through) {
  targets = unique(std::move(targets));
  const Database db = default_database();
  co_await atomic(db, [&]() -> Task<void> {
    const std::vector<std::int64_t> have = co_await linked(db, side, owner);
    std::vector<std::int64_t> extra, missing;
    for (std::int64_t h : have)
      if (std::find(targets.begin(), targets.end(), h) == targets.end()) extra.push_back(h);
    for (std::int64_t t : targets)
      if (std::find(have.begin(), have.end(), t) == have.end()) missing.push_back(t);
    co_await delete_links(db, side, owner, extra);
    co_await insert_links(db, side, owner, missing, through);
  });
}

Task<void> set_key(const ModelMeta& m, std::vector<Value> pks, bool all, int key, Value value,
                   std::optional<Value> only_if) {
  if (!all && pks.empty()) co_return;
  auto s = std::make_shared<QueryState>();
  s->query.meta = &m;
  s->db = default_database();
  if (!all) s->query.where = sql::in(sql::column(m.pk), std::move(pks));
  if (only_if)
    s->query.where = sql::and_(s->query.where, sql::equals(sql::column(key), std::move(*only_if)));
  std::vector<std::pair<int, NodePtr>> sets;  // named: g++ 12 and braced lists in co_await
  sets.emplace_back(key, sql::param(std::move(value)));
  co_await update(std::move(s), std::move(sets));
}

Task<void> set_related(const ModelMeta& m, int key, std::int64_t owner, std::vector<Value> pks, bool nullable) {
  const Database db = default_database();
  co_await atomic(db, [&]() -> Task<void> {
    if (nullable) {  // the owner's other rows lose their key
      auto s = std::make_shared<QueryState>();
      s->query.meta = &m;
      s->db = db;
      s->query.where = sql::and_(
          sql::equals(sql::column(key), owner),
          sql::not_(sql::in(sql::column(m.pk), pks)));
      std::vector<std::pair<int, NodePtr>> sets;
      sets.emplace_back(key, sql::param(nullptr));
      co_await update(std::move(s), std::move(sets));
    }
    co_await set_key(m, std::move(pks), false, key, Value(owner), std::nullopt);
  });
}


}  // namespace aorm::detail
