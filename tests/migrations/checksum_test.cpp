// A migration edited after it was applied: aorm_migrations records each applied migration's
// checksum (codegen/migrate/checksum.hpp), and migrate, showmigrations and db.amigrate refuse
// to go on when a file no longer matches, naming it and the fix, applying nothing.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "blog/migrations.hpp"
#include "migrate/checksum.hpp"
#include "migrate/reader.hpp"
#include "project.hpp"

namespace {

using namespace aorm_migrations_test;

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_text(const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

// `text` with its first `from` replaced by `to` (which must occur).
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t at = text.find(from);
  REQUIRE(at != std::string::npos);
  return text.replace(at, from.size(), to);
}

std::string checksum_of(const std::string& text) {
  aormc::diag::Diagnostics diags;
  auto m = aormc::migrate::read_migration(text, "0001_initial.yaml", diags);
  REQUIRE_MESSAGE(m, diags.render());
  return aormc::migrate::checksum(*m);
}

}  // namespace

TEST_CASE("the checksum ignores comments and layout and sees every change of meaning") {
  const std::string text =
      "namespace: shop\ndependencies: []\noperations:\n"
      "  - add_field:\n      model: Product\n      field:\n        rating: { type: double, null: true }\n";
  const std::string base = checksum_of(text);
  CHECK(base.size() == 16);
  CHECK(checksum_of("# reviewed by Ann\n" + text + "\n\n# the end\n") == base);
  CHECK(checksum_of(replaced(text, "{ type: double, null: true }", "\n          type: double\n          null: true")) ==
        base);
  CHECK(checksum_of(replaced(text, "null: true", "null: false")) != base);
  CHECK(checksum_of(replaced(text, "rating", "score")) != base);
  CHECK(aormc::migrate::fnv1a64_hex("") == "cbf29ce484222325");
  CHECK(aormc::migrate::fnv1a64_hex("a") == "af63dc4c8601ec8c");
}

TEST_CASE("a migration edited after it was applied stops migrate and showmigrations, nothing applied") {
  if (aorm_test::skip_without_server()) return;
  aorm_test::TempDatabase t(backend());
  Project p;
  p.use("v1");
  REQUIRE(p.makemigrations().status == 0);
  REQUIRE(p.migrate(t.url()).status == 0);
  p.use("v2");
  REQUIRE(p.makemigrations().status == 0);

  const fs::path initial = p.dir() / "migrations/shop/0001_initial.yaml";
  const std::string original = read_text(initial);
  // A comment and blank lines are no edit.
  write_text(initial, "# looked at in review\n\n" + original);
  Result r = p.aormc("showmigrations migrations/shop --db " + shell_quote(t.url()));
  INFO(r.output);
  CHECK(r.status == 0);
  CHECK(r.output == "shop\n [X] 0001_initial\n [ ] 0002_rename_category_and_more\n");

  // A longer product name, after the fact.
  write_text(initial, replaced(original, "name: { type: string, max_length: 40 }", "name: { type: string, max_length: 80 }"));
  r = p.migrate(t.url());
  INFO(r.output);
  CHECK(r.status == 1);
  CHECK(r.output.find("migration shop.0001_initial was edited after it was applied") != std::string::npos);
  CHECK(r.output.find("nothing was applied") != std::string::npos);
  CHECK(r.output.find("make the change in a new migration (aormc makemigrations)") != std::string::npos);
  CHECK(select(t, "SELECT name FROM aorm_migrations ORDER BY id") == Rows{{"0001_initial"}});
  CHECK_FALSE(has_table(t, "shop_group"));

  r = p.aormc("showmigrations migrations/shop --db " + shell_quote(t.url()));
  CHECK(r.status == 1);
  CHECK(r.output.find(" [X] 0001_initial  (edited after it was applied)\n") != std::string::npos);
  CHECK(r.output.find("migrations/shop/0001_initial.yaml: error: this migration was edited after it was applied") !=
        std::string::npos);

  // Undoing the edit is the fix.
  write_text(initial, original);
  r = p.migrate(t.url());
  INFO(r.output);
  CHECK(r.status == 0);
  CHECK(r.output.find("Applied shop.0002_rename_category_and_more") != std::string::npos);
}

TEST_CASE("an aorm_migrations table without the checksum column keeps working and gets the column") {
  if (aorm_test::skip_without_server()) return;
  aorm_test::TempDatabase t(backend());
  Project p;
  p.use("v1");
  REQUIRE(p.makemigrations().status == 0);
  REQUIRE(p.migrate(t.url()).status == 0);
  p.use("v2");
  REQUIRE(p.makemigrations().status == 0);
  // The table as the first release of migrations made it.
  execute(t, {"ALTER TABLE aorm_migrations DROP COLUMN checksum"});
  Result r = p.aormc("showmigrations migrations/shop --db " + shell_quote(t.url()));
  INFO(r.output);
  CHECK(r.status == 0);
  CHECK(r.output == "shop\n [X] 0001_initial\n [ ] 0002_rename_category_and_more\n");

  r = p.migrate(t.url());
  INFO(r.output);
  REQUIRE(r.status == 0);
  // The column is back, and the old row took its migration's checksum.
  const Rows rows = select(t, "SELECT name, length(checksum) FROM aorm_migrations ORDER BY id");
  CHECK(rows == Rows{{"0001_initial", "16"}, {"0002_rename_category_and_more", "16"}});
  // From now on, an edit of 0001 is seen.
  const fs::path initial = p.dir() / "migrations/shop/0001_initial.yaml";
  write_text(initial, replaced(read_text(initial), "max_length: 40", "max_length: 41"));
  CHECK(p.migrate(t.url(), "0001").status == 1);
  CHECK(select(t, "SELECT count(*) FROM aorm_migrations") == Rows{{"2"}});
}

TEST_CASE("db.amigrate raises ConfigError for an applied migration whose checksum changed") {
  if (aorm_test::skip_without_server()) return;
  aorm_test::TempDatabase t(aorm_test::postgres_run() ? aorm_test::Backend::postgres
                                                      : aorm_test::Backend::sqlite_inline);
  REQUIRE(blog::migrations.list.size() >= 1);
  CHECK(blog::migrations.list[0].checksum.size() == 16);
  with_db(t, [&](aorm::Database db) -> aorm::Task<void> {
    co_await db.amigrate(blog::migrations);
    co_await db.aexecute("UPDATE aorm_migrations SET checksum = '0123456789abcdef'");
    std::string message;
    try {
      co_await db.amigrate(blog::migrations, "zero");
    } catch (const aorm::ConfigError& e) {
      message = e.what();
    }
    CHECK(message.find("migration blog.0001_initial was edited after it was applied (checksum 0123456789abcdef in "
                       "aorm_migrations, " + std::string(blog::migrations.list[0].checksum) + " now)") !=
          std::string::npos);
    co_await db.aexecute("UPDATE aorm_migrations SET checksum = NULL");
    aorm::MigrateReport back = co_await db.amigrate(blog::migrations, "zero");
    CHECK(back.unapplied == std::vector<std::string>{"0001_initial"});
  });
}
