// migrate_bench — a migration that rebuilds a big SQLite table (issue 16): aorm's
// (Database::amigrate of aormc's statements, read from migration files in memory) against
// the hand-written CREATE / INSERT ... SELECT / DROP / RENAME / CREATE INDEX in one
// transaction, on two copies of the same table, in the same run. Prints both times and
// their ratio (the target is <= 1.5x; not asserted: timings vary with the machine).
//
//   migrate_bench [--rows N] [--reps R] [--dir DIR]     default 1,000,000 rows, 3 repetitions
//
// Exit status 1 when the two sides disagree (row count, checksum of the rows, schema).
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include <aorm/database.hpp>
#include <aorm/migrate.hpp>
#include <aorm/runtime.hpp>

#include "migrate/cpp.hpp"
#include "migrate/reader.hpp"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// v1: Product(name varchar(40), price, notes, index on price); v2: name becomes
// varchar(120) — SQLite cannot ALTER a column's type: a rebuild.
constexpr const char* kInitial = R"(namespace: shop
dependencies: []
operations:
  - create_model:
      Product:
        fields:
          name: { type: string, max_length: 40 }
          price: { type: int64, index: true }
          notes: { type: text, null: true }
)";
constexpr const char* kLonger = R"(namespace: shop
dependencies: [0001_initial]
operations:
  - alter_field:
      model: Product
      from:
        name: { type: string, max_length: 40 }
      to:
        name: { type: string, max_length: 120 }
)";

// The same steps written by hand, as SQLite documents them.
const std::vector<std::string> kHandWritten = {
    "PRAGMA foreign_keys=OFF",
    "BEGIN IMMEDIATE",
    "CREATE TABLE \"new__shop_product\" (\"id\" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "
    "\"name\" varchar(120) NOT NULL, \"price\" bigint NOT NULL, \"notes\" text NULL)",
    "INSERT INTO \"new__shop_product\" (\"id\", \"name\", \"price\", \"notes\") "
    "SELECT \"id\", \"name\", \"price\", \"notes\" FROM \"shop_product\"",
    "DROP TABLE \"shop_product\"",
    "ALTER TABLE \"new__shop_product\" RENAME TO \"shop_product\"",
    "CREATE INDEX \"shop_product_price_idx\" ON \"shop_product\" (\"price\")",
    "COMMIT",
    "PRAGMA foreign_keys=ON",
};

void exec(sqlite3* db, const std::string& sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "?";
    sqlite3_free(error);
    throw std::runtime_error(message + " in: " + sql);
  }
}

std::string scalar(sqlite3* db, const std::string& sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) throw std::runtime_error(sqlite3_errmsg(db));
  std::string out;
  if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0))
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  sqlite3_finalize(stmt);
  return out;
}

struct Db {
  sqlite3* h = nullptr;
  explicit Db(const std::string& path) {
    if (sqlite3_open(path.c_str(), &h) != SQLITE_OK) throw std::runtime_error("cannot open " + path);
    exec(h, "PRAGMA journal_mode=WAL");
    exec(h, "PRAGMA synchronous=NORMAL");  // what aorm's connections use
  }
  ~Db() { sqlite3_close(h); }
};

