// emit/cpp/cpp.hpp — the generated C++: `<ns path>/models.hpp`, `<ns path>/models.cpp` and
// `<ns path>/json.hpp` (Boost.JSON conversions, header-only).
//
// The shape is the contract in docs/internals.md ("What aormc emits"). Each model is
// printed into named sections (model_sections.cpp, json_sections.cpp); files.cpp assembles
// the three files in one place.
#pragma once

#include <string>
#include <vector>

#include "ir/model.hpp"

namespace aormc::emit::cpp {

/// What the banner says about where a file came from.
struct Provenance {
  std::string input;    // the model file as the user named it: "models/blog.yaml"
  std::string command;  // how to regenerate: "aormc generate models/blog.yaml --out generated"
};

struct GeneratedFile {
  std::string path;     // relative to the output directory: "blog/models.hpp"
  std::string content;
};

/// The runtime version the generated code is written against (AORM_RUNTIME_VERSION).
inline constexpr int kRuntimeVersion = 1;

/// The header, the source and the JSON header for `set`, in that order.
std::vector<GeneratedFile> generate(const ir::ModelSet& set, const Provenance& provenance);

}  // namespace aormc::emit::cpp
