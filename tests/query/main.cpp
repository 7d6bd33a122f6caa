// The doctest main of query_tests and the shared fixture (fixture.hpp).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "fixture.hpp"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <filesystem>

namespace qtest {

aorm::DateTime at(int y, unsigned m, unsigned d, int hh, int mm) {
  using namespace std::chrono;
  return aorm::DateTime{sys_days{year{y} / month{m} / day{d}} + hours{hh} + minutes{mm}};
}

namespace {
aorm::Task<void> seed(Seed& s) {
  s.ada = co_await Author::objects.acreate(Author{.name = "Ada", .email = "ada@example.com"});
  s.linus = co_await Author::objects.acreate(Author{.name = "Linus", .email = "linus@example.com"});
  s.cpp = co_await Tag::objects.acreate(Tag{.name = "cpp"});
  s.python = co_await Tag::objects.acreate(Tag{.name = "python"});
  auto make = [&](const char* title, const char* slug, std::optional<std::string> body, Article::Status status,
                  std::int64_t views, std::optional<double> rating, const Author& author,
                  std::optional<aorm::DateTime> published) {
    return Article{.title = title, .slug = slug, .body = std::move(body), .status = status, .views = views,
                   .rating = rating, .author = author, .published_at = published, .updated_at = {}, .tags = {}};
  };
  s.hello = co_await Article::objects.acreate(make("Hello World", "hello", "First post", Article::Status::published,
                                                   10, 4.5, s.ada, at(2024, 1, 15, 9, 30)));
  s.async = co_await Article::objects.acreate(make("Async C++ in practice", "async", "co_await everything",
                                                   Article::Status::published, 25, 3.0, s.ada, at(2024, 3, 2, 18, 5)));
  s.draft = co_await Article::objects.acreate(
      make("Draft notes", "draft", std::nullopt, Article::Status::draft, 0, std::nullopt, s.linus, std::nullopt));
  s.odd = co_await Article::objects.acreate(make("100% pure_C\\ode", "odd", "\xc3\x9cn\xc3\xaf\x63\xc3\xb6\x64\xc3\xa9 BODY",
                                                 Article::Status::archived, 5, 2.0, s.linus, at(2023, 12, 31, 23, 59)));
  const auto& f = Article::f;
  co_await Article::objects.filter(f.pk == s.hello.id).aupdate(f.created_at = at(2024, 1, 10));
  co_await Article::objects.filter(f.pk == s.async.id).aupdate(f.created_at = at(2024, 2, 20));
  co_await Article::objects.filter(f.pk == s.draft.id).aupdate(f.created_at = at(2024, 4, 1));
  co_await Article::objects.filter(f.pk == s.odd.id).aupdate(f.created_at = at(2023, 12, 1));
  // A named array: g++ 12 mishandles a braced range in a coroutine (TOOLCHAIN.md).
  Article* const reloaded[] = {&s.hello, &s.async, &s.draft, &s.odd};
  for (Article* a : reloaded) co_await a->arefresh_from_db();
  co_await s.db.aexecute("INSERT INTO qt_article_tags (article_id, tag_id) VALUES (?, ?), (?, ?), (?, ?)",
                         s.hello.id, s.cpp.id, s.async.id, s.cpp.id, s.async.id, s.python.id);
}
}  // namespace

void with_blog(const std::function<aorm::Task<void>(Seed&)>& body) {
  static std::atomic<int> counter{0};
  const auto path = std::filesystem::temp_directory_path() /
                    ("aorm-query-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + ".db");
  std::error_code ec;
  std::filesystem::remove(path, ec);
  aorm::run([&]() -> aorm::Task<void> {
    Seed s;
    s.db = co_await aorm::aconnect("sqlite:" + path.string());
    std::exception_ptr failure;
    try {
      co_await s.db.acreate_tables(qt::app);
      co_await seed(s);
      co_await body(s);
    } catch (...) {
      failure = std::current_exception();
    }
    co_await s.db.aclose();
    if (failure) std::rethrow_exception(failure);
  }());
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(path.string() + suffix, ec);
}

}  // namespace qtest
