// Each fault leaves the committed data intact, surfaces as a typed aorm error, and the same
// Database keeps serving once the fault is gone.
//
// Rows and statements are built into named locals before the co_await that takes them: g++ 12
// destroys a braced temporary inside a co_await expression twice (TOOLCHAIN.md), and this
// suite is built with g++ too.
#include <doctest/doctest.h>

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "blog/models.hpp"
#include "fault_vfs.hpp"
#include "temp_db.hpp"

namespace {

using aorm::Task;
using blog::Tag;

constexpr int kSeed = 50;

/// Creates the tables and kSeed tags named t0..t49.
Task<void> seed(const aorm::Database& db) {
  co_await db.acreate_tables(blog::app);
  std::vector<Tag> tags;
  for (int i = 0; i < kSeed; ++i) tags.push_back(Tag{.name = "t" + std::to_string(i)});
  co_await Tag::objects.abulk_create(std::move(tags));
}

/// True when exactly the seeded tags are there, unchanged, and the file passes
/// PRAGMA integrity_check.
Task<bool> seed_intact(const aorm::Database& db) {
  std::vector<Tag> tags = co_await Tag::objects.order_by(Tag::f.id).alist();
  bool ok = tags.size() == static_cast<std::size_t>(kSeed);
  for (std::size_t i = 0; ok && i < tags.size(); ++i) ok = tags[i].name == "t" + std::to_string(i);
  std::vector<std::string> integrity;
  const aorm::Statement check{"PRAGMA integrity_check", {}};
  co_await aorm::detail::execute(db, check, [&](const aorm::RowReader& r) { integrity.emplace_back(r.get_text(0)); });
  co_return ok && integrity == std::vector<std::string>{"ok"};
}

/// 2000 new tags, inserted in one atomic block.
Task<void> big_atomic_insert(std::string prefix) {
  co_await aorm::atomic([&]() -> Task<void> {
    std::vector<Tag> tags;
    for (int i = 0; i < 2000; ++i) tags.push_back(Tag{.name = prefix + std::to_string(i) + std::string(200, 'p')});
    co_await Tag::objects.abulk_create(std::move(tags));
  });
}

const char* policy_name(aorm::Execution e) { return e == aorm::Execution::workers ? "workers" : "inline"; }

}  // namespace

TEST_CASE("a full disk fails the transaction with OperationalError, keeps the data, and the database serves again once there is room") {
  for (aorm::Execution policy : {aorm::Execution::workers, aorm::Execution::inline_}) {
    CAPTURE(policy_name(policy));
    faults::TempDbFile file;
    faults::FaultVfs vfs;
    aorm::run([&]() -> Task<void> {
      auto db = co_await aorm::aconnect(file.url(), {.execution = policy});
      co_await seed(db);
      vfs.fail_writes_after(16 * 1024);
      bool full = false;
      std::string message;
      try {
        co_await big_atomic_insert("x");
      } catch (const aorm::OperationalError& e) {
        full = true;
        message = e.what();
      }
      CHECK(full);
      CHECK(message.find("full") != std::string::npos);
      CHECK(vfs.failed_writes() > 0);
      // Still full: a single insert fails too, typed, and nothing else breaks.
      bool still_full = false;
      try {
        co_await big_atomic_insert("y");
      } catch (const aorm::OperationalError&) {
        still_full = true;
      }
      CHECK(still_full);
      CHECK(co_await seed_intact(db));  // reads need no writes

      vfs.unlimited();
      co_await big_atomic_insert("z");
      CHECK(co_await Tag::objects.acount() == kSeed + 2000);
      CHECK(co_await Tag::objects.filter(Tag::f.name.startswith("x")).acount() == 0);
      co_await db.aclose();
    }());
  }
}

TEST_CASE("writing to a read-only database file raises OperationalError while reads keep working") {
  faults::TempDbFile file;
  aorm::run([&]() -> Task<void> {
    auto db = co_await aorm::aconnect(file.url());
    co_await seed(db);
    co_await db.aclose();
  }());
  faults::FaultVfs vfs;
  vfs.open_read_only(true);  // as if the file were chmod a-w (tests may run as root)
  aorm::run([&]() -> Task<void> {
    auto db = co_await aorm::aconnect(file.url());
    bool refused = false;
    std::string message;
    try {
      const Tag new_tag{.name = "new"};
      co_await Tag::objects.acreate(new_tag);
    } catch (const aorm::OperationalError& e) {
      refused = true;
      message = e.what();
    }
    CHECK(refused);
    CHECK(message.find("readonly") != std::string::npos);
    bool update_refused = false;
    try {
      co_await Tag::objects.aupdate(Tag::f.name = std::string("gone"));
    } catch (const aorm::OperationalError&) {
      update_refused = true;
    }
    CHECK(update_refused);
    CHECK(co_await seed_intact(db));
    co_await db.aclose();
  }());
}

