// The main of django_compat_tests and its fixture (fixture.hpp).
//
//   django_compat_tests [doctest options]                          SQLite (workers, inline)
//   django_compat_tests --aorm-backend=postgres [doctest options]  PostgreSQL, a schema per test
#include "fixture.hpp"

#include <exception>

#include "backends.hpp"

namespace compat {

void for_each_backend(const Body& body) {
  if (aorm_test::skip_without_server()) return;
  auto run_on = [&](aorm_test::Backend backend) {
    const aorm_test::TempDatabase database(backend);
    aorm::run([&]() -> aorm::Task<void> {
      aorm::Database db = co_await aorm::aconnect(database.url(), database.options());
      std::exception_ptr failure;
      try {
        co_await db.acreate_tables(compat::app);
        co_await body(db);
      } catch (...) {
        failure = std::current_exception();
      }
      co_await db.aclose();
      if (failure) std::rethrow_exception(failure);
    }());
  };
  if (aorm_test::postgres_run()) {
    run_on(aorm_test::Backend::postgres);
    return;
  }
  SUBCASE("sqlite, workers") { run_on(aorm_test::Backend::sqlite_workers); }
  SUBCASE("sqlite, inline") { run_on(aorm_test::Backend::sqlite_inline); }
}

}  // namespace compat

int main(int argc, char** argv) { return aorm_test::run_doctest(argc, argv); }
