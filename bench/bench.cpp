// bench/bench.cpp — aorm against hand-written sqlite3 code, measured in the same run.
//
// Each workload runs through aorm's generated code and through raw sqlite3 C API code with
// reused prepared statements (bench/raw.hpp), interleaved, repeated; the medians and their
// ratio are printed with a check value that proves both sides did the same work.
//
//   bench [--quick] [--reps N] [--dir DIR] [--only Wn] [--policy inline|workers] [--pool N] [--memory]
//
// --memory measures the peak RSS of an aiterator scan over 100,000 and 1,000,000 rows
// (--quick: 10,000 and 100,000) and fails when it grows with the table.
// --only and --policy select workloads for profiling (bench/profile.sh runs callgrind);
// --pool sets the workers connections (and raw threads) of W8, 4 by default.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>  // each side's cost in its own dump when run under callgrind
#define BENCH_PROFILE_BEGIN() CALLGRIND_ZERO_STATS
#define BENCH_PROFILE_END(name) CALLGRIND_DUMP_STATS_AT(name)
#else
#define BENCH_PROFILE_BEGIN() (void)0
#define BENCH_PROFILE_END(name) (void)0
#endif

#include "benchdb/models.hpp"
#include "raw.hpp"

namespace fs = std::filesystem;
using benchdb::Article;
using benchdb::Author;
using benchdb::Tag;
using Clock = std::chrono::steady_clock;

