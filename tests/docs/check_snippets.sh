#!/usr/bin/env bash
# Compiles every C++ snippet of one docs page, so the reference cannot rot.
#   check_snippets.sh CXX PAGE.md WORKDIR [compiler flags...]
#
# Fences in a page:
#   ```cpp          statements: the body of a coroutine, aorm::Task<void> (so `co_await` works),
#                   with a few names at hand: db, article, author, tag (see the prelude below)
#   ```cpp file     namespace-scope code (functions, structs); its #include lines go to the top
#   ```cpp ignore   not compiled (a deliberate mistake, or a fragment)
# Every snippet of the page becomes one function or namespace of one translation unit,
# compiled with -fsyntax-only: one compiler run per page.
set -euo pipefail
cxx=$1 page=$2 work=$3; shift 3
mkdir -p "$work"
name=$(basename "$page" .md)
tu="$work/$name.cpp"
{
  cat <<'PRELUDE'
// The prelude of every docs snippet (tests/docs/check_snippets.sh).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <aorm/aorm.hpp>
#include "blog/models.hpp"
#if __has_include(<boost/asio.hpp>) && __has_include(<boost/json.hpp>) && __has_include(<aorm/asio.hpp>)
#define AORM_DOCS_HAVE_BOOST 1
#include <aorm/asio.hpp>
#include <boost/asio.hpp>
#include <boost/json.hpp>
#include "blog/json.hpp"
#endif
PRELUDE
  # The #include lines of `cpp file` snippets, then the snippets themselves.
  awk '
    /^```cpp file[ \t]*$/ { inblock = 1; next }
    /^```/ { inblock = 0; next }
    inblock && /^#include/ { print }
  ' "$page"
  cat <<'PRELUDE'

using namespace std::chrono_literals;
using blog::Article;
using blog::Author;
using blog::Comment;
using blog::Tag;
PRELUDE
  awk -v page="$page" '
    function open_block(kind) {
      n++; mode = kind
      printf "\n// %s, snippet %d (line %d)\n", page, n, NR
      if (mode == "stmt") {
        printf "namespace docs_snippet_%d {\n", n
        print "[[maybe_unused]] aorm::Task<void> snippet(aorm::Database db, Article article, Author author, Tag tag) {"
        print "  (void)db; (void)article; (void)author; (void)tag;"
        print "  {"
      } else {
        printf "namespace docs_snippet_%d {\n", n
      }
      printf "#line %d \"%s\"\n", NR + 1, page
    }
    function close_block() {
      if (mode == "stmt") { print "  }"; print "  co_return;"; print "}" }
      print "}  // namespace"
      mode = ""
    }
    /^```cpp[ \t]*$/ { open_block("stmt"); next }
    /^```cpp file[ \t]*$/ { open_block("file"); next }
    /^```/ { if (mode != "") close_block(); skip = 0; next }
    mode == "file" && /^#include/ { print ""; next }
    mode != "" { print }
  ' "$page"
} >"$tu"
count=$(grep -c '^namespace docs_snippet_' "$tu" || true)
if [[ $count -eq 0 ]]; then echo "$page: no cpp snippets"; exit 0; fi
"$cxx" -std=c++20 -fsyntax-only -Wall -Wextra -Werror=unused-result -Wno-unused-variable \
  -Wno-unused-but-set-variable -Wno-missing-field-initializers \
  $( [[ $("$cxx" --version) == *clang* ]] && echo -Wno-missing-designated-field-initializers ) \
  "$@" "$tu"
echo "$page: $count snippets compile"
