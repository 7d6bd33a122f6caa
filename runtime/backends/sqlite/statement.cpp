#include "sqlite/statement.hpp"

#include <sqlite3.h>

#include <string>
#include <variant>

#include "aorm/errors.hpp"
#include "sqlite/error.hpp"

namespace aorm::detail::sqlite {

// ---- StmtHandle --------------------------------------------------------------------------

StmtHandle& StmtHandle::operator=(StmtHandle&& o) noexcept {
  if (this != &o) {
    if (s_) sqlite3_finalize(s_);
    s_ = std::exchange(o.s_, nullptr);
  }
  return *this;
}

StmtHandle::~StmtHandle() {
  if (s_) sqlite3_finalize(s_);
}

StmtHandle StmtHandle::prepare(sqlite3* db, std::string_view sql) {
  sqlite3_stmt* s = nullptr;
  const char* tail = nullptr;
  const int rc = sqlite3_prepare_v3(db, sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &s, &tail);
  if (rc != SQLITE_OK) throw_error(db, rc, sql);
  StmtHandle h(s);
  if (!h) throw ProgrammingError("empty SQL statement", std::string(sql), "sqlite");
  for (const char* p = tail; p && p < sql.data() + sql.size(); ++p) {
    if (*p != ' ' && *p != '\n' && *p != '\t' && *p != '\r' && *p != ';')
      throw ProgrammingError("only one SQL statement may be executed at a time", std::string(sql),
                             "sqlite");
  }
  return h;
}

// ---- binding -------------------------------------------------------------------------------

void bind_all(sqlite3* db, sqlite3_stmt* s, std::span<const Value> params, std::string_view sql) {
  const int expected = sqlite3_bind_parameter_count(s);
  if (expected != static_cast<int>(params.size()))
    throw ProgrammingError("statement has " + std::to_string(expected) + " placeholder(s) but " +
                               std::to_string(params.size()) + " parameter(s) were given",
                           std::string(sql), "sqlite");
  for (int i = 0; i < expected; ++i) {
    const Value& v = params[static_cast<std::size_t>(i)];
    int rc = SQLITE_OK;
    switch (v.index()) {
      case 0: rc = sqlite3_bind_null(s, i + 1); break;
      case 1: rc = sqlite3_bind_int64(s, i + 1, *std::get_if<std::int64_t>(&v)); break;
      case 2: rc = sqlite3_bind_double(s, i + 1, *std::get_if<double>(&v)); break;
      case 3: {
        const auto& t = *std::get_if<std::string>(&v);
        rc = sqlite3_bind_text64(s, i + 1, t.data(), t.size(), SQLITE_STATIC, SQLITE_UTF8);
        break;
      }
      case 4: {
        const auto& b = *std::get_if<Bytes>(&v);
        // A null pointer would bind SQL NULL: an empty blob is a zero-length zeroblob.
        rc = b.empty() ? sqlite3_bind_zeroblob(s, i + 1, 0)
                       : sqlite3_bind_blob64(s, i + 1, b.data(), b.size(), SQLITE_STATIC);
        break;
      }
    }
    if (rc != SQLITE_OK) throw_error(db, rc, sql);
  }
}

// ---- Row -----------------------------------------------------------------------------------

int Row::column_count() const noexcept { return sqlite3_column_count(s_); }
bool Row::is_null(int i) const noexcept { return sqlite3_column_type(s_, i) == SQLITE_NULL; }
std::int64_t Row::get_int64(int i) const noexcept { return sqlite3_column_int64(s_, i); }
double Row::get_double(int i) const noexcept { return sqlite3_column_double(s_, i); }

std::string_view Row::get_text(int i) const noexcept {
  // Text first, then its length (the documented safe order).
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, i));
  if (!p) return {};
  return {p, static_cast<std::size_t>(sqlite3_column_bytes(s_, i))};
}

std::span<const std::byte> Row::get_blob(int i) const noexcept {
  const auto* p = static_cast<const std::byte*>(sqlite3_column_blob(s_, i));
  if (!p) return {};
  return {p, static_cast<std::size_t>(sqlite3_column_bytes(s_, i))};
}

// ---- CachedStmt ----------------------------------------------------------------------------

CachedStmt::CachedStmt(CachedStmt&& o) noexcept
    : entry_(std::exchange(o.entry_, nullptr)),
      raw_(std::exchange(o.raw_, nullptr)),
      owned_(std::move(o.owned_)) {}

CachedStmt& CachedStmt::operator=(CachedStmt&& o) noexcept {
  if (this != &o) {
    reset();
    entry_ = std::exchange(o.entry_, nullptr);
    raw_ = std::exchange(o.raw_, nullptr);
    owned_ = std::move(o.owned_);
  }
  return *this;
}

void CachedStmt::reset() noexcept {
  if (!raw_) return;
  sqlite3_reset(raw_);
  sqlite3_clear_bindings(raw_);  // bindings point into the caller's Statement
  if (entry_) entry_->in_use = false;
  entry_ = nullptr;
  raw_ = nullptr;
  owned_ = StmtHandle{};
}

// ---- StatementCache ------------------------------------------------------------------------

StatementCache::~StatementCache() { clear(); }

void StatementCache::clear() noexcept {
  index_.clear();
  lru_.clear();
}

CachedStmt StatementCache::acquire(sqlite3* db, std::string_view sql, std::size_t hash) {
  auto it = hash != 0 ? index_.find(Key{sql, hash}) : index_.find(sql);
  // A precomputed hash that does not match the text (its owner changed the SQL) only costs
  // this second lookup; the entry is stored under the text's own hash.
  if (it == index_.end() && hash != 0 && hash != Hash{}(sql)) it = index_.find(sql);
  if (it != index_.end()) {
    auto entry = it->second;
    if (!entry->in_use) {
      stats_.hits.fetch_add(1, std::memory_order_relaxed);
      lru_.splice(lru_.begin(), lru_, entry);
      entry->in_use = true;
      return CachedStmt(&*entry, entry->stmt.get());
    }
    // Busy (an open cursor runs the same SQL): use a private statement this time.
    stats_.prepares.fetch_add(1, std::memory_order_relaxed);
    return CachedStmt(StmtHandle::prepare(db, sql));
  }
  StmtHandle h = StmtHandle::prepare(db, sql);
  stats_.prepares.fetch_add(1, std::memory_order_relaxed);
  lru_.push_front(CachedStmt::Entry{std::string(sql), std::move(h), true});
  index_.emplace(lru_.front().sql, lru_.begin());
  evict_if_needed();
  return CachedStmt(&lru_.front(), lru_.front().stmt.get());
}

void StatementCache::evict_if_needed() noexcept {
  // Walk from the least recently used end, skipping statements in use.
  auto it = lru_.end();
  while (lru_.size() > capacity_ && it != lru_.begin()) {
    --it;
    if (it->in_use) continue;
    index_.erase(it->sql);
    it = lru_.erase(it);
  }
}

}  // namespace aorm::detail::sqlite
