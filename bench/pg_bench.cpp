// bench/pg_bench.cpp — aorm's PostgreSQL backend against hand-written libpq code, measured in
// the same run, on the same server.
//
// P1, concurrent lookups: each round looks up `tasks` (64) articles by primary key.
//   aorm         gather() of `tasks` Article::objects.aget(pk == id) on one pooled
//                connection: the backend pipelines them (libpq pipeline mode).
//   blocking     the same statements, one after another, with blocking PQexecParams:
//                one network round trip each (what a synchronous ORM does).
//   pipelined    the same statements sent in one libpq pipeline, results read in order:
//                the limit for one connection (text results, as aorm asks for).
//   pipelined/b  the same with binary results: what the other result format would save.
//   pipelined/s  text results, a sync after every statement: each lookup its own implicit
//                transaction that fails alone, as aorm's backend sends them.
// P2, one big read: every article in one SELECT, decoded into C++ values.
//   aorm alist() against raw libpq with text results and with binary results.
//
// Every side materialises the same members aorm's Article holds and sums a check value;
// the sides of a workload must agree. Medians over --reps repetitions, sides interleaved.
//
//   pg_bench [--quick] [--conninfo CONNINFO] [--reps N] [--rounds N] [--tasks N] [--rows N]
//
// The server: --conninfo, else $AORM_BENCH_PG_CONNINFO, else the conninfo file of the test
// server under $AORM_TEST_PG_STATE (ctest's pg_server fixture). Without one it prints
// "aorm-postgres-skip: ..." and exits 0. The data lives in a schema of its own, dropped at
// the end. --quick: tiny sizes, one repetition: a smoke run that proves the sides agree.
#include <libpq-fe.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>
#include <unistd.h>

#include "benchdb/models.hpp"
#include "pg_uri.hpp"

using benchdb::Article;
using benchdb::Author;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string conninfo;
  int reps = 5;
  int rounds = 200;  // P1 rounds per repetition
  int tasks = 64;    // concurrent lookups per round
  int rows = 20'000; // articles (P2 reads them all)
};

/// One measured side: seconds and the check value.
struct Sample {
  double seconds = 0;
  std::int64_t check = 0;
};

template <class F>
Sample time_it(F&& f) {
  const auto t0 = Clock::now();
  const std::int64_t check = f();
  return {std::chrono::duration<double>(Clock::now() - t0).count(), check};
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error(what); }

// ---------------------------------------------------------------------------------------
// Raw libpq

using Conn = std::unique_ptr<PGconn, void (*)(PGconn*)>;
using Result = std::unique_ptr<PGresult, void (*)(PGresult*)>;

Conn connect(const std::string& conninfo) {
  Conn c(PQconnectdb(conninfo.c_str()), PQfinish);
  if (PQstatus(c.get()) != CONNECTION_OK) fail("cannot connect: " + std::string(PQerrorMessage(c.get())));
  PQsetNoticeProcessor(c.get(), [](void*, const char*) {}, nullptr);  // DROP ... CASCADE lists
  Result r(PQexec(c.get(), "SET TimeZone TO 'UTC'"), PQclear);
  return c;
}

void exec(PGconn* c, const std::string& sql) {
  Result r(PQexec(c, sql.c_str()), PQclear);
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK) fail(sql + ": " + PQresultErrorMessage(r.get()));
}

// A row as raw code materialises it: the same members aorm's Article holds.
struct RawArticle {
  std::int64_t id = 0;
  std::string title, body;
  int status = 0;
  std::int64_t views = 0, author_id = 0;
  std::int64_t created_at_us = 0;  // since the Unix epoch
};

std::int64_t int_text(const PGresult* r, int row, int col) {
  std::int64_t v = 0;
  const char* s = PQgetvalue(r, row, col);
  std::from_chars(s, s + PQgetlength(r, row, col), v);
  return v;
}

