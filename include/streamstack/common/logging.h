// Logging setup: spdlog, text or JSON lines on stderr. Call SetupLogging once from main
// before other threads start; after that spdlog's loggers are safe from any thread.
#pragma once

#include <string>

#include "streamstack/common/status.h"

namespace streamstack {

enum class LogFormat { kText, kJson };

// level: trace, debug, info, warn, error, critical, off.
Status SetupLogging(const std::string& level, LogFormat format);

// The version string of this build ("0.1.0").
const char* Version();

}  // namespace streamstack
