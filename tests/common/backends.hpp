// backends.hpp — what a suite needs to run its tests on every backend: the configurations
// (SQLite with workers, SQLite inline, PostgreSQL), a fresh database per test on each, the
// PostgreSQL test server's address, and a main() that takes `--aorm-backend=`.
//
// A suite runs either the SQLite configurations (the default) or PostgreSQL alone
// (`<suite> --aorm-backend=postgres`); aorm_add_postgres_tests(<suite>) in tests/CMakeLists.txt
// registers the second run as "postgres.<name>" tests with the pg_server fixture attached.
// Link the `aorm_test_backends` library and call aorm_test::run_doctest(argc, argv) from main.
#pragma once

#include <string>
#include <string_view>

#include "aorm/database.hpp"
#include "pg_uri.hpp"  // uri_with_schema

namespace aorm_test {

/// A backend configuration a suite runs on.
enum class Backend { sqlite_workers, sqlite_inline, postgres };

/// Whether this run covers PostgreSQL (--aorm-backend=postgres) instead of SQLite.
bool postgres_run() noexcept;

/// The PostgreSQL test server's conninfo ($AORM_TEST_PG_CONNINFO, else what pg_server.sh
/// wrote under $AORM_TEST_PG_STATE); empty when there is none.
std::string postgres_server();

/// Why there is no PostgreSQL server (the line pg_server.sh wrote, or how to get one).
std::string no_server_reason();

/// On a PostgreSQL run without a server: prints "aorm-postgres-skip: <why>" (ctest then
/// reports the test skipped) and returns true; the caller runs nothing.
bool skip_without_server();

/// Runs `sql` on the test server over a short-lived blocking connection (the test's own
/// connections are not involved); throws std::runtime_error when it fails.
void admin(const std::string& sql);

/// A fresh, empty database, unique per instance, dropped on destruction:
///   sqlite_*  a file in the system temp folder (removed with its WAL side files);
///   postgres  a schema on the test server, reached through a URL whose connections have it
///             as their search_path (dropped with CASCADE).
class TempDatabase {
 public:
  explicit TempDatabase(Backend backend);
  ~TempDatabase();
  TempDatabase(const TempDatabase&) = delete;
  TempDatabase& operator=(const TempDatabase&) = delete;

  Backend backend() const noexcept { return backend_; }
  /// What aorm::aconnect takes.
  const std::string& url() const noexcept { return url_; }
  /// The options for aorm::aconnect: the execution policy of the configuration.
  aorm::ConnectOptions options(std::string_view alias = "default") const;

 private:
  Backend backend_;
  std::string name_;  // the file path, or the schema
  std::string url_;
};

/// main() of a suite: takes `--aorm-backend=sqlite|postgres` out of the arguments and runs
/// doctest with the rest. Returns the exit status (2 for an unknown --aorm-backend value).
int run_doctest(int argc, char** argv);

}  // namespace aorm_test
