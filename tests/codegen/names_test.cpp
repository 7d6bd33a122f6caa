#include <doctest/doctest.h>

#include "names/names.hpp"

using namespace aormc::names;

TEST_CASE("snake_case splits words and acronyms like the examples in names.hpp") {
  CHECK(snake_case("Article") == "article");
  CHECK(snake_case("BlogPost") == "blog_post");
  CHECK(snake_case("HTTPRequest") == "http_request");
  CHECK(snake_case("Tag2") == "tag2");
  CHECK(snake_case("already_snake") == "already_snake");
}

TEST_CASE("pascal_case names a field's choices enum") {
  CHECK(pascal_case("status") == "Status");
  CHECK(pascal_case("payment_method") == "PaymentMethod");
  CHECK(pascal_case("_x") == "X");
  CHECK(pascal_case("v2_mode") == "V2Mode");
}

TEST_CASE("enumerator escapes keywords with a trailing underscore and non-identifiers with underscores") {
  CHECK(enumerator("draft") == "draft");
  CHECK(enumerator("delete") == "delete_");
  CHECK(enumerator("default") == "default_");
  CHECK(enumerator("in-review") == "in_review");
  CHECK(enumerator("in review!") == "in_review_");
  CHECK(enumerator("2fa") == "_2fa");
  CHECK(enumerator("a.b") == "a_b");
  CHECK(enumerator("\xc3\xa9") == "_");
}

TEST_CASE("keywords and identifiers are recognised") {
  CHECK(is_cpp_keyword("class"));
  CHECK(is_cpp_keyword("co_await"));
  CHECK(is_cpp_keyword("and"));
  CHECK_FALSE(is_cpp_keyword("title"));
  CHECK(is_identifier("created_at"));
  CHECK_FALSE(is_identifier("2fa"));
  CHECK_FALSE(is_identifier("in-review"));
  CHECK_FALSE(is_identifier(""));
}

TEST_CASE("string literals and SQL identifiers are escaped") {
  CHECK(cpp_string("hello") == "\"hello\"");
  CHECK(cpp_string("say \"hi\"") == "\"say \\\"hi\\\"\"");
  CHECK(cpp_string("a\\b") == "\"a\\\\b\"");
  CHECK(cpp_string("\n") == "\"\\n\"");
  CHECK(sql_identifier("blog_article") == "\"blog_article\"");
  CHECK(sql_identifier("we\"ird") == "\"we\"\"ird\"");
}

TEST_CASE("a nested namespace becomes a path and a table prefix") {
  CHECK(namespace_path("blog") == "blog");
  CHECK(namespace_path("shop::v1") == "shop/v1");
  CHECK(namespace_prefix("shop::v1") == "shop_v1");
}
