// Prepared statements: the RAII handle, parameter binding, the row reader and the
// per-connection statement cache.
//
// Thread affinity: everything here belongs to one connection and is used only on the
// thread that currently drives that connection (its worker, or the loop thread for the
// inline policy). Only the Stats counters may be read from other threads.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "aorm/value.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace aorm::detail::sqlite {

/// Owns one sqlite3_stmt; finalizes it on destruction. Move-only.
class StmtHandle {
 public:
  StmtHandle() noexcept = default;
  explicit StmtHandle(sqlite3_stmt* s) noexcept : s_(s) {}
  StmtHandle(StmtHandle&& o) noexcept : s_(std::exchange(o.s_, nullptr)) {}
  StmtHandle& operator=(StmtHandle&& o) noexcept;
  StmtHandle(const StmtHandle&) = delete;
  StmtHandle& operator=(const StmtHandle&) = delete;
  ~StmtHandle();

  sqlite3_stmt* get() const noexcept { return s_; }
  explicit operator bool() const noexcept { return s_ != nullptr; }

  /// Prepares the single statement `sql` on `db` (persistent: it will be reused).
  /// Raises the mapped DatabaseError on a prepare failure, and ProgrammingError when `sql`
  /// holds more than one statement.
  static StmtHandle prepare(sqlite3* db, std::string_view sql);

 private:
  sqlite3_stmt* s_ = nullptr;
};

/// Binds `params` to the `?` placeholders of `s`, by position. Text and blobs are bound
/// without copying (SQLITE_STATIC): `params` must outlive the statement's execution.
/// Raises ProgrammingError when the count differs from the statement's placeholders.
void bind_all(sqlite3* db, sqlite3_stmt* s, std::span<const Value> params, std::string_view sql);

/// The RowReader over the current row of a stepping statement: thin forwarding to
/// sqlite3_column_*; returns views into SQLite's buffers (no allocation).
class Row final : public RowReader {
 public:
  explicit Row(sqlite3_stmt* s) noexcept : s_(s) {}
  int column_count() const noexcept override;
  bool is_null(int i) const noexcept override;
  std::int64_t get_int64(int i) const noexcept override;
  double get_double(int i) const noexcept override;
  std::string_view get_text(int i) const noexcept override;
  std::span<const std::byte> get_blob(int i) const noexcept override;

 private:
  sqlite3_stmt* s_;
};

/// Counters of one connection's statement cache (relaxed atomics: read from any thread).
struct CacheStats {
  std::atomic<std::uint64_t> prepares{0};  // statements compiled by sqlite3_prepare
  std::atomic<std::uint64_t> hits{0};      // acquisitions served by an already prepared statement
};

class StatementCache;

/// Exclusive use of one prepared statement, ready to bind. On destruction (or reset()) the
/// statement is reset, its bindings cleared, and it goes back to its cache (or is finalized
/// when it was not cached). Must be destroyed on the connection's thread. Move-only.
class CachedStmt {
 public:
  CachedStmt() noexcept = default;
  CachedStmt(CachedStmt&& o) noexcept;
  CachedStmt& operator=(CachedStmt&& o) noexcept;
  CachedStmt(const CachedStmt&) = delete;
  CachedStmt& operator=(const CachedStmt&) = delete;
  ~CachedStmt() { reset(); }

  sqlite3_stmt* get() const noexcept { return raw_; }
  explicit operator bool() const noexcept { return raw_ != nullptr; }
  void reset() noexcept;

 private:
  friend class StatementCache;
  struct Entry;
  CachedStmt(Entry* e, sqlite3_stmt* raw) noexcept : entry_(e), raw_(raw) {}
  CachedStmt(StmtHandle owned) noexcept : raw_(owned.get()), owned_(std::move(owned)) {}

  Entry* entry_ = nullptr;  // the cache slot when cached
  sqlite3_stmt* raw_ = nullptr;
  StmtHandle owned_;        // an uncached statement (its SQL was busy in the cache)
};

/// A bounded LRU cache of prepared statements keyed by SQL text. A statement in use (by a
/// cursor, say) is never handed out twice: a second concurrent use of the same SQL gets a
/// fresh uncached statement. The cache hit path is one hash lookup and a list splice; the
/// hash of the text may come precomputed (Statement::sql_hash), the text is still compared.
class StatementCache {
 public:
  static constexpr std::size_t kDefaultCapacity = 128;

  explicit StatementCache(std::size_t capacity = kDefaultCapacity) : capacity_(capacity) {}
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;
  ~StatementCache();

  /// The prepared statement for `sql` on `db`, prepared now when not cached (evicting the
  /// least recently used idle statement beyond capacity). `hash`: `std::hash<std::string_view>`
  /// of `sql` when the caller has it (Statement::sql_hash), 0 to compute it here. A wrong
  /// non-zero hash costs a second lookup, never a wrong statement.
  CachedStmt acquire(sqlite3* db, std::string_view sql, std::size_t hash = 0);

  std::size_t size() const noexcept { return lru_.size(); }
  const CacheStats& stats() const noexcept { return stats_; }
  /// Finalizes every statement (all must be idle).
  void clear() noexcept;

 private:
  friend class CachedStmt;
  // A lookup key whose hash is already known (heterogeneous lookup: no string is made).
  struct Key {
    std::string_view sql;
    std::size_t hash;
  };
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    std::size_t operator()(const Key& k) const noexcept { return k.hash; }
  };
  struct Equal {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
    bool operator()(const Key& a, std::string_view b) const noexcept { return a.sql == b; }
    bool operator()(std::string_view a, const Key& b) const noexcept { return a == b.sql; }
  };
  void evict_if_needed() noexcept;

  std::size_t capacity_;
  std::list<CachedStmt::Entry> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<CachedStmt::Entry>::iterator, Hash, Equal> index_;
  CacheStats stats_;
};

struct CachedStmt::Entry {
  std::string sql;
  StmtHandle stmt;
  bool in_use = false;
};

}  // namespace aorm::detail::sqlite
