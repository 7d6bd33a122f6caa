// Transactions on PostgreSQL alone, through the public API and the blog models (with the
// transactions suite's fixture, tests/transactions/fixture.hpp): real row locks
// (select_for_update with nowait, skip_locked and of), isolation levels with serialization
// failures, and a client killed with SIGKILL in the middle of a transaction. The lock tests
// use two connections of one pool: a transaction on one holds locks while a task on the
// other probes them. (The backend-independent transaction tests run on PostgreSQL as the
// "postgres." tests of transactions_tests.)
#include <algorithm>
#include <stdexcept>

#include "fixture.hpp"

using namespace std::chrono_literals;
using aorm::Task;
using tx::Article;
using tx::Env;
using tx::Tag;
using Clock = std::chrono::steady_clock;

namespace {

constexpr tx::EnvOptions kTwoConnections{.pool_size = 2};

Task<void> add_tag(std::string name) { co_await Tag::objects.acreate(Tag{.name = std::move(name)}); }

/// Waits (on the loop) until `flag` is set; raises after 10 s so that a broken test fails
/// instead of hanging.
Task<void> wait_for(const bool& flag) {
  const auto deadline = Clock::now() + 10s;
  while (!flag) {
    if (Clock::now() > deadline) throw std::runtime_error("timed out waiting for the other task");
    co_await aorm::sleep(1ms);
  }
}

/// Runs `hold` in a transaction that keeps what it locked until `probe`, started in another
/// task (so on another connection) once `hold` has returned, has finished.
Task<void> while_locked(std::function<Task<void>()> hold, std::function<Task<void>()> probe) {
  bool locked = false, done = false;
  auto holder = [&]() -> Task<void> {
    co_await aorm::atomic([&]() -> Task<void> {
      co_await hold();
      locked = true;
      co_await wait_for(done);
    });
  };
  auto prober = [&]() -> Task<void> {
    co_await wait_for(locked);
    std::exception_ptr failure;
    try {
      co_await probe();
    } catch (...) {
      failure = std::current_exception();
    }
    done = true;
    if (failure) std::rethrow_exception(failure);
  };
  co_await aorm::gather(holder(), prober());
}

/// What `lock()` (a select_for_update query run in a transaction of its own) meets: "free"
/// when it returns, else the SQLSTATE of the OperationalError it raises. NOWAIT must fail
/// at once, not after waiting for the holder: checked against 2 s (the holder waits 10).
Task<std::string> try_lock(std::function<Task<void>()> lock) {
  const auto start = Clock::now();
  std::string outcome = "free";
  try {
    co_await aorm::atomic(lock);
  } catch (const aorm::OperationalError& e) {
    outcome = e.code();
  }
  CHECK(Clock::now() - start < 2s);
  co_return outcome;
}

}  // namespace

TEST_CASE("select_for_update waits for the transaction holding the row lock and then reads its committed row") {
  tx::on_postgres(
      [](Env& env) -> Task<void> {
        const auto& f = Article::f;
        auto author = co_await tx::make_author();
        const auto id = (co_await Article::objects.acreate(
                             Article{.title = "Locked", .slug = "locked", .views = 0, .author = author}))
                            .id;
        std::vector<std::string> events;
        bool locked = false;
        auto holder = [&]() -> Task<void> {
          co_await aorm::atomic([&]() -> Task<void> {
            co_await Article::objects.select_for_update().filter(f.pk == id).aget();
            events.push_back("holder locked");
            locked = true;
            co_await aorm::sleep(150ms);
            co_await Article::objects.filter(f.pk == id).aupdate(f.views = 1);
            events.push_back("holder commits");
          });
        };
        auto waiter = [&]() -> Task<Clock::duration> {
          co_await wait_for(locked);
          co_return co_await aorm::atomic([&]() -> Task<Clock::duration> {
            events.push_back("waiter asks");
            const auto start = Clock::now();
            const auto row = co_await Article::objects.select_for_update().filter(f.pk == id).aget();
            events.push_back("waiter got views=" + std::to_string(row.views));
            co_return Clock::now() - start;
          });
        };
        auto reader = [&]() -> Task<void> {  // a plain read does not wait for the lock
          co_await wait_for(locked);
          const auto row = co_await Article::objects.filter(f.pk == id).aget();
          events.push_back("reader got views=" + std::to_string(row.views));
        };
        auto [unused, waited, unused2] = co_await aorm::gather(holder(), waiter(), reader());
        // The waiter asked while the lock was held, got the row only after the holder's
        // commit, and saw the committed change (read committed re-reads a locked row).
        CHECK(events == std::vector<std::string>{"holder locked", "waiter asks", "reader got views=0",
                                                 "holder commits", "waiter got views=1"});
        CHECK(waited >= 100ms);
        CHECK(tx::idle(env.db) == tx::pool(env.db));
      },
      {.pool_size = 3});
}

