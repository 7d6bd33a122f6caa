// aorm/value.hpp — what crosses the line between the SQL layer and a backend.
//
// A backend receives a Statement (SQL text + bound parameters) and hands every result
// row to a RowSink through a RowReader. Nothing here knows about models or QuerySets.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace aorm {

/// Binary column values (`bytes` fields): `std::vector<std::byte>`.
using Bytes = std::vector<std::byte>;

/// The SQL dialects the compiler and the DDL emitter know.
enum class Dialect { sqlite, postgres };

/// One bound parameter. Every user value reaches the database as one of these, never
/// as SQL text. `nullptr` is SQL NULL.
using Value = std::variant<std::nullptr_t, std::int64_t, double, std::string, Bytes>;

/// A read-only view of the current result row, valid only during the RowSink call that
/// received it. Column indexes are 0-based. Getters on a NULL column return 0 / empty.
class RowReader {
 public:
  virtual ~RowReader() = default;
  virtual int column_count() const noexcept = 0;
  virtual bool is_null(int i) const noexcept = 0;
  virtual std::int64_t get_int64(int i) const noexcept = 0;
  virtual double get_double(int i) const noexcept = 0;
  /// Text of a column (for non-text columns the backend's text rendering).
  virtual std::string_view get_text(int i) const noexcept = 0;
  virtual std::span<const std::byte> get_blob(int i) const noexcept = 0;
};

/// A non-owning reference to a callable, like C++26's std::function_ref. The referenced
/// callable must outlive every call (it lives in the awaiting coroutine's frame).
template <class Sig>
class FunctionRef;

template <class R, class... Args>
class FunctionRef<R(Args...)> {
 public:
  FunctionRef() noexcept = default;
  template <class F>
    requires(!std::is_same_v<std::remove_cvref_t<F>, FunctionRef> &&
             std::is_invocable_r_v<R, F&, Args...>)
  FunctionRef(F&& f) noexcept  // NOLINT(google-explicit-constructor): a reference type
      : obj_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* o, Args... a) -> R {
          return (*static_cast<std::remove_reference_t<F>*>(o))(std::forward<Args>(a)...);
        }) {}
  R operator()(Args... a) const { return call_(obj_, std::forward<Args>(a)...); }
  explicit operator bool() const noexcept { return call_ != nullptr; }

 private:
  void* obj_ = nullptr;
  R (*call_)(void*, Args...) = nullptr;
};

/// Receives the rows of a statement, one call per row, on the thread that executes the
/// statement (a connection's worker thread or the loop thread). The awaiting coroutine is
/// suspended meanwhile, so the sink may write into the coroutine's frame without locks.
using RowSink = FunctionRef<void(const RowReader&)>;

/// SQL text plus its parameters, in order (`?` placeholders for sqlite, `$n` for postgres).
/// `sql_hash` is `std::hash<std::string_view>{}(sql)` when its producer computed it (the
/// compiled-SQL cache does, once per query shape), else 0: a backend's statement cache uses
/// it instead of hashing the text again (it still compares the text). Whoever changes `sql`
/// after that must reset it to 0.
struct Statement {
  std::string sql;
  std::vector<Value> params;
  std::size_t sql_hash = 0;
};

/// What executing one statement reports.
struct ExecResult {
  std::int64_t rows_affected = 0;   // for INSERT/UPDATE/DELETE: rows changed
  std::int64_t last_insert_id = 0;  // sqlite: sqlite3_last_insert_rowid after the statement
};

}  // namespace aorm
