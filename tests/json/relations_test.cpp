// Relations as the ORM loads them from a real SQLite file: an unloaded foreign key is its
// id, a loaded one (select_related) a nested object; a prefetched set is an array, an
// unprefetched one is left out; a reverse one-to-one is an object or null once loaded.
// Reading such JSON back gives the relations loaded again.
#include <exception>
#include <functional>

#include "backends.hpp"
#include "support.hpp"

namespace json_test {
namespace {

using blog::Article;
using blog::Author;
using blog::Comment;
using blog::Tag;

// Runs `body` on a fresh SQLite file with the tables of `app` (and closes it, also when the
// body throws).
void on_sqlite(const aorm::App& app, const std::function<aorm::Task<void>()>& body) {
  const aorm_test::TempDatabase database(aorm_test::Backend::sqlite_workers);
  aorm::run([&]() -> aorm::Task<void> {
    aorm::Database db = co_await aorm::aconnect(database.url(), database.options());
    std::exception_ptr failure;
    try {
      co_await db.acreate_tables(app);
      co_await body();
    } catch (...) {
      failure = std::current_exception();
    }
    co_await db.aclose();
    if (failure) std::rethrow_exception(failure);
  }());
}

// ada wrote "hello" (tags cpp, python; a comment by linus and one by nobody).
aorm::Task<void> seed_blog() {
  Author ada_in{.name = "Ada", .email = "ada@example.com"};
  Author ada = co_await Author::objects.acreate(ada_in);
  Author linus_in{.name = "Linus", .email = "linus@example.com"};
  Author linus = co_await Author::objects.acreate(linus_in);
  Tag cpp_in{.name = "cpp"}, python_in{.name = "python"};
  Tag cpp = co_await Tag::objects.acreate(cpp_in);
  Tag python = co_await Tag::objects.acreate(python_in);
  Article hello_in{.title = "Hello \"world\"", .slug = "hello", .author = ada};
  Article hello = co_await Article::objects.acreate(hello_in);
  co_await hello.tags.aadd(cpp, python);
  Comment nice{.article = hello, .author = linus, .body = "nice"};
  Comment anon{.article = hello, .body = "anon"};
  co_await Comment::objects.acreate(nice);
  co_await Comment::objects.acreate(anon);
}

std::vector<std::string> names(const boost::json::array& objects) {
  std::vector<std::string> out;
  for (const boost::json::value& v : objects) out.emplace_back(v.as_object().at("name").as_string());
  return out;
}

TEST_CASE("an unloaded foreign key is its id, and select_related makes it a nested object") {
  on_sqlite(blog::app, []() -> aorm::Task<void> {
    co_await seed_blog();
    const Article plain = co_await Article::objects.aget(Article::f.slug == "hello");
    const boost::json::value v = boost::json::value_from(plain);
    CHECK(v.as_object().at("author") == plain.author.id());
    CHECK_FALSE(v.as_object().contains("tags"));      // not prefetched: left out
    CHECK_FALSE(v.as_object().contains("comments"));

    const Article joined = co_await Article::objects.select_related(Article::f.author).aget(Article::f.slug == "hello");
    const boost::json::value w = boost::json::value_from(joined);
    const boost::json::object& author = w.as_object().at("author").as_object();
    CHECK(author.at("id") == joined.author.id());
    CHECK(author.at("name") == "Ada");
    CHECK(w.as_object().at("title") == "Hello \"world\"");

    // Read back: the key holds the object again.
    const Article back = through_text(joined);
    REQUIRE(back.author.loaded());
    CHECK(back.author->name == "Ada");
    CHECK(back.author.id() == joined.author.id());
    const Article back_plain = through_text(plain);
    CHECK_FALSE(back_plain.author.loaded());
    CHECK(back_plain.author.id() == plain.author.id());
  });
}

TEST_CASE("a nullable foreign key is null when null, its id when set, an object when loaded") {
  on_sqlite(blog::app, []() -> aorm::Task<void> {
    co_await seed_blog();
    const auto comments = co_await Comment::objects.select_related(Comment::f.author).order_by(Comment::f.body).alist();
    REQUIRE(comments.size() == 2);
    CHECK(boost::json::value_from(comments[0]).as_object().at("author").is_null());  // anon
    CHECK(boost::json::value_from(comments[1]).as_object().at("author").as_object().at("name") == "Linus");
    const Comment unjoined = co_await Comment::objects.aget(Comment::f.body == "nice");
    CHECK(boost::json::value_from(unjoined).as_object().at("author") == *unjoined.author.id());
    const Comment anon = through_text(comments[0]);
    CHECK_FALSE(anon.author.id().has_value());
  });
}

TEST_CASE("prefetched sets are arrays of objects, nested as deep as they were prefetched") {
  on_sqlite(blog::app, []() -> aorm::Task<void> {
    co_await seed_blog();
    const auto authors = co_await Author::objects
                             .prefetch_related(Author::f.articles, Author::f.articles->tags)
                             .order_by(Author::f.name)
                             .alist();
    REQUIRE(authors.size() == 2);
    const boost::json::value v = boost::json::value_from(authors[0]);  // Ada
    const boost::json::array& articles = v.as_object().at("articles").as_array();
    REQUIRE(articles.size() == 1);
    const boost::json::object& hello = articles[0].as_object();
    CHECK(names(hello.at("tags").as_array()) == std::vector<std::string>{"cpp", "python"});
    CHECK_FALSE(hello.contains("comments"));                    // not prefetched
    CHECK_FALSE(v.as_object().contains("comments"));             // Author.comments neither
    CHECK(boost::json::value_from(authors[1]).as_object().at("articles").as_array().empty());  // Linus: none

    // Read back: the sets are loaded, and bound to their owner (the related manager works).
    const Author ada = through_text(authors[0]);
    REQUIRE(ada.articles.loaded());
    REQUIRE(ada.articles.size() == 1);
    const Article& article = ada.articles.items()[0];
    REQUIRE(article.tags.loaded());
    CHECK(article.tags.size() == 2);
    CHECK(article.tags.items()[1].name == "python");
    CHECK(co_await article.tags.all().acount() == 2);
    CHECK(co_await ada.articles.all().acount() == 1);
  });
}

TEST_CASE("a reverse one-to-one is an object, or null when nothing references the owner, once loaded") {
  on_sqlite(people::app, []() -> aorm::Task<void> {
    people::User ada_in{.name = "ada"}, bob_in{.name = "bob"};
    const people::User ada = co_await people::User::objects.acreate(ada_in);
    co_await people::User::objects.acreate(bob_in);
    people::Profile profile{.user = ada, .bio = "math"};
    co_await people::Profile::objects.acreate(profile);

    const auto users = co_await people::User::objects.select_related(people::User::f.profile)
                           .order_by(people::User::f.name)
                           .alist();
    REQUIRE(users.size() == 2);
    const boost::json::value a = boost::json::value_from(users[0]);
    CHECK(a.as_object().at("profile").as_object().at("bio") == "math");
    CHECK(a.as_object().at("profile").as_object().at("user") == ada.id);
    CHECK(boost::json::value_from(users[1]).as_object().at("profile").is_null());  // bob has none
    const people::User plain = co_await people::User::objects.aget(people::User::f.name == "ada");
    CHECK_FALSE(boost::json::value_from(plain).as_object().contains("profile"));

    const people::User back = through_text(users[0]);
    REQUIRE(back.profile.loaded());
    CHECK(back.profile->bio == "math");
    const people::User bob = through_text(users[1]);
    CHECK(bob.profile.loaded());
    CHECK(bob.profile.get() == nullptr);
  });
}

}  // namespace
}  // namespace json_test
