// server_process.hpp — the HTTP tests' view of examples/api_server: a child process started
// on a free 127.0.0.1 port, and curl (Debian's package) as the client, the way a user would
// poke at it.
//
//   http_test::Server server("sqlite:/tmp/x.db");          // waits until it listens
//   http_test::Reply r = http_test::curl(server, "GET", "/posts/1");
//   CHECK(r.status == 200); CHECK(r.json().at("title") == "Article 1");
#pragma once

#include <boost/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <sys/types.h>

namespace http_test {

/// api_server running in a child process, stopped (SIGTERM, then reaped) on destruction.
class Server {
 public:
  /// Starts api_server with --db `url` --port 0 --seed `articles` --count-queries, and waits
  /// (up to 30 s) for its "listening on" line. Throws std::runtime_error with what the
  /// server printed when it exits or does not listen in time.
  explicit Server(const std::string& url, int articles = 30);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  std::string base() const { return "http://127.0.0.1:" + std::to_string(port_); }
  /// Whether the process is still running (it did not crash).
  bool alive();

 private:
  pid_t pid_ = -1;
  int stdout_fd_ = -1;
  std::uint16_t port_ = 0;
};

/// One answer as curl saw it.
struct Reply {
  int status = 0;                                // 0: no HTTP answer (connection failed)
  std::map<std::string, std::string> headers;    // names in lower case
  std::string body;

  /// The body parsed as JSON (throws on a body that is not JSON).
  boost::json::value json() const { return boost::json::parse(body); }
  /// X-Aorm-Queries as a number, -1 when absent.
  int queries() const;
};

/// `curl -X method base+target`, with `body` (sent as application/json) when not empty.
Reply curl(const Server& server, const std::string& method, const std::string& target, const std::string& body = {});
/// A body from a file (for bodies too large for a command line).
Reply curl_file(const Server& server, const std::string& method, const std::string& target, const std::string& path);

/// Runs `curl --parallel` over `targets` (GET, one connection each, at most `at_once` at a
/// time); returns each answer's status in order.
std::vector<int> curl_parallel(const Server& server, const std::vector<std::string>& targets, int at_once);

}  // namespace http_test
