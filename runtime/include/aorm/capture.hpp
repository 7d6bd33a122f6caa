// aorm/capture.hpp — recording the statements sent to databases (Django's
// CaptureQueriesContext) and the AORM_LOG_SQL switch.
//
//   aorm::QueryCapture cap;
//   auto rows = co_await Article::objects.select_related(Article::f.author).alist();
//   CHECK(cap.count() == 1);
//
// Every statement sent through detail::execute / detail::open_cursor (so: every query,
// raw or not, and the BEGIN/COMMIT/SAVEPOINT statements of atomic()) is recorded by every
// QueryCapture alive at that moment, failed statements included.
//
// With AORM_LOG_SQL=1 in the environment (read when a database is opened), each statement,
// its parameters and its duration are written to stderr, one line each:
//   aorm: (0.000041s) SELECT "id" FROM "blog_article" WHERE "id" = ?; args=(7); alias=default
// AORM_LOG_SQL=statements leaves the parameters out (and the lines after the first of an
// error message, which may quote values):
//   aorm: (0.000041s) SELECT "id" FROM "blog_article" WHERE "id" = ?; alias=default
// AORM_LOG_SQL unset, empty or 0: no log. docs/security.md says what each form may expose.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "aorm/value.hpp"

namespace aorm {

/// One recorded statement.
struct CapturedQuery {
  std::string sql;
  std::vector<Value> params;
  std::chrono::nanoseconds duration{0};
};

/// Records statements while alive (RAII). Captures nest: each live capture records.
/// Not copyable or movable (it registers its own address).
class QueryCapture {
 public:
  QueryCapture();
  ~QueryCapture();
  QueryCapture(const QueryCapture&) = delete;
  QueryCapture& operator=(const QueryCapture&) = delete;

  /// Number of statements recorded so far.
  std::size_t count() const noexcept;
  /// The statements recorded so far, in execution order (a copy: safe while recording).
  std::vector<CapturedQuery> queries() const;
  /// Forgets what was recorded so far.
  void clear() noexcept;

 private:
  friend struct CaptureAccess;
  std::vector<CapturedQuery> queries_;
};

/// Renders a parameter the way the SQL log shows it: NULL, 42, 1.5, 'text' (quotes
/// doubled), <3 bytes>.
std::string format_value(const Value& v);

namespace detail {
/// True while at least one QueryCapture is alive (a relaxed atomic load).
bool capture_active() noexcept;
/// Appends a record to every live capture.
void capture_record(const Statement& stmt, std::chrono::nanoseconds duration);
/// Whether AORM_LOG_SQL logging is on (as read by the last refresh).
bool log_sql_enabled() noexcept;
/// Re-reads AORM_LOG_SQL from the environment (aconnect() calls it).
void refresh_log_sql() noexcept;
/// Writes one log line for `stmt` to stderr, with or without its parameters (the mode
/// refresh_log_sql() read).
void log_sql(const Statement& stmt, std::chrono::nanoseconds duration, std::string_view alias,
             const char* error);
}  // namespace detail

}  // namespace aorm
