// fixture.hpp — a fresh SQLite file per test with the blog tables and a small related data
// set: authors, articles with tags, comments (some by nobody).
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
