// Config: every setting of the streamstack binary, from flags, STREAMSTACK_<FLAG>
// environment variables and the JSON config file (in that order of precedence), plus the
// config file's `functions` list. Parsed once in main before any thread starts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "streamstack/common/status.h"

namespace streamstack::app {

// A function declared in the config file, so a compose file can start the emulator with
// its functions already defined: {"name": "f", "invoke_url": "http://fn:9000/...", ...}.
struct FunctionDeclaration {
  std::string name;
  std::string invoke_url;
  std::string runtime = "provided.al2023";
  std::string handler = "bootstrap";
  int timeout_seconds = 3;
  int memory_size_mb = 128;
};

struct Config {
  std::string host = "127.0.0.1";
  uint16_t port = 4566;
  std::string data_dir = "./data";
  bool in_memory = false;
  std::string config_file;
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
  int64_t poll_interval_ms = 250;
  int64_t ttl_sweep_interval_ms = 1000;
  // How long tables and indexes stay CREATING, UPDATING or DELETING (0: ACTIVE at once).
  int64_t table_status_delay_ms = 0;
  std::string log_level = "info";
  std::string log_format = "text";
  // Functions that run their own code: sandboxes per function without reserved
  // concurrency, how long an idle sandbox lives, and RUNTIME=COMMAND mappings for runtimes
  // StreamStack does not run itself (or overrides of those it does).
  int function_concurrency = 10;
  int64_t sandbox_idle_timeout_ms = 300000;
  std::vector<std::string> runtime_commands;
  // CloudWatch Logs: the most event bytes kept in all (oldest go first past it), and how
  // often retention and that cap are enforced.
  int64_t logs_max_bytes = int64_t{1} << 30;
  int64_t logs_sweep_interval_ms = 60000;
  std::vector<FunctionDeclaration> functions;
};

// What ParseCommandLine decided: run with `config`, or exit at once with `exit_code`
// after `output` was printed (--help, --version, a bad flag).
struct ParseOutcome {
  Config config;
  std::optional<int> exit_code;
};

// Parses argv, the environment and the config file. Prints help, version or errors itself.
ParseOutcome ParseCommandLine(int argc, const char* const* argv);

// Reads the `functions` list of a JSON config file.
Result<std::vector<FunctionDeclaration>> ReadFunctionDeclarations(const std::string& path);

}  // namespace streamstack::app
