// lambda: the operations of AWS's Lambda API that StreamStack does not serve (yet, or by
// design: code signing, capacity providers, durable executions, ...). Each answers AWS's
// UnknownOperationException naming the operation, so a deployment that calls one learns which
// call it is instead of meeting a bare 404 for a path.
#include "lambda/unserved_api.h"

#include <array>
#include <string>

#include "lambda/rest_wire.h"
#include "streamstack/protocol/errors.h"

namespace streamstack::lambda {
namespace {

const protocol::ServiceWire kWire{protocol::WireProtocol::kRestJson, "", "", false};

struct Unserved {
  const char* method;
  const char* pattern;
  const char* operation;
};

// From the Lambda model (botocore lambda 2015-03-31): every operation not served elsewhere.
constexpr std::array kUnserved = {
    Unserved{"POST", "/2020-04-22/code-signing-configs", "CreateCodeSigningConfig"},
    Unserved{"GET", "/2020-04-22/code-signing-configs", "ListCodeSigningConfigs"},
    Unserved{"GET", "/2020-04-22/code-signing-configs/{CodeSigningConfigArn}",
             "GetCodeSigningConfig"},
    Unserved{"PUT", "/2020-04-22/code-signing-configs/{CodeSigningConfigArn}",
             "UpdateCodeSigningConfig"},
    Unserved{"DELETE", "/2020-04-22/code-signing-configs/{CodeSigningConfigArn}",
             "DeleteCodeSigningConfig"},
    Unserved{"GET", "/2020-04-22/code-signing-configs/{CodeSigningConfigArn}/functions",
             "ListFunctionsByCodeSigningConfig"},
    Unserved{"PUT", "/2020-06-30/functions/{FunctionName}/code-signing-config",
             "PutFunctionCodeSigningConfig"},
    Unserved{"GET", "/2020-06-30/functions/{FunctionName}/code-signing-config",
             "GetFunctionCodeSigningConfig"},
    Unserved{"DELETE", "/2020-06-30/functions/{FunctionName}/code-signing-config",
             "DeleteFunctionCodeSigningConfig"},
    Unserved{"PUT", "/2024-08-31/functions/{FunctionName}/recursion-config",
             "PutFunctionRecursionConfig"},
    Unserved{"GET", "/2024-08-31/functions/{FunctionName}/recursion-config",
             "GetFunctionRecursionConfig"},
    Unserved{"PUT", "/2025-11-30/functions/{FunctionName}/function-scaling-config",
             "PutFunctionScalingConfig"},
    Unserved{"GET", "/2025-11-30/functions/{FunctionName}/function-scaling-config",
             "GetFunctionScalingConfig"},
    Unserved{"PUT", "/2021-07-20/functions/{FunctionName}/runtime-management-config",
             "PutRuntimeManagementConfig"},
    Unserved{"GET", "/2021-07-20/functions/{FunctionName}/runtime-management-config",
             "GetRuntimeManagementConfig"},
    Unserved{"POST", "/2014-11-13/functions/{FunctionName}/invoke-async", "InvokeAsync"},
    Unserved{"POST", "/2021-11-15/functions/{FunctionName}/response-streaming-invocations",
             "InvokeWithResponseStream"},
    Unserved{"POST", "/2025-11-30/capacity-providers", "CreateCapacityProvider"},
    Unserved{"GET", "/2025-11-30/capacity-providers", "ListCapacityProviders"},
    Unserved{"GET", "/2025-11-30/capacity-providers/{CapacityProviderName}", "GetCapacityProvider"},
    Unserved{"PUT", "/2025-11-30/capacity-providers/{CapacityProviderName}",
             "UpdateCapacityProvider"},
    Unserved{"DELETE", "/2025-11-30/capacity-providers/{CapacityProviderName}",
             "DeleteCapacityProvider"},
    Unserved{"GET", "/2025-11-30/capacity-providers/{CapacityProviderName}/function-versions",
             "ListFunctionVersionsByCapacityProvider"},
    Unserved{"GET", "/2025-12-01/functions/{FunctionName}/durable-executions",
             "ListDurableExecutionsByFunction"},
    Unserved{"GET", "/2025-12-01/durable-executions/{DurableExecutionArn}", "GetDurableExecution"},
    Unserved{"GET", "/2025-12-01/durable-executions/{DurableExecutionArn}/history",
             "GetDurableExecutionHistory"},
    Unserved{"GET", "/2025-12-01/durable-executions/{DurableExecutionArn}/state",
             "GetDurableExecutionState"},
    Unserved{"POST", "/2025-12-01/durable-executions/{DurableExecutionArn}/checkpoint",
             "CheckpointDurableExecution"},
    Unserved{"POST", "/2025-12-01/durable-executions/{DurableExecutionArn}/stop",
             "StopDurableExecution"},
    Unserved{"POST", "/2025-12-01/durable-execution-callbacks/{CallbackId}/succeed",
             "SendDurableExecutionCallbackSuccess"},
    Unserved{"POST", "/2025-12-01/durable-execution-callbacks/{CallbackId}/fail",
             "SendDurableExecutionCallbackFailure"},
    Unserved{"POST", "/2025-12-01/durable-execution-callbacks/{CallbackId}/heartbeat",
             "SendDurableExecutionCallbackHeartbeat"},
};

}  // namespace

void RegisterUnservedRoutes(protocol::Router& router) {
  for (const Unserved& u : kUnserved) {
    std::string operation = u.operation;
    router.AddRestRoute(
        "lambda", kWire, u.method, u.pattern, operation,
        [operation](const RequestContext&, RestReply reply) {
          reply(protocol::OperationNotServed("Lambda", operation, AwsError::kNotFoundPath));
        });
  }
}

}  // namespace streamstack::lambda
