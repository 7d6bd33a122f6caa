// fixture.hpp — what the asio tests share: an io_context with a Host and a fresh database
// opened on it, on every backend configuration of the run.
//
//   TEST_CASE("...") {
//     hx::for_each_backend([](hx::Env& env) {
//       auto n = env.complete(Tag::objects.acount());   // async_run + use_future + io.run()
//     });
//   }
#pragma once

#include <doctest/doctest.h>

#include <boost/asio.hpp>
#include <functional>
#include <future>
#include <optional>
#include <string>

#include "aorm/asio.hpp"
#include "backends.hpp"
#include "blog/models.hpp"

namespace hx {

namespace net = boost::asio;
using blog::Tag;

struct Env {
  aorm_test::Backend backend;
  net::io_context io;
  std::optional<aorm::asio::Host> host;
  aorm::Database db;

  bool postgres() const noexcept { return backend == aorm_test::Backend::postgres; }
  bool inline_sqlite() const noexcept { return backend == aorm_test::Backend::sqlite_inline; }

  /// Runs `task` on the Host (async_run with use_future), runs the io_context until it has
  /// no more work, and returns the task's value (or rethrows).
  template <class T>
  T complete(aorm::Task<T> task) {
    std::future<T> f = aorm::asio::async_run(*host, std::move(task), net::use_future);
    io.restart();
    io.run();
    return f.get();
  }
};

/// Opens a fresh database of `backend` with the blog tables on a new Host, calls fn(env),
/// then closes the database (on the Host if it still exists, else in aorm::run).
void with_env(aorm_test::Backend backend, const std::function<void(Env&)>& fn);
/// with_env() on every configuration of this run (both SQLite policies, or PostgreSQL),
/// each in its own SUBCASE; on a PostgreSQL run without a server, reports the test skipped.
void for_each_backend(const std::function<void(Env&)>& fn);

/// Tags named t0..t{n-1}.
aorm::Task<void> add_tags(int n);
/// The pool's idle connections and its size (equal when nothing is leased).
std::size_t idle(const aorm::Database& db);
std::size_t pool(const aorm::Database& db);

}  // namespace hx
