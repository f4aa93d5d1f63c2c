#include "runtime/sandbox_spec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <regex>
#include <string>

namespace streamstack::runtime {
namespace {

FunctionTarget Function(const std::string& runtime) {
  FunctionTarget f;
  f.function_name = "orders";
  f.function_arn = "arn:aws:lambda:eu-west-1:000000000000:function:orders";
  f.runtime = runtime;
  f.handler = "index.handler";
  f.memory_size_mb = 256;
  f.environment = {{"TABLE", "t"}, {"AWS_REGION", "xx-fake-1"}, {"NODE_PATH", "/mine"}};
  return f;
}

LocalRuntimeOptions Options() {
  LocalRuntimeOptions o;
  o.region = "eu-west-1";
  o.endpoint_url = "http://127.0.0.1:4566";
  o.node_path = {"/sdk/node_modules"};
  o.host_environment = {"PATH=/usr/local/bin:/usr/bin:/bin", "SECRET=ours"};
  return o;
}

const SandboxPaths kPaths{"/data/lambda/code/abc", "/data/lambda/runtimes"};

std::map<std::string, std::string> Env(const ProcessSpec& spec) {
  std::map<std::string, std::string> env;
  for (const auto& entry : spec.env) {
    size_t eq = entry.find('=');
    env[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  return env;
}

TEST(SandboxSpecTest, EachRuntimeFamilyItsCommand) {
  struct Case {
    std::string runtime;
    std::vector<std::string> argv;
  } cases[] = {
      {"nodejs20.x", {"node", "/data/lambda/runtimes/node/runtime.js"}},
      {"nodejs18.x", {"node", "/data/lambda/runtimes/node/runtime.js"}},
      {"python3.12", {"python3", "/data/lambda/runtimes/python/runtime.py"}},
      {"python3.9", {"python3", "/data/lambda/runtimes/python/runtime.py"}},
      {"provided", {"/data/lambda/code/abc/bootstrap"}},
      {"provided.al2", {"/data/lambda/code/abc/bootstrap"}},
      {"provided.al2023", {"/data/lambda/code/abc/bootstrap"}},
  };
  for (const auto& c : cases) {
    auto spec = BuildSandboxSpec(Function(c.runtime), kPaths, Options(), 40001, "s");
    ASSERT_TRUE(spec.ok()) << c.runtime;
    EXPECT_EQ(spec->argv, c.argv) << c.runtime;
    EXPECT_EQ(spec->cwd, kPaths.code) << c.runtime;
  }
}

TEST(SandboxSpecTest, MappedAndUnsupportedRuntimes) {
  LocalRuntimeOptions o = Options();
  auto unsupported = BuildSandboxSpec(Function("java21"), kPaths, o, 40001, "s");
  ASSERT_FALSE(unsupported.ok());
  EXPECT_EQ(unsupported.status().code(), AwsError::kInvalidRuntime);
  EXPECT_NE(unsupported.status().message().find("--runtime-command java21="), std::string::npos);
  EXPECT_NE(unsupported.status().message().find("STREAMSTACK_INVOKE_URL"), std::string::npos);

  o.runtime_commands["java21"] = "exec java -cp \"$LAMBDA_TASK_ROOT\" Main";
  o.runtime_commands["nodejs22.x"] = "exec /opt/node22/bin/node \"$LAMBDA_RUNTIME_DIR/runtime.js\"";
  auto java = BuildSandboxSpec(Function("java21"), kPaths, o, 40001, "s");
  ASSERT_TRUE(java.ok());
  EXPECT_EQ(java->argv, (std::vector<std::string>{"/bin/sh", "-c",
                                                  "exec java -cp \"$LAMBDA_TASK_ROOT\" Main"}));
  // A mapping overrides a runtime StreamStack runs itself.
  auto node22 = BuildSandboxSpec(Function("nodejs22.x"), kPaths, o, 40001, "s");
  ASSERT_TRUE(node22.ok());
  EXPECT_EQ(node22->argv.front(), "/bin/sh");
}

TEST(SandboxSpecTest, AwsReservedEnvironmentWinsOverTheFunctions) {
  auto spec = BuildSandboxSpec(Function("nodejs20.x"), kPaths, Options(), 40001,
                               "2026/12/04/[$LATEST]0123456789abcdef0123456789abcdef");
  ASSERT_TRUE(spec.ok());
  auto env = Env(*spec);
  const std::map<std::string, std::string> expected = {
      {"AWS_LAMBDA_RUNTIME_API", "127.0.0.1:40001"},
      {"_HANDLER", "index.handler"},
      {"LAMBDA_TASK_ROOT", "/data/lambda/code/abc"},
      {"LAMBDA_RUNTIME_DIR", "/data/lambda/runtimes/node"},
      {"AWS_EXECUTION_ENV", "AWS_Lambda_nodejs20.x"},
      {"AWS_LAMBDA_FUNCTION_NAME", "orders"},
      {"AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"},
      {"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256"},
      {"AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/orders"},
      {"AWS_LAMBDA_LOG_STREAM_NAME", "2026/12/04/[$LATEST]0123456789abcdef0123456789abcdef"},
      {"AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"},
      {"AWS_REGION", "eu-west-1"},  // reserved: the function's own value loses, as on AWS
      {"AWS_DEFAULT_REGION", "eu-west-1"},
      {"AWS_ENDPOINT_URL", "http://127.0.0.1:4566"},
      {"TZ", ":UTC"},
      {"PATH", "/usr/local/bin:/usr/bin:/bin"},
      {"TABLE", "t"},
      // The SDK first, then the function's code, then what the function set.
      {"NODE_PATH", "/sdk/node_modules:/data/lambda/code/abc:/mine"},
  };
  for (const auto& [k, v] : expected) EXPECT_EQ(env[k], v) << k;
  EXPECT_FALSE(env["AWS_ACCESS_KEY_ID"].empty());
  EXPECT_FALSE(env["AWS_SECRET_ACCESS_KEY"].empty());
  EXPECT_EQ(env.count("SECRET"), 0u) << "nothing of StreamStack's own environment leaks in";
}

TEST(SandboxSpecTest, AFunctionMayPointItsSdkElsewhere) {
  FunctionTarget f = Function("python3.12");
  f.environment["AWS_ENDPOINT_URL"] = "http://elsewhere:1";
  auto spec = BuildSandboxSpec(f, kPaths, Options(), 40001, "s");
  ASSERT_TRUE(spec.ok());
  auto env = Env(*spec);
  EXPECT_EQ(env["AWS_ENDPOINT_URL"], "http://elsewhere:1");
  EXPECT_EQ(env["PYTHONPATH"], "/data/lambda/code/abc");
  EXPECT_EQ(env["NODE_PATH"], "/mine") << "python sandboxes keep the function's own NODE_PATH";
}

TEST(SandboxSpecTest, LogStreamNameAsAwsNamesIt) {
  // 2026-12-04T13:49:24Z
  std::string name = NewLogStreamName(1796392164000, "$LATEST");
  EXPECT_TRUE(std::regex_match(name, std::regex(R"(2026/12/04/\[\$LATEST\][0-9a-f]{32})"))) << name;
  EXPECT_NE(NewLogStreamName(1796392164000, "$LATEST"), name);
}

}  // namespace
}  // namespace streamstack::runtime
