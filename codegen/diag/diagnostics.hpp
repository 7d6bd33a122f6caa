// diag/diagnostics.hpp — compiler-style diagnostics for aormc.
//
// Every stage reports problems here instead of throwing or printing: the collector keeps
// them all so one run shows every error, and only main() decides the exit code.
//
// Output format (one line per diagnostic, lowercase, no trailing period):
//   models/blog.yaml:12:15: error: unknown field type 'strng' (did you mean 'string'?)
//   models/blog.yaml:4:7: note: 'title' first defined here
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace aormc::diag {

/// A position in an input file. Lines and columns are 1-based; line 0 means "the file as
/// a whole" (rendered as `file: error: ...`).
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

/// Levenshtein distance between `a` and `b` (insert, delete, substitute: cost 1 each).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The hint for a misspelt `word`: " (did you mean 'string'?)" naming the closest candidate
/// when it is close enough (distance <= max(1, word.size() / 3)), otherwise "".
/// Examples: ("strng", types) -> " (did you mean 'string'?)"; ("xyz", types) -> "".
std::string did_you_mean(std::string_view word, std::span<const std::string_view> candidates);
std::string did_you_mean(std::string_view word, std::span<const std::string> candidates);

}  // namespace aormc::diag
