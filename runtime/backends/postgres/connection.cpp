#include "postgres/connection.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <optional>
#include <system_error>
#include <utility>
#include <variant>

#include "aorm/detail/loop.hpp"
#include "aorm/errors.hpp"
#include "aorm/url.hpp"
#include "postgres/error.hpp"
#include "postgres/row.hpp"

namespace aorm::detail::postgres {
namespace {

constexpr Oid unknown_oid = 0;  // the server infers the type from the context
constexpr Oid float8_oid = 701;
constexpr Oid bytea_oid = 17;

/// A PGresult freed when the scope ends.
struct ResultPtr {
  PGresult* r;
  explicit ResultPtr(PGresult* result) noexcept : r(result) {}
  ResultPtr(const ResultPtr&) = delete;
  ResultPtr& operator=(const ResultPtr&) = delete;
  ~ResultPtr() { PQclear(r); }
};

/// Notices (NOTICE: ... skipping) are not errors; aorm does not print them.
void ignore_notice(void*, const char*) {}

// ---------------------------------------------------------------------------------------
// Parameters

/// libpq's parallel parameter arrays for one statement. Text parameters point into the
/// Statement (which outlives the send) or into text_ (numbers rendered here).
///
/// Types: text, integers and NULL go as `unknown` (OID 0), so the server types them from
/// the context like a quoted literal: an integer 1 can fill a boolean column, a string a
/// date, uuid or jsonb column. A bare `$1` with no context is text: cast it (`$1::bigint`).
/// Doubles are float8 so "2.5" never meets an integer context's parser; bytes are bytea
/// in binary format (no escaping, NUL bytes allowed).
class ParamBuffer {
 public:
  explicit ParamBuffer(std::span<const Value> params) {
    const std::size_t n = params.size();
    text_.reserve(n);  // never reallocates: values_ points into it
    types_.resize(n, unknown_oid);
    values_.resize(n, nullptr);
    lengths_.resize(n, 0);
    formats_.resize(n, 0);
    for (std::size_t i = 0; i < n; ++i) {
      const Value& v = params[i];
      if (const auto* s = std::get_if<std::string>(&v)) {
        // libpq sends text parameters up to their first NUL; PostgreSQL text cannot hold
        // one anyway. Refuse rather than truncate silently.
        if (s->find('\0') != std::string::npos)
          throw DataError("text parameter $" + std::to_string(i + 1) +
                              " contains a NUL byte, which PostgreSQL text cannot hold (use a bytes field)",
                          {}, "postgresql", "22021");
        values_[i] = s->c_str();
      } else if (const auto* n64 = std::get_if<std::int64_t>(&v)) {
        char buf[24];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, *n64);
        values_[i] = text_.emplace_back(buf, end).c_str();
      } else if (const auto* d = std::get_if<double>(&v)) {
        types_[i] = float8_oid;
        values_[i] = text_.emplace_back(double_text(*d)).c_str();
      } else if (const auto* b = std::get_if<Bytes>(&v)) {
        if (b->size() > static_cast<std::size_t>(INT_MAX))
          throw DataError("bytes parameter $" + std::to_string(i + 1) + " is larger than libpq's 2 GiB limit", {},
                          "postgresql", "54000");
        types_[i] = bytea_oid;
        formats_[i] = 1;
        lengths_[i] = static_cast<int>(b->size());
        // A null pointer would mean SQL NULL: an empty value needs some address.
        values_[i] = b->empty() ? "" : reinterpret_cast<const char*>(b->data());
      }
      // std::nullptr_t: values_[i] stays null, which libpq sends as NULL.
    }
  }

  int count() const noexcept { return static_cast<int>(values_.size()); }
  const Oid* types() const noexcept { return types_.data(); }
  const char* const* values() const noexcept { return values_.data(); }
  const int* lengths() const noexcept { return lengths_.data(); }
  const int* formats() const noexcept { return formats_.data(); }

 private:
  /// The shortest text that reads back as the same double; float8in's words otherwise.
  static std::string double_text(double d) {
    if (std::isnan(d)) return "NaN";
    if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
    char buf[32];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d);
    return std::string(buf, end);
  }

