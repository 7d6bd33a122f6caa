// detail::EventLoop: ready queue, timers, cross-thread posts (eventfd) and epoll watches.
#include "aorm/detail/loop.hpp"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <stdexcept>
#include <string>
#include <system_error>

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

EventLoop::EventLoop() {
  if (current_loop != nullptr)
    throw std::logic_error(
        "aorm::run() called on a thread that is already running an event loop; inside a "
        "task, co_await the task instead of calling aorm::run()");
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

EventLoop::~EventLoop() {
  running_context = nullptr;
  // See the class comment. Cancelling a spawned task runs destructors, which may announce
  // more posts or spawn again: repeat until both are exhausted.
  while (expected_posts_ > 0 || spawned_ != nullptr) {
    if (expected_posts_ > 0) {
      pollfd wake{wake_.get(), POLLIN, 0};
      ::poll(&wake, 1, -1);  // EINTR: simply go round again
      take_posted();         // the handles land in ready_, which is dropped
    } else {
      spawned_->cancel();  // unlinks it
    }
  }
  // A thread that posted may still be inside post(), which writes wake_ under the mutex:
  // taking the mutex once waits for it to leave before wake_ is closed.
  { std::lock_guard lock(posted_mutex_); }
  current_loop = nullptr;
}

EventLoop* EventLoop::current() noexcept { return current_loop; }

EventLoop& EventLoop::require_current(const char* what) {
  if (current_loop == nullptr)
    throw std::logic_error(std::string(what) + "() needs a running event loop: call it from a task run by aorm::run()");
  return *current_loop;
}

void EventLoop::run_until_done(std::coroutine_handle<> main) {
  schedule(main);
  while (!main.done()) {
    poll_events(timeout_ms());
    fire_timers();
    if (run_ready(main)) return;
  }
}

void EventLoop::schedule(std::coroutine_handle<> h) { ready_.push_back(h); }

void EventLoop::resume_at(Clock::time_point deadline, std::coroutine_handle<> h) {
  timers_.push(Timer{deadline, timer_sequence_++, h});
}

void EventLoop::post(std::coroutine_handle<> h) {
  std::lock_guard lock(posted_mutex_);
  const bool was_empty = posted_.empty();
  posted_.push_back(h);
  // The wake-up is written under the mutex so that ~EventLoop cannot close wake_ between
  // our push and our write. One write per batch: the loop reads wake_ before it takes
  // the batch, so a post that finds the queue non-empty will be taken with it.
  if (was_empty) {
    const std::uint64_t one = 1;
    [[maybe_unused]] auto written = ::write(wake_.get(), &one, sizeof one);
  }
}

void EventLoop::watch(int fd, std::uint32_t events, WatchCallback callback) {
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

void EventLoop::unwatch(int fd) noexcept {
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

int EventLoop::timeout_ms() const {
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

void EventLoop::poll_events(int timeout) {
  epoll_event events[64];
  const int n = ::epoll_wait(epoll_.get(), events, 64, timeout);
  if (n < 0) {
    if (errno == EINTR) return;
    throw_errno("aorm: epoll_wait");
  }
  for (int i = 0; i < n; ++i) {
    const std::uint64_t tag = events[i].data.u64;
    if (tag == wake_tag) {
      take_posted();
      continue;
    }
    auto found = watches_.find(static_cast<int>(tag & 0xffffffffu));
    // Skip events of a watch removed (or replaced) by an earlier callback of this batch.
    if (found == watches_.end() || found->second->generation != tag >> 32) continue;
    std::shared_ptr<Watch> keep = found->second;  // survives unwatch() inside the callback
    keep->callback(events[i].events);
  }
}

void EventLoop::take_posted() {
  // Read the eventfd before taking the batch (see post()). EAGAIN: already reset.
  std::uint64_t count;
  [[maybe_unused]] auto read = ::read(wake_.get(), &count, sizeof count);
  {
    std::lock_guard lock(posted_mutex_);
    posted_.swap(taken_);
  }
  expected_posts_ -= taken_.size() <= expected_posts_ ? taken_.size() : expected_posts_;
  ready_.insert(ready_.end(), taken_.begin(), taken_.end());
  taken_.clear();
}

void EventLoop::fire_timers() {
  if (timers_.empty()) return;
  const auto now = Clock::now();
  while (!timers_.empty() && timers_.top().deadline <= now) {
    ready_.push_back(timers_.top().handle);
    timers_.pop();
  }
}

bool EventLoop::run_ready(std::coroutine_handle<> main) {
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
