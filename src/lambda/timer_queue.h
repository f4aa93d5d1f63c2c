// A thread that runs callbacks at given instants (steady clock): the lambda module's timers
// for mapping state transitions and asynchronous-invoke retries. Never sleeps to wait on
// work: a condition variable waits until the earliest deadline or a new schedule.
// Thread safety: Schedule, Drain and Stop may be called from any thread except the timer's
// own (a callback may Schedule, not Drain or Stop).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <thread>
#include <utility>

#include "streamstack/common/thread_annotations.h"

namespace streamstack::lambda {

class TimerQueue {
 public:
  using SteadyTime = std::chrono::steady_clock::time_point;

  TimerQueue();
  ~TimerQueue();  // Stop()s
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  // Runs `fn` on the timer thread once `delay` has passed. Dropped after Stop().
  void Schedule(std::chrono::milliseconds delay, std::function<void()> fn);
  // Waits until every callback scheduled to run by now has run (tests).
  void Drain();
  // Drops what is pending and joins the thread. Idempotent.
  void Stop();

 private:
  void Loop();

  Mutex mu_;
  std::condition_variable cv_;
  std::condition_variable idle_cv_;
  // Ordered by deadline, then by insertion.
  std::multimap<SteadyTime, std::function<void()>> pending_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  bool running_callback_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace streamstack::lambda