  std::vector<std::string> text_;
  std::vector<Oid> types_;
  std::vector<const char*> values_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
};

// ---------------------------------------------------------------------------------------
// Connecting

/// A timerfd that becomes readable at a deadline, or no fd at all for "no deadline".
/// The loop's own timers cannot be cancelled, a watched fd can: the connect waits on
/// the socket and on this, whichever is ready first.
class Deadline {
 public:
  explicit Deadline(std::chrono::milliseconds timeout) {
    if (timeout <= std::chrono::milliseconds::zero()) return;
    fd_ = FileDescriptor(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
    if (fd_.get() < 0) throw std::system_error(errno, std::generic_category(), "aorm: timerfd_create");
    itimerspec spec{};
    spec.it_value.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    spec.it_value.tv_nsec = static_cast<long>(timeout.count() % 1000 * 1'000'000);
    if (::timerfd_settime(fd_.get(), 0, &spec, nullptr) != 0)
      throw std::system_error(errno, std::generic_category(), "aorm: timerfd_settime");
  }
  int fd() const noexcept { return fd_.get(); }

 private:
  FileDescriptor fd_;
};

/// `co_await SocketWait{...}`: true once `socket` is ready for `events` (or has failed:
/// EPOLLERR/EPOLLHUP always wake it), false when the deadline fd fires first. Both
/// watches end before the coroutine resumes, so the caller may let libpq replace the
/// socket. Destroyed while suspended (loop shutdown), it unwatches both.
class SocketWait {
 public:
  SocketWait(EventLoop& loop, int socket, std::uint32_t events, int deadline_fd) noexcept
      : loop_(loop), socket_(socket), events_(events), deadline_fd_(deadline_fd) {}
  SocketWait(const SocketWait&) = delete;
  SocketWait& operator=(const SocketWait&) = delete;
  ~SocketWait() { stop(); }

  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    handle_ = h;
    if (deadline_fd_ >= 0) loop_.watch(deadline_fd_, EPOLLIN, [this](std::uint32_t) { wake(false); });
    watching_ = true;
    try {
      loop_.watch(socket_, events_, [this](std::uint32_t) { wake(true); });
    } catch (...) {
      stop();
      throw;
    }
  }
  bool await_resume() const noexcept { return ready_; }

 private:
  void wake(bool ready) noexcept {
    if (!watching_) return;
    ready_ = ready;
    stop();
    loop_.schedule(handle_);
  }
  void stop() noexcept {
    if (!watching_) return;
    watching_ = false;
    loop_.unwatch(socket_);
    if (deadline_fd_ >= 0) loop_.unwatch(deadline_fd_);
  }

  EventLoop& loop_;
  int socket_;
  std::uint32_t events_;
  int deadline_fd_;
  std::coroutine_handle<> handle_;
  bool watching_ = false;
  bool ready_ = false;
};

/// Raises connection_error(conn, what) with `params`' passwords masked in its message.
[[noreturn]] void fail_connect(const PGconn* conn, const char* what, const ConnectParams& params) {
  try {
    std::rethrow_exception(connection_error(conn, what, {}));
  } catch (const OperationalError& e) {  // what connection_error raises (SQLSTATE 08006)
    std::string masked = mask_secrets(e.what(), params.secrets);
    if (masked == e.what()) throw;
    throw OperationalError(masked, {}, e.backend(), e.code());
  }
}

std::string timeout_message(const PGconn* conn, std::chrono::milliseconds timeout) {
  std::string where;
  if (const char* host = PQhost(conn); host != nullptr && *host != '\0') {
    where = std::string(" at ") + host;
    if (const char* port = PQport(conn); port != nullptr && *port != '\0') where.append(":").append(port);
  }
  return "could not connect to the PostgreSQL server" + where + ": timeout expired after " +
         std::to_string(timeout.count()) + " ms";
}

