// aormc inspectdb: the model file of an existing database (codegen/introspect/inspect.hpp),
// on the backend of the run. On the blog's tables, the file it writes passes `aormc check`
// and its DDL makes the same columns and indexes; on a schema aorm did not make, it maps
// what it can and says what it did with the rest.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "emit/sql/ddl.hpp"
#include "pipeline.hpp"
#include "project.hpp"

namespace {

using namespace aorm_migrations_test;

aormc::emit::sql::Dialect dialect() {
  return aorm_test::postgres_run() ? aormc::emit::sql::Dialect::postgres : aormc::emit::sql::Dialect::sqlite;
}

// The DDL of a model file's text, for the run's dialect.
std::vector<std::string> ddl_of(const std::string& text, const std::string& file) {
  aormc::diag::Diagnostics diags;
  auto set = aormc::load(text, file, diags);
  REQUIRE_MESSAGE(set, diags.render() << text);
  return aormc::emit::sql::ddl(*set, dialect());
}

// Every table's columns (name, type, null, key) and every index's name.
Rows catalog(const aorm_test::TempDatabase& t) {
  Rows out = select(t, aorm_test::postgres_run()
                           ? "SELECT table_name, column_name, data_type, is_nullable, character_maximum_length, "
                             "numeric_precision FROM information_schema.columns WHERE table_schema = current_schema() "
                             "ORDER BY table_name, ordinal_position"
                           : "SELECT m.name, p.name, p.type, p.\"notnull\", p.pk FROM sqlite_master m, "
                             "pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' "
                             "ORDER BY m.name, p.cid");
  const Rows indexes = select(t, aorm_test::postgres_run()
                                     ? "SELECT tablename, indexname FROM pg_indexes WHERE schemaname = current_schema() "
                                       "ORDER BY indexname"
                                     : "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index' ORDER BY name");
  out.insert(out.end(), indexes.begin(), indexes.end());
  return out;
}

Result inspect(const Project& p, const aorm_test::TempDatabase& t, const std::string& extra = "") {
  return p.aormc("inspectdb --db " + shell_quote(t.url()) + extra + " > inspected.yaml");
}

}  // namespace

TEST_CASE("inspectdb on the blog's tables writes a model file whose DDL makes the same tables") {
  if (aorm_test::skip_without_server()) return;
  aorm_test::TempDatabase original(backend()), again(backend());
  Project p;
  execute(original, ddl_of(read_file(fs::path(AORM_MIGRATIONS_TEST_DIR).parent_path().parent_path() / "models/blog.yaml"),
                           "models/blog.yaml"));
  Result r = inspect(p, original);
  INFO(r.output);
  REQUIRE(r.status == 0);
  const std::string text = read_file(p.dir() / "inspected.yaml");
  INFO(text);
  CHECK(text.find("namespace: blog\n") != std::string::npos);
  CHECK(text.find("      tags: { type: many_to_many, to: Tag }\n") != std::string::npos);
  CHECK(text.find("      author: { type: foreign_key, to: Author, on_delete: do_nothing, null: true }\n") !=
        std::string::npos);
  CHECK(text.find("      unique_together: [[author, slug]]\n") != std::string::npos);
  CHECK(p.aormc("check inspected.yaml").status == 0);
  execute(again, ddl_of(text, "inspected.yaml"));
  CHECK(catalog(again) == catalog(original));
  // Determinism, and --table.
  CHECK(inspect(p, original).status == 0);
  CHECK(read_file(p.dir() / "inspected.yaml") == text);
  r = inspect(p, original, " --namespace shop --table blog_author");
  CHECK(r.status == 0);
  CHECK(read_file(p.dir() / "inspected.yaml").find("namespace: shop\nmodels:\n  BlogAuthor:\n") != std::string::npos);
  CHECK(inspect(p, original, " --table nothing_here").status == 1);
}

TEST_CASE("inspectdb on a schema aorm did not make maps what it can and says what it skipped") {
  if (aorm_test::skip_without_server()) return;
  aorm_test::TempDatabase legacy(backend()), again(backend());
  execute(legacy, {
      "CREATE TABLE legacy_city (code varchar(3) PRIMARY KEY, name text NOT NULL)",
      "CREATE TABLE legacy_station (id integer PRIMARY KEY, name varchar(40) NOT NULL UNIQUE, location inet, "
      "city_code varchar(3) REFERENCES legacy_city (code))",
      "CREATE TABLE legacy_tag (id integer PRIMARY KEY, label varchar(20) NOT NULL)",
      "CREATE TABLE legacy_station_tags (id integer PRIMARY KEY, "
      "station_id integer NOT NULL REFERENCES legacy_station (id) ON DELETE CASCADE, "
      "tag_id integer NOT NULL REFERENCES legacy_tag (id) ON DELETE CASCADE, UNIQUE (station_id, tag_id))",
      "CREATE TABLE legacy_reading (reading_no integer PRIMARY KEY, "
      "station integer NOT NULL REFERENCES legacy_station (id) ON DELETE CASCADE, taken_at timestamp NOT NULL, "
      "amount numeric(8, 2), class text)",
      "CREATE INDEX legacy_reading_taken ON legacy_reading (taken_at)",
      "CREATE TABLE legacy_log (at timestamp, message text)",
  });
  Project p;
  Result r = inspect(p, legacy);
  INFO(r.output);
  REQUIRE(r.status == 0);
  const std::string text = read_file(p.dir() / "inspected.yaml");
  INFO(text);
  const bool pg = aorm_test::postgres_run();
  for (const std::string& line : {
           std::string("namespace: legacy\n"),
           std::string("  # table legacy_city is not a model: its primary key 'code' is ") +
               (pg ? "character varying(3)" : "varchar(3)") + " (aorm needs a single integer key)\n",
           std::string("  # table legacy_log is not a model: it has no primary key (aorm needs a single integer key)\n"),
           std::string("      reading_no: { type: int64, primary_key: true }\n"),
           std::string("      station: { type: foreign_key, to: Station, on_delete: cascade, db_column: station }\n"),
           std::string("      taken_at: { type: datetime, index: true }\n"),
           std::string("      amount: { type: decimal, max_digits: 8, decimal_places: 2, null: true }\n"),
           std::string("      class_: { type: text, null: true, db_column: class }\n"),
           std::string("      name: { type: string, max_length: 40, unique: true }\n"),
           std::string("      # was inet, a type aorm lacks: read as text\n      location: { type: text, null: true }\n"),
           std::string("      # references legacy_city(code), which is not a model here: a plain column\n"
                       "      city_code: { type: string, max_length: 3, null: true }\n"),
           std::string("      tags: { type: many_to_many, to: Tag }\n"),
       })
    CHECK_MESSAGE(text.find(line) != std::string::npos, line);
  CHECK(text.find("StationTags") == std::string::npos);  // a link table, not a model
  CHECK(p.aormc("check inspected.yaml").status == 0);
  execute(again, ddl_of(text, "inspected.yaml"));  // its DDL makes tables
  CHECK(select(again, "SELECT count(*) FROM legacy_station_tags") == Rows{{"0"}});
}
