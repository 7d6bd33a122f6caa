// The per-type JSON conversions of aorm/json.hpp, once for every generated model.
#include "aorm/json.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <array>
#include <cmath>
#include <limits>

namespace aorm {

namespace {

// "a" + "b.c" -> "a.b.c"; "a" + "[2].c" -> "a[2].c"; "a" + "" -> "a".
std::string join_path(std::string head, const std::string& tail) {
  if (!tail.empty()) {
    if (tail.front() != '[') head += '.';
    head += tail;
  }
  return head;
}

std::string message(const std::string& path, const std::string& reason) {
  return path.empty() ? reason : path + ": " + reason;
}

}  // namespace

JsonError::JsonError(std::string path, std::string reason)
    : Error(message(path, reason)), path_(std::move(path)), reason_(std::move(reason)) {}

JsonError JsonError::in_member(std::string_view name) const {
  return JsonError(join_path(std::string(name), path_), reason_);
}

JsonError JsonError::at_index(std::size_t index) const {
  return JsonError(join_path("[" + std::to_string(index) + "]", path_), reason_);
}

namespace json {

namespace {

[[noreturn]] void fail(std::string reason) { throw JsonError({}, std::move(reason)); }

std::string_view view(const boost::json::string& s) noexcept { return {s.data(), s.size()}; }

// The string `in` holds, or JsonError("", "expected <what>").
std::string_view text_of(const boost::json::value& in, const char* what) {
  const boost::json::string* s = in.if_string();
  if (!s) fail(std::string("expected ") + what);
  return view(*s);
}

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The 6-bit value of a base64 character, or -1.
constexpr std::array<int, 256> make_decoding() {
  std::array<int, 256> table{};
  for (int& v : table) v = -1;
  for (int i = 0; i < 64; ++i) table[static_cast<unsigned char>(kAlphabet[i])] = i;
  return table;
}
constexpr std::array<int, 256> kDecoding = make_decoding();

// The length of the valid UTF-8 sequence at s[i] (1..4), or 0 when it is not one: overlong
// forms, surrogates (U+D800..DFFF) and code points above U+10FFFF are invalid (RFC 3629).
std::size_t utf8_sequence(std::string_view s, std::size_t i) noexcept {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
  if (c >= 0xC2 && c <= 0xDF) n = 2;
  else if (c == 0xE0) n = 3, lo = 0xA0;
  else if (c >= 0xE1 && c <= 0xEC) n = 3;
  else if (c == 0xED) n = 3, hi = 0x9F;
  else if (c >= 0xEE && c <= 0xEF) n = 3;
  else if (c == 0xF0) n = 4, lo = 0x90;
  else if (c >= 0xF1 && c <= 0xF3) n = 4;
  else if (c == 0xF4) n = 4, hi = 0x8F;
  else return 0;
  if (i + n > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return n;
}

}  // namespace

// ---- base64 -------------------------------------------------------------------------------

std::string base64_encode(std::span<const std::byte> bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  const auto at = [&](std::size_t k) { return static_cast<std::uint32_t>(bytes[k]); };
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t v = at(i) << 16 | at(i + 1) << 8 | at(i + 2);
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += kAlphabet[v >> 6 & 63];
    out += kAlphabet[v & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t v = at(i) << 16;
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += "==";
  } else if (rest == 2) {
    const std::uint32_t v = at(i) << 16 | at(i + 1) << 8;
    out += kAlphabet[v >> 18 & 63];
    out += kAlphabet[v >> 12 & 63];
    out += kAlphabet[v >> 6 & 63];
    out += '=';
  }
  return out;
}

std::optional<Bytes> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  Bytes out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    const bool last = i + 4 == text.size();
    const std::size_t chars = last ? 4 - padding : 4;  // 2, 3 or 4 significant characters
    std::uint32_t v = 0;
    for (std::size_t k = 0; k < 4; ++k) {
      int d = 0;
      if (k < chars) {
        d = kDecoding[static_cast<unsigned char>(text[i + k])];
        if (d < 0) return std::nullopt;  // also '=' before the end
      }
      v = v << 6 | static_cast<std::uint32_t>(d);
    }
    out.push_back(static_cast<std::byte>(v >> 16));
    if (chars >= 3) out.push_back(static_cast<std::byte>(v >> 8 & 0xFF));
    if (chars == 4) out.push_back(static_cast<std::byte>(v & 0xFF));
    // Canonical form: the bits after the last byte are zero.
    if ((chars == 2 && (v & 0xFFFF) != 0) || (chars == 3 && (v & 0xFF) != 0)) return std::nullopt;
  }
  return out;
}

// ---- text forms ---------------------------------------------------------------------------

std::string iso8601(DateTime t) {
  std::string s = to_string(t);  // "2024-03-15 10:30:00.000250"
  const std::size_t space = s.find(' ');
  s[space] = 'T';
  if (s.ends_with(".000000")) s.resize(s.size() - 7);
  s += 'Z';
  return s;
}

std::string iso8601(Time t) {
  std::string s = to_string(t);  // "10:30:00.000250"
  if (s.ends_with(".000000")) s.resize(s.size() - 7);
  return s;
}

std::string valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t n = utf8_sequence(text, i);
    if (n == 0) break;
    i += n;
  }
  if (i == text.size()) return std::string(text);
  std::string out(text.substr(0, i));
  while (i < text.size()) {
    const std::size_t n = utf8_sequence(text, i);
    if (n == 0) {
      out += "\xEF\xBF\xBD";  // U+FFFD for each invalid byte
      ++i;
    } else {
      out.append(text, i, n);
      i += n;
    }
  }
  return out;
}

