// aorm/types.hpp — the C++ types of model fields (API.md §2) and their conversions to and
// from what a backend stores.
//
//   aorm::Date      std::chrono::sys_days                                  "YYYY-MM-DD"
//   aorm::DateTime  sys_time<microseconds>, always UTC                     "YYYY-MM-DD HH:MM:SS.ffffff"
//   aorm::Time      time of day, microsecond precision                     "HH:MM:SS.ffffff"
//   aorm::Decimal   exact decimal number, string-backed                    "-12.5"
//   aorm::Uuid      16 bytes                                               32 lowercase hex digits
//   aorm::Json      JSON document as text                                  the text
//   aorm::Bytes     std::vector<std::byte> (value.hpp)                     a blob
//
// For every field type T (and std::optional<T>, and enums with EnumTraits):
//   Value aorm::to_value(const T&)                          what is bound as a parameter
//   void  aorm::read_value(const RowReader&, int i, T&)     reads result column i into T
// read_value raises aorm::DataError when the stored text cannot be a T.
#pragma once

#include <array>
#include <chrono>
#include <compare>
#include <concepts>
#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>

#include "aorm/errors.hpp"
#include "aorm/meta.hpp"
#include "aorm/value.hpp"

namespace aorm {

/// A calendar date (days since 1970-01-01; negative before).
using Date = std::chrono::sys_days;

/// A point in time in UTC with microsecond precision.
using DateTime = std::chrono::sys_time<std::chrono::microseconds>;

/// A time of day, 00:00:00 to 23:59:59.999999, microsecond precision. Comparable.
class Time {
 public:
  constexpr Time() noexcept = default;
  /// Raises DataError when a component is out of range.
  Time(int hour, int minute, int second = 0, int microsecond = 0);
  /// `since_midnight` must lie in [0, 24h); else DataError.
  explicit Time(std::chrono::microseconds since_midnight);

  int hour() const noexcept;
  int minute() const noexcept;
  int second() const noexcept;
  int microsecond() const noexcept;
  constexpr std::chrono::microseconds since_midnight() const noexcept { return us_; }

  friend constexpr bool operator==(const Time&, const Time&) = default;
  friend constexpr auto operator<=>(const Time&, const Time&) = default;

 private:
  std::chrono::microseconds us_{0};
};

/// An exact decimal number kept as normalised text: no leading zeros in the integer part,
/// no trailing zeros in the fraction, no "-0" ("007.50" → "7.5", "-0.0" → "0").
/// Equality and ordering compare numeric values.
class Decimal {
 public:
  Decimal() = default;  // zero
  /// Parses "[+-]digits[.digits]" (also ".5", "5."); raises DataError on anything else.
  explicit Decimal(std::string_view text);
  explicit Decimal(const char* text) : Decimal(std::string_view(text)) {}
  explicit Decimal(std::int64_t value);
  explicit Decimal(int value) : Decimal(static_cast<std::int64_t>(value)) {}

  /// The normalised text ("0" for zero).
  const std::string& to_string() const noexcept { return text_; }
  /// Nearest double (for display and arithmetic the caller accepts as inexact).
  double to_double() const noexcept;

  friend bool operator==(const Decimal& a, const Decimal& b) noexcept { return a.text_ == b.text_; }
  friend std::strong_ordering operator<=>(const Decimal& a, const Decimal& b) noexcept;

 private:
  std::string text_ = "0";
};

/// A UUID: 16 bytes. Text form "8-4-4-4-12" lowercase hex; stored as 32 hex digits.
class Uuid {
 public:
  constexpr Uuid() noexcept = default;  // the nil UUID
  constexpr explicit Uuid(const std::array<std::uint8_t, 16>& bytes) noexcept : bytes_(bytes) {}

  /// Accepts 32 hex digits, with or without the four hyphens, either case, optionally in
  /// braces; raises DataError otherwise.
  static Uuid parse(std::string_view text);
  /// A random (version 4) UUID.
  static Uuid generate();

  const std::array<std::uint8_t, 16>& bytes() const noexcept { return bytes_; }
  /// "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx".
  std::string to_string() const;
  /// 32 lowercase hex digits (the SQLite storage form).
  std::string hex() const;

  friend constexpr bool operator==(const Uuid&, const Uuid&) = default;
  friend constexpr auto operator<=>(const Uuid&, const Uuid&) = default;

