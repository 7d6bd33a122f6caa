// The shared backend support of the test suites (backends.hpp).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include "backends.hpp"

#include <libpq-fe.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <vector>

#include <unistd.h>

namespace aorm_test {
namespace {

bool g_postgres = false;

/// A unique name for a test database: aorm_test_<pid>_<n> (ctest runs test processes in
/// parallel against one server).
std::string unique_name() {
  static std::atomic<int> counter{0};
  return "aorm_test_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
}

}  // namespace

bool postgres_run() noexcept { return g_postgres; }

std::string postgres_server() {
  if (const char* env = std::getenv("AORM_TEST_PG_CONNINFO"); env != nullptr && *env != '\0') return env;
  if (const char* state = std::getenv("AORM_TEST_PG_STATE"); state != nullptr && *state != '\0') {
    std::string line;
    if (std::ifstream conninfo(std::string(state) + "/conninfo"); std::getline(conninfo, line)) return line;
  }
  return {};
}

std::string no_server_reason() {
  if (const char* state = std::getenv("AORM_TEST_PG_STATE"); state != nullptr && *state != '\0') {
    std::string line;
    if (std::ifstream skip(std::string(state) + "/skip"); std::getline(skip, line) && !line.empty()) return line;
    return "the test server did not start (see the postgres.server.start test's output)";
  }
  return "no PostgreSQL test server: run the suite through ctest, or set AORM_TEST_PG_CONNINFO";
}

bool skip_without_server() {
  if (!postgres_run() || !postgres_server().empty()) return false;
  std::printf("aorm-postgres-skip: %s\n", no_server_reason().c_str());
  return true;
}

void admin(const std::string& sql) {
  std::unique_ptr<PGconn, void (*)(PGconn*)> conn(PQconnectdb(postgres_server().c_str()), PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK)
    throw std::runtime_error("cannot connect to the PostgreSQL test server: " +
                             std::string(PQerrorMessage(conn.get())));
  PQsetNoticeProcessor(conn.get(), [](void*, const char*) {}, nullptr);  // DROP ... CASCADE lists
  std::unique_ptr<PGresult, void (*)(PGresult*)> r(PQexec(conn.get(), sql.c_str()), PQclear);
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK)
    throw std::runtime_error(sql + ": " + PQresultErrorMessage(r.get()));
}

TempDatabase::TempDatabase(Backend backend) : backend_(backend), name_(unique_name()) {
  if (backend_ == Backend::postgres) {
    admin("CREATE SCHEMA \"" + name_ + "\"");
    url_ = uri_with_schema(postgres_server(), name_);
    return;
  }
  name_ = (std::filesystem::temp_directory_path() / (name_ + ".db")).string();
  std::error_code ec;
  std::filesystem::remove(name_, ec);
  url_ = "sqlite:" + name_;
}

TempDatabase::~TempDatabase() {
  if (backend_ == Backend::postgres) {
    try {
      admin("DROP SCHEMA \"" + name_ + "\" CASCADE");
    } catch (const std::exception& e) {  // a leftover schema must not fail a test
      std::fprintf(stderr, "warning: %s\n", e.what());
    }
    return;
  }
  std::error_code ec;  // best effort: a leftover temp file must not fail a test
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(name_ + suffix, ec);
}

aorm::ConnectOptions TempDatabase::options(std::string_view alias) const {
  aorm::ConnectOptions opts;
  opts.alias = alias;
  opts.execution = backend_ == Backend::sqlite_inline ? aorm::Execution::inline_ : aorm::Execution::workers;
  return opts;
}

int run_doctest(int argc, char** argv) {
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--aorm-backend=postgres") {
      g_postgres = true;
    } else if (a == "--aorm-backend=sqlite") {
      g_postgres = false;
    } else if (a.starts_with("--aorm-backend")) {
      std::fprintf(stderr, "unknown %s (expected --aorm-backend=sqlite or --aorm-backend=postgres)\n", argv[i]);
      return 2;
    } else {
      args.push_back(argv[i]);
    }
  }
  doctest::Context context(static_cast<int>(args.size()), args.data());
  return context.run();
}

}  // namespace aorm_test
