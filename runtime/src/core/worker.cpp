// detail::WorkerThread: one thread, one FIFO queue of intrusive jobs.
#include <functional>
#include <mutex>
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
  }
  wake_.notify_one();
  thread_.join();  // main() returns once the queue is empty
}

void WorkerThread::submit(Job& job) noexcept {
  bool was_empty;
  {
    std::lock_guard lock(mutex_);
    job.next_ = nullptr;
    was_empty = head_ == nullptr;
    if (was_empty)
      head_ = &job;
    else
      tail_->next_ = &job;
    tail_ = &job;
  }
  // Only an empty queue can have the worker waiting; a busy worker re-checks the queue.
  if (was_empty) wake_.notify_one();
}

void WorkerThread::submit(std::function<void()> fn) {
  submit(*new FunctionJob(std::move(fn)));
}

void WorkerThread::main() {
  for (;;) {
    Job* batch;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return head_ != nullptr || stopping_; });
      if (head_ == nullptr) return;  // stopping, and nothing left to run
      batch = std::exchange(head_, nullptr);
      tail_ = nullptr;
    }
    while (batch != nullptr) {
      Job* next = batch->next_;  // read first: run() may free the job
      batch->run();
      batch = next;
    }
  }
}

}  // namespace aorm::detail
