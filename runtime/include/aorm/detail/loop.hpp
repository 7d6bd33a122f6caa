// aorm/detail/loop.hpp — the loop interface (EventLoop), the epoll loop that aorm::run()
// drives (EpollLoop), and worker threads.
//
// Threads: one current loop per thread at a time: an EpollLoop created by aorm::run() on
// the calling thread ("the loop thread"), or an aorm::asio::Host while one of its handlers
// runs; every coroutine of that loop is resumed there, so user code has no data races.
// Blocking work (SQLite calls) runs on WorkerThreads; it comes back to the loop thread with
// EventLoop::post(), which is the only thread-safe member.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <coroutine>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

namespace aorm::detail {

class SpawnState;

/// An fd closed on destruction. Move-only.
class FileDescriptor {
 public:
  explicit FileDescriptor(int fd = -1) noexcept : fd_(fd) {}
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept;
  ~FileDescriptor();
  int get() const noexcept { return fd_; }

 private:
  int fd_;
};

/// The loop interface: what tasks and backends need from whatever runs them (DESIGN.md,
/// "where the new parts live"). Two implementations: EpollLoop below (aorm::run()'s own
/// loop) and aorm::asio::Host's loop on a boost::asio::io_context (runtime/asio/). Nothing
/// here knows about Asio, and backends talk to this class only.
///
/// Cost: one virtual call per schedule(), post(), timer or watch, i.e. a few per
/// statement; nothing per row (rows never touch the loop). expect_post(), adopt() and
/// release() are not virtual.
///
/// Threads: every member except post() is called on the loop's thread (for the Asio host:
/// inside its strand), where its coroutines are resumed. current() is per thread: a loop
/// is current while it resumes its coroutines (EpollLoop: for its whole life; the Asio
/// host: while one of its handlers runs).
///
/// Destruction with work pending is each implementation's to define, with one rule common
/// to both: before destroying the frames of suspended tasks it waits for every post()
/// announced with expect_post() (the work of other threads writes into those frames).
class EventLoop {
 public:
  using Clock = std::chrono::steady_clock;
  /// Called on the loop thread with the epoll events (EPOLLIN, EPOLLOUT, EPOLLERR, ...).
  using WatchCallback = std::function<void(std::uint32_t events)>;
  /// See post(h, wake, arg).
  using WakeCheck = bool (*)(const void* arg) noexcept;

  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  /// The loop of the calling thread; null outside aorm::run() and outside the handlers of
  /// an Asio host.
  static EventLoop* current() noexcept;
  /// current(), or std::logic_error naming `what` ("aorm::sleep") when there is none.
  static EventLoop& require_current(const char* what);

  /// Resumes `h` on a later turn of the loop, after the handles already scheduled.
  virtual void schedule(std::coroutine_handle<> h) = 0;
  /// Resumes `h` once `deadline` has passed; timers fire in deadline order, equal
  /// deadlines in the order they were added.
  virtual void resume_at(Clock::time_point deadline, std::coroutine_handle<> h) = 0;

  /// Announces that another thread will call post() once, for work started by this loop.
  /// The loop's teardown waits for every announced post (see the class comment).
  void expect_post() noexcept { ++expected_posts_; }
  /// Thread-safe: resumes `h` on the loop thread. Every call must have been announced
  /// by one expect_post() on the loop thread (run_on() does both). Whatever the posting
  /// thread wrote before post() is visible to `h` when it resumes.
  void post(std::coroutine_handle<> h) { post(h, nullptr, nullptr); }
  /// Like post(h), but a sleeping loop may be woken only when `wake(arg)` returns true (null:
  /// always); else `h` is resumed when the loop next wakes. `wake` is called under the
  /// loop's post lock, so every later post is decided after it: the poster must make sure
  /// that whenever `wake` says no, a later post will say yes (see RunOnAnyWorker). A loop
  /// that never sleeps (the Asio host) ignores it.
  virtual void post(std::coroutine_handle<> h, WakeCheck wake, const void* arg) = 0;

  /// Calls `callback` on the loop thread whenever `fd` is ready for `events` (EPOLLIN,
  /// EPOLLOUT, ...; level-triggered). Watching a watched fd replaces its events and callback.
  /// Raises std::system_error when the fd cannot be watched.
  virtual void watch(int fd, std::uint32_t events, WatchCallback callback) = 0;
  /// Stops watching `fd` (no effect when not watched) and drops its callback (a callback
  /// running right now is dropped when it returns). Allowed inside its own callback.
  virtual void unwatch(int fd) noexcept = 0;

