// The non-template half of QuerySet (queryset.hpp): statements that need no model type.
#include "aorm/queryset.hpp"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <string>

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
  const Statement stmt = sql::count(s->query, db.dialect());
  std::int64_t n = 0;
  auto sink = [&](const RowReader& r) { n = r.get_int64(0); };
  co_await execute(db, stmt, sink);
  co_return n;
}

Task<bool> exists(StatePtr s) {
  if (s->query.never()) co_return false;
  const Database db = resolve(*s);
  const Statement stmt = sql::exists(s->query, db.dialect());
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

Task<DeleteResult> remove(StatePtr s) {
  DeleteResult out;
  if (s->query.never()) co_return out;
  const Database db = resolve(*s);
  const ModelMeta& m = *s->query.meta;
  auto count_rows = [&](std::string label, std::int64_t n) {
    if (n == 0) return;  // like Django, labels with nothing deleted are left out
    out.per_model[std::move(label)] += n;
    out.total += n;
  };
  auto body = [&]() -> Task<void> {
    for (const ManyToManyMeta& link : m.many_to_many) {
      const Statement stmt = sql::remove_links(s->query, link, db.dialect());
      const ExecResult r = co_await execute(db, stmt);
      count_rows(std::string(m.label) + "_" + std::string(link.name), r.rows_affected);
    }
    const Statement stmt = sql::remove(s->query, db.dialect());
    const ExecResult r = co_await execute(db, stmt);
    count_rows(std::string(m.label), r.rows_affected);
  };
  if (m.many_to_many.empty()) co_await body();
  else co_await atomic(db, body);
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
