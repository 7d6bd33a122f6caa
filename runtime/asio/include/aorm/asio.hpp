// aorm/asio.hpp — aorm's loop on a boost::asio::io_context (API.md §8). Link aorm::asio.
//
//   boost::asio::io_context io;
//   aorm::asio::Host host(io);     // aorm tasks started through it run on `io`
//   // Asio -> aorm: any completion token; the aorm task's exception is rethrown unchanged
//   Article a = co_await aorm::asio::async_run(Article::objects.aget(Article::f.pk == 1),
//                                              boost::asio::use_awaitable);
//   // aorm -> Asio: an Asio operation as an aorm::Task (an error_code becomes system_error)
//   std::size_t n = co_await boost::asio::async_read(s, buf, aorm::asio::use_task);
//
// This is the only part of aorm that includes Boost. It implements the core's loop
// interface (aorm/detail/loop.hpp, detail::EventLoop) with Asio: timers are
// steady_timers, watched fds (PostgreSQL's socket) are waited on by Asio's reactor through
// non-owning posix::stream_descriptors, and SQLite workers' completions are posted to the
// io_context. No thread of its own, no thread hop per query.
#pragma once

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/system/system_error.hpp>
#include <condition_variable>
#include <coroutine>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "aorm/detail/context.hpp"
#include "aorm/detail/loop.hpp"
#include "aorm/task.hpp"

namespace aorm::asio {

namespace net = boost::asio;

class Host;

namespace detail {

using aorm::detail::Cancellation;
using aorm::detail::Context;

/// An async_run() in flight: the Host's teardown aborts it (see Host).
class RootNode {
 public:
  /// Teardown, or a Host gone before the task started: destroys the task's frame (if
  /// any), completes the handler with operation_aborted and deletes itself.
  virtual void abort() noexcept = 0;

  RootNode* prev = nullptr;
  RootNode* next = nullptr;
  bool linked = false;

 protected:
  ~RootNode() = default;
};

/// The core's EventLoop on an io_context: everything it resumes runs inside one strand of
/// the io_context, with this loop current (EventLoop::current()) for the duration of the
/// handler. Shared: posted handlers hold a reference, so a handler that runs (or is
/// destroyed) after the Host is gone finds `alive()` false and does nothing.
class HostLoop final : public aorm::detail::EventLoop, public std::enable_shared_from_this<HostLoop> {
 public:
  using Strand = net::strand<net::io_context::executor_type>;

  HostLoop(net::io_context& io, Host& host);
  ~HostLoop();

  net::io_context& io() const noexcept { return io_; }
  const Strand& strand() const noexcept { return strand_; }
  Host* host() const noexcept { return host_; }
  bool alive() const noexcept { return alive_; }

  /// The HostLoop current on this thread (inside one of its handlers), or null.
  static HostLoop* current() noexcept;

  void schedule(std::coroutine_handle<> h) override;
  void resume_at(Clock::time_point deadline, std::coroutine_handle<> h) override;
  using EventLoop::post;
  void post(std::coroutine_handle<> h, WakeCheck wake, const void* arg) override;
  void watch(int fd, std::uint32_t events, WatchCallback callback) override;
  void unwatch(int fd) noexcept override;
  void adopt(aorm::detail::SpawnState& task) noexcept override;
  void release(aorm::detail::SpawnState& task) noexcept override;

  /// On the strand: resumes `h` with this loop current (nothing once the Host is gone).
  void resume(std::coroutine_handle<> h) noexcept;
  /// async_run()s in flight (strand only). Each keeps the io_context's run() going.
  void add_root(RootNode& root) noexcept;
  void remove_root(RootNode& root) noexcept;
  /// The Host's destructor (see Host).
  void shutdown() noexcept;

 private:
  struct TimerNode;
  struct WatchState;
  struct Enter;  // makes this loop current for a scope

  void work_started() noexcept;
  void work_finished() noexcept;
  void timer_fired(TimerNode* t) noexcept;
  void arm(const std::shared_ptr<WatchState>& w, bool write);
  void watch_ready(const std::shared_ptr<WatchState>& w, bool write, bool failed) noexcept;

  net::io_context& io_;
  Strand strand_;
  Host* host_;
  bool alive_ = true;
  RootNode* roots_ = nullptr;
  TimerNode* timers_ = nullptr;  // intrusive list of pending timers
  std::unordered_map<int, std::shared_ptr<WatchState>> watches_;
  std::size_t work_count_ = 0;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_;

