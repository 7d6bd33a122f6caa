// fixture.hpp — a fresh SQLite file per test with the qt tables and a known data set.
//
//   TEST_CASE("...") {
//     with_blog([](Seed& s) -> aorm::Task<void> { CHECK(co_await Article::objects.acount() == 4); });
//   }
#pragma once

#include <doctest/doctest.h>

#include <functional>
#include <string>

#include "model.hpp"

namespace qtest {

using qt::Article;
using qt::Author;
using qt::Tag;

/// A UTC timestamp.
aorm::DateTime at(int y, unsigned m, unsigned d, int hh = 0, int mm = 0);

/// The seeded rows (created_at pinned so that Meta.ordering -created_at is known):
///
///   slug     title                   status     views rating author published_at      created_at
///   hello    "Hello World"           published  10    4.5    ada    2024-01-15 09:30  2024-01-10
///   async    "Async C++ in practice" published  25    3.0    ada    2024-03-02 18:05  2024-02-20
///   draft    "Draft notes"           draft       0    null   linus  null              2024-04-01
///   odd      "100% pure_C\ode"       archived    5    2.0    linus  2023-12-31 23:59  2023-12-01
///
/// Bodies: "First post", "co_await everything", null, "Ünïcödé BODY". Tags cpp, python.
struct Seed {
  aorm::Database db;
  Author ada, linus;
  Tag cpp, python;
  Article hello, async, draft, odd;
};

/// Opens a new SQLite file as "default", creates the tables, seeds them, runs `body`,
/// closes the database and removes the file.
void with_blog(const std::function<aorm::Task<void>(Seed&)>& body);

}  // namespace qtest
