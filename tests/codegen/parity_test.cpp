// Parity of the two front ends: models/library.hpp (annotated C++) and its YAML twin
// tests/codegen/parity/library.yaml describe the same models, so they must generate the
// same code. Only the banner may differ (it names the input), so both are generated with
// the same provenance and compared byte for byte.
#include <doctest/doctest.h>

#if AORM_WITH_CLANG

#include "test_support.hpp"

using namespace aormc;
using namespace aormc::test;

TEST_CASE("the annotated header and its YAML twin generate identical code") {
  diag::Diagnostics diags;
  std::optional<ir::ModelSet> from_cpp =
      aormc::load(*read(source_path("models/library.hpp")), "models/library.hpp", diags, header_flags());
  std::optional<ir::ModelSet> from_yaml = aormc::load(
      *read(source_path("tests/codegen/parity/library.yaml")), "tests/codegen/parity/library.yaml", diags);
  INFO(diags.render());
  REQUIRE(from_cpp.has_value());
  REQUIRE(from_yaml.has_value());
  const std::vector<emit::cpp::GeneratedFile> cpp_files = aormc::generate(*from_cpp, "library", "generated");
  const std::vector<emit::cpp::GeneratedFile> yaml_files = aormc::generate(*from_yaml, "library", "generated");
  REQUIRE(cpp_files.size() == yaml_files.size());
  for (std::size_t i = 0; i < cpp_files.size(); ++i) {
    INFO(cpp_files[i].path);
    CHECK(cpp_files[i].path == yaml_files[i].path);
    CHECK(cpp_files[i].content == yaml_files[i].content);
  }
  // The comparison means something: the models have relations, choices and defaults.
  const ir::Model& book = model(*from_cpp, "Book");
  CHECK(book.many_to_many.size() == 1);
  CHECK(column(book, "format").choices.size() == 3);
  CHECK(column(book, "in_print").default_value.has_value());
}

#endif  // AORM_WITH_CLANG
