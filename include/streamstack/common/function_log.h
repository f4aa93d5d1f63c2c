// What a Lambda function's invocation writes to its CloudWatch log, in AWS's words: the
// platform's START / END / REPORT lines and the timeout line around what the code printed,
// and the sink those events go to. Shared by the runtime (which streams a sandbox's log to
// the sink) and lambda (which answers Invoke's LogType Tail), so the lines are written once.
// Pure functions; FunctionLogSink implementations state their own threading.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace streamstack {

// One CloudWatch Logs event: when it happened and its text. Lambda's events end with '\n'
// (AWS stores what the runtime printed, newline included).
struct LogEvent {
  int64_t timestamp_ms = 0;
  std::string message;
};

// "/aws/lambda/<function name>": the log group Lambda writes a function's logs to.
std::string FunctionLogGroupName(const std::string& function_name);

// "START RequestId: <id> Version: <version>\n"
std::string StartLine(const std::string& request_id, const std::string& version);
// "END RequestId: <id>\n"
std::string EndLine(const std::string& request_id);
// "REPORT RequestId: <id>\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\t
// Max Memory Used: 45 MB\t[Init Duration: 120.00 ms\t]\n": billed whole milliseconds
// (rounded up, at least 1); Init Duration only when `init_duration` is not zero (cold starts).
struct ReportFigures {
  std::chrono::microseconds duration{0};
  int memory_size_mb = 128;
  int max_memory_used_mb = 0;
  std::chrono::microseconds init_duration{0};
};
std::string ReportLine(const std::string& request_id, const ReportFigures& figures);
// "<ISO time> <id> Task timed out after 3.00 seconds" (no newline): the timeout's log line
// and the errorMessage of its error document.
std::string TaskTimedOutText(int64_t now_ms, const std::string& request_id, int timeout_seconds);

// Where a function's log events go (CloudWatch Logs). Append must not block: it queues.
// Events of one (group, stream) arrive in the order they were appended.
class FunctionLogSink {
 public:
  virtual ~FunctionLogSink() = default;
  // Creates the group and the stream when missing, as Lambda does on a function's first log.
  virtual void Append(const std::string& log_group, const std::string& log_stream,
                      std::vector<LogEvent> events) = 0;
};

}  // namespace streamstack