/// Waits for `conn`'s socket (see SocketWait); raises the timeout error when the deadline
/// passes first.
Task<void> wait_socket(EventLoop& loop, PGconn* conn, std::uint32_t events, const Deadline& deadline,
                       const ConnectParams& params) {
  const std::chrono::milliseconds timeout = params.timeout;
  const int fd = PQsocket(conn);
  if (fd < 0) fail_connect(conn, "could not connect to the PostgreSQL server", params);
  if (!co_await SocketWait(loop, fd, events, deadline.fd()))
    throw OperationalError(timeout_message(conn, timeout), {}, "postgresql", "08001");
}

}  // namespace

ConnectParams parse_conninfo(const std::string& conninfo, std::chrono::milliseconds timeout) {
  char* error = nullptr;
  PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), &error);
  if (options == nullptr) {
    std::string reason = error != nullptr ? error : "out of memory";
    PQfreemem(error);
    while (!reason.empty() && reason.back() == '\n') reason.pop_back();
    // libpq's reason may quote the whole URI ("...in URI: \"postgresql://app:pw@[::1\"").
    throw ConfigError("invalid PostgreSQL connection string: " + redact_message(std::move(reason), conninfo));
  }
  std::unique_ptr<PQconninfoOption, void (*)(PQconninfoOption*)> owned(options, PQconninfoFree);

  ConnectParams params;
  params.secrets = url_secrets(conninfo);
  std::optional<std::chrono::milliseconds> from_conninfo;
  bool has_application_name = false;
  for (const PQconninfoOption* o = options; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string_view key = o->keyword;
    if (key == "client_encoding") continue;  // forced below
    if (key == "application_name") has_application_name = true;
    if (key.ends_with("password") && *o->val != '\0') params.secrets.emplace_back(o->val);
    if (key == "connect_timeout") {
      const std::string_view text = o->val;
      long long seconds = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
      if (ec != std::errc() || end != text.data() + text.size() || seconds > 86'400 * 365)
        throw ConfigError("invalid PostgreSQL connection string: connect_timeout must be a number of seconds, not '" +
                          std::string(text) + "'");
      from_conninfo = std::chrono::seconds(seconds > 0 ? seconds : 0);
    }
    params.keywords.emplace_back(key);
    params.values.emplace_back(o->val);
  }
  params.keywords.emplace_back("client_encoding");
  params.values.emplace_back("UTF8");
  if (!has_application_name) {
    params.keywords.emplace_back("fallback_application_name");
    params.values.emplace_back("aorm");
  }
  if (timeout > std::chrono::milliseconds::zero())
    params.timeout = timeout;
  else if (from_conninfo)
    params.timeout = *from_conninfo;
  return params;
}

PendingOp::~PendingOp() {
  if (queued_on != nullptr) queued_on->abandon(*this);
}

void PgConnection::ConnDeleter::operator()(pg_conn* c) const noexcept { PQfinish(c); }

PgConnection::PgConnection(ConnPtr conn) noexcept : conn_(std::move(conn)) {}

PgConnection::~PgConnection() {
  // Statements in flight hold a reference to us, so only detached ones can be left
  // (a cursor's clean-up, the backend destroyed right after): drop them.
  for (PendingOp* op : queue_) {
    op->queued_on = nullptr;
    if (op->detached) delete op;
  }
  queue_.clear();
  unwatch();  // before PQfinish closes the socket
}

