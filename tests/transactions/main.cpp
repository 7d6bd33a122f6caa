// The doctest main of transactions_tests and the shared fixture (fixture.hpp).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "fixture.hpp"

#include <unistd.h>

#include <atomic>
#include <exception>
#include <system_error>

namespace tx {

TempDbFile::TempDbFile() {
  static std::atomic<int> counter{0};
  path_ = std::filesystem::temp_directory_path() /
          ("aorm-tx-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + ".db");
  std::error_code ec;
  std::filesystem::remove(path_, ec);
}

TempDbFile::~TempDbFile() {
  std::error_code ec;  // best effort: a leftover temp file must not fail a test
  for (const char* suffix : {"", "-wal", "-shm", "-journal"})
    std::filesystem::remove(path_.string() + suffix, ec);
}

const char* policy_name(aorm::Execution e) { return e == aorm::Execution::workers ? "workers" : "inline"; }

void run_env(aorm::Execution execution, const Body& body, EnvOptions opts) {
  TempDbFile file;
  aorm::run([&]() -> aorm::Task<void> {
    Env env{file, execution, {}};
    env.db = co_await aorm::aconnect(
        file.url(), {.pool_size = opts.pool_size, .execution = execution, .busy_timeout = opts.busy_timeout});
    co_await env.db.acreate_tables(blog::app);
    std::exception_ptr failure;
    try {
      co_await body(env);
    } catch (...) {
      failure = std::current_exception();
    }
    co_await env.db.aclose();
    if (failure) std::rethrow_exception(failure);
  }());
}

void for_each_policy(const Body& body, EnvOptions opts) {
  SUBCASE("with worker threads") { run_env(aorm::Execution::workers, body, opts); }
  SUBCASE("inline on the loop thread") { run_env(aorm::Execution::inline_, body, opts); }
}

aorm::Task<std::int64_t> scalar(const aorm::Database& db, std::string sql) {
  std::vector<std::int64_t> rows;
  const aorm::Statement stmt{std::move(sql), {}};
  co_await aorm::detail::execute(db, stmt, [&rows](const aorm::RowReader& r) { rows.push_back(r.get_int64(0)); });
  REQUIRE(rows.size() == 1);
  co_return rows[0];
}

aorm::Task<std::int64_t> count(const aorm::Database& db, std::string table) {
  return scalar(db, "SELECT count(*) FROM " + table);
}

aorm::Task<Author> make_author(std::string name) {
  std::string email = name + "@example.com";
  co_return co_await Author::objects.acreate(Author{.name = std::move(name), .email = std::move(email)});
}

}  // namespace tx
