// emit/printer.hpp — the one way aormc writes text.
//
//   Printer p;
//   p.emit({{"name", "Article"}}, R"cc(
//     struct $name$ {
//   )cc");
//   {
//     auto scope = p.indent();
//     p.emit({{"type", "std::string"}, {"member", "title"}}, "$type$ $member$;\n");
//   }
//   p.emit("};\n");
//
// `$var$` is replaced by its value; `$$` is a literal '$'. A `$var$` without a value is a
// bug in aormc, not in the user's model: it throws std::logic_error. Model text (names,
// strings) is only ever a value, never part of a template.
//
// A template that starts with a newline and ends with a line of spaces only is a block:
// the first newline is dropped, the common indentation of its lines is removed and the
// last line is dropped, so raw string templates can be indented like the code around them. Every line is written at
// the current indentation (empty lines stay empty).
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace aormc::emit {

class Printer {
 public:
  using Vars = std::map<std::string, std::string, std::less<>>;

  /// Writes `text` with its `$var$`s substituted from `vars`.
  void emit(const Vars& vars, std::string_view text);
  void emit(std::string_view text) { emit(Vars{}, text); }

  /// Writes `text` exactly as is: no substitution, no indentation (the body of a raw
  /// string literal, where added spaces would change the string).
  void emit_verbatim(std::string_view text);

  /// Indents everything written while the returned scope lives by `spaces` more.
  class [[nodiscard]] Indent {
   public:
    explicit Indent(Printer& p, int spaces) : p_(p), spaces_(spaces) { p_.indent_ += spaces_; }
    ~Indent() { p_.indent_ -= spaces_; }
    Indent(const Indent&) = delete;
    Indent& operator=(const Indent&) = delete;

   private:
    Printer& p_;
    int spaces_;
  };
  Indent indent(int spaces = 2) { return Indent(*this, spaces); }

  /// The text written so far.
  const std::string& str() const noexcept { return out_; }

 private:
  void put(char c);

  std::string out_;
  int indent_ = 0;
  bool at_line_start_ = true;
};

}  // namespace aormc::emit
