// examples/api_server through a real client: curl against the server on a free 127.0.0.1
// port, on a SQLite file and (the "postgres." run) on a schema of the throwaway PostgreSQL
// server. Status codes and JSON bodies are checked field by field; X-Aorm-Queries (the
// server's --count-queries) keeps the N+1 fixed; bad input gets a 4xx JSON error or a clean
// close, and the server keeps serving afterwards.
//
// The seeded data (handlers.cpp, seed_if_empty(30)): 30 articles "Article i" (slug
// "article-i", views i % 97, a draft when i % 4 == 0, so 23 published), 2 tags and 2
// comments each, 3 authors; accounts alice (id 1) and bob (id 2) with 10000 cents each.
#include <doctest/doctest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "backends.hpp"
#include "server_process.hpp"

namespace {

using http_test::curl;
using http_test::Reply;
using http_test::Server;
namespace json = boost::json;

/// Runs `body` with a server on a fresh database of this run's backend.
template <class F>
void with_server(F body) {
  if (aorm_test::skip_without_server()) return;
  const aorm_test::TempDatabase database(aorm_test::postgres_run() ? aorm_test::Backend::postgres
                                                                   : aorm_test::Backend::sqlite_workers);
  Server server(database.url());
  body(server);
  CHECK(server.alive());
}

std::string detail_of(const Reply& r) { return std::string(r.json().at("detail").as_string()); }

}  // namespace

TEST_CASE("GET /articles pages the published articles with author and tags in 3 queries") {
  with_server([](Server& server) {
    const Reply r = curl(server, "GET", "/articles?page=1&page_size=5");
    REQUIRE(r.status == 200);
    CHECK(r.headers.at("content-type") == "application/json");
    const json::object page = r.json().as_object();
    CHECK(page.at("total") == 23);
    CHECK(page.at("page") == 1);
    CHECK(page.at("pages") == 5);
    const json::array& items = page.at("items").as_array();
    REQUIRE(items.size() == 5);
    for (const json::value& item : items) {
      CHECK(item.at("status") == "published");
      CHECK(item.at("author").is_object());  // select_related: nested, not an id
      CHECK(item.at("author").at("name").is_string());
      CHECK(item.at("tags").as_array().size() == 2);  // prefetched
      CHECK(item.at("tags").at(0).at("name").is_string());
    }
    CHECK(r.queries() == 3);  // the count, the page with authors, the page's tags
    const Reply last = curl(server, "GET", "/articles?page=5&page_size=5");
    REQUIRE(last.status == 200);
    CHECK(last.json().at("items").as_array().size() == 3);
    CHECK(last.queries() == 3);  // the same for any page: no N+1
    const Reply bigger = curl(server, "GET", "/articles?page_size=20");
    CHECK(bigger.json().at("items").as_array().size() == 20);
    CHECK(bigger.queries() == 3);
  });
}

TEST_CASE("GET /posts/{id} nests author, tags and comments with their authors in 4 queries") {
  with_server([](Server& server) {
    const Reply r = curl(server, "GET", "/posts/3");
    REQUIRE(r.status == 200);
    const json::object post = r.json().as_object();
    CHECK(post.at("id") == 3);
    CHECK(post.at("title") == "Article 3");
    CHECK(post.at("slug") == "article-3");
    CHECK(post.at("views") == 3);
    CHECK(post.at("author").at("name").is_string());
    CHECK(post.at("tags").as_array().size() == 2);
    const json::array& comments = post.at("comments").as_array();
    REQUIRE(comments.size() == 2);
    CHECK(comments.at(0).at("body").as_string().starts_with("Comment "));
    CHECK(comments.at(0).at("author").at("email").as_string().ends_with("@example.com"));
    CHECK(r.queries() == 4);  // post + author, tags, comments, the comments' authors
    const Reply missing = curl(server, "GET", "/posts/999999");
    CHECK(missing.status == 404);
    CHECK(detail_of(missing) == "article 999999 does not exist");
  });
}

