// Many concurrent callers on one database: no lost update, one row per get_or_create key,
// isolated concurrent transactions — on every backend (under both SQLite execution policies),
// with several connections so that SQLite's locking (and the inline policy's busy retry) and
// PostgreSQL's row locks and unique-index waits are exercised.
#include <set>

#include "fixture.hpp"

using namespace std::chrono_literals;
using aorm::Task;
using tx::Article;
using tx::Env;
using tx::Tag;

namespace {
constexpr tx::EnvOptions kFourConnections{.pool_size = 4};
}

TEST_CASE("200 concurrent aupdate(views = views + 1) end exactly 200 higher") {
  tx::for_each_backend(
      [](Env&) -> Task<void> {
        const auto& f = Article::f;
        auto author = co_await tx::make_author();
        auto article = co_await Article::objects.acreate(
            Article{.title = "Counter", .slug = "counter", .views = 7, .author = author});
        // Half of them inside their own transaction, so plain updates meet held locks.
        std::vector<Task<std::int64_t>> bumps;
        for (int i = 0; i < 200; ++i) {
          if (i % 2 == 0) {
            bumps.push_back(Article::objects.filter(f.pk == article.id).aupdate(f.views = f.views + 1));
          } else {
            bumps.push_back(aorm::atomic([id = article.id]() -> Task<std::int64_t> {
              const auto& g = Article::f;
              co_return co_await Article::objects.filter(g.pk == id).aupdate(g.views = g.views + 1);
            }));
          }
        }
        auto matched = co_await aorm::gather(std::move(bumps));
        CHECK(matched == std::vector<std::int64_t>(200, 1));
        co_await article.arefresh_from_db();
        CHECK(article.views == 207);
      },
      kFourConnections);
}

TEST_CASE("24 concurrent aget_or_create of one key create one row, and exactly one says created") {
  tx::for_each_backend(
      [](Env& env) -> Task<void> {
        std::vector<Task<std::pair<Tag, bool>>> calls;
        for (int i = 0; i < 24; ++i) calls.push_back(Tag::objects.aget_or_create(Tag::f.name == "racy"));
        auto results = co_await aorm::gather(std::move(calls));
        int created = 0;
        std::set<std::int64_t> ids;
        for (const auto& [tag, was_created] : results) {
          created += was_created ? 1 : 0;
          ids.insert(tag.id);
          CHECK(tag.name == "racy");
        }
        CHECK(created == 1);
        CHECK(ids.size() == 1);
        CHECK(co_await tx::count(env.db, "blog_tag") == 1);
      },
      kFourConnections);
}

TEST_CASE("24 concurrent aupdate_or_create of one key create one row, and exactly one says created") {
  tx::for_each_backend(
      [](Env& env) -> Task<void> {
        const auto& f = Article::f;
        auto author = co_await tx::make_author();
        std::vector<Task<std::pair<Article, bool>>> calls;
        for (int i = 0; i < 24; ++i)
          calls.push_back(Article::objects.aupdate_or_create(
              f.slug == "shared", aorm::defaults(f.title = "Updated", f.views = i),
              aorm::create_defaults(f.title = "Created", f.author = author)));
        auto results = co_await aorm::gather(std::move(calls));
        int created = 0;
        for (const auto& r : results) created += r.second ? 1 : 0;
        CHECK(created == 1);
        CHECK(co_await tx::count(env.db, "blog_article") == 1);
        auto row = co_await Article::objects.aget(f.slug == "shared");
        CHECK(row.title == "Updated");  // 23 updates came after the one create
      },
      kFourConnections);
}

