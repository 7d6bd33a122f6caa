// Code generated at build time from models/library.hpp by aorm_generate(HEADERS) compiles
// against the runtime and describes the annotated models.
#include <doctest/doctest.h>

#include <string_view>

#include "library/models.hpp"

TEST_CASE("aorm_generate(HEADERS) builds the annotated models into a library") {
  const aorm::ModelMeta& book = aorm::ModelTraits<library::Book>::meta();
  CHECK(book.table == std::string_view("library_book"));
  CHECK(aorm::ModelTraits<library::Author>::meta().table == std::string_view("library_author"));
  library::Book b{.title = "Dune", .pages = 412};
  CHECK(b.format == library::Book::Format::paperback);  // the member initializer's default
  CHECK(b.in_print);
  CHECK(aorm::EnumTraits<library::Book::Format>::values[2] == "ebook");
}
