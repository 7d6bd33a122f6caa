// select_related and prefetch_related, with the query counts QueryCapture proves.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "fixture.hpp"

#include "aorm/capture.hpp"

namespace relations {
namespace {

auto tag_name = [](const Tag& t) { return t.name; };
auto title = [](const Article& a) { return a.title; };

TEST_CASE("select_related loads every level of a chain in one query") {
  with_blog([](Blog&) -> aorm::Task<void> {
    aorm::QueryCapture cap;
    auto comments = co_await Comment::objects.select_related(Comment::f.article->author, Comment::f.author)
                        .order_by(Comment::f.id)
                        .alist();
    REQUIRE(comments.size() == 3);
    CHECK(cap.count() == 1);
    CHECK(cap.queries().at(0).sql.find("LEFT OUTER JOIN") != std::string::npos);  // Comment.author is nullable
    CHECK(comments[0].article->title == "Hello");
    CHECK(comments[0].article->author->name == "Ada");
    CHECK(comments[0].author->name == "Linus");
    CHECK_FALSE(comments[1].author.loaded());  // no author: nothing to load
    CHECK(comments[2].article->author->name == "Ada");
    CHECK(cap.count() == 1);  // no hidden lazy query
  });
}

TEST_CASE("select_related works with aget and aiterator") {
  with_blog([](Blog&) -> aorm::Task<void> {
    aorm::QueryCapture cap;
    Article a = co_await Article::objects.select_related(Article::f.author).aget(Article::f.slug == "kernel");
    CHECK(a.author->name == "Linus");
    CHECK(cap.count() == 1);
    auto stream = Comment::objects.select_related(Comment::f.article->author).order_by(Comment::f.id).aiterator(2);
    std::vector<std::string> who;
    while (auto c = co_await stream.anext()) who.push_back(c->article->author->name);
    CHECK(who == names("Ada", "Ada", "Ada"));
  });
}

TEST_CASE("prefetch_related: one query per relation level, iteration without I/O") {
  with_blog([](Blog&) -> aorm::Task<void> {
    aorm::QueryCapture cap;
    auto articles = co_await Article::objects.select_related(Article::f.author)
                        .prefetch_related(Article::f.tags, Article::f.comments)
                        .order_by(Article::f.title)
                        .alist();
    CHECK(cap.count() == 3);  // articles+authors, tags, comments
    REQUIRE(articles.size() == 3);
    CHECK(articles[0].title == "Async");
    CHECK(sorted(articles[0].tags, tag_name) == names("cpp"));
    CHECK(sorted(articles[1].tags, tag_name) == names("cpp", "python"));
    CHECK(articles[2].tags.empty());
    CHECK(articles[1].comments.size() == 2);
    CHECK(articles[1].author->name == "Ada");
    CHECK(cap.count() == 3);
  });
}

TEST_CASE("nested prefetch paths load each level once") {
  with_blog([](Blog&) -> aorm::Task<void> {
    aorm::QueryCapture cap;
    auto authors = co_await Author::objects.prefetch_related(Author::f.articles, Author::f.articles->tags)
                       .order_by(Author::f.name)
                       .alist();
    CHECK(cap.count() == 3);  // authors, articles, tags
    REQUIRE(authors.size() == 3);
    CHECK(authors[0].name == "Ada");
    CHECK(sorted(authors[0].articles, title) == names("Async", "Hello"));
    std::size_t tags = 0;
    for (const Article& a : authors[0].articles) tags += a.tags.size();
    CHECK(tags == 3);
    CHECK(authors[1].articles.empty());  // Grace
    CHECK(authors[2].articles.size() == 1);
    // comments__author: a foreign key may end a path.
    cap.clear();
    auto articles = co_await Article::objects.prefetch_related(Article::f.tags, Article::f.comments->author)
                        .filter(Article::f.slug == "hello")
                        .alist();
    CHECK(cap.count() == 4);  // articles, tags, comments, their authors
    REQUIRE(articles.size() == 1);
    std::vector<std::string> who;
    for (const Comment& c : articles[0].comments) who.push_back(c.author.loaded() ? c.author->name : "-");
    std::sort(who.begin(), who.end());
    CHECK(who == names("-", "Linus"));
    CHECK(cap.count() == 4);
  });
}

TEST_CASE("a prefetch path continues after a foreign key with one query per level") {
  with_blog([](Blog&) -> aorm::Task<void> {
    aorm::QueryCapture cap;
    auto comments = co_await Comment::objects.prefetch_related(Comment::f.article->tags).order_by(Comment::f.id).alist();
    CHECK(cap.count() == 3);  // comments, their articles, the articles' tags
    REQUIRE(comments.size() == 3);
    CHECK(comments[0].article->title == "Hello");
    CHECK(sorted(comments[0].article->tags, tag_name) == names("cpp", "python"));
    CHECK(sorted(comments[1].article->tags, tag_name) == names("cpp", "python"));
    CHECK(sorted(comments[2].article->tags, tag_name) == names("cpp"));
    CHECK(cap.count() == 3);
    // A nullable key, then a reverse relation, then a many-to-many: comments -> author ->
    // articles -> tags; the comment without an author loads nothing.
    cap.clear();
    auto deep = co_await Comment::objects.prefetch_related(Comment::f.author->articles->tags).order_by(Comment::f.id).alist();
    CHECK(cap.count() == 4);
    REQUIRE(deep.size() == 3);
    CHECK(sorted(deep[0].author->articles, title) == names("Kernel"));
    CHECK(deep[0].author->articles.items()[0].tags.empty());
    CHECK_FALSE(deep[1].author.loaded());
    std::size_t tags = 0;
    for (const Article& a : deep[2].author->articles) tags += a.tags.size();
    CHECK(tags == 3);
    CHECK(cap.count() == 4);
  });
}

TEST_CASE("Prefetch chooses the related queryset") {
  with_blog([](Blog&) -> aorm::Task<void> {
    aorm::QueryCapture cap;
    auto authors = co_await Author::objects
                       .prefetch_related(aorm::Prefetch(Author::f.articles, Article::objects.filter(Article::f.status == "published")
                                                                                .select_related(Article::f.author)
                                                                                .order_by(Article::f.title)))
                       .filter(Author::f.name == "Ada")
                       .alist();
    CHECK(cap.count() == 2);
    REQUIRE(authors.size() == 1);
    REQUIRE(authors[0].articles.size() == 2);
    CHECK(authors[0].articles.items()[0].title == "Async");
    CHECK(authors[0].articles.items()[0].author->name == "Ada");
    auto tagged = co_await Article::objects.prefetch_related(aorm::Prefetch(Article::f.tags, Tag::objects.filter(Tag::f.name != "cpp")))
                      .filter(Article::f.slug == "hello")
                      .aget();
    CHECK(sorted(tagged.tags, tag_name) == names("python"));
  });
}

TEST_CASE("prefetch_related works per chunk of aiterator and with aget") {
  with_blog([](Blog&) -> aorm::Task<void> {
    aorm::QueryCapture cap;
    auto stream = Article::objects.prefetch_related(Article::f.tags).order_by(Article::f.title).aiterator(2);
    std::vector<std::size_t> counts;
    while (auto a = co_await stream.anext()) counts.push_back(a->tags.size());
    CHECK(counts == std::vector<std::size_t>({1, 2, 0}));
    CHECK(cap.count() == 3);  // one cursor, then the tags of each chunk
    cap.clear();
    Tag cpp = co_await Tag::objects.prefetch_related(Tag::f.articles).aget(Tag::f.name == "cpp");
    CHECK(cpp.articles.size() == 2);
    CHECK(cap.count() == 2);
  });
}

TEST_CASE("an object fetched twice by a multi-valued filter gets its prefetched set in each copy") {
  with_blog([](Blog&) -> aorm::Task<void> {
    // The article with two tags matches both tag names once each: two copies of one row.
    const std::vector<std::string> both = names("cpp", "python");
    auto rows = co_await Article::objects.filter(Article::f.tags->name.in(both))
                    .prefetch_related(Article::f.tags)
                    .order_by(Article::f.title)
                    .alist();
    std::map<std::int64_t, int> copies;
    for (const Article& a : rows) ++copies[a.id];
    std::int64_t twice = 0;
    for (const auto& [id, n] : copies)
      if (n == 2) twice = id;
    REQUIRE(twice != 0);
    for (const Article& a : rows)
      if (a.id == twice) CHECK(sorted(a.tags, tag_name) == names("cpp", "python"));
  });
}

/// Appends the integers written in `text` (a JSON or PostgreSQL array), in order.
void numbers_in_text(const std::string& text, std::vector<std::int64_t>& out) {
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] < '0' || text[i] > '9') {
      ++i;
      continue;
    }
    std::int64_t n = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i) n = n * 10 + (text[i] - '0');
    out.push_back(n);
  }
}

