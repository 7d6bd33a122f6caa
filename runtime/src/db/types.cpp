// Field types (types.hpp): formatting, parsing, conversions from result columns.
//
// Parsing never allocates on success (std::from_chars over the column's text view), so
// reading a date column costs no heap allocation per row.
#include "aorm/types.hpp"

#include <bit>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <random>

namespace aorm {
namespace {

using std::chrono::days;
using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr std::int64_t kMicrosPerDay = 86'400'000'000;

[[noreturn]] void bad(std::string_view what, std::string_view text) {
  std::string msg = "invalid ";
  msg += what;
  msg += " value: '";
  msg += text;
  msg += "'";
  throw DataError(msg);
}

/// A cursor over text that consumes fixed-shape numeric fields; `ok` turns false on the
/// first mismatch and stays false.
struct Scanner {
  std::string_view s;
  std::size_t pos = 0;
  bool ok = true;

  bool at_end() const noexcept { return pos >= s.size(); }
  char peek() const noexcept { return at_end() ? '\0' : s[pos]; }
  bool eat(char c) noexcept {
    if (peek() != c) return false;
    ++pos;
    return true;
  }
  void expect(char c) noexcept {
    if (!eat(c)) ok = false;
  }
  /// Exactly `n` digits.
  int digits(int n) noexcept {
    int v = 0;
    for (int k = 0; k < n; ++k) {
      const char c = peek();
      if (c < '0' || c > '9') {
        ok = false;
        return 0;
      }
      v = v * 10 + (c - '0');
      ++pos;
    }
    return v;
  }
  /// At least `min` digits (up to 9), as an integer.
  long long some_digits(int min) noexcept {
    long long v = 0;
    int n = 0;
    while (n < 18 && peek() >= '0' && peek() <= '9') {
      v = v * 10 + (s[pos] - '0');
      ++pos;
      ++n;
    }
    if (n < min) ok = false;
    return v;
  }
  /// ".f{1,9}" after seconds → microseconds (truncating digits beyond six).
  long long fraction() noexcept {
    if (!eat('.')) return 0;
    long long us = 0;
    int n = 0;
    while (peek() >= '0' && peek() <= '9') {
      if (n < 6) us = us * 10 + (s[pos] - '0');
      ++pos;
      ++n;
    }
    if (n == 0 || n > 9) ok = false;
    for (; n < 6; ++n) us *= 10;
    return us;
  }
};

bool parse_date_part(Scanner& sc, Date& out) {
  const bool neg = sc.eat('-');
  if (!neg) sc.eat('+');
  const long long y = sc.some_digits(4);
  sc.expect('-');
  const int m = sc.digits(2);
  sc.expect('-');
  const int d = sc.digits(2);
  if (!sc.ok) return false;
  const std::chrono::year_month_day ymd{std::chrono::year{static_cast<int>(neg ? -y : y)},
                                        std::chrono::month{static_cast<unsigned>(m)},
                                        std::chrono::day{static_cast<unsigned>(d)}};
  if (y > 32767 || !ymd.ok()) return false;
  out = Date{ymd};
  return true;
}

bool parse_time_part(Scanner& sc, std::int64_t& us_out) {
  const int h = sc.digits(2);
  sc.expect(':');
  const int m = sc.digits(2);
  int s = 0;
  long long us = 0;
  if (sc.eat(':')) {
    s = sc.digits(2);
    us = sc.fraction();
  }
  if (!sc.ok || h > 23 || m > 59 || s > 59) return false;
  us_out = ((h * 60LL + m) * 60 + s) * 1'000'000 + us;
  return true;
}

void append_padded(std::string& out, long long v, int width) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  for (int pad = width - static_cast<int>(end - buf); pad > 0; --pad) out += '0';
  out.append(buf, end);
}

void append_date(std::string& out, Date d) {
  const std::chrono::year_month_day ymd{d};
  int y = static_cast<int>(ymd.year());
  if (y < 0) {
    out += '-';
    y = -y;
  }
  append_padded(out, y, 4);
  out += '-';
  append_padded(out, static_cast<unsigned>(ymd.month()), 2);
  out += '-';
  append_padded(out, static_cast<unsigned>(ymd.day()), 2);
}

void append_time(std::string& out, std::int64_t us) {
  append_padded(out, us / 3'600'000'000, 2);
  out += ':';
  append_padded(out, us / 60'000'000 % 60, 2);
  out += ':';
  append_padded(out, us / 1'000'000 % 60, 2);
  out += '.';
  append_padded(out, us % 1'000'000, 6);
}

}  // namespace

// ---- Time --------------------------------------------------------------------------------

Time::Time(int hour, int minute, int second, int microsecond) {
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 ||
      microsecond < 0 || microsecond > 999'999)
    throw DataError("invalid time of day: " + std::to_string(hour) + ":" + std::to_string(minute) +
                    ":" + std::to_string(second) + "." + std::to_string(microsecond));
  us_ = hours(hour) + minutes(minute) + seconds(second) + microseconds(microsecond);
}

Time::Time(microseconds since_midnight) : us_(since_midnight) {
  if (us_.count() < 0 || us_.count() >= kMicrosPerDay)
    throw DataError("time of day out of range: " + std::to_string(us_.count()) + "us");
}

int Time::hour() const noexcept { return static_cast<int>(us_.count() / 3'600'000'000); }
int Time::minute() const noexcept { return static_cast<int>(us_.count() / 60'000'000 % 60); }
int Time::second() const noexcept { return static_cast<int>(us_.count() / 1'000'000 % 60); }
int Time::microsecond() const noexcept { return static_cast<int>(us_.count() % 1'000'000); }

// ---- Decimal -----------------------------------------------------------------------------

Decimal::Decimal(std::string_view text) {
  std::string_view s = text;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  const std::size_t dot = s.find('.');
  std::string_view ip = s.substr(0, dot);
  std::string_view fp = dot == std::string_view::npos ? std::string_view{} : s.substr(dot + 1);
  auto all_digits = [](std::string_view p) {
    for (char c : p)
      if (c < '0' || c > '9') return false;
    return true;
  };
  if ((ip.empty() && fp.empty()) || !all_digits(ip) || !all_digits(fp)) bad("decimal", text);
  while (!ip.empty() && ip.front() == '0') ip.remove_prefix(1);
  while (!fp.empty() && fp.back() == '0') fp.remove_suffix(1);
  if (ip.empty() && fp.empty()) return;  // zero, whatever its sign
  text_.clear();
  if (neg) text_ += '-';
  if (ip.empty()) text_ += '0';
  text_ += ip;
  if (!fp.empty()) {
    text_ += '.';
    text_ += fp;
  }
}

Decimal::Decimal(std::int64_t value) : text_(std::to_string(value)) {}

double Decimal::to_double() const noexcept {
  double v = 0;
  std::from_chars(text_.data(), text_.data() + text_.size(), v);
  return v;
}

std::strong_ordering operator<=>(const Decimal& a, const Decimal& b) noexcept {
  const bool an = a.text_[0] == '-', bn = b.text_[0] == '-';
  if (an != bn) return an ? std::strong_ordering::less : std::strong_ordering::greater;
  // Compare magnitudes of the normalised texts: integer-part length, then digit by digit.
  std::string_view x = a.text_, y = b.text_;
  if (an) {
    x.remove_prefix(1);
    y.remove_prefix(1);
  }
  auto int_len = [](std::string_view s) { return std::min(s.find('.'), s.size()); };
  std::strong_ordering mag = std::strong_ordering::equal;
  if (int_len(x) != int_len(y)) {
    mag = int_len(x) <=> int_len(y);
  } else {
    const int c = x.compare(y);  // same integer length: '.' sorts below digits, as needed
    mag = c < 0 ? std::strong_ordering::less
                : (c > 0 ? std::strong_ordering::greater : std::strong_ordering::equal);
  }
  if (!an) return mag;
  return mag == std::strong_ordering::less
             ? std::strong_ordering::greater
             : (mag == std::strong_ordering::greater ? std::strong_ordering::less : mag);
}

// ---- Uuid --------------------------------------------------------------------------------

Uuid Uuid::parse(std::string_view text) {
  std::string_view s = text;
  if (s.size() == 38 && s.front() == '{' && s.back() == '}') s = s.substr(1, 36);
  const bool hyphens = s.size() == 36;
  if (!hyphens && s.size() != 32) bad("UUID", text);
  std::array<std::uint8_t, 16> b{};
  std::size_t pos = 0;
  for (int k = 0; k < 16; ++k) {
    if (hyphens && (pos == 8 || pos == 13 || pos == 18 || pos == 23)) {
      if (s[pos] != '-') bad("UUID", text);
      ++pos;
    }
    int v = 0;
    for (int n = 0; n < 2; ++n, ++pos) {
      const char c = s[pos];
      int d;
      if (c >= '0' && c <= '9') d = c - '0';
      else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
      else bad("UUID", text);
      v = v * 16 + d;
    }
    b[k] = static_cast<std::uint8_t>(v);
  }
  return Uuid(b);
}

Uuid Uuid::generate() {
  // One generator per thread, seeded from the OS; v4: 122 random bits.
  thread_local std::mt19937_64 gen{[] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }()};
  std::array<std::uint8_t, 16> b{};
  const std::uint64_t hi = gen(), lo = gen();
  for (int k = 0; k < 8; ++k) {
    b[k] = static_cast<std::uint8_t>(hi >> (56 - 8 * k));
    b[8 + k] = static_cast<std::uint8_t>(lo >> (56 - 8 * k));
  }
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  return Uuid(b);
}

std::string Uuid::hex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int k = 0; k < 16; ++k) {
    out[2 * k] = kDigits[bytes_[k] >> 4];
    out[2 * k + 1] = kDigits[bytes_[k] & 15];
  }
  return out;
}

