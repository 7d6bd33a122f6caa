// fixture.hpp — what the transactions tests share: a temporary database file, both
// execution policies, and small raw-SQL helpers that work inside and outside atomic().
//
//   TEST_CASE("...") {
//     for_each_policy([](tx::Env& env) -> aorm::Task<void> {
//       co_await env.db.aexecute("INSERT ...");
//       CHECK(co_await tx::count(env.db, "blog_tag") == 1);
//     });
//   }
#pragma once

#include <doctest/doctest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "blog/models.hpp"

namespace tx {

using blog::Article;
using blog::Author;
using blog::Tag;

/// A database file in the system temp folder, unique per instance, removed (with its WAL
/// side files) on destruction.
class TempDbFile {
 public:
  TempDbFile();
  ~TempDbFile();
  TempDbFile(const TempDbFile&) = delete;
  TempDbFile& operator=(const TempDbFile&) = delete;
  const std::filesystem::path& path() const noexcept { return path_; }
  std::string url() const { return "sqlite:" + path_.string(); }

 private:
  std::filesystem::path path_;
};

const char* policy_name(aorm::Execution e);

/// What a test body gets: the file, the policy, and the open "default" database with the
/// blog tables.
struct Env {
  const TempDbFile& file;
  aorm::Execution execution;
  aorm::Database db;
};

struct EnvOptions {
  int pool_size = 0;
  std::chrono::milliseconds busy_timeout{5000};
};

using Body = std::function<aorm::Task<void>(Env&)>;

/// Runs `body` in aorm::run on a fresh file for `execution`; closes the database afterwards
/// (also when the body throws; the exception then propagates to the test).
void run_env(aorm::Execution execution, const Body& body, EnvOptions opts = {});
/// Runs `body` once per execution policy, each in its own doctest SUBCASE.
void for_each_policy(const Body& body, EnvOptions opts = {});

/// The single integer `sql` yields (run where awaited: inside atomic() on its connection).
aorm::Task<std::int64_t> scalar(const aorm::Database& db, std::string sql);
/// SELECT count(*) FROM table.
aorm::Task<std::int64_t> count(const aorm::Database& db, std::string table);

/// An author to hang articles on.
aorm::Task<Author> make_author(std::string name = "Ada");

}  // namespace tx
