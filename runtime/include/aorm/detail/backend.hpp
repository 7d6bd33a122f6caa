// aorm/detail/backend.hpp — the interface every database backend implements.
//
// A backend executes Statements on pooled connections and hands rows to a RowSink; it
// knows nothing of models, QuerySets or SQL building (DESIGN.md rule 3). The generic layer
// (database.cpp) adds logging, QueryCapture and context (transaction) routing on top.
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>

#include "aorm/task.hpp"
#include "aorm/value.hpp"

namespace aorm::detail {

/// One native connection, owned by its backend's pool. Opaque to the generic layer.
class Connection {
 public:
  virtual ~Connection() = default;
};

/// Exclusive use of one connection until destroyed (then it returns to the pool).
/// Move-only. Used by atomic() and by cursors.
class ConnectionLease {
 public:
  ConnectionLease() = default;
  ConnectionLease(std::shared_ptr<void> token, Connection* c) : token_(std::move(token)), conn_(c) {}
  Connection* get() const noexcept { return conn_; }
  explicit operator bool() const noexcept { return conn_ != nullptr; }

 private:
  std::shared_ptr<void> token_;  // its deleter gives the connection back to the pool
  Connection* conn_ = nullptr;
};

/// A forward-only result stream over a leased connection (aiterator). Destroying it
/// finishes the statement and releases the connection.
class Cursor {
 public:
  virtual ~Cursor() = default;
  /// Delivers up to `max_rows` rows to `sink`; the task's value is false once the result
  /// is exhausted (then no rows were delivered by this call beyond the last ones).
  virtual Task<bool> fetch(std::size_t max_rows, RowSink sink) = 0;
  /// Whether fetch_now() may be called: the rows can be read on the calling thread
  /// without waiting (a SQLite connection used inline).
  virtual bool can_fetch_now() const noexcept { return false; }
  /// fetch() done on the spot, by a cursor that can_fetch_now().
  virtual bool fetch_now(std::size_t /*max_rows*/, RowSink /*sink*/) {
    throw std::logic_error("aorm: fetch_now() on a cursor that cannot read on the spot");
  }
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual Dialect dialect() const noexcept = 0;
  /// Executes `stmt`: on `pinned` when given (inside a transaction), else on any free
  /// pooled connection (waiting, without blocking the loop, for one to come free).
  /// `sink` is called for every result row before the task completes. Raises the
  /// DatabaseError subclass that matches the native error, carrying the SQL.
  virtual Task<ExecResult> execute(const Statement& stmt, RowSink sink, Connection* pinned) = 0;
  /// Waits for a free connection and leases it.
  virtual Task<ConnectionLease> acquire() = 0;
  /// Starts `stmt` on `pinned`, or on a connection leased for the cursor's lifetime.
  virtual Task<std::unique_ptr<Cursor>> open_cursor(Statement stmt, Connection* pinned) = 0;
  /// Waits for work in flight, closes every connection; later calls raise OperationalError.
  virtual Task<void> close() = 0;
};

}  // namespace aorm::detail
