// The main of behaviour_tests and the shared fixture (blog_fixture.hpp).
//
//   behaviour_tests [doctest options]                          SQLite, both execution policies
//   behaviour_tests --aorm-backend=postgres [doctest options]  PostgreSQL
#include "blog_fixture.hpp"

#include <exception>

namespace behaviour {

aorm::Task<void> Blog::seed() {
  // Named locals, not braced temporaries, inside co_await: g++ 12 destroys those twice
  // (TOOLCHAIN.md, bug 2). The suite follows that rule so that it also runs when built with
  // g++; write_test.cpp checks the braced form API.md shows with clang++ only.
  Author ada_row{.name = "Ada Lovelace", .email = "ada@example.com"};
  Author linus_row{.name = "Linus", .email = "linus@example.com"};
  ada = co_await Author::objects.acreate(ada_row);
  linus = co_await Author::objects.acreate(linus_row);

  std::vector<Tag> tags{{.name = "cpp"}, {.name = "python"}, {.name = "databases"}};
  tags = co_await Tag::objects.abulk_create(std::move(tags));
  cpp = tags[0];
  python = tags[1];
  databases = tags[2];

  auto make = [&](const char* title, const char* slug, std::optional<std::string> body,
                  Article::Status status, std::int64_t views, std::optional<double> rating,
                  const Author& author, std::optional<aorm::DateTime> published_at) {
    return Article{.title = title, .slug = slug, .body = std::move(body), .status = status,
                   .views = views, .rating = rating, .author = author, .published_at = published_at};
  };
  hello = co_await Article::objects.acreate(make("Hello World", "hello-world", "First post",
      Article::Status::published, 10, 4.5, ada, at(2024, 1, 15, 9, 30)));
  async_cpp = co_await Article::objects.acreate(make("Async C++ in practice", "async-cpp",
      "co_await everything", Article::Status::published, 25, 3.0, ada, at(2024, 3, 2, 18, 5)));
  draft = co_await Article::objects.acreate(make("Draft notes", "draft-notes", std::nullopt,
      Article::Status::draft, 0, std::nullopt, linus, std::nullopt));
  odd = co_await Article::objects.acreate(make("100% pure_C\\ode", "odd-chars",
      "percent, underscore, backslash", Article::Status::archived, 5, 2.0, linus,
      at(2023, 12, 31, 23, 59)));

  // auto_now_add stamped "now"; pin created_at so that the default ordering is known.
  const auto& f = Article::f;
  co_await Article::objects.filter(f.pk == hello.id).aupdate(f.created_at = at(2024, 1, 10));
  co_await Article::objects.filter(f.pk == async_cpp.id).aupdate(f.created_at = at(2024, 2, 20));
  co_await Article::objects.filter(f.pk == draft.id).aupdate(f.created_at = at(2024, 4, 1));
  co_await Article::objects.filter(f.pk == odd.id).aupdate(f.created_at = at(2023, 12, 1));
  for (Article* a : {&hello, &async_cpp, &draft, &odd}) co_await a->arefresh_from_db();
}

void run_blog(Backend backend, const BlogBody& body) {
  TempDatabase database(backend);
  aorm::run([&]() -> aorm::Task<void> {
    Blog state;
    state.backend = backend;
    state.db = co_await aorm::aconnect(database.url(), database.options());
    co_await state.db.acreate_tables(blog::app);
    std::exception_ptr failure;
    try {
      co_await body(state);
    } catch (...) {
      failure = std::current_exception();
    }
    co_await state.db.aclose();
    if (failure) std::rethrow_exception(failure);
  }());
}

void for_each_backend(const BlogBody& body) {
  if (aorm_test::skip_without_server()) return;
  if (postgres_run()) {
    SUBCASE("on PostgreSQL") { run_blog(Backend::postgres, body); }
    return;
  }
  SUBCASE("on SQLite with worker threads") { run_blog(Backend::sqlite_workers, body); }
  SUBCASE("on SQLite inline on the loop thread") { run_blog(Backend::sqlite_inline, body); }
}

std::int64_t statements_starting_with(const aorm::QueryCapture& cap, std::string_view verb) {
  std::int64_t n = 0;
  for (const auto& q : cap.queries())
    if (std::string_view(q.sql).substr(0, verb.size()) == verb) ++n;
  return n;
}

}  // namespace behaviour

int main(int argc, char** argv) { return aorm_test::run_doctest(argc, argv); }
