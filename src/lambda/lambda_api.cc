#include "streamstack/lambda/lambda_api.h"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <limits>
#include <memory>
#include <tuple>

#include "lambda/function_url_api.h"
#include "lambda/layers_api.h"
#include "lambda/rest_wire.h"
#include "lambda/unserved_api.h"
#include "lambda/versions_api.h"
#include "streamstack/common/ids.h"
#include "streamstack/common/text.h"
#include "streamstack/common/violations.h"

namespace streamstack::lambda {
namespace {

const protocol::ServiceWire kWire{protocol::WireProtocol::kRestJson, "", "", false};

json CodeLocationJson(const Function& fn, const AccountScope& scope) {
  if (fn.package_type == "Image") {
    return json{{"RepositoryType", "ECR"},
                {"ImageUri", fn.code.image_uri},
                {"ResolvedImageUri", fn.code.image_uri}};
  }
  // Shaped like AWS's pre-signed S3 URL; StreamStack does not serve the archive back.
  return json{{"RepositoryType", "S3"},
              {"Location", "https://awslambda-" + scope.region + "-tasks.s3." + scope.region +
                               ".amazonaws.com/snapshots/" + scope.account_id + "/" + fn.name +
                               "-" + fn.revision_id}};
}

// Functions ------------------------------------------------------------------------------
// Every function route reads its request through the input model (ReadRequest): the members
// below have their model's JSON types and constraints, so these only pick them out.

FunctionSettings DecodeSettings(const json& body) {
  FunctionSettings s;
  s.runtime = OptString(body, "Runtime");
  s.role = OptString(body, "Role");
  s.handler = OptString(body, "Handler");
  s.description = OptString(body, "Description");
  s.timeout_seconds = OptInt(body, "Timeout");
  s.memory_size_mb = OptInt(body, "MemorySize");
  if (const json* env = OptObject(body, "Environment")) {
    s.environment = OptStringMap(*env, "Variables").value_or(std::map<std::string, std::string>{});
  }
  if (const json* tracing = OptObject(body, "TracingConfig")) {
    s.tracing_mode = OptString(*tracing, "Mode");
  }
  if (const json* storage = OptObject(body, "EphemeralStorage")) {
    s.ephemeral_storage_mb = OptInt(*storage, "Size");
  }
  s.layers = OptStringList(body, "Layers");
  return s;
}

FunctionCodeInput DecodeCode(const json& code) {
  FunctionCodeInput in;
  if (auto zip = OptString(code, "ZipFile")) {
    std::string bytes;
    if (!Base64Decode(*zip, &bytes)) throw DecodeError{BadContent("ZipFile is not base64")};
    in.zip_file = std::move(bytes);
  }
  in.location.s3_bucket = OptString(code, "S3Bucket").value_or("");
  in.location.s3_key = OptString(code, "S3Key").value_or("");
  in.location.s3_object_version = OptString(code, "S3ObjectVersion").value_or("");
  in.location.image_uri = OptString(code, "ImageUri").value_or("");
  return in;
}

void CreateFunction(Functions& functions, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    json body = ReadRequest(ctx, "CreateFunction");
    CreateFunctionInput in;
    in.function_name = OptString(body, "FunctionName").value_or("");  // required
    in.settings = DecodeSettings(body);
    in.code = DecodeCode(body.at("Code"));  // required
    in.package_type = OptString(body, "PackageType");
    in.architectures = OptStringList(body, "Architectures");
    in.tags = OptStringMap(body, "Tags").value_or(Tags{});
    if (OptBool(body, "Publish").value_or(false)) {
      // AWS answers with version 1's configuration under the unqualified ARN.
      auto publish = [&functions](Function created, RestReply r) {
        functions.PublishVersion(created.name, {}, Answer<Function>(r, [created](Function v) {
                                   v.arn = created.arn;
                                   return JsonResponse(201, FunctionConfigurationJson(v));
                                 }));
      };
      return functions.Create(std::move(in), [reply, publish](Result<Function> r) {
        if (!r.ok()) return reply(ErrorResult(r.status()));
        publish(std::move(r).value(), reply);
      });
    }
    functions.Create(std::move(in), Answer<Function>(reply, [](const Function& fn) {
                       return JsonResponse(201, FunctionConfigurationJson(fn));
                     }));
  });
}

