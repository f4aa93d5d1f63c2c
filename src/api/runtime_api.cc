#include "streamstack/api/runtime_api.h"

#include <nlohmann/json.hpp>

#include <string>
#include <utility>

namespace streamstack::api {
namespace {

using protocol::HttpResponse;
using protocol::RequestContext;
using protocol::RestReply;
using runtime::RuntimeApiAnswer;
using runtime::RuntimeApiError;

const protocol::ServiceWire kWire{protocol::WireProtocol::kRestJson, "", "", false};
constexpr const char* kService = "lambda-runtime";

HttpResponse JsonResponse(unsigned status, const nlohmann::json& body) {
  HttpResponse resp;
  resp.status = status;
  resp.headers.Set("Content-Type", "application/json");
  resp.body = body.dump();
  return resp;
}

// 202 {"status":"OK"}, or the runtime API's error: {"errorMessage", "errorType"} with the
// status AWS's runtime API answers it with.
HttpResponse Answer(const RuntimeApiAnswer& answer) {
  switch (answer.error) {
    case RuntimeApiError::kNone:
      return JsonResponse(202, {{"status", "OK"}});
    case RuntimeApiError::kInvalidRequestId:
      return JsonResponse(400,
                          {{"errorMessage", answer.message}, {"errorType", "InvalidRequestID"}});
    case RuntimeApiError::kInvalidStateTransition:
      return JsonResponse(
          403, {{"errorMessage", answer.message}, {"errorType", "InvalidStateTransition"}});
    case RuntimeApiError::kPayloadTooLarge:
      return JsonResponse(
          413, {{"errorMessage", answer.message}, {"errorType", "RequestEntityTooLarge"}});
    case RuntimeApiError::kUnknownSandbox:
      break;
  }
  // AWS: "Container error. Non-recoverable state. Runtime should exit promptly."
  return JsonResponse(500, {{"errorMessage", answer.message}, {"errorType", "Runtime.Unknown"}});
}

uint16_t SandboxPort(const RequestContext& ctx) {
  return ctx.http != nullptr ? ctx.http->local_port : 0;
}

std::string Header(const RequestContext& ctx, std::string_view name) {
  return ctx.http != nullptr ? std::string(ctx.http->headers.Get(name)) : std::string();
}

std::string Body(const RequestContext& ctx) {
  return ctx.http != nullptr ? ctx.http->body : std::string();
}

}  // namespace

void RegisterRuntimeApi(protocol::Router& router, runtime::LocalRuntime& runtime) {
  runtime::LocalRuntime* rt = &runtime;
  router.AddRestRoute(
      kService, kWire, "GET", "/2018-06-01/runtime/invocation/next", "NextInvocation",
      [rt](const RequestContext& ctx, RestReply reply) {
        rt->RuntimeNext(SandboxPort(ctx), [reply = std::move(reply)](RuntimeApiAnswer answer,
                                                                     runtime::NextInvocation next) {
          if (answer.error != RuntimeApiError::kNone) return reply(Answer(answer));
          HttpResponse resp;
          resp.headers.Set("Content-Type", "application/json");
          resp.headers.Set("Lambda-Runtime-Aws-Request-Id", next.request_id);
          resp.headers.Set("Lambda-Runtime-Deadline-Ms", std::to_string(next.deadline_ms));
          resp.headers.Set("Lambda-Runtime-Invoked-Function-Arn", next.invoked_function_arn);
          resp.headers.Set("Lambda-Runtime-Trace-Id", next.trace_id);
          if (!next.client_context.empty()) {
            resp.headers.Set("Lambda-Runtime-Client-Context", next.client_context);
          }
          if (!next.cognito_identity.empty()) {
            resp.headers.Set("Lambda-Runtime-Cognito-Identity", next.cognito_identity);
          }
          resp.body = std::move(next.payload);
          reply(std::move(resp));
        });
      });
  router.AddRestRoute(
      kService, kWire, "POST", "/2018-06-01/runtime/invocation/{AwsRequestId}/response",
      "PostInvocationResponse", [rt](const RequestContext& ctx, RestReply reply) {
        rt->RuntimeResponse(SandboxPort(ctx), ctx.path_params.at("AwsRequestId"), Body(ctx),
                            [reply = std::move(reply)](RuntimeApiAnswer a) { reply(Answer(a)); });
      });
  router.AddRestRoute(
      kService, kWire, "POST", "/2018-06-01/runtime/invocation/{AwsRequestId}/error",
      "PostInvocationError", [rt](const RequestContext& ctx, RestReply reply) {
        rt->RuntimeError(SandboxPort(ctx), ctx.path_params.at("AwsRequestId"),
                         Header(ctx, "Lambda-Runtime-Function-Error-Type"), Body(ctx),
                         [reply = std::move(reply)](RuntimeApiAnswer a) { reply(Answer(a)); });
      });
  router.AddRestRoute(kService, kWire, "POST", "/2018-06-01/runtime/init/error", "PostInitError",
                      [rt](const RequestContext& ctx, RestReply reply) {
                        rt->RuntimeInitError(
                            SandboxPort(ctx), Header(ctx, "Lambda-Runtime-Function-Error-Type"),
                            Body(ctx),
                            [reply = std::move(reply)](RuntimeApiAnswer a) { reply(Answer(a)); });
                      });
}

}  // namespace streamstack::api
