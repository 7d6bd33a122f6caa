// A header that does not compile: Clang's own errors, and nothing else.
#pragma once

#include <aorm/model.hpp>

namespace shop {
struct Item {
  AORM_MODEL(Item);
  AORM_FIELD(max_lenght = 20) Strin name;
  std::int64_t count = "three";
};
}  // namespace shop
