#include "esm/mapping_settings.h"

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <utility>

namespace streamstack::esm {
namespace {

constexpr const char* kMetricNames[] = {
    "streamstack_esm_iterator_age_milliseconds", "streamstack_esm_records_polled_total",
    "streamstack_esm_records_filtered_total",    "streamstack_esm_records_invoked_total",
    "streamstack_esm_invocations_total",         "streamstack_esm_records_failed_total",
    "streamstack_esm_records_dropped_total",     "streamstack_esm_records_on_failure_total"};

std::string Quote(const std::string& s) { return nlohmann::json(s).dump(); }

}  // namespace

std::shared_ptr<const Settings> MakeSettings(MappingConfig config, const EngineOptions& options,
                                             const RecordSource& source) {
  auto settings = std::make_shared<Settings>();
  auto filters = FilterSet::Parse(config.filter_patterns);
  if (filters.ok()) {
    settings->filters = std::move(filters).value();
  } else {
    // The API validated them; a pattern this build cannot parse keeps every record.
    spdlog::error("esm {}: filter criteria not understood ({}); delivering every record",
                  config.uuid, filters.status().message());
  }
  settings->quoted_source_arn = Quote(config.event_source_arn);
  settings->response.report_batch_item_failures = config.report_batch_item_failures;
  settings->response.tumbling_window = config.tumbling_window_in_seconds > 0;
  settings->response.parse_position = [src = &source](std::string_view text) {
    return src->ParsePosition(text);
  };
  settings->retry.maximum_retry_attempts = config.maximum_retry_attempts;
  settings->retry.maximum_record_age_ms =
      config.maximum_record_age_in_seconds < 0
          ? options.record_retention.count()
          : int64_t{config.maximum_record_age_in_seconds} * 1000;
  settings->retry.bisect_batch_on_function_error = config.bisect_batch_on_function_error;
  settings->retry.backoff_base_ms = options.retry_backoff_base.count();
  settings->retry.backoff_max_ms = options.retry_backoff_max.count();
  settings->lanes = static_cast<size_t>(std::clamp(config.parallelization_factor, 1, 10));
  config.batch_size = std::max(1, config.batch_size);
  settings->config = std::move(config);
  return settings;
}

void MappingMetrics::Register(MetricsRegistry& m, const std::string& uuid) {
  MetricLabels labels{{"uuid", uuid}};
  iterator_age = m.GetGauge(kMetricNames[0], labels,
                            "Age in ms of the last record of the last batch, at its end");
  polled = m.GetCounter(kMetricNames[1], labels, "Stream records read");
  filtered = m.GetCounter(kMetricNames[2], labels, "Records matching no filter");
  invoked = m.GetCounter(kMetricNames[3], labels, "Records sent in invocations");
  invocations = m.GetCounter(kMetricNames[4], labels, "Invocations");
  failed = m.GetCounter(kMetricNames[5], labels, "Records of failed invocations");
  dropped = m.GetCounter(kMetricNames[6], labels, "Records discarded");
  on_failure =
      m.GetCounter(kMetricNames[7], labels, "Discarded records described to the destination");
}

void MappingMetrics::Remove(MetricsRegistry& m, const std::string& uuid) {
  for (const char* name : kMetricNames) m.Remove(name, "uuid", uuid);
}

}  // namespace streamstack::esm