std::int64_t int_binary(const PGresult* r, int row, int col) {
  std::uint64_t v = 0;
  std::memcpy(&v, PQgetvalue(r, row, col), 8);
  return static_cast<std::int64_t>(std::endian::native == std::endian::little ? __builtin_bswap64(v) : v);
}

int status_of(std::string_view s) { return s == "draft" ? 0 : s == "published" ? 1 : 2; }

/// Row `row` of a result with the columns id, title, body, status, views, author_id,
/// created_at (in aorm's select order), text or binary format.
void read_article(const PGresult* r, int row, RawArticle& a) {
  auto text = [&](int col) { return std::string_view(PQgetvalue(r, row, col), static_cast<std::size_t>(PQgetlength(r, row, col))); };
  const bool binary = PQfformat(r, 0) == 1;
  a.id = binary ? int_binary(r, row, 0) : int_text(r, row, 0);
  a.title.assign(text(1));
  a.body.assign(text(2));
  a.status = status_of(text(3));
  a.views = binary ? int_binary(r, row, 4) : int_text(r, row, 4);
  a.author_id = binary ? int_binary(r, row, 5) : int_text(r, row, 5);
  if (binary) {
    // timestamptz: int64 microseconds since 2000-01-01 00:00 UTC.
    constexpr std::int64_t kPgEpochUs = 946'684'800'000'000;
    a.created_at_us = int_binary(r, row, 6) + kPgEpochUs;
  } else {
    a.created_at_us = aorm::parse_datetime(text(6)).time_since_epoch().count();
  }
}

std::int64_t check_of(const RawArticle& a) { return a.id + a.views + static_cast<std::int64_t>(a.title.size()); }
std::int64_t check_of(const Article& a) { return a.id + a.views + static_cast<std::int64_t>(a.title.size()); }

/// The statement aorm sends for one lookup, so that the raw sides send exactly the same:
/// its SQL, and the text of each parameter after the first (the id), e.g. aget's LIMIT.
struct Lookup {
  std::string sql;
  std::vector<std::string> rest;

  /// The parameter values for looking up `id` (pointers into `id` and `rest`).
  std::vector<const char*> values(const std::string& id) const {
    std::vector<const char*> v{id.c_str()};
    for (const std::string& r : rest) v.push_back(r.c_str());
    return v;
  }
};

/// The lookups one by one: a blocking round trip each.
std::int64_t blocking_lookups(PGconn* c, const Lookup& lookup, const std::vector<std::string>& ids) {
  std::int64_t sum = 0;
  RawArticle a;
  for (const std::string& id : ids) {
    const std::vector<const char*> values = lookup.values(id);
    Result r(PQexecParams(c, lookup.sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                          nullptr, 0),
             PQclear);
    if (PQresultStatus(r.get()) != PGRES_TUPLES_OK || PQntuples(r.get()) != 1) fail("blocking lookup failed");
    read_article(r.get(), 0, a);
    sum += check_of(a);
  }
  return sum;
}

/// The lookups in one pipeline per round of `per_round`, results read in order. With
/// `sync_each`, a sync follows every statement (each its own transaction, so one failing
/// statement fails alone: aorm's semantics); else one sync ends the round.
std::int64_t pipelined_lookups(PGconn* c, const Lookup& lookup, const std::vector<std::string>& ids,
                               std::size_t per_round, int format, bool sync_each = false) {
  std::int64_t sum = 0;
  RawArticle a;
  if (PQenterPipelineMode(c) != 1) fail("cannot enter pipeline mode");
  for (std::size_t start = 0; start < ids.size(); start += per_round) {
    const std::size_t n = std::min(per_round, ids.size() - start);
    for (std::size_t k = 0; k < n; ++k) {
      const std::vector<const char*> values = lookup.values(ids[start + k]);
      if (PQsendQueryParams(c, lookup.sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(), nullptr,
                            nullptr, format) != 1)
        fail("send failed: " + std::string(PQerrorMessage(c)));
      if (sync_each && PQpipelineSync(c) != 1) fail("sync failed");
    }
    if (!sync_each && PQpipelineSync(c) != 1) fail("sync failed");
    auto expect_sync = [&] {
      Result sync(PQgetResult(c), PQclear);
      if (PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) fail("expected the pipeline sync");
    };
    for (std::size_t k = 0; k < n; ++k) {
      while (PGresult* raw = PQgetResult(c)) {
        Result r(raw, PQclear);
        if (PQresultStatus(raw) != PGRES_TUPLES_OK || PQntuples(raw) != 1) fail("pipelined lookup failed");
        read_article(raw, 0, a);
        sum += check_of(a);
      }
      if (sync_each) expect_sync();
    }
    if (!sync_each) expect_sync();
  }
  if (PQexitPipelineMode(c) != 1) fail("cannot leave pipeline mode");
  return sum;
}

