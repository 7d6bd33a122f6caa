// redact_url() and its helpers (aorm/url.hpp): where a password sits in a URL or conninfo.
//
// Three scans each mark the spans of `url` that hold a password; the spans are merged and
// each becomes "***". The scans err towards masking: a malformed URL is read every way
// libpq might read it, and whatever could be a password is masked.
#include "aorm/url.hpp"

#include <algorithm>
#include <cctype>
#include <utility>

namespace aorm {
namespace {

struct Span {
  std::size_t begin, end;  // [begin, end) in the URL
};

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

char lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

/// "s%33cret" → "s3cret"; a '%' not followed by two hex digits stays as it is.
std::string percent_decoded(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out += static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2]));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

bool ends_with_password(std::string key) {
  for (char& c : key) c = lower(c);
  return key.ends_with("password");
}

/// `key=value` pairs whose key ends in "password" (case-insensitive), as a libpq keyword
/// ("password=pw", "sslpassword = 'a b'") or as a URL parameter ("?password=pw&...").
void keyword_spans(std::string_view s, std::vector<Span>& out) {
  const std::size_t n = s.size();
  for (std::size_t i = 0; i + 8 <= n; ++i) {
    std::size_t k = 0;
    while (k < 8 && lower(s[i + k]) == "password"[k]) ++k;
    if (k < 8) continue;
    std::size_t j = i + 8;
    while (j < n && is_space(s[j])) ++j;
    if (j >= n || s[j] != '=') continue;
    ++j;
    std::size_t key_start = i;
    while (key_start > 0 && (std::isalnum(static_cast<unsigned char>(s[key_start - 1])) || s[key_start - 1] == '_'))
      --key_start;
    const char before = key_start > 0 ? s[key_start - 1] : '\0';
    std::size_t end = j;
    if (before == '?' || before == '&') {  // a URL parameter: up to the next one
      end = std::min(s.find('&', j), n);
    } else {  // a libpq keyword: a quoted value, or up to white space
      while (j < n && is_space(s[j])) ++j;
      end = j;
      if (j < n && s[j] == '\'') {
        end = j + 1;
        while (end < n && s[end] != '\'') end += s[end] == '\\' ? 2 : 1;
        end = std::min(end + 1, n);  // the closing quote; an unterminated value masks to the end
      } else {
        while (end < n && !is_space(s[end])) ++end;
      }
    }
    if (end > j) out.push_back({j, end});
  }
}

/// URL query parameters whose percent-decoded key ends in "password" ("?pass%77ord=pw"),
/// which libpq decodes too.
void query_spans(std::string_view s, std::vector<Span>& out) {
  const std::size_t q = s.find('?');
  if (q == std::string_view::npos) return;
  for (std::size_t at = q + 1; at < s.size();) {
    const std::size_t amp = std::min(s.find('&', at), s.size());
    const std::size_t eq = s.find('=', at);
    if (eq < amp && eq + 1 < amp && ends_with_password(percent_decoded(s.substr(at, eq - at))))
      out.push_back({eq + 1, amp});
    at = amp + 1;
  }
}

/// The password in a URL's userinfo: after the first ':' up to the last '@' of the
/// authority. The authority ends at '?' or '#'; when no '@' comes before those, any later
/// '@' counts (a password may hold a '?'). Without "://" ("app:pw@db/x", a forgotten
/// scheme), the word around the last '@' is read the same way.
void userinfo_spans(std::string_view s, std::vector<Span>& out) {
  const std::size_t n = s.size();
  std::size_t start = 0, at = std::string_view::npos;
  if (const std::size_t p = s.find("://"); p != std::string_view::npos) {
    start = p + 3;
    const std::size_t authority_end = std::min(s.find_first_of("?#", start), n);
    for (std::size_t i = authority_end; i > start; --i)
      if (s[i - 1] == '@') {
        at = i - 1;
        break;
      }
    if (at == std::string_view::npos) {
      at = s.rfind('@');
      if (at != std::string_view::npos && at < start) at = std::string_view::npos;
    }
  } else {
    at = s.rfind('@');
    if (at == std::string_view::npos) return;
    start = at;
    while (start > 0 && !is_space(s[start - 1])) --start;
  }
  if (at == std::string_view::npos) return;
  const std::size_t colon = s.find(':', start);
  if (colon < at && colon + 1 < at) out.push_back({colon + 1, at});
}

/// Every password span of `s`, sorted, overlapping or touching ones merged.
std::vector<Span> secret_spans(std::string_view s) {
  std::vector<Span> spans;
  keyword_spans(s, spans);
  query_spans(s, spans);
  userinfo_spans(s, spans);
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
  std::vector<Span> merged;
  for (const Span& sp : spans) {
    if (!merged.empty() && sp.begin <= merged.back().end)
      merged.back().end = std::max(merged.back().end, sp.end);
    else
      merged.push_back(sp);
  }
  return merged;
}

void replace_all(std::string& text, std::string_view what, std::string_view with) {
  if (what.empty()) return;
  for (std::size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + with.size()))
    text.replace(p, what.size(), with);
}

}  // namespace

std::string redact_url(std::string_view url) {
  std::string out;
  std::size_t at = 0;
  for (const Span& sp : secret_spans(url)) {
    out.append(url.substr(at, sp.begin - at)).append("***");
    at = sp.end;
  }
  out.append(url.substr(at));
  return out;
}

namespace detail {

std::vector<std::string> url_secrets(std::string_view url) {
  std::vector<std::string> out;
  const auto add = [&out](std::string s) {
    if (!s.empty() && std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  };
  for (const Span& sp : secret_spans(url)) {
    std::string_view text = url.substr(sp.begin, sp.end - sp.begin);
    add(std::string(text));
    add(percent_decoded(text));
    // libpq reads a malformed URL at its own separators and may quote one piece
    // ("postgresql://app:pw/x@db": host "app", port "pw"): each piece is a secret too.
    for (std::size_t at = 0; at < text.size();) {
      const std::size_t end = std::min(text.find_first_of("/?#@:&,[]", at), text.size());
      if (end - at < text.size()) {
        add(std::string(text.substr(at, end - at)));
        add(percent_decoded(text.substr(at, end - at)));
      }
      at = end + 1;
    }
    if (text.size() >= 2 && text.front() == '\'') {  // a quoted libpq value, as libpq reads it
      std::string unquoted;
      for (std::size_t i = 1; i < text.size() && text[i] != '\''; ++i) {
        if (text[i] == '\\' && i + 1 < text.size()) ++i;
        unquoted += text[i];
      }
      add(std::move(unquoted));
    }
  }
  return out;
}

std::string mask_secrets(std::string text, const std::vector<std::string>& secrets) {
  std::vector<std::string_view> sorted(secrets.begin(), secrets.end());
  // Longest first, so that a secret holding another is masked whole.
  std::sort(sorted.begin(), sorted.end(), [](std::string_view a, std::string_view b) { return a.size() > b.size(); });
  for (std::string_view s : sorted)
    if (s.size() >= 3) replace_all(text, s, "***");
  return text;
}

std::string redact_message(std::string message, std::string_view url) {
  replace_all(message, url, redact_url(url));
  return mask_secrets(std::move(message), url_secrets(url));
}

}  // namespace detail
}  // namespace aorm
