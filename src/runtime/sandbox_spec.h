// runtime (private): how one sandbox of a function is started: its command for the
// function's runtime and the environment AWS's managed runtimes set. Pure; any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "runtime/process.h"
#include "streamstack/common/invoker.h"
#include "streamstack/common/status.h"
#include "streamstack/runtime/local_runtime.h"

namespace streamstack::runtime {

// Which runtime client a runtime identifier needs.
enum class RuntimeFamily { kNode, kPython, kProvided, kMapped, kUnsupported };
RuntimeFamily FamilyOf(const std::string& runtime, const LocalRuntimeOptions& options);

struct SandboxPaths {
  std::filesystem::path code;      // the unpacked zip: LAMBDA_TASK_ROOT and the cwd
  std::filesystem::path runtimes;  // where runtime.js and runtime.py are written
  // The function's layers, unpacked, in its order: what AWS merges into /opt (a later layer
  // wins, so it is searched first).
  std::vector<std::filesystem::path> layers = {};
};

// AWS's per-sandbox log stream name: YYYY/MM/DD/[$LATEST]<32 hex digits>.
std::string NewLogStreamName(int64_t now_ms, const std::string& version);

// The process of one sandbox: command, environment (the function's Variables, then AWS's
// reserved ones, which win, as on AWS) and working directory. kInvalidRuntime when the
// runtime is neither one StreamStack runs nor mapped to a command.
Result<ProcessSpec> BuildSandboxSpec(const FunctionTarget& function, const SandboxPaths& paths,
                                     const LocalRuntimeOptions& options, uint16_t api_port,
                                     const std::string& log_stream_name);

// The Invoke error for a runtime whose program is not on this machine: names what to
// install, the --runtime-command flag, and the HTTP alternative.
std::string MissingRuntimeMessage(const FunctionTarget& function, const std::string& why);

}  // namespace streamstack::runtime
