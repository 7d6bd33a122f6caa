// aorm/model.hpp — annotated C++ structs as models (API.md §1b), read by aormc's Clang
// front end:
//
//   #include <aorm/model.hpp>
//   namespace library {
//   struct Book {
//     AORM_MODEL(Book, table = "library_book", ordering = "-published");
//     AORM_FIELD(primary_key) std::int64_t id = 0;
//     AORM_FIELD(max_length = 200, index) std::string title;
//     std::optional<std::string> summary;          // every data member is a field
//     aorm::Date published;
//   };
//   }
//
// The header is the model's source, like a YAML file: `aormc generate models/library.hpp
// --out DIR -- <flags>` (or `aorm_generate(t HEADERS models/library.hpp)`) writes
// DIR/library/models.{hpp,cpp}, and user code includes "library/models.hpp" exactly as it
// would for a YAML model. Do not include the annotated header and the generated one in the
// same translation unit: both define `library::Book`.
//
// What the macros do:
// - AORM_MODEL(Name, options...) declares, inside the struct, what the generated code
//   defines (`objects`, `f`, `Fields`, `DoesNotExist`, `MultipleObjectsReturned`, `asave`,
//   `adelete`, `arefresh_from_db`), so the annotated header compiles on its own with g++ or
//   clang++ and shows the same members the generated struct has. Model options:
//   table = "name", ordering = "-field" or {"-a", "b"}, get_latest_by = field,
//   indexes = {{a, b}, ...}, unique_together = {{a, b}, ...}.
// - AORM_FIELD(options...) marks one data member: primary_key, unique, index, auto_now,
//   auto_now_add, one_to_one (flags; `= false` allowed), max_length = N, max_digits = N,
//   decimal_places = N, db_column = name, on_delete = cascade|protect|restrict|set_null|
//   set_default|do_nothing, related_name = name, db_table = name, through = Model.
//   A one-to-one relation is a foreign key with the flag:
//   `AORM_FIELD(one_to_one, on_delete = cascade) aorm::ForeignKey<User> user;`.
//   Nullability comes from the type (std::optional<T>, aorm::ForeignKey<T, aorm::nullable>),
//   defaults from member initializers, choices from a nested `enum class`.
//
// Under Clang the options travel as `[[clang::annotate("aorm:model"|"aorm:field", "<the
// options as written>")]]`, which the AST keeps for aormc; other compilers get nothing (g++
// warns about unknown attributes under -Wall, so the attribute is not even spelt there).
#pragma once

#include "aorm/detail/compiler_check.hpp"  // g++ < 13 stops here, with the reason

#include <cstdint>
#include <optional>
#include <string>

#include "aorm/meta.hpp"       // DeleteResult
#include "aorm/relations.hpp"  // ForeignKey, ManyToMany, nullable
#include "aorm/task.hpp"       // Task
#include "aorm/types.hpp"      // Date, DateTime, Time, Decimal, Uuid, Json (Bytes: value.hpp)

namespace aorm {
template <class T>
class Manager;  // aorm/queryset.hpp; the generated code includes it
}  // namespace aorm

#if defined(__clang__)
#define AORM_DETAIL_ANNOTATE(kind, ...) [[clang::annotate(kind, #__VA_ARGS__)]]
#else
#define AORM_DETAIL_ANNOTATE(kind, ...)
#endif

/// Makes the enclosing struct a model named `Name` (which must be the struct's own name).
/// Use it once, as the struct's first member declaration, followed by `;`.
#define AORM_MODEL(Name, ...)                                  \
  struct Fields;                                               \
  struct DoesNotExist;                                         \
  struct MultipleObjectsReturned;                              \
  static const Fields f;                                       \
  ::aorm::Task<void> asave();                                  \
  ::aorm::Task<::aorm::DeleteResult> adelete();                \
  ::aorm::Task<void> arefresh_from_db();                       \
  AORM_DETAIL_ANNOTATE("aorm:model", Name __VA_OPT__(, ) __VA_ARGS__) \
  static const ::aorm::Manager<Name> objects

/// Gives the data member that follows its field options: `AORM_FIELD(unique) std::string x;`.
#define AORM_FIELD(...) AORM_DETAIL_ANNOTATE("aorm:field", __VA_ARGS__)
