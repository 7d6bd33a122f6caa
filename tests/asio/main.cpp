// The main of asio_tests (see CMakeLists.txt).
//
//   asio_tests [doctest options]                          SQLite, both execution policies
//   asio_tests --aorm-backend=postgres [doctest options]  PostgreSQL
#include "backends.hpp"

int main(int argc, char** argv) { return aorm_test::run_doctest(argc, argv); }
