// The terminal methods of API.md §4 that read: aget, afirst/alast, alatest/aearliest,
// acount/aexists/acontains, alist/aall, aiterator, ain_bulk (aexplain: dialect_test.cpp).
#include "blog_fixture.hpp"

#include <string_view>

namespace behaviour {
namespace {

const auto& f = Article::f;

TEST_CASE("aget returns the one matching row") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    Article a = co_await Article::objects.aget(f.slug == "async-cpp");
    CHECK(a.id == b.async_cpp.id);
    CHECK(a.title == "Async C++ in practice");
    CHECK(a.status == Article::Status::published);
    CHECK(a.views == 25);
    CHECK(a.author.id() == b.ada.id);
    Article same = co_await Article::objects.filter(f.views > 20).aget();
    CHECK(same.id == a.id);
    Author linus = co_await Author::objects.aget(Author::f.pk == b.linus.id);
    CHECK(linus.email == "linus@example.com");
  });
}

TEST_CASE("aget raises DoesNotExist with Django's message") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    CHECK_THROWS_WITH_AS(co_await Article::objects.aget(f.slug == "missing"),
                         "Article matching query does not exist.", Article::DoesNotExist);
    CHECK_THROWS_WITH_AS(co_await Author::objects.aget(Author::f.name == "Grace"),
                         "Author matching query does not exist.", Author::DoesNotExist);
    // The model's exception is an aorm::DoesNotExist, so generic handlers catch it too.
    bool caught = false;
    try {
      co_await Article::objects.none().aget();
    } catch (const aorm::DoesNotExist&) {
      caught = true;
    }
    CHECK(caught);
  });
}

TEST_CASE("aget raises MultipleObjectsReturned with Django's message") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    CHECK_THROWS_WITH_AS(co_await Article::objects.aget(f.author == b.ada),
                         "get() returned more than one Article -- it returned 2!",
                         Article::MultipleObjectsReturned);
    CHECK_THROWS_WITH_AS(co_await Article::objects.aget(),
                         "get() returned more than one Article -- it returned 4!",
                         aorm::MultipleObjectsReturned);
  });
}

TEST_CASE("MultipleObjectsReturned says 'more than 20' past twenty rows, as Django does") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    (void)b;
    std::vector<Tag> tags;
    for (int i = 0; i < 25; ++i) tags.push_back(Tag{.name = "t" + std::to_string(i)});
    co_await Tag::objects.abulk_create(std::move(tags));
    CHECK_THROWS_WITH_AS(co_await Tag::objects.aget(), "get() returned more than one Tag -- it returned more than 20!",
                         Tag::MultipleObjectsReturned);
  });
}

TEST_CASE("afirst and alast follow the ordering, else the primary key, and are empty on no rows") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    // Article has meta ordering -created_at.
    auto newest = co_await Article::objects.afirst();
    REQUIRE(newest.has_value());
    CHECK(newest->slug == "draft-notes");
    auto oldest = co_await Article::objects.alast();
    REQUIRE(oldest.has_value());
    CHECK(oldest->slug == "odd-chars");
    auto most_viewed = co_await Article::objects.order_by(f.views.desc()).afirst();
    REQUIRE(most_viewed.has_value());
    CHECK(most_viewed->slug == "async-cpp");
    // Author has no ordering: by primary key.
    auto first_author = co_await Author::objects.afirst();
    auto last_author = co_await Author::objects.alast();
    REQUIRE(first_author.has_value());
    REQUIRE(last_author.has_value());
    CHECK(first_author->id == b.ada.id);
    CHECK(last_author->id == b.linus.id);
    CHECK_FALSE((co_await Article::objects.filter(f.views > 1000).afirst()).has_value());
    CHECK_FALSE((co_await Article::objects.filter(f.views > 1000).alast()).has_value());
  });
}

TEST_CASE("alatest and aearliest use get_latest_by or the given column") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    CHECK((co_await Article::objects.alatest()).slug == "draft-notes");
    CHECK((co_await Article::objects.aearliest()).slug == "odd-chars");
    CHECK((co_await Article::objects.alatest(f.views)).slug == "async-cpp");
    CHECK((co_await Article::objects.aearliest(f.views)).slug == "draft-notes");
    CHECK((co_await Article::objects.filter(f.author == b.ada).alatest()).slug == "async-cpp");
    CHECK_THROWS_AS(co_await Article::objects.filter(f.views > 1000).alatest(), Article::DoesNotExist);
  });
}

TEST_CASE("acount, aexists and acontains answer about the filtered rows") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    CHECK(co_await Article::objects.acount() == 0);
    CHECK_FALSE(co_await Article::objects.aexists());
    co_await b.seed();
    CHECK(co_await Article::objects.acount() == 4);
    CHECK(co_await Author::objects.acount() == 2);
    CHECK(co_await Tag::objects.acount() == 3);
    CHECK(co_await Article::objects.filter(f.status == Article::Status::published).aexists());
    CHECK_FALSE(co_await Article::objects.filter(f.slug == "nope").aexists());
    const auto published = Article::objects.filter(f.status == Article::Status::published);
    CHECK(co_await published.acontains(b.hello));
    CHECK_FALSE(co_await published.acontains(b.draft));
  });
}

