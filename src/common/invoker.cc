#include "streamstack/common/invoker.h"

#include <nlohmann/json.hpp>

#include <cstdio>

#include "streamstack/common/ids.h"

namespace streamstack {

std::string TimeoutErrorDocument(int64_t now_ms, const std::string& request_id,
                                 int timeout_seconds) {
  char seconds[32];
  std::snprintf(seconds, sizeof(seconds), "%.2f", static_cast<double>(timeout_seconds));
  return nlohmann::json{{"errorMessage", FormatIso8601Millis(now_ms) + " " + request_id +
                                             " Task timed out after " + seconds + " seconds"}}
      .dump();
}

std::string ErrorDocument(const std::string& type, const std::string& message) {
  return nlohmann::json{{"errorMessage", message}, {"errorType", type}}.dump();
}

}  // namespace streamstack
