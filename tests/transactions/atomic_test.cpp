// atomic(): savepoints, rollback levels, on_commit, durable, isolation, and the context
// rules for tasks started with gather() and spawn() inside and outside a transaction.
#include <stdexcept>

#include "fixture.hpp"

using namespace std::chrono_literals;
using aorm::Task;
using tx::Env;
using tx::Tag;

namespace {

Task<void> add_tag(std::string name) { co_await Tag::objects.acreate(Tag{.name = std::move(name)}); }

}  // namespace

TEST_CASE("rolling back an inner savepoint keeps the outer block's work") {
  tx::for_each_backend([](Env& env) -> Task<void> {
    co_await aorm::atomic([&]() -> Task<void> {
      co_await add_tag("outer-before");
      CHECK_THROWS_WITH(co_await aorm::atomic([&]() -> Task<void> {
        co_await add_tag("inner");
        co_await aorm::atomic([&]() -> Task<void> { co_await add_tag("inner-inner"); });
        CHECK(co_await tx::count(env.db, "blog_tag") == 3);
        throw std::runtime_error("inner failed");
      }),
                        "inner failed");
      CHECK(co_await tx::count(env.db, "blog_tag") == 1);
      co_await add_tag("outer-after");
    });
    auto names = co_await Tag::objects.order_by(Tag::f.name).values_list(Tag::f.name).alist();
    CHECK(names == std::vector<std::string>{"outer-after", "outer-before"});
  });
}

TEST_CASE("an exception leaving the outermost block rolls everything back and propagates") {
  tx::for_each_backend([](Env& env) -> Task<void> {
    CHECK_THROWS_AS(co_await aorm::atomic([&]() -> Task<void> {
      co_await add_tag("a");
      co_await aorm::atomic([&]() -> Task<void> {
        co_await add_tag("b");
        co_await add_tag("a");  // unique: IntegrityError, not caught anywhere
      });
    }),
                    aorm::IntegrityError);
    CHECK(co_await tx::count(env.db, "blog_tag") == 0);
    CHECK(tx::idle(env.db) == tx::pool(env.db));
  });
}

TEST_CASE("on_commit runs after the outermost commit only, and never on rollback") {
  tx::for_each_backend([](Env& env) -> Task<void> {
    std::vector<std::string> log;
    co_await aorm::atomic([&]() -> Task<void> {
      aorm::on_commit([&] { log.push_back("outer"); });
      co_await aorm::atomic([&]() -> Task<void> {
        aorm::on_commit([&] { log.push_back("released savepoint"); });
        co_return;
      });
      try {
        co_await aorm::atomic([&]() -> Task<void> {
          aorm::on_commit([&] { log.push_back("rolled-back savepoint"); });
          throw std::runtime_error("x");
        });
      } catch (const std::runtime_error&) {
      }
      CHECK(log.empty());
    });
    CHECK(log == std::vector<std::string>{"outer", "released savepoint"});

    log.clear();
    CHECK_THROWS(co_await aorm::atomic([&]() -> Task<void> {
      aorm::on_commit([&] { log.push_back("never"); });
      co_await add_tag("t");
      throw std::runtime_error("rollback");
    }));
    CHECK(log.empty());
    CHECK(co_await tx::count(env.db, "blog_tag") == 0);
  });
}

TEST_CASE("durable atomic refuses to nest and works as an outermost block") {
  tx::for_each_backend([](Env& env) -> Task<void> {
    co_await aorm::atomic([&]() -> Task<void> { co_await add_tag("durable"); }, {.durable = true});
    CHECK_THROWS_AS(co_await aorm::atomic([&]() -> Task<void> {
      co_await add_tag("outer");
      co_await aorm::atomic(env.db, [&]() -> Task<void> { co_await add_tag("never"); }, {.durable = true});
    }),
                    aorm::TransactionManagementError);
    auto names = co_await Tag::objects.values_list(Tag::f.name).alist();
    CHECK(names == std::vector<std::string>{"durable"});
  });
}

TEST_CASE("isolation levels are accepted on SQLite and cannot change inside a transaction") {
  if (tx::skip_on_postgres()) return;
  tx::run_env(aorm::Execution::workers, [](Env& env) -> Task<void> {
    aorm::QueryCapture cap;
    co_await aorm::atomic([&]() -> Task<void> { co_await add_tag("x"); },
                          {.isolation = aorm::Isolation::serializable});
    CHECK(cap.queries().front().sql == "BEGIN IMMEDIATE");  // SQLite is always serializable
    CHECK_THROWS_AS(co_await aorm::atomic(
                        [&]() -> Task<void> {
                          co_await aorm::atomic([]() -> Task<void> { co_return; },
                                                {.isolation = aorm::Isolation::read_committed});
                        },
                        {.isolation = aorm::Isolation::serializable}),
                    aorm::TransactionManagementError);
    CHECK(co_await tx::count(env.db, "blog_tag") == 1);
  });
}

