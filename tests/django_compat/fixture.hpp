// fixture.hpp — a fresh database per test with the tables of compat.yaml: a SQLite file
// (both execution policies), or a PostgreSQL schema when the suite runs with
// --aorm-backend=postgres.
//
//   TEST_CASE("...") {           // ports tests/delete/tests.py FastDeleteTests.test_x
//     compat::for_each_backend([](aorm::Database& db) -> aorm::Task<void> { ... });
//   }
#pragma once

#include <doctest/doctest.h>

#include <functional>

#include "compat/models.hpp"

namespace compat {

using Body = std::function<aorm::Task<void>(aorm::Database&)>;

/// Runs `body` in aorm::run on a fresh database (alias "default") with compat's tables, once
/// per backend configuration of this run (a doctest SUBCASE each); closes it afterwards.
void for_each_backend(const Body& body);

}  // namespace compat
