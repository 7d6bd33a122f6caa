// The annotated C++ twin of tests/relations/people.yaml (API.md §1b): the same models written
// as structs for aormc's Clang front end. relations_annotated_tests runs the one-to-one and
// through tests against the code generated from it. Change the two together.
#pragma once

#include <aorm/model.hpp>

namespace people {

struct User {
  AORM_MODEL(User);
  AORM_FIELD(max_length = 100, unique) std::string name;
};

struct Avatar {
  AORM_MODEL(Avatar);
  AORM_FIELD(max_length = 200) std::string url;
};

struct Profile {
  AORM_MODEL(Profile);
  AORM_FIELD(one_to_one, on_delete = cascade, related_name = profile) aorm::ForeignKey<User> user;
  std::string bio;  // text: a string without max_length
  AORM_FIELD(on_delete = set_null, related_name = profiles) aorm::ForeignKey<Avatar, aorm::nullable> avatar;
};

struct Membership;

struct Group {
  AORM_MODEL(Group);
  AORM_FIELD(max_length = 100) std::string name;
  AORM_FIELD(through = Membership, related_name = groups) aorm::ManyToMany<Group, User> members;
};

struct Membership {
  AORM_MODEL(Membership);
  AORM_FIELD(on_delete = cascade, related_name = memberships) aorm::ForeignKey<Group> group;
  AORM_FIELD(on_delete = cascade, related_name = memberships) aorm::ForeignKey<User> user;
  AORM_FIELD(max_length = 20) std::string role = "member";
  std::int32_t rank = 3;
  AORM_FIELD(auto_now_add) aorm::DateTime joined;
};

}  // namespace people