  /// Spawned tasks still running: the loop owns them (see spawn() in runtime.hpp).
  virtual void adopt(SpawnState& task) noexcept;
  virtual void release(SpawnState& task) noexcept;

 protected:
  EventLoop() = default;
  ~EventLoop() = default;
  /// Makes `loop` the calling thread's current loop; returns the previous one.
  static EventLoop* exchange_current(EventLoop* loop) noexcept;
  /// Destroys the frames of every spawned task still running (teardown).
  void cancel_spawned() noexcept;

  std::size_t expected_posts_ = 0;  // announced by expect_post(); each implementation counts them down
  SpawnState* spawned_ = nullptr;   // intrusive list of running spawned tasks
};

/// aorm::run()'s event loop: a ready queue, timers, a thread-safe queue of handles posted
/// by other threads (woken through an eventfd) and an epoll set of watched file descriptors.
///
/// Threads: constructed, run and destroyed on one thread, the loop thread; every member
/// except post() must be called there. Coroutines are only ever resumed on it. It is the
/// current loop of that thread for its whole life.
///
/// Destruction with work pending (what happens when the main task finishes while other
/// tasks are still suspended, like asyncio.run() cancelling what is left):
///   1. it waits (blocking) for every post() announced with expect_post(), i.e. for work
///      that other threads are doing on behalf of suspended tasks (run_on), because that
///      work writes into the tasks' frames; the posted handles are not resumed;
///   2. it destroys the frame of every spawned task still running, which destroys every
///      task that task was awaiting; nothing is resumed, destructors of the frames' locals
///      run (so nothing leaks);
///   3. pending timers, ready handles and watches are dropped without being called.
/// Tasks never see an error; they simply never resume.
///
/// Waiting for worker replies: when the loop has nothing ready and a post() is expected,
/// it spins for up to kSpin (checking the posted queue, yielding the CPU between checks)
/// before it sleeps in epoll_wait, unless a timer is due within ~2 ms or as many posts are
/// expected as the machine has cores (the threads producing them need the CPU then). SQLite statements
/// often finish within microseconds, so the reply usually arrives while it spins: no
/// sleep, no wake-up, and post() skips the eventfd write (it writes only while the loop
/// sleeps or is about to).
class EpollLoop final : public EventLoop {
 public:
  /// How long the loop spins for an expected post() before it sleeps.
  static constexpr std::chrono::microseconds kSpin{50};

  /// Makes this the loop of the calling thread. Raises std::logic_error when the thread
  /// already has one (aorm::run() inside a task, or inside an Asio host's handler),
  /// std::system_error when the kernel refuses an epoll or eventfd descriptor.
  EpollLoop();
  ~EpollLoop();

  /// Resumes `main` and then whatever becomes ready, until `main` is done. Raises
  /// std::logic_error when `main` is suspended and nothing can ever resume it (no ready
  /// handle, timer, watch or announced post): a deadlock.
  void run_until_done(std::coroutine_handle<> main);

  void schedule(std::coroutine_handle<> h) override;
  void resume_at(Clock::time_point deadline, std::coroutine_handle<> h) override;
  using EventLoop::post;
  void post(std::coroutine_handle<> h, WakeCheck wake, const void* arg) override;
  void watch(int fd, std::uint32_t events, WatchCallback callback) override;
  void unwatch(int fd) noexcept override;

 private:
  struct Timer {
    Clock::time_point deadline;
    std::uint64_t sequence;
    std::coroutine_handle<> handle;
    friend bool operator>(const Timer& a, const Timer& b) noexcept {
      return a.deadline != b.deadline ? a.deadline > b.deadline : a.sequence > b.sequence;
    }
  };
  struct Watch {
    WatchCallback callback;
    std::uint32_t generation;
  };

  int timeout_ms() const;
  void poll_events(int timeout_ms);
  /// Spins up to kSpin for a post(); true when one arrived.
  bool spin_for_posts() const noexcept;
  /// Marks the loop as about to sleep; false (and not marked) when posts are waiting.
  bool prepare_to_sleep();
  void woke_up();
  void take_posted();
  void fire_timers();
  bool run_ready(std::coroutine_handle<> main);