json ConcurrencyJson(const Function& fn) {
  json j = json::object();
  if (fn.reserved_concurrency >= 0) j["ReservedConcurrentExecutions"] = fn.reserved_concurrency;
  return j;
}

void GetFunction(Functions& functions, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    ReadRequest(ctx, "GetFunction");
    auto name = QualifiedName(ctx);
    if (!name.ok()) return reply(name.status());
    auto fn = functions.Get(*name);
    if (!fn.ok()) return reply(ErrorResult(fn.status()));
    json body = {{"Configuration", FunctionConfigurationJson(*fn)},
                 {"Code", CodeLocationJson(*fn, functions.scope())}};
    if (!fn->tags.empty()) body["Tags"] = fn->tags;
    if (fn->reserved_concurrency >= 0) body["Concurrency"] = ConcurrencyJson(*fn);
    reply(JsonResponse(200, body));
  });
}

// Concurrency -------------------------------------------------------------------------------

// Concurrency belongs to the function, not to a version or alias (AWS's answers, recorded in
// LocalStack's TestLambdaReservedConcurrency): a qualified name is refused, and a missing
// function is named with the $LATEST it would apply to.
Status UnqualifiedOnly(const Functions& functions, const std::string& function_name) {
  STREAMSTACK_ASSIGN_OR_RETURN(auto name, ParseFunctionName(function_name, NameShape::kNamespaced));
  if (!name.qualifier.empty()) {
    return Status(AwsError::kInvalidParameterValue,
                  "This operation is permitted on Lambda functions only. Aliases and versions do "
                  "not support this operation. Please specify either a function name or an "
                  "unqualified function ARN.");
  }
  if (!functions.Exists(name.name)) {
    return Status(AwsError::kResourceNotFound,
                  "Function not found: " + functions.ArnOf(name.name) + ":$LATEST");
  }
  return Status::Ok();
}

void PutFunctionConcurrency(Functions& functions, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    json body = ReadRequest(ctx, "PutFunctionConcurrency");
    auto reserved = protocol::IntMember(body, "ReservedConcurrentExecutions");  // required
    if (Status s = UnqualifiedOnly(functions, PathParam(ctx, "FunctionName")); !s.ok()) {
      return reply(ErrorResult(s));
    }
    functions.PutConcurrency(PathParam(ctx, "FunctionName"), static_cast<int>(*reserved),
                             Answer<Function>(reply, [](const Function& fn) {
                               return JsonResponse(200, ConcurrencyJson(fn));
                             }));
  });
}

// AWS's default limits of an account, and what this one uses.
// AccountUsage.TotalCodeSize counts every function version's code and every layer's (AWS:
// "the amount of storage space that you've used for function and layer code").
void GetAccountSettings(Functions& functions, const Layers& layers, const RequestContext& ctx,
                        RestReply reply) {
  Guard(reply, [&] {
    ReadRequest(ctx, "GetAccountSettings");
    Functions::Usage usage = functions.AccountUsage();
    auto layer_code = layers.TotalCodeSize();
    if (!layer_code.ok()) return reply(ErrorResult(layer_code.status()));
    usage.total_code_size += *layer_code;
    json limit = {{"TotalCodeSize", int64_t{80530636800}},
                  {"CodeSizeUnzipped", int64_t{262144000}},
                  {"CodeSizeZipped", int64_t{52428800}},
                  {"ConcurrentExecutions", Functions::kAccountConcurrency},
                  {"UnreservedConcurrentExecutions",
                   Functions::kAccountConcurrency - functions.ReservedConcurrencyTotal()}};
    reply(JsonResponse(200, {{"AccountLimit", limit},
                             {"AccountUsage",
                              {{"TotalCodeSize", usage.total_code_size},
                               {"FunctionCount", usage.function_count}}}}));
  });
}

void GetFunctionConcurrency(Functions& functions, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    json request = ReadRequest(ctx, "GetFunctionConcurrency");
    auto fn = functions.Get(request.at("FunctionName").get<std::string>());  // required
    if (!fn.ok()) return reply(ErrorResult(fn.status()));
    reply(JsonResponse(200, ConcurrencyJson(*fn)));
  });
}

void DeleteFunctionConcurrency(Functions& functions, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    json request = ReadRequest(ctx, "DeleteFunctionConcurrency");
    functions.PutConcurrency(request.at("FunctionName").get<std::string>(), std::nullopt,
                             Answer<Function>(reply, [](const Function&) {
                               HttpResponse resp;
                               resp.status = 204;
                               return resp;
                             }));
  });
}

