// Related managers on instances (ManyToMany, RelatedSet) and ForeignKey loading.
#include "fixture.hpp"

#include "aorm/capture.hpp"

namespace relations {
namespace {

auto tag_name = [](const Tag& t) { return t.name; };
auto body = [](const Comment& c) { return c.body; };

TEST_CASE("many-to-many aadd is idempotent and all() is a queryset") {
  with_blog([](Blog& b) -> aorm::Task<void> {
    CHECK(co_await b.hello.tags.all().acount() == 2);
    co_await b.hello.tags.aadd(b.cpp, b.cpp, b.databases.id);  // cpp again: a no-op
    CHECK(co_await b.hello.tags.all().acount() == 3);
    CHECK(co_await b.hello.tags.all().filter(Tag::f.name.startswith("d")).acount() == 1);
    auto [links] = co_await Article::objects.filter(Article::f.pk == b.hello.id).aaggregate(aorm::Count(Article::f.tags));
    CHECK(links == 3);
    // The reverse side sees the same links.
    CHECK(co_await b.cpp.articles.all().acount() == 2);
    co_await b.databases.articles.aadd(b.kernel);
    CHECK(co_await b.kernel.tags.all().acount() == 1);
  });
}

TEST_CASE("many-to-many aremove, aset (a diff), aclear and acreate") {
  with_blog([](Blog& b) -> aorm::Task<void> {
    co_await b.hello.tags.aremove(b.python);
    CHECK(sorted(co_await b.hello.tags.all().alist(), tag_name) == names("cpp"));
    {
      aorm::QueryCapture cap;
      const std::vector<Tag> wanted{b.cpp, b.databases};
      co_await b.hello.tags.aset(wanted);
      // BEGIN, read the links, insert the missing one, COMMIT: cpp is kept, not re-inserted.
      std::size_t inserts = 0, deletes = 0;
      for (const auto& q : cap.queries()) {
        inserts += q.sql.starts_with("INSERT");
        deletes += q.sql.starts_with("DELETE");
      }
      CHECK(inserts == 1);
      CHECK(deletes == 0);
    }
    CHECK(sorted(co_await b.hello.tags.all().alist(), tag_name) == names("cpp", "databases"));
    const std::vector<std::int64_t> only_python{b.python.id};
    co_await b.hello.tags.aset(only_python);
    CHECK(sorted(co_await b.hello.tags.all().alist(), tag_name) == names("python"));
    Tag made = co_await b.hello.tags.acreate({.name = "new"});
    CHECK(made.id != 0);
    CHECK(co_await b.hello.tags.all().acount() == 2);
    co_await b.hello.tags.aclear();
    CHECK(co_await b.hello.tags.all().acount() == 0);
    CHECK(co_await Tag::objects.acount() == 4);  // clearing removes links, not tags
  });
}

TEST_CASE("reverse sets: all, aadd moves rows, acreate sets the key") {
  with_blog([](Blog& b) -> aorm::Task<void> {
    CHECK(sorted(co_await b.hello.comments.all().alist(), body) == names("anon", "nice"));
    CHECK(co_await b.ada.articles.all().acount() == 2);
    co_await b.kernel.comments.aadd(b.nice);  // moves the comment to kernel
    CHECK(b.nice.article.id() == b.kernel.id);
    CHECK(co_await b.kernel.comments.all().acount() == 1);
    CHECK(co_await b.hello.comments.all().acount() == 1);
    Comment c = co_await b.kernel.comments.acreate({.body = "first!"});
    CHECK(c.article.id() == b.kernel.id);
    CHECK(co_await b.kernel.comments.all().acount() == 2);
  });
}

TEST_CASE("reverse sets over a nullable key remove, set and clear by nulling the key") {
  with_blog([](Blog& b) -> aorm::Task<void> {
    CHECK(co_await b.ada.comments.all().acount() == 1);
    co_await b.ada.comments.aadd(b.anon);
    CHECK(co_await b.ada.comments.all().acount() == 2);
    co_await b.ada.comments.aremove(b.more);
    CHECK(b.more.author.id() == std::nullopt);
    CHECK(co_await b.ada.comments.all().acount() == 1);
    const std::vector<Comment> kept{b.more, b.nice};
    co_await b.ada.comments.aset(kept);
    CHECK(sorted(co_await b.ada.comments.all().alist(), body) == names("more", "nice"));
    co_await b.ada.comments.aclear();
    CHECK(co_await b.ada.comments.all().acount() == 0);
    CHECK(co_await Comment::objects.acount() == 3);
    // A required key cannot be cleared.
    CHECK_THROWS_AS(co_await b.hello.comments.aclear(), aorm::Error);
  });
}

TEST_CASE("an unsaved owner cannot use its relation sets") {
  Article unsaved;
  CHECK_THROWS_WITH_AS((void)unsaved.tags.all(), doctest::Contains("primary key"), aorm::Error);
}

TEST_CASE("ForeignKey: NotLoaded names the fix, aload loads once, designated initializers") {
  with_blog([](Blog& b) -> aorm::Task<void> {
    Article a = co_await Article::objects.aget(Article::f.slug == "hello");
    CHECK(a.author.id() == b.ada.id);
    CHECK_FALSE(a.author.loaded());
    CHECK_THROWS_WITH_AS((void)a.author->name, doctest::Contains("select_related"), aorm::NotLoaded);
    aorm::QueryCapture cap;
    Author& ada = co_await a.author.aload();
    CHECK(ada.name == "Ada");
    CHECK(a.author->email == "ada@example.com");
    CHECK(cap.count() == 1);
    // Built from an object, a key is loaded without a query.
    Article built{.author = b.linus};
    CHECK(built.author->name == "Linus");
    Comment nobody = co_await Comment::objects.aget(Comment::f.body == "anon");
    CHECK_THROWS_AS(co_await nobody.author.aload(), aorm::Error);
  });
}

}  // namespace
}  // namespace relations
