// fixture.hpp — a fresh database per test (a SQLite file, or a PostgreSQL schema when the
// suite runs with --aorm-backend=postgres) with the blog tables and a small related data
// set: authors, articles with tags, comments (some by nobody); or with the people tables
// (with_people, below).
//
//   TEST_CASE("...") {
//     with_blog([](Blog& b) -> aorm::Task<void> { ... });
//   }
//
// The data set:
//   ada:   hello (tags cpp, python; comments: "nice" by linus, "anon" by nobody),
//          async (tag cpp; comment "more" by ada, not approved)
//   linus: kernel (no tags, status draft, no comments)
//   grace: no articles
#pragma once

#include <doctest/doctest.h>

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "blog/models.hpp"
#include "people/models.hpp"

namespace relations {

using blog::Article;
using blog::Author;
using blog::Comment;
using blog::Tag;

struct Blog {
  aorm::Database db;
  Author ada, linus, grace;
  Tag cpp, python, databases;
  Article hello, async, kernel;
  Comment nice, anon, more;
};

using Body = std::function<aorm::Task<void>(Blog&)>;

/// Runs `body` on a fresh database (alias "default") with the data set above.
void with_blog(Body body);

/// The people data set (tests/relations/people.yaml):
///   users ada, bob, eve; ada's profile ("math", avatar ada.png), bob's ("builds", no
///   avatar), eve has none; groups admins and readers, without members.
struct People {
  aorm::Database db;
  people::User ada, bob, eve;
  people::Avatar pic;
  people::Profile ada_profile, bob_profile;
  people::Group admins, readers;
};
using PeopleBody = std::function<aorm::Task<void>(People&)>;

/// Runs `body` on a fresh database (alias "default") with the people data set.
void with_people(PeopleBody body);

/// Is this the PostgreSQL run of the suite?
bool on_postgres();

/// A vector of strings built outside any co_await (g++ 12 cannot compile an
/// initializer_list inside a co_await full-expression: TOOLCHAIN.md, bug 3).
template <class... S>
std::vector<std::string> names(S... s) {
  return {std::string(s)...};
}

/// The names/titles of a list of objects, sorted.
template <class C, class F>
std::vector<std::string> sorted(const C& items, F get) {
  std::vector<std::string> out;
  for (const auto& x : items) out.push_back(std::string(get(x)));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace relations
