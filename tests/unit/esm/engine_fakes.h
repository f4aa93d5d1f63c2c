// Fakes of everything the delivery engine talks to besides its RecordSource
// (fake_record_source.h): an Invoker with scripted outcomes that can hold invocations, a
// CheckpointStore, a Destination and a FunctionDirectory, all in memory. Each records what
// the engine asked of it and pokes one Events object, on which a test waits (bounded) for
// the engine's asynchronous work instead of sleeping.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "streamstack/common/clock.h"
#include "streamstack/common/destination.h"
#include "streamstack/common/invoker.h"
#include "streamstack/esm/engine.h"

namespace streamstack::esm::testing {

// Something happened in a fake. Waits re-check their condition on each event.
class Events {
 public:
  void Notify() {
    { std::lock_guard lock(mu_); }
    cv_.notify_all();
  }
  // True once `done()` holds; false after `timeout` (a test failure: the engine stalled).
  // Looks again on every event, and every millisecond for what no fake reports (the
  // engine's own state).
  bool WaitUntil(const std::function<bool()>& done,
                 std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::unique_lock lock(mu_);
    while (!done()) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      cv_.wait_for(lock, std::chrono::milliseconds(1));
    }
    return true;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
};

// One invocation the engine made: the event as JSON, and the Clock's time when it was made.
struct Call {
  nlohmann::json event;
  std::string function_arn;
  std::string request_id;
  int64_t at_ms = 0;

  // The "n" member of each record of the event (the tests number their records so).
  std::vector<int> Ns() const {
    std::vector<int> out;
    for (const auto& r : event["Records"]) out.push_back(r["n"].get<int>());
    return out;
  }
};

class FakeInvoker final : public Invoker {
 public:
  // What an invocation answers: the n-th call (1-based) and its event.
  using Script = std::function<InvokeOutcome(const nlohmann::json& event, int n)>;

  FakeInvoker(Events& events, const Clock& clock) : events_(events), clock_(clock) {}

  void SetScript(Script script) {
    std::lock_guard lock(mu_);
    script_ = std::move(script);
  }
  // While held, invocations wait for Release(); the engine sees them in flight.
  void Hold(bool hold) {
    std::lock_guard lock(mu_);
    hold_ = hold;
  }
  // Answers every held invocation (with the script), oldest first.
  void Release() {
    std::deque<Pending> pending;
    {
      std::lock_guard lock(mu_);
      pending.swap(pending_);
    }
    for (auto& p : pending) p.done(Answer(p.event, p.n));
  }

  void Invoke(Invocation invocation, std::function<void(InvokeOutcome)> done) override {
    Call call;
    call.event = nlohmann::json::parse(invocation.payload);
    call.function_arn = invocation.function.function_arn;
    call.request_id = invocation.request_id;
    call.at_ms = clock_.NowMillis();
    int n = 0;
    bool hold = false;
    {
      std::lock_guard lock(mu_);
      calls_.push_back(call);
      n = static_cast<int>(calls_.size());
      hold = hold_;
      if (hold) {
        pending_.push_back({call.event, n, done});
        ++heard_;
      }
    }
    // Answered before the test hears of the call (count() counts it only then): once it has,
    // the answer is on its way to the mapping's strand (a TEST_Barrier then waits for it).
    // Counting it at push_back let a test that polls count() move the Clock before the answer
    // was posted, and the retry then waited for the real back-off (seen under TSan).
    if (!hold) {
      done(Answer(call.event, n));
      std::lock_guard lock(mu_);
      ++heard_;
    }
    events_.Notify();
  }

  std::vector<Call> calls() const {
    std::lock_guard lock(mu_);
    return calls_;
  }
  // The invocations the test may know of: answered, or held.
  size_t count() const {
    std::lock_guard lock(mu_);
    return heard_;
  }
  size_t held() const {
    std::lock_guard lock(mu_);
    return pending_.size();
  }
  // Every record's n, in the order of the invocations (records of every call, retries too).
  std::vector<int> InvokedNs() const {
    std::vector<int> out;
    for (const Call& c : calls()) {
      for (int n : c.Ns()) out.push_back(n);
    }
    return out;
  }

