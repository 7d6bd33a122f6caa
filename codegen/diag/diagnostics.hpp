// diag/diagnostics.hpp — compiler-style diagnostics for aormc.
//
// Every stage reports problems here instead of throwing or printing: the collector keeps
// them all so one run shows every error, and only main() decides the exit code.
//
// Output format (one line per diagnostic, lowercase, no trailing period):
//   models/blog.yaml:12:15: error: unknown field type 'strng' (did you mean 'string'?)
//   models/blog.yaml:4:7: note: 'title' first defined here
// Every line has a position, and prints no raw control bytes or invalid UTF-8 (a name
// holding a NUL byte shows as 'A\x00B'), whatever the input held.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace aormc::diag {

/// A position in an input file. Lines and columns are 1-based; line 0 means "the file as
/// a whole", rendered as its start (`file:1:1: error: ...`) so that tools which jump to
/// positions (editors, CI annotations) always find one.
struct Location {
  std::string file;
  int line = 0;
  int column = 0;
};

/// Extra information attached to an error, printed right after it.
struct Note {
  Location where;
  std::string message;
};

struct Diagnostic {
  Location where;
  std::string message;
  std::vector<Note> notes;
};

/// Collects errors. Errors are rendered sorted by position (stable), so the output follows
/// the input file whatever order the checks ran in; an identical error at the same
/// position is kept once.
class Diagnostics {
 public:
  /// Records an error with optional notes.
  void error(Location where, std::string message, std::vector<Note> notes = {});

  bool has_errors() const noexcept { return !errors_.empty(); }
  std::size_t error_count() const noexcept { return errors_.size(); }
  const std::vector<Diagnostic>& errors() const noexcept { return errors_; }

  /// All errors and their notes, one per line, each line ending in '\n'.
  std::string render() const;

 private:
  std::vector<Diagnostic> errors_;
};

/// `text` with every byte a terminal would not show as text escaped: control bytes and DEL
/// as \t, \n, \r or \xNN, bytes that are not part of valid UTF-8 as \xNN, invisible and
/// bidirectional-control characters (U+200B..U+200F, U+2028..U+202E, U+2060..U+2069,
/// U+FEFF) as \u{XXXX}. Other valid UTF-8 (non-ASCII letters included) and backslashes are
/// kept as they are.
///   A<NUL>B -> A\x00B, tab<TAB>x -> tab\tx, Café -> Café, a<byte 0xFF>b -> a\xffb,
///   a<U+202E>b -> a\u{202e}b
std::string printable(std::string_view text);

/// Levenshtein distance between `a` and `b` (insert, delete, substitute: cost 1 each).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The hint for a misspelt `word`: " (did you mean 'string'?)" naming the closest candidate
/// when it is close enough (distance <= max(1, word.size() / 3)), otherwise "".
/// Examples: ("strng", types) -> " (did you mean 'string'?)"; ("xyz", types) -> "".
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);
std::string did_you_mean(std::string_view word, std::span<const std::string> candidates);

}  // namespace aormc::diag
