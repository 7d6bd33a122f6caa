// Helpers of the migration scenarios: a temporary project folder driving the aormc binary,
// raw SQL on the run's database (tests/migrations).
#pragma once

#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

#include "aorm/aorm.hpp"
#include "aorm/migrate.hpp"
#include "backends.hpp"

namespace aorm_migrations_test {

namespace fs = std::filesystem;
using Rows = std::vector<std::vector<std::string>>;

struct Result {
  int status = -1;
  std::string output;  // stdout and stderr
};

inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

inline Result run(const std::string& command) {
  Result r;
  FILE* p = ::popen((command + " 2>&1").c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) r.output.append(buf, n);
  const int status = ::pclose(p);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// The contents of a file ("" when it cannot be read).
inline std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::string out((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return out;
}

inline aorm_test::Backend backend() {
  return aorm_test::postgres_run() ? aorm_test::Backend::postgres : aorm_test::Backend::sqlite_workers;
}

// A folder with the shop's model file (`shop.yaml`, a copy of models/<version>.yaml) and its
// migrations folder, removed afterwards.
class Project {
 public:
  Project() {
    static int n = 0;
    dir_ = fs::temp_directory_path() / ("aorm_migrations_" + std::to_string(::getpid()) + "_" + std::to_string(++n));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  ~Project() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  // The model file `shop.yaml` holds `text` (a test's own models).
  void write_models(const std::string& text) { std::ofstream(dir_ / "shop.yaml", std::ios::binary) << text; }
  void use(const std::string& version) {
    fs::copy_file(fs::path(AORM_MIGRATIONS_TEST_DIR) / "models" / (version + ".yaml"), dir_ / "shop.yaml",
                  fs::copy_options::overwrite_existing);
  }
  Result aormc(const std::string& args) const {
    return run("cd " + shell_quote(dir_.string()) + " && " + shell_quote(AORMC) + " " + args);
  }
  Result makemigrations(const std::string& extra = "") const {
    return aormc("makemigrations shop.yaml --dir migrations/shop" + extra);
  }
  Result migrate(const std::string& url, const std::string& target = "") const {
    return aormc("migrate migrations/shop --db " + shell_quote(url) + (target.empty() ? "" : " " + target));
  }
  const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
};

// Runs `body(db)` on a fresh connection to `url`.
template <class F>
void with_db(const aorm_test::TempDatabase& t, F body) {
  aorm::run([&]() -> aorm::Task<void> {
    aorm::Database db = co_await aorm::aconnect(t.url(), t.options());
    std::exception_ptr error;
    try {
      co_await body(db);
    } catch (...) {
      error = std::current_exception();
    }
    co_await db.aclose();
    if (error) std::rethrow_exception(error);
  }());
}

inline aorm::Task<Rows> query(aorm::Database db, std::string sql) {
  Rows rows;
  auto sink = [&rows](const aorm::RowReader& r) {
    rows.emplace_back();
    for (int i = 0; i < r.column_count(); ++i) rows.back().emplace_back(r.is_null(i) ? "NULL" : std::string(r.get_text(i)));
  };
  aorm::Statement stmt{std::move(sql), {}};
  co_await aorm::detail::execute(db, stmt, sink);
  co_return rows;
}

inline Rows select(const aorm_test::TempDatabase& t, const std::string& sql) {
  Rows out;
  with_db(t, [&](aorm::Database db) -> aorm::Task<void> { out = co_await query(db, sql); });
  return out;
}

inline void execute(const aorm_test::TempDatabase& t, const std::vector<std::string>& statements) {
  with_db(t, [&](aorm::Database db) -> aorm::Task<void> {
    for (const std::string& s : statements) co_await db.aexecute(s);
  });
}

inline bool has_table(const aorm_test::TempDatabase& t, const std::string& table) {
  const std::string sql = aorm_test::postgres_run()
                              ? "SELECT to_regclass('" + table + "') IS NOT NULL"
                              : "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '" + table + "'";
  const Rows r = select(t, sql);
  return r.at(0).at(0) == "1" || r.at(0).at(0) == "t" || r.at(0).at(0) == "true";
}

}  // namespace aorm_migrations_test