// ---- to_json ------------------------------------------------------------------------------

void to_json(boost::json::value& out, bool v) { out = v; }
void to_json(boost::json::value& out, std::int32_t v) { out = static_cast<std::int64_t>(v); }
void to_json(boost::json::value& out, std::int64_t v) { out = v; }
void to_json(boost::json::value& out, double v) {
  // Boost.JSON would write NaN and Infinity, which no JSON parser reads back.
  if (std::isfinite(v)) out = v;
  else out = nullptr;
}
void to_json(boost::json::value& out, std::string_view v) { out = valid_utf8(v); }
void to_json(boost::json::value& out, const Decimal& v) { out = v.to_string(); }
void to_json(boost::json::value& out, const Uuid& v) { out = v.to_string(); }
void to_json(boost::json::value& out, Date v) { out = to_string(v); }
void to_json(boost::json::value& out, DateTime v) { out = iso8601(v); }
void to_json(boost::json::value& out, Time v) { out = iso8601(v); }
void to_json(boost::json::value& out, const Json& v) {
  if (v.text.empty()) {
    out = nullptr;
    return;
  }
  boost::json::error_code ec;
  boost::json::value parsed = boost::json::parse(v.text, ec, out.storage());
  if (ec) fail("stored JSON text is not valid JSON (" + ec.message() + ")");
  out = std::move(parsed);
}
void to_json(boost::json::value& out, const Bytes& v) { out = base64_encode(v); }

// ---- from_json ----------------------------------------------------------------------------

void from_json(const boost::json::value& in, bool& out) {
  if (!in.is_bool()) fail("expected a boolean");
  out = in.get_bool();
}

void from_json(const boost::json::value& in, std::int64_t& out) {
  if (in.is_int64()) {
    out = in.get_int64();
  } else if (in.is_uint64() && in.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    out = static_cast<std::int64_t>(in.get_uint64());
  } else {
    fail(in.is_uint64() ? "expected a 64-bit integer (out of range)" : "expected an integer");
  }
}

void from_json(const boost::json::value& in, std::int32_t& out) {
  std::int64_t v = 0;
  if (!in.is_int64() && !in.is_uint64()) fail("expected an integer");
  if (in.is_uint64() || in.get_int64() < INT32_MIN || in.get_int64() > INT32_MAX)
    fail("expected a 32-bit integer (out of range)");
  v = in.get_int64();
  out = static_cast<std::int32_t>(v);
}

void from_json(const boost::json::value& in, double& out) {
  if (in.is_double()) out = in.get_double();
  else if (in.is_int64()) out = static_cast<double>(in.get_int64());
  else if (in.is_uint64()) out = static_cast<double>(in.get_uint64());
  else fail("expected a number");
}

void from_json(const boost::json::value& in, std::string& out) { out = text_of(in, "a string"); }

void from_json(const boost::json::value& in, Decimal& out) {
  if (in.is_int64()) {
    out = Decimal(in.get_int64());
    return;
  }
  if (in.is_uint64()) {
    out = Decimal(std::to_string(in.get_uint64()));
    return;
  }
  const std::string_view text = text_of(in, "a decimal string");
  try {
    out = Decimal(text);
  } catch (const DataError&) {
    fail("expected a decimal string");
  }
}

void from_json(const boost::json::value& in, Uuid& out) {
  const std::string_view text = text_of(in, "a UUID string");
  try {
    out = Uuid::parse(text);
  } catch (const DataError&) {
    fail("expected a UUID string");
  }
}

void from_json(const boost::json::value& in, Date& out) {
  const std::string_view text = text_of(in, "a date string (YYYY-MM-DD)");
  try {
    out = parse_date(text);
  } catch (const DataError&) {
    fail("expected a date string (YYYY-MM-DD)");
  }
}

void from_json(const boost::json::value& in, DateTime& out) {
  const std::string_view text = text_of(in, "an ISO 8601 date-time string");
  try {
    out = parse_datetime(text);
  } catch (const DataError&) {
    fail("expected an ISO 8601 date-time string");
  }
}

void from_json(const boost::json::value& in, Time& out) {
  const std::string_view text = text_of(in, "a time string (HH:MM[:SS[.ffffff]])");
  try {
    out = parse_time(text);
  } catch (const DataError&) {
    fail("expected a time string (HH:MM[:SS[.ffffff]])");
  }
}

void from_json(const boost::json::value& in, Json& out) { out.text = boost::json::serialize(in); }

void from_json(const boost::json::value& in, Bytes& out) {
  std::optional<Bytes> bytes = base64_decode(text_of(in, "a base64 string"));
  if (!bytes) fail("expected a base64 string");
  out = std::move(*bytes);
}

const boost::json::object& as_object(const boost::json::value& in) {
  const boost::json::object* o = in.if_object();
  if (!o) fail("expected an object");
  return *o;
}

namespace detail {

void throw_bad_choice(std::span<const std::string_view> values) {
  std::string reason = "expected one of: ";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) reason += ", ";
    reason += values[i];
  }
  fail(std::move(reason));
}

void throw_error(const char* reason) { fail(reason); }

}  // namespace detail

}  // namespace json
}  // namespace aorm