/// The integers a captured statement binds, in order: its integer parameters and the ones
/// inside a text parameter (a long IN list is bound as one array text).
std::vector<std::int64_t> numbers_in(const std::vector<aorm::Value>& params) {
  std::vector<std::int64_t> out;
  for (const aorm::Value& param : params) {
    if (const auto* n = std::get_if<std::int64_t>(&param)) out.push_back(*n);
    if (const auto* text = std::get_if<std::string>(&param)) numbers_in_text(*text, out);
  }
  return out;
}

TEST_CASE("a prefetch asks for each owner key once, in ascending order") {
  with_blog([](Blog&) -> aorm::Task<void> {
    aorm::QueryCapture cap;
    // Newest first, so the owners come in descending order; ada owns two of them.
    auto articles = co_await Article::objects.order_by(Article::f.id.desc())
                        .prefetch_related(Article::f.author, Article::f.tags)
                        .alist();
    REQUIRE(articles.size() == 3);
    REQUIRE(cap.count() == 3);
    std::set<std::int64_t> author_ids, article_ids;
    for (const Article& a : articles) {
      author_ids.insert(a.author.id());
      article_ids.insert(a.id);
    }
    std::vector<std::vector<std::int64_t>> asked;
    for (std::size_t i = 1; i < 3; ++i) asked.push_back(numbers_in(cap.queries()[i].params));
    std::sort(asked.begin(), asked.end(), [](const auto& a, const auto& b) { return a.size() < b.size(); });
    CHECK(asked[0] == std::vector<std::int64_t>(author_ids.begin(), author_ids.end()));  // ada, linus
    CHECK(asked[1] == std::vector<std::int64_t>(article_ids.begin(), article_ids.end()));
    CHECK(articles[0].author->name == "Linus");  // kernel is the newest
  });
}

