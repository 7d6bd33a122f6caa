// Helpers shared by the backend tests: a per-test temporary directory and small query
// helpers over detail::execute.
#pragma once

#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <vector>

#include "aorm/capture.hpp"
#include "aorm/database.hpp"
#include "aorm/runtime.hpp"
#include "aorm/task.hpp"
#include "aorm/types.hpp"

namespace test {

/// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "aorm-backend-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  /// "sqlite:<dir>/<name>"
  std::string url(const std::string& name = "test.db") const { return "sqlite:" + (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

/// The first column of every row, read as T.
template <class T>
aorm::Task<std::vector<T>> column(aorm::Database db, std::string sql, std::vector<aorm::Value> params) {
  std::vector<T> out;
  aorm::Statement stmt{std::move(sql), std::move(params)};
  co_await aorm::detail::execute(db, stmt, [&out](const aorm::RowReader& r) {
    T v{};
    aorm::read_value(r, 0, v);
    out.push_back(std::move(v));
  });
  co_return out;
}

template <class T>
aorm::Task<std::vector<T>> column(aorm::Database db, std::string sql) {
  return column<T>(std::move(db), std::move(sql), std::vector<aorm::Value>());
}

/// The single integer a query returns.
inline aorm::Task<std::int64_t> scalar(aorm::Database db, std::string sql) {
  auto rows = co_await column<std::int64_t>(db, std::move(sql));
  REQUIRE(rows.size() == 1);
  co_return rows[0];
}

}  // namespace test
