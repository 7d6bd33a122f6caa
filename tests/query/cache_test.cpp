// The compiled-SQL cache (sql::compile): queries of one shape share their SQL text and only
// re-collect parameter values; queries of different shapes never share an entry. Every
// cached result is checked against the uncached compiler (sql::select/count/exists).
#include <doctest/doctest.h>

#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fixture.hpp"

namespace {

using aorm::Dialect;
using aorm::Value;
using qt::Article;
namespace sql = aorm::detail::sql;
const auto& f = Article::f;

aorm::Statement uncached(sql::Form form, const sql::Query& q, Dialect d) {
  switch (form) {
    case sql::Form::select: return sql::select(q, d);
    case sql::Form::count: return sql::count(q, d);
    case sql::Form::exists: return sql::exists(q, d);
  }
  return {};
}

/// Compiles `qs` through the cache, checks text, parameters and result layout against the
/// uncached compiler, and says whether it was a cache hit.
template <class Row>
bool hit(const aorm::QuerySet<Article, Row>& qs, sql::Form form = sql::Form::select, Dialect d = Dialect::sqlite) {
  const sql::Query& q = qs.state().query;
  const auto before = sql::cache_stats();
  const sql::Compiled c = sql::compile(form, q, d);
  const auto after = sql::cache_stats();
  const aorm::Statement u = uncached(form, q, d);
  CHECK(c.statement.sql == u.sql);
  CHECK(c.statement.params == u.params);
  if (form == sql::Form::select) {
    CHECK(c.shape->columns == q.selected_columns());
    CHECK(c.shape->joined == q.join_offsets());
  }
  return after.hits == before.hits + 1;
}
bool hit(const aorm::Predicate<Article>& p, Dialect d = Dialect::sqlite) {
  return hit(Article::objects.filter(p), sql::Form::select, d);
}

std::vector<std::int64_t> ints(std::int64_t from, std::int64_t n) {
  std::vector<std::int64_t> out;
  for (std::int64_t i = 0; i < n; ++i) out.push_back(from + i);
  return out;
}

TEST_CASE("a query of a cached shape reuses its SQL and gets its own parameter values") {
  sql::clear_cache();
  CHECK_FALSE(hit(f.views > 1));
  CHECK(hit(f.views > 2));
  const auto c = sql::compile(sql::Form::select, Article::objects.filter(f.views > 7).state().query, Dialect::sqlite);
  CHECK(c.statement.params == std::vector<Value>{Value(std::int64_t{7})});
  CHECK_FALSE(hit(f.title == "a" && f.views < 3));
  CHECK(hit(f.title == "z" && f.views < 9));
  CHECK_FALSE(hit(f.title == "a" && f.views < 3, Dialect::postgres));  // each dialect its own entry
  CHECK(hit(f.title == "b" && f.views < 4, Dialect::postgres));
  CHECK(sql::cache_stats().entries == 3);
}

TEST_CASE("queries that differ in operator, column, combinator or NULL comparison never share an entry") {
  sql::clear_cache();
  // Each of these is a new shape; the same values are used where possible.
  CHECK_FALSE(hit(f.views > 1));
  CHECK_FALSE(hit(f.views < 1));
  CHECK_FALSE(hit(f.views >= 1));
  CHECK_FALSE(hit(f.views == 1));
  CHECK_FALSE(hit(f.views != 1));
  CHECK_FALSE(hit(f.id > 1));
  CHECK_FALSE(hit(f.views > 1 && f.id > 1));
  CHECK_FALSE(hit(f.views > 1 || f.id > 1));
  CHECK_FALSE(hit(f.id > 1 && f.views > 1));
  CHECK_FALSE(hit(f.rating == std::nullopt));  // IS NULL
  CHECK_FALSE(hit(f.rating == 3.0));
  CHECK_FALSE(hit(f.rating != 3.0));  // NOT COALESCE(...)
  CHECK_FALSE(hit(f.rating.isnull(false)));
  CHECK_FALSE(hit(f.views.range(1, 2)));
  // The same shapes again all hit.
  CHECK(hit(f.views > 5));
  CHECK(hit(f.rating == std::nullopt));
  CHECK(hit(f.rating == 4.0));
  CHECK(hit(f.views > 5 || f.id > 6));
}

TEST_CASE("IN lists of different lengths are different shapes until they are bound as one array") {
  sql::clear_cache();
  const std::int64_t a = 1, b = 2, c = 3;
  CHECK_FALSE(hit(f.views.in({a, b})));
  CHECK_FALSE(hit(f.views.in({a, b, c})));
  CHECK(hit(f.views.in({c, a})));
  // From sql::array_in_min integers on, one array parameter: every length shares a statement.
  const auto big = Article::objects.filter(f.views.in(ints(1, 20)));
  CHECK_FALSE(hit(big));
  CHECK(hit(Article::objects.filter(f.views.in(ints(100, 300)))));
  CHECK(hit(Article::objects.filter(f.views.in(ints(5, sql::array_in_min)))));
  const auto s = sql::select(big.state().query, Dialect::sqlite);
  CHECK(s.sql.ends_with(R"(WHERE ("qt_article"."views" IN (SELECT value FROM json_each(?))) ORDER BY "qt_article"."created_at" DESC)"));
  CHECK(s.params == std::vector<Value>{Value("[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]")});
  const auto p = sql::select(big.state().query, Dialect::postgres);
  CHECK(p.sql.ends_with(R"(WHERE ("qt_article"."views" = ANY($1)) ORDER BY "qt_article"."created_at" DESC)"));
  CHECK(p.params == std::vector<Value>{Value("{1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20}")});
  // Text values stay one parameter each.
  std::vector<std::string> slugs;
  for (int i = 0; i < 20; ++i) slugs.push_back("s" + std::to_string(i));
  CHECK(sql::select(Article::objects.filter(f.slug.in(slugs)).state().query, Dialect::sqlite).params.size() == 20);
}

TEST_CASE("text lookups: the pattern is rebuilt per query, and a NUL byte or the i-variant is another shape") {
  sql::clear_cache();
  CHECK_FALSE(hit(f.title.contains("a")));
  CHECK(hit(f.title.contains("50%_[x]*?")));  // escaped per query
  CHECK(hit(f.title.contains("50%_[x]*?"), Dialect::postgres) == false);
  CHECK(hit(f.title.contains("b_%"), Dialect::postgres));
  CHECK_FALSE(hit(f.title.contains(std::string("a\0b", 3))));  // compared as bytes on SQLite
  CHECK_FALSE(hit(f.title.icontains("a")));
  CHECK_FALSE(hit(f.title.startswith("a")));
  CHECK_FALSE(hit(f.title.endswith("a")));
  CHECK(hit(f.title.endswith("zz")));
  CHECK_FALSE(hit(f.title.regex("^a")));
  CHECK_FALSE(hit(f.title.iregex("^a")));
  CHECK(hit(f.title.iregex("^b")));
  CHECK_FALSE(hit(f.title.iexact("x")));
  CHECK(hit(f.title.iexact("y")));
}

TEST_CASE("slices, select_related, values, ordering and the statement form are part of the shape") {
  sql::clear_cache();
  const auto base = Article::objects.filter(f.views > 1);
  CHECK_FALSE(hit(base));
  CHECK_FALSE(hit(base.slice(0, 5)));   // LIMIT ?
  CHECK(hit(base.slice(5, 10)) == false);  // LIMIT ? OFFSET ?
  CHECK(hit(base.slice(10, 20)));
  CHECK(hit(base.slice(0, 7)));
  CHECK_FALSE(hit(base.offset(3)));     // LIMIT -1 OFFSET ? on SQLite
  CHECK(hit(base.offset(4)));
  CHECK_FALSE(hit(base.select_related(f.author)));
  CHECK(hit(Article::objects.filter(f.views > 9).select_related(f.author)));
  CHECK_FALSE(hit(base.values(f.status)));
  CHECK_FALSE(hit(base.values(f.title)));
  CHECK(hit(Article::objects.filter(f.views > 2).values(f.title)));
  CHECK_FALSE(hit(base.order_by(f.views)));
  CHECK_FALSE(hit(base.order_by(f.views.desc())));
  CHECK_FALSE(hit(base.only(f.title)));
  CHECK_FALSE(hit(base.distinct()));
  CHECK_FALSE(hit(base, sql::Form::count));
  CHECK(hit(Article::objects.filter(f.views > 3), sql::Form::count));
  CHECK_FALSE(hit(base.slice(0, 2), sql::Form::count));
  CHECK_FALSE(hit(base, sql::Form::exists));
  CHECK(hit(Article::objects.filter(f.views > 3), sql::Form::exists));
  CHECK_FALSE(hit(base.slice(2, 5), sql::Form::select, Dialect::postgres));
  CHECK(hit(base.slice(3, 9), sql::Form::select, Dialect::postgres));
}

TEST_CASE("a tree that uses one value node twice is another shape than one with two nodes") {
  sql::clear_cache();
  const auto p = f.views > 1;
  CHECK_FALSE(hit(p || p));
  const auto two = sql::compile(sql::Form::select, Article::objects.filter(f.views > 1 || f.views > 2).state().query,
                                Dialect::sqlite);
  CHECK(two.statement.params == std::vector<Value>{Value(std::int64_t{1}), Value(std::int64_t{2})});
  CHECK(hit((f.views > 3) || (f.views > 4)));
  const auto q = f.views > 8;
  CHECK(hit(q || q));
}

TEST_CASE("each thread has its own cache") {
  sql::clear_cache();
  CHECK_FALSE(hit(f.views > 1));
  bool other_hit = true;
  std::string other_sql;
  std::thread t([&] {
    const auto before = sql::cache_stats();
    other_sql = sql::compile(sql::Form::select, Article::objects.filter(f.views > 2).state().query, Dialect::sqlite)
                    .statement.sql;
    other_hit = sql::cache_stats().hits != before.hits;
  });
  t.join();
  CHECK_FALSE(other_hit);
  CHECK(other_sql == sql::select(Article::objects.filter(f.views > 2).state().query, Dialect::sqlite).sql);
  CHECK(hit(f.views > 3));
}

}  // namespace

