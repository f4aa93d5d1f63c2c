// Metrics: counters and latency histograms rendered as Prometheus text for GET /metrics.
// Registration takes a lock and returns a pointer that stays valid for the registry's
// life; hot paths keep that pointer and only touch atomics. Any thread may call anything.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "streamstack/common/thread_annotations.h"

namespace streamstack {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Add(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

// A gauge holds the last value set (IteratorAge in milliseconds, for instance).
class Gauge {
 public:
  void Set(int64_t v) { value_.store(v, std::memory_order_relaxed); }
  int64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// Latency histogram with fixed buckets in seconds (100 us .. 10 s).
class Histogram {
 public:
  static constexpr std::array<double, 12> kBounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                                     0.01,   0.025,   0.1,    0.5,   1.0,    10.0};
  void Observe(double seconds);
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  // Cumulative count of observations <= kBounds[i].
  uint64_t CumulativeBucket(size_t i) const;
  double sum() const { return static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9; }

 private:
  std::array<std::atomic<uint64_t>, kBounds.size()> buckets_{};
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_ns_{0};
};

class MetricsRegistry {
 public:
  Counter* GetCounter(const std::string& name, const MetricLabels& labels,
                      const std::string& help = "");
  Gauge* GetGauge(const std::string& name, const MetricLabels& labels,
                  const std::string& help = "");
  Histogram* GetHistogram(const std::string& name, const MetricLabels& labels,
                          const std::string& help = "");
  // Drops every series of `name` whose labels include `label`=`value` (a deleted mapping).
  void Remove(const std::string& name, const std::string& label, const std::string& value);

  // Prometheus text exposition format 0.0.4.
  std::string RenderPrometheus() const;

 private:
  struct Family {
    std::string type;  // counter, gauge, histogram
    std::string help;
    std::map<std::string, std::unique_ptr<Counter>> counters;  // keyed by rendered labels
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
  };
  Family& FamilyFor(const std::string& name, const char* type, const std::string& help)
      REQUIRES(mu_);

  mutable Mutex mu_;
  std::map<std::string, Family> families_ GUARDED_BY(mu_);
};

}  // namespace streamstack
