// value_to raises aorm::JsonError whose message starts with the path of the bad member,
// through nested objects and arrays; one wrong type for each field kind.
#include "support.hpp"

namespace json_test {
namespace {

using blog::Article;
using kinds::Sample;

// A Sample's JSON with member `name` replaced by the JSON text `json`, read back.
std::string sample_error(const char* name, std::string_view json) {
  boost::json::value v = boost::json::value_from(full_sample());
  v.as_object()[name] = boost::json::parse(json);
  return error_of([&] { (void)boost::json::value_to<Sample>(v); });
}

TEST_CASE("the path of a bad member inside a prefetched set: tags[2].name") {
  CHECK(reading_error<Article>(R"({"title": "T", "slug": "t", "author": 1,
                                   "tags": [{"name": "a"}, {"name": "b"}, {"name": 5}]})") ==
        "tags[2].name: expected a string");
}

TEST_CASE("the path of a bad member inside a nested foreign key object: author.email") {
  CHECK(reading_error<Article>(R"({"title": "T", "slug": "t", "author": {"name": "Ada", "email": false}})") ==
        "author.email: expected a string");
  // Deeper: a comment's article's author's set of articles.
  CHECK(reading_error<blog::Comment>(
            R"({"body": "b", "article": {"title": "T", "slug": "t",
                "author": {"name": "A", "email": "e", "articles": [{"title": "x", "slug": "x", "author": 1},
                                                                  {"title": 1}]}}})") ==
        "article.author.articles[1].title: expected a string");
}

TEST_CASE("JsonError is an aorm::Error with the path and the reason apart") {
  const boost::json::value v = boost::json::parse(R"({"title": "T", "slug": "t", "author": 1, "tags": [1]})");
  try {
    (void)boost::json::value_to<Article>(v);
    FAIL("no error");
  } catch (const aorm::Error& e) {
    const auto* json_error = dynamic_cast<const aorm::JsonError*>(&e);
    REQUIRE(json_error != nullptr);
    CHECK(json_error->path() == "tags[0]");
    CHECK(json_error->reason() == "expected an object");
    CHECK(std::string(e.what()) == "tags[0]: expected an object");
  }
}

TEST_CASE("a missing required member is named, and the value itself must be an object") {
  CHECK(reading_error<Article>(R"({"slug": "t", "author": 1})") == "title: missing required member");
  CHECK(reading_error<Article>(R"({"title": "T", "slug": "t"})") == "author: missing required member");
  CHECK(reading_error<Article>("[1, 2]") == "expected an object");
  CHECK(reading_error<Article>(R"({"title": "T", "slug": "t", "author": {"name": "A"}})") ==
        "author.email: missing required member");
  CHECK(error_of([] { (void)aorm::json::value_to_vector<blog::Tag>(boost::json::parse(R"([{"name": "a"}, {}])")); }) ==
        "[1].name: missing required member");
}

TEST_CASE("a wrong type for each field kind names the member and what it expected") {
  CHECK(sample_error("flag", "1") == "flag: expected a boolean");
  CHECK(sample_error("small", "4294967296") == "small: expected a 32-bit integer (out of range)");
  CHECK(sample_error("small", "\"1\"") == "small: expected an integer");
  CHECK(sample_error("big", "1.5") == "big: expected an integer");
  CHECK(sample_error("big", "18446744073709551615") == "big: expected a 64-bit integer (out of range)");
  CHECK(sample_error("ratio", "\"0.1\"") == "ratio: expected a number");
  CHECK(sample_error("price", "1.5") == "price: expected a decimal string");
  CHECK(sample_error("price", "\"1e5\"") == "price: expected a decimal string");
  CHECK(sample_error("code", "5") == "code: expected a string");
  CHECK(sample_error("note", "null") == "note: expected a string");  // not nullable
  CHECK(sample_error("blob", "\"not base64!\"") == "blob: expected a base64 string");
  CHECK(sample_error("blob", "[1, 2]") == "blob: expected a base64 string");
  CHECK(sample_error("day", "\"2024-13-01\"") == "day: expected a date string (YYYY-MM-DD)");
  CHECK(sample_error("day", "20240101") == "day: expected a date string (YYYY-MM-DD)");
  CHECK(sample_error("moment", "\"yesterday\"") == "moment: expected an ISO 8601 date-time string");
  CHECK(sample_error("clock", "\"25:00\"") == "clock: expected a time string (HH:MM[:SS[.ffffff]])");
  CHECK(sample_error("token", "\"not-a-uuid\"") == "token: expected a UUID string");
  CHECK(sample_error("size", "\"huge\"") == "size: expected one of: small, medium, large, delete");
  CHECK(sample_error("size", "\"delete_\"") == "size: expected one of: small, medium, large, delete");
  CHECK(sample_error("opt_size", "2") == "opt_size: expected one of: small, medium, large, delete");
  CHECK(sample_error("opt_code", "5") == "opt_code: expected a string");
  CHECK(sample_error("opt_day", "\"2024-02-30\"") == "opt_day: expected a date string (YYYY-MM-DD)");
  CHECK(sample_error("owner", "\"3\"") == "owner: expected an id or an object");
  CHECK(sample_error("owner", "null") == "owner: expected an id or an object");  // not nullable
  CHECK(sample_error("backup", "true") == "backup: expected an id or an object");
  CHECK(sample_error("owner", "{\"id\": 3}") == "owner.name: missing required member");
  CHECK(sample_error("labels", "{}") == "labels: expected an array");
  CHECK(sample_error("labels", "[{\"name\": \"x\"}, 7]") == "labels[1]: expected an object");
}

TEST_CASE("writing an aorm::Json whose stored text is not JSON raises with the member's path") {
  Sample s = full_sample();
  s.doc = aorm::Json{"{not json"};
  const std::string message = error_of([&] { (void)boost::json::value_from(s); });
  CHECK(message.starts_with("doc: stored JSON text is not valid JSON ("));
  Sample inner = full_sample();
  inner.opt_doc = aorm::Json{"[1,"};
  CHECK(error_of([&] { (void)boost::json::value_from(inner); }).starts_with("opt_doc: stored JSON text"));
}

}  // namespace
}  // namespace json_test
