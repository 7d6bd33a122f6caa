// Faults while migrating: aormc migrate killed with SIGKILL in the middle of a long migration
// (SQLite's rebuild of a 200,000-row table; PostgreSQL's ALTER ... TYPE rewriting it) leaves
// the database exactly at the previous migration, and migrating again succeeds. And a
// shorter max_length over rows that do not fit fails (PostgreSQL) instead of cutting them.
#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <string>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "project.hpp"

namespace {

using namespace aorm_migrations_test;
using namespace std::chrono_literals;

constexpr int kRows = 200'000;

// Table crash_reading: a name unique to this file, so that the PostgreSQL signal below
// (pg_stat_activity) cannot see another test's statement.
const char* const kV1 = R"(namespace: crash
models:
  Reading:
    fields:
      sensor: { type: string, max_length: 40 }
      value: { type: int32, index: true }
      note: { type: text, null: true }
)";
// value int32 -> int64: SQLite rebuilds the table, PostgreSQL rewrites it (ALTER ... TYPE).
const char* const kV2 = R"(namespace: crash
models:
  Reading:
    fields:
      sensor: { type: string, max_length: 40 }
      value: { type: int64, index: true }
      note: { type: text, null: true }
)";

std::string fill_sql(bool pg) {
  const std::string n = std::to_string(kRows);
  return pg ? "INSERT INTO crash_reading (sensor, value, note) SELECT 'sensor-' || (g % 100), g % 1000, "
              "repeat('x', 100) FROM generate_series(1, " + n + ") g"
            : "WITH RECURSIVE c(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM c WHERE g < " + n + ") "
              "INSERT INTO crash_reading (sensor, value, note) SELECT 'sensor-' || (g % 100), g % 1000, "
              "hex(zeroblob(50)) FROM c";
}

// What must not change: the applied list, the table's definition, its rows.
struct Snapshot {
  Rows applied, schema, data;
  bool operator==(const Snapshot&) const = default;
};
Snapshot snapshot(const aorm_test::TempDatabase& t) {
  const bool pg = aorm_test::postgres_run();
  Snapshot s;
  s.applied = select(t, "SELECT app, name, checksum FROM aorm_migrations ORDER BY id");
  s.schema = select(t, pg ? "SELECT column_name, data_type, is_nullable, character_maximum_length "
                            "FROM information_schema.columns WHERE table_schema = current_schema() "
                            "AND table_name LIKE '%crash_reading' ORDER BY table_name, ordinal_position"
                          : "SELECT type, name, sql FROM sqlite_master WHERE name LIKE '%crash_reading%' ORDER BY name");
  s.data = select(t, "SELECT count(*), sum(value), sum(length(note)), min(sensor), max(id) FROM crash_reading");
  return s;
}

std::uintmax_t file_size(const std::string& path) {
  std::error_code ec;
  const std::uintmax_t n = fs::file_size(path, ec);
  return ec ? 0 : n;
}

