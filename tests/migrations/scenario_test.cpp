// A shop evolves from models/v1.yaml to models/v2.yaml through aormc makemigrations and
// migrate, on the backend of the run; its rows survive the way forwards, back and forwards again.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "project.hpp"

namespace {

using namespace aorm_migrations_test;

const std::vector<std::string> kV1Rows = {
    "INSERT INTO shop_category (name) VALUES ('tools'), ('garden')",
    "INSERT INTO shop_product (name, price, notes, legacy_code, category_id) VALUES "
    "('hammer', 10, 'heavy', 'H1', 1), ('saw', 20, NULL, NULL, 1), ('rake', 30, 'green', 'R9', 2)",
};

const Rows kV1Products = {{"1", "hammer", "10", "heavy", "H1", "1"},
                          {"2", "saw", "20", "NULL", "NULL", "1"},
                          {"3", "rake", "30", "green", "R9", "2"}};
const char* const kV1Select = "SELECT id, name, price, notes, legacy_code, category_id FROM shop_product ORDER BY id";

}  // namespace

TEST_CASE("a shop migrates from v1 to v2 and back with every row intact") {
  if (aorm_test::skip_without_server()) return;
  aorm_test::TempDatabase t(backend());
  Project p;
  p.use("v1");
  Result r = p.makemigrations();
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(fs::exists(p.dir() / "migrations/shop/0001_initial.yaml"));
  REQUIRE(p.migrate(t.url()).status == 0);
  execute(t, kV1Rows);

  // v2: every kind of change; --check sees the drift first.
  p.use("v2");
  r = p.makemigrations(" --check");
  CHECK(r.status == 1);
  CHECK(r.output.find("run: aormc makemigrations shop.yaml --dir migrations/shop") != std::string::npos);
  r = p.makemigrations();
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(r.output.find("Rename model Category to Group") != std::string::npos);
  CHECK(r.output.find("Rename field Product.notes to remarks") != std::string::npos);
  CHECK(r.output.find("warning: field 'Product.legacy_code' is removed") != std::string::npos);
  CHECK(p.makemigrations(" --check").status == 0);
  CHECK(p.makemigrations().output == "No changes detected\n");

  r = p.migrate(t.url());
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(r.output.find("Applied shop.0002_") != std::string::npos);
  CHECK(select(t, "SELECT id, name, price, remarks, stock, weight_grams, category_id FROM shop_product ORDER BY id") ==
        Rows{{"1", "hammer", "10", "heavy", "7", "NULL", "1"},
             {"2", "saw", "20", "NULL", "7", "NULL", "1"},
             {"3", "rake", "30", "green", "7", "NULL", "2"}});
  CHECK(select(t, "SELECT id, name FROM shop_group ORDER BY id") == Rows{{"1", "tools"}, {"2", "garden"}});
  CHECK_FALSE(has_table(t, "shop_category"));
  // The new shapes take rows: a longer name, a review (foreign key), a label link.
  execute(t, {"INSERT INTO shop_product (name, price, remarks, stock, weight_grams, category_id) VALUES "
              "('" + std::string(100, 'x') + "', 5, NULL, 1, 250, 2)",
              "INSERT INTO shop_review (product_id, stars) VALUES (1, 5)",
              "INSERT INTO shop_label (text) VALUES ('sale')",
              "INSERT INTO shop_product_labels (product_id, label_id) VALUES (1, 1)"});
  CHECK(select(t, "SELECT count(*) FROM shop_review WHERE product_id = 1") == Rows{{"1"}});

  // Back to v1 shortens the name to 40 again: PostgreSQL refuses while the 100-character
  // name is there (nothing is cut silently; SQLite does not enforce varchar lengths).
  if (aorm_test::postgres_run()) {
    r = p.migrate(t.url(), "0001");
    CHECK(r.status == 1);
    CHECK(r.output.find("value too long for type character varying(40)") != std::string::npos);
    CHECK(select(t, "SELECT count(*) FROM aorm_migrations") == Rows{{"2"}});
  }
  execute(t, {"DELETE FROM shop_product WHERE id > 3"});
  // Back to v1: the v2-only rows go with their tables and columns; v1's rows are as written
  // (a removed column comes back empty: its data was dropped, as makemigrations warned).
  r = p.migrate(t.url(), "0001");
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(select(t, "SELECT id, name, price, notes, category_id FROM shop_product WHERE id <= 3 ORDER BY id") ==
        Rows{{"1", "hammer", "10", "heavy", "1"}, {"2", "saw", "20", "NULL", "1"}, {"3", "rake", "30", "green", "2"}});
  CHECK(has_table(t, "shop_category"));
  CHECK_FALSE(has_table(t, "shop_review"));
  CHECK_FALSE(has_table(t, "shop_product_labels"));

  // Forwards again, then all the way back.
  REQUIRE(p.migrate(t.url()).status == 0);
  CHECK(select(t, "SELECT name, remarks FROM shop_product WHERE id = 1") == Rows{{"hammer", "heavy"}});
  REQUIRE(p.migrate(t.url(), "zero").status == 0);
  CHECK_FALSE(has_table(t, "shop_product"));
  CHECK(select(t, "SELECT count(*) FROM aorm_migrations") == Rows{{"0"}});
}