  FileDescriptor epoll_;
  FileDescriptor wake_;  // eventfd written by post() when the posted queue was empty
  std::vector<std::coroutine_handle<>> ready_, running_;
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> timers_;
  std::uint64_t timer_sequence_ = 0;
  std::unordered_map<int, std::shared_ptr<Watch>> watches_;
  std::uint32_t watch_generation_ = 0;
  std::size_t spin_limit_;  // spin for posts only while fewer jobs are in flight (the cores)

  std::mutex posted_mutex_;                      // guards posted_, sleeping_, wake_pending_
  std::vector<std::coroutine_handle<>> posted_;  // written by any thread
  std::vector<std::coroutine_handle<>> taken_;   // loop thread: spare buffer for posted_
  bool sleeping_ = false;      // the loop sleeps (or is about to) until wake_ is written
  bool wake_pending_ = false;  // wake_ was written and not read yet
  std::atomic<bool> has_posts_{false};  // posted_ is not empty; read without the mutex to spin
};

class WorkerGroup;

/// An intrusive FIFO of jobs (J has a `J* next_` its owner lets JobFifo see). Not
/// synchronised: its owner guards it.
template <class J>
struct JobFifo {
  J* head = nullptr;  // pop at head, push at tail
  J* tail = nullptr;

  bool empty() const noexcept { return head == nullptr; }
  void push(J& job) noexcept {
    job.next_ = nullptr;
    if (head == nullptr)
      head = &job;
    else
      tail->next_ = &job;
    tail = &job;
  }
  J* pop() noexcept {
    J* job = head;
    head = job->next_;
    if (head == nullptr) tail = nullptr;
    return job;
  }
  /// The whole queue, as a list linked through next_; the FIFO is empty afterwards.
  J* take_all() noexcept {
    tail = nullptr;
    return std::exchange(head, nullptr);
  }
};

/// One thread running jobs in FIFO order, alone or as a member of a WorkerGroup. When it
/// has nothing to run it spins for up to kSpin before it sleeps on its condition variable:
/// a task that awaits its statement's result usually submits its next one within
/// microseconds, and a sleeping worker costs a wake-up.
///
/// Threads: submit() may be called from any thread, concurrently; jobs run one at a
/// time on the worker thread. The destructor (any thread but the worker; not concurrently
/// with submit) runs every job already queued, then joins.
class WorkerThread {
 public:
  /// An intrusive job: the queue allocates nothing. The submitter keeps it alive until
  /// its run() is called; from then on the worker never touches it again, so run() may
  /// free it, or let another thread free it.
  class Job {
   public:
    virtual void run() noexcept = 0;

   protected:
    ~Job() = default;

   private:
    friend class WorkerThread;
    friend struct JobFifo<Job>;
    Job* next_ = nullptr;
  };

  /// How long an idle worker spins for a new job before it sleeps.
  static constexpr std::chrono::microseconds kSpin{50};

  WorkerThread();
  ~WorkerThread();
  WorkerThread(const WorkerThread&) = delete;
  WorkerThread& operator=(const WorkerThread&) = delete;

  void submit(Job& job) noexcept;
  /// Queues `fn` (one allocation). An exception escaping `fn` calls std::terminate, as
  /// it would on a std::thread.
  void submit(std::function<void()> fn);

  std::thread::id id() const noexcept { return thread_.get_id(); }

 private:
  friend class WorkerGroup;
  WorkerThread(WorkerGroup& group, std::size_t index);
  void main();
  /// Spins (yielding) until work shows up or kSpin has passed. An open group member
  /// spins only when no other member does.
  void spin() noexcept;
  /// True when this worker has something to run; called with mutex_ held.
  bool has_work() const noexcept;