TEST_CASE("tasks gathered or spawned inside atomic share its transaction") {
  tx::for_each_backend(
      [](Env& env) -> Task<void> {
        CHECK_THROWS_WITH(co_await aorm::atomic([&]() -> Task<void> {
          co_await aorm::gather(add_tag("g1"), add_tag("g2"));
          auto spawned_body = [&]() -> Task<std::int64_t> {
            co_await add_tag("s1");
            co_return co_await tx::count(env.db, "blog_tag");  // sees the uncommitted rows
          };
          auto handle = aorm::spawn(spawned_body());
          CHECK(co_await handle == 3);
          // A task outside the transaction (no context) does not see them.
          auto outside = aorm::detail::with_context(nullptr, tx::count(env.db, "blog_tag"));
          CHECK(co_await std::move(outside) == 0);
          throw std::runtime_error("undo all three");
        }),
                          "undo all three");
        CHECK(co_await tx::count(env.db, "blog_tag") == 0);
      },
      {.pool_size = 2});
}

TEST_CASE("tasks gathered or spawned outside atomic use the pool, not a sibling's transaction") {
  tx::for_each_backend(
      [](Env& env) -> Task<void> {
        bool inserted = false, committed = false;
        auto writer = [&]() -> Task<void> {
          co_await aorm::atomic([&]() -> Task<void> {
            co_await add_tag("uncommitted");
            inserted = true;
            co_await aorm::sleep(30ms);
          });
          committed = true;
        };
        auto reader = [&]() -> Task<std::int64_t> {
          while (!inserted) co_await aorm::sleep(1ms);
          co_return co_await tx::count(env.db, "blog_tag");  // another connection: sees 0
        };
        auto spawned = aorm::spawn(reader());
        auto [unused, seen] = co_await aorm::gather(writer(), reader());
        CHECK(seen == 0);
        CHECK(co_await spawned == 0);
        CHECK(committed);
        CHECK(co_await tx::count(env.db, "blog_tag") == 1);
      },
      {.pool_size = 2});
}

TEST_CASE("concurrent nested atomics inside one transaction take turns") {
  tx::for_each_backend([](Env&) -> Task<void> {
    aorm::QueryCapture cap;
    std::vector<std::string> committed;
    co_await aorm::atomic([&]() -> Task<void> {
      auto block = [&](std::string name, bool fail) -> Task<void> {
        try {
          co_await aorm::atomic([&]() -> Task<void> {
            co_await add_tag(name + "-1");
            aorm::on_commit([&committed, name] { committed.push_back(name); });
            co_await aorm::sleep(2ms);  // let the siblings try to interleave
            co_await add_tag(name + "-2");
            if (fail) throw std::runtime_error(name);
          });
        } catch (const std::runtime_error&) {
        }
      };
      auto plain = [&]() -> Task<void> {
        co_await add_tag("outer");  // an outer-block statement: never inside a sibling's savepoint
        aorm::on_commit([&committed] { committed.push_back("outer"); });
      };
      co_await aorm::gather(block("a", false), block("b", true), plain(), block("c", false));
    });
    auto names = co_await Tag::objects.order_by(Tag::f.name).values_list(Tag::f.name).alist();
    CHECK(names == std::vector<std::string>{"a-1", "a-2", "c-1", "c-2", "outer"});
    std::sort(committed.begin(), committed.end());
    CHECK(committed == std::vector<std::string>{"a", "c", "outer"});
    // Savepoints never overlapped: each SAVEPOINT is closed before the next one opens.
    int open = 0;
    for (const auto& q : cap.queries()) {
      if (q.sql.starts_with("SAVEPOINT")) {
        CHECK(open == 0);
        ++open;
      } else if (q.sql.starts_with("RELEASE")) {
        --open;
      }
    }
    CHECK(open == 0);
  });
}

TEST_CASE("a task spawned in atomic that outlives the block gets TransactionManagementError") {
  tx::for_each_backend([](Env& env) -> Task<void> {
    std::optional<aorm::Spawned<void>> late;
    co_await aorm::atomic([&]() -> Task<void> {
      auto body = []() -> Task<void> {
        co_await aorm::sleep(10ms);
        co_await add_tag("too late");
      };
      late.emplace(aorm::spawn(body()));
      co_return;
    });
    CHECK_THROWS_AS(co_await *late, aorm::TransactionManagementError);
    CHECK(co_await tx::count(env.db, "blog_tag") == 0);
    CHECK(tx::idle(env.db) == tx::pool(env.db));
  });
}

TEST_CASE("aclose inside a transaction on the same database raises instead of waiting for itself") {
  tx::for_each_backend([](Env& env) -> Task<void> {
    CHECK_THROWS_AS(co_await aorm::atomic([&]() -> Task<void> { co_await env.db.aclose(); }),
                    aorm::TransactionManagementError);
    CHECK(co_await tx::count(env.db, "blog_tag") == 0);
  });
}
