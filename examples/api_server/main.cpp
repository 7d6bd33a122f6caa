// api_server — the seeds' API handlers served over HTTP/1.1 (Boost.Beast) with aorm running on
// the server's io_context: one thread, no thread hop per query.
//
//   api_server --db URL [--port N] [--seed ARTICLES] [--inline] [--count-queries] [--external HOST:PORT]
//
//   --db URL          sqlite:FILE, sqlite::memory: or postgresql://... (tables are created
//                     when missing)
//   --port N          127.0.0.1:N; 0 (the default) lets the kernel pick a free port
//   --seed ARTICLES   fill an empty database with a small blog of that many articles and two
//                     accounts (alice and bob, 100.00 each); default 0: none
//   --inline          SQLite: run statements on the io_context thread (Execution::inline_)
//                     instead of the default worker threads (fewer hand-offs per statement; a
//                     slow statement then holds up the other requests)
//   --count-queries   each answer carries X-Aorm-Queries: the statements sent while it was
//                     handled (a QueryCapture: exact when requests do not overlap; for tests)
//   --external H:P    where GET /articles/{id}/with-external sends its request; default: this
//                     server's own GET /external/quote (which answers after 20 ms)
//
// Once it listens it prints one line, "api_server listening on http://127.0.0.1:PORT", and
// serves until SIGINT or SIGTERM.
#include <boost/asio/signal_set.hpp>

#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "bank/models.hpp"
#include "blog/models.hpp"
#include "handlers.hpp"
#include "http_server.hpp"

namespace api {
namespace {

using namespace std::chrono_literals;

struct Options {
  std::string db;
  std::uint16_t port = 0;
  int seed = 0;
  bool count_queries = false;
  bool inline_sqlite = false;
  std::optional<Endpoint> external;
};

[[noreturn]] void usage(std::string_view why) {
  std::cerr << "api_server: " << why
            << "\nusage: api_server --db URL [--port N] [--seed ARTICLES] [--inline] [--count-queries] [--external HOST:PORT]\n";
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= argc) usage(std::string(arg) + " needs a value");
      return argv[++i];
    };
    if (arg == "--db") {
      o.db = value();
    } else if (arg == "--port") {
      auto n = Target::parse_integer(value());
      if (!n || *n < 0 || *n > 65535) usage("--port takes a number from 0 to 65535");
      o.port = static_cast<std::uint16_t>(*n);
    } else if (arg == "--seed") {
      auto n = Target::parse_integer(value());
      if (!n || *n < 0 || *n > 1000000) usage("--seed takes a number of articles from 0 to 1000000");
      o.seed = static_cast<int>(*n);
    } else if (arg == "--inline") {
      o.inline_sqlite = true;
    } else if (arg == "--count-queries") {
      o.count_queries = true;
    } else if (arg == "--external") {
      const std::string_view hp = value();
      const std::size_t colon = hp.rfind(':');
      if (colon == std::string_view::npos || colon == 0) usage("--external takes HOST:PORT");
      o.external = Endpoint{std::string(hp.substr(0, colon)), std::string(hp.substr(colon + 1))};
    } else {
      usage("unknown argument '" + std::string(arg) + "'");
    }
  }
  if (o.db.empty()) usage("--db is required");
  return o;
}

/// Adds X-Aorm-Queries to the answer of `task`: the statements sent while it ran.
aorm::Task<Response> counted(aorm::Task<Response> task) {
  aorm::QueryCapture capture;
  Response r = co_await std::move(task);
  r.headers.emplace_back("X-Aorm-Queries", std::to_string(capture.count()));
  co_return r;
}

/// The routes: parses what each handler needs, answers 400/404/405 for what does not fit, and
/// runs the handler's aorm task on this io_context (aorm::asio::async_run).
class Router {
 public:
  Router(net::any_io_executor executor, Endpoint external, bool count_queries)
      : executor_(std::move(executor)), external_(std::move(external)), count_queries_(count_queries) {}

