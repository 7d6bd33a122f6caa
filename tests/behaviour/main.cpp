// The main of behaviour_tests and the shared fixture (blog_fixture.hpp).
//
//   behaviour_tests [doctest options]                          SQLite, both execution policies
//   behaviour_tests --aorm-backend=postgres [doctest options]  PostgreSQL
#define DOCTEST_CONFIG_IMPLEMENT
#include "blog_fixture.hpp"

#include <libpq-fe.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <unistd.h>

namespace behaviour {
namespace {

bool g_postgres = false;

/// A unique name for a test database: aorm_behaviour_<pid>_<n> (ctest runs test processes
/// in parallel against one server).
std::string unique_name() {
  static std::atomic<int> counter{0};
  return "aorm_behaviour_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
}

/// Percent-encodes `s` for a URI component.
std::string uri_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

/// `conninfo` (key=value or URI) as a postgresql:// URI whose sessions use `schema` as
/// their search_path.
std::string uri_with_schema(const std::string& conninfo, const std::string& schema) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> options(PQconninfoParse(conninfo.c_str(), &error),
                                                                          PQconninfoFree);
  if (!options) {
    const std::string why = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    throw std::runtime_error("bad PostgreSQL test conninfo '" + conninfo + "': " + why);
  }
  std::string query = "options=" + uri_encode("-c search_path=" + schema);
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val == nullptr || *o->val == '\0') continue;
    const std::string_view key = o->keyword;
    if (key == "options") throw std::runtime_error("the PostgreSQL test conninfo must not set options");
    query += "&" + std::string(key) + "=" + uri_encode(o->val);
  }
  return "postgresql:///?" + query;
}

/// Runs `sql` on the test server over a short-lived blocking connection.
void admin(const std::string& sql) {
  std::unique_ptr<PGconn, void (*)(PGconn*)> conn(PQconnectdb(postgres_server().c_str()), PQfinish);
  if (PQstatus(conn.get()) != CONNECTION_OK)
    throw std::runtime_error("cannot connect to the PostgreSQL test server: " +
                             std::string(PQerrorMessage(conn.get())));
  PQsetNoticeProcessor(conn.get(), [](void*, const char*) {}, nullptr);  // DROP ... CASCADE lists
  std::unique_ptr<PGresult, void (*)(PGresult*)> r(PQexec(conn.get(), sql.c_str()), PQclear);
  if (PQresultStatus(r.get()) != PGRES_COMMAND_OK)
    throw std::runtime_error(sql + ": " + PQresultErrorMessage(r.get()));
}

}  // namespace

bool postgres_run() noexcept { return g_postgres; }

std::string postgres_server() {
  if (const char* env = std::getenv("AORM_TEST_PG_CONNINFO"); env != nullptr && *env != '\0') return env;
  if (const char* state = std::getenv("AORM_TEST_PG_STATE"); state != nullptr && *state != '\0') {
    std::string line;
    if (std::ifstream conninfo(std::string(state) + "/conninfo"); std::getline(conninfo, line)) return line;
  }
  return {};
}

/// Why there is no PostgreSQL server (the line pg_server.sh wrote, or how to get one).
std::string no_server_reason() {
  if (const char* state = std::getenv("AORM_TEST_PG_STATE"); state != nullptr && *state != '\0') {
    std::string line;
    if (std::ifstream skip(std::string(state) + "/skip"); std::getline(skip, line) && !line.empty()) return line;
    return "the test server did not start (see the postgres.server.start test's output)";
  }
  return "no PostgreSQL test server: run the suite through ctest, or set AORM_TEST_PG_CONNINFO";
}

TempDatabase::TempDatabase(Backend backend) : backend_(backend), name_(unique_name()) {
  if (backend_ == Backend::postgres) {
    admin("CREATE SCHEMA \"" + name_ + "\"");
    url_ = uri_with_schema(postgres_server(), name_);
    return;
  }
  name_ = (std::filesystem::temp_directory_path() / (name_ + ".db")).string();
  std::error_code ec;
  std::filesystem::remove(name_, ec);
  url_ = "sqlite:" + name_;
}

TempDatabase::~TempDatabase() {
  if (backend_ == Backend::postgres) {
    try {
      admin("DROP SCHEMA \"" + name_ + "\" CASCADE");
    } catch (const std::exception& e) {  // a leftover schema must not fail a test
      std::fprintf(stderr, "warning: %s\n", e.what());
    }
    return;
  }
  std::error_code ec;  // best effort: a leftover temp file must not fail a test
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) std::filesystem::remove(name_ + suffix, ec);
}

aorm::ConnectOptions TempDatabase::options(std::string_view alias) const {
  aorm::ConnectOptions opts;
  opts.alias = alias;
  opts.execution = backend_ == Backend::sqlite_inline ? aorm::Execution::inline_ : aorm::Execution::workers;
  return opts;
}