void GetFunctionConfiguration(Functions& functions, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    ReadRequest(ctx, "GetFunctionConfiguration");
    auto name = QualifiedName(ctx);
    if (!name.ok()) return reply(name.status());
    auto fn = functions.Get(*name);
    if (!fn.ok()) return reply(ErrorResult(fn.status()));
    reply(JsonResponse(200, FunctionConfigurationJson(*fn)));
  });
}

void ListFunctions(Functions& functions, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    json request = ReadRequest(ctx, "ListFunctions");
    auto page = functions.List(OptString(request, "Marker").value_or(""),
                               protocol::IntMember(request, "MaxItems").value_or(50));
    if (!page.ok()) return reply(ErrorResult(page.status()));
    json list = json::array();
    for (const auto& fn : page->functions) list.push_back(FunctionConfigurationJson(fn));
    json body = {{"Functions", std::move(list)}};
    if (!page->next_marker.empty()) body["NextMarker"] = page->next_marker;
    reply(JsonResponse(200, body));
  });
}

void UpdateFunctionConfiguration(Functions& functions, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    json body = ReadRequest(ctx, "UpdateFunctionConfiguration");
    functions.UpdateConfiguration(PathParam(ctx, "FunctionName"), DecodeSettings(body),
                                  Answer<Function>(reply, [](const Function& fn) {
                                    return JsonResponse(200, FunctionConfigurationJson(fn));
                                  }));
  });
}

void UpdateFunctionCode(Functions& functions, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    json body = ReadRequest(ctx, "UpdateFunctionCode");
    UpdateFunctionCodeInput in;
    in.code = DecodeCode(body);
    in.architectures = OptStringList(body, "Architectures");
    if (OptBool(body, "Publish").value_or(false)) {
      // AWS answers with the new version's configuration.
      return functions.UpdateCode(
          PathParam(ctx, "FunctionName"), std::move(in), [&functions, reply](Result<Function> r) {
            if (!r.ok()) return reply(ErrorResult(r.status()));
            functions.PublishVersion(r->name, {}, Answer<Function>(reply, [](const Function& v) {
                                       return JsonResponse(200, FunctionConfigurationJson(v));
                                     }));
          });
    }
    functions.UpdateCode(PathParam(ctx, "FunctionName"), std::move(in),
                         Answer<Function>(reply, [](const Function& fn) {
                           return JsonResponse(200, FunctionConfigurationJson(fn));
                         }));
  });
}

void DeleteFunction(Functions& functions, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    ReadRequest(ctx, "DeleteFunction");
    auto name = QualifiedName(ctx);
    if (!name.ok()) return reply(name.status());
    functions.Delete(*name, Answer<bool>(reply, [](bool) { return EmptyResponse(204); }));
  });
}

// Tags -------------------------------------------------------------------------------------

enum class TaggedKind { kFunction, kMapping };

// AWS's TaggableResource pattern, as its validation message prints it today (recorded from
// AWS in LocalStack's TestLambdaTag::test_tag_exceptions snapshots, November 2025; the input
// model carries it too, gen_input_model.py's lambda facts).
constexpr char kTaggableResourcePattern[] =
    "arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:"
    "(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|layer:([a-zA-Z0-9-_]+)|"
    "code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-"
    "[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9-_]+)";

// Which resource a tag operation names, once the model's pattern accepted the ARN
// (arn:<partition>:lambda:<region>:<account>:<type>:<id>[:<qualifier>]). A qualified function
// ARN is InvalidParameterValue; a kind StreamStack does not tag (a layer, a code signing
// config, a capacity provider) is answered with the pattern violation, as before the model.
Result<TaggedKind> KindOfResource(const std::string& arn) {
  const std::vector<std::string_view> parts = SplitOn(arn, ':');
  if (parts.size() >= 7 && parts[5] == "function") {
    if (parts.size() > 7) {
      return Status(AwsError::kInvalidParameterValue,
                    "Tags on function aliases and versions are not supported. Please specify a "
                    "function ARN.");
    }
    return TaggedKind::kFunction;
  }
  if (parts.size() == 7 && parts[5] == "event-source-mapping") return TaggedKind::kMapping;
  Violations v;
  v.Add(QuoteValue(arn), "resource",
        std::string("Member must satisfy regular expression pattern: ") + kTaggableResourcePattern);
  return v.ToStatus();
}