  net::awaitable<Response> operator()(Request req) {
    const Target t = split_target(req.target());
    const http::verb verb = req.method();
    if (t.path == "/articles") {
      if (verb == http::verb::get) {
        auto page = t.integer("page", 1), size = t.integer("page_size", 20);
        if (!page || *page < 1) co_return error(http::status::bad_request, "page must be a positive integer");
        if (!size || *size < 1 || *size > 100)
          co_return error(http::status::bad_request, "page_size must be an integer from 1 to 100");
        co_return co_await run(list_articles(*page, *size));
      }
      if (verb == http::verb::post) co_return co_await run(create_article(std::move(req.body())));
      co_return not_allowed("GET, POST");
    }
    if (auto id = segment(t.path, "/posts/")) {
      if (verb != http::verb::get) co_return not_allowed("GET");
      auto n = Target::parse_integer(*id);
      if (!n) co_return error(http::status::bad_request, "the article id must be an integer");
      co_return co_await run(get_post(*n));
    }
    if (auto id = segment(t.path, "/articles/", "/with-external")) {
      if (verb != http::verb::get) co_return not_allowed("GET");
      auto n = Target::parse_integer(*id);
      if (!n) co_return error(http::status::bad_request, "the article id must be an integer");
      co_return co_await run(article_with_external(*n, executor_, external_));
    }
    if (t.path == "/stats") {
      if (verb != http::verb::get) co_return not_allowed("GET");
      co_return co_await run(stats());
    }
    if (t.path == "/transfer") {
      if (verb != http::verb::post) co_return not_allowed("POST");
      co_return co_await run(transfer(std::move(req.body())));
    }
    if (t.path == "/external/quote") {  // the "other service" of with-external: slow on purpose
      if (verb != http::verb::get) co_return not_allowed("GET");
      net::steady_timer timer(executor_, 20ms);
      co_await timer.async_wait(net::use_awaitable);
      boost::json::object o;
      o["quote"] = "Premature optimization is the root of all evil.";
      co_return reply(o);
    }
    co_return error(http::status::not_found, "no route for " + std::string(http::to_string(verb)) + " " + t.path);
  }

 private:
  net::awaitable<Response> run(aorm::Task<Response> task) {
    if (count_queries_) task = counted(std::move(task));
    co_return co_await aorm::asio::async_run(std::move(task), net::use_awaitable);
  }
  static Response not_allowed(std::string allow) {
    Response r = error(http::status::method_not_allowed, "method not allowed; allowed: " + allow);
    r.headers.emplace_back("Allow", std::move(allow));
    return r;
  }

  net::any_io_executor executor_;
  Endpoint external_;
  bool count_queries_;
};

aorm::Task<aorm::Database> open_database(std::string url, int seed, bool inline_sqlite) {
  aorm::ConnectOptions opts;
  if (inline_sqlite) opts.execution = aorm::Execution::inline_;
  aorm::Database db = co_await aorm::aconnect(url, opts);
  co_await db.acreate_tables(blog::app);
  co_await db.acreate_tables(bank::app);
  if (seed > 0) co_await seed_if_empty(seed);
  co_return db;
}

}  // namespace
}  // namespace api

int main(int argc, char** argv) {
  using namespace api;
  const Options opts = parse(argc, argv);
  net::io_context io(1);  // one thread runs it: aorm's tasks and the server's coroutines alike
  aorm::asio::Host host(io);
  std::optional<aorm::Database> db;
  std::optional<tcp::acceptor> acceptor;
  std::optional<Router> router;
  int status = 0;

  net::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (ec) return;
    if (acceptor) acceptor->close();
    io.stop();
  });

  auto start = [&]() -> net::awaitable<void> {
    db = co_await aorm::asio::async_run(open_database(opts.db, opts.seed, opts.inline_sqlite), net::use_awaitable);
    acceptor.emplace(listen_on(io, opts.port));
    const std::uint16_t port = acceptor->local_endpoint().port();
    router.emplace(io.get_executor(), opts.external.value_or(Endpoint{"127.0.0.1", std::to_string(port)}),
                   opts.count_queries);
    std::cout << "api_server listening on http://127.0.0.1:" << port << std::endl;
    co_await serve(*acceptor, *router);
  };
  net::co_spawn(io, start(), [&](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      std::cerr << "api_server: " << x.what() << "\n";
    }
    status = 1;
    io.stop();
  });
  io.run();
  return status;
}
