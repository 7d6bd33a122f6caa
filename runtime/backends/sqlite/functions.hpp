// sqlite/functions.hpp (the SQLite backend) — the SQL functions the SQL compiler's SQLite output
// calls and SQLite lacks. Header-only so that the SQLite backend (aorm_db) can register
// them on each new connection without linking the query layer:
//
//   #include "sqlite/functions.hpp"   // include directory runtime/backends
//   aorm::detail::sql::register_sqlite_functions(db);   // after sqlite3_open_v2
//
//   aorm_lower(x)       lower case of a text value, folding ASCII, Latin-1, Latin
//                       Extended-A, Greek and Cyrillic letters (SQLite's lower() folds
//                       ASCII only); NULL for NULL. Used by iexact/icontains/i*with.
//   regexp(pattern, x)  what `x REGEXP pattern` calls: 1 when the ECMAScript std::regex
//                       `pattern` matches somewhere in x, else 0; NULL when either is NULL.
//                       A leading "(?i)" (iregex) means case-insensitive. A bad pattern is
//                       an SQL error naming it.
#pragma once

#include <sqlite3.h>

#include <regex>
#include <string>
#include <string_view>

namespace aorm::detail::sql {
namespace sqlite_functions {

/// Lower case of one code point (see the header comment for the ranges covered).
inline char32_t fold(char32_t c) noexcept {
  if (c < 0x80) return (c >= 'A' && c <= 'Z') ? c + 0x20 : c;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 0x20;
  if (c == 0x130) return U'i';
  if (c == 0x178) return 0xFF;
  if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return c | 1;
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return (c & 1) ? c + 1 : c;
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 0x20;
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;
  return c;
}

inline void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else if (c < 0x800) {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else if (c < 0x10000) {
    out += static_cast<char>(0xE0 | (c >> 12));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (c >> 18));
    out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

/// UTF-8 lower case; bytes that are not valid UTF-8 pass through unchanged.
inline std::string lower(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : (b >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + len > s.size()) {
      out += s[i++];
      continue;
    }
    char32_t c = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
    bool ok = true;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cb = static_cast<unsigned char>(s[i + k]);
      if ((cb & 0xC0) != 0x80) ok = false;
      c = (c << 6) | (cb & 0x3F);
    }
    if (!ok) {
      out += s[i++];
      continue;
    }
    append_utf8(out, fold(c));
    i += len;
  }
  return out;
}

inline void lower_fn(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  const std::string out = lower(std::string_view(text ? text : "", static_cast<std::size_t>(sqlite3_value_bytes(argv[0]))));
  sqlite3_result_text(ctx, out.data(), static_cast<int>(out.size()), SQLITE_TRANSIENT);
}

inline void regexp_fn(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  // The compiled pattern is cached on the statement while the pattern argument stays the same.
  auto* re = static_cast<std::regex*>(sqlite3_get_auxdata(ctx, 0));
  if (!re) {
    std::string_view pattern(reinterpret_cast<const char*>(sqlite3_value_text(argv[0])),
                             static_cast<std::size_t>(sqlite3_value_bytes(argv[0])));
    auto flags = std::regex::ECMAScript;
    if (pattern.substr(0, 4) == "(?i)") {
      pattern.remove_prefix(4);
      flags |= std::regex::icase;
    }
    try {
      re = new std::regex(std::string(pattern), flags);
    } catch (const std::regex_error& e) {
      const std::string msg = "invalid regular expression '" + std::string(pattern) + "': " + e.what();
      sqlite3_result_error(ctx, msg.c_str(), -1);
      return;
    }
    sqlite3_set_auxdata(ctx, 0, re, [](void* p) { delete static_cast<std::regex*>(p); });
    re = static_cast<std::regex*>(sqlite3_get_auxdata(ctx, 0));
    if (!re) {  // SQLite may drop auxdata at once; match with a fresh copy then
      std::regex once(std::string(pattern), flags);
      const auto* t = reinterpret_cast<const char*>(sqlite3_value_text(argv[1]));
      sqlite3_result_int(ctx, std::regex_search(t, t + sqlite3_value_bytes(argv[1]), once) ? 1 : 0);
      return;
    }
  }
  const auto* t = reinterpret_cast<const char*>(sqlite3_value_text(argv[1]));
  sqlite3_result_int(ctx, std::regex_search(t, t + sqlite3_value_bytes(argv[1]), *re) ? 1 : 0);
}

}  // namespace sqlite_functions

/// Registers aorm_lower() and regexp() on `db`; returns the SQLite result code.
inline int register_sqlite_functions(sqlite3* db) {
  constexpr int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
  int rc = sqlite3_create_function_v2(db, "aorm_lower", 1, flags, nullptr, &sqlite_functions::lower_fn,
                                      nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return rc;
  return sqlite3_create_function_v2(db, "regexp", 2, flags, nullptr, &sqlite_functions::regexp_fn, nullptr,
                                    nullptr, nullptr);
}

}  // namespace aorm::detail::sql
