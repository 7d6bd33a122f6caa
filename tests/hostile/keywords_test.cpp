// A model whose tables and columns are SQL keywords ("order", "select", "group", "where",
// "limit", ...) and whose names hold a double quote and a space works through every kind of
// statement: DDL, INSERT, SELECT with WHERE/ORDER BY/aggregates, UPDATE, bulk UPDATE, DELETE,
// a join; and blobs of every byte value round-trip.
//
// Rows and lists are built into named locals before the co_await that takes them: g++ 12
// destroys a braced temporary inside a co_await expression twice and rejects a braced list
// there (TOOLCHAIN.md), and this suite is built with g++ too.
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
    const Order a_row{.select = "from", .group = "by", .from = "a", .limit = 2};
    const Order b_row{.select = "where", .from = "b", .limit = 1};
    Order a = co_await Order::objects.acreate(a_row);
    Order b = co_await Order::objects.acreate(b_row);
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
    const std::vector<Order> both{a, b};
    CHECK(co_await Order::objects.abulk_update(both, {Order::f.group}) == 2);
    CHECK(co_await Order::objects.filter(Order::f.group.isnull()).acount() == 2);
    CHECK((co_await Order::objects.aget(Order::f.pk == b.id)).select == "select");

    // A table and a key column with a double quote and keywords in their names.
    const Group g_row{.by = a.id, .having = "count"};
    Group g = co_await Group::objects.acreate(g_row);
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
    const Order a_row{.select = "a", .from = "a", .payload = every};
    const Order e_row{.select = "e", .from = "e", .payload = aorm::Bytes{}};
    Order a = co_await Order::objects.acreate(a_row);
    Order e = co_await Order::objects.acreate(e_row);
    std::vector<Order> big_rows;
    big_rows.push_back({.select = "big", .from = "big", .payload = big});
    std::vector<Order> made = co_await Order::objects.abulk_create(std::move(big_rows));
    REQUIRE(made.size() == 1);

    CHECK((co_await Order::objects.aget(Order::f.pk == a.id)).payload == every);
    auto empty = (co_await Order::objects.aget(Order::f.pk == e.id)).payload;
    REQUIRE(empty.has_value());  // an empty blob is not NULL
    CHECK(empty->empty());
    CHECK((co_await Order::objects.aget(Order::f.pk == made[0].id)).payload == big);

    CHECK((co_await Order::objects.aget(Order::f.payload == every)).id == a.id);
    CHECK((co_await Order::objects.aget(Order::f.payload == big)).id == made[0].id);
    const std::vector<aorm::Bytes> every_or_big{every, big};
    CHECK(co_await Order::objects.filter(Order::f.payload.in(every_or_big)).acount() == 2);

    aorm::Bytes reversed(every.rbegin(), every.rend());
    CHECK(co_await Order::objects.filter(Order::f.pk == a.id).aupdate(Order::f.payload = reversed) == 1);
    CHECK((co_await Order::objects.aget(Order::f.pk == a.id)).payload == reversed);
  });
}
