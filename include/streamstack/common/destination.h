// Destination: where a service sends a JSON record about an outcome, by the destination's
// ARN: an SQS queue, an SNS topic, or a Lambda function (asynchronous invoke). The stream
// delivery engine's on-failure destinations and asynchronous invocations' OnSuccess /
// OnFailure use it; the app implements it over the services that exist.
// Send may be called from any thread; `done` runs once, on any thread, after the message was
// accepted (committed), and must not block.
#pragma once

#include <functional>
#include <string>

#include "streamstack/common/status.h"

namespace streamstack {

class Destination {
 public:
  virtual ~Destination() = default;
  virtual void Send(const std::string& destination_arn, std::string message,
                    std::function<void(Status)> done) = 0;
};

}  // namespace streamstack
