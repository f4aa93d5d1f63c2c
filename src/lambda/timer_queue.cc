#include "lambda/timer_queue.h"

namespace streamstack::lambda {

TimerQueue::TimerQueue() : thread_([this] { Loop(); }) {}

TimerQueue::~TimerQueue() { Stop(); }

void TimerQueue::Schedule(std::chrono::milliseconds delay, std::function<void()> fn) {
  SteadyTime at = std::chrono::steady_clock::now() + delay;
  {
    MutexLock lock(mu_);
    if (stopping_) return;
    pending_.emplace(at, std::move(fn));
  }
  cv_.notify_one();
}

void TimerQueue::Drain() {
  MutexLock lock(mu_);
  SteadyTime now = std::chrono::steady_clock::now();
  lock.Wait(idle_cv_, [&]() REQUIRES(mu_) {
    return stopping_ || (!running_callback_ && (pending_.empty() || pending_.begin()->first > now));
  });
}

void TimerQueue::Stop() {
  {
    MutexLock lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    pending_.clear();
  }
  cv_.notify_all();
  idle_cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void TimerQueue::Loop() {
  MutexLock lock(mu_);
  while (!stopping_) {
    if (pending_.empty()) {
      idle_cv_.notify_all();
      lock.Wait(cv_);
      continue;
    }
    auto first = pending_.begin();
    if (first->first > std::chrono::steady_clock::now()) {
      idle_cv_.notify_all();
      // A copy: wait_until reads the deadline again after waking, and by then another
      // thread may have erased this entry (AddressSanitizer caught the read).
      const auto due = first->first;
      lock.WaitUntil(cv_, due);
      continue;
    }
    std::function<void()> fn = std::move(first->second);
    pending_.erase(first);
    running_callback_ = true;
    lock.Unlock();
    fn();
    lock.Lock();
    running_callback_ = false;
  }
  idle_cv_.notify_all();
}

}  // namespace streamstack::lambda
