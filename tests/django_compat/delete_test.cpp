// Writes that take a queryset act on exactly the rows the queryset yields (issue 23, item 1):
// a queryset filtered on an aggregate is deleted or updated through
// `pk IN (SELECT pk ... GROUP BY pk HAVING ...)`, never through its plain WHERE alone.
// Ports tests/delete/tests.py FastDeleteTests.test_fast_delete_aggregation and checks the
// same rule for cascades, many-to-many links, exclude(), aupdate() and related managers.
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "fixture.hpp"

namespace compat {
namespace {

using aorm::Task;

template <class QS>
Task<std::vector<std::int64_t>> ids_of(const QS& qs) {
  auto ids = co_await qs.values_list(std::remove_cvref_t<decltype(qs)>::model_type::f.id).alist();
  std::sort(ids.begin(), ids.end());
  co_return ids;
}

/// The values joined with commas: "a,b". (A braced list inside a co_await expression does
/// not compile with g++ 12, TOOLCHAIN.md; a string compares as plainly.)
std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (const auto& v : values) out += (out.empty() ? "" : ",") + v;
  return out;
}

Task<std::string> base_names() {
  co_return joined(co_await Base::objects.order_by(Base::f.name).values_list(Base::f.name).alist());
}

}  // namespace

// FastDeleteTests.test_fast_delete_aggregation: the only Base has no rels, so the queryset
// holds it and the delete removes it.
TEST_CASE("django delete: test_fast_delete_aggregation") {
  for_each_backend([](aorm::Database&) -> Task<void> {
    co_await Base::objects.acreate(Base{});
    const auto result = co_await Base::objects.filter(aorm::Count(Base::f.rels) == 0).adelete();
    CHECK(result.total == 1);
    CHECK(result.per_model == std::map<std::string, std::int64_t>{{"compat.Base", 1}});
    CHECK_FALSE(co_await Base::objects.aexists());
  });
}

// The case the port above covers only by luck: the queryset holds two of three rows. A
// DELETE without the HAVING would target the referenced row too (refused by its foreign key
// or, without one, deleted).
TEST_CASE("adelete of a queryset filtered on an aggregate deletes exactly the rows it yields") {
  for_each_backend([](aorm::Database&) -> Task<void> {
    co_await Base::objects.acreate({.name = "a"});
    co_await Base::objects.acreate({.name = "b"});
    const Base kept = co_await Base::objects.acreate({.name = "referenced"});
    co_await RelToBase::objects.acreate({.base = kept});
    const auto lonely = Base::objects.filter(aorm::Count(Base::f.rels) == 0);
    CHECK(co_await lonely.acount() == 2);
    const auto result = co_await lonely.adelete();
    CHECK(result.total == 2);
    CHECK(result.per_model == std::map<std::string, std::int64_t>{{"compat.Base", 2}});
    CHECK(co_await base_names() == "referenced");
    CHECK(co_await RelToBase::objects.acount() == 1);
  });
}

TEST_CASE("aupdate of a queryset filtered on an aggregate changes exactly the rows it yields") {
  for_each_backend([](aorm::Database&) -> Task<void> {
    co_await Base::objects.acreate({.name = "a"});
    const Base referenced = co_await Base::objects.acreate({.name = "b"});
    co_await RelToBase::objects.acreate({.base = referenced});
    co_await RelToBase::objects.acreate({.base = referenced});
    co_await Base::objects.acreate({.name = "c"});
    const auto busy = Base::objects.filter(aorm::Count(Base::f.rels) >= 2);
    const auto expected = co_await ids_of(busy);
    CHECK(expected == std::vector<std::int64_t>{referenced.id});
    CHECK(co_await busy.aupdate(Base::f.name = "busy") == 1);
    CHECK(co_await base_names() == "a,busy,c");
    // A plain condition beside the aggregate one, and the aggregate under exclude().
    CHECK(co_await Base::objects.filter(aorm::Count(Base::f.rels) == 0, Base::f.name == "c").aupdate(Base::f.name = "z") == 1);
    const auto unreferenced = Base::objects.exclude(aorm::Count(Base::f.rels) >= 1);
    CHECK(co_await unreferenced.acount() == 2);
    CHECK(co_await unreferenced.aupdate(Base::f.name = "free") == 2);
    CHECK(co_await base_names() == "busy,free,free");
  });
}