aorm::Task<void> Blog::seed() {
  // Named locals, not braced temporaries, inside co_await: g++ 12 destroys those twice
  // (TOOLCHAIN.md, bug 2). The suite follows that rule so that it also runs when built with
  // g++; write_test.cpp checks the braced form API.md shows with clang++ only.
  Author ada_row{.name = "Ada Lovelace", .email = "ada@example.com"};
  Author linus_row{.name = "Linus", .email = "linus@example.com"};
  ada = co_await Author::objects.acreate(ada_row);
  linus = co_await Author::objects.acreate(linus_row);

  std::vector<Tag> tags{{.name = "cpp"}, {.name = "python"}, {.name = "databases"}};
  tags = co_await Tag::objects.abulk_create(std::move(tags));
  cpp = tags[0];
  python = tags[1];
  databases = tags[2];

  auto make = [&](const char* title, const char* slug, std::optional<std::string> body,
                  Article::Status status, std::int64_t views, std::optional<double> rating,
                  const Author& author, std::optional<aorm::DateTime> published_at) {
    return Article{.title = title, .slug = slug, .body = std::move(body), .status = status,
                   .views = views, .rating = rating, .author = author, .published_at = published_at};
  };
  hello = co_await Article::objects.acreate(make("Hello World", "hello-world", "First post",
      Article::Status::published, 10, 4.5, ada, at(2024, 1, 15, 9, 30)));
  async_cpp = co_await Article::objects.acreate(make("Async C++ in practice", "async-cpp",
      "co_await everything", Article::Status::published, 25, 3.0, ada, at(2024, 3, 2, 18, 5)));
  draft = co_await Article::objects.acreate(make("Draft notes", "draft-notes", std::nullopt,
      Article::Status::draft, 0, std::nullopt, linus, std::nullopt));
  odd = co_await Article::objects.acreate(make("100% pure_C\\ode", "odd-chars",
      "percent, underscore, backslash", Article::Status::archived, 5, 2.0, linus,
      at(2023, 12, 31, 23, 59)));

  // auto_now_add stamped "now"; pin created_at so that the default ordering is known.
  const auto& f = Article::f;
  co_await Article::objects.filter(f.pk == hello.id).aupdate(f.created_at = at(2024, 1, 10));
  co_await Article::objects.filter(f.pk == async_cpp.id).aupdate(f.created_at = at(2024, 2, 20));
  co_await Article::objects.filter(f.pk == draft.id).aupdate(f.created_at = at(2024, 4, 1));
  co_await Article::objects.filter(f.pk == odd.id).aupdate(f.created_at = at(2023, 12, 1));
  for (Article* a : {&hello, &async_cpp, &draft, &odd}) co_await a->arefresh_from_db();
}

void run_blog(Backend backend, const BlogBody& body) {
  TempDatabase database(backend);
  aorm::run([&]() -> aorm::Task<void> {
    Blog state;
    state.backend = backend;
    state.db = co_await aorm::aconnect(database.url(), database.options());
    co_await state.db.acreate_tables(blog::app);
    std::exception_ptr failure;
    try {
      co_await body(state);
    } catch (...) {
      failure = std::current_exception();
    }
    co_await state.db.aclose();
    if (failure) std::rethrow_exception(failure);
  }());
}

void for_each_backend(const BlogBody& body) {
  if (postgres_run()) {
    if (postgres_server().empty()) {
      std::printf("aorm-postgres-skip: %s\n", no_server_reason().c_str());
      return;
    }
    SUBCASE("on PostgreSQL") { run_blog(Backend::postgres, body); }
    return;
  }
  SUBCASE("on SQLite with worker threads") { run_blog(Backend::sqlite_workers, body); }
  SUBCASE("on SQLite inline on the loop thread") { run_blog(Backend::sqlite_inline, body); }
}

std::int64_t statements_starting_with(const aorm::QueryCapture& cap, std::string_view verb) {
  std::int64_t n = 0;
  for (const auto& q : cap.queries())
    if (std::string_view(q.sql).substr(0, verb.size()) == verb) ++n;
  return n;
}

}  // namespace behaviour

int main(int argc, char** argv) {
  // --aorm-backend=postgres|sqlite is ours; everything else is doctest's.
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--aorm-backend=postgres") {
      behaviour::g_postgres = true;
    } else if (a == "--aorm-backend=sqlite") {
      behaviour::g_postgres = false;
    } else if (a.starts_with("--aorm-backend")) {
      std::fprintf(stderr, "unknown %s (expected --aorm-backend=sqlite or --aorm-backend=postgres)\n", argv[i]);
      return 2;
    } else {
      args.push_back(argv[i]);
    }
  }
  doctest::Context context(static_cast<int>(args.size()), args.data());
  return context.run();
}
