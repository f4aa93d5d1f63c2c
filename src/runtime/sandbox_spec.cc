#include "runtime/sandbox_spec.h"

#include <cstdio>
#include <ctime>
#include <map>

#include "streamstack/common/ids.h"

namespace streamstack::runtime {
namespace {

std::string Join(const std::vector<std::string>& parts, char separator) {
  std::string out;
  for (const auto& p : parts) {
    if (p.empty()) continue;
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

std::string HostVariable(const std::vector<std::string>& host, const std::string& name) {
  const std::string prefix = name + "=";
  for (const auto& entry : host) {
    if (entry.starts_with(prefix)) return entry.substr(prefix.size());
  }
  return "";
}

// What the program of each family needs installed, for the error when it is missing.
const char* InstallHint(RuntimeFamily family) {
  switch (family) {
    case RuntimeFamily::kNode:
      return "install Node.js (Debian: apt-get install nodejs)";
    case RuntimeFamily::kPython:
      return "install Python 3 (Debian: apt-get install python3)";
    default:
      return "install the runtime";
  }
}

}  // namespace

RuntimeFamily FamilyOf(const std::string& runtime, const LocalRuntimeOptions& options) {
  if (options.runtime_commands.count(runtime) != 0) return RuntimeFamily::kMapped;
  if (runtime.starts_with("nodejs")) return RuntimeFamily::kNode;
  if (runtime.starts_with("python3")) return RuntimeFamily::kPython;
  if (runtime == "provided" || runtime.starts_with("provided.")) return RuntimeFamily::kProvided;
  return RuntimeFamily::kUnsupported;
}

std::string NewLogStreamName(int64_t now_ms, const std::string& version) {
  std::time_t seconds = static_cast<std::time_t>(now_ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char date[40];
  std::snprintf(date, sizeof(date), "%04d/%02d/%02d", utc.tm_year + 1900, utc.tm_mon + 1,
                utc.tm_mday);
  return std::string(date) + "/[" + version + "]" + RandomHex(16);
}

Result<ProcessSpec> BuildSandboxSpec(const FunctionTarget& f, const SandboxPaths& paths,
                                     const LocalRuntimeOptions& options, uint16_t api_port,
                                     const std::string& log_stream_name) {
  ProcessSpec spec;
  spec.cwd = paths.code;
  const RuntimeFamily family = FamilyOf(f.runtime, options);
  switch (family) {
    case RuntimeFamily::kNode:
      spec.argv = {"node", (paths.runtimes / "node" / "runtime.js").string()};
      break;
    case RuntimeFamily::kPython:
      // Not -u: the runtime client flushes stdout and stderr at every line itself (so each
      // line reaches the log at once, as on AWS); -u would also send print()'s text and its
      // newline in two writes, which made printing 2.8x slower than to /dev/null.
      spec.argv = {"python3", (paths.runtimes / "python" / "runtime.py").string()};
      break;
    case RuntimeFamily::kProvided:
      spec.argv = {(paths.code / "bootstrap").string()};
      break;
    case RuntimeFamily::kMapped:
      spec.argv = {"/bin/sh", "-c", options.runtime_commands.at(f.runtime)};
      break;
    case RuntimeFamily::kUnsupported:
      return Status(AwsError::kInvalidRuntime,
                    MissingRuntimeMessage(f,
                                          "StreamStack runs nodejs*, python3.* and provided* "
                                          "itself"));
  }

  // The function's own variables first: AWS's reserved ones below replace any of them.
  std::map<std::string, std::string> env(f.environment.begin(), f.environment.end());
  // AWS_ENDPOINT_URL is not reserved on AWS; a function that sets its own keeps it.
  if (!options.endpoint_url.empty()) env.emplace("AWS_ENDPOINT_URL", options.endpoint_url);
  const std::string& host_path = HostVariable(options.host_environment, "PATH");
  const std::string log_group = "/aws/lambda/" + f.function_name;
  std::map<std::string, std::string> reserved = {
      {"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + std::to_string(api_port)},
      {"_HANDLER", f.handler},
      {"LAMBDA_TASK_ROOT", paths.code.string()},
      {"LAMBDA_RUNTIME_DIR",
       (paths.runtimes / (family == RuntimeFamily::kPython ? "python" : "node")).string()},
      {"AWS_EXECUTION_ENV", "AWS_Lambda_" + f.runtime},
      {"AWS_LAMBDA_FUNCTION_NAME", f.function_name},
      {"AWS_LAMBDA_FUNCTION_VERSION", f.version},
      {"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", std::to_string(f.memory_size_mb)},
      {"AWS_LAMBDA_LOG_GROUP_NAME", log_group},
      {"AWS_LAMBDA_LOG_STREAM_NAME", log_stream_name},
      {"AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"},
      {"AWS_REGION", options.region},
      {"AWS_DEFAULT_REGION", options.region},
      // Any key works against StreamStack; the SDK in the function only needs some.
      {"AWS_ACCESS_KEY_ID", "test"},
      {"AWS_SECRET_ACCESS_KEY", "test"},
      {"AWS_SESSION_TOKEN", "test"},
      {"TZ", ":UTC"},
      {"LANG", "en_US.UTF-8"},
      {"PATH", Join({host_path.empty() ? "/usr/local/bin:/usr/bin:/bin" : host_path}, ':')},
  };
  // Module search paths as AWS's runtimes set them: the function's own directory, then
  // what the runtime provides (the SDK), then what the function set.
  // Layers as AWS's runtimes find them in /opt: nodejs/node<major>/node_modules and
  // nodejs/node_modules, python/lib/python3.N/site-packages and python, bin, lib.
  std::vector<std::string> layer_node;
  std::vector<std::string> layer_python;
  std::vector<std::string> layer_bin;
  std::vector<std::string> layer_lib;
  for (auto it = paths.layers.rbegin(); it != paths.layers.rend(); ++it) {
    const std::filesystem::path& layer = *it;
    std::string major = f.runtime.starts_with("nodejs") ? f.runtime.substr(6) : "";
    if (auto dot = major.find('.'); dot != std::string::npos) major = major.substr(0, dot);
    if (!major.empty())
      layer_node.push_back((layer / "nodejs" / ("node" + major) / "node_modules").string());
    layer_node.push_back((layer / "nodejs" / "node_modules").string());
    if (f.runtime.starts_with("python")) {
      layer_python.push_back((layer / "python" / "lib" / f.runtime / "site-packages").string());
    }
    layer_python.push_back((layer / "python").string());
    layer_bin.push_back((layer / "bin").string());
    layer_lib.push_back((layer / "lib").string());
  }
  if (!layer_bin.empty()) {
    layer_bin.push_back(reserved["PATH"]);
    reserved["PATH"] = Join(layer_bin, ':');
    std::string host_lib = HostVariable(options.host_environment, "LD_LIBRARY_PATH");
    if (!host_lib.empty()) layer_lib.push_back(host_lib);
    reserved["LD_LIBRARY_PATH"] = Join(layer_lib, ':');
  }
  if (family == RuntimeFamily::kNode || family == RuntimeFamily::kMapped) {
    std::vector<std::string> node_path = layer_node;
    node_path.insert(node_path.end(), options.node_path.begin(), options.node_path.end());
    node_path.push_back(paths.code.string());
    if (auto own = f.environment.find("NODE_PATH"); own != f.environment.end()) {
      node_path.push_back(own->second);
    }
    reserved["NODE_PATH"] = Join(node_path, ':');
  }
  if (family == RuntimeFamily::kPython || family == RuntimeFamily::kMapped) {
    std::vector<std::string> python_path = {paths.code.string()};
    python_path.insert(python_path.end(), layer_python.begin(), layer_python.end());
    python_path.insert(python_path.end(), options.python_path.begin(), options.python_path.end());
    if (auto own = f.environment.find("PYTHONPATH"); own != f.environment.end()) {
      python_path.push_back(own->second);
    }
    reserved["PYTHONPATH"] = Join(python_path, ':');
  }
  for (auto& [k, v] : reserved) env[k] = std::move(v);
  // HOME is not set by AWS, but many tools (npm, pip caches) need one.
  env.emplace("HOME", "/tmp");
  for (const auto& [k, v] : env) spec.env.push_back(k + "=" + v);
  return spec;
}

std::string MissingRuntimeMessage(const FunctionTarget& f, const std::string& why) {
  RuntimeFamily family = FamilyOf(f.runtime, LocalRuntimeOptions{});
  std::string install =
      family == RuntimeFamily::kUnsupported
          ? std::string("map it to a local command with --runtime-command ") + f.runtime + "='...'"
          : std::string(InstallHint(family)) + " or map it to a command with --runtime-command " +
                f.runtime + "='...'";
  return "The runtime " + f.runtime + " of function " + f.function_name + " cannot run here (" +
         why + "): " + install +
         ", or run the function behind HTTP by setting its STREAMSTACK_INVOKE_URL variable";
}

}  // namespace streamstack::runtime