Task<std::shared_ptr<PgConnection>> PgConnection::open(const ConnectParams& params) {
  EventLoop& loop = EventLoop::require_current("aorm: connecting to PostgreSQL");
  std::vector<const char*> keywords, values;
  for (std::size_t i = 0; i < params.keywords.size(); ++i) {
    keywords.push_back(params.keywords[i].c_str());
    values.push_back(params.values[i].c_str());
  }
  keywords.push_back(nullptr);
  values.push_back(nullptr);

  ConnPtr conn(PQconnectStartParams(keywords.data(), values.data(), 0));
  if (conn == nullptr) throw OperationalError("could not connect to the PostgreSQL server: out of memory", {}, "postgresql", "08001");
  PGconn* c = conn.get();
  if (PQstatus(c) == CONNECTION_BAD) fail_connect(c, "could not connect to the PostgreSQL server", params);
  PQsetNoticeProcessor(c, ignore_notice, nullptr);

  const Deadline deadline(params.timeout);
  // libpq's protocol: start as if PQconnectPoll had asked for a writable socket; each
  // call says what to wait for next; the socket may be a new one after any call.
  PostgresPollingStatusType state = PGRES_POLLING_WRITING;
  while (state != PGRES_POLLING_OK) {
    if (state == PGRES_POLLING_FAILED) fail_connect(c, "could not connect to the PostgreSQL server", params);
    co_await wait_socket(loop, c, state == PGRES_POLLING_READING ? EPOLLIN : EPOLLOUT, deadline, params);
    state = PQconnectPoll(c);
  }
  if (PQsetnonblocking(c, 1) != 0) fail_connect(c, "could not make the PostgreSQL connection non-blocking", params);

  // Session set-up, before pipeline mode (one simple query): every timestamptz the
  // session prints or parses without an offset is UTC.
  if (PQsendQuery(c, "SET TimeZone TO 'UTC'") == 0) fail_connect(c, "could not set up the PostgreSQL session", params);
  for (int r; (r = PQflush(c)) != 0;) {
    if (r < 0) fail_connect(c, "could not set up the PostgreSQL session", params);
    co_await wait_socket(loop, c, EPOLLOUT, deadline, params);
  }
  for (;;) {
    while (PQisBusy(c)) {
      co_await wait_socket(loop, c, EPOLLIN, deadline, params);
      if (PQconsumeInput(c) == 0) fail_connect(c, "could not set up the PostgreSQL session", params);
    }
    PGresult* raw = PQgetResult(c);
    if (raw == nullptr) break;
    ResultPtr result(raw);
    if (PQresultStatus(raw) != PGRES_COMMAND_OK) std::rethrow_exception(result_error(raw, "SET TimeZone TO 'UTC'"));
  }
  if (PQenterPipelineMode(c) == 0) fail_connect(c, "could not enter pipeline mode", params);
  co_return std::shared_ptr<PgConnection>(new PgConnection(std::move(conn)));
}

bool PgConnection::usable() noexcept {
  if (broken_) return false;
  if (!queue_.empty() && !watch_live()) {
    // The loop serving our pipeline is gone (aorm::run() returned with statements in
    // flight): their results would be read by nobody, and taken for the next ones.
    lose_connection("the event loop serving the PostgreSQL connection ended with statements in flight");
    return false;
  }
  return true;
}

bool PgConnection::probe() noexcept {
  if (!usable()) return false;
  if (!queue_.empty()) return true;  // a failure would show in the results
  pollfd p{PQsocket(conn_.get()), POLLIN, 0};
  // Idle, the server sends nothing but the odd notification or parameter change, so a
  // readable socket is rare; a few reads reach the end of file of a closed one.
  for (int i = 0; i < 4 && ::poll(&p, 1, 0) > 0; ++i) {
    if (PQconsumeInput(conn_.get()) == 0 || PQstatus(conn_.get()) == CONNECTION_BAD) {
      lose_connection("the PostgreSQL server closed the connection");
      return false;
    }
  }
  return true;
}

bool PgConnection::in_transaction() const noexcept {
  if (conn_ == nullptr) return false;
  const PGTransactionStatusType s = PQtransactionStatus(conn_.get());
  return s == PQTRANS_INTRANS || s == PQTRANS_INERROR;
}

int PgConnection::backend_pid() const noexcept { return conn_ != nullptr ? PQbackendPID(conn_.get()) : 0; }

/// Suspends until the op is done (at once when it already is).
struct OpAwaiter {
  PendingOp& op;
  bool await_ready() const noexcept { return op.done; }
  void await_suspend(std::coroutine_handle<> h) noexcept { op.waiter = h; }
  void await_resume() const noexcept {}
};

Task<ExecResult> PgConnection::execute(std::shared_ptr<PgConnection> self, const Statement& stmt, RowSink sink) {
  PendingOp op(stmt.sql, sink);  // declared after `self`: destroyed (abandoned) before it
  self->submit(op, stmt.params);
  co_await OpAwaiter{op};
  if (op.error) std::rethrow_exception(op.error);
  co_return op.result;
}