namespace qtest {
namespace {

/// Built outside any co_await (g++ 12 and initializer lists in coroutines: TOOLCHAIN.md).
std::vector<std::string> strs(std::string a, std::string b = {}) {
  std::vector<std::string> out{std::move(a)};
  if (!b.empty()) out.push_back(std::move(b));
  return out;
}
std::vector<std::int64_t> at_least(std::int64_t min) {
  const std::vector<std::int64_t> all = {0, 5, 10, 25};
  std::vector<std::int64_t> out;
  for (std::int64_t v : all)
    if (v >= min) out.push_back(v);
  return out;
}

TEST_CASE("cached statements return the right rows for changing values, slices and long IN lists") {
  with_blog([](Seed& s) -> aorm::Task<void> {
    const std::vector<std::int64_t> mins = at_least(0);
    for (std::int64_t min : mins) {
      const auto rows = co_await Article::objects.filter(f.views >= min).order_by(f.views).values_list(f.views).alist();
      CHECK(rows == at_least(min));
    }
    const auto by_views = Article::objects.order_by(f.views).values_list(f.slug);
    CHECK(co_await by_views.slice(0, 2).alist() == strs("draft", "odd"));
    CHECK(co_await by_views.slice(1, 3).alist() == strs("odd", "hello"));
    CHECK(co_await by_views.slice(3, 4).alist() == strs("async"));
    CHECK(co_await by_views.offset(2).alist() == strs("hello", "async"));
    CHECK(co_await Article::objects.filter(f.views > 6).slice(0, 1).acount() == 1);
    CHECK(co_await Article::objects.filter(f.views > 6).slice(1, 5).acount() == 1);
    // A long IN list (one array parameter) matches like a short one.
    std::vector<std::int64_t> ids = ints(1000, 40);
    ids.push_back(s.hello.id);
    ids.push_back(s.odd.id);
    CHECK(co_await Article::objects.filter(f.id.in(ids)).order_by(f.slug).values_list(f.slug).alist() ==
          strs("hello", "odd"));
    CHECK(co_await Article::objects.exclude(f.id.in(ids)).acount() == 2);
    // A compiled statement carries its text's hash (the SQLite statement cache's key); the
    // hash is of the text, so it outlives the shape: after the compiled-SQL cache is emptied
    // (its shapes freed, their addresses reused by new ones) every query still finds its own
    // prepared statement.
    const auto at_least_3 = Article::objects.filter(f.views >= 3);
    const sql::Query& q = at_least_3.state().query;
    const sql::Compiled first = sql::compile(sql::Form::select, q, Dialect::sqlite);
    CHECK(first.statement.sql_hash == std::hash<std::string_view>{}(first.statement.sql));
    for (int round = 0; round < 3; ++round) {
      sql::clear_cache();
      CHECK(co_await Article::objects.filter(f.slug == "odd").values_list(f.slug).alist() == strs("odd"));
      CHECK(co_await Article::objects.filter(f.views >= 3).order_by(f.views).values_list(f.views).alist() ==
            at_least(3));
      const sql::Compiled again = sql::compile(sql::Form::select, q, Dialect::sqlite);
      CHECK(again.statement.sql_hash == first.statement.sql_hash);
    }
    // aget() on a shared queryset leaves it as it was (its state is copied, not changed).
    const auto qs = Article::objects.filter(f.slug == "hello");
    CHECK((co_await qs.aget()).id == s.hello.id);
    CHECK_FALSE(qs.state().query.limit.has_value());
    CHECK_FALSE(qs.state().query.order_set);
  });
}

}  // namespace
}  // namespace qtest