// The tag operations read the Resource of the path, the body and UntagResource's tagKeys
// through the input model, then which kind of resource it names.
void TagResource(LambdaServices s, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    json request = ReadRequest(ctx, "TagResource");
    std::string arn = request.at("Resource").get<std::string>();  // required
    auto kind = KindOfResource(arn);
    if (!kind.ok()) return reply(kind.status());
    Tags tags = request.at("Tags").get<Tags>();  // required
    auto done = Answer<bool>(reply, [](bool) { return EmptyResponse(204); });
    if (*kind == TaggedKind::kFunction) {
      s.functions.TagResource(arn, std::move(tags), std::move(done));
    } else {
      s.mappings.TagResource(arn, std::move(tags), std::move(done));
    }
  });
}

void UntagResource(LambdaServices s, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    json request = ReadRequest(ctx, "UntagResource");
    std::string arn = request.at("Resource").get<std::string>();  // required
    auto kind = KindOfResource(arn);
    if (!kind.ok()) return reply(kind.status());
    auto keys = request.at("TagKeys").get<std::vector<std::string>>();  // required
    auto done = Answer<bool>(reply, [](bool) { return EmptyResponse(204); });
    if (*kind == TaggedKind::kFunction) {
      s.functions.UntagResource(arn, std::move(keys), std::move(done));
    } else {
      s.mappings.UntagResource(arn, std::move(keys), std::move(done));
    }
  });
}

void ListTags(LambdaServices s, const RequestContext& ctx, RestReply reply) {
  Guard(reply, [&] {
    json request = ReadRequest(ctx, "ListTags");
    std::string arn = request.at("Resource").get<std::string>();  // required
    auto kind = KindOfResource(arn);
    if (!kind.ok()) return reply(kind.status());
    auto tags =
        *kind == TaggedKind::kFunction ? s.functions.ListTags(arn) : s.mappings.ListTags(arn);
    if (!tags.ok()) return reply(ErrorResult(tags.status()));
    reply(JsonResponse(200, json{{"Tags", tags.value()}}));
  });
}

// Invoke ----------------------------------------------------------------------------------

// X-Amz-Log-Result: AWS sends the last 4 KB of the invocation's log, base64.
std::string TailLog(const std::string& log) {
  constexpr size_t kTail = 4096;
  return Base64Encode(log.size() > kTail ? std::string_view(log).substr(log.size() - kTail)
                                         : std::string_view(log));
}

// Invoke's members outside the body (the name, Qualifier and the headers) are read through the
// input model; the body is the payload, passed on as it came.
void Invoke(InvokeService& invoke, const RequestContext& ctx, RestReply reply) {
  json request;
  try {
    request = ReadLocatedMembers(ctx, "Invoke");
  } catch (const DecodeError& e) {
    return reply(ErrorResult(e.status));
  }
  std::string type_text = OptString(request, "InvocationType").value_or("RequestResponse");
  InvocationType type = InvocationType::kRequestResponse;
  if (type_text == "Event") {
    type = InvocationType::kEvent;
  } else if (type_text == "DryRun") {
    type = InvocationType::kDryRun;
  }
  std::string log_type = OptString(request, "LogType").value_or("None");
  bool tail = log_type == "Tail" && type == InvocationType::kRequestResponse;
  // ClientContext: base64 of a JSON object, up to 3,583 bytes; the function's context
  // gets it decoded (synchronous invocations only, as on AWS).
  std::string client_context;
  if (std::string_view encoded = ctx.http->headers.Get("X-Amz-Client-Context"); !encoded.empty()) {
    if (encoded.size() > 3583) {
      return reply(Status(AwsError::kInvalidRequestContent,
                          "Client context must be at most 3583 bytes when base64 encoded"));
    }
    if (!Base64Decode(encoded, &client_context) || !json::accept(client_context)) {
      return reply(Status(AwsError::kInvalidRequestContent,
                          "Client context must be a valid Base64-encoded JSON object."));
    }
  }
  std::string request_id = ctx.request_id;
  auto name = QualifiedName(ctx);
  if (!name.ok()) return reply(name.status());
  invoke.Invoke(
      *name, type, ctx.http->body, request_id,
      [reply = std::move(reply), tail](Result<InvokeOutput> r) {
        if (!r.ok()) return reply(ErrorResult(r.status()));
        InvokeOutput& out = r.value();
        HttpResponse resp;
        resp.status = out.status_code;
        if (out.status_code == 200) {
          resp.headers.Set("Content-Type", "application/json");
          resp.headers.Set("X-Amz-Executed-Version", out.executed_version);
          if (!out.function_error.empty()) {
            resp.headers.Set("X-Amz-Function-Error", out.function_error);
          }
          if (tail) resp.headers.Set("X-Amz-Log-Result", TailLog(out.log));
          resp.body = std::move(out.payload);
        }
        reply(std::move(resp));
      },
      std::move(client_context));
}

