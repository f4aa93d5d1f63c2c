// HTTP/1.x wire helpers shared by the server and the invoker: Beast parsers that fill our
// plain protocol/invoker values directly (no intermediate beast::http::fields, so one
// allocation per header string at most), and the response head serializer.
// Private to the http module. Stateless helpers; each parser is used by one coroutine.
#pragma once

#include <boost/beast/http/basic_parser.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "streamstack/common/http_call.h"
#include "streamstack/protocol/message.h"

namespace streamstack::http {

using BeastStringView = boost::beast::string_view;  // what Beast's parser callbacks take

// Parses one request into `*request` (method, target, headers as sent, body).
class RequestParser final : public boost::beast::http::basic_parser<true> {
 public:
  RequestParser(protocol::HttpRequest* request, size_t body_limit, size_t header_limit);

  int version() const { return version_; }
  // The request carried "Expect: 100-continue".
  bool expect_continue() const { return expect_continue_; }
  bool is_head() const { return is_head_; }

 private:
  void on_request_impl(boost::beast::http::verb method, BeastStringView method_str,
                       BeastStringView target, int version, boost::beast::error_code& ec) override;
  void on_response_impl(int, BeastStringView, int, boost::beast::error_code&) override {}
  void on_field_impl(boost::beast::http::field name, BeastStringView name_string,
                     BeastStringView value, boost::beast::error_code& ec) override;
  void on_header_impl(boost::beast::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         boost::beast::error_code& ec) override;
  size_t on_body_impl(BeastStringView body, boost::beast::error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t, BeastStringView, boost::beast::error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t, BeastStringView body,
                            boost::beast::error_code& ec) override;
  void on_finish_impl(boost::beast::error_code&) override {}

  protocol::HttpRequest* request_;
  int version_ = 11;
  bool expect_continue_ = false;
  bool is_head_ = false;
};

// Parses one response into `*result` (status, lower-cased header names, body).
class ResponseParser final : public boost::beast::http::basic_parser<false> {
 public:
  ResponseParser(HttpCallResult* result, size_t body_limit);

 private:
  void on_request_impl(boost::beast::http::verb, BeastStringView, BeastStringView, int,
                       boost::beast::error_code&) override {}
  void on_response_impl(int code, BeastStringView reason, int version,
                        boost::beast::error_code& ec) override;
  void on_field_impl(boost::beast::http::field name, BeastStringView name_string,
                     BeastStringView value, boost::beast::error_code& ec) override;
  void on_header_impl(boost::beast::error_code&) override {}
  void on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                         boost::beast::error_code& ec) override;
  size_t on_body_impl(BeastStringView body, boost::beast::error_code& ec) override;
  void on_chunk_header_impl(std::uint64_t, BeastStringView, boost::beast::error_code&) override {}
  size_t on_chunk_body_impl(std::uint64_t, BeastStringView body,
                            boost::beast::error_code& ec) override;
  void on_finish_impl(boost::beast::error_code&) override {}

  HttpCallResult* result_;
};

struct ResponseHeadOptions {
  int version = 11;           // 10 or 11, as the request was
  bool keep_alive = true;     // false: "Connection: close" (1.1); 1.0 gets "keep-alive" if true
  bool head_request = false;  // HEAD: keep a handler's Content-Length, send no body
};

// Appends the status line and header block of `response` to `*out`. Adds Server,
// x-amzn-RequestId and Content-Length unless the handler set them (Content-Length is always
// ours except for HEAD), drops handler-set Connection / Transfer-Encoding and any field with
// CR, LF or NUL. Returns whether the body must follow (false for HEAD, 1xx, 204, 304).
bool AppendResponseHead(const protocol::HttpResponse& response, const ResponseHeadOptions& opts,
                        std::string* out);

// A random UUID v4 for x-amzn-RequestId from a per-thread generator (not cryptographic:
// request ids only need to be unique, and this is on every request's path).
void AppendRequestId(std::string* out);

// ASCII case-insensitive equality for header names.
bool HeaderNameEquals(std::string_view a, std::string_view b);

}  // namespace streamstack::http
