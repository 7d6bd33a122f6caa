#include "fixture.hpp"

#include <aorm/aorm.hpp>

#include "sqlite/backend.hpp"
#ifdef AORM_WITH_POSTGRES
#include "postgres/backend.hpp"  // postgres_pool_stats
#endif

namespace hx {

void with_env(aorm_test::Backend backend, const std::function<void(Env&)>& fn) {
  aorm_test::TempDatabase database(backend);
  Env env;
  env.backend = backend;
  env.host.emplace(env.io);
  env.db = env.complete([&]() -> aorm::Task<aorm::Database> {
    aorm::Database db = co_await aorm::aconnect(database.url(), database.options());
    co_await db.acreate_tables(blog::app);
    co_return db;
  }());
  std::exception_ptr failure;
  try {
    fn(env);
  } catch (...) {
    failure = std::current_exception();
  }
  if (env.host)
    env.complete(env.db.aclose());
  else
    aorm::run(env.db.aclose());
  if (failure) std::rethrow_exception(failure);
}

void for_each_backend(const std::function<void(Env&)>& fn) {
  if (aorm_test::skip_without_server()) return;
  if (aorm_test::postgres_run()) {
    SUBCASE("on PostgreSQL") { with_env(aorm_test::Backend::postgres, fn); }
    return;
  }
  SUBCASE("on SQLite with worker threads") { with_env(aorm_test::Backend::sqlite_workers, fn); }
  SUBCASE("on SQLite inline on the loop thread") { with_env(aorm_test::Backend::sqlite_inline, fn); }
}

aorm::Task<void> add_tags(int n) {
  for (int i = 0; i < n; ++i) {
    Tag t;
    t.name = "t" + std::to_string(i);
    co_await Tag::objects.acreate(std::move(t));
  }
}

std::size_t idle(const aorm::Database& db) {
#ifdef AORM_WITH_POSTGRES
  if (db.dialect() == aorm::Dialect::postgres) {
    const auto stats = aorm::detail::postgres_pool_stats(*db.backend_ptr());
    return stats.size - stats.leased;
  }
#endif
  return dynamic_cast<aorm::detail::sqlite::SqliteBackend&>(*db.backend_ptr()).idle_connections();
}

std::size_t pool(const aorm::Database& db) {
#ifdef AORM_WITH_POSTGRES
  if (db.dialect() == aorm::Dialect::postgres) return aorm::detail::postgres_pool_stats(*db.backend_ptr()).size;
#endif
  return dynamic_cast<aorm::detail::sqlite::SqliteBackend&>(*db.backend_ptr()).pool_size();
}

}  // namespace hx
