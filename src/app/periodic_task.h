// PeriodicTask: background passes of the app's services (stream trimming, TTL sweeps, log
// retention) on a thread of their own. Private to the app module. Constructed and stopped
// on main's thread; `pass` runs on the task's thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <thread>
#include <utility>

#include "streamstack/common/thread_annotations.h"

namespace streamstack::app {

// Runs `pass` every `interval` of real time on its own thread until Stop(). Waits on a
// condition variable, so a stop is immediate; `pass` gets a `stopping` predicate so a long
// pass can end early too.
class PeriodicTask {
 public:
  using Stopping = std::function<bool()>;
  using Pass = std::function<void(const Stopping& stopping)>;

  PeriodicTask(std::chrono::milliseconds interval, Pass pass)
      : interval_(interval), pass_(std::move(pass)), thread_([this] { Loop(); }) {}
  ~PeriodicTask() { Stop(); }

  void Stop() {
    {
      MutexLock lock(mu_);
      if (stopping_) return;
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Loop() {
    const Stopping stopping = [this] {
      MutexLock lock(mu_);
      return stopping_;
    };
    MutexLock lock(mu_);
    while (!lock.WaitFor(cv_, interval_, [this]() REQUIRES(mu_) { return stopping_; })) {
      lock.Unlock();
      pass_(stopping);
      lock.Lock();
    }
  }

  const std::chrono::milliseconds interval_;
  const Pass pass_;
  Mutex mu_;
  std::condition_variable cv_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;  // last: starts after the members it reads
};

}  // namespace streamstack::app
