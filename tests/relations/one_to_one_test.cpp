// The reverse side of a one_to_one (User.profile from Profile.user): a single related object,
// loaded by select_related (one query, LEFT JOIN), prefetch_related or aload(), raising
// DoesNotExist when absent; and lookups through it.
#include "fixture.hpp"

#include "aorm/capture.hpp"

namespace relations {
namespace {

using people::Avatar;
using people::Profile;
using people::User;

TEST_CASE("a reverse one-to-one is a single object that select_related loads in one query") {
  with_people([](People&) -> aorm::Task<void> {
    aorm::QueryCapture cap;
    auto users = co_await User::objects.select_related(User::f.profile).order_by(User::f.name).alist();
    CHECK(cap.count() == 1);
    CHECK(cap.queries().at(0).sql.find("LEFT OUTER JOIN") != std::string::npos);
    REQUIRE(users.size() == 3);  // eve has no profile and is still there
    CHECK(users[0].profile->bio == "math");
    CHECK((*users[1].profile).bio == "builds");
    CHECK(users[1].profile->user.id() == users[1].id);
    CHECK(users[2].profile.loaded());
    CHECK(users[2].profile.get() == nullptr);
    CHECK_THROWS_WITH_AS((void)users[2].profile->bio, "User has no profile.", Profile::DoesNotExist);
    CHECK(cap.count() == 1);  // no hidden lazy query
  });
}

TEST_CASE("select_related follows a reverse one-to-one and then a foreign key, with aget and aiterator") {
  with_people([](People& p) -> aorm::Task<void> {
    aorm::QueryCapture cap;
    User ada = co_await User::objects.select_related(User::f.profile->avatar).aget(User::f.name == "ada");
    CHECK(cap.count() == 1);
    CHECK(ada.profile->avatar->url == "ada.png");
    User bob = co_await User::objects.select_related(User::f.profile->avatar).aget(User::f.pk == p.bob.id);
    CHECK(bob.profile->bio == "builds");
    CHECK_FALSE(bob.profile->avatar.loaded());  // a null key loads nothing
    cap.clear();
    auto stream = User::objects.select_related(User::f.profile).order_by(User::f.name).aiterator(2);
    std::vector<std::string> bios;
    while (auto u = co_await stream.anext()) bios.push_back(u->profile.get() ? u->profile->bio : "-");
    CHECK(bios == names("math", "builds", "-"));
    CHECK(cap.count() == 1);
    // From the other side and back: Profile -> user -> profile.
    auto profiles = co_await Profile::objects.select_related(Profile::f.user->profile).order_by(Profile::f.bio).alist();
    REQUIRE(profiles.size() == 2);
    CHECK(profiles[0].user->profile->bio == "builds");
  });
}

TEST_CASE("a reverse one-to-one raises NotLoaded until loaded, and aload() fetches it with one query") {
  with_people([](People&) -> aorm::Task<void> {
    User ada = co_await User::objects.aget(User::f.name == "ada");
    CHECK_FALSE(ada.profile.loaded());
    CHECK_THROWS_WITH_AS((void)ada.profile->bio, doctest::Contains("select_related"), aorm::NotLoaded);
    aorm::QueryCapture cap;
    Profile& profile = co_await ada.profile.aload();
    CHECK(cap.count() == 1);
    CHECK(profile.bio == "math");
    CHECK(ada.profile->bio == "math");
    User eve = co_await User::objects.aget(User::f.name == "eve");
    CHECK_THROWS_WITH_AS(co_await eve.profile.aload(), "User has no profile.", Profile::DoesNotExist);
    CHECK(eve.profile.loaded());  // absence is remembered
    CHECK(eve.profile.get() == nullptr);
    User unsaved{.name = "new"};
    CHECK_THROWS_AS(co_await unsaved.profile.aload(), aorm::Error);
  });
}

TEST_CASE("prefetch_related loads a reverse one-to-one with one query per level") {
  with_people([](People&) -> aorm::Task<void> {
    aorm::QueryCapture cap;
    auto users = co_await User::objects.prefetch_related(User::f.profile->avatar).order_by(User::f.name).alist();
    CHECK(cap.count() == 3);  // users, profiles, avatars
    REQUIRE(users.size() == 3);
    CHECK(users[0].profile->avatar->url == "ada.png");
    CHECK(users[1].profile->bio == "builds");
    CHECK(users[2].profile.get() == nullptr);
    CHECK(cap.count() == 3);
  });
}

TEST_CASE("lookups, ordering, values and aggregates go through a reverse one-to-one") {
  with_people([](People&) -> aorm::Task<void> {
    auto names_of = [](const std::vector<User>& users) { return sorted(users, [](const User& u) { return u.name; }); };
    CHECK(names_of(co_await User::objects.filter(User::f.profile->bio == "math").alist()) == names("ada"));
    CHECK(names_of(co_await User::objects.filter(User::f.profile->avatar->url.endswith(".png")).alist()) ==
          names("ada"));
    CHECK(names_of(co_await User::objects.exclude(User::f.profile->bio == "math").alist()) == names("bob", "eve"));
    CHECK(names_of(co_await User::objects.filter(User::f.profile->bio.isnull()).alist()) == names("eve"));
    auto bios = co_await User::objects.filter(User::f.profile->bio.isnull(false))
                    .order_by(User::f.profile->bio.desc())
                    .values_list(User::f.profile->bio)
                    .alist();
    REQUIRE(bios.size() == 2);
    CHECK(bios[0] == "math");
    CHECK(bios[1] == "builds");
    auto counted = co_await User::objects.annotate(aorm::Count(User::f.profile)).order_by(User::f.name).alist();
    REQUIRE(counted.size() == 3);
    CHECK(std::get<1>(counted[0]) == 1);
    CHECK(std::get<1>(counted[2]) == 0);
    // Deleting a user cascades to its profile.
    User ada = co_await User::objects.aget(User::f.name == "ada");
    aorm::DeleteResult r = co_await ada.adelete();
    CHECK(r.per_model["people.Profile"] == 1);
    CHECK(co_await Profile::objects.acount() == 1);
  });
}

}  // namespace
}  // namespace relations
