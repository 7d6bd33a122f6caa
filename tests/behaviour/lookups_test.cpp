// Every lookup of API.md §3, with Django's semantics, against the seeded blog
// (blog_fixture.hpp documents the rows).
//
// g++ 12 cannot compile an std::initializer_list temporary inside a co_await full-expression
// (TOOLCHAIN.md), so `.in({...})` is built into a named QuerySet before it is awaited.
#include "blog_fixture.hpp"

#include <algorithm>
#include <set>

namespace behaviour {
namespace {

const auto& f = Article::f;

/// The slugs of the articles matching `qs`, sorted (independent of the query's ordering).
aorm::Task<std::set<std::string>> slugs(aorm::QuerySet<Article> qs) {
  std::set<std::string> out;
  for (const Article& a : co_await qs.alist()) out.insert(a.slug);
  co_return out;
}

/// The expected slugs. A function rather than a braced list: g++ 12 rejects an
/// initializer list inside a co_await full-expression (TOOLCHAIN.md, bug 3).
template <class... S>
std::set<std::string> expected(const S&... slugs) {
  return {std::string(slugs)...};
}

TEST_CASE("== and iexact compare titles exactly and case-insensitively") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    CHECK(co_await Article::objects.filter(f.title == "Hello World").acount() == 1);
    CHECK(co_await Article::objects.filter(f.title == "hello world").acount() == 0);
    CHECK(co_await Article::objects.filter(f.title.iexact("hello WORLD")).acount() == 1);
    CHECK(co_await Article::objects.filter(f.title.iexact("hello")).acount() == 0);
  });
}

TEST_CASE("contains, startswith and endswith are case-sensitive even for ASCII") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    CHECK(co_await slugs(Article::objects.filter(f.title.contains("World"))) == expected("hello-world"));
    CHECK(co_await Article::objects.filter(f.title.contains("world")).acount() == 0);
    CHECK(co_await slugs(Article::objects.filter(f.title.startswith("Async"))) == expected("async-cpp"));
    CHECK(co_await Article::objects.filter(f.title.startswith("async")).acount() == 0);
    CHECK(co_await slugs(Article::objects.filter(f.title.endswith("notes"))) == expected("draft-notes"));
    CHECK(co_await Article::objects.filter(f.title.endswith("NOTES")).acount() == 0);
  });
}

TEST_CASE("the i variants of contains, startswith and endswith fold case") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    CHECK(co_await slugs(Article::objects.filter(f.title.icontains("WORLD"))) == expected("hello-world"));
    CHECK(co_await slugs(Article::objects.filter(f.title.istartswith("aSYNC"))) == expected("async-cpp"));
    CHECK(co_await slugs(Article::objects.filter(f.title.iendswith("NOTES"))) == expected("draft-notes"));
    // "Async C++ in practice" has a lower-case c, "100% pure_C\ode" only an upper-case C.
    CHECK(co_await slugs(Article::objects.filter(f.title.contains("c"))) == expected("async-cpp"));
    CHECK(co_await slugs(Article::objects.filter(f.title.icontains("c"))) ==
          expected("async-cpp", "odd-chars"));
  });
}

TEST_CASE("the i variants fold non-ASCII letters too, and the plain ones still do not") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    Article cafe_in{.title = "Café Überblick", .slug = "cafe", .author = b.ada};
    co_await Article::objects.acreate(cafe_in);
    CHECK(co_await slugs(Article::objects.filter(f.title.icontains("CAFÉ"))) == expected("cafe"));
    CHECK(co_await slugs(Article::objects.filter(f.title.iexact("café überblick"))) == expected("cafe"));
    CHECK(co_await slugs(Article::objects.filter(f.title.iendswith("ÜBERBLICK"))) == expected("cafe"));
    CHECK(co_await Article::objects.filter(f.title.contains("überblick")).acount() == 0);
    CHECK(co_await Article::objects.filter(f.title.startswith("CAFÉ")).acount() == 0);
  });
}

TEST_CASE("percent, underscore and backslash in a value are matched literally") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    CHECK(co_await slugs(Article::objects.filter(f.title.contains("%"))) == expected("odd-chars"));
    CHECK(co_await slugs(Article::objects.filter(f.title.contains("_"))) == expected("odd-chars"));
    CHECK(co_await slugs(Article::objects.filter(f.title.contains("\\"))) == expected("odd-chars"));
    CHECK(co_await slugs(Article::objects.filter(f.title.icontains("PURE_c\\"))) == expected("odd-chars"));
    CHECK(co_await slugs(Article::objects.filter(f.title.startswith("100%"))) == expected("odd-chars"));
    CHECK(co_await slugs(Article::objects.filter(f.title.endswith("C\\ode"))) == expected("odd-chars"));
    // Used as wildcards these would match: "H%o" ~ "Hello", "_ello" ~ "Hello".
    CHECK(co_await Article::objects.filter(f.title.startswith("H%o")).acount() == 0);
    CHECK(co_await Article::objects.filter(f.title.istartswith("_ello")).acount() == 0);
    CHECK(co_await Article::objects.filter(f.title.contains("%%")).acount() == 0);
    CHECK(co_await Article::objects.filter(f.title.contains("pure%")).acount() == 0);
    CHECK(co_await Article::objects.filter(f.title == "100% pure_C\\ode").acount() == 1);
  });
}

