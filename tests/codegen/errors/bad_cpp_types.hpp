// Member types aorm cannot store.
#pragma once

#include <map>

#include <aorm/model.hpp>

namespace shop {

enum class Outside { a, b };

struct Tag {
  AORM_MODEL(Tag);
  AORM_FIELD(max_length = 20) std::string name;
};

struct Item {
  AORM_MODEL(Item);
  enum Plain { x, y };

  std::map<int, int> x_counts;
  float weight;
  unsigned stock;
  short rank;
  Outside outside;
  Plain plain;
  const std::int64_t fixed = 1;
  std::optional<aorm::ForeignKey<Tag>> maybe_tag;
  aorm::ManyToMany<Tag, Tag> tags;
  std::optional<std::optional<int>> twice;
};

}  // namespace shop
