#include "esm/failure_sender.h"

#include <spdlog/spdlog.h>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <utility>

#include "esm/lane.h"
#include "esm/mapping_runtime.h"
#include "streamstack/common/ids.h"

namespace streamstack::esm {

std::string FailureSender::Describe(const std::string& shard_id, const Batch& gone,
                                    FailureCondition condition) const {
  FailureRecord f;
  f.request_id = gone.last_request_id.empty() ? NewUuidV4() : gone.last_request_id;
  f.function_arn = mapping_.config().function_arn;
  f.condition = condition;
  f.invokes = gone.invokes;
  if (gone.invokes > 0 && gone.last_status != 0) {
    FailureResponse response;
    response.status_code = gone.last_status;
    if (!gone.last_version.empty()) response.executed_version = gone.last_version;
    if (!gone.last_function_error.empty()) response.function_error = gone.last_function_error;
    f.response = std::move(response);
  }
  f.timestamp_ms = mapping_.Now();
  DiscardedBatch batch;
  batch.source_arn = mapping_.source_arn();
  batch.shard_id = shard_id;
  batch.first_position = gone.records.front().sequence;
  batch.last_position = gone.records.back().sequence;
  batch.first_created_ms = gone.records.front().created_ms;
  batch.last_created_ms = gone.records.back().created_ms;
  batch.batch_size = gone.records.size();
  f.batch_info = mapping_.engine().source.DescribeBatch(batch);
  return BuildFailureRecord(f);
}

void FailureSender::Send(std::string destination, std::string message,
                         std::function<void(const Status&)> done) {
  auto delivery = std::make_shared<Delivery>();
  delivery->destination = std::move(destination);
  delivery->message = std::move(message);
  delivery->done = std::move(done);
  Attempt(std::move(delivery));
}

void FailureSender::Attempt(std::shared_ptr<Delivery> delivery) {
  std::string copy = delivery->message;
  const std::string& destination = delivery->destination;
  mapping_.engine().destination.Send(
      destination, std::move(copy),
      [self = mapping_.shared_from_this(), delivery](Status status) mutable {
        self->Post([self, delivery = std::move(delivery), status = std::move(status)] {
          self->sender().OnAttempted(delivery, status);
        });
      });
}

void FailureSender::OnAttempted(const std::shared_ptr<Delivery>& delivery, const Status& status) {
  if (!status.ok() && delivery->attempt < kDestinationAttempts) {
    spdlog::warn("esm {}: on-failure destination {} refused ({}); retrying", mapping_.uuid(),
                 delivery->destination, status.message());
    auto timer = std::make_shared<boost::asio::steady_timer>(
        mapping_.strand(), mapping_.engine().options.destination_retry);
    timer->async_wait(boost::asio::bind_executor(mapping_.strand(),
                                                 [self = mapping_.shared_from_this(), delivery,
                                                  timer](const boost::system::error_code&) mutable {
                                                   if (self->engine().stopped.load()) return;
                                                   ++delivery->attempt;
                                                   self->sender().Attempt(std::move(delivery));
                                                 }));
    return;
  }
  delivery->done(status);
}

}  // namespace streamstack::esm
