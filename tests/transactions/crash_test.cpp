// Crash safety: a process killed with SIGKILL in the middle of a large atomic() bulk insert
// leaves the database with none of it; killed right after the commit, with all of it.
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.hpp"

using aorm::Task;
using tx::Tag;

namespace {

constexpr int kRows = 20000;

/// The child: inserts kRows tags in one atomic() (batches of 500 through abulk_create),
/// writing one byte to `progress` after each batch ('c' after the commit), then waits to
/// be killed.
[[noreturn]] void child_main(const std::string& url, aorm::Execution policy, int progress) {
  aorm::run([&]() -> Task<void> {
    auto db = co_await aorm::aconnect(url, {.execution = policy});
    co_await aorm::atomic([&]() -> Task<void> {
      for (int batch = 0; batch < kRows / 500; ++batch) {
        std::vector<Tag> tags;
        for (int i = 0; i < 500; ++i) tags.push_back(Tag{.name = "t" + std::to_string(batch * 500 + i)});
        co_await Tag::objects.abulk_create(std::move(tags));
        const char b = 'b';
        [[maybe_unused]] auto w = ::write(progress, &b, 1);
      }
    });
    const char c = 'c';
    [[maybe_unused]] auto w = ::write(progress, &c, 1);
  }());
  for (;;) ::pause();
}

/// Forks the child, kills it with SIGKILL once it has written `kill_after` bytes, and
/// returns the number of tag rows the database holds afterwards.
std::int64_t rows_after_kill(const tx::TempDbFile& file, aorm::Execution policy, int kill_after) {
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    child_main(file.url(), policy, pipe_fds[1]);
  }
  ::close(pipe_fds[1]);
  int seen = 0;
  char b;
  while (seen < kill_after && ::read(pipe_fds[0], &b, 1) == 1) ++seen;
  ::kill(child, SIGKILL);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);
  ::close(pipe_fds[0]);
  REQUIRE(seen == kill_after);

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
    CHECK(rows_after_kill(file, policy, kRows / 500 + 1) == kRows);
  }
}
