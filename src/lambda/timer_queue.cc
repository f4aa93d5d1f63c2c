#include "lambda/timer_queue.h"

namespace streamstack::lambda {

TimerQueue::TimerQueue() : thread_([this] { Loop(); }) {}

TimerQueue::~TimerQueue() { Stop(); }

void TimerQueue::Schedule(std::chrono::milliseconds delay, std::function<void()> fn) {
  SteadyTime at = std::chrono::steady_clock::now() + delay;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    pending_.emplace(at, std::move(fn));
  }
  cv_.notify_one();
}

void TimerQueue::Drain() {
  std::unique_lock<std::mutex> lock(mu_);
  SteadyTime now = std::chrono::steady_clock::now();
  idle_cv_.wait(lock, [&] {
    return stopping_ || (!running_callback_ && (pending_.empty() || pending_.begin()->first > now));
  });
}

void TimerQueue::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    pending_.clear();
  }
  cv_.notify_all();
  idle_cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void TimerQueue::Loop() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    if (pending_.empty()) {
      idle_cv_.notify_all();
      cv_.wait(lock);
      continue;
    }
    auto first = pending_.begin();
    if (first->first > std::chrono::steady_clock::now()) {
      idle_cv_.notify_all();
      // A copy: wait_until reads the deadline again after waking, and by then another
      // thread may have erased this entry (AddressSanitizer caught the read).
      const auto due = first->first;
      cv_.wait_until(lock, due);
      continue;
    }
    std::function<void()> fn = std::move(first->second);
    pending_.erase(first);
    running_callback_ = true;
    lock.unlock();
    fn();
    lock.lock();
    running_callback_ = false;
  }
  idle_cv_.notify_all();
}

}  // namespace streamstack::lambda
