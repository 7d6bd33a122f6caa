// faults_tests: a full disk, a read-only file, a locked database and a process killed
// mid-transaction each leave the data intact, raise a typed error, and the runtime keeps
// serving afterwards.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
