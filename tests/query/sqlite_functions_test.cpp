// The SQL functions the compiler's SQLite output needs (runtime/backends/sqlite/functions.hpp),
// registered on a raw in-memory connection and called from SQL.
#include <doctest/doctest.h>
#include <sqlite3.h>

#include <string>

#include "sqlite/functions.hpp"

namespace {

/// One in-memory connection with the functions registered.
class Db {
 public:
  Db() {
    sqlite3_open(":memory:", &db_);
    REQUIRE(aorm::detail::sql::register_sqlite_functions(db_) == SQLITE_OK);
  }
  ~Db() { sqlite3_close(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  /// The first column of the first row of `sql` as text ("NULL" for NULL), or the error.
  std::string scalar(const std::string& sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) return sqlite3_errmsg(db_);
    std::string out;
    if (sqlite3_step(st) == SQLITE_ROW) {
      const auto* t = sqlite3_column_text(st, 0);
      out = t ? reinterpret_cast<const char*>(t) : "NULL";
    } else {
      out = sqlite3_errmsg(db_);
    }
    sqlite3_finalize(st);
    return out;
  }

 private:
  sqlite3* db_ = nullptr;
};

TEST_CASE("aorm_lower folds ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic letters") {
  Db db;
  CHECK(db.scalar("SELECT aorm_lower('Hello WORLD 123')") == "hello world 123");
  CHECK(db.scalar("SELECT aorm_lower('\xc3\x9c\x62\x65r \xc3\x89t\xc3\xa9')") == "\xc3\xbc\x62\x65r \xc3\xa9t\xc3\xa9");  // Über Été
  CHECK(db.scalar("SELECT aorm_lower('\xc5\x81\xc3\xb3\x64\xc5\xba')") == "\xc5\x82\xc3\xb3\x64\xc5\xba");  // Łódź
  CHECK(db.scalar("SELECT aorm_lower('\xce\xa3\xce\x9f\xce\xa6\xce\x99\xce\x91')") ==
        "\xcf\x83\xce\xbf\xcf\x86\xce\xb9\xce\xb1");  // ΣΟΦΙΑ → σοφια
  CHECK(db.scalar("SELECT aorm_lower('\xd0\x9c\xd0\x9e\xd0\xa1\xd0\x9a\xd0\x92\xd0\x90 \xd0\x81')") ==
        "\xd0\xbc\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0 \xd1\x91");  // МОСКВА Ё
  CHECK(db.scalar("SELECT aorm_lower(NULL)") == "NULL");
  CHECK(db.scalar("SELECT aorm_lower('ABC') GLOB aorm_lower('*b[*]*')") == "0");
  CHECK(db.scalar("SELECT aorm_lower('A*BC') GLOB aorm_lower('*a[*]b*')") == "1");
}

TEST_CASE("regexp implements REGEXP with ECMAScript patterns, (?i) meaning case-insensitive") {
  Db db;
  CHECK(db.scalar("SELECT 'Hello World' REGEXP '^H.*d$'") == "1");
  CHECK(db.scalar("SELECT 'Hello World' REGEXP 'world'") == "0");
  CHECK(db.scalar("SELECT 'Hello World' REGEXP '(?i)WORLD'") == "1");
  CHECK(db.scalar("SELECT 'abc' REGEXP '\\d'") == "0");
  CHECK(db.scalar("SELECT NULL REGEXP 'a'") == "NULL");
  CHECK(db.scalar("SELECT 'a' REGEXP '('").starts_with("invalid regular expression '('"));
  // The pattern stays cached across rows of one statement.
  CHECK(db.scalar("WITH t(x) AS (VALUES ('a1'), ('b'), ('c2')) SELECT COUNT(*) FROM t WHERE x REGEXP '[0-9]'") == "2");
}

}  // namespace