  std::mutex posts_mutex_;              // guards posts_made_
  std::condition_variable posts_cv_;    // notified on each post()
  std::size_t posts_made_ = 0;          // post() calls made (expected_posts_: announced)
};

/// The loop of `host` (async_run's access).
std::shared_ptr<HostLoop> loop_of(Host& host);

/// The operation_aborted error a cancelled or aborted task raises.
std::exception_ptr operation_aborted() noexcept;

/// The Host whose io_context runs executor `ex`, or the Host current on this thread.
template <class Executor>
Host* host_for(const Executor& ex) noexcept;

}  // namespace detail

/// Lets aorm tasks run on an io_context (asyncio's loop, played by Asio).
///
/// Ownership and lifetime: RAII; at most one Host per io_context at a time (a second one
/// raises std::logic_error). Construct it before starting tasks with async_run(), destroy
/// it before the io_context.
///
/// Threads: any number of threads may run the io_context. Everything aorm does for this
/// Host — starting and resuming tasks, timers, socket callbacks, SQLite completions — runs
/// inside one strand (get_executor()), so aorm tasks never run concurrently with each
/// other (asyncio's rule, and what the runtime assumes), whichever thread runs them. With
/// one thread running the io_context there is no thread hop at all. aorm::run() must not
/// be called inside a handler of the Host (it raises std::logic_error): await instead.
///
/// Cost (measured, tests/asio "costs" note in docs/internals.md): a query awaited through
/// async_run costs a dispatch into the strand to start and a post to complete the
/// handler; inside it every loop event (a SQLite worker's completion, a PostgreSQL socket
/// wake-up, a scheduled waiter) is one post into the strand instead of a vector push.
///
/// Destruction with tasks in flight (like aorm::run()'s teardown): call it while no
/// thread is running the io_context (e.g. after run() returned or io.stop()). It
///   1. waits (blocking) for every SQLite worker job in flight to post back, since that
///      work writes into the frames;
///   2. destroys the frame of every async_run() task and every spawned task still running
///      (their locals' destructors run: connections go back to their pools, an open
///      transaction is rolled back; nothing leaks);
///   3. completes each of those async_run() handlers with
///      boost::system::system_error(operation_aborted) — posted to the handler's executor,
///      so it runs if the io_context runs again (and is destroyed with it otherwise);
///   4. cancels its timers and socket waits; handlers of its already queued in the
///      io_context do nothing when they run later.
class Host {
 public:
  using executor_type = detail::HostLoop::Strand;

  explicit Host(net::io_context& io);
  ~Host();
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  net::io_context& context() const noexcept { return loop_->io(); }
  /// The strand every aorm task of this Host runs in.
  executor_type get_executor() const noexcept { return loop_->strand(); }

  /// The Host of `ctx`, or null.
  static Host* of(net::execution_context& ctx) noexcept;
  /// The Host whose handler is running on this thread, or null.
  static Host* current() noexcept;

 private:
  friend std::shared_ptr<detail::HostLoop> detail::loop_of(Host& host);
  std::shared_ptr<detail::HostLoop> loop_;
};

namespace detail {

inline std::shared_ptr<HostLoop> loop_of(Host& host) { return host.loop_; }

template <class Executor>
Host* host_for(const Executor& ex) noexcept {
  if constexpr (requires { net::query(ex, net::execution::context); }) {
    if (Host* h = Host::of(net::query(ex, net::execution::context))) return h;
  } else if constexpr (requires { ex.context(); }) {
    if (Host* h = Host::of(ex.context())) return h;
  }
  return Host::current();
}

template <class T>
struct RunSignature {
  using type = void(std::exception_ptr, T);
};
template <>
struct RunSignature<void> {
  using type = void(std::exception_ptr);
};
template <class T>
using run_signature = typename RunSignature<T>::type;

/// One async_run(): owns the task's frame while it runs and the completion handler until
/// it is called. Created on the caller's thread, started and finished on the strand.
template <class T, class Handler>
class RunOp final : public aorm::detail::Completion, public RootNode, public aorm::detail::CancelHook {
 public:
  RunOp(std::shared_ptr<HostLoop> loop, Task<T> task, Handler handler, std::shared_ptr<Context> caller)
      : loop_(std::move(loop)),
        task_(std::move(task)),
        handler_(std::move(handler)),
        caller_(std::move(caller)),
        cancel_(std::make_shared<Cancellation>()) {}

  /// On the caller's thread (the emitter's side): an Asio cancellation of the handler's
  /// slot cancels the task, on the strand.
  void connect_slot() {
    auto slot = net::get_associated_cancellation_slot(handler_);
    if (slot.is_connected()) slot.template emplace<SlotHandler>(loop_, cancel_);
  }

