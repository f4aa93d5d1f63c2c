// Clock: the one source of time for every module, injectable so tests move time instead
// of sleeping (ages, batching windows, tumbling windows, TTL, retention, iterator expiry).
// Implementations are thread-safe: any thread may call Now().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

namespace streamstack {

using SystemTime = std::chrono::system_clock::time_point;
using Millis = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (what AWS stamps on records, ARNs and LastModified).
  virtual SystemTime Now() const = 0;

  int64_t NowMillis() const {
    return std::chrono::duration_cast<Millis>(Now().time_since_epoch()).count();
  }
  double NowEpochSeconds() const { return static_cast<double>(NowMillis()) / 1000.0; }
};

// The real wall clock.
class SystemClock final : public Clock {
 public:
  SystemTime Now() const override { return std::chrono::system_clock::now(); }
};

// Real time plus an offset that tests (or the test-only clock endpoint) can advance.
// Advance() never moves time backwards.
class OffsetClock final : public Clock {
 public:
  explicit OffsetClock(SystemTime start) : fixed_(true), base_ms_(ToMs(start)) {}
  OffsetClock() = default;

  SystemTime Now() const override {
    int64_t ms = offset_ms_.load(std::memory_order_relaxed);
    if (fixed_)
      ms += base_ms_;
    else
      ms += ToMs(std::chrono::system_clock::now());
    return SystemTime(std::chrono::duration_cast<SystemTime::duration>(Millis(ms)));
  }
  void Advance(Millis by) {
    if (by.count() > 0) offset_ms_.fetch_add(by.count(), std::memory_order_relaxed);
  }

 private:
  static int64_t ToMs(SystemTime t) {
    return std::chrono::duration_cast<Millis>(t.time_since_epoch()).count();
  }
  const bool fixed_ = false;  // true: time stands still unless advanced (unit tests)
  const int64_t base_ms_ = 0;
  std::atomic<int64_t> offset_ms_{0};
};

}  // namespace streamstack
