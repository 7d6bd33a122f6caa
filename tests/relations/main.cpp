// The main of relations_tests and the fixtures (fixture.hpp).
//
//   relations_tests [doctest options]                          SQLite (worker threads)
//   relations_tests --aorm-backend=postgres [doctest options]  PostgreSQL, a schema per test
#include "fixture.hpp"

#include <exception>

#include "backends.hpp"

namespace relations {

namespace {

/// Runs `body` inside aorm::run on a fresh database of this run's backend (alias "default")
/// with the tables of `app`; closes it afterwards, also when the body throws.
template <class State, class Seed>
void run_on_fresh_database(const aorm::App& app, Seed seed, const std::function<aorm::Task<void>(State&)>& body) {
  if (aorm_test::skip_without_server()) return;
  const aorm_test::TempDatabase database(aorm_test::postgres_run() ? aorm_test::Backend::postgres
                                                                   : aorm_test::Backend::sqlite_workers);
  aorm::run([&]() -> aorm::Task<void> {
    State state;
    state.db = co_await aorm::aconnect(database.url(), database.options());
    std::exception_ptr failure;
    try {
      co_await state.db.acreate_tables(app);
      co_await seed(state);
      co_await body(state);
    } catch (...) {
      failure = std::current_exception();
    }
    co_await state.db.aclose();
    if (failure) std::rethrow_exception(failure);
  }());
}

aorm::Task<void> seed_blog(Blog& b) {
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
}

aorm::Task<void> seed_people(People& p) {
  p.ada = co_await people::User::objects.acreate({.name = "ada"});
  p.bob = co_await people::User::objects.acreate({.name = "bob"});
  p.eve = co_await people::User::objects.acreate({.name = "eve"});
  p.pic = co_await people::Avatar::objects.acreate({.url = "ada.png"});
  p.ada_profile = co_await people::Profile::objects.acreate({.user = p.ada, .bio = "math", .avatar = p.pic});
  p.bob_profile = co_await people::Profile::objects.acreate({.user = p.bob, .bio = "builds"});
  p.admins = co_await people::Group::objects.acreate({.name = "admins"});
  p.readers = co_await people::Group::objects.acreate({.name = "readers"});
}

}  // namespace

void with_blog(Body body) { run_on_fresh_database<Blog>(blog::app, seed_blog, body); }

void with_people(PeopleBody body) { run_on_fresh_database<People>(people::app, seed_people, body); }

bool on_postgres() { return aorm_test::postgres_run(); }

}  // namespace relations

int main(int argc, char** argv) { return aorm_test::run_doctest(argc, argv); }