TEST_CASE("select_for_update with nowait raises OperationalError 55P03 at once on a locked row") {
  tx::on_postgres(
      [](Env& env) -> Task<void> {
        co_await add_tag("a");
        co_await add_tag("b");
        const auto& name = Tag::f.name;
        co_await while_locked(
            [&]() -> Task<void> { co_await Tag::objects.select_for_update().filter(name == "a").alist(); },
            [&]() -> Task<void> {
              CHECK(co_await try_lock([&]() -> Task<void> {
                      co_await Tag::objects.select_for_update({.nowait = true}).filter(name == "a").alist();
                    }) == "55P03");
              // Another row is not locked: nowait takes it.
              CHECK(co_await try_lock([&]() -> Task<void> {
                      co_await Tag::objects.select_for_update({.nowait = true}).filter(name == "b").alist();
                    }) == "free");
            });
        // The failed transaction was rolled back: the pool is whole, its connections usable.
        CHECK(tx::idle(env.db) == tx::pool(env.db));
        CHECK(co_await tx::wait_server_sessions(env.application_name, "idle in transaction", 0) == 0);
        co_await aorm::atomic([&]() -> Task<void> {
          CHECK((co_await Tag::objects.select_for_update({.nowait = true}).filter(name == "a").alist()).size() == 1);
        });
      },
      kTwoConnections);
}

TEST_CASE("select_for_update through aiterator inside atomic keeps the rows it read locked until the block ends") {
  tx::on_postgres(
      [](Env& env) -> Task<void> {
        for (const char* n : {"a", "b", "c"}) co_await add_tag(n);
        const auto& name = Tag::f.name;
        std::vector<std::string> streamed;
        co_await while_locked(
            [&]() -> Task<void> {
              // The stream runs on the transaction's connection; its rows stay locked after
              // it is exhausted, as long as the block is open.
              auto stream = Tag::objects.select_for_update().filter(name != "c").order_by(name).aiterator();
              while (auto tag = co_await stream.anext()) streamed.push_back(tag->name);
            },
            [&]() -> Task<void> {
              CHECK(co_await try_lock([&]() -> Task<void> {
                      co_await Tag::objects.select_for_update({.nowait = true}).filter(name == "a").alist();
                    }) == "55P03");
              CHECK(co_await try_lock([&]() -> Task<void> {
                      co_await Tag::objects.select_for_update({.nowait = true}).filter(name == "c").alist();
                    }) == "free");
            });
        CHECK(streamed == std::vector<std::string>{"a", "b"});
        // The block has ended: its locks are gone.
        CHECK(co_await try_lock([&]() -> Task<void> {
                co_await Tag::objects.select_for_update({.nowait = true}).filter(name == "b").alist();
              }) == "free");
        CHECK(tx::idle(env.db) == tx::pool(env.db));
      },
      kTwoConnections);
}

