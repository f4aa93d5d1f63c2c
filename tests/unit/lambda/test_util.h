// Helpers for the lambda unit tests: an in-memory Store, blocking on callback APIs, a fake
// Invoker that answers from a script, a catalog and an observer that record what they see.
#pragma once

#include <gtest/gtest.h>

#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "streamstack/common/invoker.h"
#include "streamstack/lambda/event_source_mapping.h"
#include "streamstack/lambda/function.h"
#include "streamstack/storage/store.h"

namespace streamstack::lambda::test_util {

inline std::unique_ptr<storage::Store> MemoryStore() {
  storage::StoreOptions options;
  options.in_memory = true;
  auto store = storage::Store::Open(options);
  EXPECT_TRUE(store.ok()) << store.status().message();
  return std::move(store).value();
}

// Calls `start(callback)` and waits for the callback's Result<T>.
template <typename T, typename Start>
Result<T> Wait(Start start) {
  auto promise = std::make_shared<std::promise<Result<T>>>();
  auto future = promise->get_future();
  start([promise](Result<T> r) { promise->set_value(std::move(r)); });
  return future.get();
}

// A minimal valid zip archive (an empty one).
inline std::string EmptyZip() {
  std::string zip("PK\x05\x06", 4);
  zip.append(18, '\0');
  return zip;
}

inline CreateFunctionInput NewFunction(const std::string& name, const std::string& url = "") {
  CreateFunctionInput in;
  in.function_name = name;
  in.settings.runtime = "python3.12";
  in.settings.handler = "index.handler";
  in.settings.role = "arn:aws:iam::000000000000:role/r";
  in.code = FunctionCodeInput{EmptyZip(), {}};
  if (!url.empty())
    in.settings.environment = std::map<std::string, std::string>{{kInvokeUrlVariable, url}};
  return in;
}

// Answers every invocation with the next scripted outcome (the last one repeats) and
// records what it was asked to run.
class FakeInvoker final : public Invoker {
 public:
  void Invoke(Invocation invocation, std::function<void(InvokeOutcome)> done) override {
    InvokeOutcome outcome = InvokeOutcome::Success("{}");
    {
      std::lock_guard<std::mutex> lock(mu_);
      invocations_.push_back(invocation);
      if (!script_.empty()) {
        outcome = script_.front();
        if (script_.size() > 1) script_.pop_front();
      }
    }
    done(std::move(outcome));
  }
  void Answer(std::deque<InvokeOutcome> script) {
    std::lock_guard<std::mutex> lock(mu_);
    script_ = std::move(script);
  }
  std::vector<Invocation> invocations() {
    std::lock_guard<std::mutex> lock(mu_);
    return invocations_;
  }

 private:
  std::mutex mu_;
  std::deque<InvokeOutcome> script_;
  std::vector<Invocation> invocations_;
};

inline InvokeOutcome Success(std::string payload) {
  return InvokeOutcome::Success(std::move(payload));
}
inline InvokeOutcome FunctionError(std::string document = R"({"errorMessage":"boom"})") {
  return InvokeOutcome::FunctionError(std::move(document));
}
inline InvokeOutcome ServiceError(AwsError code) {
  return InvokeOutcome::ServiceError(Status(code, "scripted"));
}

class SetCatalog final : public StreamCatalog {
 public:
  bool StreamExists(const std::string& arn) const override {
    return IsDynamoDbStreamArn(arn) && arn.find("missing") == std::string::npos;
  }
};

class RecordingObserver final : public MappingObserver {
 public:
  void OnMappingChanged(const EventSourceMapping& m) override {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(m.uuid + " " + MappingStateName(m.state));
  }
  void OnMappingDeleted(const std::string& uuid) override {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(uuid + " deleted");
  }
  std::vector<std::string> events() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> events_;
};

}  // namespace streamstack::lambda::test_util
