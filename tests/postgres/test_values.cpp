// Parameters and results: every aorm::Value kind round-trips, RowReader conversions,
// rows_affected.
#include <cmath>
#include <limits>

#include "support.hpp"

using aorm::Task;
using V = std::vector<aorm::Value>;

namespace {

/// The Value read back from `SELECT <expr>` with one parameter, through RowReader.
struct ReadBack {
  bool null = false;
  std::int64_t i = 0;
  double d = 0;
  std::string text;
  aorm::Bytes blob;
};

Task<ReadBack> read_back(aorm::detail::Backend& backend, std::string sql, aorm::Value value) {
  ReadBack out;
  int rows = 0;
  const aorm::Statement stmt{std::move(sql), V{std::move(value)}};
  co_await backend.execute(stmt, [&](const aorm::RowReader& r) {
    ++rows;
    REQUIRE(r.column_count() == 1);
    out.null = r.is_null(0);
    out.i = r.get_int64(0);
    out.d = r.get_double(0);
    out.text = std::string(r.get_text(0));
    auto blob = r.get_blob(0);
    out.blob.assign(blob.begin(), blob.end());
  }, nullptr);
  CHECK(rows == 1);
  co_return out;
}

aorm::Bytes bytes(std::initializer_list<int> values) {
  aorm::Bytes out;
  for (int v : values) out.push_back(static_cast<std::byte>(v));
  return out;
}

}  // namespace

TEST_CASE("parameters round-trip: NULL and int64 extremes and doubles and unicode text and bytea with NUL bytes") {
  PG_SERVER_OR_SKIP(conninfo);
  aorm::run([&]() -> Task<void> {
    auto backend = co_await pgtest::open(conninfo, 2);
    auto& b = *backend;

    ReadBack null = co_await read_back(b, "SELECT $1::bigint", nullptr);
    CHECK(null.null);
    CHECK(null.i == 0);
    CHECK(null.text.empty());

    for (std::int64_t v : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{42},
                           std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min()}) {
      CAPTURE(v);
      ReadBack r = co_await read_back(b, "SELECT $1::bigint", v);
      CHECK_FALSE(r.null);
      CHECK(r.i == v);
      CHECK(r.text == std::to_string(v));
    }

    for (double v : {0.1, -2.5, 1e300, 5e-324, 1.0 / 3.0, std::numeric_limits<double>::infinity(),
                     -std::numeric_limits<double>::infinity()}) {
      CAPTURE(v);
      ReadBack r = co_await read_back(b, "SELECT $1", v);  // typed float8 by the backend
      CHECK(r.d == v);                                     // exactly: shortest round-trip text
    }
    ReadBack nan = co_await read_back(b, "SELECT $1", std::numeric_limits<double>::quiet_NaN());
    CHECK(std::isnan(nan.d));
    CHECK(nan.text == "NaN");

    const std::string unicode = "O'Brien said \"héllo\" — 日本語 🎉 \\ back\\slash; DROP TABLE x; --";
    ReadBack text = co_await read_back(b, "SELECT $1::text", unicode);
    CHECK(text.text == unicode);
    ReadBack length = co_await read_back(b, "SELECT char_length($1)", unicode);
    CHECK(length.i == 59);  // characters, not bytes: the text arrived as UTF-8
    ReadBack empty = co_await read_back(b, "SELECT $1::text", std::string());
    CHECK_FALSE(empty.null);
    CHECK(empty.text.empty());

    const aorm::Bytes blob = bytes({0x00, 0x01, 0xff, 0x00, 0x5c, 0x78, 0x27, 0x00});
    ReadBack bytea = co_await read_back(b, "SELECT $1", blob);
    CHECK(bytea.blob == blob);
    CHECK(bytea.text == "\\x0001ff005c782700");  // the text rendering stays available
    ReadBack bytea_length = co_await read_back(b, "SELECT octet_length($1)", blob);
    CHECK(bytea_length.i == 8);
    const aorm::Bytes no_bytes;
    ReadBack empty_bytea = co_await read_back(b, "SELECT $1", no_bytes);
    CHECK_FALSE(empty_bytea.null);
    CHECK(empty_bytea.blob.empty());
    ReadBack null_bytea = co_await read_back(b, "SELECT $1::bytea", nullptr);
    CHECK(null_bytea.null);
    CHECK(null_bytea.blob.empty());

    co_await backend->close();
  }());
}

