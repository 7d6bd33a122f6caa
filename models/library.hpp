// A small library written as annotated C++ structs (API.md §1b): authors write books, books
// have genres. aormc's Clang front end reads it; user code includes the generated
// "library/models.hpp", exactly as for a YAML model.
// Generated code: generated/library/models.{hpp,cpp}
//   (aormc generate models/library.hpp --out generated -- -Iruntime/include)
// Its YAML twin, tests/codegen/parity/library.yaml, must generate the same code.
#pragma once

#include <aorm/model.hpp>

namespace library {

struct Author {
  AORM_MODEL(Author);
  AORM_FIELD(max_length = 100) std::string name;
  AORM_FIELD(unique, max_length = 254) std::string email;
  std::optional<aorm::Date> born;
};

struct Genre {
  AORM_MODEL(Genre, ordering = "name");
  AORM_FIELD(max_length = 50, unique) std::string name;
};

struct Book {
  AORM_MODEL(Book, table = "library_book", ordering = "-published", get_latest_by = published,
             indexes = {{format, published}});

  enum class Format { hardcover, paperback, ebook };

  AORM_FIELD(primary_key) std::int64_t id = 0;
  AORM_FIELD(max_length = 200, index) std::string title;
  std::optional<std::string> summary;  // nullable text
  Format format = Format::paperback;   // choices, stored as "hardcover", "paperback", "ebook"
  std::int32_t pages = 0;
  std::optional<double> rating;
  bool in_print = true;
  AORM_FIELD(on_delete = cascade, related_name = books) aorm::ForeignKey<Author> author;
  AORM_FIELD(related_name = books) aorm::ManyToMany<Book, Genre> genres;
  aorm::Date published;
  AORM_FIELD(auto_now_add) aorm::DateTime added;
};

}  // namespace library
