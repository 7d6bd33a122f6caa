#include <doctest/doctest.h>

#include <stdexcept>

#include "emit/printer.hpp"

using aormc::emit::Printer;

TEST_CASE("the printer substitutes variables and indents inside a scope") {
  Printer p;
  p.emit({{"name", "Article"}}, "struct $name$ {\n");
  {
    auto scope = p.indent();
    p.emit({{"type", "std::string"}, {"member", "title"}}, "$type$ $member$;\n\n");
    p.emit("int x = 0;  // $$ is a dollar\n");
  }
  p.emit("};\n");
  CHECK(p.str() == "struct Article {\n  std::string title;\n\n  int x = 0;  // $ is a dollar\n};\n");
}

TEST_CASE("a variable without a value is a hard error") {
  Printer p;
  CHECK_THROWS_AS(p.emit({{"name", "x"}}, "struct $nmae$ {};\n"), std::logic_error);
}

TEST_CASE("a block template loses its first newline and its common indentation") {
  Printer p;
  auto scope = p.indent(4);
  p.emit({{"v", "1"}}, R"cc(
      if (x) {
        return $v$;
      }
  )cc");
  CHECK(p.str() == "    if (x) {\n      return 1;\n    }\n");
}

TEST_CASE("verbatim text is neither substituted nor indented") {
  Printer p;
  auto scope = p.indent(2);
  p.emit("a(");
  p.emit_verbatim("line1\nline2 $x$");
  p.emit(");\n");
  CHECK(p.str() == "  a(line1\nline2 $x$);\n");
}
