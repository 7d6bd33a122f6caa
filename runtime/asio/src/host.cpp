// aorm::asio::Host and its loop (aorm/asio.hpp): the core's EventLoop on an io_context.
#include <poll.h>
#include <sys/epoll.h>

#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <string>
#include <system_error>

#include "aorm/asio.hpp"
#include "aorm/runtime.hpp"  // SpawnState

namespace aorm::asio {

namespace detail {

namespace {

/// Which Host an io_context has (one at most): an io_context service, so that async_run
/// finds the Host from a handler's executor.
class HostRegistry final : public net::execution_context::service {
 public:
  using key_type = HostRegistry;
  static inline net::execution_context::id id;
  explicit HostRegistry(net::execution_context& ctx) : net::execution_context::service(ctx) {}
  Host* host = nullptr;

 private:
  void shutdown() override {}
};

thread_local HostLoop* current_host_loop = nullptr;

}  // namespace

std::exception_ptr operation_aborted() noexcept {
  return std::make_exception_ptr(boost::system::system_error(net::error::operation_aborted));
}

/// Makes the loop current on this thread for a scope (EventLoop::current() and
/// HostLoop::current()); restores the previous ones, so io_contexts nested on one thread
/// (a handler of one running another's run_one()) each see their own.
struct HostLoop::Enter {
  explicit Enter(HostLoop* loop) noexcept
      : saved_loop(exchange_current(loop)), saved_host(std::exchange(current_host_loop, loop)) {}
  ~Enter() {
    aorm::detail::running_context = nullptr;  // no task body is running any more
    exchange_current(saved_loop);
    current_host_loop = saved_host;
  }
  Enter(const Enter&) = delete;
  Enter& operator=(const Enter&) = delete;
  EventLoop* saved_loop;
  HostLoop* saved_host;
};

/// A pending aorm::sleep (resume_at): an Asio timer, cut short by a cancellation.
struct HostLoop::TimerNode final : aorm::detail::CancelHook {
  TimerNode(net::io_context& io, Clock::time_point deadline, std::coroutine_handle<> h)
      : timer(io, deadline), handle(h) {}
  void on_cancel() noexcept override { timer.cancel(); }
  net::steady_timer timer;
  std::coroutine_handle<> handle;
  TimerNode* prev = nullptr;
  TimerNode* next = nullptr;
};

/// A watched fd: a non-owning descriptor (released, never closed) and one wait per
/// direction, re-armed after each callback while the direction is still wanted.
struct HostLoop::WatchState {
  WatchState(net::io_context& io, int fd) : descriptor(io, fd), fd(fd) {}
  ~WatchState() { descriptor.release(); }  // libpq owns the fd (no effect once released)
  net::posix::stream_descriptor descriptor;
  int fd;
  std::uint32_t events = 0;
  std::shared_ptr<const WatchCallback> callback;  // a running callback holds its own copy
  bool active = true;
  bool armed[2] = {false, false};  // [write]: a wait is pending (or posted)
};

HostLoop::HostLoop(net::io_context& io, Host& host) : io_(io), strand_(net::make_strand(io)), host_(&host) {}

HostLoop::~HostLoop() = default;

HostLoop* HostLoop::current() noexcept { return current_host_loop; }

void HostLoop::resume(std::coroutine_handle<> h) noexcept {
  if (!alive_) return;
  Enter enter(this);
  h.resume();
}

void HostLoop::schedule(std::coroutine_handle<> h) {
  net::post(strand_, [self = shared_from_this(), h] { self->resume(h); });
}

void HostLoop::post(std::coroutine_handle<> h, WakeCheck, const void*) {
  // Any thread. The handler decrements nothing: expected_posts_ and posts_made_ only grow,
  // and the teardown waits until they are equal.
  net::post(strand_, [self = shared_from_this(), h] { self->resume(h); });
  std::lock_guard lock(posts_mutex_);
  ++posts_made_;
  posts_cv_.notify_all();  // under the lock: ~HostLoop cannot free the cv while we notify
}

void HostLoop::resume_at(Clock::time_point deadline, std::coroutine_handle<> h) {
  auto* t = new TimerNode(io_, deadline, h);
  t->next = timers_;
  if (timers_ != nullptr) timers_->prev = t;
  timers_ = t;
  t->timer.async_wait(net::bind_executor(strand_, [self = shared_from_this(), t](const boost::system::error_code&) {
    if (self->alive_) self->timer_fired(t);  // else the teardown deleted it
  }));
  // The sleeping task's cancellation cuts the sleep short (it raises when resumed).
  const aorm::detail::Context* ctx =
      aorm::detail::running_context != nullptr ? aorm::detail::running_context->get() : nullptr;
  if (aorm::detail::Cancellation* c = aorm::detail::cancellation_of(ctx)) c->add(*t);
}

void HostLoop::timer_fired(TimerNode* t) noexcept {
  if (t->prev != nullptr)
    t->prev->next = t->next;
  else
    timers_ = t->next;
  if (t->next != nullptr) t->next->prev = t->prev;
  t->unregister();
  const auto h = t->handle;
  delete t;
  resume(h);
}

void HostLoop::watch(int fd, std::uint32_t events, WatchCallback callback) {
  auto found = watches_.find(fd);
  std::shared_ptr<WatchState> w;
  if (found != watches_.end()) {
    w = found->second;
  } else {
    try {
      w = std::make_shared<WatchState>(io_, fd);  // registers the fd with Asio's reactor
    } catch (const boost::system::system_error& e) {
      throw std::system_error(e.code().value(), std::generic_category(), "aorm: watching a descriptor on the Asio host");
    }
    watches_.emplace(fd, w);
  }
  w->events = events;
  w->callback = std::make_shared<const WatchCallback>(std::move(callback));
  if (events & EPOLLIN) arm(w, false);
  if (events & EPOLLOUT) arm(w, true);
}

void HostLoop::unwatch(int fd) noexcept {
  auto found = watches_.find(fd);
  if (found == watches_.end()) return;
  WatchState& w = *found->second;
  w.active = false;
  w.callback.reset();
  // Now, not when the last wait lets go of the state: the owner may close the fd next and
  // a new one may come with the same number, whose registration a late release would drop.
  // Pending waits complete with operation_aborted and do nothing.
  w.descriptor.release();
  watches_.erase(found);
}

// Level-triggered on top of Asio's edge-triggered reactor: a wait is armed only after a
// poll() says the fd is not ready yet, so readiness left over from the last callback (libpq
// read only part of what arrived) is never lost; if it is ready, the callback is posted.
void HostLoop::arm(const std::shared_ptr<WatchState>& w, bool write) {
  if (w->armed[write]) return;
  w->armed[write] = true;
  pollfd p{w->fd, static_cast<short>(write ? POLLOUT : POLLIN), 0};
  if (::poll(&p, 1, 0) > 0) {
    net::post(strand_, [self = shared_from_this(), w, write] { self->watch_ready(w, write, false); });
    return;
  }
  w->descriptor.async_wait(
      write ? net::posix::descriptor_base::wait_write : net::posix::descriptor_base::wait_read,
      net::bind_executor(strand_, [self = shared_from_this(), w, write](const boost::system::error_code& ec) {
        if (ec == net::error::operation_aborted) {
          w->armed[write] = false;
          return;
        }
        self->watch_ready(w, write, static_cast<bool>(ec));
      }));
}

void HostLoop::watch_ready(const std::shared_ptr<WatchState>& w, bool write, bool failed) noexcept {
  w->armed[write] = false;
  if (!alive_ || !w->active) return;
  const std::uint32_t want = write ? EPOLLOUT : EPOLLIN;
  if ((w->events & want) == 0) return;  // no longer wanted: stays unarmed
  {
    Enter enter(this);
    std::shared_ptr<const WatchCallback> keep = w->callback;  // survives unwatch() inside it
    (*keep)(failed ? (want | EPOLLERR) : want);
  }
  if (alive_ && w->active && (w->events & want) != 0) {
    try {
      arm(w, write);
    } catch (...) {
      // Asio could not queue the wait (out of memory): report it as an error on the fd,
      // which makes its owner give it up (PostgreSQL: the connection is lost).
      Enter enter(this);
      std::shared_ptr<const WatchCallback> keep = w->callback;
      if (keep) (*keep)(want | EPOLLERR);
    }
  }
}

void HostLoop::work_started() noexcept {
  if (work_count_++ == 0) work_.emplace(io_.get_executor());
}

void HostLoop::work_finished() noexcept {
  if (--work_count_ == 0) work_.reset();
}

void HostLoop::adopt(aorm::detail::SpawnState& task) noexcept {
  EventLoop::adopt(task);
  work_started();
}

void HostLoop::release(aorm::detail::SpawnState& task) noexcept {
  EventLoop::release(task);
  work_finished();
}

void HostLoop::add_root(RootNode& root) noexcept {
  root.prev = nullptr;
  root.next = roots_;
  if (roots_ != nullptr) roots_->prev = &root;
  roots_ = &root;
  root.linked = true;
  work_started();
}

void HostLoop::remove_root(RootNode& root) noexcept {
  if (!root.linked) return;
  if (root.prev != nullptr)
    root.prev->next = root.next;
  else
    roots_ = root.next;
  if (root.next != nullptr) root.next->prev = root.prev;
  root.prev = root.next = nullptr;
  root.linked = false;
  work_finished();
}

void HostLoop::shutdown() noexcept {
  {
    Enter enter(this);  // destructors of the frames may ask for the current loop
    for (;;) {
      {
        // 1. Worker jobs in flight write into frames: wait until each has posted back.
        std::unique_lock lock(posts_mutex_);
        posts_cv_.wait(lock, [&] { return posts_made_ >= expected_posts_; });
      }
      if (roots_ != nullptr)
        roots_->abort();  // 2 and 3; unlinks it
      else if (spawned_ != nullptr)
        cancel_spawned();
      else
        break;
    }
    // A poster may still be inside post() (it notifies under the lock): wait for it to leave.
    { std::lock_guard lock(posts_mutex_); }
  }
  alive_ = false;  // 4. queued handlers of ours now do nothing
  while (TimerNode* t = timers_) {
    timers_ = t->next;
    t->unregister();
    delete t;  // cancels its wait
  }
  for (auto& [fd, w] : watches_) {
    w->active = false;
    w->callback.reset();
    w->descriptor.release();
  }
  watches_.clear();
  work_count_ = 0;
  work_.reset();
}

}  // namespace detail

Host::Host(net::io_context& io) {
  auto& registry = net::use_service<detail::HostRegistry>(io);
  if (registry.host != nullptr)
    throw std::logic_error("aorm::asio::Host: this io_context already has a Host");
  loop_ = std::make_shared<detail::HostLoop>(io, *this);
  registry.host = this;
}

Host::~Host() {
  loop_->shutdown();
  net::use_service<detail::HostRegistry>(loop_->io()).host = nullptr;
}

Host* Host::of(net::execution_context& ctx) noexcept {
  if (!net::has_service<detail::HostRegistry>(ctx)) return nullptr;
  return net::use_service<detail::HostRegistry>(ctx).host;
}

Host* Host::current() noexcept {
  detail::HostLoop* loop = detail::HostLoop::current();
  return loop != nullptr ? loop->host() : nullptr;
}

}  // namespace aorm::asio
