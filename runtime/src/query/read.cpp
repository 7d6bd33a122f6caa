// The non-template read terminals (detail/query/read.hpp): COUNT, EXISTS, EXPLAIN, raw
// SELECTs, and Django's messages for aget().
#include "aorm/detail/query/read.hpp"

#include <string>

namespace aorm::detail {

std::string does_not_exist_message(const ModelMeta& m) {
  return std::string(m.name) + " matching query does not exist.";
}

std::string multiple_objects_message(const ModelMeta& m, std::size_t n) {
  return "get() returned more than one " + std::string(m.name) + " -- it returned " +
         (n > 20 ? std::string("more than 20") : std::to_string(n)) + "!";
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

Task<void> raw(Database db, Statement stmt, RowSink sink) {
  co_await execute(db, stmt, sink);
}


}  // namespace aorm::detail
