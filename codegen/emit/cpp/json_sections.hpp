// emit/cpp/json_sections.hpp — what one model contributes to `<ns path>/json.hpp`: the
// Boost.JSON conversions boost::json::value_from(obj) and boost::json::value_to<Model>(v),
// as `tag_invoke` overloads in the model's namespace (found by ADL). files.cpp assembles
// the file; the per-type conversions they call live in the runtime (aorm/json.hpp).
#pragma once

#include <string>

#include "ir/model.hpp"

namespace aormc::emit::cpp {

struct JsonSections {
  std::string declarations;  // both tag_invoke overloads, declared (models refer to each other)
  std::string definitions;   // both, defined inline
};

/// The JSON sections of model `model` of `set`.
JsonSections emit_json(const ir::ModelSet& set, int model);

/// Whether reading a model from JSON needs the member of `f` (Django REST framework's
/// ModelSerializer rule): a field is optional when it is nullable, has a default, is an
/// auto-increment key or an auto_now / auto_now_add stamp; every other field is required.
///   title: { type: string }                    -> required
///   views: { type: int64, default: 0 }        -> optional
///   id (implicit, auto-increment)              -> optional
///   created_at: { auto_now_add: true }         -> optional
bool json_required(const ir::Field& f) noexcept;

}  // namespace aormc::emit::cpp
