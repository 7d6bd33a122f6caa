// What each backend's SQL dialect looks like from the outside: the statements aorm sends
// (QueryCapture), the tables acreate_tables made, the plans aexplain returns. The rest of the
// suite proves the two backends behave alike; this file pins where they are meant to differ.
#include "blog_fixture.hpp"

namespace behaviour {
namespace {

const auto& f = Article::f;

/// The SQL of the only statement `cap` recorded (fails the test when there are others).
std::string only_sql(const aorm::QueryCapture& cap) {
  REQUIRE(cap.count() == 1);
  return cap.queries()[0].sql;
}

bool has(const std::string& text, std::string_view part) { return text.find(part) != std::string::npos; }

TEST_CASE("acreate is one INSERT with RETURNING on every backend") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    Article row{.title = "One trip", .slug = "one-trip", .author = b.ada};
    aorm::QueryCapture cap;
    Article a = co_await Article::objects.acreate(row);
    const std::string sql = only_sql(cap);
    CHECK(sql.starts_with("INSERT INTO \"blog_article\""));
    CHECK(has(sql, "RETURNING \"id\""));
    CHECK(has(sql, b.postgres() ? "$1" : "?"));
    CHECK(a.id > b.odd.id);
  });
}

TEST_CASE("case-insensitive lookups use ILIKE and ~* on PostgreSQL") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    {
      aorm::QueryCapture cap;
      CHECK(co_await Article::objects.filter(f.title.icontains("WORLD")).acount() == 1);
      CHECK(has(only_sql(cap), b.postgres() ? " ILIKE $1" : " GLOB aorm_lower(?)"));
    }
    {
      aorm::QueryCapture cap;
      CHECK(co_await Article::objects.filter(f.title.contains("World")).acount() == 1);
      CHECK(has(only_sql(cap), b.postgres() ? " LIKE $1" : " GLOB ?"));
    }
    {
      aorm::QueryCapture cap;
      CHECK(co_await Article::objects.filter(f.title.iregex("^hello")).acount() == 1);
      CHECK(has(only_sql(cap), b.postgres() ? " ~* $1" : " REGEXP ?"));
    }
  });
}

TEST_CASE("acreate_tables makes identity keys and native column types on PostgreSQL") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    if (!b.postgres()) {
      // SQLite: an AUTOINCREMENT key (ids are never reused after a delete), whose counter
      // lives in sqlite_sequence.
      CHECK(co_await b.db.aexecute("UPDATE sqlite_sequence SET seq = seq WHERE name = 'blog_article'") == 1);
      co_return;
    }
    // A SELECT's rows_affected on PostgreSQL is its row count (the command tag).
    auto column_is = [&](const char* table, const char* column, const char* type) -> aorm::Task<bool> {
      const std::int64_t n = co_await b.db.aexecute(
          "SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
          "AND table_name = $1 AND column_name = $2 AND data_type = $3",
          std::string(table), std::string(column), std::string(type));
      co_return n == 1;
    };
    CHECK(co_await column_is("blog_article", "id", "bigint"));
    CHECK(co_await column_is("blog_article", "created_at", "timestamp with time zone"));
    CHECK(co_await column_is("blog_article", "rating", "double precision"));
    CHECK(co_await column_is("blog_comment", "approved", "boolean"));
    CHECK(co_await b.db.aexecute("SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
                                 "AND table_name = 'blog_article' AND column_name = 'id' AND is_identity = 'YES'") ==
          1);
  });
}

TEST_CASE("aexplain returns the plan in the backend's own words") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    const std::string plan = co_await Article::objects.filter(f.slug == "hello-world").aexplain();
    CAPTURE(plan);
    if (b.postgres()) {
      CHECK(has(plan, "Scan"));  // "Index Scan using ..." or "Seq Scan on blog_article"
    } else {
      CHECK(has(plan, "SEARCH"));  // "SEARCH blog_article USING INDEX ..."
    }
    CHECK(has(plan, "blog_article"));
  });
}

}  // namespace
}  // namespace behaviour
