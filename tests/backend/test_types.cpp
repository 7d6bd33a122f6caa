// Field types: formatting, parsing, and round trips through a real SQLite file.
#include <limits>
#include <optional>

#include "support.hpp"

namespace {
enum class Color { red, green, blue };
}
template <>
struct aorm::EnumTraits<Color> {
  static constexpr std::array<std::string_view, 3> values{"red", "green", "blue"};
};

using namespace std::chrono_literals;
using aorm::Task;

namespace {

aorm::Date ymd(int y, unsigned m, unsigned d) {
  return aorm::Date{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}};
}

/// Stores `value` in an untyped column of a fresh row and reads it back.
template <class T>
Task<T> roundtrip(aorm::Database db, T value) {
  co_await db.aexecute("DELETE FROM rt");
  co_await db.aexecute("INSERT INTO rt (v) VALUES (?)", value);
  auto rows = co_await test::column<T>(db, "SELECT v FROM rt");
  REQUIRE(rows.size() == 1);
  co_return rows[0];
}

/// What is stored for `value`, as text, and its SQLite type name.
template <class T>
Task<std::pair<std::string, std::string>> stored(aorm::Database db, T value) {
  co_await db.aexecute("DELETE FROM rt");
  co_await db.aexecute("INSERT INTO rt (v) VALUES (?)", value);
  auto text = co_await test::column<std::string>(db, "SELECT CAST(v AS TEXT) FROM rt");
  auto type = co_await test::column<std::string>(db, "SELECT typeof(v) FROM rt");
  co_return std::pair{text.at(0), type.at(0)};
}

}  // namespace

TEST_CASE("Decimal normalises its text and compares by numeric value") {
  CHECK(aorm::Decimal("007.50").to_string() == "7.5");
  CHECK(aorm::Decimal("-0.000").to_string() == "0");
  CHECK(aorm::Decimal(".5").to_string() == "0.5");
  CHECK(aorm::Decimal("+12.").to_string() == "12");
  CHECK(aorm::Decimal(std::int64_t{-42}).to_string() == "-42");
  CHECK(aorm::Decimal("1.50") == aorm::Decimal("1.5"));
  CHECK(aorm::Decimal("0.25") < aorm::Decimal("0.5"));
  CHECK(aorm::Decimal("10") > aorm::Decimal("9.999"));
  CHECK(aorm::Decimal("-10") < aorm::Decimal("-9.999"));
  CHECK(aorm::Decimal("-0.1") < aorm::Decimal("0"));
  CHECK(aorm::Decimal("1.05") > aorm::Decimal("1.0"));
  CHECK_THROWS_AS(aorm::Decimal("1.2.3"), aorm::DataError);
  CHECK_THROWS_AS(aorm::Decimal("abc"), aorm::DataError);
  CHECK_THROWS_AS(aorm::Decimal(""), aorm::DataError);
}

TEST_CASE("Uuid parses, formats and generates version 4 values") {
  const auto u = aorm::Uuid::parse("123E4567-e89b-12d3-a456-426614174000");
  CHECK(u.to_string() == "123e4567-e89b-12d3-a456-426614174000");
  CHECK(u.hex() == "123e4567e89b12d3a456426614174000");
  CHECK(aorm::Uuid::parse("123e4567e89b12d3a456426614174000") == u);
  CHECK(aorm::Uuid::parse("{123e4567-e89b-12d3-a456-426614174000}") == u);
  CHECK_THROWS_AS(aorm::Uuid::parse("123e4567-e89b-12d3-a456-42661417400g"), aorm::DataError);
  CHECK_THROWS_AS(aorm::Uuid::parse("123"), aorm::DataError);
  const auto a = aorm::Uuid::generate(), b = aorm::Uuid::generate();
  CHECK(a != b);
  CHECK(a.to_string()[14] == '4');
  CHECK((a.bytes()[8] & 0xc0) == 0x80);
}

TEST_CASE("dates, datetimes and times format and parse in the storage formats") {
  CHECK(aorm::to_string(ymd(2024, 3, 5)) == "2024-03-05");
  CHECK(aorm::to_string(ymd(1969, 12, 31)) == "1969-12-31");
  CHECK(aorm::to_string(ymd(1, 1, 1)) == "0001-01-01");
  const aorm::DateTime t = aorm::DateTime{aorm::Date{ymd(2024, 3, 5)}} + 10h + 30min + 7s + 250us;
  CHECK(aorm::to_string(t) == "2024-03-05 10:30:07.000250");
  CHECK(aorm::parse_datetime("2024-03-05 10:30:07.000250") == t);
  CHECK(aorm::parse_datetime("2024-03-05T10:30:07.00025Z") == t);
  CHECK(aorm::parse_datetime("2024-03-05 12:30:07.00025+02:00") == t);
  CHECK(aorm::parse_datetime("2024-03-05 10:30:07.000250+00") == t);
  CHECK(aorm::parse_datetime("2024-03-05") == aorm::DateTime{aorm::Date{ymd(2024, 3, 5)}});
  const aorm::DateTime before = aorm::DateTime{} - 1us;
  CHECK(aorm::to_string(before) == "1969-12-31 23:59:59.999999");
  CHECK(aorm::parse_datetime("1969-12-31 23:59:59.999999") == before);
  CHECK(aorm::to_string(aorm::Time(9, 5, 3, 12)) == "09:05:03.000012");
  CHECK(aorm::parse_time("09:05") == aorm::Time(9, 5));
  CHECK(aorm::Time(9, 5) < aorm::Time(9, 5, 0, 1));
  CHECK_THROWS_AS(aorm::Time(24, 0), aorm::DataError);
  CHECK_THROWS_AS(aorm::parse_date("2024-02-30"), aorm::DataError);
  CHECK_THROWS_AS(aorm::parse_datetime("2024-03-05 25:00:00"), aorm::DataError);
  CHECK_THROWS_WITH_AS(aorm::parse_date("yesterday"), "invalid date value: 'yesterday'", aorm::DataError);
  const auto n = aorm::now();
  CHECK(n > aorm::parse_datetime("2020-01-01 00:00:00"));
}

