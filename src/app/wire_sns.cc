// SNS: one TopicStore (topics and subscriptions in SQLite) delivering to the SQS QueueStore
// and, through ctx.http, to http/https endpoints; and its query-protocol operations.
#include "app/wiring.h"
#include "streamstack/sns/sns_api.h"
#include "streamstack/sns/topic_store.h"

namespace streamstack::app {

Status WireSns(AppContext& ctx) {
  if (ctx.queues == nullptr) {
    return Status(AwsError::kInternalFailure, "WireSns needs WireSqs to run first");
  }
  auto* topics = ctx.Own(
      std::make_shared<sns::TopicStore>(ctx.store, ctx.clock, ctx.scope, *ctx.queues, ctx.http));
  STREAMSTACK_RETURN_IF_ERROR(topics->Open());
  sns::RegisterSnsApi(ctx.router, *topics, ctx.scope);
  ctx.topics = topics;
  return Status::Ok();
}

}  // namespace streamstack::app