TEST_CASE("select_for_update with skip_locked returns only the rows nobody has locked") {
  tx::on_postgres(
      [](Env&) -> Task<void> {
        for (const char* n : {"a", "b", "c", "d"}) co_await add_tag(n);
        const auto& name = Tag::f.name;
        co_await while_locked(
            [&]() -> Task<void> {
              co_await Tag::objects.select_for_update().filter(name == "b" || name == "d").alist();
            },
            [&]() -> Task<void> {
              co_await aorm::atomic([&]() -> Task<void> {
                const auto start = Clock::now();
                auto rows = co_await Tag::objects.select_for_update({.skip_locked = true}).order_by(name).alist();
                CHECK(Clock::now() - start < 2s);
                std::vector<std::string> names;
                for (const Tag& t : rows) names.push_back(t.name);
                CHECK(names == std::vector<std::string>{"a", "c"});
                // The rows it got are now locked by this transaction too: a third transaction
                // (a task outside this one's context, on the third connection) cannot take them.
                auto third = aorm::detail::with_context(nullptr, try_lock([&]() -> Task<void> {
                  co_await Tag::objects.select_for_update({.nowait = true}).filter(name == "a").alist();
                }));
                CHECK(co_await std::move(third) == "55P03");
              });
            });
      },
      {.pool_size = 3});
}

TEST_CASE("select_for_update of locks only the named tables of a select_related join") {
  tx::on_postgres(
      [](Env&) -> Task<void> {
        const auto& f = Article::f;
        auto author = co_await tx::make_author();
        const auto article_id =
            (co_await Article::objects.acreate(Article{.title = "T", .slug = "t", .author = author})).id;
        const auto author_id = author.id;
        // What a second transaction meets on the article and on its author row.
        auto probe_both = [&]() -> Task<std::pair<std::string, std::string>> {
          const std::string article = co_await try_lock([&]() -> Task<void> {
            co_await Article::objects.select_for_update({.nowait = true}).filter(f.pk == article_id).alist();
          });
          const std::string writer = co_await try_lock([&]() -> Task<void> {
            co_await tx::Author::objects.select_for_update({.nowait = true})
                .filter(tx::Author::f.pk == author_id)
                .alist();
          });
          co_return std::pair{article, writer};
        };
        auto lock_with = [&](aorm::ForUpdateOptions options) -> Task<std::pair<std::string, std::string>> {
          std::pair<std::string, std::string> seen;
          co_await while_locked(
              [&]() -> Task<void> {
                auto rows = co_await Article::objects.select_related(f.author)
                                .select_for_update(options)
                                .filter(f.pk == article_id)
                                .alist();
                REQUIRE(rows.size() == 1);
                CHECK(rows[0].author->name == "Ada");
              },
              [&]() -> Task<void> { seen = co_await probe_both(); });
          co_return seen;
        };
        using Seen = std::pair<std::string, std::string>;
        // Without of: every joined row is locked.
        CHECK(co_await lock_with({}) == Seen{"55P03", "55P03"});
        CHECK(co_await lock_with({.of = {aorm::self}}) == Seen{"55P03", "free"});
        CHECK(co_await lock_with({.of = {f.author.column()}}) == Seen{"free", "55P03"});
        CHECK(co_await lock_with({.of = {aorm::self, f.author.column()}}) == Seen{"55P03", "55P03"});
      },
      kTwoConnections);
}

