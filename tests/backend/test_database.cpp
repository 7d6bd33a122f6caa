// aconnect URLs, the alias registry, acreate_tables, QueryCapture and AORM_LOG_SQL.
#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "support.hpp"

using aorm::Task;

namespace {

/// Runs `fn` with stderr redirected to a file; returns what was written.
template <class Fn>
std::string capture_stderr(const std::filesystem::path& file, Fn fn) {
  std::fflush(stderr);
  const int saved = dup(STDERR_FILENO);
  const int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  REQUIRE(fd >= 0);
  dup2(fd, STDERR_FILENO);
  close(fd);
  try {
    fn();
  } catch (...) {
    std::fflush(stderr);
    dup2(saved, STDERR_FILENO);
    close(saved);
    throw;
  }
  std::fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  std::ifstream in(file);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

constexpr std::string_view kDdl[] = {
    R"(CREATE TABLE "shop_item" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "name" TEXT NOT NULL))",
    R"(CREATE TABLE "shop_tag" ("id" INTEGER PRIMARY KEY, "item_id" INTEGER NOT NULL REFERENCES "shop_item" ("id")))",
};
constexpr std::string_view kBadDdl[] = {
    R"(CREATE TABLE "half_a" ("id" INTEGER PRIMARY KEY))",
    R"(CREATE TABLE "half_b" ("id" INTEGER PRIMARY KEY, broken broken broken ())",
};

}  // namespace

TEST_CASE("aconnect rejects malformed URLs and unknown schemes with ConfigError") {
  aorm::run([]() -> Task<void> {
    CHECK_THROWS_WITH_AS(co_await aorm::aconnect("blog.db"),
                         "invalid database URL 'blog.db': expected a scheme (sqlite:PATH, "
                         "sqlite::memory:, postgresql://...)",
                         aorm::ConfigError);
    CHECK_THROWS_WITH_AS(co_await aorm::aconnect("mysql://localhost/db"),
                         "unknown database scheme 'mysql' in URL 'mysql://localhost/db' "
                         "(supported: sqlite, postgresql)",
                         aorm::ConfigError);
    CHECK_THROWS_WITH_AS(co_await aorm::aconnect("sqlite:"),
                         "invalid database URL 'sqlite:': no database path (expected sqlite:PATH "
                         "or sqlite::memory:)",
                         aorm::ConfigError);
    CHECK_THROWS_AS(co_await aorm::aconnect("sqlite:x.db?mode=ro"), aorm::ConfigError);
    CHECK_THROWS_AS(co_await aorm::aconnect("sqlite::memory:", {.pool_size = -1}), aorm::ConfigError);
#ifndef AORM_WITH_POSTGRES
    CHECK_THROWS_WITH_AS(co_await aorm::aconnect("postgresql://user@localhost:5432/db"),
                         "PostgreSQL backend not built (configure aorm with -DAORM_WITH_POSTGRES=ON): "
                         "'postgresql://user@localhost:5432/db'",
                         aorm::ConfigError);
#endif
  }());
}

TEST_CASE("sqlite URLs accept a plain path, three slashes and :memory:") {
  test::TempDir dir;
  aorm::run([&]() -> Task<void> {
    {
      auto db = co_await aorm::aconnect("sqlite://" + (dir.path() / "slashes.db").string());
      co_await db.aexecute("CREATE TABLE t (x)");
    }
    CHECK(std::filesystem::exists(dir.path() / "slashes.db"));
    auto mem = co_await aorm::aconnect("sqlite::memory:");
    CHECK(mem.dialect() == aorm::Dialect::sqlite);
    CHECK(mem.alias() == "default");
  }());
}

TEST_CASE("the alias registry finds open databases and rejects a second open under a live alias") {
  test::TempDir dir;
  aorm::run([&]() -> Task<void> {
    CHECK_THROWS_WITH_AS(aorm::detail::database("default"),
                         "no database is open under the alias 'default' (open one with "
                         "aorm::aconnect(url, {.alias = \"default\"}))",
                         aorm::ConfigError);
    auto db = co_await aorm::aconnect(dir.url());
    CHECK(aorm::detail::database("default") == db);
    CHECK_THROWS_WITH_AS(co_await aorm::aconnect(dir.url("other.db")),
                         "a database is already open under the alias 'default' (close it first, or "
                         "pass another alias)",
                         aorm::ConfigError);
    auto other = co_await aorm::aconnect(dir.url("other.db"), {.alias = "other"});
    CHECK(other.alias() == "other");
    CHECK(aorm::detail::database("other") == other);
    CHECK_THROWS_WITH_AS(aorm::detail::database("nope"),
                         "no database is open under the alias 'nope' (open one with "
                         "aorm::aconnect(url, {.alias = \"nope\"}))",
                         aorm::ConfigError);

    // aclose releases the alias at once, even while other handles exist.
    auto copy = db;
    co_await db.aclose();
    CHECK_THROWS_AS(aorm::detail::database("default"), aorm::ConfigError);
    auto reopened = co_await aorm::aconnect(dir.url());
    CHECK(reopened != copy);
    CHECK(co_await reopened.aexecute("CREATE TABLE t (x)") == 0);
  }());
  // The last handles went away with the task: every alias is free again.
  CHECK_THROWS_AS(aorm::detail::database("default"), aorm::ConfigError);
  CHECK_THROWS_AS(aorm::detail::database("other"), aorm::ConfigError);
}

TEST_CASE("a default-constructed Database raises ConfigError when used") {
  aorm::Database none;
  CHECK_FALSE(none);
  CHECK_THROWS_AS(none.dialect(), aorm::ConfigError);
}

TEST_CASE("acreate_tables runs the app's DDL in one transaction") {
  test::TempDir dir;
  const aorm::App app{"shop", {}, kDdl, {}};
  const aorm::App bad{"bad", {}, kBadDdl, {}};
  aorm::run([&]() -> Task<void> {
    auto db = co_await aorm::aconnect(dir.url());
    co_await db.acreate_tables(app);
    CHECK(co_await test::scalar(db, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'shop_%'") == 2);
    CHECK_THROWS_AS(co_await db.acreate_tables(bad), aorm::ProgrammingError);
    // The first statement was rolled back with the failing one.
    CHECK(co_await test::scalar(db, "SELECT count(*) FROM sqlite_master WHERE name = 'half_a'") == 0);
  }());
}

TEST_CASE("QueryCapture records statements with their parameters, nested captures both") {
  test::TempDir dir;
  aorm::run([&]() -> Task<void> {
    auto db = co_await aorm::aconnect(dir.url());
    co_await db.aexecute("CREATE TABLE t (x, y)");
    aorm::QueryCapture outer;
    co_await db.aexecute("INSERT INTO t VALUES (?, ?)", 1, "one");
    {
      aorm::QueryCapture inner;
      co_await db.aexecute("INSERT INTO t VALUES (?, ?)", 2, nullptr);
      CHECK_THROWS_AS(co_await db.aexecute("INSERT INTO nowhere VALUES (1)"), aorm::ProgrammingError);
      CHECK(inner.count() == 2);
      CHECK(inner.queries()[0].sql == "INSERT INTO t VALUES (?, ?)");
    }
    CHECK(co_await test::scalar(db, "SELECT count(*) FROM t") == 2);
    CHECK(outer.count() == 4);
    const auto q = outer.queries();
    CHECK(q[0].params.size() == 2);
    CHECK(std::get<std::int64_t>(q[0].params[0]) == 1);
    CHECK(std::get<std::string>(q[0].params[1]) == "one");
    CHECK(std::holds_alternative<std::nullptr_t>(q[1].params[1]));
    CHECK(q[2].sql == "INSERT INTO nowhere VALUES (1)");
    CHECK(q[3].sql == "SELECT count(*) FROM t");
    CHECK(q[3].duration.count() > 0);
    outer.clear();
    CHECK(outer.count() == 0);
  }());
}

TEST_CASE("AORM_LOG_SQL=1 writes each statement, its arguments and duration to stderr") {
  test::TempDir dir;
  setenv("AORM_LOG_SQL", "1", 1);
  const std::string out = capture_stderr(dir.path() / "stderr.txt", [&] {
    aorm::run([&]() -> Task<void> {
      auto db = co_await aorm::aconnect(dir.url());
      co_await db.aexecute("CREATE TABLE t (x, y)");
      co_await db.aexecute("INSERT INTO t VALUES (?, ?)", 42, "it's");
    }());
  });
  unsetenv("AORM_LOG_SQL");
  CHECK(out.find("s) CREATE TABLE t (x, y); args=(); alias=default\n") != std::string::npos);
  CHECK(out.find("s) INSERT INTO t VALUES (?, ?); args=(42, 'it''s'); alias=default\n") != std::string::npos);
  CHECK(out.rfind("aorm: (0.", 0) == 0);

  // Off again: nothing is logged.
  const std::string quiet = capture_stderr(dir.path() / "stderr2.txt", [&] {
    aorm::run([&]() -> Task<void> {
      auto db = co_await aorm::aconnect(dir.url());
      co_await db.aexecute("INSERT INTO t VALUES (1, 2)");
    }());
  });
  CHECK(quiet.empty());
}

TEST_CASE("AORM_LOG_SQL=statements writes each statement without its parameters") {
  test::TempDir dir;
  setenv("AORM_LOG_SQL", "statements", 1);
  const std::string out = capture_stderr(dir.path() / "stderr.txt", [&] {
    aorm::run([&]() -> Task<void> {
      auto db = co_await aorm::aconnect(dir.url());
      co_await db.aexecute("CREATE TABLE t (x UNIQUE, y)");
      co_await db.aexecute("INSERT INTO t VALUES (?, ?)", 4242424, "card-4111-1111");
      try {
        co_await db.aexecute("INSERT INTO t VALUES (?, ?)", 4242424, "card-4111-1111");
      } catch (const aorm::IntegrityError&) {
      }
    }());
  });
  unsetenv("AORM_LOG_SQL");
  CHECK(out.find("s) CREATE TABLE t (x UNIQUE, y); alias=default\n") != std::string::npos);
  CHECK(out.find("s) INSERT INTO t VALUES (?, ?); alias=default\n") != std::string::npos);
  CHECK(out.find("; alias=default; error=") != std::string::npos);  // the failed insert
  CHECK(out.find("card-4111") == std::string::npos);
  CHECK(out.find("4242424") == std::string::npos);
  CHECK(out.find("args=") == std::string::npos);
}