// `aormc migrate migrations/shop --db URL`, started in the project folder; output to a file.
pid_t spawn_migrate(const Project& p, const std::string& url) {
  const std::string out = (p.dir() / "killed.txt").string();
  const std::string dir = p.dir().string();
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (::chdir(dir.c_str()) != 0) ::_exit(126);
    const int fd = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    ::execl(AORMC, AORMC, "migrate", "migrations/shop", "--db", url.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

// Whether `pid` has exited (reaped) — then the kill came too late.
bool exited(pid_t pid, int& status) { return ::waitpid(pid, &status, WNOHANG) == pid; }

}  // namespace

TEST_CASE("SIGKILL during a long migration leaves the database at the previous one") {
  if (aorm_test::skip_without_server()) return;
  const bool pg = aorm_test::postgres_run();
  aorm_test::TempDatabase t(backend());
  Project p;
  p.write_models(kV1);
  REQUIRE(p.makemigrations().status == 0);
  REQUIRE(p.migrate(t.url()).status == 0);
  execute(t, {fill_sql(pg)});
  p.write_models(kV2);
  REQUIRE(p.makemigrations(" --name bigger_values").status == 0);
  const std::string db_file = t.url().substr(std::string("sqlite:").size());
  // SQLite: an empty WAL now, so that its growth is the migration's uncommitted rebuild.
  if (!pg) execute(t, {"PRAGMA wal_checkpoint(TRUNCATE)"});
  const Snapshot before = snapshot(t);
  REQUIRE(before.data.at(0).at(0) == std::to_string(kRows));
  REQUIRE(before.applied.size() == 1);

  // Kill it once the migration's transaction is under way: on SQLite, when the write-ahead
  // log (or rollback journal) holds 2 MB of the rebuild's uncommitted pages; on PostgreSQL,
  // when pg_stat_activity shows its ALTER running.
  const auto deadline = std::chrono::steady_clock::now() + 15s;
  int status = 0;
  bool killed = false, finished = false;
  const pid_t pid = spawn_migrate(p, t.url());
  REQUIRE(pid > 0);
  if (pg) {
    with_db(t, [&](aorm::Database db) -> aorm::Task<void> {
      while (!killed && !finished && std::chrono::steady_clock::now() < deadline) {
        const Rows r = co_await query(db,
            "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() "
            "AND query LIKE 'ALTER TABLE \"crash_reading\" ALTER COLUMN \"value\" TYPE%'");
        if (r.at(0).at(0) != "0") {
          killed = ::kill(pid, SIGKILL) == 0;
        } else {
          finished = exited(pid, status);
          std::this_thread::sleep_for(1ms);
        }
      }
    });
  } else {
    while (!killed && !finished && std::chrono::steady_clock::now() < deadline) {
      if (std::max(file_size(db_file + "-wal"), file_size(db_file + "-journal")) > (2u << 20)) {
        killed = ::kill(pid, SIGKILL) == 0;
      } else {
        finished = exited(pid, status);
        std::this_thread::sleep_for(200us);
      }
    }
  }
  if (!finished) REQUIRE(::waitpid(pid, &status, 0) == pid);
  INFO("aormc migrate's output: " << read_file(p.dir() / "killed.txt"));
  REQUIRE_MESSAGE(killed, "the migration ended (or never started) before the test could kill it");
  CHECK(WIFSIGNALED(status));
  CHECK(WTERMSIG(status) == SIGKILL);

  // Exactly where it was (on PostgreSQL the server aborts the dead client's transaction:
  // reading the table waits for that).
  CHECK(snapshot(t) == before);
  if (!pg) CHECK(select(t, "PRAGMA integrity_check") == Rows{{"ok"}});

  // And migrating again finishes the job.
  Result r = p.migrate(t.url());
  INFO(r.output);
  REQUIRE(r.status == 0);
  CHECK(r.output.find("Applied crash.0002_bigger_values") != std::string::npos);
  const Snapshot after = snapshot(t);
  CHECK(after.data == before.data);
  CHECK(after.applied.size() == 2);
  CHECK(after.schema != before.schema);
}

TEST_CASE("a shorter max_length over rows that do not fit fails on PostgreSQL and cuts nothing") {
  if (aorm_test::skip_without_server()) return;
  const bool pg = aorm_test::postgres_run();
  aorm_test::TempDatabase t(backend());
  Project p;
  p.write_models(kV1);
  REQUIRE(p.makemigrations().status == 0);
  REQUIRE(p.migrate(t.url()).status == 0);
  execute(t, {"INSERT INTO crash_reading (sensor, value) VALUES ('a-sensor-with-a-long-name', 1), ('short', 2)"});
  std::string v2 = kV1;
  v2.replace(v2.find("max_length: 40"), 14, "max_length: 10");
  p.write_models(v2);
  REQUIRE(p.makemigrations(" --name shorter_sensor").status == 0);
  Result r = p.migrate(t.url());
  INFO(r.output);
  if (pg) {
    // As Django: PostgreSQL refuses the longer values (no `USING sensor::varchar(10)`).
    CHECK(r.status == 1);
    CHECK(r.output.find("migration crash.0002_shorter_sensor failed and was rolled back") != std::string::npos);
    CHECK(r.output.find("value too long for type character varying(10)") != std::string::npos);
    CHECK(select(t, "SELECT name FROM aorm_migrations ORDER BY id") == Rows{{"0001_initial"}});
  } else {
    // SQLite does not enforce a varchar's length: the rows are copied whole.
    CHECK(r.status == 0);
  }
  CHECK(select(t, "SELECT sensor FROM crash_reading ORDER BY id") == Rows{{"a-sensor-with-a-long-name"}, {"short"}});
}
