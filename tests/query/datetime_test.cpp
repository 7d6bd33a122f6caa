// DateTime reading: the fixed-width fast path for the canonical storage form and the
// general parser for everything else must agree.
#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "aorm/errors.hpp"
#include "aorm/types.hpp"

namespace {

using namespace std::chrono_literals;

aorm::DateTime at(int y, unsigned m, unsigned d) {
  return aorm::DateTime{aorm::Date{std::chrono::year_month_day{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}}}};
}

TEST_CASE("the canonical form YYYY-MM-DD HH:MM:SS.ffffff takes the fast path and reads like the general parser") {
  aorm::DateTime t;
  REQUIRE(aorm::detail::parse_canonical_datetime("2024-03-05 10:30:07.000250", t));
  CHECK(t == at(2024, 3, 5) + 10h + 30min + 7s + 250us);
  REQUIRE(aorm::detail::parse_canonical_datetime("1969-12-31 23:59:59.999999", t));
  CHECK(t == aorm::DateTime{} - 1us);
  REQUIRE(aorm::detail::parse_canonical_datetime("2024-02-29 00:00:00.000000", t));
  CHECK(t == at(2024, 2, 29));
  REQUIRE(aorm::detail::parse_canonical_datetime("0001-01-01 00:00:00.000001", t));
  CHECK(t == at(1, 1, 1) + 1us);
  // Round trips over a spread of instants, both sides of the epoch.
  for (std::int64_t k = -50; k <= 50; ++k) {
    const aorm::DateTime x = aorm::DateTime{} + std::chrono::microseconds(k * 987'654'321'987LL + k * k * 13);
    const std::string text = aorm::to_string(x);
    aorm::DateTime y;
    REQUIRE(aorm::detail::parse_canonical_datetime(text, y));
    CHECK(y == x);
    CHECK(aorm::parse_datetime(text) == x);
  }
}

TEST_CASE("the fast path accepts exactly the calendar's valid days and reads them as std::chrono does") {
  // Every month and day number 0..32 of years around the leap rules and the form's ends.
  for (const int y : {0, 1, 4, 99, 100, 200, 400, 1600, 1899, 1900, 1969, 1970, 1999, 2000, 2023, 2024, 2100, 9996, 9999}) {
    for (unsigned m = 0; m <= 13; ++m) {
      for (unsigned d = 0; d <= 32; ++d) {
        char text[32];
        std::snprintf(text, sizeof text, "%04d-%02u-%02u 23:59:58.123456", y, m, d);
        CAPTURE(text);
        const std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
        aorm::DateTime t;
        REQUIRE(aorm::detail::parse_canonical_datetime(text, t) == ymd.ok());
        if (ymd.ok()) CHECK(t == aorm::DateTime{std::chrono::sys_days{ymd}} + 23h + 59min + 58s + 123456us);
      }
    }
  }
}

TEST_CASE("the fast path rejects any non-digit where a digit goes and any other separator") {
  const std::string good = "2024-03-05 10:30:07.000250";
  aorm::DateTime t;
  REQUIRE(aorm::detail::parse_canonical_datetime(good, t));
  const char others[] = {'\0', '/', ':', ';', '?', '@', 'A', ' ', '-', '.', 'T', '\x7f', '\x80', '\xb0', '\xff'};
  for (std::size_t i = 0; i < good.size(); ++i) {
    for (const char c : others) {
      std::string text = good;
      text[i] = c;
      if (text == good) continue;
      CAPTURE(i);
      CAPTURE(static_cast<int>(static_cast<unsigned char>(c)));
      CHECK_FALSE(aorm::detail::parse_canonical_datetime(text, t));
    }
  }
}

TEST_CASE("other datetime texts leave the fast path and go to the general parser") {
  aorm::DateTime t = at(2000, 1, 1);
  const aorm::DateTime unchanged = t;
  for (const char* text : {"2024-03-05T10:30:07.000250", "2024-03-05 10:30:07.00025", "2024-03-05 10:30:07",
                           "2024-03-05 10:30:07.000250Z", "2024-03-05", "2024-02-30 10:30:07.000250",
                           "2023-02-29 00:00:00.000000", "2024-13-05 10:30:07.000250", "2024-03-05 24:00:00.000000",
                           "2024-03-05 10:60:00.000000", "2024-03-05 10:30:60.000000", "2024-03-05 10:30:07.00025x",
                           "2024-03-05 10:30:07,000250", "+024-03-05 10:30:07.000250", "2024-03-00 10:30:07.000250"}) {
    CAPTURE(text);
    CHECK_FALSE(aorm::detail::parse_canonical_datetime(text, t));
    CHECK(t == unchanged);
  }
  // The general parser still reads the valid ones and rejects the invalid ones.
  CHECK(aorm::parse_datetime("2024-03-05T10:30:07.000250") == at(2024, 3, 5) + 10h + 30min + 7s + 250us);
  CHECK(aorm::parse_datetime("2024-03-05 10:30:07.000250Z") == at(2024, 3, 5) + 10h + 30min + 7s + 250us);
  CHECK(aorm::parse_datetime("2024-03-05 10:30:07") == at(2024, 3, 5) + 10h + 30min + 7s);
  CHECK_THROWS_AS(aorm::parse_datetime("2024-02-30 10:30:07.000250"), aorm::DataError);
  CHECK_THROWS_AS(aorm::parse_datetime("2023-02-29 00:00:00.000000"), aorm::DataError);
  CHECK_THROWS_AS(aorm::parse_datetime("2024-03-05 24:00:00.000000"), aorm::DataError);
  CHECK_THROWS_AS(aorm::parse_datetime("2024-03-05 10:30:07,000250"), aorm::DataError);
}

}  // namespace
