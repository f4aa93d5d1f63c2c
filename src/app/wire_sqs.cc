// SQS: one QueueStore (queues and messages in SQLite, long polls on its own thread) and its
// JSON + query protocol operations.
#include "app/wiring.h"
#include "streamstack/sqs/queue_store.h"
#include "streamstack/sqs/sqs_api.h"

namespace streamstack::app {

Status WireSqs(AppContext& ctx) {
  auto* queues = ctx.Own(std::make_shared<sqs::QueueStore>(ctx.store, ctx.clock, ctx.scope));
  STREAMSTACK_RETURN_IF_ERROR(queues->Open());
  sqs::RegisterSqsApi(ctx.router, *queues, ctx.scope);
  ctx.queues = queues;
  // Parked long polls answer (empty) and the poll thread ends before storage closes.
  ctx.stop_hooks.push_back([queues] { queues->Stop(); });
  return Status::Ok();
}

}  // namespace streamstack::app
