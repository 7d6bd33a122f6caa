// The SQL compiler's text and parameters for every lookup, in both dialects. These run
// without a database: they pin down exactly what is sent.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "model.hpp"

namespace {

using aorm::Dialect;
using aorm::Value;
using qt::Article;
namespace sql = aorm::detail::sql;
const auto& f = Article::f;

/// The WHERE clause (after " WHERE ") of a count over `qs`, and its parameters.
struct Where {
  std::string text;
  std::vector<Value> params;
};
Where where(const aorm::QuerySet<Article>& qs, Dialect d = Dialect::sqlite) {
  aorm::Statement s = sql::count(qs.state().query, d);
  const auto at = s.sql.find(" WHERE ");
  return {at == std::string::npos ? std::string() : s.sql.substr(at + 7), std::move(s.params)};
}
Where where(const aorm::Predicate<Article>& p, Dialect d = Dialect::sqlite) {
  return where(Article::objects.filter(p), d);
}
std::string pg(const aorm::Predicate<Article>& p) { return where(p, Dialect::postgres).text; }
Value v(std::string s) { return Value(std::move(s)); }
Value v(std::int64_t i) { return Value(i); }

TEST_CASE("comparisons compile to quoted columns and bound parameters") {
  auto w = where(f.views > 10);
  CHECK(w.text == R"(("qt_article"."views" > ?))");
  CHECK(w.params == std::vector<Value>{v(10)});
  CHECK(pg(f.views > 10) == R"(("qt_article"."views" > $1))");
  CHECK(where(f.views >= 1).text == R"(("qt_article"."views" >= ?))");
  CHECK(where(f.views < 1).text == R"(("qt_article"."views" < ?))");
  CHECK(where(f.views <= 1).text == R"(("qt_article"."views" <= ?))");
  CHECK(where(f.title == "x").text == R"(("qt_article"."title" = ?))");
  CHECK(where(f.title == "x").params == std::vector<Value>{v("x")});
  CHECK(where(f.pk == 3).text == R"(("qt_article"."id" = ?))");
}

TEST_CASE("!= is Django's negated equality, which keeps NULL rows of nullable columns") {
  CHECK(where(f.views != 1).text == R"(NOT ("qt_article"."views" = ?))");
  CHECK(where(f.rating != 3.0).text == R"(NOT COALESCE(("qt_article"."rating" = ?), 0))");
  CHECK(pg(f.rating != 3.0) == R"(NOT COALESCE(("qt_article"."rating" = $1), FALSE))");
}

TEST_CASE("text lookups are case-sensitive GLOBs on SQLite and LIKE on PostgreSQL, wildcards escaped") {
  auto w = where(f.title.contains("50%_[x]*?\\"));
  CHECK(w.text == R"(("qt_article"."title" GLOB ?))");
  CHECK(w.params == std::vector<Value>{v("*50%_[[]x][*][?]\\*")});
  auto p = where(f.title.contains("50%_\\"), Dialect::postgres);
  CHECK(p.text == R"(("qt_article"."title" LIKE $1))");
  CHECK(p.params == std::vector<Value>{v("%50\\%\\_\\\\%")});
  CHECK(where(f.title.startswith("ab")).params == std::vector<Value>{v("ab*")});
  CHECK(where(f.title.endswith("ab")).params == std::vector<Value>{v("*ab")});
  CHECK(where(f.title.startswith("ab"), Dialect::postgres).params == std::vector<Value>{v("ab%")});
  CHECK(where(f.title.endswith("ab"), Dialect::postgres).params == std::vector<Value>{v("%ab")});
}

TEST_CASE("i-lookups fold case with aorm_lower on SQLite and ILIKE / LOWER on PostgreSQL") {
  CHECK(where(f.title.iexact("Ab")).text == R"((aorm_lower("qt_article"."title") = aorm_lower(?)))");
  CHECK(pg(f.title.iexact("Ab")) == R"((LOWER("qt_article"."title") = LOWER($1)))");
  auto w = where(f.title.icontains("A*"));
  CHECK(w.text == R"((aorm_lower("qt_article"."title") GLOB aorm_lower(?)))");
  CHECK(w.params == std::vector<Value>{v("*A[*]*")});
  CHECK(pg(f.title.icontains("a")) == R"(("qt_article"."title" ILIKE $1))");
  CHECK(where(f.title.istartswith("a")).params == std::vector<Value>{v("a*")});
  CHECK(where(f.title.iendswith("a"), Dialect::postgres).params == std::vector<Value>{v("%a")});
  CHECK(where(f.body.icontains("x")).text == R"((aorm_lower("qt_article"."body") GLOB aorm_lower(?)))");
}

TEST_CASE("regex lookups use REGEXP on SQLite and ~ / ~* on PostgreSQL") {
  CHECK(where(f.title.regex("^A.+")).text == R"(("qt_article"."title" REGEXP ?))");
  CHECK(where(f.title.regex("^A.+")).params == std::vector<Value>{v("^A.+")});
  CHECK(where(f.title.iregex("^a")).params == std::vector<Value>{v("(?i)^a")});
  CHECK(pg(f.title.regex("^a")) == R"(("qt_article"."title" ~ $1))");
  CHECK(pg(f.title.iregex("^a")) == R"(("qt_article"."title" ~* $1))");
}

TEST_CASE("in, range and isnull") {
  const std::int64_t one = 1, two = 2;
  auto w = where(f.views.in({one, two}));
  CHECK(w.text == R"(("qt_article"."views" IN (?, ?)))");
  CHECK(w.params == std::vector<Value>{v(1), v(2)});
  const std::vector<std::string> slugs{"a", "b", "c"};
  CHECK(pg(f.slug.in(slugs)) == R"(("qt_article"."slug" IN ($1, $2, $3)))");
  CHECK(where(f.views.range(1, 5)).text == R"(("qt_article"."views" BETWEEN ? AND ?))");
  CHECK(where(f.rating.isnull()).text == R"(("qt_article"."rating" IS NULL))");
  CHECK(where(f.rating.isnull(false)).text == R"(("qt_article"."rating" IS NOT NULL))");
  CHECK(where(f.rating == std::nullopt).text == R"(("qt_article"."rating" IS NULL))");
}

TEST_CASE("in({}) folds the whole condition to false, and the query is known to match nothing") {
  const auto empty = f.views.in({});
  CHECK(Article::objects.filter(empty).state().query.never());
  CHECK(Article::objects.filter(f.views > 1 && empty).state().query.never());
  CHECK(Article::objects.none().state().query.never());
  CHECK(where(f.views > 1 || empty).text == R"(("qt_article"."views" > ?))");
  CHECK(where(!empty).text.empty());  // NOT FALSE: no condition at all
  CHECK_FALSE(Article::objects.filter(f.views > 1).state().query.never());
}

TEST_CASE("date parts use strftime on SQLite and EXTRACT on PostgreSQL") {
  CHECK(where(f.created_at.year() == 2024).text ==
        R"((CAST(strftime('%Y', "qt_article"."created_at") AS INTEGER) = ?))");
  CHECK(where(f.created_at.month() == 1).text ==
        R"((CAST(strftime('%m', "qt_article"."created_at") AS INTEGER) = ?))");
  CHECK(where(f.created_at.week_day() == 1).text ==
        R"(((CAST(strftime('%w', "qt_article"."created_at") AS INTEGER) + 1) = ?))");
  CHECK(where(f.published_at.hour() >= 9).text ==
        R"((CAST(strftime('%H', "qt_article"."published_at") AS INTEGER) >= ?))");
  CHECK(pg(f.created_at.day() == 2) == R"((CAST(EXTRACT(DAY FROM "qt_article"."created_at") AS integer) = $1))");
  CHECK(pg(f.created_at.week_day() == 2) ==
        R"(((CAST(EXTRACT(DOW FROM "qt_article"."created_at") AS integer) + 1) = $1))");
  const aorm::Date day{std::chrono::sys_days{std::chrono::year{2024} / 1 / 15}};
  auto w = where(f.published_at.date() == day);
  CHECK(w.text == R"((date("qt_article"."published_at") = ?))");
  CHECK(w.params == std::vector<Value>{v("2024-01-15")});
  CHECK(pg(f.published_at.date() == day) == R"((CAST("qt_article"."published_at" AS date) = $1))");
}

TEST_CASE("enums bind their stored choice, foreign keys bind the referenced id") {
  CHECK(where(f.status == "published").params == std::vector<Value>{v("published")});
  CHECK(where(f.status == Article::Status::archived).params == std::vector<Value>{v("archived")});
  CHECK(where(f.status != "draft").text == R"(NOT ("qt_article"."status" = ?))");
  qt::Author ada{.id = 7, .name = "Ada", .email = "a@x"};
  CHECK(where(f.author == ada).text == R"(("qt_article"."author_id" = ?))");
  CHECK(where(f.author == ada).params == std::vector<Value>{v(7)});
  CHECK(where(f.author == 9).params == std::vector<Value>{v(9)});
}

TEST_CASE("&&, || and ! combine predicates, placeholders are numbered in text order") {
  auto p = (f.views > 1 && f.title == "a") || !(f.views < 5);
  CHECK(where(p).text ==
        R"(((("qt_article"."views" > ?) AND ("qt_article"."title" = ?)) OR NOT ("qt_article"."views" < ?)))");
  CHECK(pg(p) == R"(((("qt_article"."views" > $1) AND ("qt_article"."title" = $2)) OR NOT ("qt_article"."views" < $3)))");
  CHECK(where(Article::objects.filter(f.views > 1).exclude(f.rating == 2.0)).text ==
        R"((("qt_article"."views" > ?) AND NOT COALESCE(("qt_article"."rating" = ?), 0)))");
}

TEST_CASE("F arithmetic compares columns with columns and builds update assignments") {
  CHECK(where(f.views > f.id * 2).text == R"(("qt_article"."views" > ("qt_article"."id" * ?)))");
  const auto qs = Article::objects.filter(f.views > 0);
  const aorm::Assignment<Article> a = f.views = f.views + 1;
  const std::vector<std::pair<int, aorm::detail::NodePtr>> sets{{a.column, a.value}};
  auto s = sql::update(qs.state().query, sets, Dialect::sqlite);
  CHECK(s.sql == R"(UPDATE "qt_article" SET "views" = ("qt_article"."views" + ?) WHERE ("qt_article"."views" > ?))");
  CHECK(s.params == std::vector<Value>{v(1), v(0)});
  auto p = sql::update(qs.state().query, sets, Dialect::postgres);
  CHECK(p.sql == R"(UPDATE "qt_article" SET "views" = ("qt_article"."views" + $1) WHERE ("qt_article"."views" > $2))");
}

TEST_CASE("SELECT lists every column, applies Meta.ordering and composes slices like Django") {
  auto s = sql::select(Article::objects.all().state().query, Dialect::sqlite);
  CHECK(s.sql.starts_with(R"(SELECT "qt_article"."id", "qt_article"."title", )"));
  CHECK(s.sql.ends_with(R"( FROM "qt_article" ORDER BY "qt_article"."created_at" DESC)"));
  CHECK(sql::select(Article::objects.order_by().state().query, Dialect::sqlite).sql.ends_with(R"(FROM "qt_article")"));
  auto sliced = Article::objects.order_by(f.views.desc(), f.id).slice(2, 10).slice(1, 3);
  // LIMIT and OFFSET are parameters: every page of a query is one prepared statement.
  const auto page = sql::select(sliced.state().query, Dialect::sqlite);
  CHECK(page.sql.ends_with(R"(ORDER BY "qt_article"."views" DESC, "qt_article"."id" ASC LIMIT ? OFFSET ?)"));
  CHECK(page.params == std::vector<Value>{v(2), v(3)});
  const auto off = sql::select(Article::objects.offset(5).state().query, Dialect::sqlite);
  CHECK(off.sql.ends_with(" LIMIT -1 OFFSET ?"));
  CHECK(off.params == std::vector<Value>{v(5)});
  const auto pg_page = sql::select(Article::objects.filter(f.views > 1).slice(2, 10).state().query, Dialect::postgres);
  CHECK(pg_page.sql.ends_with(R"(WHERE ("qt_article"."views" > $1) ORDER BY "qt_article"."created_at" DESC LIMIT $2 OFFSET $3)"));
  CHECK(pg_page.params == std::vector<Value>{v(1), v(8), v(2)});
  CHECK(sql::select(Article::objects.offset(5).state().query, Dialect::postgres).sql.ends_with(" DESC OFFSET $1"));
  CHECK(sql::select(Article::objects.order_by(aorm::random()).state().query, Dialect::sqlite)
            .sql.ends_with("ORDER BY RANDOM() ASC"));
  CHECK(sql::select(Article::objects.only(f.title).state().query, Dialect::sqlite).sql.starts_with(
      R"(SELECT "qt_article"."id", "qt_article"."title" FROM)"));
}

TEST_CASE("count of a sliced or distinct query counts a subquery") {
  auto s = sql::count(Article::objects.filter(f.views > 1).limit(2).state().query, Dialect::sqlite);
  CHECK(s.sql.starts_with("SELECT COUNT(*) FROM (SELECT "));
  CHECK(s.sql.ends_with(R"( WHERE ("qt_article"."views" > ?) ORDER BY "qt_article"."created_at" DESC LIMIT ?) "subquery")"));
  CHECK(s.params == std::vector<Value>{v(1), v(2)});
  auto d = sql::count(Article::objects.order_by(f.status).values_list(f.status).distinct().state().query,
                      Dialect::postgres);
  CHECK(d.sql == R"(SELECT COUNT(*) FROM (SELECT DISTINCT "qt_article"."status" FROM "qt_article") "subquery")");
  CHECK(sql::count(Article::objects.all().state().query, Dialect::sqlite).sql ==
        R"(SELECT COUNT(*) FROM "qt_article")");
}

TEST_CASE("aggregates compile with DISTINCT, FILTER and SQLite's missing variance spelled out") {
  const auto q = Article::objects.all().state().query;
  const std::vector<aorm::detail::NodePtr> aggs{aorm::Count(f.author, {.distinct = true}).node(),
                                                aorm::Count(f.id, f.views > 5).node(), aorm::Avg(f.views).node()};
  auto s = sql::aggregate(q, aggs, Dialect::sqlite);
  CHECK(s.sql == R"(SELECT COUNT(DISTINCT "qt_article"."author_id"), COUNT("qt_article"."id") FILTER (WHERE ("qt_article"."views" > ?)), AVG("qt_article"."views") FROM "qt_article")");
  const std::vector<aorm::detail::NodePtr> var{aorm::Variance(f.views).node(), aorm::StdDev(f.views, {.sample = true}).node()};
  CHECK(sql::aggregate(q, var, Dialect::postgres).sql ==
        R"(SELECT VAR_POP("qt_article"."views"), STDDEV_SAMP("qt_article"."views") FROM "qt_article")");
  CHECK(sql::aggregate(q, var, Dialect::sqlite).sql.starts_with(
      R"(SELECT ((SUM(CAST("qt_article"."views" AS REAL) * CAST("qt_article"."views" AS REAL)) - )"));
}

TEST_CASE("values().annotate() groups by the values columns and drops Meta.ordering") {
  auto qs = Article::objects.values(f.status).annotate(aorm::Count(f.id));
  CHECK(sql::select(qs.state().query, Dialect::sqlite).sql ==
        R"(SELECT "qt_article"."status", COUNT("qt_article"."id") AS "a0" FROM "qt_article" GROUP BY "qt_article"."status")");
}

TEST_CASE("INSERT, bulk UPDATE and DELETE statements") {
  const auto& m = aorm::ModelTraits<qt::Tag>::meta();
  const std::vector<int> cols{1};
  auto s = sql::insert(m, cols, {v("a"), v("b")}, 2, {}, Dialect::sqlite);
  CHECK(s.sql == R"(INSERT INTO "qt_tag" ("name") VALUES (?), (?) RETURNING "id")");
  sql::InsertOptions up;
  up.update_conflicts = true;
  up.unique_columns = {1};
  up.update_columns = {1};
  CHECK(sql::insert(m, cols, {v("a")}, 1, up, Dialect::postgres).sql ==
        R"(INSERT INTO "qt_tag" ("name") VALUES ($1) ON CONFLICT ("name") DO UPDATE SET "name" = EXCLUDED."name" RETURNING "id")");
  sql::InsertOptions ignore;
  ignore.ignore_conflicts = true;
  ignore.returning_pk = false;
  CHECK(sql::insert(m, cols, {v("a")}, 1, ignore, Dialect::sqlite).sql ==
        R"(INSERT INTO "qt_tag" ("name") VALUES (?) ON CONFLICT DO NOTHING)");
  const std::vector<Value> pks{v(1), v(2)}, values{v("x"), v("y")};
  auto b = sql::bulk_update(m, cols, pks, values, Dialect::sqlite);
  CHECK(b.sql == R"(UPDATE "qt_tag" SET "name" = CASE WHEN "id" = ? THEN ? WHEN "id" = ? THEN ? END WHERE "id" IN (?, ?))");
  CHECK(b.params == std::vector<Value>{v(1), v("x"), v(2), v("y"), v(1), v(2)});
  const aorm::ManyToManyMeta& tags = aorm::ModelTraits<Article>::meta().many_to_many[0];
  auto links = sql::remove_links(Article::objects.filter(f.views > 3).state().query, tags.table,
                                 tags.source_column, Dialect::sqlite);
  CHECK(links.sql == R"(DELETE FROM "qt_article_tags" WHERE "article_id" IN (SELECT "qt_article"."id" FROM "qt_article" WHERE ("qt_article"."views" > ?)))");
}

TEST_CASE("in_query selects the primary keys of another model's rows, each column with its own table") {
  auto parent = std::make_shared<sql::Query>(Article::objects.filter(f.views > 3).state().query);
  sql::Query child;
  child.meta = &aorm::ModelTraits<qt::Comment>::meta();
  child.where = sql::in_query(sql::column(1), parent);
  CHECK(sql::remove(child, Dialect::postgres).sql ==
        R"(DELETE FROM "qt_comment" WHERE ("qt_comment"."article_id" IN (SELECT "qt_article"."id" FROM "qt_article" WHERE ("qt_article"."views" > $1))))");
  auto none = std::make_shared<sql::Query>(Article::objects.none().state().query);
  CHECK(sql::is_false(sql::in_query(sql::column(1), none)));
}

TEST_CASE("select_related joins the target table: INNER for required keys, LEFT OUTER for nullable ones") {
  auto s = sql::select(Article::objects.select_related(f.author).order_by().state().query, Dialect::sqlite);
  CHECK(s.sql.ends_with(R"("qt_article"."updated_at", "T2"."id", "T2"."name", "T2"."email" FROM "qt_article" INNER JOIN "qt_author" "T2" ON ("qt_article"."author_id" = "T2"."id"))"));
  const auto& c = qt::Comment::f;
  auto n = sql::select(qt::Comment::objects.select_related(c.author, c.article).state().query, Dialect::postgres);
  CHECK(n.sql.find(R"( FROM "qt_comment" LEFT OUTER JOIN "qt_author" "T2" ON ("qt_comment"."author_id" = "T2"."id") INNER JOIN "qt_article" "T3" ON ("qt_comment"."article_id" = "T3"."id"))") != std::string::npos);
  CHECK(sql::count(Article::objects.select_related(f.author).state().query, Dialect::sqlite).sql ==
        R"(SELECT COUNT(*) FROM "qt_article")");
}

TEST_CASE("identifiers are quoted with embedded quotes doubled") {
  CHECK(sql::quote("a\"b") == "\"a\"\"b\"");
}

}  // namespace

namespace qtest {
namespace {

TEST_CASE("select_for_update of names the model's table and select_related joins on postgres") {
  const auto qs = Article::objects.select_related(Article::f.author)
                      .select_for_update({.nowait = true, .of = {aorm::self, Article::f.author.column()}});
  const std::string pgsql = sql::select(qs.state().query, Dialect::postgres).sql;
  CHECK(pgsql.ends_with(R"( FOR UPDATE OF "qt_article", "T2" NOWAIT)"));
  CHECK(sql::select(qs.state().query, Dialect::sqlite).sql.find("FOR UPDATE") == std::string::npos);
  const auto bad = Article::objects.select_for_update({.of = {Article::f.author.column()}});
  CHECK_THROWS_AS((void)sql::select(bad.state().query, Dialect::postgres), aorm::Error);
}

}  // namespace
}  // namespace qtest