std::string Uuid::to_string() const {
  const std::string h = hex();
  std::string out;
  out.reserve(36);
  out.append(h, 0, 8).append(1, '-').append(h, 8, 4).append(1, '-').append(h, 12, 4);
  out.append(1, '-').append(h, 16, 4).append(1, '-').append(h, 20, 12);
  return out;
}

// ---- formatting / parsing ---------------------------------------------------------------

std::string to_string(Date d) {
  std::string out;
  out.reserve(10);
  append_date(out, d);
  return out;
}

std::string to_string(DateTime t) {
  const auto day = std::chrono::floor<days>(t);
  std::string out;
  out.reserve(26);
  append_date(out, Date{day});
  out += ' ';
  append_time(out, (t - day).count());
  return out;
}

std::string to_string(Time t) {
  std::string out;
  out.reserve(15);
  append_time(out, t.since_midnight().count());
  return out;
}

Date parse_date(std::string_view text) {
  Scanner sc{text};
  Date d;
  if (!parse_date_part(sc, d) || !sc.at_end()) bad("date", text);
  return d;
}

namespace {

// The canonical text is read 8 bytes at a time (perf: one of these per DateTime column of
// every row read; ~200 instructions with its checks where byte-by-byte code took ~250,
// callgrind on W4).
// A word's byte i is character at + i, whatever the machine's byte order.
std::uint64_t text_word(const char* p) noexcept {
  std::uint64_t w;
  std::memcpy(&w, p, sizeof w);
  if constexpr (std::endian::native == std::endian::big) w = __builtin_bswap64(w);
  return w;
}

// What a word of the canonical text must hold: `d` for a digit, any other character
// for itself, '?' for a byte checked by another word.
struct WordShape {
  std::uint64_t digits = 0, fixed = 0, fixed_value = 0;
};
constexpr WordShape word_shape(const char (&s)[9]) {
  WordShape w;
  for (int i = 0; i < 8; ++i) {
    const std::uint64_t byte = std::uint64_t{0xFF} << (8 * i);
    if (s[i] == 'd') {
      w.digits |= byte;
    } else if (s[i] != '?') {
      w.fixed |= byte;
      w.fixed_value |= std::uint64_t{static_cast<unsigned char>(s[i])} << (8 * i);
    }
  }
  return w;
}

// The word's digits as numbers 0-9 in place (other bytes 0), or `ok` cleared.
std::uint64_t word_digits(std::uint64_t w, const WordShape& shape, bool& ok) noexcept {
  constexpr std::uint64_t ones = 0x0101010101010101;
  const std::uint64_t y = (w ^ (ones * '0')) & shape.digits;  // '0'-'9' -> 0-9
  // A byte is a digit when y < 16 (it was 0x30-0x3F) and y + 6 < 16 (not 0x3A-0x3F).
  const std::uint64_t high = (y | (y + (ones * 6 & shape.digits))) & (ones * 0xF0);
  ok = ok && high == 0 && (w & shape.fixed) == shape.fixed_value;
  return y;
}

// Byte i of the result: 10 * digit i + digit i + 1, for the pairs that start at i.
constexpr std::uint64_t pairs(std::uint64_t y) noexcept { return y * 10 + (y >> 8); }
constexpr std::int64_t byte_at(std::uint64_t w, int i) noexcept { return static_cast<std::int64_t>((w >> (8 * i)) & 0xFF); }

}  // namespace