TEST_CASE("a database locked by another connection raises OperationalError after busy_timeout and serves once unlocked") {
  for (aorm::Execution policy : {aorm::Execution::workers, aorm::Execution::inline_}) {
    CAPTURE(policy_name(policy));
    faults::TempDbFile file;
    aorm::run([&]() -> Task<void> {
      auto db = co_await aorm::aconnect(file.url(), {.execution = policy});
      co_await seed(db);
      co_await db.aclose();
    }());

    sqlite3* other = nullptr;
    REQUIRE(sqlite3_open(file.path().c_str(), &other) == SQLITE_OK);
    REQUIRE(sqlite3_exec(other, "BEGIN EXCLUSIVE; INSERT INTO blog_tag (name) VALUES ('held')", nullptr, nullptr, nullptr) == SQLITE_OK);

    aorm::run([&]() -> Task<void> {
      auto db = co_await aorm::aconnect(file.url(), {.execution = policy, .busy_timeout = std::chrono::milliseconds(150)});
      bool locked = false;
      std::string message;
      try {
        const Tag blocked_tag{.name = "blocked"};
        co_await Tag::objects.acreate(blocked_tag);
      } catch (const aorm::OperationalError& e) {
        locked = true;
        message = e.what();
      }
      CHECK(locked);
      CHECK(message.find("locked") != std::string::npos);
      bool tx_locked = false;
      try {
        co_await big_atomic_insert("b");
      } catch (const aorm::OperationalError&) {
        tx_locked = true;
      }
      CHECK(tx_locked);
      CHECK(co_await seed_intact(db));  // WAL: readers are not blocked by the writer

      REQUIRE(sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr) == SQLITE_OK);
      const Tag after_tag{.name = "after"};
      co_await Tag::objects.acreate(after_tag);
      CHECK(co_await Tag::objects.acount() == kSeed + 1);
      CHECK(co_await Tag::objects.filter(Tag::f.name == "held").acount() == 0);
      co_await db.aclose();
    }());
    sqlite3_close(other);
  }
}

TEST_CASE("a process killed with SIGKILL in the middle of a transaction leaves the committed data intact and the file usable") {
  faults::TempDbFile file;
  aorm::run([&]() -> Task<void> {
    auto db = co_await aorm::aconnect(file.url());
    co_await seed(db);
    co_await db.aclose();
  }());

  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The child: deletes every seeded tag and inserts many more in one transaction,
    // reporting each batch on the pipe, and never commits before it is killed. It must
    // never return into doctest (it would go on running the parent's tests).
    ::close(fds[0]);
    try {
      aorm::run([&]() -> Task<void> {
      auto db = co_await aorm::aconnect(file.url());
      co_await aorm::atomic([&]() -> Task<void> {
        co_await Tag::objects.all().adelete();
        for (int batch = 0;; ++batch) {
          std::vector<Tag> tags;
          for (int i = 0; i < 500; ++i) tags.push_back(Tag{.name = "k" + std::to_string(batch * 500 + i)});
          co_await Tag::objects.abulk_create(std::move(tags));
          const char b = 'b';
          [[maybe_unused]] auto w = ::write(fds[1], &b, 1);
        }
      });
      }());
    } catch (...) {
    }
    ::_exit(1);
  }
  ::close(fds[1]);
  char b;
  int batches = 0;
  while (batches < 5 && ::read(fds[0], &b, 1) == 1) ++batches;
  ::kill(child, SIGKILL);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  ::close(fds[0]);
  CHECK(batches == 5);
  CHECK(WIFSIGNALED(status));

  aorm::run([&]() -> Task<void> {
    auto db = co_await aorm::aconnect(file.url());
    CHECK(co_await seed_intact(db));
    const Tag after_tag{.name = "after"};
    co_await Tag::objects.acreate(after_tag);
    CHECK(co_await Tag::objects.acount() == kSeed + 1);
    co_await db.aclose();
  }());
}