TEST_CASE("isolation levels on PostgreSQL: read committed sees rows committed meanwhile, repeatable read and serializable do not") {
  tx::on_postgres(
      [](Env&) -> Task<void> {
        struct Case {
          aorm::Isolation level;
          const char* shown;      // SHOW transaction_isolation inside the block
          std::int64_t growth;    // rows the second count sees beyond the first
        };
        int n = 0;
        for (const Case c : {Case{aorm::Isolation::default_, "read committed", 1},
                             Case{aorm::Isolation::read_committed, "read committed", 1},
                             Case{aorm::Isolation::repeatable_read, "repeatable read", 0},
                             Case{aorm::Isolation::serializable, "serializable", 0}}) {
          CAPTURE(c.shown);
          bool counted = false, inserted = false;
          auto observer = [&]() -> Task<std::pair<std::int64_t, std::int64_t>> {
            co_return co_await aorm::atomic(
                [&]() -> Task<std::pair<std::int64_t, std::int64_t>> {
                  CHECK(co_await tx::text(aorm::detail::database("default"), "SHOW transaction_isolation") ==
                        c.shown);
                  const std::int64_t before = co_await Tag::objects.acount();
                  counted = true;
                  co_await wait_for(inserted);
                  co_return std::pair{before, co_await Tag::objects.acount()};
                },
                {.isolation = c.level});
          };
          auto inserter = [&]() -> Task<void> {
            co_await wait_for(counted);
            co_await add_tag("t" + std::to_string(++n));  // autocommit, on the other connection
            inserted = true;
          };
          auto [seen, unused] = co_await aorm::gather(observer(), inserter());
          CHECK(seen.second - seen.first == c.growth);
        }
        // A nested block cannot change the level.
        CHECK_THROWS_AS(co_await aorm::atomic(
                            [&]() -> Task<void> {
                              co_await aorm::atomic([]() -> Task<void> { co_return; },
                                                    {.isolation = aorm::Isolation::serializable});
                            },
                            {.isolation = aorm::Isolation::repeatable_read}),
                        aorm::TransactionManagementError);
      },
      kTwoConnections);
}

TEST_CASE("a concurrent update under repeatable read raises OperationalError 40001 and rolls back") {
  tx::on_postgres(
      [](Env& env) -> Task<void> {
        const auto& f = Article::f;
        auto author = co_await tx::make_author();
        const auto id = (co_await Article::objects.acreate(
                             Article{.title = "C", .slug = "c", .views = 0, .author = author}))
                            .id;
        bool read = false, updated = false;
        auto snapshot_writer = [&]() -> Task<std::string> {
          try {
            co_await aorm::atomic(
                [&]() -> Task<void> {
                  CHECK((co_await Article::objects.filter(f.pk == id).aget()).views == 0);  // takes the snapshot
                  co_await add_tag("from the failed transaction");
                  read = true;
                  co_await wait_for(updated);
                  co_await Article::objects.filter(f.pk == id).aupdate(f.views = f.views + 10);
                },
                {.isolation = aorm::Isolation::repeatable_read});
          } catch (const aorm::OperationalError& e) {
            CHECK(std::string(e.what()).find("could not serialize") != std::string::npos);
            co_return e.code();
          }
          co_return "committed";
        };
        auto other = [&]() -> Task<void> {
          co_await wait_for(read);
          co_await Article::objects.filter(f.pk == id).aupdate(f.views = f.views + 1);
          updated = true;
        };
        auto [code, unused] = co_await aorm::gather(snapshot_writer(), other());
        CHECK(code == "40001");
        CHECK((co_await Article::objects.filter(f.pk == id).aget()).views == 1);
        CHECK(co_await Tag::objects.acount() == 0);
        CHECK(tx::idle(env.db) == tx::pool(env.db));
      },
      kTwoConnections);
}

TEST_CASE("serializable transactions with a write skew: one commits, the other raises OperationalError 40001") {
  tx::on_postgres(
      [](Env&) -> Task<void> {
        co_await add_tag("on call: ada");
        co_await add_tag("on call: linus");
        // Each transaction reads how many are on call and, seeing two, takes one off; under
        // serializable both cannot commit (one would have read what the other changed).
        int counted = 0;
        auto off_call = [&](std::string who) -> Task<std::string> {
          try {
            co_await aorm::atomic(
                [&]() -> Task<void> {
                  const auto on_call = co_await Tag::objects.filter(Tag::f.name.startswith("on call")).acount();
                  ++counted;
                  while (counted < 2) co_await aorm::sleep(1ms);  // both have read
                  if (on_call == 2) co_await Tag::objects.filter(Tag::f.name == "on call: " + who).adelete();
                },
                {.isolation = aorm::Isolation::serializable});
          } catch (const aorm::OperationalError& e) {
            co_return e.code();
          }
          co_return "committed";
        };
        auto [a, b] = co_await aorm::gather(off_call("ada"), off_call("linus"));
        std::vector<std::string> outcomes{a, b};
        std::sort(outcomes.begin(), outcomes.end());
        CHECK(outcomes == std::vector<std::string>{"40001", "committed"});
        CHECK(co_await Tag::objects.filter(Tag::f.name.startswith("on call")).acount() == 1);
      },
      kTwoConnections);
}