TEST_CASE("a failing migration rolls back whole and names itself and its SQL") {
  if (aorm_test::skip_without_server()) return;
  aorm_test::TempDatabase t(backend());
  Project p;
  p.use("v1");
  REQUIRE(p.makemigrations().status == 0);
  REQUIRE(p.migrate(t.url()).status == 0);
  execute(t, kV1Rows);
  execute(t, {"INSERT INTO shop_product (name, price, category_id) VALUES ('hammer', 11, 1)"});  // a duplicate name
  p.use("v1_unique");
  REQUIRE(p.makemigrations(" --name unique_names").status == 0);
  Result r = p.migrate(t.url());
  INFO(r.output);
  CHECK(r.status == 1);
  CHECK(r.output.find("migration shop.0002_unique_names failed and was rolled back") != std::string::npos);
  CHECK(r.output.find("statement: ") != std::string::npos);
  CHECK(select(t, "SELECT name FROM aorm_migrations ORDER BY id") == Rows{{"0001_initial"}});
  CHECK(select(t, std::string(kV1Select) + " LIMIT 3") == kV1Products);
  CHECK(select(t, "SELECT count(*) FROM shop_product") == Rows{{"4"}});
}

TEST_CASE("four processes migrating at once apply each migration once") {
  if (aorm_test::skip_without_server()) return;
  aorm_test::TempDatabase t(backend());
  Project p;
  p.use("v1");
  REQUIRE(p.makemigrations().status == 0);
  p.use("v2");
  REQUIRE(p.makemigrations().status == 0);
  const std::string one = "cd " + shell_quote(p.dir().string()) + " && " + shell_quote(AORMC) +
                          " migrate migrations/shop --db " + shell_quote(t.url());
  std::string all;
  for (int i = 0; i < 4; ++i) all += "(" + one + " > out" + std::to_string(i) + ".txt 2>&1; echo $? >> status.txt) & ";
  all += "wait";
  Result r = run("cd " + shell_quote(p.dir().string()) + " && " + all);
  REQUIRE(r.status == 0);
  std::ifstream status(p.dir() / "status.txt");
  int ok = 0;
  for (std::string line; std::getline(status, line);) ok += line == "0";
  int applied = 0;
  for (int i = 0; i < 4; ++i) {
    std::ifstream out(p.dir() / ("out" + std::to_string(i) + ".txt"));
    for (std::string line; std::getline(out, line);) {
      INFO(line);
      applied += line.find("Applied shop.") != std::string::npos;
    }
  }
  CHECK(ok == 4);
  CHECK(applied == 2);
  CHECK(select(t, "SELECT name, count(*) FROM aorm_migrations GROUP BY name ORDER BY name") ==
        Rows{{"0001_initial", "1"}, {"0002_rename_category_and_more", "1"}});
}

TEST_CASE("a non-null field without a default on an existing model is an error with the fix") {
  Project p;
  p.use("v1");
  REQUIRE(p.makemigrations().status == 0);
  p.use("v1_not_null");
  Result r = p.makemigrations();
  CHECK(r.status == 1);
  CHECK(r.output ==
        "shop.yaml:14:7: error: new field 'Product.barcode' is not null and has no default: the rows already in "
        "the table would have no value for it\n"
        "shop.yaml:14:7: note: give it a default ('default: ...') or make it 'null: true'; to fill it from other "
        "data, add it with 'null: true', fill it with run_sql in 'aormc makemigrations --empty', then drop "
        "'null: true'\n");
  CHECK_FALSE(fs::exists(p.dir() / "migrations/shop/0002_add_barcode.yaml"));
}
