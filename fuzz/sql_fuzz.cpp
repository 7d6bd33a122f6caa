// sql_fuzz — the SQL compiler on random expression trees and values built through the public
// expression API over the blog models. Contract checked for every statement (SELECT, COUNT,
// EXISTS, UPDATE, DELETE): its `?` placeholders (outside quoted identifiers) number exactly
// its parameters; SQLite, given the blog DDL, prepares it (a compiler bug otherwise) and
// reports the same parameter count; running it with the values bound either succeeds or
// fails with an SQLite error code, never crashes.
#include <sqlite3.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "aorm/detail/sql/compiler.hpp"
#include "sqlite/functions.hpp"
#include "blog/models.hpp"
#include "bytes.hpp"

namespace {

using blog::Article;
using P = aorm::Predicate<Article>;
namespace sql = aorm::detail::sql;
const auto& f = Article::f;

[[noreturn]] void fail(const char* what, const aorm::Statement& s) {
  std::fprintf(stderr, "sql_fuzz: %s\n  sql: %s\n  params: %zu\n", what, s.sql.c_str(), s.params.size());
  std::abort();
}

/// A random leaf predicate over one of Article's columns.
P leaf(aorm_fuzz::Bytes& in) {
  switch (in.pick(20)) {
    case 0: return f.views > in.int64();
    case 1: return f.views + in.int64() <= in.int64();
    case 2: return f.views.in(std::vector<std::int64_t>{in.int64(), in.int64(), in.int64()});
    case 3: return f.views.range(in.int64(), in.int64());
    case 4: return f.title == in.text(12);
    case 5: return f.title.contains(in.text(12));
    case 6: return f.title.icontains(in.text(12));
    case 7: return f.slug.startswith(in.text(12));
    case 8: return f.slug.endswith(in.text(12));
    case 9: return f.title.iexact(in.text(12));
    case 10: return f.title.regex(in.text(8));
    case 11: return f.body.isnull(in.byte() & 1);
    case 12: return f.body == in.text(12);
    case 13: return f.rating > in.real();
    case 14: return f.rating != in.real();
    case 15: return f.status == Article::Status::published;
    case 16: return f.created_at.year() == in.int64();
    case 17: return f.author == in.int64();
    case 18: return f.title.in(std::vector<std::string>{in.text(6), in.text(6)});
    default: return f.views * in.int64() - f.views != in.int64();
  }
}

/// A random predicate tree of at most `depth` levels.
P tree(aorm_fuzz::Bytes& in, int depth) {
  if (depth == 0 || in.empty()) return leaf(in);
  switch (in.pick(4)) {
    case 0: return tree(in, depth - 1) && tree(in, depth - 1);
    case 1: return tree(in, depth - 1) || tree(in, depth - 1);
    case 2: return !tree(in, depth - 1);
    default: return leaf(in);
  }
}

/// The `?` placeholders of `sql` outside "quoted identifiers" and 'string literals'.
std::size_t placeholders(const std::string& sql) {
  std::size_t n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote) {
      if (c == quote) quote = 0;  // a doubled quote re-enters at once: same count
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '?') {
      ++n;
    }
  }
  return n;
}

/// One database for the whole run: the blog tables and a few rows to evaluate against.
sqlite3* database() {
  static sqlite3* db = [] {
    sqlite3* d = nullptr;
    if (sqlite3_open(":memory:", &d) != SQLITE_OK) std::abort();
    if (sql::register_sqlite_functions(d) != SQLITE_OK) std::abort();
    const std::string ddl = blog::app.ddl(aorm::Dialect::sqlite);
    const char* rows =
        "INSERT INTO blog_author (name, email) VALUES ('ada', 'a@x'), ('linus', 'l@x');"
        "INSERT INTO blog_article (title, slug, body, status, views, rating, author_id, created_at)"
        " VALUES ('Hello', 'hello', NULL, 'draft', 3, 4.5, 1, '2024-01-10 00:00:00.000000'),"
        "        ('100% _x_', 'odd', 'b', 'published', -2, NULL, 2, '2023-05-01 12:00:00.000000');";
    if (sqlite3_exec(d, ddl.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK ||
        sqlite3_exec(d, rows, nullptr, nullptr, nullptr) != SQLITE_OK)
      std::abort();
    return d;
  }();
  return db;
}

void bind(sqlite3_stmt* st, int i, const aorm::Value& v) {
  if (std::holds_alternative<std::nullptr_t>(v)) sqlite3_bind_null(st, i);
  else if (auto* n = std::get_if<std::int64_t>(&v)) sqlite3_bind_int64(st, i, *n);
  else if (auto* d = std::get_if<double>(&v)) sqlite3_bind_double(st, i, *d);
  else if (auto* s = std::get_if<std::string>(&v))
    sqlite3_bind_text64(st, i, s->data(), s->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  else {
    const auto& b = std::get<aorm::Bytes>(v);
    sqlite3_bind_blob64(st, i, b.data(), b.size(), SQLITE_TRANSIENT);
  }
}

/// Checks `s` and runs it inside a transaction that is rolled back (the rows stay as seeded).
void check(const aorm::Statement& s) {
  if (placeholders(s.sql) != s.params.size()) fail("placeholder count differs from the parameter count", s);
  sqlite3* db = database();
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, s.sql.c_str(), static_cast<int>(s.sql.size()), &st, nullptr) != SQLITE_OK) {
    std::fprintf(stderr, "sqlite: %s\n", sqlite3_errmsg(db));
    fail("SQLite rejects the statement's syntax", s);
  }
  if (static_cast<std::size_t>(sqlite3_bind_parameter_count(st)) != s.params.size())
    fail("SQLite counts other parameters", s);
  for (std::size_t i = 0; i < s.params.size(); ++i) bind(st, static_cast<int>(i) + 1, s.params[i]);
  sqlite3_exec(db, "SAVEPOINT fuzz", nullptr, nullptr, nullptr);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
  }
  // SQLITE_DONE, or a clean error (a bad regex, an integer overflow, a pattern too long).
  sqlite3_finalize(st);
  sqlite3_exec(db, "ROLLBACK TO fuzz; RELEASE fuzz", nullptr, nullptr, nullptr);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  aorm_fuzz::Bytes in(data, size);
  auto qs = Article::objects.filter(tree(in, 6));
  if (in.byte() & 1) qs = qs.exclude(tree(in, 2));
  if (in.byte() & 1) qs = qs.order_by(f.views.desc(), f.title);
  if (in.byte() & 1) qs = qs.distinct();
  const auto& q = qs.state().query;
  check(sql::select(q, aorm::Dialect::sqlite));
  check(sql::count(q, aorm::Dialect::sqlite));
  check(sql::exists(q, aorm::Dialect::sqlite));
  check(sql::remove(q, aorm::Dialect::sqlite));
  const std::vector<std::pair<int, aorm::detail::NodePtr>> sets{
      {f.views.column(), (f.views + in.int64()).node()}, {f.title.column(), sql::param(aorm::Value(in.text(8)))}};
  check(sql::update(q, sets, aorm::Dialect::sqlite));
  // The same tree, sliced: COUNT and aggregates go through a subquery.
  const auto sliced = qs.slice(in.pick(3), 2 + in.pick(3));
  check(sql::count(sliced.state().query, aorm::Dialect::sqlite));
  check(sql::select(sliced.state().query, aorm::Dialect::sqlite));
  return 0;
}
