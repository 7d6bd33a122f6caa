// generated/blog/migrations.{hpp,cpp} is aormc's output for migrations/blog (checked in beside
// generated/blog/models.*), and blog::migrations generated at build time by
// aorm_generate(... MIGRATIONS migrations/blog) applies on the backend of the run.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "aorm/aorm.hpp"
#include "aorm/migrate.hpp"
#include "backends.hpp"
#include "blog/migrations.hpp"
#include "migrate/cpp.hpp"
#include "migrate/reader.hpp"

namespace {

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("generated/blog/migrations.* is up to date with migrations/blog") {
  const std::filesystem::path root = std::filesystem::path(AORM_MIGRATIONS_TEST_DIR).parent_path().parent_path();
  aormc::diag::Diagnostics diags;
  auto ms = aormc::migrate::read_dir((root / "migrations/blog").string(), diags);
  REQUIRE_MESSAGE(ms, diags.render());
  auto compiled = aormc::migrate::compile(*ms, diags);
  REQUIRE_MESSAGE(compiled, diags.render());
  const std::string command =
      aormc::migrate::generate_command("models/blog.yaml", "migrations/blog", "generated");
  for (const auto& file : aormc::migrate::generate("blog", "migrations/blog", *compiled, command))
    CHECK_MESSAGE(read(root / "generated" / file.path) == file.content,
                  "generated/" << file.path << " is stale; from the repository root run: " << command);
}

TEST_CASE("db.amigrate(blog::migrations) applies what is missing, once, and undoes it to zero") {
  if (aorm_test::skip_without_server()) return;
  aorm_test::TempDatabase t(aorm_test::postgres_run() ? aorm_test::Backend::postgres
                                                      : aorm_test::Backend::sqlite_inline);
  aorm::run([&]() -> aorm::Task<void> {
    aorm::Database db = co_await aorm::aconnect(t.url(), t.options());
    aorm::MigrateReport first = co_await db.amigrate(blog::migrations);
    CHECK(first.applied == std::vector<std::string>{"0001_initial"});
    aorm::MigrateReport again = co_await db.amigrate(blog::migrations);
    CHECK(again.applied.empty());
    co_await db.aexecute("INSERT INTO blog_author (name, email) VALUES ('Ann', 'ann@example.com')");
    bool refused = false;
    try {
      co_await db.amigrate(blog::migrations, "0009_nothing");
    } catch (const aorm::ConfigError&) {
      refused = true;
    }
    CHECK(refused);
    aorm::MigrateReport back = co_await db.amigrate(blog::migrations, "zero");
    CHECK(back.unapplied == std::vector<std::string>{"0001_initial"});
    co_await db.aclose();
  }());
}
