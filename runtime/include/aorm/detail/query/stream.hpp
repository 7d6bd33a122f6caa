// aorm/detail/query/stream.hpp — aorm::QueryStream, what QuerySet::aiterator() returns.
//
// Contract: see the class comment; a failure while reading ends the stream and gives the
// connection back.
#pragma once

#include <algorithm>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "aorm/database.hpp"
#include "aorm/detail/backend.hpp"
#include "aorm/detail/query/prefetch.hpp"
#include "aorm/detail/query/rows.hpp"
#include "aorm/detail/query/state.hpp"
#include "aorm/task.hpp"

namespace aorm {

/// A stream over a query's rows (aiterator): rows are fetched `chunk_size` at a time from a
/// cursor, so memory stays bounded. The cursor opens at the first anext() and holds a
/// connection until the stream is exhausted or destroyed. The stream must outlive each
/// anext() task.
template <class T, class Row = T>
class QueryStream {
 public:
  QueryStream(detail::StatePtr s, std::size_t chunk_size) : state_(std::move(s)), chunk_(chunk_size ? chunk_size : 1) {}

  /// The next row, or nullopt once every row has been delivered.
  Task<std::optional<Row>> anext() {
    // A row at hand is handed over as a ready Task: no coroutine frame, no suspension
    // (perf). So is a row the cursor can read on the spot (SQLite used inline).
    if (next_ < buffer_.size()) return detail::ready_task<std::optional<Row>>(std::move(buffer_[next_++]));
    if (done_) return detail::ready_task<std::optional<Row>>();
    if (reads_now()) {
      try {
        return read_now();
      } catch (...) {
        finish();
        return fail(std::current_exception());
      }
    }
    return fetch_next();
  }

 private:
  /// Whether the next row can be read without suspending: the cursor reads on the calling
  /// thread, and no chunk needs its prefetches. After the first chunk such rows are read one
  /// per anext(), into the task itself, so that a row's strings are allocated right after
  /// the previous row's were freed (malloc's per-thread cache) rather than a chunk's worth
  /// at once. The first chunk is always read whole: a result that fits in it gives the
  /// connection back before the first row is handed out, so the loop body may use it (an
  /// inline SQLite pool has one connection).
  bool reads_now() const noexcept {
    if constexpr (std::is_same_v<Row, T>) {
      if (!state_->prefetch.empty()) return false;
    }
    return cursor_ && cursor_->can_fetch_now();
  }

  Task<std::optional<Row>> read_now() {
    auto task = detail::ready_task<std::optional<Row>>();
    std::optional<Row>& row = detail::TaskAccess::ready_value(task);
    auto sink = [&](const RowReader& r) { detail::read_shaped_row<T, Row>(row.emplace(), r, cols_, joined_); };
    if (!cursor_->fetch_now(1, sink)) finish();
    return task;
  }

  void finish() noexcept {
    done_ = true;
    cursor_.reset();  // gives the connection back
    buffer_.clear();
    next_ = 0;
  }

  static Task<std::optional<Row>> fail(std::exception_ptr e) {
    std::rethrow_exception(std::move(e));
    co_return std::nullopt;
  }

  /// Reads the next chunk, opening the cursor first if needed. A failure ends the stream
  /// (a generator that raised is finished), whatever rows its chunk held.
  Task<std::optional<Row>> fetch_next() {
    try {
      if (next_ == buffer_.size() && !done_) {
        buffer_.clear();  // keeps its capacity: one allocation per stream, not per chunk
        next_ = 0;
        if (!cursor_) {
          if (state_->query.never()) {
            done_ = true;
            co_return std::nullopt;
          }
          db_ = detail::resolve(*state_);
          detail::sql::Compiled compiled = detail::sql::compile(detail::sql::Form::select, state_->query, db_->dialect());
          cols_ = compiled.shape->columns;
          joined_ = compiled.shape->joined;
          detail::check_for_update(state_->query, *db_);
          cursor_ = co_await detail::open_cursor(*db_, std::move(compiled.statement));
        }
        if (buffer_.capacity() < chunk_) buffer_.reserve(std::min<std::size_t>(chunk_, 4096));
        auto sink = [this](const RowReader& r) { detail::append_row<T, Row>(buffer_, r, cols_, joined_); };
        const bool more = co_await cursor_->fetch(chunk_, sink);
        if (!more) {
          done_ = true;
          cursor_.reset();  // gives the connection back
        }
        if constexpr (std::is_same_v<Row, T>) {
          if (!state_->prefetch.empty() && !buffer_.empty()) {  // per chunk
            detail::PrefetchLevel roots{{}, &detail::model_ops<T>};
            for (T& obj : buffer_) roots.objs.push_back(&obj);
            co_await detail::prefetch(*state_, *db_, std::move(roots));
          }
        }
      }
      if (next_ == buffer_.size()) co_return std::nullopt;
      co_return std::move(buffer_[next_++]);
    } catch (...) {
      finish();
      throw;
    }
  }

  detail::StatePtr state_;
  std::size_t chunk_;
  std::optional<Database> db_;
  std::vector<int> cols_;
  std::vector<std::pair<int, int>> joined_;
  std::unique_ptr<detail::Cursor> cursor_;
  std::vector<Row> buffer_;  // the current chunk; rows before next_ were delivered
  std::size_t next_ = 0;
  bool done_ = false;
};

}  // namespace aorm
