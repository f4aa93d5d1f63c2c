// esm (private): a mapping's configuration with what the engine derives from it once per
// change (filters parsed, retry and response rules, lanes), and the metrics each mapping
// reports. Immutable once built; any thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "esm/response.h"
#include "esm/retry_policy.h"
#include "streamstack/common/metrics.h"
#include "streamstack/esm/engine.h"
#include "streamstack/esm/filter.h"
#include "streamstack/esm/record_source.h"

namespace streamstack::esm {

struct Settings {
  MappingConfig config;
  FilterSet filters;
  std::string quoted_source_arn;  // eventSourceARN as a JSON string literal (window events)
  ResponseRules response;  // ReportBatchItemFailures, tumbling windows, the source's positions
  RetryRules retry;        // MaximumRetryAttempts, the record age limit, bisect, back-off
  size_t lanes = 1;        // ParallelizationFactor, 1..10

  // Whether the lanes built for `other` serve these settings (else they are rebuilt and
  // what was read but not done is read again).
  bool SameLayout(const Settings& other) const {
    return lanes == other.lanes && config.filter_patterns == other.config.filter_patterns &&
           config.tumbling_window_in_seconds == other.config.tumbling_window_in_seconds &&
           config.function_arn == other.config.function_arn;
  }
};

// The settings of `config` under the engine's `options`; positions in batchItemFailures
// are parsed by `source` (which must outlive the settings). A filter pattern this build
// cannot parse is logged and keeps every record (the API validated them).
std::shared_ptr<const Settings> MakeSettings(MappingConfig config, const EngineOptions& options,
                                             const RecordSource& source);

// A mapping's metrics, labelled by its UUID. The pointers stay valid for the registry's life.
struct MappingMetrics {
  Gauge* iterator_age = nullptr;
  Counter* polled = nullptr;
  Counter* filtered = nullptr;
  Counter* invoked = nullptr;
  Counter* invocations = nullptr;
  Counter* failed = nullptr;
  Counter* dropped = nullptr;
  Counter* on_failure = nullptr;

  void Register(MetricsRegistry& registry, const std::string& uuid);
  // A deleted mapping's series go.
  static void Remove(MetricsRegistry& registry, const std::string& uuid);
};

}  // namespace streamstack::esm
