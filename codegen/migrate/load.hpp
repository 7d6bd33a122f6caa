// migrate/load.hpp — a model file as written (the spec), checked: what makemigrations compares.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diag/diagnostics.hpp"
#include "ir/spec.hpp"

namespace aormc::migrate {

/// The spec of the model file `file` (text `text`), parsed by its front end and checked by
/// ir::resolve (nullopt, reported, when it does not resolve).
std::optional<ir::ModelSetSpec> load_spec(std::string_view text, const std::string& file, diag::Diagnostics& diags,
                                          const std::vector<std::string>& compile_flags = {});

}  // namespace aormc::migrate
