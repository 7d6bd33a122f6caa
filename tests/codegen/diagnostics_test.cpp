// Golden diagnostics: every tests/codegen/errors/bad_*.yaml beside its exact bad_*.stderr.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <string_view>
#include <vector>

#include "test_support.hpp"

using namespace aormc;
using namespace aormc::test;

namespace {

// Loads every tests/codegen/errors/bad_*<ext> (at least `at_least` of them) with `flags` and
// checks that it fails with exactly the diagnostics of the bad_*.stderr beside it.
void check_golden_errors(std::string_view ext, std::size_t at_least,
                         const std::vector<std::string>& flags = {}) {
  const std::filesystem::path dir = source_path("tests/codegen/errors");
  std::vector<std::filesystem::path> inputs;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("bad_") && name.ends_with(ext)) inputs.push_back(entry.path());
  }
  std::sort(inputs.begin(), inputs.end());
  REQUIRE(inputs.size() >= at_least);
  for (const std::filesystem::path& input : inputs) {
    const std::string shown = "tests/codegen/errors/" + input.filename().string();
    std::filesystem::path golden = input;
    golden.replace_extension(".stderr");
    std::optional<std::string> expected = read(golden.string());
    INFO("input: " << shown);
    REQUIRE_MESSAGE(expected.has_value(), "missing golden file " << golden.string());
    diag::Diagnostics diags;
    std::optional<ir::ModelSet> set = aormc::load(*read(input.string()), shown, diags, flags);
    CHECK_FALSE(set.has_value());
    CHECK(diags.render() == *expected);
  }
}

}  // namespace

TEST_CASE("every bad_*.yaml gives exactly the diagnostics in its bad_*.stderr") {
  check_golden_errors(".yaml", 10);
}

#if AORM_WITH_CLANG
TEST_CASE("every bad_*.hpp gives exactly the diagnostics in its bad_*.stderr") {
  check_golden_errors(".hpp", 5, header_flags());
}
#endif

TEST_CASE("did-you-mean suggests the closest name only when it is close") {
  const std::vector<std::string> types = {"string", "text", "int64", "foreign_key"};
  CHECK(diag::did_you_mean("strng", types) == " (did you mean 'string'?)");
  CHECK(diag::did_you_mean("foriegn_key", types) == " (did you mean 'foreign_key'?)");
  CHECK(diag::did_you_mean("blob", types) == "");
  CHECK(diag::edit_distance("kitten", "sitting") == 3);
}

TEST_CASE("diagnostics are sorted by position and carry their notes") {
  diag::Diagnostics diags;
  diags.error({"m.yaml", 5, 3}, "second");
  diags.error({"m.yaml", 2, 9}, "first", {{{"m.yaml", 1, 1}, "see here"}});
  diags.error({"m.yaml", 5, 3}, "second");  // the same error twice is reported once
  CHECK(diags.render() == "m.yaml:2:9: error: first\nm.yaml:1:1: note: see here\nm.yaml:5:3: error: second\n");
  CHECK(diags.error_count() == 2);
}

TEST_CASE("a default of the wrong type is an error") {
  std::string errors = errors_of(R"yaml(
namespace: t
models:
  A:
    fields:
      n: { type: int64, default: "x" }
)yaml");
  CHECK(errors == "test.yaml:6:34: error: default \"x\" of int64 field 'n' is not an integer\n");
}

TEST_CASE("every diagnostic has a line and column, a problem with the whole file at 1:1") {
  diag::Diagnostics diags;
  diags.error({"m.yaml", 0, 0}, "the file as a whole");
  CHECK(diags.render() == "m.yaml:1:1: error: the file as a whole\n");
  // Files that are not a map of 'namespace' and 'models': one error, at the start.
  CHECK(errors_of("") ==
        "test.yaml:1:1: error: a model file is a map with 'namespace' and 'models' (this one is empty)\n");
  CHECK(errors_of("# a comment\n\n# another\n") ==
        "test.yaml:1:1: error: a model file is a map with 'namespace' and 'models' (this one is empty)\n");
  CHECK(errors_of("- namespace: h\n- models: {}\n") ==
        "test.yaml:1:1: error: a model file is a map with 'namespace' and 'models' (this one is a list)\n");
  CHECK(errors_of("models: {}\n") ==
        "test.yaml:1:1: error: missing 'namespace' (the C++ namespace of the generated code, e.g. 'namespace: blog')\n");
}

TEST_CASE("an empty value is reported at its key, a spelt null at itself") {
  CHECK(errors_of("namespace:\nmodels:\n  A:\n    fields:\n      x:\n        type:\n        max_length:\n") ==
        "test.yaml:1:1: error: 'namespace' must be a single word or string\n"
        "test.yaml:1:1: error: missing 'namespace' (the C++ namespace of the generated code, e.g. 'namespace: blog')\n"
        "test.yaml:6:9: error: 'type' must be a single word or string\n"
        "test.yaml:7:9: error: 'max_length' must be an integer\n");
  CHECK(errors_of("namespace: ~\nmodels:\n  A:\n    fields:\n      x: { type: int64, max_length: null }\n") ==
        "test.yaml:1:1: error: missing 'namespace' (the C++ namespace of the generated code, e.g. 'namespace: blog')\n"
        "test.yaml:1:12: error: 'namespace' must be a single word or string\n"
        "test.yaml:5:37: error: 'max_length' must be an integer\n");
}

TEST_CASE("YAML nested beyond yaml-cpp's depth limit gets a clear message") {
  std::string deep = "namespace: h\nmodels:\n  A:\n    fields:\n      x: ";
  for (int i = 0; i < 1000; ++i) deep += "[";
  const std::string errors = errors_of(deep);
  CHECK(errors.starts_with("test.yaml:5:"));
  CHECK(errors.find("error: invalid YAML: lists and maps are nested too deeply") != std::string::npos);
  CHECK(errors.find("bad file") == std::string::npos);
}

TEST_CASE("diagnostics escape control bytes and invalid UTF-8, and keep valid UTF-8") {
  using namespace std::string_literals;
  CHECK(diag::printable("A\0B"s) == "A\\x00B");
  CHECK(diag::printable("tab\there\r\n") == "tab\\there\\r\\n");
  CHECK(diag::printable("\x1b[31mred\x7f") == "\\x1b[31mred\\x7f");
  CHECK(diag::printable("Café 名前 \xF0\x9F\x98\x80") == "Café 名前 \xF0\x9F\x98\x80");
  CHECK(diag::printable("a\xff" "b\xc3") == "a\\xffb\\xc3");         // stray byte, truncated sequence
  CHECK(diag::printable("\xc0\xaf \xed\xa0\x80") == "\\xc0\\xaf \\xed\\xa0\\x80");  // overlong, surrogate
  CHECK(diag::printable("\xc2\x85") == "\\xc2\\x85");                 // C1 control (NEL)
  CHECK(diag::printable("back\\slash") == "back\\slash");
  // Valid characters that hide or reorder text: a name must not pass for another one.
  CHECK(diag::printable("admin\u202Enimda") == "admin\\u{202e}nimda");
  CHECK(diag::printable("a\u200Bb\uFEFF") == "a\\u{200b}b\\u{feff}");
  CHECK(diag::printable("\u2014 \u00e9") == "\u2014 \u00e9");  // an em dash and é stay
  // A model name holding a NUL byte, as aormc prints it.
  CHECK(errors_of("namespace: h\nmodels:\n  \"A\\0B\":\n    fields:\n      x: { type: int64 }\n") ==
        "test.yaml:3:3: error: model name 'A\\x00B' is not a C++ identifier\n");
}
