// The runtime as a user meets it through the models: QueryCapture, stored tasks, gather,
// spawn, sleep and atomic.
#include "blog_fixture.hpp"

#include <chrono>
#include <stdexcept>

namespace behaviour {
namespace {

using namespace std::chrono_literals;
const auto& f = Article::f;

TEST_CASE("QueryCapture counts every statement sent while it is alive") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    std::int64_t outside = 0;
    {
      aorm::QueryCapture cap;
      co_await Article::objects.acount();
      co_await Article::objects.filter(f.views > 3).alist();
      co_await Article::objects.filter(f.pk == b.hello.id).aupdate(f.views = 1);
      CHECK(cap.count() == 3);
      REQUIRE(cap.queries().size() == 3);
      CHECK(cap.queries()[0].sql.find("COUNT") != std::string::npos);
      CHECK(cap.queries()[1].sql.find("SELECT") == 0);
      CHECK(cap.queries()[1].params.size() == 1);  // the 3, bound, not spliced
      CHECK(cap.queries()[1].sql.find('3') == std::string::npos);
      CHECK(cap.queries()[2].sql.find("UPDATE") == 0);
      outside = cap.count();
    }
    aorm::QueryCapture later;
    co_await Article::objects.aexists();
    CHECK(later.count() == 1);
    CHECK(outside == 3);
  });
}

TEST_CASE("a stored task outlives the QuerySet temporary it came from") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    std::vector<aorm::Task<std::int64_t>> counts;
    std::vector<aorm::Task<std::int64_t>> updates;
    for (std::int64_t min_views : {0, 5, 20}) {
      counts.push_back(Article::objects.filter(f.views >= min_views).order_by(f.title).acount());
      updates.push_back(Article::objects.filter(f.views >= min_views).aupdate(f.rating = 1.0));
    }
    // Every QuerySet above is gone; the tasks still hold their queries.
    CHECK(co_await std::move(counts[2]) == 1);
    CHECK(co_await std::move(counts[1]) == 3);
    CHECK(co_await std::move(counts[0]) == 4);
    auto updated = co_await aorm::gather(std::move(updates));
    CHECK(updated == std::vector<std::int64_t>{4, 3, 1});
  });
}

TEST_CASE("gather runs different queries concurrently and returns their results in order") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    aorm::QueryCapture cap;
    auto [total, published, newest, authors] = co_await aorm::gather(
        Article::objects.acount(),
        Article::objects.filter(f.status == Article::Status::published).aexists(),
        Article::objects.afirst(), Author::objects.alist());
    CHECK(total == 4);
    CHECK(published);
    REQUIRE(newest.has_value());
    CHECK(newest->slug == "draft-notes");
    CHECK(authors.size() == 2);
    CHECK(cap.count() == 4);
  });
}

TEST_CASE("gather of many concurrent writes loses none") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    std::vector<aorm::Task<std::int64_t>> bumps;
    for (int i = 0; i < 40; ++i)
      bumps.push_back(Article::objects.filter(f.pk == b.hello.id).aupdate(f.views = f.views + 1));
    auto rows = co_await aorm::gather(std::move(bumps));
    CHECK(rows.size() == 40);
    CHECK((co_await Article::objects.aget(f.pk == b.hello.id)).views == 50);
  });
}

TEST_CASE("gather rethrows the first failure after every child finished") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    Article dup{.title = "dup", .slug = "hello-world", .author = b.ada};
    CHECK_THROWS_AS(co_await aorm::gather(Article::objects.acount(), Article::objects.acreate(dup),
                                          Article::objects.filter(f.pk == b.odd.id).aupdate(f.views = 77)),
                    aorm::IntegrityError);
    CHECK((co_await Article::objects.aget(f.pk == b.odd.id)).views == 77);
  });
}

TEST_CASE("spawn starts a query now and its handle gives the result later") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    auto handle = aorm::spawn(Article::objects.filter(f.author == b.linus).acount());
    co_await aorm::sleep(1ms);
    CHECK(co_await handle == 2);
  });
}

TEST_CASE("atomic commits on success and rolls back on an exception") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    co_await aorm::atomic([&]() -> aorm::Task<void> {
      co_await Article::objects.filter(f.pk == b.hello.id).aupdate(f.views = 1000);
      Tag committed{.name = "committed"};
      co_await Tag::objects.acreate(committed);
    });
    CHECK((co_await Article::objects.aget(f.pk == b.hello.id)).views == 1000);
    CHECK(co_await Tag::objects.filter(Tag::f.name == "committed").aexists());

    auto change_then_fail = [&]() -> aorm::Task<void> {
      co_await Article::objects.filter(f.pk == b.hello.id).aupdate(f.views = 0);
      Tag rolled_back{.name = "rolled-back"};
      co_await Tag::objects.acreate(rolled_back);
      throw std::runtime_error("changed my mind");
    };
    CHECK_THROWS_WITH_AS(co_await aorm::atomic(change_then_fail), "changed my mind", std::runtime_error);
    CHECK((co_await Article::objects.aget(f.pk == b.hello.id)).views == 1000);
    CHECK_FALSE(co_await Tag::objects.filter(Tag::f.name == "rolled-back").aexists());
  });
}

TEST_CASE("a nested atomic block rolls back to its savepoint only") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    co_await aorm::atomic([&]() -> aorm::Task<void> {
      Tag outer{.name = "outer"};
      co_await Tag::objects.acreate(outer);
      try {
        co_await aorm::atomic([&]() -> aorm::Task<void> {
          Tag inner{.name = "inner"};
          co_await Tag::objects.acreate(inner);
          Tag duplicate{.name = "cpp"};
          co_await Tag::objects.acreate(duplicate);  // unique: fails
        });
      } catch (const aorm::IntegrityError&) {
      }
    });
    CHECK(co_await Tag::objects.filter(Tag::f.name == "outer").aexists());
    CHECK_FALSE(co_await Tag::objects.filter(Tag::f.name == "inner").aexists());
  });
}

TEST_CASE("on(db) and on(alias) run a query on another open database") {
  for_each_backend([](Blog& b) -> aorm::Task<void> {
    co_await b.seed();
    TempDatabase other_db(b.backend);
    aorm::Database other = co_await aorm::aconnect(other_db.url(), other_db.options("other"));
    co_await other.acreate_tables(blog::app);
    Author grace_in{.name = "Grace", .email = "grace@example.com"};
    Author grace = co_await Author::objects.on(other).acreate(grace_in);
    CHECK(co_await Author::objects.on("other").acount() == 1);
    CHECK(co_await Author::objects.acount() == 2);  // the default database is untouched
    CHECK((co_await Author::objects.on(other).aget(Author::f.pk == grace.id)).name == "Grace");
    CHECK_FALSE(co_await Author::objects.filter(Author::f.name == "Grace").aexists());
    co_await other.aclose();
    CHECK_THROWS_AS(co_await Author::objects.on("other").acount(), aorm::ConfigError);
  });
}

}  // namespace
}  // namespace behaviour
