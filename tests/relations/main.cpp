// The main of relations_tests and the fixture (fixture.hpp).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "fixture.hpp"

#include <atomic>
#include <filesystem>
#include <unistd.h>

namespace relations {

void with_blog(Body body) {
  static std::atomic<int> counter{0};
  const auto path = std::filesystem::temp_directory_path() /
                    ("aorm-relations-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + ".db");
  std::filesystem::remove(path);
  aorm::run([&]() -> aorm::Task<void> {
    Blog b;
    b.db = co_await aorm::aconnect("sqlite:" + path.string());
    std::exception_ptr failure;
    try {
      co_await b.db.acreate_tables(blog::app);
      b.ada = co_await Author::objects.acreate({.name = "Ada", .email = "ada@example.com"});
      b.linus = co_await Author::objects.acreate({.name = "Linus", .email = "linus@example.com"});
      b.grace = co_await Author::objects.acreate({.name = "Grace", .email = "grace@example.com"});
      b.cpp = co_await Tag::objects.acreate({.name = "cpp"});
      b.python = co_await Tag::objects.acreate({.name = "python"});
      b.databases = co_await Tag::objects.acreate({.name = "databases"});
      b.hello = co_await Article::objects.acreate(
          {.title = "Hello", .slug = "hello", .status = Article::Status::published, .views = 10, .author = b.ada});
      b.async = co_await Article::objects.acreate(
          {.title = "Async", .slug = "async", .status = Article::Status::published, .views = 5, .author = b.ada.id});
      b.kernel = co_await Article::objects.acreate(
          {.title = "Kernel", .slug = "kernel", .status = Article::Status::draft, .views = 1, .author = b.linus});
      co_await b.hello.tags.aadd(b.cpp, b.python);
      co_await b.async.tags.aadd(b.cpp);
      b.nice = co_await Comment::objects.acreate({.article = b.hello, .author = b.linus, .body = "nice", .approved = true});
      b.anon = co_await Comment::objects.acreate({.article = b.hello, .body = "anon", .approved = true});
      b.more = co_await Comment::objects.acreate({.article = b.async, .author = b.ada, .body = "more"});
      co_await body(b);
    } catch (...) {
      failure = std::current_exception();
    }
    co_await b.db.aclose();
    if (failure) std::rethrow_exception(failure);
  }());
  std::filesystem::remove(path);
  std::filesystem::remove(path.string() + "-wal");
  std::filesystem::remove(path.string() + "-shm");
}

}  // namespace relations
