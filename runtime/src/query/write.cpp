// The non-template writes (detail/query/write.hpp): UPDATE, batched INSERTs and CASE-WHEN
// UPDATEs, auto_now values.
#include "aorm/detail/query/write.hpp"

#include <algorithm>
#include <chrono>
#include <iterator>
#include <span>

#include "aorm/detail/sql/dialect.hpp"
#include "aorm/errors.hpp"

namespace aorm::detail {

Value now_value(FieldKind kind, DateTime t) {
  switch (kind) {
    case FieldKind::datetime: return to_value(t);
    case FieldKind::date: return to_value(std::chrono::floor<std::chrono::days>(t));
    case FieldKind::time: return to_value(Time(t - std::chrono::floor<std::chrono::days>(t)));
    default: throw Error("aorm: auto_now/auto_now_add on a column that is not a date, datetime or time");
  }
}

Task<std::int64_t> update(StatePtr s, std::vector<std::pair<int, NodePtr>> sets) {
  if (s->query.never()) co_return 0;
  const Database db = resolve(*s);
  const Statement stmt = sql::update(s->query, sets, db.dialect());
  const ExecResult r = co_await execute(db, stmt);
  co_return r.rows_affected;
}

namespace {
// Most parameters one statement may bind (Ops::max_params).
std::size_t max_params(Dialect d) { return sql::ops(d).max_params; }
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


}  // namespace aorm::detail
