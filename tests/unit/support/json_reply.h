// A JSON protocol request as a client sends it, and its answer as the services' unit tests read
// it (status, __type, message), through the real router. Shared by the api and logs unit tests.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>
#include <utility>

#include "streamstack/protocol/message.h"

namespace streamstack::test_support {

// POST / with `target` ("Logs_20140328.CreateLogGroup") in X-Amz-Target.
inline protocol::HttpRequest JsonRequest(const std::string& target, const std::string& content_type,
                                         std::string body) {
  protocol::HttpRequest req;
  req.method = "POST";
  req.target = "/";
  req.headers.Set("Content-Type", content_type);
  req.headers.Set("X-Amz-Target", target);
  req.body = std::move(body);
  return req;
}

struct JsonReply {
  unsigned status = 0;
  nlohmann::json body;
  std::string type() const { return body.value("__type", ""); }
  // AWS names it "Message" in a SerializationException, "message" otherwise.
  std::string message() const {
    return body.contains("Message") ? body.value("Message", "") : body.value("message", "");
  }
};

// The answer's status and JSON body (a failed expectation when the body is no JSON).
inline JsonReply ReadJsonReply(const protocol::HttpResponse& out) {
  JsonReply reply;
  reply.status = out.status;
  reply.body = nlohmann::json::parse(out.body, nullptr, false);
  EXPECT_FALSE(reply.body.is_discarded()) << out.body;
  return reply;
}

}  // namespace streamstack::test_support
