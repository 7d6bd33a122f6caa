// The PostgreSQL backend (libpq): a pool of pipelined connections behind detail::Backend.
//
// Build with -DAORM_WITH_POSTGRES=ON. aconnect() routes `postgresql://` and `postgres://`
// URLs here (through detail::open_postgres, backends/postgres/open.cpp; db/open.hpp).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "aorm/detail/backend.hpp"
#include "aorm/task.hpp"

namespace aorm::detail {

/// Opens a pool of `pool_size` connections (0 or less: 4) to the server `conninfo`
/// names — a libpq URI (`postgresql://user:pw@host:port/db?sslmode=require`) or a
/// key=value string (`host=127.0.0.1 port=5432 user=app dbname=app`); every libpq option
/// (TLS included) passes through. All connections are opened concurrently before the task
/// completes, each within the connect timeout: `connect_timeout` when positive, else the
/// conninfo's `connect_timeout` (seconds), else 10 s. Every session uses TimeZone UTC and
/// client_encoding UTF8. Raises ConfigError when `conninfo` does not parse,
/// OperationalError when a connection cannot be made in time.
///
/// The backend's behaviour (what a caller may rely on):
/// - execute() without a pinned connection pipelines the statement on the pool connection
///   with the fewest statements in flight (an idle one first); statements from many tasks
///   share a connection without waiting for each other's round trips. Each statement is
///   its own transaction (autocommit) unless it runs on a leased connection inside BEGIN.
/// - Parameters: NULL, int64 and text are sent as text of type `unknown` (the server types
///   them from the context: 1 fills a boolean column, a string a date/uuid/jsonb one; a
///   bare `$1` is text: cast it), doubles as float8 (shortest round-trip text), Bytes as
///   binary bytea. Results are text: RowReader::get_int64 parses text (booleans "t"/"f"
///   read 1/0), get_blob decodes bytea hex. ExecResult::rows_affected is the command
///   tag's count (PQcmdTuples); last_insert_id is always 0 (use RETURNING).
/// - acquire() leases one connection for exclusive use (transactions): new pipelined
///   statements stop going to it and the lease is granted once its pipeline is empty.
///   A lease given back while its connection is still inside a transaction block gets a
///   ROLLBACK first.
/// - open_cursor() declares a server-side cursor (`DECLARE aorm_cursor_N NO SCROLL CURSOR
///   FOR <sql>`, so `stmt` must be a SELECT/VALUES) and each fetch(n) runs `FETCH FORWARD n`.
///   On a pinned connection it lives in the caller's transaction and closes when that
///   ends; otherwise it leases a connection, opens its own transaction (BEGIN) and ends it
///   (COMMIT) when the cursor is destroyed.
/// - Errors map by SQLSTATE (postgres/error.hpp): 23xxx IntegrityError, 22xxx DataError,
///   42xxx ProgrammingError, 08xxx/40xxx/57Pxx/lost connection OperationalError; the
///   message is the server's (primary, DETAIL, HINT), sql() the statement, code() the
///   SQLSTATE, backend() "postgresql".
/// - A connection that fails fails only the statements in flight on it (OperationalError);
///   the pool reconnects that slot on its next use.
/// - close() waits for leases, cursors and statements in flight, then closes every
///   connection; later calls raise OperationalError.
/// Loop thread only; one event loop at a time (a backend may outlive an aorm::run() and be
/// used by the next one).
Task<std::shared_ptr<Backend>> make_postgres_backend(std::string conninfo, int pool_size,
                                                     std::chrono::milliseconds connect_timeout);

/// A pool's slots right now (tests and monitoring; loop thread only).
struct PostgresPoolStats {
  std::size_t size = 0;    // slots
  std::size_t leased = 0;  // leased for a transaction or a cursor
  std::size_t max_in_flight = 0;  // the deepest pipeline of the open connections so far
};
/// The stats of `backend`, which make_postgres_backend() made (anything else: a
/// std::bad_cast).
PostgresPoolStats postgres_pool_stats(const Backend& backend);

}  // namespace aorm::detail
