// handlers.hpp — the seeds' API handlers (shared/seeds/004: async handlers of an API
// framework; 002: "when async helps") over the blog models, as aorm tasks. Each takes what
// the route parsed and answers a Response; the routing and the HTTP plumbing are in
// server.cpp and http_server.hpp. The JSON comes from the generated blog/json.hpp.
//
//   GET  /articles?page=&page_size=   published articles, newest first, with author and tags
//   GET  /posts/{id}                  one article with author, tags and comments (with authors)
//   GET  /stats                       counts and the average of views
//   POST /articles                    {"title", "slug", "body"?, "status"?, "author_id"} -> 201
//   POST /transfer                    {"from_id", "to_id", "amount"} (cents) -> 200, or 409
//   GET  /articles/{id}/with-external the article and another service's answer, fetched at once
#pragma once

#include <aorm/aorm.hpp>
#include <aorm/asio.hpp>

#include <cstdint>
#include <string>

#include "http_server.hpp"

namespace api {

/// Where GET /articles/{id}/with-external sends its request ("other service").
struct Endpoint {
  std::string host = "127.0.0.1";
  std::string port;
  std::string target = "/external/quote";
};

aorm::Task<Response> list_articles(std::int64_t page, std::int64_t page_size);
aorm::Task<Response> get_post(std::int64_t id);
aorm::Task<Response> stats();
aorm::Task<Response> create_article(std::string body);
aorm::Task<Response> transfer(std::string body);
aorm::Task<Response> article_with_external(std::int64_t id, net::any_io_executor executor, Endpoint external);

/// Fills an empty database with a small blog (authors, tags, articles with comments) and
/// two accounts, "alice" and "bob", with 100.00 each; leaves a non-empty one alone.
aorm::Task<void> seed_if_empty(int articles);

}  // namespace api