TEST_CASE("two transactions locking rows in opposite order: one raises OperationalError 40P01, the other commits") {
  tx::on_postgres(
      [](Env&) -> Task<void> {
        co_await add_tag("a");
        co_await add_tag("b");
        bool a_locked = false, b_locked = false;
        auto locker = [&](std::string first, std::string second, bool& mine, const bool& theirs) -> Task<std::string> {
          try {
            co_await aorm::atomic([&]() -> Task<void> {
              // Superuser test server: detect the deadlock after 100 ms, not the default 1 s.
              co_await aorm::detail::database("default").aexecute("SET LOCAL deadlock_timeout = '100ms'");
              co_await Tag::objects.select_for_update().filter(Tag::f.name == first).alist();
              mine = true;
              co_await wait_for(theirs);
              co_await Tag::objects.select_for_update().filter(Tag::f.name == second).alist();
            });
          } catch (const aorm::OperationalError& e) {
            co_return e.code();
          }
          co_return "committed";
        };
        auto [x, y] = co_await aorm::gather(locker("a", "b", a_locked, b_locked), locker("b", "a", b_locked, a_locked));
        std::vector<std::string> outcomes{x, y};
        std::sort(outcomes.begin(), outcomes.end());
        CHECK(outcomes == std::vector<std::string>{"40P01", "committed"});
      },
      kTwoConnections);
}

namespace {

/// `env`'s URL with the application_name `name` instead of env.application_name.
std::string url_named(const Env& env, const std::string& name) {
  REQUIRE(env.url.ends_with("&application_name=" + env.application_name));
  return env.url.substr(0, env.url.size() - env.application_name.size()) + name;
}

/// Kills a writer client (tx::kill_writer_after, its connections named `name`) after
/// `kill_after` progress bytes.
void kill_client_after(const Env& env, const std::string& name, int kill_after) {
  aorm::ConnectOptions opts;
  opts.alias = "client";
  tx::kill_writer_after(url_named(env, name), opts, kill_after, [&] {
    // Mid-transaction, the client's sessions are there under that name (after the commit its
    // run() has ended and closed them).
    if (kill_after <= tx::kCrashRows / tx::kCrashBatch) CHECK(tx::server_sessions(name, "") >= 1);
  });
}

}  // namespace

TEST_CASE("a client killed with SIGKILL in the middle of an atomic bulk insert leaves none of it and no session behind") {
  if (tx::skip_without_postgres()) return;
  tx::with_env(aorm_test::Backend::postgres, [](Env& env) {
    const std::string client = env.application_name + "_client";
    kill_client_after(env, client, 10);  // 10 of 40 batches sent, never committed
    aorm::run([&]() -> Task<void> {
      // The server notices the closed socket, rolls the transaction back and ends the
      // session (its pool's other connections too).
      CHECK(co_await tx::wait_server_sessions(client, "", 0) == 0);
      CHECK(co_await Tag::objects.acount() == 0);
      // Nothing of it holds a lock: the names it inserted can be taken.
      co_await Tag::objects.acreate(Tag{.name = "t0"});
      CHECK(co_await Tag::objects.acount() == 1);
    }());
  });
}

TEST_CASE("a client killed with SIGKILL right after an atomic bulk insert committed leaves all of it") {
  if (tx::skip_without_postgres()) return;
  tx::with_env(aorm_test::Backend::postgres, [](Env& env) {
    kill_client_after(env, env.application_name + "_client", tx::kCrashRows / tx::kCrashBatch + 1);
    aorm::run([&]() -> Task<void> {
      CHECK(co_await Tag::objects.acount() == tx::kCrashRows);
    }());
  });
}
