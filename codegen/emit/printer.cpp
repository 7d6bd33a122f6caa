#include "emit/printer.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace aormc::emit {

namespace {

// Turns a block template (see printer.hpp) into plain text.
std::string unindent_block(std::string_view text) {
  text.remove_prefix(1);  // the newline after R"cc(
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  }
  auto blank = [](std::string_view l) { return l.find_first_not_of(' ') == std::string_view::npos; };
  if (!lines.empty() && blank(lines.back())) lines.pop_back();  // the line holding )cc"
  std::size_t common = std::string_view::npos;
  for (std::string_view l : lines)
    if (!blank(l)) common = std::min(common, l.find_first_not_of(' '));
  std::string out;
  for (std::string_view l : lines) {
    if (!blank(l)) out += l.substr(common);
    out += '\n';
  }
  return out;
}

// A block template: a newline, at least one line with text, and a last line of spaces
// only (where the raw string's closing delimiter sits). "\n" and "\n$x$" are not blocks.
bool is_block(std::string_view text) {
  if (text.size() < 2 || text[0] != '\n') return false;
  const std::size_t last = text.rfind('\n');
  if (text.find_first_not_of(' ', last + 1) != std::string_view::npos) return false;
  return text.find_first_not_of(" \n") != std::string_view::npos;
}

}  // namespace

void Printer::put(char c) {
  if (c == '\n') {
    out_ += c;
    at_line_start_ = true;
    return;
  }
  if (at_line_start_) {
    out_.append(static_cast<std::size_t>(indent_), ' ');
    at_line_start_ = false;
  }
  out_ += c;
}

void Printer::emit(const Vars& vars, std::string_view text) {
  std::string block;
  if (is_block(text)) {
    block = unindent_block(text);
    text = block;
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '$') {
      put(text[i]);
      continue;
    }
    std::size_t end = text.find('$', i + 1);
    if (end == std::string_view::npos)
      throw std::logic_error("printer: unterminated $ in template: " + std::string(text));
    std::string_view name = text.substr(i + 1, end - i - 1);
    if (name.empty()) {
      put('$');
    } else {
      auto it = vars.find(name);
      if (it == vars.end())
        throw std::logic_error("printer: no value for $" + std::string(name) + "$ in template: " +
                               std::string(text));
      for (char c : it->second) put(c);
    }
    i = end;
  }
}

void Printer::emit_verbatim(std::string_view text) {
  if (text.empty()) return;
  out_ += text;
  at_line_start_ = text.back() == '\n';
}

}  // namespace aormc::emit
