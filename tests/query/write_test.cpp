// Writes against a real SQLite file: acreate, asave/adelete/arefresh_from_db, get-or-create,
// bulk operations, aupdate and adelete.
#include <string>
#include <vector>

#include "fixture.hpp"

namespace qtest {
namespace {

const auto& f = Article::f;

TEST_CASE("acreate returns the object with its pk and auto_now/auto_now_add stamped") {
  with_blog([](Seed& s) -> aorm::Task<void> {
    const aorm::DateTime before = aorm::now();
    Article a = co_await Article::objects.acreate(Article{.title = "New", .slug = "new", .author = s.ada});
    CHECK(a.id > s.odd.id);
    CHECK(a.created_at >= before);
    CHECK(a.updated_at == a.created_at);
    Article back = co_await Article::objects.aget(f.pk == a.id);
    CHECK(back.created_at == a.created_at);
    CHECK(back.status == Article::Status::draft);
    CHECK_FALSE(back.body.has_value());
    CHECK(a.author.loaded());  // built from an Author
    CHECK(a.author->name == "Ada");
    CHECK_FALSE(back.author.loaded());
    CHECK_THROWS_AS(static_cast<void>(back.author->name), aorm::NotLoaded);
  });
}

TEST_CASE("asave inserts a new object, updates a saved one and stamps auto_now on each save") {
  with_blog([](Seed& s) -> aorm::Task<void> {
    Author grace{.name = "Grace", .email = "grace@example.com"};
    co_await grace.asave();
    CHECK(grace.id > s.linus.id);
    grace.name = "Grace Hopper";
    co_await grace.asave();
    CHECK((co_await Author::objects.aget(Author::f.pk == grace.id)).name == "Grace Hopper");
    CHECK(co_await Author::objects.acount() == 3);

    Article hello = s.hello;
    const aorm::DateTime created = hello.created_at;
    hello.views = 99;
    co_await hello.asave();
    Article back = co_await Article::objects.aget(f.pk == hello.id);
    CHECK(back.views == 99);
    CHECK(back.created_at == created);       // auto_now_add: only on insert
    CHECK(back.updated_at > s.hello.updated_at);  // auto_now: every save

    Author with_id{.id = 500, .name = "Explicit", .email = "x@example.com"};  // pk set, no row: INSERT
    co_await with_id.asave();
    CHECK((co_await Author::objects.aget(Author::f.pk == 500)).name == "Explicit");
  });
}

TEST_CASE("adelete on an instance deletes its row and link rows and resets its pk") {
  with_blog([](Seed& s) -> aorm::Task<void> {
    Article async = s.async;
    aorm::DeleteResult r = co_await async.adelete();
    CHECK(r.total == 3);
    CHECK(r.per_model == std::map<std::string, std::int64_t>{{"qt.Article", 1}, {"qt.Article_tags", 2}});
    CHECK(async.id == 0);
    CHECK(co_await Article::objects.acount() == 3);
    CHECK_THROWS_AS(co_await async.adelete(), aorm::Error);
  });
}

TEST_CASE("arefresh_from_db reloads the row, and raises DoesNotExist when it is gone") {
  with_blog([](Seed& s) -> aorm::Task<void> {
    Article copy = s.hello;
    copy.title = "local change";
    co_await Article::objects.filter(f.pk == s.hello.id).aupdate(f.views = 77);
    co_await copy.arefresh_from_db();
    CHECK(copy.title == "Hello World");
    CHECK(copy.views == 77);
    co_await Article::objects.filter(f.pk == s.hello.id).adelete();
    CHECK_THROWS_WITH_AS(co_await copy.arefresh_from_db(), "Article matching query does not exist.",
                         Article::DoesNotExist);
  });
}

TEST_CASE("aget_or_create gets an existing row or creates one from the lookups and defaults") {
  with_blog([](Seed& s) -> aorm::Task<void> {
    auto [got, created] = co_await Article::objects.aget_or_create(
        f.slug == "hello", aorm::defaults(f.title = "ignored", f.views = 1));
    CHECK_FALSE(created);
    CHECK(got.id == s.hello.id);
    auto [made, made_created] = co_await Article::objects.aget_or_create(
        aorm::defaults(f.title = "Made", f.author = s.linus, f.status = "published"), f.slug == "made");
    CHECK(made_created);
    CHECK(made.id > 0);
    CHECK(made.slug == "made");
    CHECK(made.title == "Made");
    CHECK(made.status == Article::Status::published);
    CHECK(made.author.id() == s.linus.id);
    CHECK((co_await Article::objects.aget(f.slug == "made")).title == "Made");
    auto [tag, tag_created] = co_await Tag::objects.aget_or_create(Tag::f.name == "rust");
    CHECK(tag_created);
    CHECK(co_await Tag::objects.acount() == 3);
  });
}

TEST_CASE("concurrent aget_or_create calls create one row and both return it") {
  with_blog([](Seed&) -> aorm::Task<void> {
    auto [a, b] = co_await aorm::gather(Tag::objects.aget_or_create(Tag::f.name == "same"),
                                        Tag::objects.aget_or_create(Tag::f.name == "same"));
    CHECK(a.first.id == b.first.id);
    CHECK(a.second != b.second);
    CHECK(co_await Tag::objects.filter(Tag::f.name == "same").acount() == 1);
  });
}

TEST_CASE("aupdate_or_create updates with defaults, or creates with create_defaults") {
  with_blog([](Seed& s) -> aorm::Task<void> {
    auto [updated, created] = co_await Article::objects.aupdate_or_create(
        f.slug == "hello", aorm::defaults(f.views = 1000), aorm::create_defaults(f.views = 1, f.title = "C"));
    CHECK_FALSE(created);
    CHECK(updated.views == 1000);
    CHECK((co_await Article::objects.aget(f.slug == "hello")).views == 1000);
    auto [fresh, fresh_created] = co_await Article::objects.aupdate_or_create(
        f.slug == "fresh", aorm::defaults(f.views = 1000, f.author = s.ada),
        aorm::create_defaults(f.views = 1, f.title = "Fresh", f.author = s.ada));
    CHECK(fresh_created);
    CHECK(fresh.views == 1);
    CHECK(fresh.title == "Fresh");
  });
}

TEST_CASE("abulk_create inserts every object in batches and sets their primary keys") {
  with_blog([](Seed& s) -> aorm::Task<void> {
    std::vector<Article> batch;
    for (int i = 0; i < 5; ++i)
      batch.push_back(Article{.title = "Bulk " + std::to_string(i), .slug = "bulk-" + std::to_string(i),
                              .views = i, .author = s.ada});
    aorm::QueryCapture cap;
    auto made = co_await Article::objects.abulk_create(std::move(batch), {.batch_size = 2});
    REQUIRE(made.size() == 5);
    for (std::size_t i = 0; i < made.size(); ++i) {
      CHECK(made[i].id > s.odd.id);
      CHECK((co_await Article::objects.aget(f.pk == made[i].id)).slug == "bulk-" + std::to_string(i));
      CHECK(made[i].created_at != aorm::DateTime{});
    }
    CHECK(co_await Article::objects.acount() == 9);
    std::size_t inserts = 0;
    for (const auto& q : cap.queries()) inserts += q.sql.starts_with("INSERT") ? 1 : 0;
    CHECK(inserts == 3);
  });
}

TEST_CASE("abulk_create with ignore_conflicts skips duplicates, update_conflicts overwrites named fields") {
  with_blog([](Seed& s) -> aorm::Task<void> {
    std::vector<Tag> tags{{.name = "cpp"}, {.name = "rust"}};
    co_await Tag::objects.abulk_create(std::move(tags), {.ignore_conflicts = true});
    CHECK(co_await Tag::objects.acount() == 3);
    std::vector<Article> batch{{.title = "Hello, updated", .slug = "hello", .views = 500, .author = s.ada},
                               {.title = "Fresh", .slug = "fresh", .views = 1, .author = s.ada}};
    co_await Article::objects.abulk_create(std::move(batch), {.update_conflicts = true, .unique_fields = {f.slug},
                                                              .update_fields = {f.title, f.views}});
    Article hello = co_await Article::objects.aget(f.slug == "hello");
    CHECK(hello.id == s.hello.id);
    CHECK(hello.title == "Hello, updated");
    CHECK(hello.views == 500);
    CHECK(hello.rating == 4.5);
    CHECK(co_await Article::objects.acount() == 5);
  });
}

TEST_CASE("abulk_update writes the named columns with CASE WHEN and returns the row count") {
  with_blog([](Seed& s) -> aorm::Task<void> {
    std::vector<Article> objs{s.hello, s.draft, s.odd};
    objs[0].views = 111;
    objs[0].title = "Hello (edited)";
    objs[1].views = 222;
    objs[1].body = "not written";
    objs[2].views = 333;
    std::int64_t rows = co_await Article::objects.abulk_update(objs, {f.views, f.title}, {.batch_size = 2});
    CHECK(rows == 3);
    CHECK((co_await Article::objects.aget(f.pk == s.hello.id)).title == "Hello (edited)");
    Article draft = co_await Article::objects.aget(f.pk == s.draft.id);
    CHECK(draft.views == 222);
    CHECK_FALSE(draft.body.has_value());
    CHECK((co_await Article::objects.aget(f.pk == s.odd.id)).views == 333);
  });
}

TEST_CASE("aupdate sets values, enums, foreign keys, NULL and F-expressions, returns rows matched") {
  with_blog([](Seed& s) -> aorm::Task<void> {
    const auto published = Article::objects.filter(f.status == "published");
    CHECK(co_await published.aupdate(f.views = f.views * 2 + 1, f.rating = std::nullopt) == 2);
    CHECK((co_await Article::objects.aget(f.pk == s.async.id)).views == 51);
    CHECK(co_await Article::objects.filter(f.rating.isnull()).acount() == 3);
    CHECK(co_await Article::objects.filter(f.pk == s.draft.id).aupdate(f.status = "archived", f.author = s.ada) == 1);
    Article draft = co_await Article::objects.aget(f.pk == s.draft.id);
    CHECK(draft.status == Article::Status::archived);
    CHECK(draft.author.id() == s.ada.id);
    CHECK(draft.updated_at == s.draft.updated_at);  // Django's update() does not touch auto_now
    CHECK(co_await Article::objects.filter(f.views > 1000).aupdate(f.views = 0) == 0);
    CHECK(co_await Article::objects.none().aupdate(f.views = 0) == 0);
    CHECK_THROWS_AS(static_cast<void>(Article::objects.limit(1).aupdate(f.views = 0)), aorm::Error);
  });
}

TEST_CASE("adelete on a QuerySet deletes the rows and their m2m links, counted per label") {
  with_blog([](Seed&) -> aorm::Task<void> {
    aorm::DeleteResult none = co_await Article::objects.filter(f.views > 1000).adelete();
    CHECK(none.total == 0);
    CHECK(none.per_model.empty());
    aorm::DeleteResult r = co_await Article::objects.filter(f.status == "published").adelete();
    CHECK(r.total == 5);
    CHECK(r.per_model == std::map<std::string, std::int64_t>{{"qt.Article", 2}, {"qt.Article_tags", 3}});
    CHECK(co_await Article::objects.acount() == 2);
    aorm::DeleteResult tags = co_await Tag::objects.filter(Tag::f.name == "cpp").adelete();
    CHECK(tags.per_model == std::map<std::string, std::int64_t>{{"qt.Tag", 1}});  // its links went with async
    CHECK_THROWS_AS(static_cast<void>(Article::objects.limit(1).adelete()), aorm::Error);
  });
}

TEST_CASE("adelete follows foreign keys backwards: cascade, set_null, and links to the deleted rows") {
  with_blog([](Seed& s) -> aorm::Task<void> {
    using qt::Comment;
    co_await Comment::objects.acreate(Comment{.article = s.hello, .author = s.linus, .body = "on hello"});
    co_await Comment::objects.acreate(Comment{.article = s.hello, .body = "anonymous"});
    const Comment kept = co_await Comment::objects.acreate(Comment{.article = s.draft, .author = s.ada, .body = "by ada"});

    aorm::DeleteResult r = co_await Article::objects.filter(f.slug == "hello").adelete();
    CHECK(r.per_model == std::map<std::string, std::int64_t>{{"qt.Article", 1}, {"qt.Article_tags", 1}, {"qt.Comment", 2}});
    CHECK(r.total == 4);
    CHECK(co_await Comment::objects.acount() == 1);

    // Ada wrote async (2 tag links); the comment she wrote on linus's draft stays, anonymous.
    aorm::DeleteResult a = co_await Author::objects.filter(Author::f.pk == s.ada.id).adelete();
    CHECK(a.per_model == std::map<std::string, std::int64_t>{{"qt.Author", 1}, {"qt.Article", 1}, {"qt.Article_tags", 2}});
    Comment after = co_await Comment::objects.aget(Comment::f.pk == kept.id);
    CHECK_FALSE(after.author.id().has_value());
    CHECK(after.article.id() == s.draft.id);

    // A tag's link rows go with it.
    co_await s.db.aexecute("INSERT INTO qt_article_tags (article_id, tag_id) VALUES (?, ?)", s.draft.id, s.python.id);
    aorm::DeleteResult t = co_await s.python.adelete();
    CHECK(t.per_model == std::map<std::string, std::int64_t>{{"qt.Tag", 1}, {"qt.Article_tags", 1}});
  });
}

TEST_CASE("adelete raises ProtectedError and deletes nothing when a protect key references a row") {
  with_blog([](Seed& s) -> aorm::Task<void> {
    using qt::Comment;
    co_await Comment::objects.acreate(Comment{.article = s.hello, .tag = s.cpp, .body = "pinned to cpp"});
    std::string message;
    try {
      co_await Tag::objects.filter(Tag::f.name == "cpp").adelete();
    } catch (const aorm::ProtectedError& e) {
      message = e.what();
    }
    CHECK(message ==
          "Cannot delete some instances of model 'Tag' because they are referenced through protected foreign keys: "
          "'Comment.tag'.");
    CHECK(co_await Tag::objects.acount() == 2);
    // Deleting the referencing comment (here through the cascade from its article) lifts it.
    co_await Article::objects.filter(f.pk == s.hello.id).adelete();
    CHECK(co_await Comment::objects.acount() == 0);
    CHECK((co_await Tag::objects.filter(Tag::f.name == "cpp").adelete()).total == 2);  // tag + async's link
    aorm::DeleteResult python = co_await s.python.adelete();
    CHECK(python.total == 2);
    CHECK(python.per_model == std::map<std::string, std::int64_t>{{"qt.Tag", 1}, {"qt.Article_tags", 1}});
  });
}

TEST_CASE("araw maps a raw SELECT onto model rows") {
  with_blog([](Seed&) -> aorm::Task<void> {
    auto rows = co_await Article::objects.araw("SELECT * FROM qt_article WHERE status = ? ORDER BY id", "published");
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].slug == "hello");
    CHECK(rows[1].status == Article::Status::published);
  });
}