namespace detail {

bool parse_canonical_datetime(std::string_view t, DateTime& out) noexcept {
  // "YYYY-MM-DD HH:MM:SS.ffffff"
  static constexpr WordShape date = word_shape("dddd-dd-"), clock = word_shape("dd dd:dd"),
                             seconds = word_shape(":dd.dddd"), micros = word_shape("??????dd");
  if (t.size() != 26) return false;
  const char* p = t.data();
  bool ok = true;
  const std::uint64_t w0 = pairs(word_digits(text_word(p), date, ok));
  const std::uint64_t w1 = pairs(word_digits(text_word(p + 8), clock, ok));
  const std::uint64_t w2 = pairs(word_digits(text_word(p + 16), seconds, ok));
  const std::uint64_t w3 = pairs(word_digits(text_word(p + 18), micros, ok));
  const std::int64_t y = byte_at(w0, 0) * 100 + byte_at(w0, 2), mo = byte_at(w0, 5);
  const std::int64_t d = byte_at(w1, 0), h = byte_at(w1, 3), mi = byte_at(w1, 6), s = byte_at(w2, 1);
  const std::int64_t us = (byte_at(w2, 4) * 100 + byte_at(w2, 6)) * 100 + byte_at(w3, 6);
  if (!ok || h > 23 || mi > 59 || s > 59 || mo < 1 || mo > 12 || d < 1) return false;
  const bool leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
  const std::int64_t month_days = mo == 2 ? 28 + leap : 30 + ((mo + (mo >> 3)) & 1);
  if (d > month_days) return false;
  // Days since 1970-01-01 of the proleptic Gregorian date (H. Hinnant's days_from_civil;
  // y is 0..9999, so the era arithmetic needs no floor for negative years but year 0's
  // January and February, which belong to era -1).
  const std::int64_t yy = y - (mo <= 2);
  const std::int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  const std::int64_t yoe = yy - era * 400;
  const std::int64_t doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
  const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = era * 146097 + doe - 719468;
  out = DateTime{microseconds(((days * 24 + h) * 60 + mi) * 60'000'000 + s * 1'000'000 + us)};
  return true;
}

}  // namespace detail

