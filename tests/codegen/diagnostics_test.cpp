// Golden diagnostics: every tests/codegen/errors/bad_*.yaml beside its exact bad_*.stderr.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "test_support.hpp"

using namespace aormc;
using namespace aormc::test;

TEST_CASE("every bad_*.yaml gives exactly the diagnostics in its bad_*.stderr") {
  const std::filesystem::path dir = source_path("tests/codegen/errors");
  std::vector<std::filesystem::path> inputs;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("bad_") && name.ends_with(".yaml")) inputs.push_back(entry.path());
  }
  std::sort(inputs.begin(), inputs.end());
  REQUIRE(inputs.size() >= 10);
  for (const std::filesystem::path& input : inputs) {
    const std::string shown = "tests/codegen/errors/" + input.filename().string();
    std::filesystem::path golden = input;
    golden.replace_extension(".stderr");
    std::optional<std::string> expected = read(golden.string());
    INFO("input: " << shown);
    REQUIRE_MESSAGE(expected.has_value(), "missing golden file " << golden.string());
    diag::Diagnostics diags;
    std::optional<ir::ModelSet> set = aormc::load(*read(input.string()), shown, diags);
    CHECK_FALSE(set.has_value());
    CHECK(diags.render() == *expected);
  }
}

#if AORM_WITH_CLANG
TEST_CASE("every bad_*.hpp gives exactly the diagnostics in its bad_*.stderr") {
  const std::filesystem::path dir = source_path("tests/codegen/errors");
  std::vector<std::filesystem::path> inputs;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("bad_") && name.ends_with(".hpp")) inputs.push_back(entry.path());
  }
  std::sort(inputs.begin(), inputs.end());
  REQUIRE(inputs.size() >= 5);
  for (const std::filesystem::path& input : inputs) {
    const std::string shown = "tests/codegen/errors/" + input.filename().string();
    std::filesystem::path golden = input;
    golden.replace_extension(".stderr");
    std::optional<std::string> expected = read(golden.string());
    INFO("input: " << shown);
    REQUIRE_MESSAGE(expected.has_value(), "missing golden file " << golden.string());
    diag::Diagnostics diags;
    std::optional<ir::ModelSet> set = aormc::load(*read(input.string()), shown, diags, header_flags());
    CHECK_FALSE(set.has_value());
    CHECK(diags.render() == *expected);
  }
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
