// detail::WorkerThread (one thread, one FIFO queue of intrusive jobs) and
// detail::WorkerGroup (worker threads that also share one FIFO).
#include <chrono>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

#include "aorm/detail/loop.hpp"

namespace aorm::detail {

namespace {

/// A std::function queued by submit(fn): it owns itself and is deleted after running.
class FunctionJob final : public WorkerThread::Job {
 public:
  explicit FunctionJob(std::function<void()> fn) : fn_(std::move(fn)) {}
  void run() noexcept override {  // noexcept: an escaping exception terminates
    fn_();
    delete this;
  }

 private:
  std::function<void()> fn_;
};

}  // namespace

// ---- WorkerThread --------------------------------------------------------------------------

WorkerThread::WorkerThread() : mutex_(own_mutex_), thread_([this] { main(); }) {}

WorkerThread::WorkerThread(WorkerGroup& group, std::size_t index)
    : group_(&group), index_(index), mutex_(group.mutex_), thread_([this] { main(); }) {}

WorkerThread::~WorkerThread() {
  if (!thread_.joinable()) return;  // a group member: the group joined it
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    has_jobs_.store(true, std::memory_order_release);
  }
  wake_.notify_one();
  thread_.join();  // main() returns once the queue is empty
}

void WorkerThread::submit(Job& job) noexcept {
  bool sleeping;
  {
    std::lock_guard lock(mutex_);
    queue_.push(job);
    has_jobs_.store(true, std::memory_order_release);
    sleeping = sleeping_;
  }
  // A busy or spinning worker re-checks the queue by itself.
  if (sleeping) wake_.notify_one();
}

void WorkerThread::submit(std::function<void()> fn) {
  submit(*new FunctionJob(std::move(fn)));
}

bool WorkerThread::has_work() const noexcept {
  if (!queue_.empty()) return true;
  // A stopping member drains the shared queue whether it is reserved or not.
  return group_ != nullptr && !group_->queue_.empty() && (open_.load(std::memory_order_relaxed) || stopping_);
}

// Spinning yields the CPU on each round (see EventLoop::spin_for_posts).
void WorkerThread::spin() noexcept {
  using Clock = std::chrono::steady_clock;
  const bool for_shared = group_ != nullptr && open_.load(std::memory_order_relaxed);
  if (for_shared) {
    int none = 0;
    if (!group_->spinning_.compare_exchange_strong(none, 1, std::memory_order_acq_rel)) return;
  }
  const auto deadline = Clock::now() + kSpin;
  while (!has_jobs_.load(std::memory_order_acquire) &&
         !(for_shared && group_->pending_.load(std::memory_order_acquire) > 0) && Clock::now() < deadline)
    std::this_thread::yield();
  // Stored before main() takes the mutex: a submit() that finds no spinner under the
  // mutex then also finds this member asleep or about to see its job.
  if (for_shared) group_->spinning_.store(0, std::memory_order_release);
}

void WorkerThread::main() {
  for (;;) {
    spin();
    Job* batch = nullptr;
    WorkerGroup::Job* shared = nullptr;
    std::condition_variable* wake_other = nullptr;
    {
      std::unique_lock lock(mutex_);
      while (!has_work()) {
        if (stopping_) return;  // and nothing left to run
        // Shared jobs this member may not take (it is reserved): submit() may have skipped
        // waking an open member because this one was spinning; pass the wake-up on.
        if (group_ != nullptr && !group_->queue_.empty())
          if (std::condition_variable* other = group_->member_to_wake()) other->notify_one();
        sleeping_ = true;
        wake_.wait(lock);
        sleeping_ = false;
      }
      if (!queue_.empty()) {  // its own queue first, all of it
        batch = queue_.take_all();
        has_jobs_.store(stopping_, std::memory_order_relaxed);
      } else {  // one shared job: the others stay for the members that come free meanwhile
        shared = group_->queue_.pop();
        group_->pending_.fetch_sub(1, std::memory_order_relaxed);
        last_shared_job_ = ++group_->shared_jobs_taken_;
        wake_other = group_->member_to_wake();
      }
    }
    if (wake_other != nullptr) wake_other->notify_one();
    if (shared != nullptr) shared->run(index_);
    while (batch != nullptr) {
      Job* next = batch->next_;  // read first: run() may free the job
      batch->run();
      batch = next;
    }
  }
}

// ---- WorkerGroup ---------------------------------------------------------------------------

WorkerGroup::WorkerGroup(std::size_t size) {
  // Members look at workers_ only when they take a shared job, which cannot be submitted
  // before this constructor returns.
  workers_.reserve(size);
  for (std::size_t i = 0; i < size; ++i) workers_.push_back(std::unique_ptr<WorkerThread>(new WorkerThread(*this, i)));
}

WorkerGroup::~WorkerGroup() {
  {
    std::lock_guard lock(mutex_);
    for (auto& w : workers_) {
      w->stopping_ = true;
      w->has_jobs_.store(true, std::memory_order_release);
    }
  }
  for (auto& w : workers_) w->wake_.notify_one();
  // Join every member before destroying any: a running member may still look at the others.
  for (auto& w : workers_) w->thread_.join();
}

std::condition_variable* WorkerGroup::member_to_wake() noexcept {
  if (queue_.empty() || spinning_.load(std::memory_order_acquire) > 0) return nullptr;
  // The member that took a shared job last: its connection's caches are the warmest (a
  // pool handing out its most recently used connection first, as a LIFO free list would).
  WorkerThread* best = nullptr;
  for (auto& w : workers_)
    if (w->sleeping_ && w->open_.load(std::memory_order_relaxed) &&
        (best == nullptr || w->last_shared_job_ > best->last_shared_job_))
      best = w.get();
  if (best == nullptr) return nullptr;  // every open member is busy; the first to finish takes the job
  best->sleeping_ = false;  // being woken: the next call picks another member
  return &best->wake_;
}

void WorkerGroup::submit(Job& job) noexcept {
  std::condition_variable* wake;
  {
    std::lock_guard lock(mutex_);
    queue_.push(job);
    pending_.fetch_add(1, std::memory_order_release);
    wake = member_to_wake();
  }
  if (wake != nullptr) wake->notify_one();
}

void WorkerGroup::reserve(std::size_t i) noexcept {
  std::lock_guard lock(mutex_);
  workers_[i]->open_.store(false, std::memory_order_relaxed);
}

void WorkerGroup::release(std::size_t i) noexcept {
  std::condition_variable* wake;
  {
    std::lock_guard lock(mutex_);
    workers_[i]->open_.store(true, std::memory_order_relaxed);
    wake = member_to_wake();
  }
  if (wake != nullptr) wake->notify_one();
}

}  // namespace aorm::detail