TEST_CASE("every field type round-trips through a SQLite file") {
  test::TempDir dir;
  aorm::run([&]() -> Task<void> {
    auto db = co_await aorm::aconnect(dir.url());
    co_await db.aexecute("CREATE TABLE rt (v)");

    CHECK(co_await roundtrip(db, true) == true);
    CHECK(co_await roundtrip(db, false) == false);
    CHECK(co_await roundtrip(db, std::numeric_limits<std::int32_t>::min()) ==
          std::numeric_limits<std::int32_t>::min());
    CHECK(co_await roundtrip(db, std::numeric_limits<std::int64_t>::max()) ==
          std::numeric_limits<std::int64_t>::max());
    CHECK(co_await roundtrip(db, std::numeric_limits<std::int64_t>::min()) ==
          std::numeric_limits<std::int64_t>::min());
    CHECK(co_await roundtrip(db, 0.1 + 0.2) == 0.1 + 0.2);
    CHECK(co_await roundtrip(db, -1.5e300) == -1.5e300);

    const std::string with_nul("a\0b\0", 4);
    CHECK(co_await roundtrip(db, with_nul) == with_nul);
    const std::string unicode = "héllo wörld — 日本語 🎉";
    CHECK(co_await roundtrip(db, unicode) == unicode);
    CHECK(co_await roundtrip(db, std::string()) == "");

    const aorm::Bytes blob{std::byte{0}, std::byte{255}, std::byte{0}, std::byte{7}};
    CHECK(co_await roundtrip(db, blob) == blob);
    CHECK(co_await roundtrip(db, aorm::Bytes{}) == aorm::Bytes{});

    for (aorm::Date d : {ymd(1969, 12, 31), ymd(1, 1, 1), ymd(9999, 12, 31), ymd(2000, 2, 29)})
      CHECK(co_await roundtrip(db, d) == d);
    const aorm::DateTime t = aorm::DateTime{aorm::Date{ymd(1901, 7, 4)}} + 13h + 1us;
    CHECK(co_await roundtrip(db, t) == t);
    const aorm::DateTime now = aorm::now();
    CHECK(co_await roundtrip(db, now) == now);
    CHECK(co_await roundtrip(db, aorm::Time(23, 59, 59, 999999)) == aorm::Time(23, 59, 59, 999999));

    const aorm::Decimal big("-12345678901234567890.123456789012345");
    CHECK((co_await roundtrip(db, big)).to_string() == "-12345678901234567890.123456789012345");
    const auto uuid = aorm::Uuid::generate();
    CHECK(co_await roundtrip(db, uuid) == uuid);
    const aorm::Json doc{R"({"a": [1, 2, {"b": null}]})"};
    CHECK(co_await roundtrip(db, doc) == doc);

    CHECK(co_await roundtrip(db, std::optional<std::int64_t>{}) == std::nullopt);
    CHECK(co_await roundtrip(db, std::optional<std::int64_t>{5}) == 5);
    CHECK(co_await roundtrip(db, std::optional<std::string>{}) == std::nullopt);
    CHECK(co_await roundtrip(db, std::optional<aorm::Date>{ymd(1950, 1, 2)}) == ymd(1950, 1, 2));
    CHECK(co_await roundtrip(db, Color::blue) == Color::blue);
    CHECK(co_await roundtrip(db, std::optional<Color>{Color::green}) == Color::green);
    CHECK(co_await roundtrip(db, std::optional<Color>{}) == std::nullopt);
  }());
}

TEST_CASE("values are stored in the documented SQLite formats") {
  test::TempDir dir;
  aorm::run([&]() -> Task<void> {
    auto db = co_await aorm::aconnect(dir.url());
    co_await db.aexecute("CREATE TABLE rt (v)");
    using P = std::pair<std::string, std::string>;
    CHECK(co_await stored(db, true) == P{"1", "integer"});
    CHECK(co_await stored(db, ymd(2024, 1, 2)) == P{"2024-01-02", "text"});
    CHECK(co_await stored(db, aorm::parse_datetime("2024-01-02 03:04:05.5")) ==
          P{"2024-01-02 03:04:05.500000", "text"});
    CHECK(co_await stored(db, aorm::Time(3, 4, 5)) == P{"03:04:05.000000", "text"});
    CHECK(co_await stored(db, aorm::Uuid::parse("123e4567-e89b-12d3-a456-426614174000")) ==
          P{"123e4567e89b12d3a456426614174000", "text"});
    CHECK(co_await stored(db, aorm::Decimal("1.10")) == P{"1.1", "text"});
    CHECK(co_await stored(db, Color::green) == P{"green", "text"});
    CHECK(co_await stored(db, std::optional<int>{}) == P{"", "null"});
  }());
}

TEST_CASE("reading an unknown choice raises DataError naming the value") {
  test::TempDir dir;
  aorm::run([&]() -> Task<void> {
    auto db = co_await aorm::aconnect(dir.url());
    co_await db.aexecute("CREATE TABLE rt (v)");
    co_await db.aexecute("INSERT INTO rt (v) VALUES ('purple')");
    bool raised = false;
    try {
      co_await test::column<Color>(db, "SELECT v FROM rt");
    } catch (const aorm::DataError& e) {
      raised = true;
      CHECK(std::string(e.what()) == "unknown choice value 'purple' (expected one of: red, green, blue)");
    }
    CHECK(raised);
  }());
}
