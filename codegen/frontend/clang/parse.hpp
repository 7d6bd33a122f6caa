// frontend/clang/parse.hpp — the Clang front end: a header of annotated C++ structs
// (aorm/model.hpp, API.md §1b) to an ir::ModelSetSpec, like the YAML front end's.
//
// The header is compiled by Clang (LibTooling) with the caller's flags; every struct of the
// header itself (not of what it includes) whose body says AORM_MODEL(...) is a model, its
// non-static data members are its fields, in order. Types map to field types:
//
//   bool -> bool    std::int32_t -> int32    std::int64_t -> int64    double -> double
//   std::string -> text, or string with AORM_FIELD(max_length = N)
//   aorm::Date/DateTime/Time/Decimal/Uuid/Json/Bytes -> date/datetime/time/decimal/uuid/json/bytes
//   a nested `enum class E { a, b }` -> string with choices [a, b] (stored by enumerator name)
//   std::optional<T> -> T with null: true
//   aorm::ForeignKey<T> -> foreign_key to T (aorm::ForeignKey<T, aorm::nullable>: null: true)
//   aorm::ManyToMany<Model, T> -> many_to_many to T
//
// A member initializer is the field's default (literals, enumerators, std::nullopt; `{}`
// is no default), AORM_FIELD's options are its options (frontend/clang/options.hpp), the
// enclosing namespace is the model file's namespace. Like the YAML front end it decides
// nothing else: ir::resolve() checks the spec.
//
// No Clang or LLVM type appears here: the rest of aormc does not see them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diag/diagnostics.hpp"
#include "ir/spec.hpp"

namespace aormc::annotated {

/// Compiles `text`, the contents of the header the user named `file`, with `flags` (what a
/// compiler needs to read it: -I, -D, -std, ...; `@file` reads flags from a response file)
/// and collects its models. Clang's own errors are reported as diagnostics too (then no
/// spec is returned: a header that does not compile describes nothing reliably).
/// Returns nullopt when the header did not compile; otherwise the spec, with every problem
/// in the annotations reported to `diags`. `included`, when given, receives every file the
/// header includes (directly or not), as Clang found them.
std::optional<ir::ModelSetSpec> parse(std::string_view text, const std::string& file,
                                      const std::vector<std::string>& flags,
                                      diag::Diagnostics& diags,
                                      std::vector<std::string>* included = nullptr);

/// Clang's resource directory (its stddef.h & co.) as aormc passes it: found from the
/// clang binary of the LLVM aormc was built with.
std::string resource_dir();

}  // namespace aormc::annotated
