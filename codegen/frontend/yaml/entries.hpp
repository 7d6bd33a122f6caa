// frontend/yaml/entries.hpp — one model or one field, read from inside another YAML document.
//
// A migration file (codegen/migrate) writes models and fields exactly as a model file does
// (`Article: { fields: ..., meta: ... }`, `title: { type: string, max_length: 200 }`); these
// entry points read them with the model file's own rules and diagnostics. `text` is the whole
// document `file` holds (used to tell `~` from an empty value).
#pragma once

#include <string>
#include <string_view>

#include <yaml-cpp/yaml.h>

#include "diag/diagnostics.hpp"
#include "ir/spec.hpp"

namespace aormc::yaml {

/// The model written as the map entry `key: value` (key: the model name).
ir::ModelSpec parse_model(const YAML::Node& key, const YAML::Node& value, std::string_view text,
                          const std::string& file, diag::Diagnostics& diags);

/// The field written as the map entry `key: value` (key: the field name).
ir::FieldSpec parse_field(const YAML::Node& key, const YAML::Node& value, std::string_view text,
                          const std::string& file, diag::Diagnostics& diags);

}  // namespace aormc::yaml