DateTime parse_datetime(std::string_view text) {
  if (DateTime t; detail::parse_canonical_datetime(text, t)) return t;
  Scanner sc{text};
  Date d;
  if (!parse_date_part(sc, d)) bad("datetime", text);
  std::int64_t us = 0;
  if (!sc.at_end()) {
    if (!sc.eat(' ') && !sc.eat('T')) bad("datetime", text);
    if (!parse_time_part(sc, us)) bad("datetime", text);
    // Offset: "Z", "+HH", "+HH:MM", "+HHMM" (PostgreSQL renders timestamptz as "+00").
    if (sc.eat('Z') || sc.eat('z')) {
    } else if (sc.peek() == '+' || sc.peek() == '-') {
      const int sign = sc.peek() == '-' ? -1 : 1;
      ++sc.pos;
      const int oh = sc.digits(2);
      int om = 0;
      if (sc.eat(':')) om = sc.digits(2);
      else if (!sc.at_end()) om = sc.digits(2);
      if (!sc.ok || oh > 23 || om > 59) bad("datetime", text);
      us -= sign * (oh * 60LL + om) * 60'000'000;
    }
    if (!sc.at_end()) bad("datetime", text);
  }
  return DateTime{std::chrono::duration_cast<microseconds>(d.time_since_epoch())} + microseconds(us);
}

