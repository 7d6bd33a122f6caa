// Connecting: conninfo forms, session set-up, configuration errors, unreachable servers
// and the connect timeout.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "aorm/database.hpp"
#include "aorm/url.hpp"
#include "support.hpp"

using namespace std::chrono_literals;
using aorm::Task;

namespace {

/// A TCP socket on 127.0.0.1 with a kernel-chosen port; closed with the object.
class LocalSocket {
 public:
  LocalSocket() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    REQUIRE(fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
  }
  ~LocalSocket() { close(); }
  LocalSocket(const LocalSocket&) = delete;
  LocalSocket& operator=(const LocalSocket&) = delete;

  /// Accepts connections into the backlog but never reads or answers.
  void listen() { REQUIRE(::listen(fd_, 8) == 0); }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

}  // namespace

TEST_CASE("a key=value conninfo and a postgresql:// URI both connect in UTC and UTF8") {
  PG_SERVER_OR_SKIP(conninfo);
  // The test server's conninfo is key=value; build the same target as a URI.
  std::string port;
  const auto at = conninfo.find("port=");
  REQUIRE(at != std::string::npos);
  port = conninfo.substr(at + 5, conninfo.find(' ', at) - at - 5);
  const std::string uri = "postgresql://postgres@127.0.0.1:" + port + "/postgres?application_name=aorm_uri_test";

  aorm::run([&]() -> Task<void> {
    for (const std::string& target : {conninfo, uri}) {
      CAPTURE(target);
      auto backend = co_await pgtest::open(target, 2);
      CHECK(backend->dialect() == aorm::Dialect::postgres);
      CHECK(co_await pgtest::scalar(*backend, "SELECT current_setting('TimeZone')") == "UTC");
      CHECK(co_await pgtest::scalar(*backend, "SELECT current_setting('client_encoding')") == "UTF8");
      CHECK(co_await pgtest::scalar(*backend, "SELECT '2024-01-02 03:04:05+02'::timestamptz::text") ==
            "2024-01-02 01:04:05+00");
      co_await backend->close();
    }
    // The URI's own options reach the server untouched.
    auto backend = co_await pgtest::open(uri, 1);
    CHECK(co_await pgtest::scalar(*backend, "SELECT current_setting('application_name')") == "aorm_uri_test");
    co_await backend->close();
  }());
}

TEST_CASE("a malformed conninfo raises ConfigError without connecting") {
  // No server needed: the string is rejected before any connection is attempted.
  const std::vector<std::string> bad = {
      "host=127.0.0.1 port",                                 // missing "=" after "port"
      "postgresql://127.0.0.1/postgres?no_such_option=1",    // unknown URI parameter
      "host=127.0.0.1 no_such_keyword=1",                    // unknown keyword
      "host=127.0.0.1 connect_timeout=soon",                 // not a number of seconds
      "host='127.0.0.1",                                     // unterminated quote
  };
  for (const std::string& conninfo : bad) {
    CAPTURE(conninfo);
    CHECK_THROWS_AS(aorm::run(pgtest::open(conninfo)), aorm::ConfigError);
  }
  try {
    aorm::run(pgtest::open("host=127.0.0.1 password=hunter2 no_such_keyword=1"));
    FAIL("no ConfigError");
  } catch (const aorm::ConfigError& e) {
    const std::string what = e.what();
    CHECK(what.find("no_such_keyword") != std::string::npos);
    CHECK(what.find("hunter2") == std::string::npos);  // the string may hold a password
  }
}

TEST_CASE("connecting to a port nobody listens on raises OperationalError at once") {
  LocalSocket socket;  // a port that was free a moment ago, now closed: connection refused
  const int port = socket.port();
  socket.close();
  const auto start = std::chrono::steady_clock::now();
  try {
    aorm::run(pgtest::open("host=127.0.0.1 port=" + std::to_string(port) + " user=postgres", 2, 5000ms));
    FAIL("no OperationalError");
  } catch (const aorm::OperationalError& e) {
    CHECK(std::string(e.what()).find("could not connect") != std::string::npos);
    CHECK(e.backend() == "postgresql");
    CHECK(e.code().substr(0, 2) == "08");
  }
  CHECK(pgtest::seconds_since(start) < 2.0);
}

TEST_CASE("a server that never answers fails the connect with OperationalError when the timeout expires") {
  LocalSocket socket;
  socket.listen();  // the TCP handshake completes; libpq then waits for an answer forever
  const std::string conninfo = "host=127.0.0.1 port=" + std::to_string(socket.port()) + " user=postgres";

  SUBCASE("the timeout given to the factory") {
    const auto start = std::chrono::steady_clock::now();
    try {
      aorm::run(pgtest::open(conninfo, 1, 300ms));
      FAIL("no OperationalError");
    } catch (const aorm::OperationalError& e) {
      CHECK(std::string(e.what()).find("timeout expired after 300 ms") != std::string::npos);
    }
    const double elapsed = pgtest::seconds_since(start);
    CHECK(elapsed >= 0.29);
    CHECK(elapsed < 2.0);
  }
  SUBCASE("the conninfo's connect_timeout") {
    const auto start = std::chrono::steady_clock::now();
    CHECK_THROWS_AS(aorm::run(pgtest::open(conninfo + " connect_timeout=1", 1)), aorm::OperationalError);
    const double elapsed = pgtest::seconds_since(start);
    CHECK(elapsed >= 0.99);
    CHECK(elapsed < 3.0);
  }
  SUBCASE("other tasks keep running while a connect waits") {
    aorm::run([&]() -> Task<void> {
      int ticks = 0;
      auto ticker = [&]() -> Task<void> {
        for (int i = 0; i < 5; ++i) {
          co_await aorm::sleep(20ms);
          ++ticks;
        }
      };
      auto connect = [&]() -> Task<void> {
        CHECK_THROWS_AS(co_await pgtest::open(conninfo, 1, 300ms), aorm::OperationalError);
        CHECK(ticks == 5);  // the loop was never blocked by the connect
      };
      co_await aorm::gather(ticker(), connect());
    }());
  }
}

// Every PostgreSQL error that follows a URL given to aconnect(), with a password in it:
// none repeats the password (`./dev test` also greps the whole run's logs for it).
TEST_CASE("aconnect errors on PostgreSQL URLs never repeat the URL's password") {
  const std::string pw = "s3cret-aorm-test-pw";
  const auto message_of = [](const std::string& url) -> std::string {
    try {
      aorm::run(aorm::aconnect(url, {.pool_size = 1, .alias = "pw_test"}));
    } catch (const aorm::Error& e) {
      return e.what();
    }
    return {};
  };
  LocalSocket socket;  // a port that was free a moment ago, now closed: connection refused
  const std::string closed = std::to_string(socket.port());
  socket.close();
  struct Case {
    std::string url;
    bool quotes_url;  // whether the message quotes the URL (then masked, with ***)
  };
  const Case cases[] = {
      {"postgresql://app:" + pw + "@127.0.0.1:" + closed + "/x", false},              // nobody listening
      {"postgresql://app:" + pw + "@127.0.0.1:" + closed + "/x?connect_timeout=soon", false},
      {"postgresql://app:" + pw + "@[::1/x", true},                                   // libpq quotes the URI
      {"postgresql://app:" + pw + "/x@127.0.0.1:" + closed + "/x", false},            // libpq: port "s3cret..."
      {"postgresql://127.0.0.1:" + closed + "/x?password=" + pw + "&no_such_option=1", false},
      {"postgres://app:" + pw + "@127.0.0.1:" + closed + "/x?password=" + pw, false},
  };
  for (const Case& c : cases) {
    CAPTURE(aorm::redact_url(c.url));
    const std::string what = message_of(c.url);
    CAPTURE(aorm::detail::mask_secrets(what, {pw}));
    CHECK(!what.empty());
    CHECK(what.find(pw) == std::string::npos);
    if (c.quotes_url) CHECK(what.find("***") != std::string::npos);
  }

  // A database that does not exist, on the test server (trust authentication: the password
  // is accepted and ignored).
  PG_SERVER_OR_SKIP(conninfo);
  const auto at = conninfo.find("port=");
  REQUIRE(at != std::string::npos);
  const std::string port = conninfo.substr(at + 5, conninfo.find(' ', at) - at - 5);
  const std::string what = message_of("postgresql://postgres:" + pw + "@127.0.0.1:" + port + "/aorm_no_such_db");
  CAPTURE(aorm::detail::mask_secrets(what, {pw}));
  CHECK(what.find("aorm_no_such_db") != std::string::npos);
  CHECK(what.find(pw) == std::string::npos);
}
