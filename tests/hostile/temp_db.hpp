// temp_db.hpp — the shared per-test SQLite file (tests/common/temp_db.hpp) under this suite's
// namespace, and with_app(): a fresh file with an app's tables around a test body.
#pragma once

#include <exception>

#include <aorm/aorm.hpp>

#include "../common/temp_db.hpp"

namespace hostile {
using aorm_test::TempDbFile;

/// Connects to a fresh file, creates `app`'s tables, runs `body` and closes the database,
/// also when the body throws (then the exception propagates).
template <class Body>
void with_app(const aorm::App& app, Body body) {
  TempDbFile file;
  aorm::run([&]() -> aorm::Task<void> {
    auto db = co_await aorm::aconnect(file.url());
    co_await db.acreate_tables(app);
    std::exception_ptr failure;
    try {
      co_await body();
    } catch (...) {
      failure = std::current_exception();
    }
    co_await db.aclose();
    if (failure) std::rethrow_exception(failure);
  }());
}
}  // namespace hostile
