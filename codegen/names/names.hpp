// names/names.hpp — every identifier conversion aormc makes, in one place.
//
// The IR decides which name a thing gets; this unit only knows how to spell it. Each
// function lists input -> output examples; tests/codegen/names_test.cpp checks them.
#pragma once

#include <string>
#include <string_view>

namespace aormc::names {

/// True for `[A-Za-z_][A-Za-z0-9_]*`.
///   "title" -> true, "created_at" -> true, "2fa" -> false, "in-review" -> false, "" -> false
bool is_identifier(std::string_view s) noexcept;

/// True for C++20 keywords and alternative tokens.
///   "class" -> true, "delete" -> true, "and" -> true, "co_await" -> true, "title" -> false
bool is_cpp_keyword(std::string_view s) noexcept;

/// PascalCase (a model name) to snake_case (tables, variables).
///   "Article" -> "article", "BlogPost" -> "blog_post", "HTTPRequest" -> "http_request",
///   "Tag2" -> "tag2", "already_snake" -> "already_snake"
std::string snake_case(std::string_view name);

/// snake_case (a field name) to PascalCase (its choices enum).
///   "status" -> "Status", "payment_method" -> "PaymentMethod", "_x" -> "X", "v2_mode" -> "V2Mode"
std::string pascal_case(std::string_view name);

/// A choice value as an enumerator: kept as written when it is an identifier; each run of
/// other characters becomes one '_'; a leading digit gets a '_' in front; a C++ keyword
/// gets a trailing '_'. The value itself is stored as written (EnumTraits::values).
///   "draft" -> "draft", "delete" -> "delete_", "in-review" -> "in_review",
///   "in review!" -> "in_review_", "2fa" -> "_2fa", "a.b" -> "a_b", "é" -> "_"
std::string enumerator(std::string_view choice);

/// A C++ string literal with the quotes.
///   hello -> "hello", say "hi" -> "say \"hi\"", a\b -> "a\\b", newline -> "\n"
std::string cpp_string(std::string_view s);

/// A double-quoted SQL identifier (both dialects); embedded quotes are doubled.
///   blog_article -> "blog_article", we"ird -> "we""ird"
std::string sql_identifier(std::string_view s);

/// A namespace as a path and as a name prefix.
///   namespace_path("blog") -> "blog", namespace_path("shop::v1") -> "shop/v1"
///   namespace_prefix("blog") -> "blog", namespace_prefix("shop::v1") -> "shop_v1"
std::string namespace_path(std::string_view ns);
std::string namespace_prefix(std::string_view ns);

}  // namespace aormc::names