namespace {

struct Sizes {
  int authors = 1000;
  int articles = 100'000;
  int tags = 50;
  int gets = 20'000;
  int counts = 1'000;
  int pages = 500;
  int prefetch = 1'000;
  int tasks = 64;
  int gets_per_task = 300;
  int pool = 4;
  int reps = 3;
};

Sizes quick_sizes() {
  Sizes s;
  s.authors = 50;
  s.articles = 2'000;
  s.gets = 500;
  s.counts = 50;
  s.pages = 20;
  s.prefetch = 100;
  s.tasks = 8;
  s.gets_per_task = 20;
  s.reps = 1;
  return s;
}

/// One measured side: seconds and the check value.
struct Sample {
  double seconds = 0;
  std::int64_t check = 0;
};

template <class F>
Sample time_it(F&& f) {
  auto t0 = Clock::now();
  std::int64_t check = f();
  return {std::chrono::duration<double>(Clock::now() - t0).count(), check};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// ---------------------------------------------------------------------------------------
// Deterministic data

struct Data {
  std::vector<Author> authors;
  std::vector<Article> articles;
};

const char* const kStatus[] = {"draft", "published", "archived"};

Data make_data(const Sizes& s) {
  std::mt19937_64 rng(20261122);
  Data d;
  d.authors.reserve(static_cast<std::size_t>(s.authors));
  for (int i = 0; i < s.authors; ++i)
    d.authors.push_back({.name = "Author " + std::to_string(i),
                         .email = "author" + std::to_string(i) + "@example.com"});
  const std::string body(200, 'x');
  const aorm::DateTime base =
      std::chrono::sys_days{std::chrono::year{2024} / 1 / 1} + std::chrono::microseconds{0};
  d.articles.reserve(static_cast<std::size_t>(s.articles));
  for (int i = 0; i < s.articles; ++i) {
    Article a;
    a.title = "Article " + std::to_string(i);
    a.body = body;
    a.status = static_cast<Article::Status>(rng() % 3);
    a.views = static_cast<std::int64_t>(rng() % 10'000);
    a.author = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(s.authors)) + 1;
    a.created_at = base + std::chrono::seconds{i};
    d.articles.push_back(std::move(a));
  }
  return d;
}

// A row as raw code materialises it: the same members aorm's Article holds.
struct RawArticle {
  std::int64_t id = 0;
  std::string title, body;
  int status = 0;
  std::int64_t views = 0, author_id = 0;
  std::int64_t created_at_us = 0;
};

// "YYYY-MM-DD HH:MM:SS[.ffffff]" → microseconds since the epoch (what aorm::DateTime holds).
std::int64_t parse_datetime(std::string_view t) {
  auto num = [&](std::size_t pos, std::size_t len) {
    int v = 0;
    for (std::size_t i = pos; i < pos + len && i < t.size(); ++i) v = v * 10 + (t[i] - '0');
    return v;
  };
  using namespace std::chrono;
  sys_days day = year{num(0, 4)} / num(5, 2) / num(8, 2);
  std::int64_t us = duration_cast<microseconds>(day.time_since_epoch()).count();
  us += (num(11, 2) * 3600LL + num(14, 2) * 60LL + num(17, 2)) * 1'000'000LL;
  if (t.size() > 20) us += num(20, 6);
  return us;
}

const char* const kArticleColumns =
    "\"id\", \"title\", \"body\", \"status\", \"views\", \"author_id\", \"created_at\"";

void read_raw_article(sqlite3_stmt* s, int first, RawArticle& a) {
  a.id = sqlite3_column_int64(s, first + 0);
  a.title = bench::raw::text(s, first + 1);
  a.body = bench::raw::text(s, first + 2);
  auto st = bench::raw::text(s, first + 3);
  a.status = st == "draft" ? 0 : st == "published" ? 1 : 2;
  a.views = sqlite3_column_int64(s, first + 4);
  a.author_id = sqlite3_column_int64(s, first + 5);
  a.created_at_us = parse_datetime(bench::raw::text(s, first + 6));
}

// ---------------------------------------------------------------------------------------
// The workloads, aorm side. Each returns the check value.

aorm::Task<std::int64_t> aorm_w1(Data data) {
  std::int64_t sum = 0;
  co_await aorm::atomic([&]() -> aorm::Task<void> {
    auto authors = co_await Author::objects.abulk_create(std::move(data.authors));
    auto articles = co_await Article::objects.abulk_create(std::move(data.articles));
    for (const auto& a : authors) sum += a.id;
    for (const auto& a : articles) sum += a.id;
  });
  co_return sum;
}

aorm::Task<std::int64_t> aorm_w2(const std::vector<std::int64_t>& ids) {
  std::int64_t sum = 0;
  for (std::int64_t id : ids) {
    Article a = co_await Article::objects.aget(Article::f.pk == id);
    sum += a.views;
  }
  co_return sum;
}

aorm::Task<std::int64_t> aorm_w3(int n) {
  std::int64_t sum = 0;
  for (int i = 0; i < n; ++i) {
    std::int64_t x = (i * 37) % 10'000;
    sum += co_await Article::objects
               .filter(Article::f.status == Article::Status::published && Article::f.views > x)
               .acount();
  }
  co_return sum;
}

aorm::Task<std::int64_t> aorm_w4() {
  std::int64_t sum = 0;
  auto stream = Article::objects.order_by(Article::f.id).aiterator();
  while (auto a = co_await stream.anext()) sum += a->views;
  co_return sum;
}

aorm::Task<std::int64_t> aorm_w5(int pages) {
  std::int64_t sum = 0;
  for (int p = 0; p < pages; ++p) {
    auto page = co_await Article::objects.order_by(Article::f.id.desc())
                    .select_related(Article::f.author)
                    .slice(p * 20, p * 20 + 20)
                    .alist();
    for (const auto& a : page) sum += a.views + static_cast<std::int64_t>(a.author->name.size());
  }
  co_return sum;
}

aorm::Task<std::int64_t> aorm_w6(int n) {
  auto articles = co_await Article::objects.filter(Article::f.id <= n)
                      .order_by(Article::f.id)
                      .prefetch_related(Article::f.tags)
                      .alist();
  std::int64_t sum = 0;
  for (const auto& a : articles)
    for (const Tag& t : a.tags) sum += a.id * t.id + static_cast<std::int64_t>(t.name.size());
  co_return sum;
}

aorm::Task<std::int64_t> aorm_w7() {
  co_return co_await Article::objects.filter(Article::f.status == Article::Status::draft)
      .aupdate(Article::f.views = Article::f.views + 1);
}

aorm::Task<std::int64_t> aorm_w8(const std::vector<std::int64_t>& ids, const Sizes& s) {
  std::vector<aorm::Task<std::int64_t>> tasks;
  for (int t = 0; t < s.tasks; ++t) {
    tasks.push_back([](const std::vector<std::int64_t>& ids, int t, int n) -> aorm::Task<std::int64_t> {
      std::int64_t sum = 0;
      for (int i = 0; i < n; ++i) {
        auto id = ids[static_cast<std::size_t>(t * n + i) % ids.size()];
        Article a = co_await Article::objects.aget(Article::f.pk == id);
        sum += a.views;
      }
      co_return sum;
    }(ids, t, s.gets_per_task));
  }
  auto sums = co_await aorm::gather(std::move(tasks));
  std::int64_t total = 0;
  for (auto v : sums) total += v;
  co_return total;
}

// ---------------------------------------------------------------------------------------
// The workloads, raw side.

std::int64_t raw_w1(bench::raw::Db& db, const Data& data) {
  std::int64_t sum = 0;
  db.exec("BEGIN IMMEDIATE");
  for (const auto& a : data.authors) {
    auto* s = db.prepare("INSERT INTO \"benchdb_author\" (\"name\", \"email\") VALUES (?, ?)");
    bench::raw::bind_text(s, 1, a.name);
    bench::raw::bind_text(s, 2, a.email);
    db.done(s);
    sum += db.last_id();
  }
  char created[32];
  for (const auto& a : data.articles) {
    auto* s = db.prepare(
        "INSERT INTO \"benchdb_article\" (\"title\", \"body\", \"status\", \"views\", \"author_id\", "
        "\"created_at\") VALUES (?, ?, ?, ?, ?, ?)");
    bench::raw::bind_text(s, 1, a.title);
    bench::raw::bind_text(s, 2, a.body);
    bench::raw::bind_text(s, 3, kStatus[static_cast<int>(a.status)]);
    sqlite3_bind_int64(s, 4, a.views);
    sqlite3_bind_int64(s, 5, a.author.id());
    auto us = a.created_at.time_since_epoch().count();
    auto day = std::chrono::floor<std::chrono::days>(a.created_at);
    std::chrono::year_month_day ymd{day};
    auto tod = us - std::chrono::duration_cast<std::chrono::microseconds>(day.time_since_epoch()).count();
    std::snprintf(created, sizeof created, "%04d-%02u-%02u %02lld:%02lld:%02lld.%06lld",
                  static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()), static_cast<long long>(tod / 3'600'000'000LL),
                  static_cast<long long>(tod / 60'000'000LL % 60), static_cast<long long>(tod / 1'000'000 % 60),
                  static_cast<long long>(tod % 1'000'000));
    bench::raw::bind_text(s, 6, created);
    db.done(s);
    sum += db.last_id();
  }
  db.exec("COMMIT");
  return sum;
}

std::int64_t raw_get(bench::raw::Db& db, std::int64_t id) {
  static const std::string sql =
      std::string("SELECT ") + kArticleColumns + " FROM \"benchdb_article\" WHERE \"id\" = ?";
  auto* s = db.prepare(sql);
  sqlite3_bind_int64(s, 1, id);
  RawArticle a;
  if (sqlite3_step(s) != SQLITE_ROW) db.fail("get");
  read_raw_article(s, 0, a);
  sqlite3_reset(s);  // end the read transaction now, as aorm does
  return a.views;
}

std::int64_t raw_w2(bench::raw::Db& db, const std::vector<std::int64_t>& ids) {
  std::int64_t sum = 0;
  for (auto id : ids) sum += raw_get(db, id);
  return sum;
}

std::int64_t raw_w3(bench::raw::Db& db, int n) {
  std::int64_t sum = 0;
  for (int i = 0; i < n; ++i) {
    auto* s = db.prepare(
        "SELECT COUNT(*) FROM \"benchdb_article\" WHERE (\"status\" = ? AND \"views\" > ?)");
    bench::raw::bind_text(s, 1, "published");
    sqlite3_bind_int64(s, 2, (i * 37) % 10'000);
    if (sqlite3_step(s) != SQLITE_ROW) db.fail("count");
    sum += sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
  }
  return sum;
}

std::int64_t raw_w4(bench::raw::Db& db) {
  auto* s = db.prepare(std::string("SELECT ") + kArticleColumns +
                       " FROM \"benchdb_article\" ORDER BY \"id\" ASC");
  std::int64_t sum = 0;
  RawArticle a;
  while (sqlite3_step(s) == SQLITE_ROW) {
    read_raw_article(s, 0, a);
    sum += a.views;
  }
  return sum;
}

// An author as raw code materialises it (W5's joined rows).
struct RawAuthor {
  std::int64_t id = 0;
  std::string name, email;
};

std::int64_t raw_w5(bench::raw::Db& db, int pages) {
  static const std::string sql =
      std::string("SELECT ") +
      "\"benchdb_article\".\"id\", \"benchdb_article\".\"title\", \"benchdb_article\".\"body\", "
      "\"benchdb_article\".\"status\", \"benchdb_article\".\"views\", \"benchdb_article\".\"author_id\", "
      "\"benchdb_article\".\"created_at\", \"benchdb_author\".\"id\", \"benchdb_author\".\"name\", "
      "\"benchdb_author\".\"email\" FROM \"benchdb_article\" INNER JOIN \"benchdb_author\" ON "
      "(\"benchdb_article\".\"author_id\" = \"benchdb_author\".\"id\") ORDER BY \"benchdb_article\".\"id\" "
      "DESC LIMIT ? OFFSET ?";
  std::int64_t sum = 0;
  for (int p = 0; p < pages; ++p) {
    auto* s = db.prepare(sql);
    sqlite3_bind_int64(s, 1, 20);
    sqlite3_bind_int64(s, 2, p * 20);
    std::vector<std::pair<RawArticle, RawAuthor>> page;
    while (sqlite3_step(s) == SQLITE_ROW) {
      auto& [a, author] = page.emplace_back();
      read_raw_article(s, 0, a);
      author.id = sqlite3_column_int64(s, 7);
      author.name = bench::raw::text(s, 8);
      author.email = bench::raw::text(s, 9);
    }
    sqlite3_reset(s);
    for (const auto& [a, author] : page) sum += a.views + static_cast<std::int64_t>(author.name.size());
  }
  return sum;
}

struct RawTag {
  std::int64_t id = 0;
  std::string name;
};

std::int64_t raw_w6(bench::raw::Db& db, int n) {
  auto* s = db.prepare(std::string("SELECT ") + kArticleColumns +
                       " FROM \"benchdb_article\" WHERE \"id\" <= ? ORDER BY \"id\" ASC");
  sqlite3_bind_int64(s, 1, n);
  std::vector<std::pair<RawArticle, std::vector<RawTag>>> articles;
  std::unordered_map<std::int64_t, std::size_t> index;
  while (sqlite3_step(s) == SQLITE_ROW) {
    auto& [a, tags] = articles.emplace_back();
    read_raw_article(s, 0, a);
    index.emplace(a.id, articles.size() - 1);
  }
  sqlite3_reset(s);
  auto* t = db.prepare(
      "SELECT \"l\".\"article_id\", \"t\".\"id\", \"t\".\"name\" FROM \"benchdb_article_tags\" \"l\" "
      "INNER JOIN \"benchdb_tag\" \"t\" ON (\"l\".\"tag_id\" = \"t\".\"id\") WHERE \"l\".\"article_id\" <= ?");
  sqlite3_bind_int64(t, 1, n);
  while (sqlite3_step(t) == SQLITE_ROW) {
    auto found = index.find(sqlite3_column_int64(t, 0));
    if (found == index.end()) continue;
    articles[found->second].second.push_back({sqlite3_column_int64(t, 1), std::string(bench::raw::text(t, 2))});
  }
  sqlite3_reset(t);
  std::int64_t sum = 0;
  for (const auto& [a, tags] : articles)
    for (const auto& tag : tags) sum += a.id * tag.id + static_cast<std::int64_t>(tag.name.size());
  return sum;
}

/// W6's data, written outside the timings: `tags` tags and three of them on each of the
/// first `n` articles.
void add_tags(const fs::path& path, int tags, int n) {
  bench::raw::Db db(path.string());
  db.exec("BEGIN IMMEDIATE");
  for (int i = 1; i <= tags; ++i)
    db.exec("INSERT INTO \"benchdb_tag\" (\"name\") VALUES ('tag" + std::to_string(i) + "')");
  for (int a = 1; a <= n; ++a)
    for (int k : {a * 7 % tags, (a * 11 + 3) % tags, (a * 13 + 5) % tags})
      db.exec("INSERT OR IGNORE INTO \"benchdb_article_tags\" (\"article_id\", \"tag_id\") VALUES (" +
              std::to_string(a) + ", " + std::to_string(k + 1) + ")");
  db.exec("COMMIT");
}

std::int64_t raw_w7(bench::raw::Db& db) {
  auto* s = db.prepare(
      "UPDATE \"benchdb_article\" SET \"views\" = (\"views\" + ?) WHERE \"status\" = ?");
  sqlite3_bind_int64(s, 1, 1);
  bench::raw::bind_text(s, 2, "draft");
  db.done(s);
  return db.changes();
}

std::int64_t raw_w8(const std::string& path, const std::vector<std::int64_t>& ids, const Sizes& s) {
  std::vector<std::int64_t> sums(static_cast<std::size_t>(s.pool));
  std::vector<std::thread> threads;
  for (int w = 0; w < s.pool; ++w) {
    threads.emplace_back([&, w] {
      bench::raw::Db db(path);
      std::int64_t sum = 0;
      for (int t = w; t < s.tasks; t += s.pool)
        for (int i = 0; i < s.gets_per_task; ++i)
          sum += raw_get(db, ids[static_cast<std::size_t>(t * s.gets_per_task + i) % ids.size()]);
      sums[static_cast<std::size_t>(w)] = sum;
    });
  }
  for (auto& t : threads) t.join();
  std::int64_t total = 0;
  for (auto v : sums) total += v;
  return total;
}

// ---------------------------------------------------------------------------------------

struct Row {
  std::string name, policy;
  std::vector<double> aorm, raw;
  std::int64_t check_aorm = 0, check_raw = 0;
  bool checks_match = true;
  void add(Sample a, Sample r) {
    aorm.push_back(a.seconds);
    raw.push_back(r.seconds);
    if (a.check != r.check) checks_match = false;
    check_aorm = a.check;
    check_raw = r.check;
  }
};

void remove_db(const fs::path& p) {
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(p.string() + suffix);
}


// ---------------------------------------------------------------------------------------
// Memory: peak RSS of an aiterator scan must not grow with the table (rows are fetched in
// chunks). Each size is scanned in a child process so that each peak is its own.

/// Writes `n` articles (short bodies) into a fresh file with raw sqlite3.
void populate_for_memory(const fs::path& path, int n) {
  remove_db(path);
  bench::raw::Db db(path.string());
  db.exec(benchdb::app.ddl(aorm::Dialect::sqlite));
  db.exec("BEGIN IMMEDIATE");
  db.exec("INSERT INTO \"benchdb_author\" (\"name\", \"email\") VALUES ('a', 'a@example.com')");
  auto* s = db.prepare(
      "INSERT INTO \"benchdb_article\" (\"title\", \"body\", \"status\", \"views\", \"author_id\", "
      "\"created_at\") VALUES (?, 'body', 'published', ?, 1, '2024-01-01 00:00:00.000000')");
  for (int i = 0; i < n; ++i) {
    const std::string title = "Article " + std::to_string(i);
    sqlite3_reset(s);
    bench::raw::bind_text(s, 1, title);
    sqlite3_bind_int64(s, 2, i % 1000);
    db.done(s);
  }
  sqlite3_reset(s);
  db.exec("COMMIT");
}

/// Scans `path` with aiterator in a child process; its peak RSS in KiB (-1 on failure).
long scan_peak_rss_kib(const fs::path& path, std::int64_t expected_sum) {
  int fds[2];
  if (::pipe(fds) != 0) return -1;
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    long peak = -1;
    try {
      const std::int64_t sum = aorm::run([](std::string p) -> aorm::Task<std::int64_t> {
        auto db = co_await aorm::aconnect("sqlite:" + p, {.execution = aorm::Execution::inline_});
        std::int64_t sum = co_await aorm_w4();
        co_await db.aclose();
        co_return sum;
      }(path.string()));
      rusage usage{};
      ::getrusage(RUSAGE_SELF, &usage);
      if (sum == expected_sum) peak = usage.ru_maxrss;
    } catch (...) {
    }
    [[maybe_unused]] auto w = ::write(fds[1], &peak, sizeof peak);
    ::_exit(0);
  }
  ::close(fds[1]);
  long peak = -1;
  if (pid < 0 || ::read(fds[0], &peak, sizeof peak) != sizeof peak) peak = -1;
  ::close(fds[0]);
  if (pid > 0) ::waitpid(pid, nullptr, 0);
  return peak;
}

/// `bench --memory`: peak RSS of aiterator over `small` and `large` rows; fails (exit 1)
/// when the large scan needs more than 25% (and 4 MiB) above the small one.
int run_memory(const fs::path& dir, int small, int large) {
  long peaks[2];
  const int sizes[2] = {small, large};
  for (int k = 0; k < 2; ++k) {
    const fs::path path = dir / ("memory-" + std::to_string(sizes[k]) + ".db");
    populate_for_memory(path, sizes[k]);
    std::int64_t expected = 0;
    for (int i = 0; i < sizes[k]; ++i) expected += i % 1000;
    peaks[k] = scan_peak_rss_kib(path, expected);
    remove_db(path);
    std::printf("aiterator over %8d rows: peak RSS %6.1f MiB\n", sizes[k], peaks[k] / 1024.0);
  }
  const bool flat = peaks[0] > 0 && peaks[1] > 0 && peaks[1] <= peaks[0] + std::max(peaks[0] / 4, 4096L);
  std::printf("memory: %s\n", flat ? "flat" : "GROWS WITH THE TABLE");
  return flat ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Sizes sizes;
  fs::path dir = fs::temp_directory_path() / "aorm-bench";
  std::string only;    // --only W2: run that workload (and W1, which makes the data) only
  std::string policy_filter;  // --policy inline|workers
  bool memory = false;        // --memory: the peak-RSS check instead of the workloads
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) {
      int reps = sizes.reps;
      sizes = quick_sizes();
      if (reps != Sizes{}.reps) sizes.reps = reps;
    } else if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) {
      sizes.reps = std::max(1, std::atoi(argv[++i]));
    } else if (!std::strcmp(argv[i], "--pool") && i + 1 < argc) {
      sizes.pool = std::max(1, std::atoi(argv[++i]));
    } else if (!std::strcmp(argv[i], "--memory")) {
      memory = true;
    } else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) {
      only = argv[++i];
    } else if (!std::strcmp(argv[i], "--policy") && i + 1 < argc) {
      policy_filter = argv[++i];
    } else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc) {
      dir = argv[++i];
    } else {
      std::fprintf(stderr, "usage: bench [--quick] [--reps N] [--dir DIR] [--only Wn] [--policy inline|workers] [--pool N] [--memory]\n");
      return 2;
    }
  }
  fs::create_directories(dir);
  if (memory) {
    const bool quick = sizes.articles < Sizes{}.articles;
    return run_memory(dir, quick ? 10'000 : 100'000, quick ? 100'000 : 1'000'000);
  }
  const Data data = make_data(sizes);
  std::mt19937_64 rng(7);
  std::vector<std::int64_t> ids(static_cast<std::size_t>(sizes.gets));
  for (auto& id : ids) id = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(sizes.articles)) + 1;

  const fs::path aorm_db = dir / "aorm.db", raw_db = dir / "raw.db";
  std::vector<Row> rows;
  auto row = [&](const std::string& name, const std::string& policy) -> Row& {
    for (auto& r : rows)
      if (r.name == name && r.policy == policy) return r;
    rows.push_back({name, policy, {}, {}});
    return rows.back();
  };

  for (int rep = 0; rep < sizes.reps; ++rep) {
    // W1: bulk insert into fresh files (one transaction each side).
    remove_db(aorm_db);
    remove_db(raw_db);
    Data copy = data;  // aorm's abulk_create takes its objects by value: copy outside the timing
    Sample a1 = aorm::run([](std::string path, Data& d) -> aorm::Task<Sample> {
      auto db = co_await aorm::aconnect("sqlite:" + path, {.execution = aorm::Execution::inline_});
      co_await db.acreate_tables(benchdb::app);
      auto t0 = Clock::now();
      Sample s;
      s.check = co_await aorm_w1(std::move(d));
      s.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
      co_await db.aclose();
      co_return s;
    }(aorm_db.string(), copy));
    bench::raw::Db raw_w(raw_db.string());
    raw_w.exec(benchdb::app.ddl(aorm::Dialect::sqlite));
    Sample r1 = time_it([&] { return raw_w1(raw_w, data); });
    row("W1 abulk_create", "inline").add(a1, r1);
    add_tags(aorm_db, sizes.tags, sizes.prefetch);

    for (auto policy : {aorm::Execution::inline_, aorm::Execution::workers}) {
      const char* pname = policy == aorm::Execution::inline_ ? "inline" : "workers";
      if (!policy_filter.empty() && policy_filter != pname) continue;
      // Both sides read the same file, written by aorm in W1.
      aorm::run([&]() -> aorm::Task<void> {
        auto db = co_await aorm::aconnect("sqlite:" + aorm_db.string(),
                                          {.pool_size = policy == aorm::Execution::inline_ ? 1 : sizes.pool,
                                           .execution = policy});
        bench::raw::Db raw(aorm_db.string());
        auto measure = [&](const char* name, auto aorm_side, auto raw_side) -> aorm::Task<void> {
          if (!only.empty() && std::string_view(name).substr(0, only.size()) != only) co_return;
          Sample a, r;
          const std::string aorm_label = std::string("aorm ") + name + " " + pname;
          const std::string raw_label = std::string("raw ") + name + " " + pname;
          auto run_aorm = [&]() -> aorm::Task<void> {
            BENCH_PROFILE_BEGIN();
            auto t0 = Clock::now();
            a.check = co_await aorm_side();
            a.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
            BENCH_PROFILE_END(aorm_label.c_str());
          };
          auto run_raw = [&] {
            BENCH_PROFILE_BEGIN();
            r = time_it(raw_side);
            BENCH_PROFILE_END(raw_label.c_str());
          };
          if (rep % 2 == 0) {
            co_await run_aorm();
            run_raw();
          } else {
            run_raw();
            co_await run_aorm();
          }
          row(name, pname).add(a, r);
        };
        co_await measure("W2 aget(pk)", [&] { return aorm_w2(ids); }, [&] { return raw_w2(raw, ids); });
        co_await measure("W3 acount(filter)", [&] { return aorm_w3(sizes.counts); },
                         [&] { return raw_w3(raw, sizes.counts); });
        co_await measure("W4 aiterator scan", [&] { return aorm_w4(); }, [&] { return raw_w4(raw); });
        // W7 changes the data: aorm and raw each add one to the drafts; counts must match.
        co_await measure("W5 select_related pages", [&] { return aorm_w5(sizes.pages); },
                         [&] { return raw_w5(raw, sizes.pages); });
        co_await measure("W6 prefetch_related", [&] { return aorm_w6(sizes.prefetch); },
                         [&] { return raw_w6(raw, sizes.prefetch); });
        co_await measure("W7 aupdate(F+1)", [&] { return aorm_w7(); }, [&] { return raw_w7(raw); });
        if (policy == aorm::Execution::workers) {
          co_await measure("W8 64 tasks x aget", [&] { return aorm_w8(ids, sizes); },
                           [&] { return raw_w8(aorm_db.string(), ids, sizes); });
        }
        co_await db.aclose();
      }());
    }
  }

  double max_ratio = 0;
  bool all_match = true;
  for (const auto& r : rows) {
    double a = median(r.aorm), w = median(r.raw);
    double ratio = w > 0 ? a / w : 0;
    max_ratio = std::max(max_ratio, ratio);
    all_match = all_match && r.checks_match;
    std::printf("%-22s aorm=%.3fs  raw=%.3fs  ratio=%.2f  (%s)%s\n", r.name.c_str(), a, w, ratio,
                r.policy.c_str(), r.checks_match ? "" : "  CHECK MISMATCH");
  }
  std::printf("max ratio: %.2f\n", max_ratio);
  remove_db(aorm_db);
  remove_db(raw_db);
  return all_match ? 0 : 1;
}
