// emit/cpp/model_sections.hpp — everything one model contributes to the generated files,
// as named sections; files.cpp decides where each section goes.
#pragma once

#include <string>

#include "ir/model.hpp"

namespace aormc::emit::cpp {

struct ModelSections {
  // header, inside the namespace:
  std::string declaration;         // struct Article { members; declarations };
  std::string inline_definitions;  // Article::Fields, the exceptions, `f` and `objects`
  std::string enum_functions;      // to_string / from_string of each choices enum (after the traits)
  // header, global scope (before the inline definitions, which instantiate templates
  // that may need them):
  std::string enum_traits;         // aorm::EnumTraits<...> for each choices enum
  std::string model_traits;        // aorm::ModelTraits<...>
  // source:
  std::string meta_tables;         // ColumnMeta ... ModelMeta (anonymous namespace)
  std::string methods;             // asave / adelete / arefresh_from_db (namespace)
  std::string trait_definitions;   // ModelTraits meta / write / read (global scope)
};

/// The sections of model `model` of `set`.
ModelSections emit_model(const ir::ModelSet& set, int model);

/// The fully qualified C++ name of a model: "blog::Article".
std::string qualified(const ir::ModelSet& set, const ir::Model& m);

/// The name of a model's ModelMeta constant in the source: "article_meta".
std::string meta_variable(const ir::Model& m);

}  // namespace aormc::emit::cpp
