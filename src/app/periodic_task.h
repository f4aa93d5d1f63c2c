// PeriodicTask: background passes of the app's services (stream trimming, TTL sweeps, log
// retention) on a thread of their own. Private to the app module. Constructed and stopped
// on main's thread; `pass` runs on the task's thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>
#include <utility>

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
      std::lock_guard lock(mu_);
      if (stopping_) return;
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Loop() {
    const Stopping stopping = [this] {
      std::lock_guard lock(mu_);
      return stopping_;
    };
    std::unique_lock lock(mu_);
    while (!cv_.wait_for(lock, interval_, [this] { return stopping_; })) {
      lock.unlock();
      pass_(stopping);
      lock.lock();
    }
  }

  const std::chrono::milliseconds interval_;
  const Pass pass_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;     // last: starts after the members it reads
};

}  // namespace streamstack::app