Time parse_time(std::string_view text) {
  Scanner sc{text};
  std::int64_t us = 0;
  if (!parse_time_part(sc, us) || !sc.at_end()) bad("time", text);
  return Time(microseconds(us));
}

DateTime now() {
  return std::chrono::floor<microseconds>(std::chrono::system_clock::now());
}

std::ostream& operator<<(std::ostream& os, Time t) { return os << to_string(t); }
std::ostream& operator<<(std::ostream& os, const Decimal& d) { return os << d.to_string(); }
std::ostream& operator<<(std::ostream& os, const Uuid& u) { return os << u.to_string(); }
std::ostream& operator<<(std::ostream& os, const Json& j) { return os << j.text; }

// ---- read_value ----------------------------------------------------------------------------

void read_value(const RowReader& r, int i, Bytes& out) {
  const auto blob = r.get_blob(i);
  out.assign(blob.begin(), blob.end());
}

void read_value(const RowReader& r, int i, Date& out) {
  if (r.is_null(i)) {
    out = Date{};
    return;
  }
  const std::string_view text = r.get_text(i);
  // A datetime stored in a date column reads as its date.
  out = text.size() > 10 ? std::chrono::floor<days>(parse_datetime(text)) : parse_date(text);
}

void read_value(const RowReader& r, int i, DateTime& out) {
  // Text first: a NULL column reads as empty text, so is_null() is asked only then (perf:
  // one backend call per value instead of two).
  const std::string_view text = r.get_text(i);
  if (text.empty() && r.is_null(i)) {
    out = DateTime{};
    return;
  }
  if (detail::parse_canonical_datetime(text, out)) return;
  out = parse_datetime(text);
}

void read_value(const RowReader& r, int i, Time& out) {
  if (r.is_null(i)) {
    out = Time{};
    return;
  }
  out = parse_time(r.get_text(i));
}

void read_value(const RowReader& r, int i, Decimal& out) {
  if (r.is_null(i)) {
    out = Decimal{};
    return;
  }
  out = Decimal(r.get_text(i));
}

void read_value(const RowReader& r, int i, Uuid& out) {
  if (r.is_null(i)) {
    out = Uuid{};
    return;
  }
  const std::string_view text = r.get_text(i);
  if (text.size() == 16 && r.get_blob(i).size() == 16) {  // stored as a 16-byte blob
    std::array<std::uint8_t, 16> b{};
    std::memcpy(b.data(), r.get_blob(i).data(), 16);
    out = Uuid(b);
    return;
  }
  out = Uuid::parse(text);
}

namespace detail {
void throw_unknown_choice(std::string_view value, std::string_view allowed) {
  std::string msg = "unknown choice value '";
  msg += value;
  msg += "' (expected one of: ";
  msg += allowed;
  msg += ")";
  throw DataError(msg);
}
}  // namespace detail

}  // namespace aorm
