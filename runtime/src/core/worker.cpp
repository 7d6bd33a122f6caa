// detail::WorkerThread: one thread, one FIFO queue of intrusive jobs.
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

WorkerThread::WorkerThread() : thread_([this] { main(); }) {}

WorkerThread::~WorkerThread() {
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
    job.next_ = nullptr;
    if (head_ == nullptr)
      head_ = &job;
    else
      tail_->next_ = &job;
    tail_ = &job;
    has_jobs_.store(true, std::memory_order_release);
    sleeping = sleeping_;
  }
  // A busy or spinning worker re-checks the queue by itself.
  if (sleeping) wake_.notify_one();
}

void WorkerThread::submit(std::function<void()> fn) {
  submit(*new FunctionJob(std::move(fn)));
}

void WorkerThread::main() {
  using Clock = std::chrono::steady_clock;
  for (;;) {
    // Spin a little for the next job before sleeping (see the class comment), yielding
    // the CPU on each round (see EventLoop::spin_for_posts).
    const auto deadline = Clock::now() + kSpin;
    while (!has_jobs_.load(std::memory_order_acquire) && Clock::now() < deadline)
      std::this_thread::yield();
    Job* batch;
    {
      std::unique_lock lock(mutex_);
      if (head_ == nullptr && !stopping_) {
        sleeping_ = true;
        wake_.wait(lock, [this] { return head_ != nullptr || stopping_; });
        sleeping_ = false;
      }
      if (head_ == nullptr) return;  // stopping, and nothing left to run
      batch = std::exchange(head_, nullptr);
      tail_ = nullptr;
      has_jobs_.store(stopping_, std::memory_order_relaxed);
    }
    while (batch != nullptr) {
      Job* next = batch->next_;  // read first: run() may free the job
      batch->run();
      batch = next;
    }
  }
}

}  // namespace aorm::detail