TEST_CASE("GET /stats aggregates with a conditional count and an average") {
  with_server([](Server& server) {
    const Reply r = curl(server, "GET", "/stats");
    REQUIRE(r.status == 200);
    const json::object s = r.json().as_object();
    CHECK(s.at("total") == 30);
    CHECK(s.at("published") == 23);
    CHECK(s.at("avg_views").as_double() == doctest::Approx(15.5));  // views 1..30
    CHECK(r.queries() == 1);
  });
}

TEST_CASE("POST /articles validates, creates (201), refuses a duplicate slug (409)") {
  with_server([](Server& server) {
    const Reply created = curl(server, "POST", "/articles",
                               R"({"title": "Say \"hi\"\n", "slug": "say-hi", "status": "published", "author_id": 1})");
    REQUIRE(created.status == 201);
    const json::object a = created.json().as_object();
    CHECK(a.at("title") == "Say \"hi\"\n");
    CHECK(a.at("status") == "published");
    CHECK(a.at("author") == 1);  // not loaded: the id
    const std::int64_t id = a.at("id").as_int64();
    const Reply read = curl(server, "GET", "/posts/" + std::to_string(id));
    CHECK(read.json().at("title") == "Say \"hi\"\n");

    const Reply duplicate = curl(server, "POST", "/articles", R"({"title": "x", "slug": "say-hi", "author_id": 1})");
    CHECK(duplicate.status == 409);
    CHECK(detail_of(duplicate) == "an article with the slug 'say-hi' exists already");

    const Reply invalid = curl(server, "POST", "/articles",
                               R"({"title": "", "slug": 7, "status": "deleted", "author_id": 424242})");
    REQUIRE(invalid.status == 400);
    const json::object errors = invalid.json().at("errors").as_object();
    CHECK(errors.at("title").at(0) == "this field may not be blank");
    CHECK(errors.at("slug").at(0) == "expected a string");
    CHECK(errors.at("status").at(0) == "'deleted' is not one of draft, published, archived");
    CHECK(errors.at("author_id").at(0) == "no author with id 424242");
    const Reply missing = curl(server, "POST", "/articles", "{}");
    CHECK(missing.status == 400);
    CHECK(missing.json().at("errors").at("author_id").at(0) == "this field is required");
    const Reply malformed = curl(server, "POST", "/articles", R"({"title": "x",)");
    CHECK(malformed.status == 400);
    CHECK(detail_of(malformed).starts_with("malformed JSON"));
    const Reply not_object = curl(server, "POST", "/articles", "[1, 2]");
    CHECK(not_object.status == 400);
    CHECK(curl(server, "GET", "/stats").json().at("total") == 31);
  });
}

TEST_CASE("POST /transfer moves money in a transaction and refuses a short balance whole") {
  with_server([](Server& server) {
    const Reply ok = curl(server, "POST", "/transfer", R"({"from_id": 1, "to_id": 2, "amount": 2500})");
    REQUIRE(ok.status == 200);
    CHECK(ok.json().at("from").at("balance") == 7500);
    CHECK(ok.json().at("to").at("balance") == 12500);
    const Reply short_balance = curl(server, "POST", "/transfer", R"({"from_id": 1, "to_id": 2, "amount": 7501})");
    CHECK(short_balance.status == 409);
    CHECK(detail_of(short_balance) == "insufficient funds: nothing was transferred");
    // Nothing half-applied: moving one cent back shows both balances as they were.
    const Reply back = curl(server, "POST", "/transfer", R"({"from_id": 2, "to_id": 1, "amount": 1})");
    REQUIRE(back.status == 200);
    CHECK(back.json().at("from").at("balance") == 12499);
    CHECK(back.json().at("to").at("balance") == 7501);
    CHECK(curl(server, "POST", "/transfer", R"({"from_id": 1, "to_id": 99, "amount": 1})").status == 404);
    const Reply bad = curl(server, "POST", "/transfer", R"({"from_id": 1, "to_id": 1, "amount": -3})");
    CHECK(bad.status == 400);
    CHECK(bad.json().at("errors").at("amount").at(0) == "must be a positive number of cents");
    CHECK(bad.json().at("errors").at("to_id").at(0) == "must differ from from_id");
  });
}

