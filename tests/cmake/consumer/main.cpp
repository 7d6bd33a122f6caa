// The consumer's program: creates two products and prints how many cost more than 5.
#include <cstdio>

#include "shop/models.hpp"

aorm::Task<int> amain() {
  auto db = co_await aorm::aconnect("sqlite::memory:");
  co_await db.acreate_tables(shop::app);
  co_await shop::Product::objects.acreate({.name = "pen", .price = 3});
  co_await shop::Product::objects.acreate({.name = "book", .price = 12});
  auto n = co_await shop::Product::objects.filter(shop::Product::f.price > 5).acount();
  std::printf("expensive products: %lld\n", static_cast<long long>(n));
  co_await db.aclose();
  co_return n == 1 ? 0 : 1;
}

int main() { return aorm::run(amain()); }
