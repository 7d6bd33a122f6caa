// Helpers shared by the codegen tests.
#pragma once

#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "diag/diagnostics.hpp"
#include "ir/model.hpp"
#include "pipeline.hpp"

namespace aormc::test {

inline std::string source_path(const std::string& relative) {
  return std::string(AORM_SOURCE_DIR) + "/" + relative;
}

/// The contents of `path`, or nullopt when it cannot be read.
inline std::optional<std::string> read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Loads a model file given as text; `diags` receives the diagnostics.
inline std::optional<ir::ModelSet> load(const std::string& yaml, diag::Diagnostics& diags,
                                        const std::string& file = "test.yaml") {
  return aormc::load(yaml, file, diags);
}

/// Loads a model file that must be valid (fails the test with the diagnostics otherwise).
inline ir::ModelSet load_ok(const std::string& yaml) {
  diag::Diagnostics diags;
  std::optional<ir::ModelSet> set = load(yaml, diags);
  INFO(diags.render());
  REQUIRE(set.has_value());
  return *set;
}

/// The rendered diagnostics of a model file that must be invalid.
inline std::string errors_of(const std::string& yaml) {
  diag::Diagnostics diags;
  std::optional<ir::ModelSet> set = load(yaml, diags);
  CHECK_FALSE(set.has_value());
  return diags.render();
}

/// The compiler flags annotated headers need: aorm/model.hpp from the source tree.
inline std::vector<std::string> header_flags() { return {"-I" + source_path("runtime/include")}; }

/// Loads an annotated C++ header given as text (Clang front end).
inline std::optional<ir::ModelSet> load_header(const std::string& cpp, diag::Diagnostics& diags,
                                               const std::string& file = "test.hpp") {
  return aormc::load(cpp, file, diags, header_flags());
}

/// Loads a header that must be valid (fails the test with the diagnostics otherwise).
inline ir::ModelSet header_ok(const std::string& cpp) {
  diag::Diagnostics diags;
  std::optional<ir::ModelSet> set = load_header(cpp, diags);
  INFO(diags.render());
  REQUIRE(set.has_value());
  return *set;
}

/// The rendered diagnostics of a header that must be invalid.
inline std::string header_errors(const std::string& cpp) {
  diag::Diagnostics diags;
  std::optional<ir::ModelSet> set = load_header(cpp, diags);
  CHECK_FALSE(set.has_value());
  return diags.render();
}

inline const ir::Model& model(const ir::ModelSet& set, std::string_view name) {
  for (const ir::Model& m : set.models)
    if (m.name == name) return m;
  FAIL("no model " << name);
  return set.models.front();
}

inline const ir::Field& column(const ir::Model& m, std::string_view name) {
  int i = m.find_column(name);
  REQUIRE_MESSAGE(i >= 0, "no column " << name);
  return m.columns[static_cast<std::size_t>(i)];
}

}  // namespace aormc::test
