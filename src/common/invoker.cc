#include "streamstack/common/invoker.h"

#include <nlohmann/json.hpp>

#include "streamstack/common/function_log.h"

namespace streamstack {

std::string TimeoutErrorDocument(int64_t now_ms, const std::string& request_id,
                                 int timeout_seconds) {
  return nlohmann::json{{"errorMessage", TaskTimedOutText(now_ms, request_id, timeout_seconds)}}
      .dump();
}

std::string ErrorDocument(const std::string& type, const std::string& message) {
  return nlohmann::json{{"errorMessage", message}, {"errorType", type}}.dump();
}

}  // namespace streamstack
