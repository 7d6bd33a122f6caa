// Defaults aorm cannot take from member initializers, and enums named apart from their field.
#pragma once

#include <aorm/model.hpp>

namespace shop {

inline std::int64_t compute() { return 4; }

struct Item {
  AORM_MODEL(Item);
  enum class Kind { small, large };

  std::int64_t computed = compute();
  std::int64_t fraction = 1.5;
  std::string name = "a very long default";
  AORM_FIELD(max_length = 3) std::string code = "toolong";
  bool flag = 1;
  Kind status = Kind::small;
};

}  // namespace shop
