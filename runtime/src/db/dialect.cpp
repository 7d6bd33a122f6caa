// The dialects (detail/sql/dialect.hpp): one Ops object per dialect, and the answers that
// need an operand or a value. The only place outside the backends that tells SQLite from
// PostgreSQL.
#include "aorm/detail/sql/dialect.hpp"

#include <string>

namespace aorm::detail::sql {

namespace {

const Ops sqlite_ops{
    .dialect = Dialect::sqlite,
    .numbered_placeholders = false,
    .true_literal = "1",
    .false_literal = "0",
    .max_params = 32766,
    .lower = "aorm_lower(",
    .array_in = {" IN (SELECT value FROM json_each(", ")))"},
    .like_operator = " GLOB ",  // case-sensitive (SQLite's LIKE is not)
    .ilike_operator = "",
    .regex_operator = " REGEXP ",
    .iregex_operator = "",
    .patterns_stop_at_nul = true,
    .offset_without_limit = " LIMIT -1",  // SQLite needs a LIMIT before OFFSET
    .row_locks = false,
    .excluded = "excluded.",
    .case_needs_column_else = false,
    .explain = "EXPLAIN QUERY PLAN ",
};

const Ops postgres_ops{
    .dialect = Dialect::postgres,
    .numbered_placeholders = true,
    .true_literal = "TRUE",
    .false_literal = "FALSE",
    .max_params = 65535,
    .lower = "LOWER(",
    .array_in = {" = ANY(", "))"},
    .like_operator = " LIKE ",
    .ilike_operator = " ILIKE ",
    .regex_operator = " ~ ",
    .iregex_operator = " ~* ",
    .patterns_stop_at_nul = false,
    .offset_without_limit = "",
    .row_locks = true,
    .excluded = "EXCLUDED.",
    .case_needs_column_else = true,
    .explain = "EXPLAIN ",
};

// Escapes GLOB metacharacters so that `s` matches itself: * ? [ become [*] [?] [[].
std::string glob_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '*' || c == '?' || c == '[') {
      out += '[';
      out += c;
      out += ']';
    } else {
      out += c;
    }
  }
  return out;
}

// Escapes LIKE metacharacters for PostgreSQL's default escape character (backslash).
std::string like_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

const Ops& ops(Dialect d) noexcept { return d == Dialect::sqlite ? sqlite_ops : postgres_ops; }

void Ops::placeholder(std::string& out, std::size_t n) const {
  if (!numbered_placeholders) {
    out += '?';
  } else {
    out += '$';
    out += std::to_string(n);
  }
}

std::string Ops::placeholder(std::size_t n) const {
  std::string out;
  placeholder(out, n);
  return out;
}

std::string Ops::begin(Isolation isolation) const {
  if (dialect == Dialect::sqlite) return "BEGIN IMMEDIATE";  // serializable whatever is asked
  switch (isolation) {
    case Isolation::read_committed: return "BEGIN ISOLATION LEVEL READ COMMITTED";
    case Isolation::repeatable_read: return "BEGIN ISOLATION LEVEL REPEATABLE READ";
    case Isolation::serializable: return "BEGIN ISOLATION LEVEL SERIALIZABLE";
    case Isolation::default_: break;
  }
  return "BEGIN";
}

Wrap Ops::extract(Op part) const {
  if (dialect == Dialect::sqlite) {
    switch (part) {
      case Op::date: return {"date(", ")"};
      case Op::year: return {"CAST(strftime('%Y', ", ") AS INTEGER)"};
      case Op::month: return {"CAST(strftime('%m', ", ") AS INTEGER)"};
      case Op::day: return {"CAST(strftime('%d', ", ") AS INTEGER)"};
      // Django: 1 = Sunday ... 7 = Saturday
      case Op::week_day: return {"(CAST(strftime('%w', ", ") AS INTEGER) + 1)"};
      case Op::hour: return {"CAST(strftime('%H', ", ") AS INTEGER)"};
      default: return {"CAST(strftime('%M', ", ") AS INTEGER)"};
    }
  }
  switch (part) {
    case Op::date: return {"CAST(", " AS date)"};
    case Op::year: return {"CAST(EXTRACT(YEAR FROM ", ") AS integer)"};
    case Op::month: return {"CAST(EXTRACT(MONTH FROM ", ") AS integer)"};
    case Op::day: return {"CAST(EXTRACT(DAY FROM ", ") AS integer)"};
    case Op::week_day: return {"(CAST(EXTRACT(DOW FROM ", ") AS integer) + 1)"};
    case Op::hour: return {"CAST(EXTRACT(HOUR FROM ", ") AS integer)"};
    default: return {"CAST(EXTRACT(MINUTE FROM ", ") AS integer)"};
  }
}

std::string_view Ops::variance_function(Op op, bool sample) const {
  // SQLite has no variance aggregate.
  if (dialect == Dialect::sqlite) return {};
  return op == Op::stddev ? (sample ? "STDDEV_SAMP" : "STDDEV_POP") : (sample ? "VAR_SAMP" : "VAR_POP");
}

Value Ops::array_param(const std::vector<Value>& values) const {
  const bool json = dialect == Dialect::sqlite;
  std::string out(1, json ? '[' : '{');
  out.reserve(values.size() * 8);
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(std::get<std::int64_t>(values[i]));
  }
  out += json ? ']' : '}';
  return out;
}

std::string Ops::like_pattern(std::string_view s, bool lead, bool trail) const {
  const bool glob = dialect == Dialect::sqlite;
  std::string p;
  if (lead) p += glob ? '*' : '%';
  p += glob ? glob_escape(s) : like_escape(s);
  if (trail) p += glob ? '*' : '%';
  return p;
}

std::span<const std::string_view> Ops::ddl(const App& app) const noexcept {
  return dialect == Dialect::sqlite ? app.ddl_sqlite : app.ddl_postgres;
}

}  // namespace aorm::detail::sql
