// A model whose tables and columns are SQL keywords ("order", "select", "group", "where",
// "limit", ...) and whose names hold a double quote and a space works through every kind of
// statement: DDL, INSERT, SELECT with WHERE/ORDER BY/aggregates, UPDATE, bulk UPDATE, DELETE,
// a join; and blobs of every byte value round-trip.
#include <doctest/doctest.h>

#include <string>
#include <utility>
#include <vector>

#include "kw/models.hpp"
#include "temp_db.hpp"

namespace {

using aorm::Task;
using kw::Group;
using kw::Order;

/// Every byte value 0..255, then again reversed.
aorm::Bytes all_bytes() {
  aorm::Bytes b;
  for (int i = 0; i < 256; ++i) b.push_back(static_cast<std::byte>(i));
  for (int i = 255; i >= 0; --i) b.push_back(static_cast<std::byte>(i));
  return b;
}

template <class Body>
void with_kw(Body body) {
  hostile::with_app(kw::app, std::move(body));
}

}  // namespace

TEST_CASE("tables and columns named after SQL keywords work through create, filter, order, update and delete") {
  with_kw([]() -> Task<void> {
    Order a = co_await Order::objects.acreate({.select = "from", .group = "by", .from = "a", .limit = 2});
    Order b = co_await Order::objects.acreate({.select = "where", .from = "b", .limit = 1});
    CHECK(a.id != b.id);

    // Meta.ordering is by "limit".
    std::vector<Order> ordered = co_await Order::objects.alist();
    REQUIRE(ordered.size() == 2);
    CHECK(ordered[0].id == b.id);
    CHECK((co_await Order::objects.order_by(Order::f.limit.desc()).alist())[0].id == a.id);

    CHECK((co_await Order::objects.aget(Order::f.from == "a")).select == "from");
    CHECK(co_await Order::objects.filter(Order::f.group.isnull()).acount() == 1);
    CHECK(co_await Order::objects.filter(Order::f.select.icontains("WHERE")).acount() == 1);
    auto [total] = co_await Order::objects.aaggregate(aorm::Sum(Order::f.limit));
    CHECK(total == 3);

    CHECK(co_await Order::objects.filter(Order::f.limit > 1).aupdate(Order::f.limit = Order::f.limit + 10) == 1);
    CHECK((co_await Order::objects.aget(Order::f.pk == a.id)).limit == 12);
    b.select = "select";
    co_await b.asave();
    a.group = std::nullopt;
    CHECK(co_await Order::objects.abulk_update({a, b}, {Order::f.group}) == 2);
    CHECK(co_await Order::objects.filter(Order::f.group.isnull()).acount() == 2);
    CHECK((co_await Order::objects.aget(Order::f.pk == b.id)).select == "select");

    // A table and a key column with a double quote and keywords in their names.
    Group g = co_await Group::objects.acreate({.by = a.id, .having = "count"});
    CHECK(co_await Group::objects.filter(Group::f.by == a.id).acount() == 1);
    auto joined = co_await Group::objects.select_related(Group::f.by).alist();
    REQUIRE(joined.size() == 1);
    CHECK(joined[0].by->from == "a");

    // Deleting an order cascades to its group.
    auto deleted = co_await Order::objects.filter(Order::f.pk == a.id).adelete();
    CHECK(deleted.total == 2);
    CHECK(co_await Group::objects.acount() == 0);
    CHECK(co_await Order::objects.acount() == 1);
    (void)g;
  });
}

TEST_CASE("blobs of every byte value, empty blobs and a 1 MB blob round-trip and match by equality") {
  with_kw([]() -> Task<void> {
    const aorm::Bytes every = all_bytes();
    const aorm::Bytes big(1 << 20, std::byte{0});
    Order a = co_await Order::objects.acreate({.select = "a", .from = "a", .payload = every});
    Order e = co_await Order::objects.acreate({.select = "e", .from = "e", .payload = aorm::Bytes{}});
    std::vector<Order> made = co_await Order::objects.abulk_create({{.select = "big", .from = "big", .payload = big}});
    REQUIRE(made.size() == 1);

    CHECK((co_await Order::objects.aget(Order::f.pk == a.id)).payload == every);
    auto empty = (co_await Order::objects.aget(Order::f.pk == e.id)).payload;
    REQUIRE(empty.has_value());  // an empty blob is not NULL
    CHECK(empty->empty());
    CHECK((co_await Order::objects.aget(Order::f.pk == made[0].id)).payload == big);

    CHECK((co_await Order::objects.aget(Order::f.payload == every)).id == a.id);
    CHECK((co_await Order::objects.aget(Order::f.payload == big)).id == made[0].id);
    CHECK(co_await Order::objects.filter(Order::f.payload.in(std::vector<aorm::Bytes>{every, big})).acount() == 2);

    aorm::Bytes reversed(every.rbegin(), every.rend());
    CHECK(co_await Order::objects.filter(Order::f.pk == a.id).aupdate(Order::f.payload = reversed) == 1);
    CHECK((co_await Order::objects.aget(Order::f.pk == a.id)).payload == reversed);
  });
}
