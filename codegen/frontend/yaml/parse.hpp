// frontend/yaml/parse.hpp — the YAML front end: a model file's text to an ir::ModelSetSpec.
//
// It only parses: it checks the document's shape (which keys exist, which values are
// scalars, lists or maps; duplicate keys, which yaml-cpp keeps silently) and records every
// value with its position. Meaning and validation belong to ir::resolve().
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "diag/diagnostics.hpp"
#include "ir/spec.hpp"

namespace aormc::yaml {

/// Parses `text`, the contents of the file the user named `file` (used in diagnostics).
/// Returns nullopt when the text is not YAML at all, or not a map (an empty file, a list);
/// otherwise the spec, with every shape problem reported to `diags` (the affected fields are
/// marked `broken`). Every diagnostic has a line and column: an empty value is reported at
/// its key, a problem with the whole file at 1:1.
std::optional<ir::ModelSetSpec> parse(std::string_view text, const std::string& file,
                                      diag::Diagnostics& diags);

}  // namespace aormc::yaml