namespace {

// Comment.author (nullable) as a relation path, and `Comment.author.name == v`.
const sql::Path* comment_author() {
  sql::Step s;
  s.kind = sql::StepKind::forward;
  s.from = &aorm::ModelTraits<qt::Comment>::meta();
  s.to = &aorm::ModelTraits<qt::Author>::meta();
  s.column = 2;
  s.nullable = true;
  return sql::extend(nullptr, s);
}
aorm::detail::NodePtr author_name_is(std::string v) {
  return sql::binary(sql::Kind::compare, sql::Op::eq, sql::column(1, comment_author()), sql::param(std::move(v)));
}
std::string comment_sql(aorm::detail::NodePtr where) {
  sql::Query q;
  q.meta = &aorm::ModelTraits<qt::Comment>::meta();
  q.where = std::move(where);
  return sql::select(q, Dialect::sqlite).sql;
}

TEST_CASE("a relation join that a top-level condition needs non-NULL is INNER, else it stays LEFT OUTER") {
  const std::string inner = R"(INNER JOIN "qt_author" "J1" ON ("qt_comment"."author_id" = "J1"."id"))";
  const std::string left = R"(LEFT OUTER JOIN "qt_author" "J1" ON ("qt_comment"."author_id" = "J1"."id"))";
  const auto id_above = [](std::int64_t n) {
    return sql::binary(sql::Kind::compare, sql::Op::gt, sql::column(0), sql::param(n));
  };
  CHECK(comment_sql(author_name_is("ada")).find(inner) != std::string::npos);
  CHECK(comment_sql(sql::and_(id_above(1), sql::scope(author_name_is("ada"), 1))).find(inner) != std::string::npos);
  CHECK(comment_sql(sql::in(sql::column(0, comment_author()), {Value(std::int64_t{1}), Value(std::int64_t{2})}))
            .find(R"(INNER JOIN "qt_author")") != std::string::npos);
  // A NULL-extended row can still match these: the join stays LEFT OUTER.
  CHECK(comment_sql(sql::or_(id_above(1), author_name_is("ada"))).find(left) != std::string::npos);
  CHECK(comment_sql(sql::isnull(sql::column(1, comment_author()), true)).find(left) != std::string::npos);
  CHECK(comment_sql(sql::not_(author_name_is("ada"))).find(left) != std::string::npos);
}

}  // namespace

