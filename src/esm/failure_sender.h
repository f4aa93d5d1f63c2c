// esm (private): what a mapping does with a batch a lane discards: describes it (the on-failure
// record of failure_record.h, with the source's section about the batch) and hands the
// description to the mapping's on-failure destination, trying again a few times when the
// destination refuses. Runs on its mapping's strand only.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "esm/failure_record.h"
#include "streamstack/common/status.h"

namespace streamstack::esm {

class MappingRuntime;
struct Batch;

// Attempts at handing a discarded batch's description to its destination (the wait between
// them is EngineOptions::destination_retry, real time).
inline constexpr int kDestinationAttempts = 3;

class FailureSender {
 public:
  // `mapping` must outlive it (the mapping owns it).
  explicit FailureSender(MappingRuntime& mapping) : mapping_(mapping) {}

  // The on-failure record of `gone`, discarded from shard `shard_id` for `condition`, as the
  // JSON text AWS sends.
  std::string Describe(const std::string& shard_id, const Batch& gone,
                       FailureCondition condition) const;

  // Hands `message` to `destination`: up to kDestinationAttempts attempts, destination_retry
  // apart; then `done` runs on the mapping's strand with the last attempt's Status (never
  // once the engine stopped).
  void Send(std::string destination, std::string message, std::function<void(const Status&)> done);

 private:
  struct Delivery {
    std::string destination;
    std::string message;
    int attempt = 1;
    std::function<void(const Status&)> done;
  };
  void Attempt(std::shared_ptr<Delivery> delivery);
  void OnAttempted(const std::shared_ptr<Delivery>& delivery, const Status& status);

  MappingRuntime& mapping_;
};

}  // namespace streamstack::esm