/// One SELECT of every row, decoded.
std::int64_t read_all(PGconn* c, const std::string& sql, int format) {
  Result r(PQexecParams(c, sql.c_str(), 0, nullptr, nullptr, nullptr, nullptr, format), PQclear);
  if (PQresultStatus(r.get()) != PGRES_TUPLES_OK) fail("read all: " + std::string(PQresultErrorMessage(r.get())));
  std::vector<RawArticle> rows(static_cast<std::size_t>(PQntuples(r.get())));
  std::int64_t sum = 0;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    read_article(r.get(), i, rows[static_cast<std::size_t>(i)]);
    sum += check_of(rows[static_cast<std::size_t>(i)]);
  }
  return sum;
}

// ---------------------------------------------------------------------------------------
// aorm

aorm::Task<std::int64_t> aorm_lookups(const std::vector<std::int64_t>& ids, std::size_t per_round) {
  std::int64_t sum = 0;
  for (std::size_t start = 0; start < ids.size(); start += per_round) {
    const std::size_t n = std::min(per_round, ids.size() - start);
    std::vector<aorm::Task<Article>> round;
    round.reserve(n);
    for (std::size_t k = 0; k < n; ++k) round.push_back(Article::objects.aget(Article::f.pk == ids[start + k]));
    for (const Article& a : co_await aorm::gather(std::move(round))) sum += check_of(a);
  }
  co_return sum;
}

aorm::Task<std::int64_t> aorm_read_all() {
  std::int64_t sum = 0;
  for (const Article& a : co_await Article::objects.order_by(Article::f.id).alist()) sum += check_of(a);
  co_return sum;
}

