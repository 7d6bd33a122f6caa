// Lookups across relations: forward chains, reverse foreign keys, many-to-many, Django's
// join semantics, and their use in exclude, order_by, values, aggregates and aupdate.
#include "fixture.hpp"

namespace relations {
namespace {

auto title = [](const Article& a) { return a.title; };
auto name = [](const Author& a) { return a.name; };

TEST_CASE("forward chains filter through every foreign key") {
  with_blog([](Blog& b) -> aorm::Task<void> {
    auto by_ada = co_await Comment::objects.filter(Comment::f.article->author->name == "Ada").alist();
    CHECK(by_ada.size() == 3);
    auto on_hello = co_await Comment::objects.filter(Comment::f.article->title == "Hello").acount();
    CHECK(on_hello == 2);
    // A nullable key: comments whose author is unknown have no author row.
    CHECK(co_await Comment::objects.filter(Comment::f.author->name == "Linus").acount() == 1);
    CHECK(co_await Comment::objects.filter(Comment::f.author.isnull()).acount() == 1);
    CHECK(co_await Article::objects.filter(Article::f.author == b.ada).acount() == 2);
  });
}

TEST_CASE("reverse foreign key and many-to-many lookups duplicate rows until distinct") {
  with_blog([](Blog&) -> aorm::Task<void> {
    // Ada has two published articles: she appears once per matching article.
    auto dup = co_await Author::objects.filter(Author::f.articles->status == "published").alist();
    CHECK(sorted(dup, name) == names("Ada", "Ada"));
    auto once = co_await Author::objects.filter(Author::f.articles->status == "published").distinct().alist();
    CHECK(sorted(once, name) == names("Ada"));
    auto tagged = co_await Article::objects.filter(Article::f.tags->name == "cpp").alist();
    CHECK(sorted(tagged, title) == names("Async", "Hello"));
    // The reverse side of the many-to-many field.
    auto tags = co_await Tag::objects.filter(Tag::f.articles->title == "Hello").alist();
    CHECK(sorted(tags, [](const Tag& t) { return t.name; }) == names("cpp", "python"));
    // Chains through a multi-valued relation.
    CHECK(co_await Author::objects.filter(Author::f.articles->tags->name == "python").acount() == 1);
  });
}

TEST_CASE("aget by primary key still counts the rows a multi-valued relation repeats") {
  with_blog([](Blog& b) -> aorm::Task<void> {
    // Hello has two tags: the join repeats its row, and Django's get() reports both.
    const std::vector<std::string> both{"cpp", "python"};
    CHECK_THROWS_WITH_AS(co_await Article::objects.aget(Article::f.pk == b.hello.id, Article::f.tags->name.in(both)),
                         "get() returned more than one Article -- it returned 2!",
                         Article::MultipleObjectsReturned);
    // One tag matches: one row.
    const auto hello = co_await Article::objects.aget(Article::f.pk == b.hello.id, Article::f.tags->name == "cpp");
    CHECK(hello.title == "Hello");
    // Through a single-valued relation the row is not repeated.
    CHECK((co_await Article::objects.aget(Article::f.pk == b.hello.id, Article::f.author->name == "Ada")).title == "Hello");
  });
}

TEST_CASE("conditions in one filter call match the same related row, separate calls may not") {
  with_blog([](Blog&) -> aorm::Task<void> {
    // No single article of Ada has both tags cpp and python... but Hello has both: the tag
    // must be one row, so "cpp and python on the same tag row" matches nothing.
    CHECK(co_await Article::objects.filter(Article::f.tags->name == "cpp", Article::f.tags->name == "python").acount() == 0);
    // Separate calls join the relation twice: Hello has a cpp tag and a python tag.
    auto both = co_await Article::objects.filter(Article::f.tags->name == "cpp")
                    .filter(Article::f.tags->name == "python")
                    .alist();
    CHECK(sorted(both, title) == names("Hello"));
    // Same article: published with more than 7 views (only Hello).
    CHECK(co_await Author::objects.filter(Author::f.articles->status == "published", Author::f.articles->views > 7).acount() == 1);
    // Different articles may satisfy each call: Ada has a published one and one with < 7 views.
    CHECK(co_await Author::objects.filter(Author::f.articles->views < 7).filter(Author::f.articles->views > 7).distinct().acount() == 1);
    CHECK(co_await Author::objects.filter(Author::f.articles->views < 7, Author::f.articles->views > 7).acount() == 0);
  });
}

TEST_CASE("exclude over a multi-valued relation drops owners with any matching row") {
  with_blog([](Blog&) -> aorm::Task<void> {
    auto rest = co_await Author::objects.exclude(Author::f.articles->status == "published").alist();
    CHECK(sorted(rest, name) == names("Grace", "Linus"));
    auto untagged = co_await Article::objects.exclude(Article::f.tags->name == "cpp").alist();
    CHECK(sorted(untagged, title) == names("Kernel"));
    // A negated single-valued chain keeps rows whose relation is missing (Django's NULL rule).
    CHECK(co_await Comment::objects.exclude(Comment::f.author->name == "Linus").acount() == 2);
  });
}

TEST_CASE("order_by, values and aggregates read across relations") {
  with_blog([](Blog&) -> aorm::Task<void> {
    auto ordered = co_await Article::objects.order_by(Article::f.author->name.desc(), Article::f.title).alist();
    CHECK(ordered.at(0).title == "Kernel");
    CHECK(ordered.at(1).title == "Async");
    auto pairs = co_await Comment::objects.order_by(Comment::f.id).values(Comment::f.body, Comment::f.article->title).alist();
    REQUIRE(pairs.size() == 3);
    CHECK(pairs[0] == std::tuple<std::string, std::string>{"nice", "Hello"});
    CHECK(pairs[2] == std::tuple<std::string, std::string>{"more", "Async"});
    auto who = co_await Comment::objects.order_by(Comment::f.id).values_list(Comment::f.author->name).alist();
    CHECK(who == names("Linus", "", "Ada"));  // NULL reads as the default
    auto [views] = co_await Article::objects.filter(Article::f.author->name == "Ada").aaggregate(aorm::Sum(Article::f.views));
    CHECK(views == 15);
    auto [n] = co_await Author::objects.aaggregate(aorm::Count(Author::f.articles));
    CHECK(n == 3);
  });
}

TEST_CASE("aupdate and adelete filter across relations") {
  with_blog([](Blog&) -> aorm::Task<void> {
    const auto n = co_await Article::objects.filter(Article::f.tags->name == "cpp").aupdate(Article::f.views = 100);
    CHECK(n == 2);
    CHECK(co_await Article::objects.filter(Article::f.views == 100).acount() == 2);
    const auto r = co_await Comment::objects.filter(Comment::f.article->author->name == "Ada", Comment::f.approved == false).adelete();
    CHECK(r.total == 1);
    CHECK(co_await Comment::objects.acount() == 2);
  });
}

TEST_CASE("updates cannot assign a related model's column") {
  CHECK_THROWS_AS((void)(Comment::f.article->title = "x"), aorm::Error);
}

}  // namespace
}  // namespace relations