TEST_CASE("ForeignKey and ManyToMany members say how to load them when used unloaded") {
  Article a;
  a.author = 5;
  CHECK(a.author.id() == 5);
  CHECK_THROWS_WITH_AS(static_cast<void>(a.author->name), "Author (id 5) is not loaded: add select_related(<the foreign key field>) to the query that fetched this row",
                       aorm::NotLoaded);
  CHECK_THROWS_AS(a.tags.begin(), aorm::NotLoaded);
  a.tags.set_loaded({Tag{.id = 1, .name = "cpp"}});
  std::vector<std::string> names;
  for (const Tag& t : a.tags) names.push_back(t.name);
  CHECK(names == std::vector<std::string>{"cpp"});
  Article copy = a;
  a.author.set_loaded(Author{.id = 6, .name = "Ada", .email = "a@x"});
  CHECK(a.author.id() == 6);
  CHECK(a.author->name == "Ada");
  CHECK_FALSE(copy.author.loaded());
}

TEST_CASE("adelete follows a self-referencing cascade down a chain of rows") {
  with_blog([](Seed& s) -> aorm::Task<void> {
    using qt::Pin;
    const Pin root = co_await Pin::objects.acreate(Pin{.author = s.ada, .note = "root"});
    const Pin reply = co_await Pin::objects.acreate(Pin{.author = s.ada, .note = "reply", .parent = root.id});
    co_await Pin::objects.acreate(Pin{.author = s.linus, .note = "reply to reply", .parent = reply.id});
    co_await Pin::objects.acreate(Pin{.author = s.linus, .note = "unrelated"});
    const aorm::DeleteResult r = co_await Pin::objects.filter(Pin::f.pk == root.id).adelete();
    CHECK(r.per_model.at("qt.Pin") == 3);
    CHECK(r.total == 3);
    CHECK(co_await Pin::objects.acount() == 1);
  });
}

TEST_CASE("adelete with on_delete set_default writes the member initialiser's value") {
  with_blog([](Seed& s) -> aorm::Task<void> {
    using qt::Pin;
    REQUIRE(s.ada.id == 1);  // Pin's default author
    const Pin pin = co_await Pin::objects.acreate(Pin{.author = s.linus, .note = "kernel"});
    const aorm::DeleteResult r = co_await s.linus.adelete();
    CHECK(r.per_model.count("qt.Pin") == 0);  // updated, not deleted
    const Pin after = co_await Pin::objects.aget(Pin::f.pk == pin.id);
    CHECK(after.author.id() == s.ada.id);
  });
}

}  // namespace
}  // namespace qtest
