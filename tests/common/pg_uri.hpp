// pg_uri.hpp — a PostgreSQL URL confined to one schema: what the test suites (backends.hpp)
// and bench/pg_bench.cpp use to give each run a schema of its own on a shared server.
// Needs libpq (PQconninfoParse); no doctest, no aorm.
#pragma once

#include <string>

namespace aorm_test {

/// `conninfo` (key=value or URI) as a postgresql:// URI whose sessions use `schema` as their
/// search_path. Throws std::runtime_error when `conninfo` does not parse or sets `options`
/// itself (the schema is passed through options).
std::string uri_with_schema(const std::string& conninfo, const std::string& schema);

}  // namespace aorm_test