TEST_CASE("alist and aall return every matching row") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    std::vector<Article> all = co_await Article::objects.alist();
    CHECK(all.size() == 4);
    std::vector<Article> same = co_await Article::objects.aall();
    REQUIRE(same.size() == 4);
    for (std::size_t i = 0; i < all.size(); ++i) CHECK(all[i].id == same[i].id);
    std::vector<Author> authors = co_await Author::objects.filter(Author::f.name.startswith("Ada")).alist();
    REQUIRE(authors.size() == 1);
    CHECK(authors[0].email == "ada@example.com");
  });
}

TEST_CASE("aiterator streams every row in order, in chunks") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    std::vector<std::string> seen;
    auto stream = Article::objects.order_by(f.views).aiterator(3);
    while (auto a = co_await stream.anext()) seen.push_back(a->slug);
    CHECK(seen == std::vector<std::string>{"draft-notes", "odd-chars", "hello-world", "async-cpp"});
    // An exhausted stream stays exhausted.
    CHECK_FALSE((co_await stream.anext()).has_value());

    auto empty = Article::objects.filter(f.views > 1000).aiterator();
    CHECK_FALSE((co_await empty.anext()).has_value());
  });
}

TEST_CASE("aiterator over more rows than a chunk delivers each row once") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    std::vector<Tag> tags;
    for (int i = 0; i < 250; ++i) tags.push_back(Tag{.name = "tag-" + std::to_string(i)});
    co_await Tag::objects.abulk_create(std::move(tags));
    (void)b;
    std::int64_t n = 0, previous = 0;
    bool increasing = true;
    auto stream = Tag::objects.order_by(Tag::f.id).aiterator(16);
    while (auto t = co_await stream.anext()) {
      increasing = increasing && t->id > previous;
      previous = t->id;
      ++n;
    }
    CHECK(n == 250);
    CHECK(increasing);
  });
}

TEST_CASE("aiterator over a result that fits in one chunk lets the loop body save each row") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    // The whole result is one chunk, read before the first row is handed out: the saves
    // run after the stream's cursor is gone (the many-chunks test below saves while it is
    // open, on a lent connection).
    auto stream = Article::objects.order_by(f.id).aiterator();
    int saved = 0;
    while (auto a = co_await stream.anext()) {
      a->views += 100;
      co_await a->asave();
      ++saved;
    }
    CHECK(saved == 4);
    CHECK(co_await Article::objects.filter(f.views >= 100).acount() == 4);
  });
}

TEST_CASE("aiterator over many chunks lets the loop body save each row and open another stream") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    // Chunks of one row: the stream's cursor stays open across the whole loop. An inline
    // SQLite pool has one connection, which the statements in the loop share with it.
    auto stream = Article::objects.order_by(f.id).aiterator(1);
    std::vector<std::int64_t> ids;
    while (auto a = co_await stream.anext()) {
      a->views += 100;
      co_await a->asave();
      ids.push_back(a->id);
      // A nested stream and a transaction inside the loop work too.
      auto inner = Author::objects.order_by(Author::f.pk).aiterator(1);
      int authors = 0;
      while (co_await inner.anext()) ++authors;
      CHECK(authors == 2);
      co_await aorm::atomic([&]() -> aorm::Task<void> {
        CHECK(co_await Article::objects.filter(f.id == a->id, f.views >= 100).acount() == 1);
      });
    }
    CHECK(ids == std::vector<std::int64_t>{b.hello.id, b.async_cpp.id, b.draft.id, b.odd.id});
    CHECK(co_await Article::objects.filter(f.views >= 100).acount() == 4);
  });
}

TEST_CASE("a row aiterator cannot read raises from anext after the rows before it, and ends the stream") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    CHECK(co_await b.db.aexecute("UPDATE blog_article SET status = 'purple' WHERE slug = " + b.param(1),
                                 "hello-world") == 1);
    // By views: draft-notes, odd-chars, then the unreadable hello-world (first of the
    // second chunk), then async-cpp.
    auto stream = Article::objects.order_by(f.views).aiterator(2);
    std::vector<std::string> seen;
    bool raised = false;
    try {
      while (auto a = co_await stream.anext()) seen.push_back(a->slug);
    } catch (const aorm::DataError& e) {
      raised = true;
      CHECK(std::string_view(e.what()).find("'purple'") != std::string_view::npos);
    }
    CHECK(raised);
    CHECK(seen == std::vector<std::string>{"draft-notes", "odd-chars"});
    CHECK_FALSE((co_await stream.anext()).has_value());  // finished, like a generator that raised
    // The stream gave its connection back: a transaction (which leases one) still runs.
    co_await aorm::atomic([&]() -> aorm::Task<void> {
      CHECK(co_await Article::objects.filter(f.status == Article::Status::published).acount() == 1);
    });
  });
}

TEST_CASE("ain_bulk maps primary keys, or another unique column, to rows") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    const std::vector<std::int64_t> ids{b.hello.id, b.odd.id, 999999};
    auto by_id = co_await Article::objects.ain_bulk(ids);
    CHECK(by_id.size() == 2);
    CHECK(by_id.at(b.hello.id).slug == "hello-world");
    CHECK(by_id.at(b.odd.id).slug == "odd-chars");
    const std::vector<std::string> slugs{"async-cpp", "draft-notes"};
    auto by_slug = co_await Article::objects.ain_bulk(slugs, f.slug);
    CHECK(by_slug.size() == 2);
    CHECK(by_slug.at("async-cpp").id == b.async_cpp.id);
    CHECK(by_slug.at("draft-notes").views == 0);
  });
}

}  // namespace
}  // namespace behaviour
