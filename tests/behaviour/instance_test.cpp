// Instance methods (asave, adelete, arefresh_from_db), auto_now_add, choices, nullable
// fields and raw SQL, as a user of the generated blog models sees them.
#include "blog_fixture.hpp"

namespace behaviour {
namespace {

const auto& f = Article::f;

aorm::DateTime now_us() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

TEST_CASE("asave inserts an unsaved object, then updates it") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    Article a{.title = "Saved", .slug = "saved", .author = b.ada};
    CHECK(a.id == 0);
    co_await a.asave();
    CHECK(a.id > 0);
    CHECK(a.created_at != aorm::DateTime{});
    CHECK(co_await Article::objects.acount() == 5);

    const std::int64_t id = a.id;
    a.title = "Saved twice";
    a.views = 7;
    co_await a.asave();
    CHECK(a.id == id);
    CHECK(co_await Article::objects.acount() == 5);
    Article stored = co_await Article::objects.aget(f.pk == id);
    CHECK(stored.title == "Saved twice");
    CHECK(stored.views == 7);

    Tag t{.name = "saved-tag"};
    co_await t.asave();
    CHECK((co_await Tag::objects.aget(Tag::f.name == "saved-tag")).id == t.id);
  });
}

TEST_CASE("asave keeps auto_now_add timestamps on update") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    Comment c{.article = b.hello, .body = "first"};
    const auto before = now_us();
    co_await c.asave();
    const auto after = now_us();
    CHECK(c.created_at >= before);
    CHECK(c.created_at <= after);
    CHECK_FALSE(c.approved);  // default false
    const auto stamped = c.created_at;
    c.body = "edited";
    c.approved = true;
    co_await c.asave();
    Comment stored = co_await Comment::objects.aget(Comment::f.pk == c.id);
    CHECK(stored.created_at == stamped);
    CHECK(stored.body == "edited");
    CHECK(stored.approved);
    CHECK(stored.article.id() == b.hello.id);
    CHECK_FALSE(stored.author.id().has_value());
  });
}

TEST_CASE("an instance's adelete removes its row and reports Django's DeleteResult") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    Comment on_draft{.article = b.draft, .body = "on the draft"};
    co_await Comment::objects.acreate(on_draft);
    aorm::DeleteResult r = co_await b.draft.adelete();
    CHECK(r.total == 2);
    CHECK(r.per_model.at("blog.Article") == 1);
    CHECK(r.per_model.at("blog.Comment") == 1);
    CHECK_FALSE(co_await Article::objects.filter(f.slug == "draft-notes").aexists());
    CHECK(co_await Comment::objects.acount() == 0);
  });
}

TEST_CASE("arefresh_from_db reloads every field from the database") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    Article copy = b.hello;
    co_await Article::objects.filter(f.pk == b.hello.id)
        .aupdate(f.views = 1234, f.body = std::nullopt, f.status = Article::Status::archived);
    CHECK(copy.views == 10);
    co_await copy.arefresh_from_db();
    CHECK(copy.views == 1234);
    CHECK_FALSE(copy.body.has_value());
    CHECK(copy.status == Article::Status::archived);
    CHECK(copy.title == "Hello World");

    co_await Article::objects.filter(f.pk == b.hello.id).adelete();
    CHECK_THROWS_AS(co_await copy.arefresh_from_db(), Article::DoesNotExist);
  });
}

TEST_CASE("choices round-trip as enums and are stored as their text") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    for (Article::Status s : {Article::Status::draft, Article::Status::published, Article::Status::archived}) {
      co_await Article::objects.filter(f.pk == b.draft.id).aupdate(f.status = s);
      CHECK((co_await Article::objects.aget(f.pk == b.draft.id)).status == s);
    }
    // Stored as the choice's text, so raw SQL sees "archived". Raw SQL is the backend's
    // own: its placeholders are `?` on SQLite, `$1` on PostgreSQL.
    auto raw = co_await Article::objects.araw("SELECT * FROM blog_article WHERE status = " + b.param(1), "archived");
    CHECK(raw.size() == 2);
    CHECK(co_await b.db.aexecute("UPDATE blog_article SET views = views + 1 WHERE status = " + b.param(1),
                                 "published") == 2);
  });
}

TEST_CASE("nullable fields store and load NULL as nullopt and values as values") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    Article a = co_await Article::objects.aget(f.pk == b.draft.id);
    CHECK_FALSE(a.body.has_value());
    CHECK_FALSE(a.rating.has_value());
    CHECK_FALSE(a.published_at.has_value());
    a.body = "";  // empty text is not NULL
    a.rating = 0.0;
    a.published_at = at(2025, 6, 1, 12, 0, 30) + std::chrono::microseconds{123456};
    co_await a.asave();
    Article stored = co_await Article::objects.aget(f.pk == b.draft.id);
    REQUIRE(stored.body.has_value());
    CHECK(stored.body->empty());
    CHECK(stored.rating == 0.0);
    CHECK(stored.published_at == at(2025, 6, 1, 12, 0, 30) + std::chrono::microseconds{123456});
    CHECK(co_await Article::objects.filter(f.body.isnull()).acount() == 0);

    stored.body.reset();
    co_await stored.asave();
    CHECK(co_await Article::objects.filter(f.body.isnull()).acount() == 1);
  });
}

TEST_CASE("text round-trips unchanged, quotes and non-ASCII included") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    const std::string tricky = "It's \"quoted\"; DROP TABLE blog_article; -- é ü 日本 \\ % _";
    Article row{.title = tricky, .slug = "tricky", .author = b.linus};
    Article a = co_await Article::objects.acreate(row);
    CHECK((co_await Article::objects.aget(f.pk == a.id)).title == tricky);
    CHECK(co_await Article::objects.filter(f.title == tricky).acount() == 1);
    CHECK(co_await Article::objects.acount() == 5);
  });
}

}  // namespace
}  // namespace behaviour