 private:
  struct Pending {
    nlohmann::json event;
    int n;
    std::function<void(InvokeOutcome)> done;
  };

  InvokeOutcome Answer(const nlohmann::json& event, int n) {
    Script script;
    {
      std::lock_guard lock(mu_);
      script = script_;
    }
    return script ? script(event, n) : InvokeOutcome::Success("");
  }

  Events& events_;
  const Clock& clock_;
  mutable std::mutex mu_;
  Script script_;
  bool hold_ = false;
  std::vector<Call> calls_;
  size_t heard_ = 0;
  std::deque<Pending> pending_;
};

class FakeCheckpoints final : public CheckpointStore {
 public:
  explicit FakeCheckpoints(Events& events) : events_(events) {}

  void Preload(const std::string& uuid, const std::string& shard_id, const std::string& position) {
    std::lock_guard lock(mu_);
    saved_[uuid][shard_id] = position;
  }

  Result<std::map<std::string, std::string>> Load(const std::string& uuid) const override {
    std::lock_guard lock(mu_);
    auto it = saved_.find(uuid);
    if (it == saved_.end()) return std::map<std::string, std::string>{};
    return it->second;
  }
  void Save(const std::string& uuid, const std::string& shard_id, const std::string& position,
            std::function<void(Status)> done) override {
    {
      std::lock_guard lock(mu_);
      saved_[uuid][shard_id] = position;
      ++saves_;
    }
    done(Status::Ok());
    events_.Notify();
  }
  void SetLastProcessingResult(const std::string& uuid, const std::string& result) override {
    {
      std::lock_guard lock(mu_);
      results_[uuid] = result;
    }
    events_.Notify();
  }

  // The checkpoint of a shard ("" when none).
  std::string Get(const std::string& uuid, const std::string& shard_id) const {
    std::lock_guard lock(mu_);
    auto it = saved_.find(uuid);
    if (it == saved_.end()) return "";
    auto s = it->second.find(shard_id);
    return s == it->second.end() ? "" : s->second;
  }
  std::string LastResult(const std::string& uuid) const {
    std::lock_guard lock(mu_);
    auto it = results_.find(uuid);
    return it == results_.end() ? "" : it->second;
  }

 private:
  Events& events_;
  mutable std::mutex mu_;
  std::map<std::string, std::map<std::string, std::string>> saved_;
  std::map<std::string, std::string> results_;
  size_t saves_ = 0;
};

class FakeDestination final : public Destination {
 public:
  explicit FakeDestination(Events& events) : events_(events) {}

  // The next `n` messages are refused (as a full or missing queue would be).
  void Refuse(int n) {
    std::lock_guard lock(mu_);
    refuse_ = n;
  }

  // Every attempt is recorded, refused ones too.
  void Send(const std::string& arn, std::string message,
            std::function<void(Status)> done) override {
    bool refuse = false;
    {
      std::lock_guard lock(mu_);
      sent_.emplace_back(arn, nlohmann::json::parse(message));
      refuse = refuse_ > 0;
      if (refuse) --refuse_;
    }
    done(refuse ? Status(AwsError::kInternalFailure, "refused") : Status::Ok());
    events_.Notify();
  }

  std::vector<std::pair<std::string, nlohmann::json>> sent() const {
    std::lock_guard lock(mu_);
    return sent_;
  }
  size_t count() const {
    std::lock_guard lock(mu_);
    return sent_.size();
  }

 private:
  Events& events_;
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, nlohmann::json>> sent_;
  int refuse_ = 0;
};

class FakeFunctions final : public FunctionDirectory {
 public:
  // The next `n` lookups fail (a function deleted, say).
  void Fail(int n) { failures_ = n; }

  Result<FunctionTarget> Resolve(const std::string& function_arn) const override {
    if (failures_ > 0) {
      --failures_;
      return Status(AwsError::kResourceNotFound, "Function not found: " + function_arn);
    }
    FunctionTarget t;
    t.function_arn = function_arn;
    t.function_name = function_arn.substr(function_arn.rfind(':') + 1);
    return t;
  }

 private:
  mutable std::atomic<int> failures_{0};
};

}  // namespace streamstack::esm::testing
