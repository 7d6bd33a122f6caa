// QuerySet reads against a real SQLite file: lookups with Django's semantics, ordering,
// slicing, values, aggregates and every read-only terminal method.
#include <set>
#include <string>
#include <vector>

#include "fixture.hpp"

namespace qtest {
namespace {

const auto& f = Article::f;

/// A vector of strings built outside any co_await (g++ 12 cannot compile an
/// initializer_list inside a co_await full-expression: TOOLCHAIN.md, bug 3).
template <class... S>
std::vector<std::string> names(S... s) {
  return {std::string(s)...};
}

aorm::Task<std::vector<std::string>> slugs(aorm::QuerySet<Article> qs) {
  co_return co_await qs.order_by(f.slug).values_list(f.slug).alist();
}

TEST_CASE("contains and friends are case-sensitive and treat percent, underscore, backslash, star, question mark and bracket literally") {
  with_blog([](Seed&) -> aorm::Task<void> {
    CHECK(co_await slugs(Article::objects.filter(f.title.contains("World"))) == names("hello"));
    CHECK((co_await slugs(Article::objects.filter(f.title.contains("world")))).empty());
    CHECK(co_await slugs(Article::objects.filter(f.title.contains("%"))) == names("odd"));
    CHECK(co_await slugs(Article::objects.filter(f.title.contains("_C\\"))) == names("odd"));
    CHECK((co_await slugs(Article::objects.filter(f.title.contains("_X")))).empty());
    CHECK((co_await slugs(Article::objects.filter(f.title.contains("*")))).empty());
    CHECK(co_await slugs(Article::objects.filter(f.title.startswith("Hello"))) == names("hello"));
    CHECK((co_await slugs(Article::objects.filter(f.title.startswith("hello")))).empty());
    CHECK(co_await slugs(Article::objects.filter(f.title.endswith("notes"))) == names("draft"));
    CHECK(co_await slugs(Article::objects.filter(f.title == "Draft notes")) == names("draft"));
    CHECK((co_await slugs(Article::objects.filter(f.title == "draft notes"))).empty());
  });
}

TEST_CASE("text lookups with a NUL byte in the value compare every byte on SQLite") {
  with_blog([](Seed&) -> aorm::Task<void> {
    const std::string nul("a\0b", 3);
    co_await Article::objects.filter(f.slug == "hello").aupdate(f.title = std::string("xa\0bY", 5));
    co_await Article::objects.filter(f.slug == "draft").aupdate(f.title = std::string("xa", 2));
    CHECK(co_await slugs(Article::objects.filter(f.title.contains(nul))) == names("hello"));
    CHECK(co_await slugs(Article::objects.filter(f.title.icontains(std::string("A\0B", 3)))) == names("hello"));
    CHECK((co_await slugs(Article::objects.filter(f.title.contains(std::string("a\0c", 3))))).empty());
    CHECK(co_await slugs(Article::objects.filter(f.title.startswith(std::string("xa\0", 3)))) == names("hello"));
    CHECK(co_await slugs(Article::objects.filter(f.title.istartswith(std::string("XA\0", 3)))) == names("hello"));
    CHECK(co_await slugs(Article::objects.filter(f.title.endswith(std::string("\0bY", 3)))) == names("hello"));
    CHECK(co_await slugs(Article::objects.filter(f.title.iendswith(std::string("\0By", 3)))) == names("hello"));
    CHECK((co_await slugs(Article::objects.filter(f.title.endswith(std::string("\0b", 2))))).empty());
    CHECK((co_await slugs(Article::objects.exclude(f.title.contains(nul)))).size() == 3);
  });
}

TEST_CASE("i-lookups fold case, non-ASCII letters included") {
  with_blog([](Seed&) -> aorm::Task<void> {
    CHECK(co_await slugs(Article::objects.filter(f.title.icontains("WORLD"))) == names("hello"));
    CHECK(co_await slugs(Article::objects.filter(f.title.iexact("draft NOTES"))) == names("draft"));
    CHECK(co_await slugs(Article::objects.filter(f.title.istartswith("async c++"))) == names("async"));
    CHECK(co_await slugs(Article::objects.filter(f.title.iendswith("IN PRACTICE"))) == names("async"));
    // "Ünïcödé BODY" matched by its lower-case spelling.
    CHECK(co_await slugs(Article::objects.filter(f.body.icontains("\xc3\xbcn\xc3\xaf" "c\xc3\xb6"))) ==
          names("odd"));
    CHECK((co_await slugs(Article::objects.filter(f.title.icontains("%x")))).empty());
  });
}

TEST_CASE("regex and iregex match with ECMAScript syntax") {
  with_blog([](Seed&) -> aorm::Task<void> {
    CHECK(co_await slugs(Article::objects.filter(f.title.regex("^[A-H][a-z]+ "))) ==
          names("async", "draft", "hello"));
    CHECK((co_await slugs(Article::objects.filter(f.title.regex("^hello")))).empty());
    CHECK(co_await slugs(Article::objects.filter(f.title.iregex("^hello"))) == names("hello"));
  });
}

TEST_CASE("range is inclusive, in matches listed values and in({}) matches nothing") {
  with_blog([](Seed&) -> aorm::Task<void> {
    CHECK(co_await slugs(Article::objects.filter(f.views.range(5, 10))) == names("hello", "odd"));
    const std::vector<std::int64_t> views{0, 25, 99};
    CHECK(co_await slugs(Article::objects.filter(f.views.in(views))) == names("async", "draft"));
    const auto nothing = f.views.in({});
    CHECK(co_await Article::objects.filter(nothing).acount() == 0);
    CHECK((co_await Article::objects.filter(nothing).alist()).empty());
    CHECK_FALSE(co_await Article::objects.filter(nothing).aexists());
    CHECK(co_await Article::objects.filter(nothing || f.views > 20).acount() == 1);
    CHECK(co_await Article::objects.exclude(nothing).acount() == 4);
  });
}

TEST_CASE("exclude and != keep rows where the column is NULL, like Django") {
  with_blog([](Seed&) -> aorm::Task<void> {
    CHECK(co_await slugs(Article::objects.exclude(f.rating == 3.0)) == names("draft", "hello", "odd"));
    CHECK(co_await slugs(Article::objects.filter(f.rating != 3.0)) == names("draft", "hello", "odd"));
    CHECK(co_await slugs(Article::objects.filter(f.rating < 3.0)) == names("odd"));
    CHECK(co_await slugs(Article::objects.exclude(f.rating < 3.0)) == names("async", "draft", "hello"));
    CHECK(co_await slugs(Article::objects.filter(f.rating.isnull())) == names("draft"));
    CHECK(co_await slugs(Article::objects.filter(f.rating == std::nullopt)) == names("draft"));
    CHECK(co_await slugs(Article::objects.exclude(f.views > 1, f.status == "published")) ==
          names("draft", "odd"));
  });
}

TEST_CASE("enum, foreign key and date-part lookups") {
  with_blog([](Seed& s) -> aorm::Task<void> {
    CHECK(co_await Article::objects.filter(f.status == "published").acount() == 2);
    CHECK(co_await Article::objects.filter(f.status == Article::Status::draft).acount() == 1);
    const auto draft_or_archived = f.status.in({Article::Status::draft, Article::Status::archived});
    CHECK(co_await Article::objects.filter(draft_or_archived).acount() == 2);
    CHECK(co_await slugs(Article::objects.filter(f.author == s.linus)) == names("draft", "odd"));
    CHECK(co_await Article::objects.filter(f.author == s.ada.id).acount() == 2);
    CHECK(co_await slugs(Article::objects.filter(f.published_at.year() == 2024)) == names("async", "hello"));
    CHECK(co_await slugs(Article::objects.filter(f.published_at.month() == 12)) == names("odd"));
    CHECK(co_await slugs(Article::objects.filter(f.published_at.day() == 2)) == names("async"));
    CHECK(co_await slugs(Article::objects.filter(f.published_at.hour() >= 18)) == names("async", "odd"));
    CHECK(co_await slugs(Article::objects.filter(f.published_at.minute() == 30)) == names("hello"));
    // 2024-01-15 was a Monday: Django's week_day 2 (1 = Sunday).
    CHECK(co_await slugs(Article::objects.filter(f.published_at.week_day() == 2)) == names("hello"));
    const aorm::Date new_year_eve{std::chrono::sys_days{std::chrono::year{2023} / 12 / 31}};
    CHECK(co_await slugs(Article::objects.filter(f.published_at.date() == new_year_eve)) == names("odd"));
    CHECK(co_await slugs(Article::objects.filter(f.published_at > at(2024, 2, 1))) == names("async"));
  });
}

TEST_CASE("F expressions compare columns with columns") {
  with_blog([](Seed&) -> aorm::Task<void> {
    CHECK(co_await slugs(Article::objects.filter(f.views > f.rating * 3)) == names("async"));
    CHECK(co_await slugs(Article::objects.filter(f.views - 5 == f.id * 0)) == names("odd"));
  });
}

TEST_CASE("Meta.ordering applies by default, order_by replaces it, order_by() clears it") {
  with_blog([](Seed&) -> aorm::Task<void> {
    CHECK(co_await Article::objects.values_list(f.slug).alist() == names("draft", "async", "hello", "odd"));
    CHECK(co_await Article::objects.order_by(f.views.desc()).values_list(f.slug).alist() ==
          names("async", "hello", "odd", "draft"));
    CHECK(co_await Article::objects.order_by(f.status, f.views.desc()).values_list(f.slug).alist() ==
          names("odd", "draft", "async", "hello"));
    CHECK((co_await Article::objects.order_by(aorm::random()).alist()).size() == 4);
  });
}

TEST_CASE("slices, limits and offsets compose like Python slices of slices") {
  with_blog([](Seed&) -> aorm::Task<void> {
    const auto by_views = Article::objects.order_by(f.views);  // draft odd hello async
    CHECK(co_await by_views.slice(1, 3).values_list(f.slug).alist() == names("odd", "hello"));
    CHECK(co_await by_views.offset(1).limit(2).values_list(f.slug).alist() == names("odd", "hello"));
    CHECK(co_await by_views.slice(1, 3).slice(1, 5).values_list(f.slug).alist() == names("hello"));
    CHECK(co_await by_views.offset(3).values_list(f.slug).alist() == names("async"));
    CHECK_THROWS_WITH_AS(by_views.limit(1).filter(f.views > 1), "Cannot filter a query once a slice has been taken.",
                         aorm::Error);
  });
}

TEST_CASE("acount respects slices and distinct") {
  with_blog([](Seed&) -> aorm::Task<void> {
    CHECK(co_await Article::objects.acount() == 4);
    CHECK(co_await Article::objects.limit(2).acount() == 2);
    CHECK(co_await Article::objects.slice(3, 10).acount() == 1);
    CHECK(co_await Article::objects.order_by(f.status).values_list(f.author).distinct().acount() == 2);
    CHECK(co_await Article::objects.filter(f.views > 5).acount() == 2);
  });
}

TEST_CASE("aget returns the one match or raises Django's DoesNotExist / MultipleObjectsReturned") {
  with_blog([](Seed& s) -> aorm::Task<void> {
    Article a = co_await Article::objects.aget(f.slug == "hello");
    CHECK(a.id == s.hello.id);
    CHECK(a.title == "Hello World");
    CHECK(a.status == Article::Status::published);
    CHECK(a.rating == 4.5);
    CHECK(a.author.id() == s.ada.id);
    CHECK(a.published_at == at(2024, 1, 15, 9, 30));
    CHECK(a.created_at == at(2024, 1, 10));
    CHECK((co_await Article::objects.filter(f.views > 20).aget()).slug == "async");
    std::string message;
    try {
      co_await Article::objects.aget(f.slug == "nope");
    } catch (const Article::DoesNotExist& e) {
      message = e.what();
    }
    CHECK(message == "Article matching query does not exist.");
    try {
      co_await Article::objects.aget(f.views > 1);
    } catch (const Article::MultipleObjectsReturned& e) {
      message = e.what();
    }
    CHECK(message == "get() returned more than one Article -- it returned 3!");
  });
}

TEST_CASE("aget says 'more than 20' when more than 20 rows match, fetching at most 21") {
  with_blog([](Seed&) -> aorm::Task<void> {
    std::vector<Tag> tags;
    for (int i = 0; i < 30; ++i) tags.push_back(Tag{.name = "t" + std::to_string(i)});
    co_await Tag::objects.abulk_create(std::move(tags));
    std::string message;
    try {
      co_await Tag::objects.aget(Tag::f.name.startswith("t"));
    } catch (const aorm::MultipleObjectsReturned& e) {
      message = e.what();
    }
    CHECK(message == "get() returned more than one Tag -- it returned more than 20!");
  });
}

TEST_CASE("afirst and alast follow the ordering, or the primary key when unordered") {
  with_blog([](Seed& s) -> aorm::Task<void> {
    CHECK((co_await Article::objects.afirst())->slug == "draft");  // Meta.ordering: -created_at
    CHECK((co_await Article::objects.alast())->slug == "odd");
    CHECK((co_await Article::objects.order_by().afirst())->id == s.hello.id);  // pk order
    CHECK((co_await Article::objects.order_by().alast())->id == s.odd.id);
    CHECK((co_await Author::objects.afirst())->id == s.ada.id);
    CHECK((co_await Author::objects.alast())->id == s.linus.id);
    CHECK((co_await Article::objects.order_by(f.views.desc()).alast())->slug == "draft");
    CHECK_FALSE((co_await Article::objects.filter(f.views > 100).afirst()).has_value());
    CHECK((co_await Article::objects.order_by(f.views).slice(1, 3).afirst())->slug == "odd");
  });
}

TEST_CASE("alatest and aearliest use Meta.get_latest_by or the given column") {
  with_blog([](Seed&) -> aorm::Task<void> {
    CHECK((co_await Article::objects.alatest()).slug == "draft");
    CHECK((co_await Article::objects.aearliest()).slug == "odd");
    CHECK((co_await Article::objects.alatest(f.views)).slug == "async");
    CHECK((co_await Article::objects.aearliest(f.views)).slug == "draft");
    CHECK((co_await Article::objects.filter(f.status == "published").alatest(f.published_at)).slug == "async");
    CHECK_THROWS_AS(co_await Article::objects.filter(f.views > 100).alatest(), Article::DoesNotExist);
    CHECK_THROWS_AS(co_await Author::objects.alatest(), aorm::Error);  // no get_latest_by
  });
}

TEST_CASE("aexists and acontains") {
  with_blog([](Seed& s) -> aorm::Task<void> {
    CHECK(co_await Article::objects.aexists());
    CHECK(co_await Article::objects.filter(f.views == 25).aexists());
    CHECK_FALSE(co_await Article::objects.filter(f.views == 26).aexists());
    CHECK(co_await Article::objects.filter(f.author == s.ada).acontains(s.hello));
    CHECK_FALSE(co_await Article::objects.filter(f.author == s.ada).acontains(s.draft));
    CHECK(co_await Article::objects.order_by(f.views).limit(2).acontains(s.odd));
    CHECK_FALSE(co_await Article::objects.order_by(f.views).limit(2).acontains(s.hello));
    CHECK_THROWS_AS(co_await Article::objects.acontains(Article{}), aorm::Error);
  });
}

TEST_CASE("values and values_list return tuples and plain values") {
  with_blog([](Seed& s) -> aorm::Task<void> {
    auto rows = co_await Article::objects.order_by(f.views).values(f.slug, f.rating, f.author).alist();
    REQUIRE(rows.size() == 4);
    CHECK(rows[0] == std::tuple<std::string, std::optional<double>, std::int64_t>{"draft", std::nullopt, s.linus.id});
    CHECK(std::get<1>(rows[1]) == 2.0);
    auto statuses = co_await Article::objects.order_by(f.status).values_list(f.status).distinct().alist();
    CHECK(statuses == std::vector<Article::Status>{Article::Status::archived, Article::Status::draft,
                                                   Article::Status::published});
    auto doubled = co_await Article::objects.order_by(f.views).values_list(f.views * 2).alist();
    CHECK(doubled == std::vector<std::int64_t>{0, 10, 20, 50});
    auto years = co_await Article::objects.filter(f.published_at.isnull(false)).order_by(f.views)
                     .values_list(f.published_at.year()).alist();
    CHECK(years == std::vector<std::int64_t>{2023, 2024, 2024});
  });
}

TEST_CASE("only and defer load a subset of the columns, always with the primary key") {
  with_blog([](Seed& s) -> aorm::Task<void> {
    Article a = co_await Article::objects.only(f.title).aget(f.slug == "hello");
    CHECK(a.id == s.hello.id);
    CHECK(a.title == "Hello World");
    CHECK(a.slug.empty());
    CHECK(a.views == 0);
    Article d = co_await Article::objects.defer(f.title, f.body).aget(f.slug == "hello");
    CHECK(d.title.empty());
    CHECK_FALSE(d.body.has_value());
    CHECK(d.views == 10);
  });
}

TEST_CASE("aaggregate computes every aggregate, empty sets give nullopt and Count 0") {
  with_blog([](Seed&) -> aorm::Task<void> {
    auto [n, sum, avg, lo, hi, avg_rating, distinct_authors, big] = co_await Article::objects.aaggregate(
        aorm::Count(f.id), aorm::Sum(f.views), aorm::Avg(f.views), aorm::Min(f.views), aorm::Max(f.created_at),
        aorm::Avg(f.rating), aorm::Count(f.author, {.distinct = true}), aorm::Count(f.id, f.views >= 10));
    CHECK(n == 4);
    CHECK(sum == 40);
    CHECK(avg == doctest::Approx(10.0));
    CHECK(lo == 0);
    CHECK(hi == at(2024, 4, 1));
    CHECK(*avg_rating == doctest::Approx(9.5 / 3));
    CHECK(distinct_authors == 2);
    CHECK(big == 2);
    auto [var, sd, sample] = co_await Article::objects.aaggregate(aorm::Variance(f.views), aorm::StdDev(f.views),
                                                                  aorm::Variance(f.views, {.sample = true}));
    CHECK(*var == doctest::Approx(87.5));  // views 0 5 10 25: mean 10, squares 350
    CHECK(*sd == doctest::Approx(9.354143));
    CHECK(*sample == doctest::Approx(350.0 / 3));
    auto [en, esum, eavg] = co_await Article::objects.filter(f.views > 100).aaggregate(
        aorm::Count(f.id), aorm::Sum(f.views), aorm::Avg(f.views));
    CHECK(en == 0);
    CHECK_FALSE(esum.has_value());
    CHECK_FALSE(eavg.has_value());
    auto [sliced] = co_await Article::objects.order_by(f.views).limit(2).aaggregate(aorm::Sum(f.views));
    CHECK(sliced == 5);
    auto [none_n] = co_await Article::objects.none().aaggregate(aorm::Count(f.id));
    CHECK(none_n == 0);
  });
}

TEST_CASE("annotate groups by values() columns, or per object") {
  with_blog([](Seed& s) -> aorm::Task<void> {
    auto per_status = co_await Article::objects.values(f.status)
                          .annotate(aorm::Count(f.id), aorm::Sum(f.views))
                          .order_by(f.status)
                          .alist();
    REQUIRE(per_status.size() == 3);
    CHECK(per_status[2] == std::tuple<Article::Status, std::int64_t, std::optional<std::int64_t>>{
                               Article::Status::published, 2, 35});
    auto per_author = co_await Article::objects.values(f.author).annotate(aorm::Avg(f.rating)).order_by(f.author).alist();
    REQUIRE(per_author.size() == 2);
    CHECK(std::get<0>(per_author[0]) == s.ada.id);
    CHECK(*std::get<1>(per_author[0]) == doctest::Approx(3.75));
    auto objects = co_await Article::objects.annotate(aorm::Count(f.id)).order_by(f.views).alist();
    REQUIRE(objects.size() == 4);
    CHECK(std::get<0>(objects[3]).slug == "async");
    CHECK(std::get<1>(objects[3]) == 1);
  });
}

TEST_CASE("alist/aall, aiterator in chunks, ain_bulk and aexplain") {
  with_blog([](Seed& s) -> aorm::Task<void> {
    CHECK((co_await Article::objects.aall()).size() == 4);
    std::vector<std::string> seen;
    auto stream = Article::objects.order_by(f.views).aiterator(3);
    while (auto a = co_await stream.anext()) seen.push_back(a->slug);
    CHECK(seen == std::vector<std::string>{"draft", "odd", "hello", "async"});
    CHECK_FALSE((co_await stream.anext()).has_value());
    auto empty = Article::objects.none().aiterator();
    CHECK_FALSE((co_await empty.anext()).has_value());
    const std::vector<std::int64_t> ids{s.hello.id, s.odd.id, 9999};
    auto by_id = co_await Article::objects.ain_bulk(ids);
    CHECK(by_id.size() == 2);
    CHECK(by_id.at(s.odd.id).slug == "odd");
    const std::vector<std::string> keys{"async", "draft"};
    auto by_slug = co_await Article::objects.ain_bulk(keys, f.slug);
    CHECK(by_slug.size() == 2);
    CHECK(by_slug.at("async").id == s.async.id);
    const std::vector<std::int64_t> no_ids;
    CHECK((co_await Article::objects.ain_bulk(no_ids)).empty());
    std::string plan = co_await Article::objects.filter(f.slug == "hello").aexplain();
    CHECK(plan.find("qt_article") != std::string::npos);
  });
}

TEST_CASE("select_related loads foreign key objects in the same query") {
  with_blog([](Seed& s) -> aorm::Task<void> {
    using qt::Comment;
    co_await Comment::objects.acreate(Comment{.article = s.hello, .author = s.linus, .body = "signed"});
    co_await Comment::objects.acreate(Comment{.article = s.odd, .body = "anonymous"});
    aorm::QueryCapture cap;
    auto articles = co_await Article::objects.select_related(f.author).order_by(f.views).alist();
    REQUIRE(articles.size() == 4);
    CHECK(articles[0].author.loaded());
    CHECK(articles[0].author->name == "Linus");
    CHECK(articles[3].author->email == "ada@example.com");
    CHECK(articles[3].author.id() == s.ada.id);
    auto comments = co_await Comment::objects.select_related(Comment::f.author, Comment::f.article)
                        .order_by(Comment::f.id).alist();
    REQUIRE(comments.size() == 2);
    CHECK(comments[0].author->name == "Linus");
    CHECK(comments[0].article->slug == "hello");
    CHECK_FALSE(comments[1].author.loaded());  // NULL key: nothing to load
    CHECK_FALSE(comments[1].author.id().has_value());
    CHECK(comments[1].article->title == "100% pure_C\\ode");
    CHECK(cap.count() == 2);
    auto stream = Article::objects.select_related(f.author).filter(f.slug == "async").aiterator();
    auto one = co_await stream.anext();
    REQUIRE(one.has_value());
    CHECK(one->author->name == "Ada");
    CHECK_FALSE((co_await Article::objects.aget(f.slug == "async")).author.loaded());
  });
}

TEST_CASE("a stored task outlives the QuerySet it came from") {
  with_blog([](Seed&) -> aorm::Task<void> {
    std::vector<aorm::Task<std::int64_t>> counts;
    for (std::int64_t v : {0, 5, 10}) counts.push_back(Article::objects.filter(f.views > v).order_by(f.id).acount());
    std::vector<aorm::Task<std::int64_t>> updates;
    updates.push_back(Article::objects.filter(f.views == 0).aupdate(f.views = f.views + 1));
    auto done = co_await aorm::gather(std::move(counts));
    CHECK(done == std::vector<std::int64_t>{3, 2, 1});
    auto updated = co_await aorm::gather(std::move(updates));
    CHECK(updated == std::vector<std::int64_t>{1});
    aorm::Task<std::vector<Article>> later = [] {
      auto qs = Article::objects.filter(f.views >= 1).order_by(f.views);
      return qs.alist();
    }();
    CHECK((co_await later).size() == 4);
  });
}

TEST_CASE("on() selects the database by handle or alias") {
  with_blog([](Seed& s) -> aorm::Task<void> {
    CHECK(co_await Article::objects.on(s.db).acount() == 4);
    CHECK(co_await Article::objects.on("default").acount() == 4);
    CHECK_THROWS_AS(co_await Article::objects.on("nowhere").acount(), aorm::ConfigError);
  });
}

TEST_CASE("chaining on a temporary QuerySet changes none of the QuerySets or tasks that share its state") {
  with_blog([](Seed&) -> aorm::Task<void> {
    const auto base = Article::objects.filter(f.views > 0);
    // base is kept: filtering it copies; the temporary filter(...) result is reused in place.
    const auto narrower = base.filter(f.views > 5).order_by(f.views);
    CHECK(co_await base.acount() == 3);
    CHECK(co_await narrower.acount() == 2);
    // A QuerySet moved into a builder while a task still holds its state: the task keeps
    // the query it was made from.
    auto qs = Article::objects.filter(f.views > 0).order_by(f.views);
    aorm::Task<std::int64_t> all_positive = qs.acount();
    auto top = std::move(qs).filter(f.views > 5).exclude(f.views > 100).limit(1);
    CHECK(co_await all_positive == 3);
    CHECK(co_await top.acount() == 1);
    // An exclude chained on a temporary, then a filter on the kept result.
    const auto none_positive = Article::objects.exclude(f.views > 0);
    CHECK(co_await none_positive.acount() == 1);
    CHECK(co_await none_positive.filter(f.views > 0).acount() == 0);
    CHECK(co_await none_positive.acount() == 1);
  });
}

TEST_CASE("aget reads the one row, counts extra rows and raises on none or several") {
  with_blog([](Seed&) -> aorm::Task<void> {
    const Article hello = co_await Article::objects.aget(f.slug == "hello");
    CHECK(hello.title == "Hello World");
    CHECK(co_await Article::objects.filter(f.slug == "hello").values_list(f.views).aget() == hello.views);
    CHECK_THROWS_AS(co_await Article::objects.aget(f.slug == "nothing"), Article::DoesNotExist);
    CHECK_THROWS_AS(co_await Article::objects.none().aget(), Article::DoesNotExist);
    bool several = false;
    try {
      co_await Article::objects.aget();
    } catch (const Article::MultipleObjectsReturned& e) {
      several = std::string(e.what()).find("it returned 4!") != std::string::npos;
    }
    CHECK(several);
  });
}

}  // namespace
}  // namespace qtest