// A fresh database at migration 0001 with `rows` rows (made through amigrate, so both sides
// start from the same tables, aorm_migrations included).
void prepare(const std::string& path, const aorm::Migrations& ms, long rows) {
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path + suffix);
  aorm::run([](std::string url, const aorm::Migrations& ms) -> aorm::Task<void> {
    aorm::Database db = co_await aorm::aconnect(url, {.pool_size = 1});
    co_await db.amigrate(ms, "0001_initial");
    co_await db.aclose();
  }("sqlite:" + path, ms));
  Db db(path);
  exec(db.h, "WITH RECURSIVE c(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM c WHERE g < " + std::to_string(rows) +
                 ") INSERT INTO shop_product (name, price, notes) SELECT 'product ' || g, g % 1000, "
                 "CASE WHEN g % 3 = 0 THEN NULL ELSE 'note ' || g END FROM c");
  exec(db.h, "PRAGMA wal_checkpoint(TRUNCATE)");
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// What both sides must end with.
std::string fingerprint(const std::string& path) {
  Db db(path);
  return scalar(db.h, "SELECT count(*) || ' ' || sum(price) || ' ' || sum(length(name)) || ' ' || count(notes) "
                      "FROM shop_product") +
         " | " + scalar(db.h, "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master "
                              "WHERE tbl_name = 'shop_product' ORDER BY name)") +
         " | " + scalar(db.h, "SELECT type FROM pragma_table_info('shop_product') WHERE name = 'name'");
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  long rows = 1'000'000;
  int reps = 3;
  fs::path dir = fs::temp_directory_path() / "aorm_migrate_bench";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--rows" && i + 1 < argc) rows = std::atol(argv[++i]);
    else if (a == "--reps" && i + 1 < argc) reps = std::atoi(argv[++i]);
    else if (a == "--dir" && i + 1 < argc) dir = argv[++i];
    else {
      std::fprintf(stderr, "usage: migrate_bench [--rows N] [--reps R] [--dir DIR]\n");
      return 2;
    }
  }
  fs::create_directories(dir);
  aormc::diag::Diagnostics diags;
  std::vector<aormc::migrate::Migration> files;
  for (auto [text, name] : {std::pair{kInitial, "0001_initial.yaml"}, std::pair{kLonger, "0002_longer_name.yaml"}}) {
    auto m = aormc::migrate::read_migration(text, name, diags);
    if (!m) {
      std::fprintf(stderr, "%s", diags.render().c_str());
      return 1;
    }
    files.push_back(std::move(*m));
  }
  auto compiled = aormc::migrate::compile(files, diags);
  if (!compiled) {
    std::fprintf(stderr, "%s", diags.render().c_str());
    return 1;
  }
  std::vector<std::vector<std::string_view>> views;
  views.reserve(8);
  auto view = [&](const std::vector<std::string>& v) {
    views.emplace_back(v.begin(), v.end());
    return std::span<const std::string_view>(views.back());
  };
  std::vector<aorm::Migration> list;
  for (const auto& c : *compiled)
    list.push_back({c.name, view(c.sqlite_forward), view(c.sqlite_backward), view(c.postgres_forward),
                    view(c.postgres_backward), false, c.checksum});
  const aorm::Migrations ms{"shop", list};

  const std::string aorm_db = (dir / "aorm.db").string(), raw_db = (dir / "raw.db").string();
  std::vector<double> aorm_times, raw_times;
  std::string aorm_print, raw_print;
  for (int rep = 0; rep < reps; ++rep) {
    // Interleaved, raw first on even repetitions, so drift in the machine hits both.
    for (int side = 0; side < 2; ++side) {
      const bool raw = (side == 0) == (rep % 2 == 0);
      const std::string& path = raw ? raw_db : aorm_db;
      prepare(path, ms, rows);
      const Clock::time_point start = Clock::now();
      if (raw) {
        Db db(path);
        for (const std::string& sql : kHandWritten) exec(db.h, sql);
        exec(db.h, "INSERT INTO aorm_migrations (app, name, applied_at) VALUES ('shop', '0002_longer_name', "
                   "strftime('%Y-%m-%d %H:%M:%f', 'now'))");
      } else {
        aorm::run([](std::string url, const aorm::Migrations& ms) -> aorm::Task<void> {
          aorm::Database db = co_await aorm::aconnect(url, {.pool_size = 1});
          co_await db.amigrate(ms);
          co_await db.aclose();
        }("sqlite:" + path, ms));
      }
      (raw ? raw_times : aorm_times).push_back(seconds_since(start));
      (raw ? raw_print : aorm_print) = fingerprint(path);
    }
  }
  const double a = median(aorm_times), r = median(raw_times);
  std::printf("rebuild of a %ld-row SQLite table (varchar(40) -> varchar(120)), median of %d:\n", rows, reps);
  std::printf("  aorm migrate  %.3f s\n  hand-written  %.3f s\n  ratio         %.2fx (target <= 1.5x)\n", a, r, a / r);
  std::printf("  check: %s\n", aorm_print.c_str());
  for (const std::string& path : {aorm_db, raw_db})
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path + suffix);
  if (aorm_print != raw_print) {
    std::fprintf(stderr, "the two sides disagree:\n  aorm: %s\n  raw:  %s\n", aorm_print.c_str(), raw_print.c_str());
    return 1;
  }
  return 0;
}
