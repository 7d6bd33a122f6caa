// Models outside a namespace, in two namespaces, and as templates.
#pragma once

#include <aorm/model.hpp>

struct Global {
  AORM_MODEL(Global);
  std::int64_t n = 0;
};

namespace shop {
struct Item {
  AORM_MODEL(Item);
  AORM_FIELD(max_length = 20) std::string name;
};
}  // namespace shop

namespace other {
struct Thing {
  AORM_MODEL(Thing);
  bool on = false;
};

template <class T>
struct Box {
  AORM_MODEL(Box);
  std::int64_t n = 0;
};

struct Base {};
struct Derived : Base {
  AORM_MODEL(Derived);
};
}  // namespace other
