// The non-template half of QuerySet (queryset.hpp): statements that need no model type.
#include "aorm/queryset.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iterator>
#include <string>

#include "aorm/detail/context.hpp"
#include "aorm/detail/registry.hpp"
#include "aorm/detail/transaction.hpp"
#include "aorm/relations.hpp"

namespace aorm::detail {

void throw_not_loaded(std::string_view what, std::string_view fix) {
  throw NotLoaded(std::string(what) + " is not loaded: " + std::string(fix));
}

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

std::string does_not_exist_message(const ModelMeta& m) {
  return std::string(m.name) + " matching query does not exist.";
}

std::string multiple_objects_message(const ModelMeta& m, std::size_t n) {
  return "get() returned more than one " + std::string(m.name) + " -- it returned " +
         (n > 20 ? std::string("more than 20") : std::to_string(n)) + "!";
}

Value now_value(FieldKind kind, DateTime t) {
  switch (kind) {
    case FieldKind::datetime: return to_value(t);
    case FieldKind::date: return to_value(std::chrono::floor<std::chrono::days>(t));
    case FieldKind::time: return to_value(Time(t - std::chrono::floor<std::chrono::days>(t)));
    default: throw Error("aorm: auto_now/auto_now_add on a column that is not a date, datetime or time");
  }
}

ValueRow::ValueRow(const Value& v) : v_(v) {
  if (const auto* i = std::get_if<std::int64_t>(&v_)) text_ = std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v_)) text_ = std::to_string(*d);
}
bool ValueRow::is_null(int) const noexcept { return std::holds_alternative<std::nullptr_t>(v_); }
std::int64_t ValueRow::get_int64(int) const noexcept {
  if (const auto* i = std::get_if<std::int64_t>(&v_)) return *i;
  if (const auto* d = std::get_if<double>(&v_)) return static_cast<std::int64_t>(*d);
  if (const auto* s = std::get_if<std::string>(&v_)) return std::strtoll(s->c_str(), nullptr, 10);
  return 0;
}
double ValueRow::get_double(int) const noexcept {
  if (const auto* d = std::get_if<double>(&v_)) return *d;
  if (const auto* i = std::get_if<std::int64_t>(&v_)) return static_cast<double>(*i);
  if (const auto* s = std::get_if<std::string>(&v_)) return std::strtod(s->c_str(), nullptr);
  return 0;
}
std::string_view ValueRow::get_text(int) const noexcept {
  if (const auto* s = std::get_if<std::string>(&v_)) return *s;
  return text_;
}
std::span<const std::byte> ValueRow::get_blob(int) const noexcept {
  if (const auto* b = std::get_if<Bytes>(&v_)) return *b;
  return {};
}

Task<std::int64_t> count(StatePtr s) {
  if (s->query.never()) co_return 0;
  const Database db = resolve(*s);
  const Statement stmt = sql::compile(sql::Form::count, s->query, db.dialect()).statement;
  std::int64_t n = 0;
  auto sink = [&](const RowReader& r) { n = r.get_int64(0); };
  co_await execute(db, stmt, sink);
  co_return n;
}

Task<bool> exists(StatePtr s) {
  if (s->query.never()) co_return false;
  const Database db = resolve(*s);
  const Statement stmt = sql::compile(sql::Form::exists, s->query, db.dialect()).statement;
  bool found = false;
  auto sink = [&](const RowReader&) { found = true; };
  co_await execute(db, stmt, sink);
  co_return found;
}

Task<std::int64_t> update(StatePtr s, std::vector<std::pair<int, NodePtr>> sets) {
  if (s->query.never()) co_return 0;
  const Database db = resolve(*s);
  const Statement stmt = sql::update(s->query, sets, db.dialect());
  const ExecResult r = co_await execute(db, stmt);
  co_return r.rows_affected;
}

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

Task<std::string> explain(StatePtr s) {
  const Database db = resolve(*s);
  const Statement stmt = sql::explain(s->query, db.dialect());
  std::string out;
  auto sink = [&](const RowReader& r) {
    if (!out.empty()) out += '\n';
    for (int i = 0; i < r.column_count(); ++i) {
      if (i) out += ' ';
      out += r.get_text(i);
    }
  };
  co_await execute(db, stmt, sink);
  co_return out;
}

