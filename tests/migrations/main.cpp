// The main of migrations_tests.
//
//   migrations_tests [doctest options]                          SQLite
//   migrations_tests --aorm-backend=postgres [doctest options]  PostgreSQL
#include "backends.hpp"

int main(int argc, char** argv) { return aorm_test::run_doctest(argc, argv); }
