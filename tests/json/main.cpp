// The main of json_tests (SQLite only: JSON does not depend on the backend).
#include "backends.hpp"

int main(int argc, char** argv) { return aorm_test::run_doctest(argc, argv); }