TEST_CASE("untyped parameters take their type from the column they fill") {
  PG_SERVER_OR_SKIP(conninfo);
  aorm::run([&]() -> Task<void> {
    auto backend = co_await pgtest::open(conninfo, 1);
    auto& b = *backend;
    co_await pgtest::exec(b, "DROP TABLE IF EXISTS pg_values_typed");
    co_await pgtest::exec(b,
                          "CREATE TABLE pg_values_typed (flag boolean, day date, at timestamptz, id uuid, "
                          "doc jsonb, amount numeric(10, 2), ratio double precision, n integer, data bytea)");
    const V params = {std::int64_t{1}, std::string("2024-02-29"), std::string("2024-02-29 12:34:56.789+00"),
                      std::string("0123456789abcdef0123456789abcdef"), std::string(R"({"a": [1, "x"]})"),
                      std::string("12.50"), 2.5, std::int64_t{7}, bytes({0, 1, 2})};
    const aorm::ExecResult inserted = co_await pgtest::exec(
        b, "INSERT INTO pg_values_typed VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)", params);
    CHECK(inserted.rows_affected == 1);
    CHECK(inserted.last_insert_id == 0);

    int rows = 0;
    const aorm::Statement select{"SELECT flag, day, at, id, doc, amount, ratio, n, data FROM pg_values_typed", {}};
    co_await b.execute(select, [&](const aorm::RowReader& r) {
      ++rows;
      CHECK(r.column_count() == 9);
      CHECK(r.get_text(0) == "t");
      CHECK(r.get_int64(0) == 1);  // booleans read as 1/0
      CHECK(r.get_text(1) == "2024-02-29");
      CHECK(r.get_text(2) == "2024-02-29 12:34:56.789+00");  // the session is in UTC
      CHECK(r.get_text(3) == "01234567-89ab-cdef-0123-456789abcdef");
      CHECK(r.get_text(4) == R"({"a": [1, "x"]})");
      CHECK(r.get_text(5) == "12.50");
      CHECK(r.get_double(5) == 12.5);
      CHECK(r.get_int64(5) == 12);
      CHECK(r.get_double(6) == 2.5);
      CHECK(r.get_int64(7) == 7);
      CHECK(r.get_double(7) == 7.0);
      auto blob = r.get_blob(8);
      CHECK(aorm::Bytes(blob.begin(), blob.end()) == bytes({0, 1, 2}));
    }, nullptr);
    CHECK(rows == 1);

    const V flag_false = {std::int64_t{0}};
    CHECK(co_await pgtest::scalar(b, "SELECT count(*) FROM pg_values_typed WHERE flag <> $1", flag_false) == "1");
    co_await pgtest::exec(b, "DROP TABLE pg_values_typed");
    co_await backend->close();
  }());
}

TEST_CASE("rows_affected comes from the command tag") {
  PG_SERVER_OR_SKIP(conninfo);
  aorm::run([&]() -> Task<void> {
    auto backend = co_await pgtest::open(conninfo, 1);
    auto& b = *backend;
    co_await pgtest::exec(b, "DROP TABLE IF EXISTS pg_values_affected");
    CHECK((co_await pgtest::exec(b, "CREATE TABLE pg_values_affected (id bigserial PRIMARY KEY, n int)")).rows_affected == 0);
    CHECK((co_await pgtest::exec(b, "INSERT INTO pg_values_affected (n) SELECT g FROM generate_series(1, 10) g"))
              .rows_affected == 10);
    const V three = {std::int64_t{3}};
    CHECK((co_await pgtest::exec(b, "UPDATE pg_values_affected SET n = n * 2 WHERE n <= $1", three)).rows_affected == 3);
    CHECK((co_await pgtest::exec(b, "DELETE FROM pg_values_affected WHERE n > 100")).rows_affected == 0);
    const auto returned = co_await pgtest::rows(b, "INSERT INTO pg_values_affected (n) VALUES (99) RETURNING id");
    REQUIRE(returned.size() == 1);
    CHECK(returned[0][0] == "11");  // postgres reports new keys with RETURNING
    co_await pgtest::exec(b, "DROP TABLE pg_values_affected");
    co_await backend->close();
  }());
}

TEST_CASE("a text parameter holding a NUL byte raises DataError instead of being cut short") {
  PG_SERVER_OR_SKIP(conninfo);
  aorm::run([&]() -> Task<void> {
    auto backend = co_await pgtest::open(conninfo, 1);
    const V params = {std::string("before\0after", 12)};
    CHECK_THROWS_AS(co_await pgtest::scalar(*backend, "SELECT $1::text", params), aorm::DataError);
    CHECK(co_await pgtest::scalar(*backend, "SELECT 'still fine'") == "still fine");
    co_await backend->close();
  }());
}