// Event source mappings ---------------------------------------------------------------------
// Every mapping route reads its request through the input model (ReadRequest); the members
// below have their model's JSON types and constraints, so these only pick them out.

MappingSettings DecodeMappingSettings(const json& body) {
  MappingSettings s;
  s.function_name = OptString(body, "FunctionName");
  s.enabled = OptBool(body, "Enabled");
  s.batch_size = OptInt(body, "BatchSize");
  s.maximum_batching_window_in_seconds = OptInt(body, "MaximumBatchingWindowInSeconds");
  s.parallelization_factor = OptInt(body, "ParallelizationFactor");
  s.maximum_record_age_in_seconds = OptInt(body, "MaximumRecordAgeInSeconds");
  s.maximum_retry_attempts = OptInt(body, "MaximumRetryAttempts");
  s.bisect_batch_on_function_error = OptBool(body, "BisectBatchOnFunctionError");
  s.tumbling_window_in_seconds = OptInt(body, "TumblingWindowInSeconds");
  s.function_response_types = OptStringList(body, "FunctionResponseTypes");
  if (const json* criteria = OptObject(body, "FilterCriteria")) {
    std::vector<std::string> patterns;
    auto it = criteria->find("Filters");
    if (it != criteria->end() && !it->is_null()) {
      if (!it->is_array()) WrongType("Filters");
      for (const auto& f : *it) {
        if (!f.is_object()) WrongType("Filters");
        patterns.push_back(OptString(f, "Pattern").value_or(""));
      }
    }
    s.filter_patterns = std::move(patterns);
  }
  if (const json* dest = OptObject(body, "DestinationConfig")) {
    if (const json* on_failure = OptObject(*dest, "OnFailure")) {
      s.on_failure_destination = OptString(*on_failure, "Destination").value_or("");
    } else {
      s.on_failure_destination = "";
    }
    if (const json* on_success = OptObject(*dest, "OnSuccess")) {
      s.on_success_given = OptString(*on_success, "Destination").has_value();
    }
  }
  return s;
}

void CreateEventSourceMapping(EventSourceMappings& mappings, const RequestContext& ctx,
                              RestReply reply) {
  Guard(reply, [&] {
    json body = ReadRequest(ctx, "CreateEventSourceMapping");
    CreateMappingInput in;
    in.event_source_arn = OptString(body, "EventSourceArn");
    in.starting_position = OptString(body, "StartingPosition");
    in.starting_position_timestamp_given = body.contains("StartingPositionTimestamp");
    in.settings = DecodeMappingSettings(body);
    in.tags = OptStringMap(body, "Tags").value_or(Tags{});
    mappings.Create(std::move(in),
                    Answer<EventSourceMapping>(reply, [](const EventSourceMapping& m) {
                      return JsonResponse(202, EventSourceMappingJson(m));
                    }));
  });
}

void GetEventSourceMapping(EventSourceMappings& mappings, const RequestContext& ctx,
                           RestReply reply) {
  Guard(reply, [&] {
    json request = ReadRequest(ctx, "GetEventSourceMapping");
    auto m = mappings.Get(request.at("UUID").get<std::string>());  // required
    if (!m.ok()) return reply(ErrorResult(m.status()));
    reply(JsonResponse(200, EventSourceMappingJson(*m)));
  });
}

void UpdateEventSourceMapping(EventSourceMappings& mappings, const RequestContext& ctx,
                              RestReply reply) {
  Guard(reply, [&] {
    json body = ReadRequest(ctx, "UpdateEventSourceMapping");
    mappings.Update(body.at("UUID").get<std::string>(), DecodeMappingSettings(body),
                    Answer<EventSourceMapping>(reply, [](const EventSourceMapping& m) {
                      return JsonResponse(202, EventSourceMappingJson(m));
                    }));
  });
}

