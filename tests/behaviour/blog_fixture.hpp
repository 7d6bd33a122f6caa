// blog_fixture.hpp — what every behaviour test uses: a fresh database per test case with the
// blog tables created, on every backend configuration, plus a small known data set.
//
//   TEST_CASE("...") {
//     for_each_backend([](Blog& b) -> aorm::Task<void> {
//       co_await b.seed();
//       CHECK(co_await Article::objects.acount() == 4);
//     });
//   }
//
// The configurations: SQLite with worker threads, SQLite inline on the loop thread, and
// PostgreSQL. One run of the executable covers either the two SQLite ones (the default) or
// PostgreSQL alone (`behaviour_tests --aorm-backend=postgres`, which ctest registers as the
// "postgres.<name>" tests with the pg_server fixture attached). for_each_backend() opens one
// doctest SUBCASE per configuration of the run, each on a new database: a new SQLite file,
// or a new schema on the PostgreSQL test server (tests/postgres/pg_server.sh).
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "aorm/database.hpp"
#include "backends.hpp"

#include "blog/models.hpp"

// Readable failure messages for the string collections the tests compare.
namespace behaviour {
/// {"a", "b"}: how doctest shows a collection of strings.
template <class C>
doctest::String join_strings(const C& items) {
  std::ostringstream out;
  out << '{';
  const char* sep = "";
  for (const std::string& s : items) {
    out << sep << '"' << s << '"';
    sep = ", ";
  }
  out << '}';
  return doctest::String(out.str().c_str());
}
}  // namespace behaviour

namespace doctest {
template <>
struct StringMaker<std::set<std::string>> {
  static String convert(const std::set<std::string>& s) { return behaviour::join_strings(s); }
};
template <>
struct StringMaker<std::vector<std::string>> {
  static String convert(const std::vector<std::string>& v) { return behaviour::join_strings(v); }
};
}  // namespace doctest

namespace behaviour {

using blog::Article;
using blog::Author;
using blog::Comment;
using blog::Tag;

/// A UTC timestamp: at(2024, 1, 15, 9, 30) is 2024-01-15 09:30:00.
inline aorm::DateTime at(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0) {
  using namespace std::chrono;
  return aorm::DateTime{sys_days{year{y} / month{m} / day{d}} + hours{hh} + minutes{mm} +
                        seconds{ss}};
}

/// A calendar date.
inline aorm::Date day_of(int y, unsigned m, unsigned d) {
  using namespace std::chrono;
  return sys_days{year{y} / month{m} / day{d}};
}

// The backend configurations and a fresh database per test (tests/common/backends.hpp).
using aorm_test::Backend;
using aorm_test::postgres_run;
using aorm_test::postgres_server;
using aorm_test::TempDatabase;

/// The state a test body sees: the open database and, after seed(), the known rows.
///
/// The seeded data (created_at is fixed after insert so that ordering is deterministic):
///
///   article        slug          status     views rating author published_at      created_at
///   hello          hello-world   published  10    4.5    ada    2024-01-15 09:30  2024-01-10
///   async_cpp      async-cpp     published  25    3.0    ada    2024-03-02 18:05  2024-02-20
///   draft          draft-notes   draft       0    null   linus  null              2024-04-01
///   odd            odd-chars     archived    5    2.0    linus  2023-12-31 23:59  2023-12-01
///
/// Titles: "Hello World", "Async C++ in practice", "Draft notes", "100% pure_C\ode".
/// Bodies: "First post", "co_await everything", null, "percent, underscore, backslash".
/// Tags: cpp, python, databases (not linked: relations come in a later issue).
struct Blog {
  aorm::Database db;
  Backend backend = Backend::sqlite_workers;

  Author ada, linus;
  Article hello, async_cpp, draft, odd;
  Tag cpp, python, databases;

  /// Inserts the data set above and reloads every object so it holds what the table holds.
  aorm::Task<void> seed();

  bool postgres() const noexcept { return backend == Backend::postgres; }
  /// The n-th (1-based) placeholder of raw SQL in this backend's dialect: `?` or `$n`.
  std::string param(int n) const { return postgres() ? "$" + std::to_string(n) : "?"; }
};

/// A test body: runs inside aorm::run with the database connected and the tables created.
using BlogBody = std::function<aorm::Task<void>(Blog&)>;

/// Runs `body` on a fresh database of the given configuration; closes it afterwards, also
/// when the body throws (the exception then propagates to the test).
void run_blog(Backend backend, const BlogBody& body);

/// Runs `body` once per configuration of this run, each in its own doctest SUBCASE. On a
/// PostgreSQL run without a server it prints "aorm-postgres-skip: <why>" (ctest reports
/// the test skipped) and runs nothing.
void for_each_backend(const BlogBody& body);

/// Counts the statements of `cap` whose SQL starts with `verb` ("INSERT", "SELECT", ...).
std::int64_t statements_starting_with(const aorm::QueryCapture& cap, std::string_view verb);

}  // namespace behaviour