namespace {

// Article.tags (many-to-many) as a relation path.
const sql::Path* article_tags() {
  sql::Step s;
  s.kind = sql::StepKind::m2m;
  s.from = &aorm::ModelTraits<qt::Article>::meta();
  s.to = &aorm::ModelTraits<qt::Tag>::meta();
  s.m2m = 0;
  return sql::extend(nullptr, s);
}
aorm::detail::NodePtr tag_column_is(int column, Value v) {
  return sql::binary(sql::Kind::compare, sql::Op::eq, sql::column(column, article_tags()), sql::param(std::move(v)));
}

TEST_CASE("a many-to-many path that reads only the far key uses the link table's column, without joining the far table") {
  sql::Query q;
  q.meta = &aorm::ModelTraits<qt::Article>::meta();
  q.order_set = true;
  q.where = tag_column_is(0, Value(std::int64_t{7}));
  const std::string link = R"(INNER JOIN "qt_article_tags" "J1L" ON ("qt_article"."id" = "J1L"."article_id"))";
  auto s = sql::select(q, Dialect::sqlite).sql;
  CHECK(s.find(link) != std::string::npos);
  CHECK(s.find(R"("qt_tag")") == std::string::npos);
  CHECK(s.ends_with(R"(WHERE ("J1L"."tag_id" = ?))"));
  // Another column of the far model joins it; then the key is read from it too.
  q.where = sql::and_(tag_column_is(0, Value(std::int64_t{7})), tag_column_is(1, Value("cpp")));
  s = sql::select(q, Dialect::postgres).sql;
  CHECK(s.find(R"(INNER JOIN "qt_tag" "J1" ON ("J1L"."tag_id" = "J1"."id"))") != std::string::npos);
  CHECK(s.ends_with(R"(WHERE (("J1"."id" = $1) AND ("J1"."name" = $2)))"));
}

}  // namespace