void DeleteEventSourceMapping(EventSourceMappings& mappings, const RequestContext& ctx,
                              RestReply reply) {
  Guard(reply, [&] {
    json request = ReadRequest(ctx, "DeleteEventSourceMapping");
    mappings.Delete(request.at("UUID").get<std::string>(),  // required
                    Answer<EventSourceMapping>(reply, [](const EventSourceMapping& m) {
                      return JsonResponse(202, EventSourceMappingJson(m));
                    }));
  });
}

void ListEventSourceMappings(EventSourceMappings& mappings, const RequestContext& ctx,
                             RestReply reply) {
  Guard(reply, [&] {
    json request = ReadRequest(ctx, "ListEventSourceMappings");
    auto page = mappings.List(OptString(request, "FunctionName").value_or(""),
                              OptString(request, "EventSourceArn").value_or(""),
                              OptString(request, "Marker").value_or(""),
                              protocol::IntMember(request, "MaxItems").value_or(100));
    if (!page.ok()) return reply(ErrorResult(page.status()));
    json list = json::array();
    for (const auto& m : page->mappings) list.push_back(EventSourceMappingJson(m));
    json body = {{"EventSourceMappings", std::move(list)}};
    if (!page->next_marker.empty()) body["NextMarker"] = page->next_marker;
    reply(JsonResponse(200, body));
  });
}

}  // namespace

json FunctionConfigurationJson(const Function& fn) {
  json j = {{"FunctionName", fn.name},
            {"FunctionArn", fn.arn},
            {"Role", fn.role},
            {"CodeSize", fn.code_size},
            {"Description", fn.description},
            {"Timeout", fn.timeout_seconds},
            {"MemorySize", fn.memory_size_mb},
            {"LastModified", FormatLambdaTimestamp(fn.last_modified_ms)},
            {"CodeSha256", fn.code_sha256},
            {"Version", fn.version},
            {"TracingConfig", {{"Mode", fn.tracing_mode}}},
            {"RevisionId", fn.revision_id},
            {"State", "Active"},
            {"LastUpdateStatus", "Successful"},
            {"PackageType", fn.package_type},
            {"Architectures", json::array({fn.architecture})},
            {"EphemeralStorage", {{"Size", fn.ephemeral_storage_mb}}},
            {"SnapStart", {{"ApplyOn", "None"}, {"OptimizationStatus", "Off"}}},
            {"LoggingConfig", {{"LogFormat", "Text"}, {"LogGroup", "/aws/lambda/" + fn.name}}}};
  if (!fn.runtime.empty()) j["Runtime"] = fn.runtime;
  if (!fn.handler.empty()) j["Handler"] = fn.handler;
  if (fn.has_environment) j["Environment"] = {{"Variables", fn.environment}};
  if (!fn.layers.empty()) {
    json layers = json::array();
    for (const auto& [arn, size] : fn.layers) layers.push_back({{"Arn", arn}, {"CodeSize", size}});
    j["Layers"] = std::move(layers);
  }
  return j;
}

json EventSourceMappingJson(const EventSourceMapping& m) {
  json on_failure = json::object();
  if (!m.on_failure_destination.empty()) on_failure["Destination"] = m.on_failure_destination;
  json j = {{"UUID", m.uuid},
            {"BatchSize", m.batch_size},
            {"BisectBatchOnFunctionError", m.bisect_batch_on_function_error},
            {"DestinationConfig", {{"OnFailure", on_failure}}},
            {"EventSourceArn", m.event_source_arn},
            {"EventSourceMappingArn", m.arn},
            {"FunctionArn", m.function_arn},
            {"FunctionResponseTypes", m.function_response_types},
            {"LastModified", static_cast<double>(m.last_modified_ms) / 1000.0},
            {"LastProcessingResult", m.last_processing_result},
            {"MaximumBatchingWindowInSeconds", m.maximum_batching_window_in_seconds},
            {"MaximumRecordAgeInSeconds", m.maximum_record_age_in_seconds},
            {"MaximumRetryAttempts", m.maximum_retry_attempts},
            {"ParallelizationFactor", m.parallelization_factor},
            {"StartingPosition", m.starting_position},
            {"State", MappingStateName(m.state)},
            {"StateTransitionReason", m.state_transition_reason},
            {"TumblingWindowInSeconds", m.tumbling_window_in_seconds}};
  if (!m.filter_patterns.empty()) {
    json filters = json::array();
    for (const auto& p : m.filter_patterns) filters.push_back({{"Pattern", p}});
    j["FilterCriteria"] = {{"Filters", filters}};
  }
  return j;
}