TEST_CASE("comparison operators filter numbers and drop NULLs") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    CHECK(co_await slugs(Article::objects.filter(f.views > 5)) == expected("hello-world", "async-cpp"));
    CHECK(co_await Article::objects.filter(f.views >= 5).acount() == 3);
    CHECK(co_await slugs(Article::objects.filter(f.views < 5)) == expected("draft-notes"));
    CHECK(co_await Article::objects.filter(f.views <= 5).acount() == 2);
    CHECK(co_await Article::objects.filter(f.views != 10).acount() == 3);
    // rating is NULL for the draft: no comparison matches it.
    CHECK(co_await Article::objects.filter(f.rating > 2.5).acount() == 2);
    CHECK(co_await Article::objects.filter(f.rating <= 3.0).acount() == 2);
    CHECK(co_await slugs(Article::objects.filter(f.rating == 4.5)) == expected("hello-world"));
  });
}

TEST_CASE("in matches any of a list or a container, and in of nothing matches nothing without a query") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    auto by_ids = Article::objects.filter(f.id.in({b.hello.id, b.odd.id}));
    CHECK(co_await slugs(by_ids) == expected("hello-world", "odd-chars"));

    const std::vector<std::string> wanted{"async-cpp", "draft-notes", "no-such-slug"};
    CHECK(co_await slugs(Article::objects.filter(f.slug.in(wanted))) ==
          expected("async-cpp", "draft-notes"));

    const std::vector<std::int64_t> none;
    aorm::QueryCapture cap;
    CHECK(co_await Article::objects.filter(f.id.in(none)).acount() == 0);
    CHECK((co_await Article::objects.filter(f.id.in(none)).alist()).empty());
    CHECK(cap.count() == 0);
    // Excluding "in nothing" keeps every row, as in Django.
    CHECK(co_await Article::objects.exclude(f.id.in(none)).acount() == 4);
  });
}

TEST_CASE("range is inclusive at both ends, for numbers and for timestamps") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    CHECK(co_await slugs(Article::objects.filter(f.views.range(5, 10))) ==
          expected("hello-world", "odd-chars"));
    CHECK(co_await slugs(Article::objects.filter(
              f.published_at.range(at(2024, 1, 15, 9, 30), at(2024, 3, 2, 18, 5)))) ==
          expected("hello-world", "async-cpp"));
    CHECK(co_await Article::objects.filter(
              f.published_at.range(at(2024, 1, 15, 9, 31), at(2024, 3, 2, 18, 4))).acount() == 0);
    CHECK(co_await Article::objects.filter(f.created_at.range(at(2024, 1, 1), at(2024, 12, 31)))
              .acount() == 3);
  });
}

TEST_CASE("isnull selects NULL and non-NULL columns") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    CHECK(co_await slugs(Article::objects.filter(f.rating.isnull())) == expected("draft-notes"));
    CHECK(co_await Article::objects.filter(f.rating.isnull(false)).acount() == 3);
    CHECK(co_await slugs(Article::objects.filter(f.body.isnull())) == expected("draft-notes"));
    CHECK(co_await Article::objects.filter(f.published_at.isnull(false)).acount() == 3);
  });
}

TEST_CASE("date parts compare like Django's year, month, day, week_day, hour, minute and date") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    const auto& p = f.published_at;
    CHECK(co_await slugs(Article::objects.filter(p.year() == 2024)) == expected("hello-world", "async-cpp"));
    CHECK(co_await slugs(Article::objects.filter(p.year() < 2024)) == expected("odd-chars"));
    CHECK(co_await slugs(Article::objects.filter(p.month() == 3)) == expected("async-cpp"));
    CHECK(co_await slugs(Article::objects.filter(p.day() == 31)) == expected("odd-chars"));
    // Django's week_day: 1 = Sunday ... 7 = Saturday. 2024-01-15 was a Monday,
    // 2024-03-02 a Saturday, 2023-12-31 a Sunday.
    CHECK(co_await slugs(Article::objects.filter(p.week_day() == 2)) == expected("hello-world"));
    CHECK(co_await slugs(Article::objects.filter(p.week_day() == 7)) == expected("async-cpp"));
    CHECK(co_await slugs(Article::objects.filter(p.week_day() == 1)) == expected("odd-chars"));
    CHECK(co_await slugs(Article::objects.filter(p.hour() == 18)) == expected("async-cpp"));
    CHECK(co_await slugs(Article::objects.filter(p.minute() == 59)) == expected("odd-chars"));
    CHECK(co_await slugs(Article::objects.filter(p.date() == day_of(2024, 1, 15))) ==
          expected("hello-world"));
    CHECK(co_await Article::objects.filter(f.created_at.year() == 2023).acount() == 1);
    CHECK(co_await Article::objects.filter(f.created_at.month() >= 2).acount() == 3);
  });
}

