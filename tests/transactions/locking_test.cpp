// SQLite locking: a lock held by another connection or process is waited out without
// blocking the event loop (both policies), and becomes OperationalError only after
// ConnectOptions::busy_timeout.
#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fixture.hpp"

using namespace std::chrono_literals;
using aorm::Task;
using tx::Env;
using tx::Tag;
using Clock = std::chrono::steady_clock;

namespace {

/// A raw sqlite3 connection of the test itself: the "other connection" that holds a lock.
class RawConnection {
 public:
  explicit RawConnection(const std::filesystem::path& file) {
    REQUIRE(sqlite3_open(file.c_str(), &db_) == SQLITE_OK);
  }
  ~RawConnection() { sqlite3_close(db_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  void exec(const char* sql) { REQUIRE(sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK); }

 private:
  sqlite3* db_ = nullptr;
};

/// Counts loop turns until `*stop`: proof that the loop keeps running other tasks.
Task<void> tick(int& ticks, const bool& stop) {
  while (!stop) {
    co_await aorm::sleep(1ms);
    ++ticks;
  }
}

}  // namespace

TEST_CASE("a write waits for a lock held by another connection while other tasks keep running") {
  if (tx::skip_on_postgres()) return;
  tx::for_each_policy([](Env& env) -> Task<void> {
    RawConnection other(env.file);
    other.exec("BEGIN IMMEDIATE");
    other.exec("INSERT INTO blog_tag (name) VALUES ('theirs')");
    int ticks = 0;
    bool done = false;
    auto release = [&]() -> Task<void> {
      co_await aorm::sleep(120ms);
      other.exec("COMMIT");
    };
    auto write = [&]() -> Task<Clock::duration> {
      const auto start = Clock::now();
      co_await aorm::atomic([&]() -> Task<void> { co_await Tag::objects.acreate(Tag{.name = "mine"}); });
      done = true;
      co_return Clock::now() - start;
    };
    auto [waited, r, t] = co_await aorm::gather(write(), release(), tick(ticks, done));
    CHECK(waited >= 100ms);
    CHECK(ticks >= 20);  // ~1 ms ticks over ~120 ms: the loop was never blocked for long
    CHECK(co_await tx::count(env.db, "blog_tag") == 2);
  });
}

TEST_CASE("a lock held past busy_timeout raises OperationalError after the timeout, not before") {
  if (tx::skip_on_postgres()) return;
  tx::for_each_policy(
      [](Env& env) -> Task<void> {
        RawConnection other(env.file);
        other.exec("BEGIN IMMEDIATE");
        int ticks = 0;
        bool done = false;
        auto blocked = [&](bool in_atomic) -> Task<void> {
          const auto start = Clock::now();
          try {
            if (in_atomic)
              co_await aorm::atomic([&]() -> Task<void> { co_await Tag::objects.acreate(Tag{.name = "x"}); });
            else
              co_await Tag::objects.acreate(Tag{.name = "x"});
            FAIL("the write should have timed out");
          } catch (const aorm::OperationalError& e) {
            CHECK(std::string(e.what()).find("database is locked") != std::string::npos);
            CHECK(std::string(e.what()).find("busy_timeout") != std::string::npos);
          }
          const auto waited = Clock::now() - start;
          CHECK(waited >= 200ms);
          CHECK(waited < 3s);
        };
        auto both = [&]() -> Task<void> {
          co_await blocked(true);
          co_await blocked(false);
          done = true;
        };
        co_await aorm::gather(both(), tick(ticks, done));
        CHECK(ticks >= 100);
        other.exec("ROLLBACK");
        // The connections are usable again once the lock is gone.
        co_await Tag::objects.acreate(Tag{.name = "after"});
        CHECK(co_await tx::count(env.db, "blog_tag") == 1);
      },
      {.busy_timeout = 200ms});
}

TEST_CASE("an inline write waits without blocking the loop for a lock held by another process") {
  if (tx::skip_on_postgres()) return;
  tx::TempDbFile file;
  aorm::run([&]() -> Task<void> {
    auto db = co_await aorm::aconnect(file.url(), {.alias = "setup"});
    co_await db.acreate_tables(blog::app);
    co_await db.aclose();
  }());
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The other process: take the write lock, say so, hold it for a while, commit.
    sqlite3* h = nullptr;
    sqlite3_open(file.path().c_str(), &h);
    int rc = sqlite3_exec(h, "BEGIN IMMEDIATE; INSERT INTO blog_tag (name) VALUES ('child')", nullptr, nullptr, nullptr);
    const char byte = rc == SQLITE_OK ? 'y' : 'n';
    [[maybe_unused]] auto w = ::write(ready[1], &byte, 1);
    ::usleep(150 * 1000);
    rc = sqlite3_exec(h, "COMMIT", nullptr, nullptr, nullptr);
    sqlite3_close(h);
    ::_exit(rc == SQLITE_OK ? 0 : 1);
  }
  char byte = 0;
  REQUIRE(::read(ready[0], &byte, 1) == 1);
  REQUIRE(byte == 'y');
  aorm::run([&]() -> Task<void> {
    auto db = co_await aorm::aconnect(file.url(), {.execution = aorm::Execution::inline_});
    int ticks = 0;
    bool done = false;
    auto write = [&]() -> Task<void> {
      co_await Tag::objects.acreate(Tag{.name = "parent"});
      done = true;
    };
    co_await aorm::gather(write(), tick(ticks, done));
    CHECK(ticks >= 50);
    CHECK(co_await tx::count(db, "blog_tag") == 2);
    co_await db.aclose();
  }());
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  ::close(ready[0]);
  ::close(ready[1]);
}