void RegisterLambdaApi(protocol::Router& router, LambdaServices s) {
  // Each operation is a handler of one service object: (service, context, reply).
  auto add = [&router]<typename Service>(
                 const char* method, const char* pattern, const char* op, Service& service,
                 void (*handler)(Service&, const RequestContext&, RestReply)) {
    router.AddRestRoute("lambda", kWire, method, pattern, op,
                        [&service, handler](const RequestContext& c, RestReply r) {
                          handler(service, c, std::move(r));
                        });
  };
  Functions& fns = s.functions;
  add("POST", "/2015-03-31/functions", "CreateFunction", fns, CreateFunction);
  add("GET", "/2015-03-31/functions", "ListFunctions", fns, ListFunctions);
  add("GET", "/2015-03-31/functions/{FunctionName}", "GetFunction", fns, GetFunction);
  add("DELETE", "/2015-03-31/functions/{FunctionName}", "DeleteFunction", fns, DeleteFunction);
  add("GET", "/2015-03-31/functions/{FunctionName}/configuration", "GetFunctionConfiguration", fns,
      GetFunctionConfiguration);
  add("PUT", "/2015-03-31/functions/{FunctionName}/configuration", "UpdateFunctionConfiguration",
      fns, UpdateFunctionConfiguration);
  add("PUT", "/2015-03-31/functions/{FunctionName}/code", "UpdateFunctionCode", fns,
      UpdateFunctionCode);
  router.AddRestRoute("lambda", kWire, "GET", "/2016-08-19/account-settings", "GetAccountSettings",
                      [s](const RequestContext& c, RestReply r) {
                        GetAccountSettings(s.functions, s.layers, c, std::move(r));
                      });
  add("PUT", "/2017-10-31/functions/{FunctionName}/concurrency", "PutFunctionConcurrency", fns,
      PutFunctionConcurrency);
  add("GET", "/2019-09-30/functions/{FunctionName}/concurrency", "GetFunctionConcurrency", fns,
      GetFunctionConcurrency);
  add("DELETE", "/2017-10-31/functions/{FunctionName}/concurrency", "DeleteFunctionConcurrency",
      fns, DeleteFunctionConcurrency);
  add("POST", "/2015-03-31/functions/{FunctionName}/invocations", "Invoke", s.invoke, Invoke);
  RegisterVersionRoutes(router, s.functions);
  RegisterFunctionUrlRoutes(router, s.functions, s.invoke, s.clock);
  RegisterLayerRoutes(router, s.layers, s.functions.scope());
  RegisterUnservedRoutes(router);
  // Tags name functions and mappings alike: their handlers take both services.
  for (auto [method, op, handler] : {std::tuple{"POST", "TagResource", &TagResource},
                                     std::tuple{"DELETE", "UntagResource", &UntagResource},
                                     std::tuple{"GET", "ListTags", &ListTags}}) {
    router.AddRestRoute("lambda", kWire, method, "/2017-03-31/tags/{Resource}", op,
                        [s, handler = handler](const RequestContext& c, RestReply r) {
                          handler(s, c, std::move(r));
                        });
  }
  EventSourceMappings& maps = s.mappings;
  add("POST", "/2015-03-31/event-source-mappings", "CreateEventSourceMapping", maps,
      CreateEventSourceMapping);
  add("GET", "/2015-03-31/event-source-mappings", "ListEventSourceMappings", maps,
      ListEventSourceMappings);
  add("GET", "/2015-03-31/event-source-mappings/{UUID}", "GetEventSourceMapping", maps,
      GetEventSourceMapping);
  add("PUT", "/2015-03-31/event-source-mappings/{UUID}", "UpdateEventSourceMapping", maps,
      UpdateEventSourceMapping);
  add("DELETE", "/2015-03-31/event-source-mappings/{UUID}", "DeleteEventSourceMapping", maps,
      DeleteEventSourceMapping);
}

}  // namespace streamstack::lambda