  WorkerGroup* group_ = nullptr;  // null for a standalone worker
  std::size_t index_ = 0;         // its place in group_
  std::mutex own_mutex_;          // standalone: guards the queue; in a group, the group's mutex does
  std::mutex& mutex_;             // own_mutex_ or the group's
  std::condition_variable wake_;
  JobFifo<Job> queue_;  // guarded by mutex_
  bool stopping_ = false;
  bool sleeping_ = false;               // waiting on wake_; guarded by mutex_
  std::atomic<bool> has_jobs_{false};   // queue_ not empty or stopping_; read without the mutex to spin
  std::atomic<bool> open_{true};        // takes the group's shared jobs; written under mutex_
  std::uint64_t last_shared_job_ = 0;   // when it last took a shared job (group's count); under mutex_
  std::thread thread_;  // last: starts after the members above exist
};

/// Worker threads that share one FIFO of jobs besides each one's own queue: a shared job
/// runs on whichever open member is free first, so a statement never waits for a busy
/// worker while another one idles, and the thread that submits never has to pick one.
/// A member can be reserved (closed to shared jobs, for a connection leased to one task);
/// its own queue still runs, after the shared job it may be running when reserved.
///
/// Each member runs its own queued jobs before shared ones. Idle members do not all spin:
/// one open member at a time spins for shared work (the others sleep until a shared job
/// needs them), so a pool larger than the machine's cores does not eat the CPU that the
/// loop thread and the busy members need. A member that takes a shared job while more are
/// queued wakes a sleeping one; the one woken is the member that took a shared job last
/// (its connection's caches are the warmest).
///
/// Threads: submit(), reserve() and release() may be called from any thread. The
/// destructor (not concurrently with them) runs every job already queued, shared or own,
/// then joins every member.
class WorkerGroup {
 public:
  /// A shared job; run() receives the index of the member that runs it. Same lifetime
  /// rules as WorkerThread::Job.
  class Job {
   public:
    virtual void run(std::size_t worker) noexcept = 0;

   protected:
    ~Job() = default;

   private:
    friend struct JobFifo<Job>;
    Job* next_ = nullptr;
  };

  explicit WorkerGroup(std::size_t size);
  ~WorkerGroup();
  WorkerGroup(const WorkerGroup&) = delete;
  WorkerGroup& operator=(const WorkerGroup&) = delete;

  std::size_t size() const noexcept { return workers_.size(); }
  WorkerThread& operator[](std::size_t i) noexcept { return *workers_[i]; }

  /// Queues `job` for the first open member that is free.
  void submit(Job& job) noexcept;
  /// Shared jobs queued and not started yet (a snapshot).
  std::size_t queued() const noexcept { return pending_.load(std::memory_order_relaxed); }
  /// The EventLoop::WakeCheck of a shared job's completion (`group` is the WorkerGroup):
  /// while more jobs are queued than the group has members, the members stay busy without
  /// the loop, so a sleeping loop may sleep on; it is woken, and takes every completion
  /// posted meanwhile, once the queue runs short and needs refilling. Decided under the
  /// loop's post lock while the loop sleeps (so submits nothing): the queued jobs all post
  /// after this one, and the last of them finds the queue empty and wakes the loop.
  static bool queue_runs_short(const void* group) noexcept {
    const auto* g = static_cast<const WorkerGroup*>(group);
    return g->queued() < g->size();
  }
  /// Member `i` takes no shared job from now on (one it is running finishes).
  void reserve(std::size_t i) noexcept;
  /// Member `i` takes shared jobs again.
  void release(std::size_t i) noexcept;

 private:
  friend class WorkerThread;
  /// Wakes one sleeping open member when shared jobs wait and no member spins for them;
  /// called with mutex_ held, returns the condition variable to notify after unlocking.
  std::condition_variable* member_to_wake() noexcept;

  std::mutex mutex_;       // guards the shared queue and every member's queue and flags
  JobFifo<Job> queue_;     // the shared jobs; guarded by mutex_
  std::atomic<std::size_t> pending_{0};  // shared jobs queued; read without the mutex to spin
  std::atomic<int> spinning_{0};         // open members spinning for shared jobs (0 or 1)
  std::uint64_t shared_jobs_taken_ = 0;  // guarded by mutex_
  std::vector<std::unique_ptr<WorkerThread>> workers_;  // last: started once the rest exists
};

/// The value of a function call, or what it threw; T may be void or a reference.
template <class T>
class Outcome {
 public:
  template <class F>
  void capture(F& fn) noexcept {
    try {
      if constexpr (std::is_void_v<T>)
        fn();
      else if constexpr (std::is_reference_v<T>)
        value_ = std::addressof(fn());
      else
        value_.emplace(fn());
    } catch (...) {
      exception_ = std::current_exception();
    }
  }
  T take() {
    if (exception_) std::rethrow_exception(exception_);
    if constexpr (std::is_void_v<T>)
      return;
    else if constexpr (std::is_reference_v<T>)
      return *value_;
    else
      return std::move(*value_);
  }

