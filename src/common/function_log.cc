#include "streamstack/common/function_log.h"

#include <algorithm>
#include <cstdio>

#include "streamstack/common/ids.h"

namespace streamstack {
namespace {

std::string Milliseconds(std::chrono::microseconds d) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.2f", static_cast<double>(d.count()) / 1000.0);
  return text;
}

}  // namespace

std::string FunctionLogGroupName(const std::string& function_name) {
  return "/aws/lambda/" + function_name;
}

std::string StartLine(const std::string& request_id, const std::string& version) {
  return "START RequestId: " + request_id + " Version: " + version + "\n";
}

std::string EndLine(const std::string& request_id) { return "END RequestId: " + request_id + "\n"; }

std::string ReportLine(const std::string& request_id, const ReportFigures& f) {
  // AWS bills whole milliseconds, rounded up.
  int64_t billed = std::max<int64_t>((f.duration.count() + 999) / 1000, 1);
  std::string line = "REPORT RequestId: " + request_id + "\tDuration: " + Milliseconds(f.duration) +
                     " ms\tBilled Duration: " + std::to_string(billed) +
                     " ms\tMemory Size: " + std::to_string(f.memory_size_mb) +
                     " MB\tMax Memory Used: " + std::to_string(f.max_memory_used_mb) + " MB\t";
  if (f.init_duration.count() > 0) {
    line += "Init Duration: " + Milliseconds(f.init_duration) + " ms\t";
  }
  line += "\n";
  return line;
}

std::string TaskTimedOutText(int64_t now_ms, const std::string& request_id, int timeout_seconds) {
  char seconds[32];
  std::snprintf(seconds, sizeof(seconds), "%.2f", static_cast<double>(timeout_seconds));
  return FormatIso8601Millis(now_ms) + " " + request_id + " Task timed out after " + seconds +
         " seconds";
}

}  // namespace streamstack