void PgConnection::send_detached(std::string sql) {
  if (!usable()) return;
  if (EventLoop::current() == nullptr) {  // nobody could read the outcome
    lose_connection("closed outside an event loop");
    return;
  }
  auto owned = std::make_unique<std::string>(std::move(sql));
  auto* op = new PendingOp(*owned);
  op->owned_sql = std::move(owned);
  op->detached = true;
  try {
    submit(*op, {});  // from here on the connection owns (and deletes) it
  } catch (...) {
    delete op;  // submit raises only before queueing: the connection failed earlier
  }
}

void PgConnection::submit(PendingOp& op, std::span<const Value> params) {
  EventLoop& loop = EventLoop::require_current("aorm: executing a PostgreSQL statement");
  if (!usable())
    std::rethrow_exception(make_error("08003", "the connection to the PostgreSQL server is closed (it failed earlier)", *op.sql));
  const ParamBuffer p(params);
  PGconn* c = conn_.get();
  if (PQsendQueryParams(c, op.sql->c_str(), p.count(), p.types(), p.values(), p.lengths(), p.formats(), 0) == 0) {
    auto error = connection_error(c, "could not send the statement", *op.sql);
    if (PQstatus(c) == CONNECTION_BAD) lose_connection("could not send the statement");
    std::rethrow_exception(error);
  }
  if (PQpipelineSync(c) == 0) {
    // The statement is in libpq's queue without its sync: the pipeline cannot continue.
    auto error = connection_error(c, "could not send the statement", *op.sql);
    lose_connection("could not send a pipeline sync");
    std::rethrow_exception(error);
  }
  op.loop = &loop;
  op.queued_on = this;
  queue_.push_back(&op);
  max_in_flight_ = std::max(max_in_flight_, queue_.size());
  if (loop_ != &loop) unwatch();  // a new aorm::run(): watch on this loop from now on
  loop_ = &loop;
  flush();  // may fail the connection, and with it `op` (done, with its error)
}

void PgConnection::flush() noexcept {
  const int r = PQflush(conn_.get());
  if (r < 0) {
    lose_connection("could not send to the PostgreSQL server");
    return;
  }
  want_write_ = r == 1;
  update_watch();
}

void PgConnection::update_watch() noexcept {
  if (broken_ || queue_.empty()) {
    unwatch();
    return;
  }
  const int fd = PQsocket(conn_.get());
  const std::uint32_t events = EPOLLIN | (want_write_ ? EPOLLOUT : 0u);
  if (watch_live() && watched_fd_ == fd && watched_events_ == events) return;
  if (watched_fd_ != fd) unwatch();
  try {
    loop_->watch(fd, events, [this, token = watch_token_](std::uint32_t ev) { on_socket_ready(ev); });
  } catch (...) {
    lose_connection("could not watch the PostgreSQL socket");
    return;
  }
  watched_fd_ = fd;
  watched_events_ = events;
}

void PgConnection::unwatch() noexcept {
  if (watch_live()) loop_->unwatch(watched_fd_);
  watched_fd_ = -1;
  watched_events_ = 0;
}

void PgConnection::on_socket_ready(std::uint32_t events) noexcept {
  PGconn* c = conn_.get();
  // Read first, even when only EPOLLOUT fired: a server blocked on sending us results
  // may be what keeps our output from draining (libpq's advice for PQflush == 1).
  const bool input_ok = PQconsumeInput(c) != 0;
  if (input_ok && (want_write_ || (events & EPOLLOUT) != 0)) {
    const int r = PQflush(c);
    if (r < 0) {
      read_results();  // what arrived before the failure still belongs to its statements
      lose_connection("could not send to the PostgreSQL server");
      return;
    }
    want_write_ = r == 1;
  }
  read_results();
  if (broken_) return;  // read_results gave the connection up (`c` is gone)
  if (!input_ok || PQstatus(c) == CONNECTION_BAD) {
    lose_connection("lost the connection to the PostgreSQL server");
    return;
  }
  update_watch();
}