TEST_CASE("8 concurrent atomic writers of 50 rows each end with 400 and never see each other's uncommitted rows") {
  tx::for_each_backend(
      [](Env&) -> Task<void> {
        // The other writers' rows a transaction sees are only ever whole, committed
        // transactions: a multiple of 50. (SQLite's BEGIN IMMEDIATE runs the writers one
        // after the other, so the count never moves; PostgreSQL's read committed may see a
        // writer that committed meanwhile, all 50 rows at once.)
        int leaks = 0;
        auto writer = [&leaks](int w) -> Task<void> {
          const std::string prefix = "w" + std::to_string(w) + "-";
          co_await aorm::atomic([&]() -> Task<void> {
            const std::int64_t others = co_await Tag::objects.exclude(Tag::f.name.startswith(prefix)).acount();
            CHECK(others % 50 == 0);
            for (int k = 1; k <= 50; ++k) {
              co_await Tag::objects.acreate(Tag{.name = prefix + std::to_string(k)});
              if (k % 10 == 0) {
                co_await aorm::sleep(0ms);  // let the other writers run
                if (co_await Tag::objects.exclude(Tag::f.name.startswith(prefix)).acount() % 50 != 0) ++leaks;
                CHECK(co_await Tag::objects.filter(Tag::f.name.startswith(prefix)).acount() == k);
              }
            }
          });
        };
        std::vector<Task<void>> writers;
        for (int w = 0; w < 8; ++w) writers.push_back(writer(w));
        co_await aorm::gather(std::move(writers));
        CHECK(leaks == 0);
        CHECK(co_await Tag::objects.acount() == 400);
      },
      kFourConnections);
}

TEST_CASE("select_for_update is a no-op on SQLite, with or without options") {
  if (tx::skip_on_postgres()) return;
  tx::for_each_policy([](Env&) -> Task<void> {
    co_await Tag::objects.acreate(Tag{.name = "locked"});
    aorm::QueryCapture cap;
    co_await aorm::atomic([&]() -> Task<void> {
      auto plain = co_await Tag::objects.filter(Tag::f.name == "locked").alist();
      auto locked = co_await Tag::objects.select_for_update().filter(Tag::f.name == "locked").alist();
      auto nowait = co_await Tag::objects.select_for_update({.nowait = true}).filter(Tag::f.name == "locked").alist();
      auto skip = co_await Tag::objects.select_for_update({.skip_locked = true}).filter(Tag::f.name == "locked").alist();
      CHECK(plain.size() == 1);
      CHECK(locked.size() == 1);
      CHECK(nowait.size() == 1);
      CHECK(skip.size() == 1);
    });
    // BEGIN, four identical SELECTs (no FOR UPDATE clause on SQLite), COMMIT.
    REQUIRE(cap.count() == 6);
    for (int i = 2; i <= 4; ++i) CHECK(cap.queries()[i].sql == cap.queries()[1].sql);
    CHECK(cap.queries()[1].sql.find("FOR UPDATE") == std::string::npos);
  });
}

TEST_CASE("select_for_update outside a transaction raises on PostgreSQL and is a plain select on SQLite") {
  tx::for_each_backend([](Env& env) -> Task<void> {
    co_await Tag::objects.acreate(Tag{.name = "loose"});
    auto locking = Tag::objects.select_for_update().filter(Tag::f.name == "loose");
    if (env.postgres()) {
      // Django's rule: a row lock outside a transaction would end with its statement.
      CHECK_THROWS_AS(co_await locking.alist(), aorm::TransactionManagementError);
      CHECK_THROWS_AS(co_await locking.aget(), aorm::TransactionManagementError);
      CHECK_THROWS_AS(co_await locking.aiterator().anext(), aorm::TransactionManagementError);
    } else {
      CHECK((co_await locking.alist()).size() == 1);
      CHECK((co_await locking.aget()).name == "loose");
      auto it = locking.aiterator();
      CHECK((co_await it.anext()).has_value());
    }
    // Inside atomic() it works on both.
    co_await aorm::atomic([&]() -> Task<void> { CHECK((co_await locking.aget()).name == "loose"); });
    CHECK(tx::idle(env.db) == tx::pool(env.db));
  });
}
