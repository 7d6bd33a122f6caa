#include "names/names.hpp"

#include <algorithm>
#include <iterator>

namespace aormc::names {

namespace {

bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_upper(char c) noexcept { return c >= 'A' && c <= 'Z'; }
bool is_lower(char c) noexcept { return c >= 'a' && c <= 'z'; }
bool is_word(char c) noexcept { return is_alpha(c) || is_digit(c) || c == '_'; }
char to_lower(char c) noexcept { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }
char to_upper(char c) noexcept { return is_lower(c) ? static_cast<char>(c - 'a' + 'A') : c; }

constexpr std::string_view kKeywords[] = {
    "alignas",   "alignof",      "and",          "and_eq",      "asm",
    "auto",      "bitand",       "bitor",        "bool",        "break",
    "case",      "catch",        "char",         "char16_t",    "char32_t",
    "char8_t",   "class",        "co_await",     "co_return",   "co_yield",
    "compl",     "concept",      "const",        "const_cast",  "consteval",
    "constexpr", "constinit",    "continue",     "decltype",    "default",
    "delete",    "do",           "double",       "dynamic_cast", "else",
    "enum",      "explicit",     "export",       "extern",      "false",
    "float",     "for",          "friend",       "goto",        "if",
    "import",    "inline",       "int",          "long",        "module",
    "mutable",   "namespace",    "new",          "noexcept",    "not",
    "not_eq",    "nullptr",      "operator",     "or",          "or_eq",
    "private",   "protected",    "public",       "register",    "reinterpret_cast",
    "requires",  "return",       "short",        "signed",      "sizeof",
    "static",    "static_assert", "static_cast", "struct",      "switch",
    "template",  "this",         "thread_local", "throw",       "true",
    "try",       "typedef",      "typeid",       "typename",    "union",
    "unsigned",  "using",        "virtual",      "void",        "volatile",
    "wchar_t",   "while",        "xor",          "xor_eq",      "final",
    "override",  "NULL",
};

}  // namespace

bool is_identifier(std::string_view s) noexcept {
  if (s.empty() || is_digit(s[0])) return false;
  return std::all_of(s.begin(), s.end(), is_word);
}

bool is_cpp_keyword(std::string_view s) noexcept {
  // `final`, `override` (contextual keywords) and the macro `NULL` are not keywords, but
  // a member with one of these names is a trap for readers; they are rejected too.
  return std::find(std::begin(kKeywords), std::end(kKeywords), s) != std::end(kKeywords);
}

std::string snake_case(std::string_view name) {
  std::string out;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (is_upper(c)) {
      // A capital starts a word after a lower-case letter or digit ("BlogPost"), or when it
      // is the last capital of an acronym followed by a lower-case letter ("HTTPRequest").
      bool after_lower = i > 0 && (is_lower(name[i - 1]) || is_digit(name[i - 1]));
      bool ends_acronym =
          i > 0 && is_upper(name[i - 1]) && i + 1 < name.size() && is_lower(name[i + 1]);
      if ((after_lower || ends_acronym) && !out.empty() && out.back() != '_') out += '_';
      out += to_lower(c);
    } else {
      out += c;
    }
  }
  return out;
}

std::string pascal_case(std::string_view name) {
  std::string out;
  bool upper_next = true;
  for (char c : name) {
    if (c == '_') {
      upper_next = true;
      continue;
    }
    out += upper_next ? to_upper(c) : c;
    upper_next = false;
  }
  return out;
}

std::string enumerator(std::string_view choice) {
  std::string out;
  bool in_run = false;
  for (char c : choice) {
    if (is_word(c)) {
      out += c;
      in_run = false;
    } else if (!in_run) {
      out += '_';
      in_run = true;
    }
  }
  if (out.empty() || is_digit(out[0])) out.insert(out.begin(), '_');
  if (is_cpp_keyword(out)) out += '_';
  return out;
}

std::string cpp_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          constexpr char kHex[] = "0123456789abcdef";
          out += "\\x";
          out += kHex[(c >> 4) & 0xf];
          out += kHex[c & 0xf];
          out += "\"\"";  // end the hex escape: "\x01" "a" is not "\x01a"
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string sql_identifier(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

namespace {

std::string replace_scope(std::string_view ns, std::string_view with) {
  std::string out;
  for (std::size_t i = 0; i < ns.size(); ++i) {
    if (ns.substr(i, 2) == "::") {
      out += with;
      ++i;
    } else {
      out += ns[i];
    }
  }
  return out;
}

}  // namespace

std::string namespace_path(std::string_view ns) { return replace_scope(ns, "/"); }
std::string namespace_prefix(std::string_view ns) { return replace_scope(ns, "_"); }

}  // namespace aormc::names