TEST_CASE("a prefetch over a long run of consecutive keys asks for their range and loads the same rows") {
  with_blog([](Blog& b) -> aorm::Task<void> {
    // 20 authors with one article each: consecutive author ids and article ids.
    constexpr int n = 20;
    std::vector<Author> authors;
    std::vector<Article> articles;
    for (int i = 0; i < n; ++i) {
      Author a{.name = "writer" + std::to_string(i), .email = std::to_string(i) + "@example.com"};
      authors.push_back(co_await Author::objects.acreate(a));
    }
    for (int i = 0; i < n; ++i) {
      Article a{.title = "t" + std::to_string(i), .slug = "s" + std::to_string(i), .author = authors[i].id};
      articles.push_back(co_await Article::objects.acreate(a));
      if (i % 2 == 0) co_await articles.back().tags.aadd(b.cpp);
      if (i % 3 == 0) co_await articles.back().tags.aadd(b.python);
    }
    const auto expected_tags = [](int i) {
      std::vector<std::string> t;
      if (i % 2 == 0) t.push_back("cpp");
      if (i % 3 == 0) t.push_back("python");
      return t;
    };
    const std::int64_t first_article = articles.front().id;
    const std::int64_t first_author = authors.front().id;
    REQUIRE(articles.back().id - first_article == n - 1);
    REQUIRE(authors.back().id - first_author == n - 1);
    // The prefetch queries (all but the first) asked for a range, bound as its two ends.
    const auto asked_ranges = [](const aorm::QueryCapture& cap, std::int64_t lo, std::int64_t hi) {
      for (std::size_t i = 1; i < cap.queries().size(); ++i) {
        const aorm::CapturedQuery q = cap.queries()[i];
        CAPTURE(q.sql);
        CHECK(q.sql.find(" BETWEEN ") != std::string::npos);
        CHECK(q.sql.find(" IN ") == std::string::npos);
        CHECK(q.sql.find("ANY") == std::string::npos);
        const std::vector<std::int64_t> bound = numbers_in(q.params);
        CHECK(std::find(bound.begin(), bound.end(), lo) != bound.end());
        CHECK(std::find(bound.begin(), bound.end(), hi) != bound.end());
      }
    };
    {
      aorm::QueryCapture cap;
      auto got = co_await Article::objects.filter(Article::f.pk >= first_article)
                     .order_by(Article::f.pk)
                     .prefetch_related(Article::f.tags, Article::f.author)
                     .alist();
      REQUIRE(got.size() == static_cast<std::size_t>(n));
      CHECK(cap.count() == 3);
      asked_ranges(cap, first_article, first_article + n - 1);
      for (int i = 0; i < n; ++i) {
        CAPTURE(i);
        CHECK(sorted(got[i].tags, tag_name) == expected_tags(i));
        CHECK(got[i].author->name == "writer" + std::to_string(i));
      }
    }
    {
      aorm::QueryCapture cap;
      auto got = co_await Author::objects.filter(Author::f.pk >= first_author)
                     .order_by(Author::f.pk)
                     .prefetch_related(Author::f.articles)
                     .alist();
      REQUIRE(got.size() == static_cast<std::size_t>(n));
      CHECK(cap.count() == 2);
      asked_ranges(cap, first_author, first_author + n - 1);
      for (int i = 0; i < n; ++i) CHECK(sorted(got[i].articles, title) == names("t" + std::to_string(i)));
    }
    // A gap (one article gone): the keys are listed, and the rows are the same.
    co_await articles[n / 2].adelete();
    aorm::QueryCapture cap;
    auto got = co_await Article::objects.filter(Article::f.pk >= first_article)
                   .order_by(Article::f.pk)
                   .prefetch_related(Article::f.tags)
                   .alist();
    REQUIRE(got.size() == static_cast<std::size_t>(n - 1));
    REQUIRE(cap.count() == 2);
    CHECK(cap.queries()[1].sql.find(" BETWEEN ") == std::string::npos);
    for (const Article& a : got) {
      const int i = static_cast<int>(a.id - first_article);
      CAPTURE(i);
      CHECK(sorted(a.tags, tag_name) == expected_tags(i));
    }
  });
}

TEST_CASE("iterating a set that was not prefetched raises NotLoaded") {
  with_blog([](Blog&) -> aorm::Task<void> {
    Article a = co_await Article::objects.aget(Article::f.slug == "hello");
    CHECK_THROWS_WITH_AS((void)a.tags.size(), doctest::Contains("prefetch_related"), aorm::NotLoaded);
  });
}

}  // namespace
}  // namespace relations