namespace qtest {
namespace {

TEST_CASE("filtering through a many-to-many by the far key or by a far column finds the same rows") {
  with_blog([](Seed& s) -> aorm::Task<void> {
    co_await s.db.aexecute("INSERT OR IGNORE INTO qt_article_tags (article_id, tag_id) VALUES (?, ?), (?, ?), (?, ?)", s.hello.id,
                           s.cpp.id, s.async.id, s.cpp.id, s.async.id, s.python.id);
    const std::vector<const Tag*> tags = {&s.cpp, &s.python};
    for (const Tag* tag : tags) {
      sql::Query by_key, by_name;
      by_key.meta = by_name.meta = &aorm::ModelTraits<Article>::meta();
      by_key.where = tag_column_is(0, Value(tag->id));
      by_name.where = tag_column_is(1, Value(tag->name));
      auto key_state = std::make_shared<aorm::detail::QueryState>();
      key_state->query = by_key;
      auto name_state = std::make_shared<aorm::detail::QueryState>();
      name_state->query = by_name;
      const auto a = co_await aorm::QuerySet<Article>(key_state).order_by(f.slug).values_list(f.slug).alist();
      const auto b = co_await aorm::QuerySet<Article>(name_state).order_by(f.slug).values_list(f.slug).alist();
      CHECK(a == b);
      CHECK(a.size() == (tag == &s.cpp ? 2u : 1u));  // hello and async; async
    }
  });
}

}  // namespace
}  // namespace qtest
