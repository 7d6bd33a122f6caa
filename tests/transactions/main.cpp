// The main of transactions_tests (the fixture is fixture.cpp).
//
//   transactions_tests [doctest options]                          SQLite, both execution policies
//   transactions_tests --aorm-backend=postgres [doctest options]  PostgreSQL
#include "backends.hpp"

int main(int argc, char** argv) { return aorm_test::run_doctest(argc, argv); }