 private:
  std::array<std::uint8_t, 16> bytes_{};
};

/// A JSON document, kept as text (aorm does not parse it).
struct Json {
  std::string text;
  friend bool operator==(const Json&, const Json&) = default;
};

// ---- text formatting and parsing ------------------------------------------------------

/// "2024-03-15" (years outside 0..9999 get a sign / more digits).
std::string to_string(Date d);
/// "2024-03-15 10:30:00.000250" (always six fraction digits; UTC).
std::string to_string(DateTime t);
/// "10:30:00.000250".
std::string to_string(Time t);
inline const std::string& to_string(const Decimal& d) noexcept { return d.to_string(); }
inline std::string to_string(const Uuid& u) { return u.to_string(); }

/// Parses "YYYY-MM-DD"; raises DataError naming the text otherwise.
Date parse_date(std::string_view text);
/// Parses "YYYY-MM-DD[ T]HH:MM[:SS[.f{1,9}]][Z|±HH[:MM]]" (an offset converts to UTC);
/// a bare date means midnight. Raises DataError naming the text otherwise.
DateTime parse_datetime(std::string_view text);
namespace detail {
/// parse_datetime's fast path: exactly "YYYY-MM-DD HH:MM:SS.ffffff" (how SQLite stores a
/// DateTime), a valid date and time. Sets `out` and returns true; false (out untouched) for
/// any other text, which parse_datetime then reads with the general parser.
bool parse_canonical_datetime(std::string_view text, DateTime& out) noexcept;
}  // namespace detail
/// Parses "HH:MM[:SS[.f{1,9}]]"; raises DataError naming the text otherwise.
Time parse_time(std::string_view text);

/// The current time in UTC, truncated to microseconds.
DateTime now();

std::ostream& operator<<(std::ostream& os, Time t);
std::ostream& operator<<(std::ostream& os, const Decimal& d);
std::ostream& operator<<(std::ostream& os, const Uuid& u);
std::ostream& operator<<(std::ostream& os, const Json& j);

// ---- to_value: C++ value → bound parameter ---------------------------------------------

inline Value to_value(std::nullptr_t) noexcept { return nullptr; }
inline Value to_value(bool v) noexcept { return std::int64_t{v ? 1 : 0}; }
inline Value to_value(std::int32_t v) noexcept { return std::int64_t{v}; }
inline Value to_value(std::int64_t v) noexcept { return v; }
/// Other integer types (long long, unsigned, ...). Raises DataError when the value does
/// not fit in int64.
template <std::integral I>
  requires(!std::same_as<I, bool> && !std::same_as<I, std::int32_t> &&
           !std::same_as<I, std::int64_t>)
Value to_value(I v) {
  if constexpr (std::is_unsigned_v<I> && sizeof(I) >= sizeof(std::int64_t)) {
    if (v > static_cast<I>(INT64_MAX)) throw DataError("integer too large for a 64-bit column: " + std::to_string(v));
  }
  return static_cast<std::int64_t>(v);
}
inline Value to_value(double v) noexcept { return v; }
inline Value to_value(float v) noexcept { return double{v}; }
inline Value to_value(const std::string& v) { return v; }
inline Value to_value(std::string&& v) noexcept { return std::move(v); }
inline Value to_value(std::string_view v) { return std::string(v); }
inline Value to_value(const char* v) { return std::string(v); }
inline Value to_value(const Bytes& v) { return v; }
inline Value to_value(Date v) { return to_string(v); }
inline Value to_value(DateTime v) { return to_string(v); }
inline Value to_value(Time v) { return to_string(v); }
inline Value to_value(const Decimal& v) { return v.to_string(); }
inline Value to_value(const Uuid& v) { return v.hex(); }
inline Value to_value(const Json& v) { return v.text; }
inline Value to_value(const Value& v) { return v; }

/// An enum with EnumTraits is stored as its choice text.
template <class E>
  requires std::is_enum_v<E> && requires { EnumTraits<E>::values; }
Value to_value(E e) {
  const auto i = static_cast<std::size_t>(static_cast<std::underlying_type_t<E>>(e));
  if (i >= EnumTraits<E>::values.size())
    throw DataError("enum value " + std::to_string(i) + " has no stored choice");
  return std::string(EnumTraits<E>::values[i]);
}

template <class X>
Value to_value(const std::optional<X>& v) {
  if (!v) return nullptr;
  return to_value(*v);
}

// ---- read_value: result column → C++ value ---------------------------------------------
// A NULL column read into a non-optional type gives 0 / empty / the epoch.

inline void read_value(const RowReader& r, int i, bool& out) { out = r.get_int64(i) != 0; }
inline void read_value(const RowReader& r, int i, std::int32_t& out) {
  out = static_cast<std::int32_t>(r.get_int64(i));
}
inline void read_value(const RowReader& r, int i, std::int64_t& out) { out = r.get_int64(i); }
inline void read_value(const RowReader& r, int i, double& out) { out = r.get_double(i); }
inline void read_value(const RowReader& r, int i, std::string& out) { out.assign(r.get_text(i)); }
void read_value(const RowReader& r, int i, Bytes& out);
void read_value(const RowReader& r, int i, Date& out);
void read_value(const RowReader& r, int i, DateTime& out);
void read_value(const RowReader& r, int i, Time& out);
void read_value(const RowReader& r, int i, Decimal& out);
void read_value(const RowReader& r, int i, Uuid& out);
inline void read_value(const RowReader& r, int i, Json& out) { out.text.assign(r.get_text(i)); }

namespace detail {
[[noreturn]] void throw_unknown_choice(std::string_view value, std::string_view type_hint);
}

/// Reads an enum stored as its choice text; raises DataError naming an unknown value.
template <class E>
  requires std::is_enum_v<E> && requires { EnumTraits<E>::values; }
void read_value(const RowReader& r, int i, E& out) {
  const std::string_view text = r.get_text(i);
  const auto& values = EnumTraits<E>::values;
  for (std::size_t k = 0; k < values.size(); ++k) {
    if (values[k] == text) {
      out = static_cast<E>(static_cast<std::underlying_type_t<E>>(k));
      return;
    }
  }
  std::string allowed;
  for (std::string_view v : values) {
    if (!allowed.empty()) allowed += ", ";
    allowed += v;
  }
  detail::throw_unknown_choice(text, allowed);
}

template <class X>
void read_value(const RowReader& r, int i, std::optional<X>& out) {
  if (r.is_null(i)) {
    out.reset();
    return;
  }
  if (!out) out.emplace();
  read_value(r, i, *out);
}

}  // namespace aorm
