// Hostile strings: what JSON must escape, invalid UTF-8 (written as U+FFFD, so the output is
// always valid JSON), and size.
#include <string>

#include "support.hpp"

namespace json_test {
namespace {

using blog::Tag;

// A Tag named `name`, through serialize and a strict parse.
std::string name_through_text(const std::string& name) {
  Tag t{.name = name};
  return through_text(t).name;
}

TEST_CASE("quotes, backslashes, slashes and every control character survive serialize and parse") {
  std::string hostile = R"(" \" \\ / \/ \u0000 ' ` {"a": 1} ])";
  for (int c = 0; c < 0x20; ++c) hostile += static_cast<char>(c);
  hostile += '\x7f';
  hostile += std::string("\0embedded NUL", 13);
  CHECK(name_through_text(hostile) == hostile);
  // The serializer escapes them: the text has no raw control character.
  const std::string text = boost::json::serialize(boost::json::value_from(Tag{.name = hostile}));
  for (char c : text) CHECK(static_cast<unsigned char>(c) >= 0x20);
}

TEST_CASE("valid UTF-8 is written unchanged, every plane included") {
  const std::string text = "h\xC3\xA9llo \xE2\x82\xAC \xF0\x9D\x84\x9E \xEF\xBF\xBF \xF4\x8F\xBF\xBF";  // é € 𝄞 U+FFFF U+10FFFF
  CHECK(name_through_text(text) == text);
}

TEST_CASE("invalid UTF-8 is written as U+FFFD per bad byte, so the output always parses") {
  const std::string fffd = "\xEF\xBF\xBD";
  const std::pair<std::string, std::string> cases[] = {
      {"a\xFF" "b", "a" + fffd + "b"},                      // a byte that is never UTF-8
      {"\xC0\xAF", fffd + fffd},                            // overlong '/'
      {"\xED\xA0\x80", fffd + fffd + fffd},                 // a surrogate, U+D800
      {"\xF4\x90\x80\x80", fffd + fffd + fffd + fffd},      // above U+10FFFF
      {"x\xE2\x82", "x" + fffd + fffd},                     // truncated at the end
      {"\x80 lone continuation", fffd + " lone continuation"},
      {"ok \xC3\xA9 \xC3", "ok \xC3\xA9 " + fffd},          // valid, then truncated
  };
  for (const auto& [in, expected] : cases) {
    INFO(in);
    CHECK(aorm::json::valid_utf8(in) == expected);
    CHECK(name_through_text(in) == expected);  // parse would fail on a raw invalid byte
  }
  // What Boost.JSON does without that: the bytes pass through and its own parser rejects them.
  boost::json::error_code ec;
  (void)boost::json::parse(boost::json::serialize(boost::json::value("a\xFF" "b")), ec);
  CHECK(ec);
}

TEST_CASE("a 1 MB string and 1 MB of bytes round-trip") {
  std::string big;
  big.reserve(1 << 20);
  for (std::size_t i = 0; big.size() < (1u << 20); ++i) {
    big += static_cast<char>(i % 0x7f);            // ASCII, control characters included
    if (i % 1000 == 0) big += "\xE2\x82\xAC\"\\";  // € and what must be escaped
  }
  CHECK(name_through_text(big) == big);

  kinds::Sample s{};
  for (std::size_t i = 0; i < (1u << 20); ++i) s.blob.push_back(static_cast<std::byte>(i * 7 % 256));
  const kinds::Sample back = through_text(s);
  CHECK(back.blob == s.blob);
  CHECK(boost::json::value_from(s).as_object().at("blob").as_string().size() == ((1u << 20) + 2) / 3 * 4);
}

}  // namespace
}  // namespace json_test
