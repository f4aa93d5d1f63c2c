#include "streamstack/app/config.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "streamstack/common/logging.h"

namespace streamstack::app {
namespace {

// CLI11 reads INI/TOML; our documented config file is JSON with the flags' names as keys
// ("port", "data-dir" or "data_dir", ...). Non-flag keys (functions) are read elsewhere.
class JsonConfigFormat final : public CLI::Config {
 public:
  static bool EnvironmentSets(const std::string& flag_name) {
    std::string var = "STREAMSTACK_";
    for (char c : flag_name) {
      var += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return std::getenv(var.c_str()) != nullptr;
  }

  std::string to_config(const CLI::App*, bool, bool, std::string) const override { return {}; }

  std::vector<CLI::ConfigItem> from_config(std::istream& input) const override {
    nlohmann::json doc = nlohmann::json::parse(input, nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_object()) {
      throw CLI::ConversionError("the config file is not a JSON object");
    }
    std::vector<CLI::ConfigItem> config_items;
    for (const auto& [key, value] : doc.items()) {
      if (key == "functions" || key.starts_with("$") || key.starts_with("_")) continue;
      CLI::ConfigItem item;
      item.name = key;
      for (char& c : item.name) {
        if (c == '_') c = '-';
      }
      if (value.is_string()) {
        item.inputs = {value.get<std::string>()};
      } else if (value.is_boolean()) {
        item.inputs = {value.get<bool>() ? "true" : "false"};
      } else if (value.is_number()) {
        item.inputs = {value.dump()};
      } else if (value.is_array() &&
                 std::all_of(value.begin(), value.end(),
                             [](const nlohmann::json& v) { return v.is_string(); })) {
        for (const auto& v : value)
          item.inputs.push_back(v.get<std::string>());  // repeatable flags
      } else {
        throw CLI::ConversionError("config key '" + key +
                                   "' must be a string, number, bool or list of strings");
      }
      // CLI11 applies the config file before the environment, and an option already set
      // ignores its variable; our documented order is flag > environment > file, so a key
      // whose STREAMSTACK_<FLAG> is set is left to the environment.
      if (EnvironmentSets(item.name)) continue;
      config_items.push_back(std::move(item));
    }
    return config_items;
  }
};

}  // namespace

Result<std::vector<FunctionDeclaration>> ReadFunctionDeclarations(const std::string& path) {
  std::ifstream in(path);
  if (!in) return ValidationError("cannot read config file " + path);
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return ValidationError("config file " + path + " is not a JSON object");
  }
  std::vector<FunctionDeclaration> out;
  if (!doc.contains("functions")) return out;
  if (!doc["functions"].is_array()) return ValidationError("config key 'functions' must be a list");
  for (const auto& f : doc["functions"]) {
    if (!f.is_object() || !f.contains("name") || !f["name"].is_string()) {
      return ValidationError("each entry of 'functions' needs a string 'name'");
    }
    FunctionDeclaration decl;
    decl.name = f["name"].get<std::string>();
    auto str = [&](const char* key, std::string* dst) {
      if (f.contains(key) && f[key].is_string()) *dst = f[key].get<std::string>();
    };
    auto num = [&](const char* key, int* dst) {
      if (f.contains(key) && f[key].is_number_integer()) *dst = f[key].get<int>();
    };
    str("invoke_url", &decl.invoke_url);
    str("invoke-url", &decl.invoke_url);
    str("runtime", &decl.runtime);
    str("handler", &decl.handler);
    num("timeout", &decl.timeout_seconds);
    num("memory_size", &decl.memory_size_mb);
    if (decl.invoke_url.empty()) {
      return ValidationError("function '" + decl.name + "' in the config file needs an invoke_url");
    }
    out.push_back(std::move(decl));
  }
  return out;
}

ParseOutcome ParseCommandLine(int argc, const char* const* argv) {
  ParseOutcome outcome;
  Config& c = outcome.config;
  CLI::App cli{
      "StreamStack: a local DynamoDB, DynamoDB Streams and Lambda event source "
      "mapping emulator.",
      "streamstack"};
  cli.config_formatter(std::make_shared<JsonConfigFormat>());
  cli.allow_config_extras(CLI::config_extras_mode::ignore);
  cli.set_version_flag("--version", std::string("streamstack ") + Version());

  auto env = [](const char* name) { return std::string("STREAMSTACK_") + name; };
  cli.set_config("--config", "", "JSON config file; keys are the flags' names")
      ->envname(env("CONFIG"));
  cli.add_option("--host", c.host, "Address to listen on")
      ->envname(env("HOST"))
      ->capture_default_str();
  cli.add_option("--port", c.port, "Port to listen on (all services share it)")
      ->envname(env("PORT"))
      ->capture_default_str();
  cli.add_option("--data-dir", c.data_dir, "Directory of the SQLite files")
      ->envname(env("DATA_DIR"))
      ->capture_default_str();
  cli.add_flag("--in-memory", c.in_memory, "Keep everything in memory; nothing on disk")
      ->envname(env("IN_MEMORY"));
  cli.add_option("--region", c.region, "Region used when a request carries none")
      ->envname(env("REGION"))
      ->capture_default_str();
  cli.add_option("--account-id", c.account_id, "Account id in every ARN")
      ->envname(env("ACCOUNT_ID"))
      ->capture_default_str()
      ->check([](const std::string& v) {
        bool ok = v.size() == 12 && v.find_first_not_of("0123456789") == std::string::npos;
        return ok ? std::string() : std::string("must be 12 digits");
      });
  cli.add_option("--poll-interval-ms", c.poll_interval_ms,
                 "How often each mapping polls each shard (250 = AWS's 4 Hz; 0 = a write "
                 "wakes its shard's pollers at once)")
      ->envname(env("POLL_INTERVAL_MS"))
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cli.add_option("--ttl-sweep-interval-ms", c.ttl_sweep_interval_ms,
                 "How often expired TTL items are deleted")
      ->envname(env("TTL_SWEEP_INTERVAL_MS"))
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cli.add_option("--table-status-delay-ms", c.table_status_delay_ms,
                 "How long tables and indexes stay CREATING, UPDATING or DELETING, as on AWS, "
                 "for programs that test their waiters (0 = ACTIVE at once)")
      ->envname(env("TABLE_STATUS_DELAY_MS"))
      ->capture_default_str()
      ->check(CLI::Range(int64_t{0}, int64_t{3600000}));
  cli.add_option("--log-level", c.log_level, "trace, debug, info, warn, error, critical, off")
      ->envname(env("LOG_LEVEL"))
      ->capture_default_str()
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  cli.add_option("--log-format", c.log_format, "text or json")
      ->envname(env("LOG_FORMAT"))
      ->capture_default_str()
      ->check(CLI::IsMember({"text", "json"}));
  cli.add_option("--function-concurrency", c.function_concurrency,
                 "Sandboxes at once per function that runs its own code and has no reserved "
                 "concurrency; more concurrent invocations are throttled")
      ->envname(env("FUNCTION_CONCURRENCY"))
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  cli.add_option("--sandbox-idle-timeout-ms", c.sandbox_idle_timeout_ms,
                 "How long an idle function sandbox is kept warm")
      ->envname(env("SANDBOX_IDLE_TIMEOUT_MS"))
      ->capture_default_str()
      ->check(CLI::Range(int64_t{100}, int64_t{900000}));
  cli.add_option("--logs-max-bytes", c.logs_max_bytes,
                 "CloudWatch Logs keeps at most this many bytes of log events in all; past it "
                 "the oldest events are deleted (0: no cap)")
      ->envname(env("LOGS_MAX_BYTES"))
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cli.add_option("--logs-sweep-interval-ms", c.logs_sweep_interval_ms,
                 "How often log groups' retention and --logs-max-bytes are enforced")
      ->envname(env("LOGS_SWEEP_INTERVAL_MS"))
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cli.add_option("--runtime-command", c.runtime_commands,
                 "RUNTIME=COMMAND: run functions of RUNTIME (e.g. java21) with COMMAND "
                 "(/bin/sh -c, in the sandbox's environment: $_HANDLER, $LAMBDA_TASK_ROOT, "
                 "$AWS_LAMBDA_RUNTIME_API); repeatable")
      ->envname(env("RUNTIME_COMMAND"))
      ->check([](const std::string& v) {
        size_t eq = v.find('=');
        return eq == std::string::npos || eq == 0 || eq + 1 == v.size()
                   ? std::string("must be RUNTIME=COMMAND")
                   : std::string();
      });

  // CLI11 does not read a config file named only by the environment, so STREAMSTACK_CONFIG
  // becomes a --config argument when the command line names none.
  std::vector<std::string> args(argv + 1, argv + argc);
  const char* config_from_env = std::getenv("STREAMSTACK_CONFIG");
  bool config_flag_given = false;
  for (const auto& arg : args) {
    if (arg == "--config" || arg.starts_with("--config=")) config_flag_given = true;
  }
  if (config_from_env != nullptr && *config_from_env != '\0' && !config_flag_given) {
    args.push_back("--config");
    args.push_back(config_from_env);
  }
  std::reverse(args.begin(), args.end());  // CLI11's vector form consumes from the back
  try {
    cli.parse(std::move(args));
  } catch (const CLI::ParseError& e) {
    // CLI11 prints the reason; --help and --version exit 0, and every bad command line or
    // config file exits 2 (CLI11's own codes, 103-113, mean nothing to a user's script).
    outcome.exit_code = cli.exit(e) == 0 ? 0 : 2;
    return outcome;
  }

  if (auto* opt = cli.get_config_ptr(); opt != nullptr && opt->count() > 0) {
    c.config_file = opt->as<std::string>();
  }
  if (!c.config_file.empty()) {
    auto functions = ReadFunctionDeclarations(c.config_file);
    if (!functions.ok()) {
      std::cerr << "streamstack: " << functions.status().message() << "\n";
      outcome.exit_code = 2;
      return outcome;
    }
    c.functions = std::move(functions).value();
  }
  return outcome;
}

}  // namespace streamstack::app