  /// On the strand, the loop alive: runs the task until it first suspends (or ends).
  void start() noexcept {
    auto ctx = std::make_shared<Context>();
    ctx->parent = caller_;
    ctx->cancel = cancel_;
    context_ = std::move(ctx);
    // A cancellation of the calling aorm task reaches this one too.
    if (Cancellation* outer = aorm::detail::cancellation_of(caller_.get())) outer->add(*this);
    std::coroutine_handle<aorm::detail::TaskPromise<T>> frame;
    try {
      frame = aorm::detail::TaskAccess::frame(task_);  // a ready task gets a frame: may allocate
    } catch (...) {
      finish(std::current_exception());
      return;
    }
    frame.promise().completion_ = this;
    frame.promise().adopt_context(&context_);
    loop_->add_root(*this);
    loop_->resume(frame);  // may finish it: `this` is gone then
  }

  std::coroutine_handle<> on_done(aorm::detail::PromiseBase& p) noexcept override {
    loop_->remove_root(*this);
    std::exception_ptr error = p.exception();
    finish(std::move(error));  // deletes this (and the finished frame)
    return std::noop_coroutine();
  }

  void abort() noexcept override {
    loop_->remove_root(*this);
    task_ = Task<T>{};  // destroys the frame chain where it is suspended
    finish(operation_aborted(), /*aborted=*/true);
  }

  void on_cancel() noexcept override {  // the caller's own cancellation
    cancel_->cancel(operation_aborted());
  }

 private:
  struct SlotHandler {
    std::shared_ptr<HostLoop> loop;
    std::shared_ptr<Cancellation> cancel;
    void operator()(net::cancellation_type type) const {
      if ((type & (net::cancellation_type::terminal | net::cancellation_type::partial |
                   net::cancellation_type::total)) == net::cancellation_type::none)
        return;
      net::dispatch(loop->strand(), [loop = loop, cancel = cancel] {
        if (loop->alive()) cancel->cancel(operation_aborted());
      });
    }
  };

  /// Posts the handler's completion to its executor and deletes this.
  void finish(std::exception_ptr error, bool aborted = false) noexcept {
    unregister();
    auto ex = net::get_associated_executor(handler_, loop_->strand());
    if constexpr (std::is_void_v<T>) {
      net::post(ex, [h = std::move(handler_), error]() mutable {
        net::get_associated_cancellation_slot(h).clear();
        std::move(h)(error);
      });
    } else {
      static_assert(std::is_default_constructible_v<T>,
                    "async_run(Task<T>): T must be default-constructible (the value passed with an exception)");
      T value{};
      if (!error && !aborted) {
        try {
          value = aorm::detail::TaskAccess::frame(task_).promise().take();
        } catch (...) {
          error = std::current_exception();
        }
      }
      net::post(ex, [h = std::move(handler_), error, v = std::move(value)]() mutable {
        net::get_associated_cancellation_slot(h).clear();
        std::move(h)(error, std::move(v));
      });
    }
    delete this;
  }

  std::shared_ptr<HostLoop> loop_;
  Task<T> task_;
  Handler handler_;
  std::shared_ptr<Context> caller_;
  std::shared_ptr<Context> context_;  // the task's: the caller's, plus this run's cancellation
  std::shared_ptr<Cancellation> cancel_;
};

/// The handler that starts a RunOp on the strand; deletes it if never run.
template <class Op>
class StartOp {
 public:
  StartOp(std::shared_ptr<HostLoop> loop, Op* op) noexcept : loop_(std::move(loop)), op_(op) {}
  StartOp(StartOp&& other) noexcept : loop_(std::move(other.loop_)), op_(std::exchange(other.op_, nullptr)) {}
  StartOp& operator=(StartOp&&) = delete;
  ~StartOp() { delete op_; }  // the io_context was destroyed with it queued: no handler call
  void operator()() {
    Op* op = std::exchange(op_, nullptr);
    if (loop_->alive())
      op->start();
    else
      op->abort();
  }

 private:
  std::shared_ptr<HostLoop> loop_;
  Op* op_;
};

struct RunInitiation {
  Host* host;  // null: the Host of the handler's executor, or the current one

