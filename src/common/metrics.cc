#include "streamstack/common/metrics.h"

#include <cstdio>

namespace streamstack {
namespace {

std::string EscapeLabelValue(const std::string& v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out.push_back(c);
  }
  return out;
}

std::string RenderLabels(const MetricLabels& labels) {
  std::string out;
  for (const auto& [k, v] : labels) {
    if (!out.empty()) out.push_back(',');
    out += k + "=\"" + EscapeLabelValue(v) + "\"";
  }
  return out;
}

std::string WithLe(const std::string& labels, const std::string& le) {
  return "{" + labels + (labels.empty() ? "" : ",") + "le=\"" + le + "\"}";
}

std::string FormatDouble(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

}  // namespace

void Histogram::Observe(double seconds) {
  for (size_t i = 0; i < kBounds.size(); ++i) {
    if (seconds <= kBounds[i]) {
      buckets_[i].fetch_add(1, std::memory_order_relaxed);
      break;
    }
  }
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_ns_.fetch_add(static_cast<uint64_t>(seconds * 1e9), std::memory_order_relaxed);
}

uint64_t Histogram::CumulativeBucket(size_t i) const {
  uint64_t total = 0;
  for (size_t j = 0; j <= i && j < kBounds.size(); ++j) {
    total += buckets_[j].load(std::memory_order_relaxed);
  }
  return total;
}

MetricsRegistry::Family& MetricsRegistry::FamilyFor(const std::string& name, const char* type,
                                                    const std::string& help) {
  Family& f = families_[name];
  if (f.type.empty()) f.type = type;
  if (f.help.empty()) f.help = help;
  return f;
}

Counter* MetricsRegistry::GetCounter(const std::string& name, const MetricLabels& labels,
                                     const std::string& help) {
  MutexLock lock(mu_);
  auto& slot = FamilyFor(name, "counter", help).counters[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return slot.get();
}

Gauge* MetricsRegistry::GetGauge(const std::string& name, const MetricLabels& labels,
                                 const std::string& help) {
  MutexLock lock(mu_);
  auto& slot = FamilyFor(name, "gauge", help).gauges[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Gauge>();
  return slot.get();
}

Histogram* MetricsRegistry::GetHistogram(const std::string& name, const MetricLabels& labels,
                                         const std::string& help) {
  MutexLock lock(mu_);
  auto& slot = FamilyFor(name, "histogram", help).histograms[RenderLabels(labels)];
  if (!slot) slot = std::make_unique<Histogram>();
  return slot.get();
}

void MetricsRegistry::Remove(const std::string& name, const std::string& label,
                             const std::string& value) {
  MutexLock lock(mu_);
  auto it = families_.find(name);
  if (it == families_.end()) return;
  std::string needle = label + "=\"" + EscapeLabelValue(value) + "\"";
  auto erase = [&](auto& series) {
    for (auto s = series.begin(); s != series.end();) {
      s = s->first.find(needle) != std::string::npos ? series.erase(s) : std::next(s);
    }
  };
  erase(it->second.counters);
  erase(it->second.gauges);
  erase(it->second.histograms);
}

std::string MetricsRegistry::RenderPrometheus() const {
  MutexLock lock(mu_);
  std::string out;
  for (const auto& [name, f] : families_) {
    if (!f.help.empty()) out += "# HELP " + name + " " + f.help + "\n";
    out += "# TYPE " + name + " " + f.type + "\n";
    auto braces = [](const std::string& l) { return l.empty() ? l : "{" + l + "}"; };
    for (const auto& [labels, c] : f.counters) {
      out += name + braces(labels) + " " + std::to_string(c->value()) + "\n";
    }
    for (const auto& [labels, g] : f.gauges) {
      out += name + braces(labels) + " " + std::to_string(g->value()) + "\n";
    }
    for (const auto& [labels, h] : f.histograms) {
      for (size_t i = 0; i < Histogram::kBounds.size(); ++i) {
        out += name + "_bucket" + WithLe(labels, FormatDouble(Histogram::kBounds[i])) + " " +
               std::to_string(h->CumulativeBucket(i)) + "\n";
      }
      out += name + "_bucket" + WithLe(labels, "+Inf") + " " + std::to_string(h->count()) + "\n";
      out += name + "_sum" + braces(labels) + " " + FormatDouble(h->sum()) + "\n";
      out += name + "_count" + braces(labels) + " " + std::to_string(h->count()) + "\n";
    }
  }
  return out;
}

}  // namespace streamstack