aorm::Task<void> seed(int rows) {
  std::vector<Author> authors;
  for (int i = 0; i < 100; ++i)
    authors.push_back({.name = "Author " + std::to_string(i), .email = "author" + std::to_string(i) + "@example.com"});
  authors = co_await Author::objects.abulk_create(std::move(authors));
  std::mt19937_64 rng(20261122);
  const std::string body(200, 'x');
  const aorm::DateTime base = std::chrono::sys_days{std::chrono::year{2024} / 1 / 1} + std::chrono::microseconds{0};
  std::vector<Article> articles;
  articles.reserve(static_cast<std::size_t>(rows));
  for (int i = 0; i < rows; ++i) {
    Article a;
    a.title = "Article " + std::to_string(i);
    a.body = body;
    a.status = static_cast<Article::Status>(rng() % 3);
    a.views = static_cast<std::int64_t>(rng() % 10'000);
    a.author = authors[rng() % authors.size()].id;
    a.created_at = base + std::chrono::seconds{i} + std::chrono::microseconds{i % 1000};
    articles.push_back(std::move(a));
  }
  co_await Article::objects.abulk_create(std::move(articles));
}

/// The statement aorm sends for one lookup by primary key.
aorm::Task<Lookup> lookup_statement() {
  aorm::QueryCapture cap;
  co_await Article::objects.aget(Article::f.pk == 1);
  const aorm::CapturedQuery q = cap.queries().at(0);
  Lookup lookup{q.sql, {}};
  for (std::size_t i = 1; i < q.params.size(); ++i) {
    const auto* n = std::get_if<std::int64_t>(&q.params[i]);
    if (n == nullptr) fail("unexpected parameter in aorm's lookup: " + q.sql);
    lookup.rest.push_back(std::to_string(*n));
  }
  co_return lookup;
}

std::string server_conninfo(const Options& o) {
  if (!o.conninfo.empty()) return o.conninfo;
  if (const char* env = std::getenv("AORM_BENCH_PG_CONNINFO"); env != nullptr && *env != '\0') return env;
  if (const char* state = std::getenv("AORM_TEST_PG_STATE"); state != nullptr && *state != '\0') {
    std::string line;
    if (std::ifstream f(std::string(state) + "/conninfo"); std::getline(f, line)) return line;
  }
  return {};
}

void print_row(const char* name, const std::vector<double>& secs, std::int64_t ops, double base) {
  const double m = median(secs);
  std::printf("  %-44s %9.2f ms %10.0f ops/s  %6.2fx\n", name, m * 1e3, static_cast<double>(ops) / m, base / m);
}

int run(const Options& o) {
  const std::string conninfo = server_conninfo(o);
  if (conninfo.empty()) {
    std::printf("aorm-postgres-skip: no PostgreSQL server (pass --conninfo, set AORM_BENCH_PG_CONNINFO, or run "
                "through ctest)\n");
    return 0;
  }
  const std::string schema = "aorm_pg_bench_" + std::to_string(::getpid());
  Conn admin = connect(conninfo);
  exec(admin.get(), "CREATE SCHEMA \"" + schema + "\"");
  struct DropSchema {
    PGconn* c;
    std::string sql;
    ~DropSchema() { Result r(PQexec(c, sql.c_str()), PQclear); }
  } drop{admin.get(), "DROP SCHEMA \"" + schema + "\" CASCADE"};
  const std::string url = aorm_test::uri_with_schema(conninfo, schema);

  // The ids every side looks up, as numbers (aorm) and as text parameters (libpq).
  std::mt19937_64 rng(7);
  std::vector<std::int64_t> ids(static_cast<std::size_t>(o.rounds) * static_cast<std::size_t>(o.tasks));
  for (auto& id : ids) id = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(o.rows)) + 1;
  std::vector<std::string> id_texts;
  for (std::int64_t id : ids) id_texts.push_back(std::to_string(id));
  const auto per_round = static_cast<std::size_t>(o.tasks);

  std::vector<double> t_aorm, t_block, t_pipe, t_pipe_b, t_pipe_s, t_all_aorm, t_all_text, t_all_bin;
  std::int64_t checks[8] = {};
  Lookup lookup;
  std::string all_sql;
  aorm::run([&]() -> aorm::Task<void> {
    // One connection: the pipeline, not the pool, is what P1 measures.
    aorm::Database db = co_await aorm::aconnect(url, {.pool_size = 1});
    co_await db.acreate_tables(benchdb::app);
    co_await seed(o.rows);
    lookup = co_await lookup_statement();
    {
      aorm::QueryCapture cap;
      co_await Article::objects.order_by(Article::f.id).alist();
      all_sql = cap.queries().at(0).sql;
    }
    co_await db.aclose();
  }());
  Conn raw = connect(url);

  for (int rep = 0; rep < o.reps; ++rep) {
    Sample s;
    aorm::run([&]() -> aorm::Task<void> {
      aorm::Database db = co_await aorm::aconnect(url, {.pool_size = 1});
      co_await aorm_lookups(ids, per_round);  // warm: connection, server caches
      const auto t0 = Clock::now();
      s.check = co_await aorm_lookups(ids, per_round);
      s.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
      t_aorm.push_back(s.seconds);
      checks[0] = s.check;
      const auto t1 = Clock::now();
      checks[4] = co_await aorm_read_all();
      t_all_aorm.push_back(std::chrono::duration<double>(Clock::now() - t1).count());
      co_await db.aclose();
    }());
    s = time_it([&] { return blocking_lookups(raw.get(), lookup, id_texts); });
    t_block.push_back(s.seconds);
    checks[1] = s.check;
    s = time_it([&] { return pipelined_lookups(raw.get(), lookup, id_texts, per_round, 0); });
    t_pipe.push_back(s.seconds);
    checks[2] = s.check;
    s = time_it([&] { return pipelined_lookups(raw.get(), lookup, id_texts, per_round, 1); });
    t_pipe_b.push_back(s.seconds);
    checks[3] = s.check;
    s = time_it([&] { return pipelined_lookups(raw.get(), lookup, id_texts, per_round, 0, true); });
    t_pipe_s.push_back(s.seconds);
    checks[7] = s.check;
    s = time_it([&] { return read_all(raw.get(), all_sql, 0); });
    t_all_text.push_back(s.seconds);
    checks[5] = s.check;
    s = time_it([&] { return read_all(raw.get(), all_sql, 1); });
    t_all_bin.push_back(s.seconds);
    checks[6] = s.check;
  }

  const auto lookups = static_cast<std::int64_t>(ids.size());
  std::printf("P1: %d rounds of %d concurrent lookups by primary key, one connection (%d reps, median)\n",
              o.rounds, o.tasks, o.reps);
  std::printf("  %-44s %12s %16s  %s\n", "", "time", "throughput", "vs blocking");
  const double base = median(t_block);
  print_row("blocking libpq, one after another", t_block, lookups, base);
  print_row("aorm: gather of aget() (pipelined)", t_aorm, lookups, base);
  print_row("raw pipelined libpq, text results", t_pipe, lookups, base);
  print_row("raw pipelined libpq, binary results", t_pipe_b, lookups, base);
  print_row("raw pipelined libpq, a sync per statement", t_pipe_s, lookups, base);
  std::printf("  aorm / raw pipelined with a sync per statement (the same semantics): %.2fx the time\n",
              median(t_aorm) / median(t_pipe_s));
  std::printf("P2: one SELECT of all %d articles, decoded (%d reps, median)\n", o.rows, o.reps);
  const double base2 = median(t_all_text);
  print_row("raw libpq, text results", t_all_text, o.rows, base2);
  print_row("raw libpq, binary results", t_all_bin, o.rows, base2);
  print_row("aorm: order_by(id).alist()", t_all_aorm, o.rows, base2);

  const bool agree = checks[0] == checks[1] && checks[1] == checks[2] && checks[2] == checks[3] && checks[3] == checks[7] &&
                     checks[4] == checks[5] && checks[5] == checks[6];
  std::printf("check values: P1 %lld %lld %lld %lld, P2 %lld %lld %lld: %s\n", static_cast<long long>(checks[0]),
              static_cast<long long>(checks[1]), static_cast<long long>(checks[2]), static_cast<long long>(checks[3]),
              static_cast<long long>(checks[4]), static_cast<long long>(checks[5]), static_cast<long long>(checks[6]),
              agree ? "all sides agree" : "MISMATCH");
  return agree ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  auto number = [&](int& i) {
    if (i + 1 >= argc) throw std::invalid_argument(std::string(argv[i]) + " needs a value");
    return std::stoi(argv[++i]);
  };
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string_view a = argv[i];
      if (a == "--quick") {
        o.reps = 1;
        o.rounds = 4;
        o.rows = 500;
      } else if (a == "--conninfo" && i + 1 < argc) {
        o.conninfo = argv[++i];
      } else if (a == "--reps") {
        o.reps = std::max(1, number(i));
      } else if (a == "--rounds") {
        o.rounds = std::max(1, number(i));
      } else if (a == "--tasks") {
        o.tasks = std::max(1, number(i));
      } else if (a == "--rows") {
        o.rows = std::max(1, number(i));
      } else {
        std::fprintf(stderr, "usage: pg_bench [--quick] [--conninfo CONNINFO] [--reps N] [--rounds N] [--tasks N] "
                             "[--rows N]\n");
        return 2;
      }
    }
    return run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pg_bench: %s\n", e.what());
    return 1;
  }
}