  template <class Handler, class T>
  void operator()(Handler&& handler, Task<T> task, std::shared_ptr<Context> caller) const {
    Host* h = host != nullptr ? host : host_for(net::get_associated_executor(handler));
    if (h == nullptr)
      throw std::logic_error(
          "aorm::asio::async_run(): no aorm::asio::Host for the handler's executor; create one on its "
          "io_context, or pass the Host as the first argument");
    auto loop = loop_of(*h);
    using Op = RunOp<T, std::decay_t<Handler>>;
    auto* op = new Op(loop, std::move(task), std::forward<Handler>(handler), std::move(caller));
    op->connect_slot();
    const auto& strand = loop->strand();
    net::dispatch(strand, StartOp<Op>(std::move(loop), op));
  }
};

inline std::shared_ptr<Context> calling_context() noexcept {
  return aorm::detail::running_context != nullptr ? *aorm::detail::running_context : nullptr;
}

}  // namespace detail

/// Runs `task` on the Host of the io_context behind the token's associated executor
/// (use_awaitable: the coroutine's; a bound executor), or — for a token without one (a
/// plain callback, use_future) — on the Host whose handler is running on this thread;
/// std::logic_error when there is none (use the overload taking the Host).
///
/// The completion signature is void(std::exception_ptr, T) (void(std::exception_ptr) for
/// Task<void>): with use_awaitable, use_future and deferred, the task's exception is
/// rethrown to the awaiter unchanged (same type). The task starts on the Host's strand
/// (inline when already there) and inherits the context of the calling aorm task, if any
/// (its database, its open atomic()). The handler is always posted, never called inside
/// async_run.
///
/// Cancellation: a cancellation slot bound to the token (bind_cancellation_slot, the `||`
/// awaitable operator, ...) cancels the task for any cancellation type: the task raises
/// boost::system::system_error(operation_aborted) at its current suspension point if that
/// point can be cut short (an aorm::sleep, an Asio operation awaited with use_task), else
/// as soon as what it awaits completes (a statement in flight finishes first; SQL-side
/// cancel is issue 19). An open atomic() rolls back on the way, its connection goes back
/// to the pool clean, and the handler receives that exception.
template <class T, class CompletionToken>
auto async_run(Host& host, Task<T> task, CompletionToken&& token) {
  static_assert(!std::is_reference_v<T>, "async_run(): a Task of a reference cannot cross to Asio");
  return net::async_initiate<CompletionToken, detail::run_signature<T>>(
      detail::RunInitiation{&host}, token, std::move(task), detail::calling_context());
}

template <class T, class CompletionToken>
auto async_run(Task<T> task, CompletionToken&& token) {
  static_assert(!std::is_reference_v<T>, "async_run(): a Task of a reference cannot cross to Asio");
  return net::async_initiate<CompletionToken, detail::run_signature<T>>(
      detail::RunInitiation{nullptr}, token, std::move(task), detail::calling_context());
}

/// The completion token that makes an Asio operation an aorm::Task, to be awaited inside
/// a task running on a Host (std::logic_error elsewhere). The Task yields the operation's
/// results: nothing, the one value, or a std::tuple of them; a leading error_code that is
/// set raises boost::system::system_error, a leading exception_ptr is rethrown. The
/// operation's completion resumes the task on the Host's strand. The operation starts when
/// the Task is awaited. If the task is cancelled (async_run's cancellation) while the
/// operation is pending, the operation is cancelled through its cancellation slot and the
/// task raises system_error(operation_aborted).
struct use_task_t {
  constexpr use_task_t() noexcept = default;
};
inline constexpr use_task_t use_task{};

namespace detail {

template <class... Args>
struct OpResult {
  using type = std::conditional_t<sizeof...(Args) == 0, void,
                                  std::conditional_t<sizeof...(Args) == 1, std::tuple_element_t<0, std::tuple<Args..., void>>,
                                                     std::tuple<Args...>>>;
};

template <class Sig>
struct OpTraits;
template <class... Args>
struct OpTraits<void(Args...)> {
  using values = std::tuple<std::decay_t<Args>...>;
  static constexpr bool error_code_first = false, exception_first = false;
  using result = typename OpResult<std::decay_t<Args>...>::type;
};
template <class... Args>
struct OpTraits<void(boost::system::error_code, Args...)> {
  using values = std::tuple<boost::system::error_code, std::decay_t<Args>...>;
  static constexpr bool error_code_first = true, exception_first = false;
  using result = typename OpResult<std::decay_t<Args>...>::type;
};
template <class... Args>
struct OpTraits<void(const boost::system::error_code&, Args...)> : OpTraits<void(boost::system::error_code, Args...)> {};
template <class... Args>
struct OpTraits<void(std::exception_ptr, Args...)> {
  using values = std::tuple<std::exception_ptr, std::decay_t<Args>...>;
  static constexpr bool error_code_first = false, exception_first = true;
  using result = typename OpResult<std::decay_t<Args>...>::type;
};

/// What the operation's handler and the awaiting task share (the handler may outlive the
/// task's frame: a Host torn down with the operation pending).
template <class Sig>
struct OpState {
  std::shared_ptr<HostLoop> loop;
  std::coroutine_handle<> waiting;  // cleared when the awaiter is destroyed first
  std::optional<typename OpTraits<Sig>::values> values;
  net::cancellation_signal signal;  // outlives the operation's use of its slot
};

template <class Sig>
struct OpHandler {
  std::shared_ptr<OpState<Sig>> state;
  template <class... Args>
  void operator()(Args&&... args) {
    state->values.emplace(std::forward<Args>(args)...);
    if (auto h = std::exchange(state->waiting, {})) state->loop->resume(h);
  }
};

template <class Sig, class Initiation, class... InitArgs>
class OpAwaiter final : public aorm::detail::CancelHook {
 public:
  using Traits = OpTraits<Sig>;
  using result_type = typename Traits::result;

