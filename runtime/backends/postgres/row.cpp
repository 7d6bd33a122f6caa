#include "postgres/row.hpp"

#include <libpq-fe.h>

#include <charconv>
#include <cmath>
#include <limits>

namespace aorm::detail::postgres {
namespace {

constexpr Oid bytea_oid = 17;

int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool parse_double(std::string_view s, double& out) noexcept {
  // float8out writes these words; std::from_chars accepts "inf"/"nan" spellings only.
  if (s == "Infinity") return out = std::numeric_limits<double>::infinity(), true;
  if (s == "-Infinity") return out = -std::numeric_limits<double>::infinity(), true;
  if (s == "NaN") return out = std::numeric_limits<double>::quiet_NaN(), true;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

bool decode_bytea_hex(std::string_view text, std::vector<std::byte>& out) {
  if (text.size() < 2 || text[0] != '\\' || text[1] != 'x' || text.size() % 2 != 0) return false;
  out.resize((text.size() - 2) / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_digit(text[2 + 2 * i]), lo = hex_digit(text[3 + 2 * i]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<std::byte>(hi << 4 | lo);
  }
  return true;
}

PgRow::PgRow(const pg_result* result)
    : result_(result),
      columns_(PQnfields(result)),
      blobs_(static_cast<std::size_t>(columns_)),
      blob_rows_(static_cast<std::size_t>(columns_), -1) {}

bool PgRow::is_null(int i) const noexcept { return PQgetisnull(result_, row_, i) != 0; }

std::string_view PgRow::get_text(int i) const noexcept {
  // PQgetvalue gives "" for NULL; PQgetlength is the exact length (text may hold no NUL).
  return {PQgetvalue(result_, row_, i), static_cast<std::size_t>(PQgetlength(result_, row_, i))};
}

std::int64_t PgRow::get_int64(int i) const noexcept {
  const std::string_view s = get_text(i);
  if (s.empty()) return 0;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec == std::errc() && end == s.data() + s.size()) return v;
  if (s == "t") return 1;  // boolean
  if (s == "f") return 0;
  double d = 0;  // numeric / float text
  if (parse_double(s, d) && std::isfinite(d) && std::fabs(d) < 9.2e18) return static_cast<std::int64_t>(d);
  return 0;
}

double PgRow::get_double(int i) const noexcept {
  double d = 0;
  return parse_double(get_text(i), d) ? d : 0.0;
}

std::span<const std::byte> PgRow::get_blob(int i) const noexcept {
  if (i < 0 || i >= columns_) return {};
  const std::string_view s = get_text(i);
  if (PQftype(result_, i) != bytea_oid || is_null(i))
    return std::as_bytes(std::span<const char>(s.data(), s.size()));
  const auto col = static_cast<std::size_t>(i);
  if (blob_rows_[col] != row_) {
    // noexcept: an allocation failure here terminates, like any other in a sink.
    if (!decode_bytea_hex(s, blobs_[col])) blobs_[col].clear();
    blob_rows_[col] = row_;
  }
  return blobs_[col];
}

}  // namespace aorm::detail::postgres