TEST_CASE("regex and iregex match patterns case-sensitively and not") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    CHECK(co_await slugs(Article::objects.filter(f.title.regex("^H.*d$"))) == expected("hello-world"));
    CHECK(co_await Article::objects.filter(f.title.regex("^h.*d$")).acount() == 0);
    CHECK(co_await slugs(Article::objects.filter(f.title.iregex("^h.*D$"))) == expected("hello-world"));
    CHECK(co_await slugs(Article::objects.filter(f.slug.regex("^[a-z]+-[a-z]+$"))) ==
          expected("hello-world", "async-cpp", "draft-notes", "odd-chars"));
  });
}

TEST_CASE("predicates compose with &&, || and !") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    const auto published = f.status == Article::Status::published;
    CHECK(co_await slugs(Article::objects.filter(published && f.views > 10)) == expected("async-cpp"));
    CHECK(co_await slugs(Article::objects.filter(f.views > 20 || f.rating.isnull())) ==
          expected("async-cpp", "draft-notes"));
    CHECK(co_await slugs(Article::objects.filter(!published)) == expected("draft-notes", "odd-chars"));
    CHECK(co_await slugs(Article::objects.filter(!(published || f.views == 0))) == expected("odd-chars"));
    // Several filter arguments, and chained filters, are ANDed.
    CHECK(co_await Article::objects.filter(published, f.views < 20).acount() == 1);
    CHECK(co_await Article::objects.filter(published).filter(f.views < 20).acount() == 1);
  });
}

TEST_CASE("exclude and negation keep rows whose column is NULL, as Django does") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    // Django: exclude(rating__gt=3) is NOT (rating > 3 AND rating IS NOT NULL).
    CHECK(co_await slugs(Article::objects.exclude(f.rating > 3.0)) ==
          expected("async-cpp", "draft-notes", "odd-chars"));
    CHECK(co_await slugs(Article::objects.filter(!(f.rating > 3.0))) ==
          expected("async-cpp", "draft-notes", "odd-chars"));
    // A positive comparison drops the NULL row.
    CHECK(co_await slugs(Article::objects.filter(f.rating <= 3.0)) == expected("async-cpp", "odd-chars"));
    CHECK(co_await Article::objects.exclude(f.rating.isnull()).acount() == 3);
    CHECK(co_await Article::objects.exclude(f.body.contains("post")).acount() == 3);
    CHECK(co_await Article::objects.exclude(f.status == Article::Status::draft).acount() == 3);
  });
}

TEST_CASE("foreign keys compare with an object, with an id, and pk stands for the primary key") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    CHECK(co_await slugs(Article::objects.filter(f.author == b.linus)) == expected("draft-notes", "odd-chars"));
    CHECK(co_await slugs(Article::objects.filter(f.author == b.ada.id)) == expected("hello-world", "async-cpp"));
    CHECK(co_await slugs(Article::objects.filter(f.pk == b.draft.id)) == expected("draft-notes"));
    CHECK(co_await Article::objects.filter(f.pk > 0).acount() == 4);
  });
}

TEST_CASE("choices compare as their enum") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    CHECK(co_await slugs(Article::objects.filter(f.status == Article::Status::archived)) == expected("odd-chars"));
    auto statuses = Article::objects.filter(
        f.status.in({Article::Status::draft, Article::Status::archived}));
    CHECK(co_await slugs(statuses) == expected("draft-notes", "odd-chars"));
    // A string literal is checked against the choices at compile time.
    CHECK(co_await slugs(Article::objects.filter(f.status == "draft")) == expected("draft-notes"));
    CHECK(co_await Article::objects.filter(f.status != "published").acount() == 2);
  });
}

TEST_CASE("columns compare with other columns and with F-arithmetic over them") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    // views > rating: 10 > 4.5, 25 > 3.0, 5 > 2.0; the draft's rating is NULL.
    CHECK(co_await Article::objects.filter(f.views > f.rating).acount() == 3);
    // views < 3 * rating: 10 < 13.5 and 5 < 6; 25 < 9 is false.
    CHECK(co_await slugs(Article::objects.filter(f.views < f.rating * 3)) == expected("hello-world", "odd-chars"));
    CHECK(co_await slugs(Article::objects.filter(f.views + 5 == 30)) == expected("async-cpp"));
    CHECK(co_await slugs(Article::objects.filter(f.published_at > f.created_at, f.views >= 10)) ==
          expected("hello-world", "async-cpp"));
  });
}

TEST_CASE("exclude with several predicates drops only rows matching all of them") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    // Django: exclude(a, b) is NOT (a AND b).
    CHECK(co_await slugs(Article::objects.exclude(f.status == Article::Status::published, f.views > 20)) ==
          expected("hello-world", "draft-notes", "odd-chars"));
    CHECK(co_await Article::objects.exclude(f.views > 1).exclude(f.views < 20).acount() == 0);
  });
}

}  // namespace
}  // namespace behaviour
