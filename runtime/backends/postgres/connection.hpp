// One libpq connection driven by aorm's event loop: asynchronous connect, then pipeline
// mode, so every task that submits a statement shares the connection without threads.
#pragma once

#include <chrono>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "aorm/detail/backend.hpp"
#include "aorm/value.hpp"
#include "postgres/wait_list.hpp"

struct pg_conn;
struct pg_result;

namespace aorm::detail::postgres {

/// What every connection of a pool is opened with, parsed once from the user's conninfo.
struct ConnectParams {
  std::vector<std::string> keywords;  // libpq keywords and values, as PQconnectStartParams
  std::vector<std::string> values;    // takes them (URIs already expanded)
  std::chrono::milliseconds timeout{10'000};  // the whole connect + session set-up; 0: none
  // The passwords of the conninfo (as written, decoded, and each *password keyword's
  // value): masked in every connection error, since libpq may quote part of a malformed
  // URL in its messages (aorm::detail::url_secrets).
  std::vector<std::string> secrets;
};

/// Parses `conninfo`, a libpq URI (`postgresql://user:pw@host:port/db?sslmode=require`) or
/// key=value string (`host=127.0.0.1 port=5432 dbname=app`), with PQconninfoParse. Every
/// option passes through untouched (TLS, target_session_attrs, ...) except
/// client_encoding, which is forced to UTF8 (aorm's text is UTF-8); application_name
/// defaults to "aorm". The connect timeout is `timeout` when positive, else the conninfo's
/// `connect_timeout` (seconds; 0 means none, as in libpq), else 10 s. Unset options fall
/// back to libpq's environment variables (PGHOST, ...) at connect time, as in psql.
/// Raises ConfigError with libpq's reason when the string does not parse, or when
/// connect_timeout is not an integer. The message never repeats the string (it may hold a
/// password).
ConnectParams parse_conninfo(const std::string& conninfo, std::chrono::milliseconds timeout);

class PgConnection;

/// One statement on a connection's pipeline, from submission until its results are in.
/// Lives in the frame of the task executing it (PgConnection::execute), or on the heap
/// for a detached statement. Loop thread only.
struct PendingOp {
  explicit PendingOp(const std::string& sql_text, RowSink row_sink = {}) noexcept
      : sql(&sql_text), sink(row_sink) {}
  PendingOp(const PendingOp&) = delete;
  PendingOp& operator=(const PendingOp&) = delete;
  /// Destroyed while still queued (its frame destroyed at loop shutdown): the connection
  /// can no longer tell whose results arrive, so it gives itself up (see abandon()).
  ~PendingOp();

  const std::string* sql;
  RowSink sink;
  ExecResult result;
  std::exception_ptr error;             // the first error; later ones are dropped
  std::coroutine_handle<> waiter;       // resumed (scheduled) when done
  EventLoop* loop = nullptr;
  PgConnection* queued_on = nullptr;    // set while in the connection's queue
  std::unique_ptr<std::string> owned_sql;  // detached statements own their text
  bool done = false;
  bool detached = false;     // nobody waits: deleted when done
};

/// One connection in pipeline mode.
///
/// Ownership: shared (std::shared_ptr) by the pool slot and by every statement in flight
/// on it, so a connection outlives the statements it serves even if the pool drops it.
///
/// Threads: loop thread only. While statements are in flight the socket is watched on the
/// loop of the task that submitted them (one loop at a time: a connection may serve
/// several aorm::run() calls one after the other, not concurrently); when the pipeline is
/// empty nothing is watched, so an idle pool never keeps a loop busy.
///
/// Pipelining: execute() sends the statement (PQsendQueryParams, text results) followed by
/// a sync (PQpipelineSync), so each statement is its own implicit transaction (autocommit)
/// and an error fails only that statement, unless an explicit BEGIN is open. Results are
/// read as they arrive (PQconsumeInput / PQisBusy / PQgetResult) and matched to the queue
/// in order; rows go to the statement's sink from the watch callback, on the loop thread,
/// while its task is suspended; then the task is scheduled.
///
/// Failure: when the socket fails (server gone, backend terminated, network), every
/// statement in flight fails with OperationalError (the server's 57P01 message when it
/// sent one first), the connection closes itself and usable() turns false for good; the
/// pool then replaces it. Nothing waits forever.
class PgConnection final : public Connection, public std::enable_shared_from_this<PgConnection> {
 public:
  /// Connects without blocking the loop (PQconnectStartParams / PQconnectPoll, watching
  /// the socket, which may change while libpq tries addresses or falls back from TLS),
  /// sets the session's TimeZone to UTC and enters pipeline mode, all within
  /// params.timeout (a timerfd on the loop). Raises OperationalError with libpq's reason,
  /// or "timeout expired" when the deadline passes first.
  /// Host names are resolved inside libpq, blocking the loop thread for that lookup.
  // TODO(perf): resolve host names off the loop (hostaddr) to keep DNS out of the loop.
  static Task<std::shared_ptr<PgConnection>> open(const ConnectParams& params);

  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection() override;

