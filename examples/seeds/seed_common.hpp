// seed_common.hpp — what every seed example shares: opening a fresh database, a little
// sample data, and `expect`, which turns a wrong result into a non-zero exit so that the
// examples double as tests (ctest runs each one).
//
// The seed examples reproduce, in C++, the Django snippets of the documents in
// shared/seeds. Their models (Article, Author, Tag, Comment) are the blog models of
// models/blog.yaml. Where a snippet uses a model the blog does not have (User, Post, Book,
// Profile, Transaction, ...), the example says which blog model stands in for it.
//
// Compiler note: the project builds with clang++-19. g++ 12 miscompiles braced temporaries
// with destructors inside a `co_await` expression and rejects initializer lists there
// (TOOLCHAIN.md), so these examples build such values into named locals first.
#pragma once

#include <chrono>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>
#include <string_view>

#include "blog/models.hpp"

namespace seeds {

using blog::Article;
using blog::Author;
using blog::Comment;
using blog::Tag;
using Status = blog::Article::Status;

/// Throws (and so fails the example) when `ok` is false.
inline void expect(bool ok, std::string_view what) {
  if (!ok) throw std::runtime_error("unexpected result: " + std::string(what));
}

/// Prints a section heading.
inline void section(std::string_view title) { std::cout << "\n-- " << title << '\n'; }

/// The current time, at the microsecond precision aorm stores.
inline aorm::DateTime now() {
  return std::chrono::time_point_cast<std::chrono::microseconds>(std::chrono::system_clock::now());
}

/// Removes a SQLite file and its WAL side files, if present.
inline void remove_db_files(const std::string& path) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix, ec);
}

/// Deletes `path` and its WAL side files, opens it and creates the blog tables.
inline aorm::Task<aorm::Database> open_fresh(std::string path) {
  remove_db_files(path);
  aorm::Database db = co_await aorm::aconnect("sqlite:" + path);
  co_await db.acreate_tables(blog::app);
  co_return db;
}

/// An author to own the articles the snippets create (every article needs one).
inline aorm::Task<Author> an_author(std::string name = "Ada Lovelace",
                                    std::string email = "ada@example.com") {
  Author author{.name = std::move(name), .email = std::move(email)};
  co_return co_await Author::objects.acreate(author);
}

/// An example's main: runs `body(path)` where path is argv[1], or else a file in the temp
/// folder that is removed afterwards. Prints the error and returns 1 when the body throws.
template <class Body>
int run_example(std::string_view name, int argc, char** argv, Body body) {
  const bool temporary = argc < 2;
  const std::string path = temporary
      ? (std::filesystem::temp_directory_path() / ("aorm-" + std::string(name) + ".db")).string()
      : std::string(argv[1]);
  int rc = 0;
  try {
    aorm::run(body(path));
    std::cout << "\n" << name << ": all snippets ran\n";
  } catch (const std::exception& e) {
    std::cerr << name << ": " << e.what() << '\n';
    rc = 1;
  }
  if (temporary) remove_db_files(path);
  return rc;
}

}  // namespace seeds
