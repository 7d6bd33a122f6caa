// A many_to_many with a `through` model (Group.members through Membership): link rows are
// rows of that model, with its defaults, auto_now_add and aorm::through_defaults(...).
#include "fixture.hpp"

namespace relations {
namespace {

using people::Group;
using people::Membership;
using people::User;

TEST_CASE("aadd on a through relation applies the through model's defaults") {
  with_people([](People& p) -> aorm::Task<void> {
    const aorm::DateTime before = aorm::now() - std::chrono::seconds(1);
    co_await p.admins.members.aadd(p.ada, p.bob.id);
    co_await p.admins.members.aadd(p.ada);  // already linked: a no-op
    auto rows = co_await Membership::objects.order_by(Membership::f.id).alist();
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].user.id() == p.ada.id);
    CHECK(rows[0].group.id() == p.admins.id);
    CHECK(rows[0].role == "member");
    CHECK(rows[0].rank == 3);
    CHECK(rows[0].joined >= before);
    CHECK(rows[1].user.id() == p.bob.id);
    CHECK(co_await p.admins.members.all().acount() == 2);
  });
}

TEST_CASE("through_defaults set the through model's columns on aadd, aset and acreate, from either side") {
  with_people([](People& p) -> aorm::Task<void> {
    auto admin = aorm::through_defaults(Membership::f.role = "admin", Membership::f.rank = 1);
    co_await p.admins.members.aadd(p.ada, admin);
    Membership m = co_await Membership::objects.aget(Membership::f.user == p.ada);
    CHECK(m.role == "admin");
    CHECK(m.rank == 1);
    // The reverse side (User.groups) writes the same rows.
    auto reader = aorm::through_defaults(Membership::f.role = "reader");
    co_await p.eve.groups.aadd(p.readers, reader);
    CHECK((co_await Membership::objects.aget(Membership::f.user == p.eve)).role == "reader");
    // aset: only the added links get the values; the kept one keeps its own.
    std::vector<User> members{p.ada, p.bob};
    auto guest = aorm::through_defaults(Membership::f.role = "guest");
    co_await p.admins.members.aset(members, guest);
    auto roles = co_await Membership::objects.filter(Membership::f.group == p.admins)
                     .order_by(Membership::f.user)
                     .values_list(Membership::f.role)
                     .alist();
    CHECK(roles == names("admin", "guest"));
    // acreate: a new user, linked with the values.
    auto owner = aorm::through_defaults(Membership::f.role = "owner");
    User new_user{.name = "zed"};  // named: g++ 12 and braced temporaries in co_await
    User zed = co_await p.readers.members.acreate(new_user, owner);
    CHECK((co_await Membership::objects.aget(Membership::f.user == zed)).role == "owner");
    CHECK(co_await p.readers.members.all().acount() == 2);
  });
}

TEST_CASE("through_defaults must name the through model's own columns") {
  with_people([](People& p) -> aorm::Task<void> {
    auto key = aorm::through_defaults(Membership::f.user = p.bob.id);
    CHECK_THROWS_WITH_AS(co_await p.admins.members.aadd(p.ada, key), doctest::Contains("key"), aorm::Error);
    auto expression = aorm::through_defaults(Membership::f.rank = Membership::f.rank + 1);
    CHECK_THROWS_WITH_AS(co_await p.admins.members.aadd(p.ada, expression), doctest::Contains("values"), aorm::Error);
    CHECK(co_await Membership::objects.acount() == 0);
  });
}

}  // namespace
}  // namespace relations
