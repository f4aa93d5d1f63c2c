#include "esm/response.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>
#include <optional>

namespace streamstack::esm {
namespace {

using nlohmann::json;

// The whole batch failed. `c.function_error` stays as the outcome set it: AWS reports no
// function error for an answer that ran fine but fails the batch by its content.
Classification FunctionError(Classification c, std::string reason) {
  c.verdict = Verdict::kFunctionError;
  c.reason = std::move(reason);
  return c;
}

bool IsBlank(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char ch) { return ch == ' ' || ch == '\n' || ch == '\r' || ch == '\t'; });
}

}  // namespace

Classification ClassifyResponse(const InvokeOutcome& outcome, const ResponseRules& rules,
                                std::span<const int64_t> sequences) {
  Classification c;
  switch (outcome.kind) {
    case InvokeOutcome::Kind::kServiceError:
      c.verdict = Verdict::kServiceError;
      c.reason = outcome.service_error.message();
      return c;
    case InvokeOutcome::Kind::kFunctionError:
      // AWS: a function error is an Invoke that answered 200 with X-Amz-Function-Error.
      c.status_code = 200;
      c.function_error = outcome.function_error.empty() ? "Unhandled" : outcome.function_error;
      return FunctionError(std::move(c), "function error " + c.function_error + ": " +
                                             outcome.payload.substr(0, 200));
    case InvokeOutcome::Kind::kSuccess:
      break;
  }
  c.status_code = 200;
  const std::string& body = outcome.payload;
  if (!rules.report_batch_item_failures && !rules.tumbling_window) return c;

  json response = IsBlank(body) ? json() : json::parse(body, nullptr, false);
  if (response.is_discarded()) {
    return FunctionError(std::move(c), "the response is not JSON: " + body.substr(0, 200));
  }
  if (rules.tumbling_window) {
    // AWS: "If the response does not contain a state property, Lambda considers this a
    // failed invocation."
    if (!response.is_object() || !response.contains("state")) {
      return FunctionError(std::move(c), "the response has no \"state\"");
    }
    c.state = response["state"].dump(-1, ' ', false, json::error_handler_t::replace);
  }
  if (!rules.report_batch_item_failures) return c;

  // AWS: an empty or null list, an empty or null response is a complete success.
  if (!response.is_object()) return c;
  auto it = response.find("batchItemFailures");
  if (it == response.end() || it->is_null()) return c;
  if (!it->is_array()) {
    return FunctionError(std::move(c), "batchItemFailures is not a list");
  }
  if (it->empty()) return c;
  size_t lowest = std::numeric_limits<size_t>::max();
  for (const json& item : *it) {
    // AWS: an empty string, null or otherwise bad itemIdentifier fails the whole batch.
    if (!item.is_object()) return FunctionError(std::move(c), "a batchItemFailure is no object");
    auto id = item.find("itemIdentifier");
    if (id == item.end() || !id->is_string() || id->get_ref<const std::string&>().empty()) {
      return FunctionError(std::move(c), "a batchItemFailure has no valid itemIdentifier");
    }
    const std::string& text = id->get_ref<const std::string&>();
    std::optional<int64_t> sequence =
        rules.parse_position ? rules.parse_position(text) : std::nullopt;
    auto pos = sequence ? std::lower_bound(sequences.begin(), sequences.end(), *sequence)
                        : sequences.end();
    if (pos == sequences.end() || *pos != *sequence) {
      return FunctionError(std::move(c), "itemIdentifier " + text + " is not in the batch");
    }
    lowest = std::min(lowest, static_cast<size_t>(pos - sequences.begin()));
  }
  c.verdict = Verdict::kPartialFailure;
  c.first_failed = lowest;
  c.reason = "batchItemFailures from " + std::to_string(lowest);
  return c;
}

}  // namespace streamstack::esm