namespace {
// Most parameters one statement may bind: SQLite's SQLITE_MAX_VARIABLE_NUMBER (3.32+),
// PostgreSQL's protocol limit.
std::size_t max_params(Dialect d) { return d == Dialect::sqlite ? 32766 : 65535; }
}  // namespace

Task<void> insert_rows(Database db, const ModelMeta& m, std::vector<int> columns,
                       std::vector<Value> values, std::size_t rows, std::size_t batch_size,
                       sql::InsertOptions opts, std::vector<std::int64_t>& pks) {
  const std::size_t width = columns.size();
  // DEFAULT VALUES inserts one row per statement.
  std::size_t per = width == 0 ? 1 : std::max<std::size_t>(1, max_params(db.dialect()) / width);
  if (batch_size) per = std::min(per, batch_size);
  auto run = [&]() -> Task<void> {
    for (std::size_t start = 0; start < rows; start += per) {
      const std::size_t n = std::min(per, rows - start);
      std::vector<Value> chunk(std::make_move_iterator(values.begin() + static_cast<std::ptrdiff_t>(start * width)),
                               std::make_move_iterator(values.begin() + static_cast<std::ptrdiff_t>((start + n) * width)));
      const Statement stmt = sql::insert(m, columns, std::move(chunk), n, opts, db.dialect());
      auto sink = [&](const RowReader& r) { pks.push_back(r.get_int64(0)); };
      co_await execute(db, stmt, sink);
    }
  };
  if (rows > per) co_await atomic(db, run);  // several statements: all or nothing
  else co_await run();
}

Task<std::int64_t> bulk_update_rows(Database db, const ModelMeta& m, std::vector<int> columns,
                                    std::vector<Value> pks, std::vector<Value> values,
                                    std::size_t batch_size) {
  const std::size_t width = columns.size();
  const std::size_t rows = pks.size();
  std::size_t per = std::max<std::size_t>(1, max_params(db.dialect()) / (2 * width + 1));
  if (batch_size) per = std::min(per, batch_size);
  std::int64_t total = 0;
  auto run = [&]() -> Task<void> {
    for (std::size_t start = 0; start < rows; start += per) {
      const std::size_t n = std::min(per, rows - start);
      const Statement stmt = sql::bulk_update(
          m, columns, std::span<const Value>(pks).subspan(start, n),
          std::span<const Value>(values).subspan(start * width, n * width), db.dialect());
      total += (co_await execute(db, stmt)).rows_affected;
    }
  };
  if (rows > per) co_await atomic(db, run);
  else co_await run();
  co_return total;
}

Task<void> raw(Database db, Statement stmt, RowSink sink) {
  co_await execute(db, stmt, sink);
}

}  // namespace aorm::detail

// ---- relations ---------------------------------------------------------------------------