  /// Executes `stmt` after whatever is already in flight on `self`; calls `sink` for
  /// every row (when it is set). Raises the DatabaseError that matches the SQLSTATE
  /// (error.hpp), OperationalError when the connection is lost or already unusable,
  /// DataError for a text parameter holding a NUL byte, or what `sink` threw (the rest
  /// of the rows are then skipped). `stmt` must outlive the task.
  static Task<ExecResult> execute(std::shared_ptr<PgConnection> self, const Statement& stmt,
                                  RowSink sink);
  /// Queues `sql` (no parameters) with nobody waiting; its outcome is dropped. Used for
  /// clean-up from destructors (ending a cursor's transaction). Outside a loop the
  /// connection is closed instead.
  void send_detached(std::string sql);

  /// False once the connection failed or was closed; then every execute() raises.
  bool usable() noexcept;
  /// usable(), after reading without blocking whatever the server sent an idle connection
  /// unasked: a server that terminated the session sent its reason and closed the socket,
  /// and the connection then closes itself rather than fail the next statement.
  bool probe() noexcept;
  /// Statements submitted and not yet finished.
  std::size_t in_flight() const noexcept { return queue_.size(); }
  /// The most statements that were in flight at once on this connection (how deep the
  /// pipeline got; tests check that concurrent statements really share it).
  std::size_t max_in_flight() const noexcept { return max_in_flight_; }
  /// Woken whenever the pipeline becomes empty or the connection fails.
  WaitList& idle_waiters() noexcept { return idle_; }
  /// True when the connection is idle inside a transaction block (open or failed).
  bool in_transaction() const noexcept;
  /// The server process id (pg_backend_pid()).
  int backend_pid() const noexcept;

  // -- for PendingOp --
  void abandon(PendingOp& op) noexcept;

 private:
  struct ConnDeleter {
    void operator()(pg_conn* c) const noexcept;
  };
  using ConnPtr = std::unique_ptr<pg_conn, ConnDeleter>;

  explicit PgConnection(ConnPtr conn) noexcept;

  /// Sends `op`'s statement and queues it. Raises when the statement cannot be sent.
  void submit(PendingOp& op, std::span<const Value> params);
  void on_socket_ready(std::uint32_t events) noexcept;
  void flush() noexcept;
  void read_results() noexcept;
  void deliver_rows(PendingOp& op, const pg_result* result) noexcept;
  void finish(PendingOp& op) noexcept;
  /// Fails every queued statement with OperationalError(`what` + libpq's message),
  /// stops watching and closes the connection.
  void lose_connection(const char* what) noexcept;
  /// Watches the socket for input (and output while a flush is pending) while statements
  /// are in flight, nothing otherwise.
  void update_watch() noexcept;
  void unwatch() noexcept;
  /// True while the loop still holds our watch callback: a loop destroyed with our watch
  /// registered (aorm::run() returned with statements in flight) drops its copy.
  bool watch_live() const noexcept { return watched_fd_ >= 0 && watch_token_.use_count() > 1; }

  ConnPtr conn_;
  std::deque<PendingOp*> queue_;  // submitted, in order; front is being answered
  std::size_t max_in_flight_ = 0;  // high-water mark of queue_
  WaitList idle_;
  EventLoop* loop_ = nullptr;     // the loop watching the socket, when watched
  int watched_fd_ = -1;
  std::uint32_t watched_events_ = 0;
  std::shared_ptr<char> watch_token_ = std::make_shared<char>();  // see watch_live()
  bool want_write_ = false;       // PQflush left output unsent
  bool broken_ = false;
};

}  // namespace aorm::detail::postgres
