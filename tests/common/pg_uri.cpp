// A PostgreSQL URL confined to one schema (pg_uri.hpp).
#include "pg_uri.hpp"

#include <libpq-fe.h>

#include <memory>
#include <stdexcept>
#include <string_view>

namespace aorm_test {
namespace {

/// Percent-encodes `s` for a URI component.
std::string uri_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string uri_with_schema(const std::string& conninfo, const std::string& schema) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> options(PQconninfoParse(conninfo.c_str(), &error),
                                                                          PQconninfoFree);
  if (!options) {
    const std::string why = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    throw std::runtime_error("bad PostgreSQL conninfo '" + conninfo + "': " + why);
  }
  std::string query = "options=" + uri_encode("-c search_path=" + schema);
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val == nullptr || *o->val == '\0') continue;
    const std::string_view key = o->keyword;
    if (key == "options") throw std::runtime_error("the PostgreSQL conninfo must not set options");
    query += "&" + std::string(key) + "=" + uri_encode(o->val);
  }
  return "postgresql:///?" + query;
}

}  // namespace aorm_test