namespace aorm::detail {

bool ValuesRow::is_null(int i) const noexcept {
  return std::holds_alternative<std::nullptr_t>(v_[static_cast<std::size_t>(i)]);
}
std::int64_t ValuesRow::get_int64(int i) const noexcept { return ValueRow(v_[static_cast<std::size_t>(i)]).get_int64(0); }
double ValuesRow::get_double(int i) const noexcept { return ValueRow(v_[static_cast<std::size_t>(i)]).get_double(0); }
std::string_view ValuesRow::get_text(int i) const noexcept {
  const Value& v = v_[static_cast<std::size_t>(i)];
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  text_ = std::string(ValueRow(v).get_text(0));
  return text_;
}
std::span<const std::byte> ValuesRow::get_blob(int i) const noexcept {
  if (const auto* b = std::get_if<Bytes>(&v_[static_cast<std::size_t>(i)])) return *b;
  return {};
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
  if (!q.for_update.enabled || db.dialect() != Dialect::postgres) return;
  if (!transaction_on(current_context().get(), db.backend().get()))
    throw TransactionManagementError("select_for_update cannot be used outside of a transaction.");
}

Task<void> prefetch(const QueryState& s, Database db, PrefetchLevel roots) {
  std::vector<std::pair<const sql::Path*, PrefetchLevel>> done;  // levels loaded by this call
  for (const PrefetchSpec& spec : s.prefetch) {
    std::vector<const sql::Path*> chain;
    for (const sql::Path* p = spec.path; p; p = p->parent) chain.push_back(p);
    std::reverse(chain.begin(), chain.end());
    PrefetchLevel level = roots;
    for (std::size_t i = 0; i < chain.size(); ++i) {
      const sql::Path* p = chain[i];
      const bool last = i + 1 == chain.size();
      const auto found = std::find_if(done.begin(), done.end(), [&](const auto& d) { return d.first == p; });
      if (found != done.end() && !(last && spec.custom)) {
        level = found->second;
        continue;
      }
      // Every typed relation field gives its step a loader; a step without one was made by
      // something else (a hand-built path).
      if (!p->step.loader) throw_usage("prefetch_related(): this relation path cannot be prefetched");
      PrefetchCall call{std::move(level), &p->step, db, last ? spec.custom : nullptr, {}};
      co_await reinterpret_cast<PrefetchLoader>(p->step.loader)(call);
      level = call.out;
      done.emplace_back(p, std::move(call.out));
    }
  }
}

Database default_database() { return database("default"); }

namespace {

std::string placeholder(Dialect d, std::size_t n) { return d == Dialect::sqlite ? "?" : "$" + std::to_string(n); }

// The owner's column and the other side's column of a link table.
std::pair<std::string_view, std::string_view> link_columns(const LinkSide& side) {
  if (side.reverse) return {side.link->target_column, side.link->source_column};
  return {side.link->source_column, side.link->target_column};
}

// The linked keys of `owner`.
Task<std::vector<std::int64_t>> linked(const Database& db, const LinkSide& side, std::int64_t owner) {
  const auto [near, far] = link_columns(side);
  Statement stmt{"SELECT " + sql::quote(far) + " FROM " + sql::quote(side.link->table) + " WHERE " +
                     sql::quote(near) + " = " + placeholder(db.dialect(), 1),
                 {Value(owner)}};
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
  const auto [near, far] = link_columns(side);
  Statement stmt{"INSERT INTO " + sql::quote(side.link->table) + " (" + sql::quote(near) + ", " + sql::quote(far) +
                     ") VALUES ",
                 {}};
  for (std::size_t i = 0; i < targets.size(); ++i) {
    stmt.params.emplace_back(owner);
    stmt.params.emplace_back(targets[i]);
    stmt.sql += (i ? ", (" : "(") + placeholder(db.dialect(), stmt.params.size() - 1) + ", " +
                placeholder(db.dialect(), stmt.params.size()) + ")";
  }
  co_await execute(db, stmt);
}

Task<void> delete_links(const Database& db, const LinkSide& side, std::int64_t owner,
                        const std::optional<std::vector<std::int64_t>>& targets) {
  if (targets && targets->empty()) co_return;
  const auto [near, far] = link_columns(side);
  Statement stmt{"DELETE FROM " + sql::quote(side.link->table) + " WHERE " + sql::quote(near) + " = " +
                     placeholder(db.dialect(), 1),
                 {Value(owner)}};
  if (targets) {
    stmt.sql += " AND " + sql::quote(far) + " IN (";
    for (std::size_t i = 0; i < targets->size(); ++i) {
      stmt.params.emplace_back((*targets)[i]);
      stmt.sql += (i ? ", " : "") + placeholder(db.dialect(), stmt.params.size());
    }
    stmt.sql += ")";
  }
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
    s->query.where = sql::and_(s->query.where, sql::binary(sql::Kind::compare, sql::Op::eq, sql::column(key),
                                                           sql::param(std::move(*only_if))));
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
          sql::binary(sql::Kind::compare, sql::Op::eq, sql::column(key), sql::param(owner)),
          sql::not_(sql::in(sql::column(m.pk), pks)));
      std::vector<std::pair<int, NodePtr>> sets;
      sets.emplace_back(key, sql::param(nullptr));
      co_await update(std::move(s), std::move(sets));
    }
    co_await set_key(m, std::move(pks), false, key, Value(owner), std::nullopt);
  });
}

}  // namespace aorm::detail