// Cascades and many-to-many links are found from the rows the queryset yields, not from its
// WHERE alone: only the first gallery (two pictures) goes, with its pictures and their links.
TEST_CASE("adelete through an aggregate filter cascades and clears links of those rows only") {
  for_each_backend([](aorm::Database&) -> Task<void> {
    const Gallery big = co_await Gallery::objects.acreate({.name = "big"});
    const Gallery small = co_await Gallery::objects.acreate({.name = "small"});
    const Label red = co_await Label::objects.acreate({.name = "red"});
    Picture p1 = co_await Picture::objects.acreate({.gallery = big, .title = "p1"});
    Picture p2 = co_await Picture::objects.acreate({.gallery = big, .title = "p2"});
    Picture p3 = co_await Picture::objects.acreate({.gallery = small, .title = "p3"});
    co_await p1.labels.aadd(red);
    co_await p2.labels.aadd(red);
    co_await p3.labels.aadd(red);
    const auto result = co_await Gallery::objects.filter(aorm::Count(Gallery::f.pictures) >= 2).adelete();
    CHECK(result.per_model == std::map<std::string, std::int64_t>{
                                  {"compat.Gallery", 1}, {"compat.Picture", 2}, {"compat.Picture_labels", 2}});
    CHECK(joined(co_await Gallery::objects.values_list(Gallery::f.name).alist()) == "small");
    CHECK(joined(co_await Picture::objects.values_list(Picture::f.title).alist()) == "p3");
    CHECK(co_await red.pictures.all().acount() == 1);
    // The same rule under exclude(): the small gallery is the one without two pictures.
    const auto rest = co_await Gallery::objects.exclude(aorm::Count(Gallery::f.pictures) >= 2).adelete();
    CHECK(rest.per_model == std::map<std::string, std::int64_t>{
                                {"compat.Gallery", 1}, {"compat.Picture", 1}, {"compat.Picture_labels", 1}});
    CHECK(co_await Label::objects.acount() == 1);
  });
}

// A related manager's queryset with an aggregate over a many-to-many path: the pictures of
// one gallery that carry two labels.
TEST_CASE("adelete through a related manager's aggregate filter deletes exactly the rows it yields") {
  for_each_backend([](aorm::Database&) -> Task<void> {
    const Gallery g = co_await Gallery::objects.acreate({.name = "g"});
    const Gallery other = co_await Gallery::objects.acreate({.name = "other"});
    const Label red = co_await Label::objects.acreate({.name = "red"});
    const Label blue = co_await Label::objects.acreate({.name = "blue"});
    Picture both = co_await Picture::objects.acreate({.gallery = g, .title = "both"});
    Picture one = co_await Picture::objects.acreate({.gallery = g, .title = "one"});
    Picture elsewhere = co_await Picture::objects.acreate({.gallery = other, .title = "elsewhere"});
    co_await both.labels.aadd(red, blue);
    co_await one.labels.aadd(red);
    co_await elsewhere.labels.aadd(red, blue);
    const auto two_labels = g.pictures.all().filter(aorm::Count(Picture::f.labels) >= 2);
    const std::vector<std::int64_t> expected_ids{both.id};
    CHECK(co_await ids_of(two_labels) == expected_ids);
    const auto result = co_await two_labels.adelete();
    CHECK(result.per_model == std::map<std::string, std::int64_t>{{"compat.Picture", 1}, {"compat.Picture_labels", 2}});
    CHECK(joined(co_await Picture::objects.order_by(Picture::f.title).values_list(Picture::f.title).alist()) ==
          "elsewhere,one");
  });
}

}  // namespace compat
