// Hostile sizes at the edges (issue 22 item 3): each either works or raises a typed
// aorm::Error — no crash, no stack overflow, no hang. The suite also runs under ASan
// (./dev sanitize), where stack frames are larger.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "blog/models.hpp"
#include "temp_db.hpp"

namespace {

using aorm::Task;
using blog::Author;

}  // namespace

TEST_CASE("a 10,000-deep condition built in a loop either runs or raises a typed error") {
  hostile::with_app(blog::app, []() -> Task<void> {
    auto p = Author::f.id == 0;
    for (int i = 1; i < 10'000; ++i) p = p || (Author::f.id == i);
    try {
      const auto n = co_await Author::objects.filter(p).acount();
      CHECK(n == 0);
    } catch (const aorm::Error& e) {
      MESSAGE("raised: " << std::string(e.what()).substr(0, 200));
    }
    auto q = Author::f.id == 0;
    for (int i = 1; i < 10'000; ++i) q = !q;
    try {
      co_await Author::objects.filter(q).acount();
    } catch (const aorm::Error& e) {
      MESSAGE("raised: " << std::string(e.what()).substr(0, 200));
    }
  });
}

TEST_CASE("a 1,000,000-element in() either runs or raises a typed error") {
  hostile::with_app(blog::app, []() -> Task<void> {
    std::vector<std::int64_t> ids(1'000'000);
    for (std::size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<std::int64_t>(i);
    try {
      const auto n = co_await Author::objects.filter(Author::f.id.in(ids)).acount();
      CHECK(n == 0);
    } catch (const aorm::Error& e) {
      MESSAGE("raised: " << std::string(e.what()).substr(0, 200));
    }
  });
}

TEST_CASE("a 100 MB text value is written and read back whole") {
  hostile::with_app(blog::app, []() -> Task<void> {
    const Author row{.name = std::string(100u << 20, 'x') + "end", .email = "big@example.com"};
    const Author a = co_await Author::objects.acreate(row);
    const Author back = co_await Author::objects.aget(Author::f.pk == a.id);
    CHECK(back.name.size() == row.name.size());
    CHECK(back.name.ends_with("xend"));
  });
}
