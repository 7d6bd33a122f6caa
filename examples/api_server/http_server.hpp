// http_server.hpp — the HTTP/1.1 plumbing of the example API servers (examples/api_server,
// and the hand-written reference server in bench/http): a listener and keep-alive sessions
// on Boost.Beast, one io_context thread, and small helpers for JSON answers and routes.
// What a server does with a request is its Handler: a callable taking the Request and
// returning boost::asio::awaitable<Response>.
//
// Limits and bad input: a request body over ServerOptions::body_limit gets 413, a request
// that does not parse gets 400, both as {"detail": ...} and the connection is closed after
// the answer; an idle connection is closed after idle_timeout; a peer that goes away
// mid-request ends its session quietly. An exception escaping the handler is answered 500
// {"detail": "internal error"}; the session and the server go on.
#pragma once

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace api {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

using Request = http::request<http::string_body>;

/// What a handler answers: a status, a body (JSON unless content_type says otherwise) and
/// extra headers.
struct Response {
  http::status status = http::status::ok;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
};

/// `value` serialised, with `status`.
inline Response reply(const boost::json::value& value, http::status status = http::status::ok) {
  Response r;
  r.status = status;
  r.body = boost::json::serialize(value);
  return r;
}

/// `{"detail": detail}` with `status`.
inline Response error(http::status status, std::string_view detail) {
  boost::json::object o;
  o["detail"] = detail;
  return reply(o, status);
}

struct ServerOptions {
  std::size_t body_limit = 1024 * 1024;         // larger bodies: 413
  std::chrono::seconds idle_timeout{30};        // between requests of a keep-alive connection
};

/// A request target split into its path and its decoded query parameters.
struct Target {
  std::string path;
  std::map<std::string, std::string, std::less<>> query;

  /// The parameter `name` as an integer; `fallback` when absent; nullopt when present but
  /// not a decimal integer that fits (the caller answers 400).
  std::optional<std::int64_t> integer(std::string_view name, std::int64_t fallback) const {
    auto it = query.find(name);
    if (it == query.end()) return fallback;
    return parse_integer(it->second);
  }

  /// `text` as a decimal integer (an optional '-' then 1 to 18 digits), else nullopt.
  static std::optional<std::int64_t> parse_integer(std::string_view text) {
    bool negative = !text.empty() && text.front() == '-';
    if (negative) text.remove_prefix(1);
    if (text.empty() || text.size() > 18) return std::nullopt;
    std::int64_t v = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return std::nullopt;
      v = v * 10 + (c - '0');
    }
    return negative ? -v : v;
  }
};

/// Percent-decodes `s` ('+' is a space, as in forms); a malformed escape is kept as written.
inline std::string decode_component(std::string_view s) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

inline Target split_target(std::string_view target) {
  Target t;
  const std::size_t q = target.find('?');
  t.path = decode_component(target.substr(0, q));
  if (q == std::string_view::npos) return t;
  std::string_view rest = target.substr(q + 1);
  while (!rest.empty()) {
    const std::size_t amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    const std::size_t eq = pair.find('=');
    if (!pair.empty())
      t.query[decode_component(pair.substr(0, eq))] =
          eq == std::string_view::npos ? std::string() : decode_component(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return t;
}

/// `path` matches `prefix` followed by one segment and then `suffix` ("/posts/", "" matches
/// "/posts/12"): that segment, else nullopt.
inline std::optional<std::string_view> segment(std::string_view path, std::string_view prefix,
                                               std::string_view suffix = {}) {
  if (!path.starts_with(prefix) || !path.ends_with(suffix) || path.size() < prefix.size() + suffix.size())
    return std::nullopt;
  std::string_view middle = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  if (middle.empty() || middle.find('/') != std::string_view::npos) return std::nullopt;
  return middle;
}

namespace detail {

inline http::response<http::string_body> to_message(Response r, unsigned version, bool keep_alive) {
  http::response<http::string_body> res{r.status, version};
  res.set(http::field::server, "aorm-example");
  res.set(http::field::content_type, r.content_type);
  for (auto& [name, value] : r.headers) res.set(name, value);
  res.keep_alive(keep_alive);
  res.body() = std::move(r.body);
  res.prepare_payload();
  return res;
}

/// One connection: requests in order, answered one at a time, until the peer closes, an
/// error, or a request that asks to close.
template <class Handler>
net::awaitable<void> session(tcp::socket socket, Handler& handler, ServerOptions opts) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.body_limit(opts.body_limit);
    stream.expires_after(opts.idle_timeout);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, net::as_tuple(net::use_awaitable));
    (void)n;
    if (ec) {
      std::optional<Response> answer;
      if (ec == http::error::body_limit)
        answer = error(http::status::payload_too_large,
                       "request body larger than " + std::to_string(opts.body_limit) + " bytes");
      else if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
               ec != http::error::end_of_stream && ec != http::error::partial_message)
        answer = error(http::status::bad_request, "malformed HTTP request: " + ec.message());
      if (answer) {
        auto res = to_message(std::move(*answer), 11, false);
        stream.expires_after(std::chrono::seconds(5));
        co_await http::async_write(stream, res, net::as_tuple(net::use_awaitable));
      }
      break;  // end of stream, timeout, reset: nothing to answer
    }
    Request req = parser.release();
    const bool keep_alive = req.keep_alive();
    const unsigned version = req.version();
    Response r;
    try {
      r = co_await handler(std::move(req));
    } catch (const std::exception& e) {
      std::cerr << "api: handler failed: " << e.what() << "\n";
      r = error(http::status::internal_server_error, "internal error");
    }
    auto res = to_message(std::move(r), version, keep_alive);
    stream.expires_after(opts.idle_timeout);
    auto [wec, wn] = co_await http::async_write(stream, res, net::as_tuple(net::use_awaitable));
    (void)wn;
    if (wec || !keep_alive) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace detail

/// Accepts connections on `acceptor` until it is closed, each served by its own session
/// coroutine on the acceptor's executor. `handler` must outlive the server.
template <class Handler>
net::awaitable<void> serve(tcp::acceptor& acceptor, Handler& handler, ServerOptions opts = {}) {
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(net::as_tuple(net::use_awaitable));
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor.is_open()) co_return;
      continue;  // e.g. too many open files: try the next one
    }
    socket.set_option(tcp::no_delay(true), ec);
    net::co_spawn(acceptor.get_executor(), detail::session(std::move(socket), handler, opts), net::detached);
  }
}

/// An acceptor on 127.0.0.1:`port` (0: a free port the kernel picks; see local_endpoint()).
inline tcp::acceptor listen_on(net::io_context& io, std::uint16_t port, std::string_view address = "127.0.0.1") {
  tcp::endpoint endpoint(net::ip::make_address(address), port);
  tcp::acceptor acceptor(io);
  acceptor.open(endpoint.protocol());
  acceptor.set_option(net::socket_base::reuse_address(true));
  acceptor.bind(endpoint);
  acceptor.listen(net::socket_base::max_listen_connections);
  return acceptor;
}

}  // namespace api