 private:
  using Storage = std::conditional_t<std::is_void_v<T>, bool,
                                     std::conditional_t<std::is_reference_v<T>,
                                                        std::remove_reference_t<T>*, std::optional<T>>>;
  Storage value_{};
  std::exception_ptr exception_;
};

/// What the awaiters of run_on() and run_on_any() share: the awaiting task, its loop and
/// the outcome. The awaiter is itself the worker job (no allocation); it lives in the
/// awaiting coroutine's frame, which stays suspended until the job has posted it back.
template <class Result>
class PostBack {
 public:
  bool await_ready() const noexcept { return false; }
  Result await_resume() { return outcome_.take(); }

 protected:
  /// On the loop thread, before the job is submitted.
  void announce(std::coroutine_handle<> awaiting, const char* what) {
    loop_ = &EventLoop::require_current(what);
    awaiting_ = awaiting;
    loop_->expect_post();
  }
  /// On the worker thread: runs `call` and keeps its outcome.
  template <class Call>
  void capture(Call& call) noexcept {
    outcome_.capture(call);
  }
  /// On the worker thread, after capture(): resumes the awaiting task on its loop (`wake`,
  /// `arg`: see EventLoop::post). The awaiter may be destroyed as soon as this posts.
  void post_back(EventLoop::WakeCheck wake = nullptr, const void* arg = nullptr) noexcept {
    loop_->post(awaiting_, wake, arg);
  }

 private:
  EventLoop* loop_ = nullptr;
  std::coroutine_handle<> awaiting_;
  Outcome<Result> outcome_;
};

/// The awaiter of run_on(). A round trip costs no thread wake-up when the worker and the
/// loop are still spinning (see WorkerThread and EventLoop), two (condition variable,
/// eventfd) when they sleep.
template <class F>
class RunOnWorker final : public WorkerThread::Job, public PostBack<std::invoke_result_t<F&>> {
 public:
  RunOnWorker(WorkerThread& worker, F fn) : worker_(worker), fn_(std::move(fn)) {}
  RunOnWorker(const RunOnWorker&) = delete;
  RunOnWorker& operator=(const RunOnWorker&) = delete;

  void await_suspend(std::coroutine_handle<> awaiting) {
    this->announce(awaiting, "aorm::detail::run_on");
    worker_.submit(*this);
  }

 private:
  void run() noexcept override {  // on the worker thread
    this->capture(fn_);
    this->post_back();
  }

  WorkerThread& worker_;
  F fn_;
};

/// `co_await run_on(worker, fn)`: calls fn() on `worker`, then resumes the awaiting task
/// on the loop thread with fn's result, or rethrows what fn threw. fn runs on another
/// thread: it must not touch loop-thread state, and current_context() there is null.
/// Raises std::logic_error outside aorm::run().
template <class F>
RunOnWorker<std::decay_t<F>> run_on(WorkerThread& worker, F&& fn) {
  return RunOnWorker<std::decay_t<F>>(worker, std::forward<F>(fn));
}

/// The awaiter of run_on_any(): a shared job of a WorkerGroup.
template <class F>
class RunOnAnyWorker final : public WorkerGroup::Job, public PostBack<std::invoke_result_t<F&, std::size_t>> {
 public:
  RunOnAnyWorker(WorkerGroup& group, F fn) : group_(group), fn_(std::move(fn)) {}
  RunOnAnyWorker(const RunOnAnyWorker&) = delete;
  RunOnAnyWorker& operator=(const RunOnAnyWorker&) = delete;

  void await_suspend(std::coroutine_handle<> awaiting) {
    this->announce(awaiting, "aorm::detail::run_on_any");
    group_.submit(*this);
  }

 private:
  void run(std::size_t worker) noexcept override {  // on the member's thread
    auto call = [this, worker] { return fn_(worker); };
    this->capture(call);
    this->post_back(&WorkerGroup::queue_runs_short, &group_);
  }

  WorkerGroup& group_;
  F fn_;
};

/// `co_await run_on_any(group, fn)`: calls fn(i) on the first free open member i of
/// `group`, then resumes the awaiting task on the loop thread with fn's result, or
/// rethrows what fn threw. Same rules for fn as run_on().
template <class F>
RunOnAnyWorker<std::decay_t<F>> run_on_any(WorkerGroup& group, F&& fn) {
  return RunOnAnyWorker<std::decay_t<F>>(group, std::forward<F>(fn));
}

}  // namespace aorm::detail
