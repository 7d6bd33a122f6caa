// frontend/clang/options.hpp — the option lists of AORM_MODEL(...) and AORM_FIELD(...).
//
// The macros carry their arguments as written (aorm/model.hpp stringizes them), so the
// Clang front end reads a tiny language of its own here, without any Clang type:
//
//   options := [option {',' option}] ')'
//   option  := name ['=' value]                  a bare name is a flag: `index`
//   value   := word | '-' word | integer | "string" | '{' [value {',' value}] '}'
//
// Examples: `max_length = 200, index`, `on_delete = cascade, related_name = "+"`,
// `Book, ordering = {"-published", title}, indexes = {{format, published}}`.
// The spellings are then checked against the options a field or a model accepts and stored
// in the ir spec structs; meaning (does max_length apply to this type?) is ir::resolve()'s.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diag/diagnostics.hpp"
#include "ir/spec.hpp"

namespace aormc::annotated {

/// One value as written.
struct OptionValue {
  enum class Kind { flag, word, string, integer, list };
  Kind kind = Kind::flag;
  std::string text;                // the word, the string's contents, or the integer's digits
  std::vector<OptionValue> items;  // Kind::list
  diag::Location where;
};

struct Option {
  ir::Spanned<std::string> name;
  OptionValue value;  // Kind::flag when only the name was written
};

/// Where the character at an offset of the parsed text was written.
using Locator = std::function<diag::Location(std::size_t offset)>;

/// Parses the options in `text`, which starts right after the macro's '(' and ends at the
/// matching ')' (anything after it is ignored; a missing ')' ends the list too). Reports a
/// syntax error and returns nullopt when the list does not follow the grammar above.
/// Comments and line continuations between tokens are skipped.
std::optional<std::vector<Option>> parse_options(std::string_view text, const Locator& locate,
                                                 diag::Diagnostics& diags);

/// Stores AORM_FIELD options in `field`; reports unknown, duplicate and malformed options
/// (with did-you-mean hints, and a fix for the options that come from the C++ declaration
/// instead: null, default, choices, to, type). Returns false when anything was reported.
/// The flag `one_to_one` sets `field.type` to "one_to_one" (at the flag); the front end
/// then requires the member to be an aorm::ForeignKey.
bool apply_field_options(const std::vector<Option>& options, ir::FieldSpec& field,
                         diag::Diagnostics& diags);

/// Stores AORM_MODEL options (after the model name, which must be the first item and equal
/// `struct_name`) in `meta`. Returns false when anything was reported.
bool apply_model_options(const std::vector<Option>& options, std::string_view struct_name,
                         ir::MetaSpec& meta, diag::Diagnostics& diags);

}  // namespace aormc::annotated