TEST_CASE("GET /articles/{id}/with-external gathers the query and an HTTP call on one thread") {
  with_server([](Server& server) {
    const Reply r = curl(server, "GET", "/articles/2/with-external");
    REQUIRE(r.status == 200);
    CHECK(r.json().at("article").at("title") == "Article 2");
    CHECK(r.json().at("article").at("author").at("name").is_string());
    CHECK(r.json().at("external").at("quote").as_string().starts_with("Premature"));
    CHECK(curl(server, "GET", "/articles/777/with-external").status == 404);
  });
}

TEST_CASE("200 requests in parallel are all answered") {
  with_server([](Server& server) {
    std::vector<std::string> targets;
    for (int i = 0; i < 200; ++i)
      targets.push_back(i % 2 ? "/posts/" + std::to_string(1 + i % 30) : "/articles?page=" + std::to_string(1 + i % 5) + "&page_size=5&n=" + std::to_string(i));
    const std::vector<int> codes = http_test::curl_parallel(server, targets, 64);
    REQUIRE(codes.size() == 200);
    for (int c : codes) CHECK(c == 200);
  });
}

TEST_CASE("bad requests get a 4xx JSON error and the server keeps serving") {
  with_server([](Server& server) {
    const Reply unknown = curl(server, "GET", "/nowhere");
    CHECK(unknown.status == 404);
    CHECK(detail_of(unknown) == "no route for GET /nowhere");
    const Reply method = curl(server, "DELETE", "/articles");
    CHECK(method.status == 405);
    CHECK(method.headers.at("allow") == "GET, POST");
    const Reply word = curl(server, "GET", "/posts/abc");
    CHECK(word.status == 400);
    CHECK(detail_of(word) == "the article id must be an integer");
    CHECK(curl(server, "GET", "/articles?page=0").status == 400);
    CHECK(curl(server, "GET", "/articles?page_size=1000").status == 400);

    // A 10 MB body: 413 before the body is read, then the connection is closed.
    const std::filesystem::path big = std::filesystem::temp_directory_path() / "aorm_http_10mb.json";
    {
      std::ofstream out(big, std::ios::binary);
      out << R"({"title": ")" << std::string(10 * 1024 * 1024, 'x') << R"("})";
    }
    const Reply huge = http_test::curl_file(server, "POST", "/articles", big.string());
    std::filesystem::remove(big);
    CHECK(huge.status == 413);
    CHECK(detail_of(huge) == "request body larger than 1048576 bytes");

    // A connection closed in the middle of a request, and one that sends garbage.
    for (const std::string& sent : {std::string("GET /posts/1 HTTP/1.1\r\nHost: x\r\nContent-Le"),
                                    std::string("\x16\x03\x01 not http at all\r\n\r\n")}) {
      const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
      REQUIRE(fd >= 0);
      sockaddr_in addr{};
      addr.sin_family = AF_INET;
      addr.sin_port = htons(server.port());
      addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
      CHECK(::write(fd, sent.data(), sent.size()) == static_cast<ssize_t>(sent.size()));
      ::shutdown(fd, SHUT_WR);
      char buf[512];
      const ssize_t n = ::read(fd, buf, sizeof buf);  // garbage: a 400; cut short: a close
      if (n > 0) CHECK(std::string(buf, static_cast<std::size_t>(n)).starts_with("HTTP/1.1 400"));
      ::close(fd);
    }
    const Reply after = curl(server, "GET", "/posts/1");
    CHECK(after.status == 200);
    CHECK(after.json().at("id") == 1);
  });
}

int main(int argc, char** argv) { return aorm_test::run_doctest(argc, argv); }