void PgConnection::read_results() noexcept {
  PGconn* c = conn_.get();
  // Bounded when the connection is failing: libpq then answers with error results and
  // nulls that may not advance the pipeline.
  std::size_t budget = PQstatus(c) == CONNECTION_BAD ? 4 * queue_.size() + 4 : SIZE_MAX;
  // What libpq hands out per statement: each result followed by a null, then the
  // PGRES_PIPELINE_SYNC of the statement's sync. An error raised at the sync, when the
  // server commits the statement's implicit transaction (a DEFERRABLE INITIALLY DEFERRED
  // constraint, a serialization failure), comes after the statement's null as one more
  // result with its own null. So a null never means "nothing buffered": only PQisBusy()
  // says when libpq needs more input, and the loop must go on until it does (libpq may
  // already have read the sync from the socket, and no epoll event would come for it).
  // Two nulls in a row while not busy mean libpq has no command queued: the statements
  // in our queue can never be answered.
  bool after_null = false;
  while (!queue_.empty() && budget-- > 0 && PQisBusy(c) == 0) {
    PendingOp& op = *queue_.front();
    PGresult* raw = PQgetResult(c);
    if (raw == nullptr) {
      if (!after_null) {
        after_null = true;
        continue;
      }
      if (PQstatus(c) != CONNECTION_BAD)  // else the caller closes the connection
        lose_connection("the PostgreSQL pipeline lost track of its statements");
      return;
    }
    after_null = false;
    ResultPtr result(raw);
    switch (PQresultStatus(raw)) {
      case PGRES_PIPELINE_SYNC:
        queue_.pop_front();
        finish(op);
        break;
      case PGRES_TUPLES_OK:
        deliver_rows(op, raw);
        [[fallthrough]];
      case PGRES_COMMAND_OK: {
        // PQcmdTuples: rows inserted/updated/deleted/selected, "" when not applicable.
        const char* n = PQcmdTuples(raw);
        std::int64_t count = 0;
        std::from_chars(n, n + std::strlen(n), count);
        op.result.rows_affected = count;
        break;
      }
      case PGRES_EMPTY_QUERY:
      case PGRES_NONFATAL_ERROR:
        break;
      case PGRES_PIPELINE_ABORTED:  // only after an error in the same sync group
        if (!op.error)
          op.error = make_error("", "statement not executed: an earlier statement of its pipeline failed", *op.sql);
        break;
      default:  // PGRES_FATAL_ERROR, PGRES_BAD_RESPONSE, COPY (not allowed in pipeline mode)
        if (!op.error) op.error = result_error(raw, *op.sql);
        break;
    }
  }
}

void PgConnection::deliver_rows(PendingOp& op, const pg_result* result) noexcept {
  if (!op.sink || op.error) return;
  try {
    PgRow row(result);
    const int rows = PQntuples(result);
    for (int i = 0; i < rows; ++i) {
      row.at(i);
      op.sink(row);
    }
  } catch (...) {
    op.error = std::current_exception();  // the sink's exception, raised in the task
  }
}

void PgConnection::finish(PendingOp& op) noexcept {
  op.done = true;
  op.queued_on = nullptr;
  if (op.detached)
    delete &op;
  else if (op.waiter)
    op.loop->schedule(op.waiter);
  if (queue_.empty()) idle_.wake_all();
}

void PgConnection::lose_connection(const char* what) noexcept {
  if (broken_) return;
  broken_ = true;
  unwatch();
  while (!queue_.empty()) {
    PendingOp& op = *queue_.front();
    queue_.pop_front();
    if (!op.error) op.error = connection_error(conn_.get(), what, *op.sql);
    finish(op);
  }
  conn_.reset();  // closes the socket
  idle_.wake_all();
}

void PgConnection::abandon(PendingOp& op) noexcept {
  auto it = std::find(queue_.begin(), queue_.end(), &op);
  if (it != queue_.end()) queue_.erase(it);
  op.queued_on = nullptr;
  lose_connection("a statement was abandoned in flight");
}

}  // namespace aorm::detail::postgres
