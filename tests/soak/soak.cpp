// soak [seconds] [tasks] — many tasks doing a random mix of transfers (transactions),
// rolled-back transfers, creates, updates, deletes and reads against one SQLite file, for a
// bounded time (default 60 s, 8 tasks). Invariants, checked during the run by the readers
// and at the end: the balances of the seeded accounts always sum to kAccounts * kStart;
// every committed transfer is in the ledger and the ledger's amounts match the balances.
// Prints operations per second; exits 1 when an invariant broke. Not a ctest test.
// Rows are built into named locals before the co_await that takes them: g++ 12 destroys a
// braced temporary inside a co_await expression twice (TOOLCHAIN.md).
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <unistd.h>

#include "soak/models.hpp"

namespace {

using aorm::Task;
using soak::Account;
using soak::Transfer;
using Clock = std::chrono::steady_clock;

constexpr int kAccounts = 20;
constexpr std::int64_t kStart = 1000;

/// Sum() over no rows is NULL.
std::int64_t as_int(const std::optional<std::int64_t>& v) { return v.value_or(0); }

struct Stats {
  std::int64_t ops = 0, transfers = 0, rolled_back = 0, busy = 0, violations = 0;
};

/// Thrown inside a transfer to roll it back on purpose.
struct Abort {};

Task<std::int64_t> total_balance() {
  auto [sum] = co_await Account::objects.filter(Account::f.owner.startswith("seed")).aaggregate(
      aorm::Sum(Account::f.balance));
  co_return as_int(sum);
}

/// One task's loop until `deadline`.
Task<void> worker(unsigned seed, Clock::time_point deadline, Stats& stats) {
  std::mt19937_64 rng(seed);
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
  while (Clock::now() < deadline) {
    const std::int64_t from = 1 + pick(kAccounts), to = 1 + pick(kAccounts), amount = 1 + pick(50);
    try {
      switch (pick(10)) {
        case 0:
        case 1:
        case 2: {  // a transfer, committed with its ledger row
          co_await aorm::atomic([&]() -> Task<void> {
            co_await Account::objects.filter(Account::f.pk == from).aupdate(Account::f.balance = Account::f.balance - amount);
            co_await Account::objects.filter(Account::f.pk == to).aupdate(Account::f.balance = Account::f.balance + amount);
            const Transfer ledger_row{.source = from, .target = to, .amount = amount};
            co_await Transfer::objects.acreate(ledger_row);
          });
          ++stats.transfers;
          break;
        }
        case 3: {  // a transfer that fails half-way: nothing of it may remain
          bool aborted = false;
          try {
            co_await aorm::atomic([&]() -> Task<void> {
              co_await Account::objects.filter(Account::f.pk == from).aupdate(Account::f.balance = Account::f.balance - amount);
              throw Abort{};
            });
          } catch (const Abort&) {
            aborted = true;
          }
          if (aborted) ++stats.rolled_back;
          break;
        }
        case 4: {  // read-modify-write of an instance inside a transaction
          if (from == to) break;
          co_await aorm::atomic([&]() -> Task<void> {
            Account a = co_await Account::objects.aget(Account::f.pk == from);
            Account b = co_await Account::objects.aget(Account::f.pk == to);
            a.balance -= amount;
            b.balance += amount;
            co_await a.asave();
            co_await b.asave();
            const Transfer ledger_row{.source = from, .target = to, .amount = amount};
            co_await Transfer::objects.acreate(ledger_row);
          });
          ++stats.transfers;
          break;
        }
        case 5: {  // a short-lived account: created, renamed, deleted
          const Account temp{.owner = "temp" + std::to_string(pick(1000))};
          Account t = co_await Account::objects.acreate(temp);
          t.owner = "renamed";
          co_await t.asave();
          co_await t.adelete();
          break;
        }
        case 6:  // an update that changes no balance
          co_await Account::objects.filter(Account::f.pk == from).aupdate(
              Account::f.owner = "seed" + std::to_string(from));
          break;
        default: {  // a read: one SELECT sees a consistent snapshot
          if (co_await total_balance() != kAccounts * kStart) {
            ++stats.violations;
            std::fprintf(stderr, "soak: the balances do not sum to %lld\n", static_cast<long long>(kAccounts * kStart));
          }
          break;
        }
      }
      ++stats.ops;
    } catch (const aorm::OperationalError&) {
      ++stats.busy;  // a lock held longer than busy_timeout: allowed, counted
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  const int seconds = argc > 1 ? std::atoi(argv[1]) : 60;
  const int tasks = argc > 2 ? std::atoi(argv[2]) : 8;
  const auto path = std::filesystem::temp_directory_path() / ("aorm-soak-" + std::to_string(::getpid()) + ".db");
  Stats stats;
  bool ok = true;
  double elapsed = 0;
  aorm::run([&]() -> Task<void> {
    auto db = co_await aorm::aconnect("sqlite:" + path.string());
    co_await db.acreate_tables(soak::app);
    std::vector<Account> seedrows;
    for (int i = 1; i <= kAccounts; ++i) seedrows.push_back({.owner = "seed" + std::to_string(i), .balance = kStart});
    co_await Account::objects.abulk_create(std::move(seedrows));

    const auto start = Clock::now();
    std::vector<Task<void>> all;
    for (int t = 0; t < tasks; ++t) all.push_back(worker(static_cast<unsigned>(t + 1), start + std::chrono::seconds(seconds), stats));
    co_await aorm::gather(std::move(all));
    elapsed = std::chrono::duration<double>(Clock::now() - start).count();

    // The end state: the sum, the ledger against the balances, no temporary account left.
    const std::int64_t total = co_await total_balance();
    std::int64_t ledger_ok = 1;
    for (int i = 1; i <= kAccounts; ++i) {
      auto [in] = co_await Transfer::objects.filter(Transfer::f.target == i).aaggregate(aorm::Sum(Transfer::f.amount));
      auto [out] = co_await Transfer::objects.filter(Transfer::f.source == i).aaggregate(aorm::Sum(Transfer::f.amount));
      const Account a = co_await Account::objects.aget(Account::f.pk == i);
      if (a.balance != kStart + as_int(in) - as_int(out)) ledger_ok = 0;
    }
    const std::int64_t ledger_rows = co_await Transfer::objects.acount();
    const std::int64_t temps = co_await Account::objects.exclude(Account::f.owner.startswith("seed")).acount();
    ok = total == kAccounts * kStart && ledger_ok && ledger_rows == stats.transfers && temps == 0 &&
         stats.violations == 0;
    std::printf("soak: %d tasks, %.1f s, %lld operations (%.0f ops/s): %lld transfers, %lld rolled back, "
                "%lld timed out on a lock; sum %lld, ledger %s, %lld ledger rows, %lld temporary accounts left\n",
                tasks, elapsed, static_cast<long long>(stats.ops), static_cast<double>(stats.ops) / elapsed,
                static_cast<long long>(stats.transfers), static_cast<long long>(stats.rolled_back),
                static_cast<long long>(stats.busy), static_cast<long long>(total), ledger_ok ? "consistent" : "INCONSISTENT",
                static_cast<long long>(ledger_rows), static_cast<long long>(temps));
    co_await db.aclose();
  }());
  std::error_code ignored;
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path.string() + suffix, ignored);
  std::puts(ok ? "soak: invariants hold" : "soak: INVARIANT BROKEN");
  return ok ? 0 : 1;
}