  OpAwaiter(Initiation init, std::tuple<InitArgs...> args) : init_(std::move(init)), args_(std::move(args)) {}
  OpAwaiter(const OpAwaiter&) = delete;
  OpAwaiter& operator=(const OpAwaiter&) = delete;
  ~OpAwaiter() {
    unregister();
    if (state_) state_->waiting = {};
  }

  bool await_ready() const noexcept { return false; }
  void await_suspend(std::coroutine_handle<> h) {
    HostLoop* loop = HostLoop::current();
    if (loop == nullptr)
      throw std::logic_error(
          "aorm::asio::use_task: the awaiting task must run on an aorm::asio::Host (start it with "
          "aorm::asio::async_run)");
    state_ = std::make_shared<OpState<Sig>>();
    state_->loop = loop->shared_from_this();
    state_->waiting = h;
    auto handler = net::bind_cancellation_slot(state_->signal.slot(),
                                               net::bind_executor(loop->strand(), OpHandler<Sig>{state_}));
    std::apply([&](InitArgs&... a) { std::move(init_)(std::move(handler), std::move(a)...); }, args_);
    const Context* ctx = aorm::detail::running_context != nullptr ? aorm::detail::running_context->get() : nullptr;
    if (Cancellation* c = aorm::detail::cancellation_of(ctx)) c->add(*this);
  }
  result_type await_resume() {
    unregister();
    auto& v = *state_->values;
    if constexpr (Traits::error_code_first) {
      if (std::get<0>(v)) throw boost::system::system_error(std::get<0>(v));
    } else if constexpr (Traits::exception_first) {
      if (std::get<0>(v)) std::rethrow_exception(std::get<0>(v));
    }
    constexpr std::size_t skip = Traits::error_code_first || Traits::exception_first ? 1 : 0;
    return take<skip>(v, std::make_index_sequence<std::tuple_size_v<typename Traits::values> - skip>{});
  }

  void on_cancel() noexcept override {
    if (state_ && state_->waiting) state_->signal.emit(net::cancellation_type::terminal);
  }

 private:
  template <std::size_t Skip, class V, std::size_t... I>
  result_type take(V& v, std::index_sequence<I...>) {
    if constexpr (std::is_void_v<result_type>)
      return;
    else if constexpr (sizeof...(I) == 1)
      return std::move(std::get<Skip>(v));
    else
      return result_type(std::move(std::get<Skip + I>(v))...);
  }

  Initiation init_;
  std::tuple<InitArgs...> args_;
  std::shared_ptr<OpState<Sig>> state_;
};

template <class Sig, class Initiation, class... InitArgs>
Task<typename OpTraits<Sig>::result> op_task(Initiation init, std::tuple<InitArgs...> args) {
  co_return co_await OpAwaiter<Sig, Initiation, InitArgs...>(std::move(init), std::move(args));
}

}  // namespace detail
}  // namespace aorm::asio

template <class Sig>
class boost::asio::async_result<aorm::asio::use_task_t, Sig> {
 public:
  using return_type = aorm::Task<typename aorm::asio::detail::OpTraits<Sig>::result>;

  template <class Initiation, class... InitArgs>
  static return_type initiate(Initiation&& init, aorm::asio::use_task_t, InitArgs&&... args) {
    return aorm::asio::detail::op_task<Sig>(std::forward<Initiation>(init),
                                            std::tuple<std::decay_t<InitArgs>...>(std::forward<InitArgs>(args)...));
  }
};
