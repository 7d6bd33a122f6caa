// The main of postgres_tests (doctest's implementation comes with aorm_test_backends).
#include "backends.hpp"

int main(int argc, char** argv) { return aorm_test::run_doctest(argc, argv); }
