#include "diag/diagnostics.hpp"

#include <algorithm>
#include <numeric>

namespace aormc::diag {

void Diagnostics::error(Location where, std::string message, std::vector<Note> notes) {
  for (const Diagnostic& d : errors_) {
    if (d.where.line == where.line && d.where.column == where.column && d.message == message)
      return;  // the same problem found twice (e.g. by two checks sharing a cause)
  }
  errors_.push_back({std::move(where), std::move(message), std::move(notes)});
}

namespace {

// "file:LINE:COL"; the file as a whole (line 0) is its start.
std::string render_location(const Location& where) {
  if (where.line <= 0) return where.file + ":1:1";
  return where.file + ":" + std::to_string(where.line) + ":" + std::to_string(where.column);
}

// The length of the valid UTF-8 sequence starting at text[i] that encodes a printable
// character (not a C1 control, U+0080..U+009F), or 0.
std::size_t utf8_sequence(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  std::size_t length = 0;
  unsigned char low = 0x80, high = 0xBF;  // the valid range of the second byte
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    if (lead == 0xC2) low = 0xA0;  // U+0080..U+009F are C1 control characters
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong
    if (lead == 0xED) high = 0x9F;  // UTF-16 surrogates
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong
    if (lead == 0xF4) high = 0x8F;  // beyond U+10FFFF
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
  return length;
}

// The code point of one valid UTF-8 sequence.
char32_t code_point(std::string_view sequence) {
  const auto lead = static_cast<unsigned char>(sequence[0]);
  char32_t cp = sequence.size() == 2 ? lead & 0x1F : sequence.size() == 3 ? lead & 0x0F : lead & 0x07;
  for (std::size_t k = 1; k < sequence.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(sequence[k]) & 0x3F);
  return cp;
}

// Characters that are valid but show as nothing, or reorder what follows (bidirectional
// overrides: a name could look like another one): zero-width spaces and joiners, line and
// paragraph separators, bidi embeddings, overrides and isolates, word joiners, the BOM.
bool invisible(char32_t cp) {
  return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x2028 && cp <= 0x202E) ||
         (cp >= 0x2060 && cp <= 0x2069) || cp == 0xFEFF;
}

}  // namespace

std::string Diagnostics::render() const {
  // Sorted by position; equal positions keep the order they were reported in. (Not
  // std::stable_sort: libstdc++ 12's uses get_temporary_buffer, deprecated in C++20.)
  std::vector<std::size_t> order(errors_.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const Location& x = errors_[a].where;
    const Location& y = errors_[b].where;
    if (x.line != y.line) return x.line < y.line;
    if (x.column != y.column) return x.column < y.column;
    return a < b;
  });
  std::vector<const Diagnostic*> sorted;
  for (std::size_t i : order) sorted.push_back(&errors_[i]);
  std::string out;
  for (const Diagnostic* d : sorted) {
    out += printable(render_location(d->where) + ": error: " + d->message) + "\n";
    for (const Note& n : d->notes) out += printable(render_location(n.where) + ": note: " + n.message) + "\n";
  }
  return out;
}

std::string printable(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
      ++i;
    } else if (std::size_t n = c >= 0x80 ? utf8_sequence(text, i) : 0; n > 0) {
      if (const char32_t cp = code_point(text.substr(i, n)); invisible(cp)) {
        out += "\\u{";
        for (int shift = 12; shift >= 0; shift -= 4) out += kHex[(cp >> shift) & 0xF];
        out += '}';
      } else {
        out.append(text.substr(i, n));
      }
      i += n;
    } else {
      if (c == '\t') out += "\\t";
      else if (c == '\n') out += "\\n";
      else if (c == '\r') out += "\\r";
      else out += {'\\', 'x', kHex[c >> 4], kHex[c & 0xF]};
      ++i;
    }
  }
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  std::iota(row.begin(), row.end(), std::size_t{0});
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

namespace {

template <class Range>
std::string closest(std::string_view word, const Range& candidates) {
  const std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
  std::string_view best;
  std::size_t best_distance = limit + 1;
  for (std::string_view c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  if (best.empty()) return "";
  return " (did you mean '" + std::string(best) + "'?)";
}

}  // namespace

std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates) {
  return closest(word, candidates);
}

std::string did_you_mean(std::string_view word, std::span<const std::string> candidates) {
  return closest(word, candidates);
}

}  // namespace aormc::diag
