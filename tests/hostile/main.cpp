// hostile_tests: user values that try to break out of SQL (quotes, NUL bytes, wildcards,
// unicode, 1 MB strings, blobs) and models whose identifiers are SQL keywords.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
