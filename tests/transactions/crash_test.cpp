// Crash safety: a process killed with SIGKILL in the middle of a large atomic() bulk insert
// leaves the database with none of it; killed right after the commit, with all of it.
#include "fixture.hpp"

using aorm::Task;
using tx::Tag;

namespace {

/// Kills a writer (kill_writer_after) after `kill_after` progress bytes and returns the
/// number of tag rows the database holds afterwards, checking the file's integrity.
std::int64_t rows_after_kill(const tx::TempDbFile& file, aorm::Execution policy, int kill_after) {
  aorm::ConnectOptions opts;
  opts.execution = policy;
  tx::kill_writer_after(file.url(), opts, kill_after);

  std::int64_t rows = -1;
  aorm::run([&]() -> Task<void> {
    auto db = co_await aorm::aconnect(file.url(), {.alias = "check"});
    rows = co_await tx::count(db, "blog_tag");
    std::vector<std::string> integrity;
    const aorm::Statement stmt{"PRAGMA integrity_check", {}};
    co_await aorm::detail::execute(db, stmt, [&](const aorm::RowReader& r) {
      integrity.emplace_back(r.get_text(0));
    });
    CHECK(integrity == std::vector<std::string>{"ok"});
    co_await db.aclose();
  }());
  return rows;
}

void create_tables(const tx::TempDbFile& file) {
  aorm::run([&]() -> Task<void> {
    auto db = co_await aorm::aconnect(file.url(), {.alias = "setup"});
    co_await db.acreate_tables(blog::app);
    co_await db.aclose();
  }());
}

}  // namespace

TEST_CASE("a process killed with SIGKILL in the middle of an atomic bulk insert leaves none of it") {
  if (tx::skip_on_postgres()) return;
  for (aorm::Execution policy : {aorm::Execution::workers, aorm::Execution::inline_}) {
    CAPTURE(tx::policy_name(policy));
    tx::TempDbFile file;
    create_tables(file);
    // Killed after 10 of 40 batches: rows were written to the WAL, never committed.
    CHECK(rows_after_kill(file, policy, 10) == 0);
  }
}

TEST_CASE("a process killed with SIGKILL right after an atomic bulk insert committed keeps all of it") {
  if (tx::skip_on_postgres()) return;
  for (aorm::Execution policy : {aorm::Execution::workers, aorm::Execution::inline_}) {
    CAPTURE(tx::policy_name(policy));
    tx::TempDbFile file;
    create_tables(file);
    CHECK(rows_after_kill(file, policy, tx::kCrashRows / tx::kCrashBatch + 1) == tx::kCrashRows);
  }
}
