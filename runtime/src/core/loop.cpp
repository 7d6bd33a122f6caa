// detail::EventLoop (the interface's shared parts) and detail::EpollLoop: ready queue,
// timers, cross-thread posts (eventfd) and epoll watches.
#include "aorm/detail/loop.hpp"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

#include "aorm/runtime.hpp"  // SpawnState (the loop cancels spawned tasks)
#include "aorm/task.hpp"

namespace aorm::detail {

namespace {

thread_local EventLoop* current_loop = nullptr;

// epoll_event.data of the wake eventfd; watched fds use (generation << 32 | fd), and
// generation 0 is never handed out, so a watch can never collide with it.
constexpr std::uint64_t wake_tag = 0;

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

FileDescriptor& FileDescriptor::operator=(FileDescriptor&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
  }
  return *this;
}

FileDescriptor::~FileDescriptor() {
  if (fd_ >= 0) ::close(fd_);
}

EpollLoop::EpollLoop() : spin_limit_(std::max(2u, std::thread::hardware_concurrency())) {
  if (current_loop != nullptr)
    throw std::logic_error(
        "aorm::run() called on a thread that is already running an event loop; inside a "
        "task, co_await the task instead of calling aorm::run() (or, on an aorm::asio::Host, "
        "aorm::asio::async_run() from outside the task)");
  epoll_ = FileDescriptor(::epoll_create1(EPOLL_CLOEXEC));
  if (epoll_.get() < 0) throw_errno("aorm: epoll_create1");
  wake_ = FileDescriptor(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (wake_.get() < 0) throw_errno("aorm: eventfd");
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = wake_tag;
  if (::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &event) != 0)
    throw_errno("aorm: epoll_ctl(eventfd)");
  current_loop = this;
}

EpollLoop::~EpollLoop() {
  running_context = nullptr;
  // See the class comment. Cancelling a spawned task runs destructors, which may announce
  // more posts or spawn again: repeat until both are exhausted.
  while (expected_posts_ > 0 || spawned_ != nullptr) {
    if (expected_posts_ > 0) {
      if (prepare_to_sleep()) {
        pollfd wake{wake_.get(), POLLIN, 0};
        ::poll(&wake, 1, -1);  // EINTR: simply go round again
        woke_up();
      }
      take_posted();  // the handles land in ready_, which is dropped
    } else {
      cancel_spawned();
    }
  }
  // A thread that posted may still be inside post(), which writes wake_ under the mutex:
  // taking the mutex once waits for it to leave before wake_ is closed.
  { std::lock_guard lock(posted_mutex_); }
  current_loop = nullptr;
}

EventLoop* EventLoop::current() noexcept { return current_loop; }

EventLoop* EventLoop::exchange_current(EventLoop* loop) noexcept { return std::exchange(current_loop, loop); }

void EventLoop::cancel_spawned() noexcept {
  // Cancelling one may run destructors that spawn again or cancel others: take the head
  // each time.
  while (spawned_ != nullptr) spawned_->cancel();  // unlinks it
}

EventLoop& EventLoop::require_current(const char* what) {
  if (current_loop == nullptr)
    throw std::logic_error(std::string(what) + "() needs a running event loop: call it from a task run by aorm::run() or by an aorm::asio::Host");
  return *current_loop;
}

void EpollLoop::run_until_done(std::coroutine_handle<> main) {
  schedule(main);
  while (!main.done()) {
    poll_events(timeout_ms());
    fire_timers();
    if (run_ready(main)) return;
  }
}

void EpollLoop::schedule(std::coroutine_handle<> h) { ready_.push_back(h); }

void EpollLoop::resume_at(Clock::time_point deadline, std::coroutine_handle<> h) {
  timers_.push(Timer{deadline, timer_sequence_++, h});
}

void EpollLoop::post(std::coroutine_handle<> h, WakeCheck wake, const void* arg) {
  std::lock_guard lock(posted_mutex_);
  posted_.push_back(h);
  has_posts_.store(true, std::memory_order_release);
  // Only a sleeping loop needs the eventfd (a spinning one sees has_posts_); one write
  // until the loop reads it. Written under the mutex so that ~EventLoop cannot close
  // wake_ between our push and our write.
  if (sleeping_ && !wake_pending_ && (wake == nullptr || wake(arg))) {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(wake_.get(), &one, sizeof one);
    wake_pending_ = true;
  }
}

void EpollLoop::watch(int fd, std::uint32_t events, WatchCallback callback) {
  if (++watch_generation_ == 0) ++watch_generation_;  // 0 is reserved for wake_tag
  epoll_event event{};
  event.events = events;
  event.data.u64 = std::uint64_t{watch_generation_} << 32 | static_cast<std::uint32_t>(fd);
  auto found = watches_.find(fd);
  const int op = found == watches_.end() ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
  if (::epoll_ctl(epoll_.get(), op, fd, &event) != 0) throw_errno("aorm: epoll_ctl(watch)");
  auto entry = std::make_shared<Watch>(Watch{std::move(callback), watch_generation_});
  if (found == watches_.end())
    watches_.emplace(fd, std::move(entry));
  else
    found->second = std::move(entry);
}

void EpollLoop::unwatch(int fd) noexcept {
  auto found = watches_.find(fd);
  if (found == watches_.end()) return;
  // Fails harmlessly when the fd was already closed (the kernel dropped it then).
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
  watches_.erase(found);  // a callback running right now holds its own reference
}

void EventLoop::adopt(SpawnState& task) noexcept {
  task.prev = nullptr;
  task.next = spawned_;
  if (spawned_ != nullptr) spawned_->prev = &task;
  spawned_ = &task;
}

void EventLoop::release(SpawnState& task) noexcept {
  if (task.prev != nullptr)
    task.prev->next = task.next;
  else
    spawned_ = task.next;
  if (task.next != nullptr) task.next->prev = task.prev;
  task.prev = task.next = nullptr;
}

int EpollLoop::timeout_ms() const {
  if (!ready_.empty()) return 0;
  if (timers_.empty()) {
    if (watches_.empty() && expected_posts_ == 0)
      throw std::logic_error(
          "aorm::run(): the main task is suspended but nothing can resume it (no ready task, "
          "timer, watched fd or pending worker job): it awaits something that never completes");
    return -1;
  }
  const auto left = timers_.top().deadline - Clock::now();
  if (left <= Clock::duration::zero()) return 0;
  // Round up: waking before the deadline would only spin round the loop again.
  const auto ms = std::chrono::ceil<std::chrono::milliseconds>(left).count();
  return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
}

// Spinning yields the CPU on each round rather than busy-waiting: on a machine with more
// runnable threads than cores (the worker may share our core), a busy wait would burn the
// time slice the worker needs to produce the reply.
bool EpollLoop::spin_for_posts() const noexcept {
  const auto deadline = Clock::now() + kSpin;
  for (;;) {
    if (has_posts_.load(std::memory_order_acquire)) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::yield();
  }
}

bool EpollLoop::prepare_to_sleep() {
  std::lock_guard lock(posted_mutex_);
  if (!posted_.empty()) return false;
  sleeping_ = true;
  return true;
}

void EpollLoop::woke_up() {
  std::lock_guard lock(posted_mutex_);
  sleeping_ = false;
}

void EpollLoop::poll_events(int timeout) {
  // A worker's reply is due: it often comes within microseconds, sooner than a sleep and
  // wake-up would take. Not when a timer is due within a millisecond or two: spinning
  // yields the CPU, and on a busy machine a yield can cost a time slice, which would make
  // short sleeps late. Not with as many jobs in flight as the machine has cores either:
  // their threads then need every core, and each yield of ours is a context switch that
  // takes time from them (a WorkerGroup wakes the loop when its queue runs short).
  if ((timeout < 0 || timeout > 2) && expected_posts_ > 0 && expected_posts_ < spin_limit_ && spin_for_posts())
    timeout = 0;
  if (timeout == 0 && watches_.empty()) {
    // Nothing to wait for and no fd to poll: skip the system call.
    if (has_posts_.load(std::memory_order_acquire)) take_posted();
    return;
  }
  const bool sleeps = timeout != 0 && prepare_to_sleep();
  if (timeout != 0 && !sleeps) timeout = 0;  // posts arrived meanwhile
  epoll_event events[64];
  const int n = ::epoll_wait(epoll_.get(), events, 64, timeout);
  const int error = errno;
  if (sleeps) woke_up();
  if (n < 0 && error != EINTR) {
    errno = error;
    throw_errno("aorm: epoll_wait");
  }
  for (int i = 0; i < n; ++i) {
    const std::uint64_t tag = events[i].data.u64;
    if (tag == wake_tag) continue;  // the posts are taken below
    auto found = watches_.find(static_cast<int>(tag & 0xffffffffu));
    // Skip events of a watch removed (or replaced) by an earlier callback of this batch.
    if (found == watches_.end() || found->second->generation != tag >> 32) continue;
    std::shared_ptr<Watch> keep = found->second;  // survives unwatch() inside the callback
    keep->callback(events[i].events);
  }
  if (has_posts_.load(std::memory_order_acquire)) take_posted();
}

void EpollLoop::take_posted() {
  {
    std::lock_guard lock(posted_mutex_);
    if (wake_pending_) {
      // Reset the eventfd (written under this mutex, so the write has happened).
      std::uint64_t count;
      [[maybe_unused]] auto read = ::read(wake_.get(), &count, sizeof count);
      wake_pending_ = false;
    }
    posted_.swap(taken_);
    has_posts_.store(false, std::memory_order_relaxed);
  }
  expected_posts_ -= taken_.size() <= expected_posts_ ? taken_.size() : expected_posts_;
  ready_.insert(ready_.end(), taken_.begin(), taken_.end());
  taken_.clear();
}

void EpollLoop::fire_timers() {
  if (timers_.empty()) return;
  const auto now = Clock::now();
  while (!timers_.empty() && timers_.top().deadline <= now) {
    ready_.push_back(timers_.top().handle);
    timers_.pop();
  }
}

bool EpollLoop::run_ready(std::coroutine_handle<> main) {
  // Handles scheduled while this batch runs wait for the next turn, after timers and I/O.
  running_.swap(ready_);
  for (std::coroutine_handle<> h : running_) {
    h.resume();
    running_context = nullptr;  // back in the loop: no task body is running
    if (main.done()) {
      running_.clear();  // the rest are dropped: see the class comment
      return true;
    }
  }
  running_.clear();
  return false;
}

}  // namespace aorm::detail
