// Helpers for the PostgreSQL backend tests: finding the test server, opening backends and
// small query helpers over the detail::Backend interface.
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aorm/detail/backend.hpp"
#include "aorm/errors.hpp"
#include "aorm/runtime.hpp"
#include "aorm/task.hpp"
#include "postgres/backend.hpp"

namespace pgtest {

/// The conninfo of the test server: $AORM_TEST_PG_CONNINFO, else STATE/conninfo written by
/// pg_server.sh where STATE is $AORM_TEST_PG_STATE (ctest sets it; its fixture starts the
/// server). Empty when there is no server; then this prints the reason on a line starting
/// with "aorm-postgres-skip:", which ctest reports as a skipped test.
inline std::string server() {
  if (const char* env = std::getenv("AORM_TEST_PG_CONNINFO"); env != nullptr && *env != '\0') return env;
  std::string reason = "no PostgreSQL test server: run the suite through ctest, or set AORM_TEST_PG_CONNINFO";
  if (const char* state = std::getenv("AORM_TEST_PG_STATE"); state != nullptr && *state != '\0') {
    std::string line;
    if (std::ifstream conninfo(std::string(state) + "/conninfo"); std::getline(conninfo, line) && !line.empty())
      return line;
    if (std::ifstream skip(std::string(state) + "/skip"); std::getline(skip, line) && !line.empty())
      reason = line;
    else
      reason = "the test server did not start (see the postgres.server.start test's output)";
  }
  std::printf("aorm-postgres-skip: %s\n", reason.c_str());
  return {};
}

/// No parameters, as a named value: g++ 12 destroys braced temporaries in a co_await twice.
inline const std::vector<aorm::Value> no_params;

using BackendPtr = std::shared_ptr<aorm::detail::Backend>;

inline aorm::Task<BackendPtr> open(const std::string& conninfo, int pool_size = 4,
                                   std::chrono::milliseconds timeout = std::chrono::milliseconds{0}) {
  return aorm::detail::make_postgres_backend(conninfo, pool_size, timeout);
}

/// One row as text; nullopt for NULL.
using Row = std::vector<std::optional<std::string>>;

/// Runs `sql` on `backend` (on `pinned` when given) and returns every row as text.
inline aorm::Task<std::vector<Row>> rows(aorm::detail::Backend& backend, std::string sql,
                                         std::vector<aorm::Value> params = {},
                                         aorm::detail::Connection* pinned = nullptr) {
  std::vector<Row> out;
  const aorm::Statement stmt{std::move(sql), std::move(params)};
  co_await backend.execute(stmt, [&out](const aorm::RowReader& r) {
    Row row;
    for (int i = 0; i < r.column_count(); ++i) {
      if (r.is_null(i))
        row.emplace_back(std::nullopt);
      else
        row.emplace_back(std::string(r.get_text(i)));
    }
    out.push_back(std::move(row));
  }, pinned);
  co_return out;
}

/// The first column of the first row as text ("<none>" without rows, "<null>" for NULL).
inline aorm::Task<std::string> scalar(aorm::detail::Backend& backend, std::string sql,
                                      std::vector<aorm::Value> params = {},
                                      aorm::detail::Connection* pinned = nullptr) {
  auto result = co_await rows(backend, std::move(sql), std::move(params), pinned);
  if (result.empty() || result[0].empty()) co_return "<none>";
  co_return result[0][0].value_or("<null>");
}

/// Runs a statement without rows; returns what the backend reports.
inline aorm::Task<aorm::ExecResult> exec(aorm::detail::Backend& backend, std::string sql,
                                         std::vector<aorm::Value> params = {},
                                         aorm::detail::Connection* pinned = nullptr) {
  const aorm::Statement stmt{std::move(sql), std::move(params)};
  co_return co_await backend.execute(stmt, {}, pinned);
}

/// Whether `on` is inside a transaction block: SAVEPOINT is refused (25P01) outside one.
inline aorm::Task<bool> in_transaction(aorm::detail::Backend& backend, aorm::detail::Connection* on) {
  try {
    co_await exec(backend, "SAVEPOINT aorm_test_probe", no_params, on);
  } catch (const aorm::DatabaseError& e) {
    if (e.code() == "25P01") co_return false;
    throw;
  }
  co_await exec(backend, "RELEASE SAVEPOINT aorm_test_probe", no_params, on);
  co_return true;
}

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace pgtest

/// Starts a test that needs the server: binds `var` to its conninfo, or returns (skips).
#define PG_SERVER_OR_SKIP(var)              \
  const std::string var = pgtest::server(); \
  if (var.empty()) return
