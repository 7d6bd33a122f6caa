// Parity of the two front ends: an annotated C++ header and its YAML twin describe the same
// models, so they must generate the same code. Only the banner may differ (it names the
// input), so both are generated in memory, from the files as they are now, with the same
// provenance, and compared byte for byte.
//   models/library.hpp                  <-> tests/codegen/parity/library.yaml
//   tests/behaviour_annotated/blog.hpp  <-> models/blog.yaml (behaviour_annotated_tests runs
//                                           the behaviour suite on the header's output)
#include <doctest/doctest.h>

#if AORM_WITH_CLANG

#include "test_support.hpp"

using namespace aormc;
using namespace aormc::test;

namespace {

// Both files' models, loaded through the real pipeline (fails the test with the
// diagnostics when either does not load).
std::pair<ir::ModelSet, ir::ModelSet> load_twins(const std::string& header, const std::string& yaml) {
  diag::Diagnostics diags;
  const std::optional<std::string> header_text = read(source_path(header));
  const std::optional<std::string> yaml_text = read(source_path(yaml));
  REQUIRE_MESSAGE(header_text.has_value(), "cannot read " << header);
  REQUIRE_MESSAGE(yaml_text.has_value(), "cannot read " << yaml);
  std::optional<ir::ModelSet> from_cpp = aormc::load(*header_text, header, diags, header_flags());
  std::optional<ir::ModelSet> from_yaml = aormc::load(*yaml_text, yaml, diags);
  INFO(diags.render());
  REQUIRE(from_cpp.has_value());
  REQUIRE(from_yaml.has_value());
  return {std::move(*from_cpp), std::move(*from_yaml)};
}

// Generates both under the same (made-up) input name, so the banners match too, and checks
// every file is identical.
void check_same_code(const ir::ModelSet& from_cpp, const ir::ModelSet& from_yaml) {
  const std::vector<emit::cpp::GeneratedFile> cpp_files = aormc::generate(from_cpp, "twin", "generated");
  const std::vector<emit::cpp::GeneratedFile> yaml_files = aormc::generate(from_yaml, "twin", "generated");
  REQUIRE(cpp_files.size() == yaml_files.size());
  REQUIRE_FALSE(cpp_files.empty());
  for (std::size_t i = 0; i < cpp_files.size(); ++i) {
    INFO(cpp_files[i].path);
    CHECK(cpp_files[i].path == yaml_files[i].path);
    CHECK(cpp_files[i].content == yaml_files[i].content);
  }
}

}  // namespace

TEST_CASE("the annotated header and its YAML twin generate identical code") {
  const auto [from_cpp, from_yaml] = load_twins("models/library.hpp", "tests/codegen/parity/library.yaml");
  check_same_code(from_cpp, from_yaml);
  // The comparison means something: the models have relations, choices and defaults.
  const ir::Model& book = model(from_cpp, "Book");
  CHECK(book.many_to_many.size() == 1);
  CHECK(column(book, "format").choices.size() == 3);
  CHECK(column(book, "in_print").default_value.has_value());
}

TEST_CASE("the annotated twin of models/blog.yaml generates the same code as models/blog.yaml") {
  const auto [from_cpp, from_yaml] = load_twins("tests/behaviour_annotated/blog.hpp", "models/blog.yaml");
  check_same_code(from_cpp, from_yaml);
  // Both describe the blog: every model, with its relations, choices, defaults and meta.
  REQUIRE(from_cpp.models.size() == from_yaml.models.size());
  CHECK(from_cpp.ns == "blog");
  const ir::Model& article = model(from_cpp, "Article");
  CHECK(article.many_to_many.size() == 1);
  CHECK(column(article, "status").enum_name == "Status");
  CHECK(column(article, "status").choices.size() == 3);
  CHECK(column(article, "views").default_value.has_value());
  CHECK(article.ordering.size() == 1);
  CHECK(article.get_latest_by.has_value());
  const ir::Model& comment = model(from_cpp, "Comment");
  CHECK(column(comment, "author").nullable);
  CHECK(column(comment, "author").on_delete == ir::OnDelete::set_null);
}

#endif  // AORM_WITH_CLANG
