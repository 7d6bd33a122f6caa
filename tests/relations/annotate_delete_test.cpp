// annotate across relations (with filter= and distinct, filtered and ordered), on_delete.
#include "fixture.hpp"

namespace relations {
namespace {

TEST_CASE("annotate counts related rows per object, with filter and distinct") {
  with_blog([](Blog&) -> aorm::Task<void> {
    auto rows = co_await Author::objects.annotate(aorm::Count(Author::f.articles)).order_by(Author::f.name).alist();
    REQUIRE(rows.size() == 3);
    CHECK(std::get<0>(rows[0]).name == "Ada");
    CHECK(std::get<1>(rows[0]) == 2);
    CHECK(std::get<1>(rows[1]) == 0);  // Grace: LEFT JOIN, counted 0
    CHECK(std::get<1>(rows[2]) == 1);
    auto published = co_await Author::objects
                         .annotate(aorm::Count(Author::f.articles, Author::f.articles->status == "published"))
                         .order_by(Author::f.name)
                         .values_list(Author::f.name)
                         .alist();
    CHECK(published.size() == 3);
    // Two multi-valued relations multiply rows: distinct counts each tag once.
    auto tags = co_await Author::objects.annotate(aorm::Count(Author::f.articles->tags, {.distinct = true}))
                    .filter(Author::f.name == "Ada")
                    .alist();
    REQUIRE(tags.size() == 1);
    CHECK(std::get<1>(tags[0]) == 2);  // cpp, python
  });
}

TEST_CASE("annotate combines with select_related, the joined objects built for every row") {
  with_blog([](Blog&) -> aorm::Task<void> {
    auto rows = co_await Article::objects.select_related(Article::f.author)
                    .annotate(aorm::Count(Article::f.comments))
                    .order_by(Article::f.title)
                    .alist();
    REQUIRE(rows.size() == 3);
    CHECK(std::get<0>(rows[0]).title == "Async");
    CHECK(std::get<0>(rows[0]).author->name == "Ada");
    CHECK(std::get<1>(rows[0]) == 1);
    CHECK(std::get<0>(rows[1]).author->name == "Ada");
    CHECK(std::get<1>(rows[1]) == 2);
    CHECK(std::get<0>(rows[2]).author->name == "Linus");
    CHECK(std::get<1>(rows[2]) == 0);
    // Nested and nullable joins too: comments with their article's author and their own.
    auto comments = co_await Comment::objects.select_related(Comment::f.article->author, Comment::f.author)
                        .annotate(aorm::Count(Comment::f.article->tags))
                        .order_by(Comment::f.id)
                        .alist();
    REQUIRE(comments.size() == 3);
    CHECK(std::get<0>(comments[0]).article->author->name == "Ada");
    CHECK(std::get<0>(comments[0]).author->name == "Linus");
    CHECK(std::get<1>(comments[0]) == 2);
    CHECK_FALSE(std::get<0>(comments[1]).author.loaded());
    CHECK(std::get<1>(comments[2]) == 1);
  });
}

TEST_CASE("filter and order on an annotation") {
  with_blog([](Blog&) -> aorm::Task<void> {
    auto busy = co_await Author::objects.annotate(aorm::Count(Author::f.articles))
                    .filter(aorm::Count(Author::f.articles) >= 1)
                    .order_by(aorm::Count(Author::f.articles).desc())
                    .alist();
    REQUIRE(busy.size() == 2);
    CHECK(std::get<0>(busy[0]).name == "Ada");
    CHECK(std::get<0>(busy[1]).name == "Linus");
    auto grouped = co_await Article::objects.values(Article::f.author->name).annotate(aorm::Sum(Article::f.views)).order_by(Article::f.author->name).alist();
    REQUIRE(grouped.size() == 2);
    CHECK(grouped[0] == std::tuple<std::string, std::optional<std::int64_t>>{"Ada", 15});
  });
}

TEST_CASE("adelete cascades, sets null and reports per-model counts like Django") {
  with_blog([](Blog& b) -> aorm::Task<void> {
    const aorm::DeleteResult r = co_await b.ada.adelete();
    // Ada's articles (2) cascade to their comments (3) and tag links (3); her own comment
    // is among them. Linus's comment on hello goes with hello.
    CHECK(r.per_model.at("blog.Author") == 1);
    CHECK(r.per_model.at("blog.Article") == 2);
    CHECK(r.per_model.at("blog.Comment") == 3);
    CHECK(r.per_model.at("blog.Article_tags") == 3);
    CHECK(r.total == 9);
    CHECK(co_await Comment::objects.acount() == 0);
    // set_null: deleting Linus keeps nothing to null now; make one first.
    Comment c = co_await Comment::objects.acreate({.article = b.kernel, .author = b.grace, .body = "hi"});
    co_await b.grace.adelete();
    c = co_await Comment::objects.aget(Comment::f.pk == c.id);
    CHECK(c.author.id() == std::nullopt);
  });
}

TEST_CASE("an insert that violates a foreign key raises IntegrityError") {
  with_blog([](Blog&) -> aorm::Task<void> {
    CHECK_THROWS_AS(co_await Article::objects.acreate({.title = "x", .slug = "x", .author = 9999}), aorm::IntegrityError);
  });
}

}  // namespace
}  // namespace relations
