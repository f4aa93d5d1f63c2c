#include "http/wire.h"

#include <gtest/gtest.h>

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/error.hpp>

#include <string>

namespace streamstack::http {
namespace {

protocol::HttpResponse Response(unsigned status, std::string body) {
  protocol::HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  return response;
}

std::string Head(const protocol::HttpResponse& response, ResponseHeadOptions options,
                 bool* with_body = nullptr) {
  std::string out;
  bool body = AppendResponseHead(response, options, &out);
  if (with_body != nullptr) *with_body = body;
  return out;
}

TEST(AppendResponseHeadTest, AddsFramingAndIdentity) {
  bool with_body = false;
  std::string head = Head(Response(200, "{}"), {}, &with_body);
  EXPECT_TRUE(with_body);
  EXPECT_EQ(head.rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  EXPECT_NE(head.find("\r\nServer: StreamStack\r\n"), std::string::npos);
  EXPECT_NE(head.find("\r\nContent-Length: 2\r\n"), std::string::npos);
  const size_t id = head.find("\r\nx-amzn-RequestId: ");
  ASSERT_NE(id, std::string::npos);
  const std::string uuid = head.substr(id + 20, 36);
  EXPECT_EQ(uuid[8], '-');
  EXPECT_EQ(uuid[14], '4');  // version 4
  EXPECT_EQ(head.find("Connection"), std::string::npos);
  EXPECT_TRUE(head.ends_with("\r\n\r\n"));
}

TEST(AppendResponseHeadTest, RequestIdsDiffer) {
  EXPECT_NE(Head(Response(200, ""), {}), Head(Response(200, ""), {}));
}

TEST(AppendResponseHeadTest, StatusRules) {
  struct Case {
    unsigned status;
    bool head_request;
    bool expect_body;
    bool expect_length;
    const char* status_line;
  } cases[] = {
      {204, false, false, false, "HTTP/1.1 204 No Content\r\n"},
      {304, false, false, true, "HTTP/1.1 304 Not Modified\r\n"},
      {413, false, true, true, "HTTP/1.1 413 Payload Too Large\r\n"},
      {200, true, false, true, "HTTP/1.1 200 OK\r\n"},
      {299, false, true, true, "HTTP/1.1 299 \r\n"},
  };
  for (const auto& c : cases) {
    bool with_body = true;
    std::string head = Head(Response(c.status, "abc"), {11, true, c.head_request}, &with_body);
    EXPECT_EQ(with_body, c.expect_body) << c.status;
    EXPECT_EQ(head.find("Content-Length") != std::string::npos, c.expect_length) << c.status << "\n"
                                                                                 << head;
    EXPECT_EQ(head.rfind(c.status_line, 0), 0u) << head;
  }
}

TEST(AppendResponseHeadTest, HeadKeepsHandlerLength) {
  protocol::HttpResponse response = Response(200, "");
  response.headers.Add("content-length", "1234");
  std::string head = Head(response, {11, true, true});
  EXPECT_NE(head.find("\r\ncontent-length: 1234\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.find("Content-Length: 0"), std::string::npos) << head;
}

TEST(AppendResponseHeadTest, ConnectionHeaderByVersion) {
  EXPECT_NE(Head(Response(200, ""), {11, false, false}).find("\r\nConnection: close\r\n"),
            std::string::npos);
  EXPECT_NE(Head(Response(200, ""), {10, true, false}).find("\r\nConnection: keep-alive\r\n"),
            std::string::npos);
  std::string old_close = Head(Response(200, ""), {10, false, false});
  EXPECT_EQ(old_close.rfind("HTTP/1.0 200 OK\r\n", 0), 0u);
  EXPECT_EQ(old_close.find("Connection"), std::string::npos);
}

TEST(AppendResponseHeadTest, DropsUnsafeAndFramingHeaders) {
  protocol::HttpResponse response = Response(200, "x");
  response.headers.Add("Transfer-Encoding", "chunked");
  response.headers.Add("Connection", "keep-alive");
  response.headers.Add("X-Split", "a\nb");
  response.headers.Add("Bad\rName", "v");
  response.headers.Add("", "v");
  response.headers.Add("X-Fine", "ok");
  std::string head = Head(response, {});
  EXPECT_EQ(head.find("chunked"), std::string::npos);
  EXPECT_EQ(head.find("keep-alive"), std::string::npos);
  EXPECT_EQ(head.find("X-Split"), std::string::npos);
  EXPECT_EQ(head.find("Bad"), std::string::npos);
  EXPECT_NE(head.find("\r\nX-Fine: ok\r\n"), std::string::npos);
}

TEST(RequestParserTest, FillsRequest) {
  protocol::HttpRequest request;
  RequestParser parser(&request, 1024, 8192);
  parser.eager(true);
  const std::string wire =
      "PUT /2015-03-31/functions/f/configuration?x=1 HTTP/1.0\r\nHost: h\r\n"
      "X-Amz-Target: T\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello";
  boost::beast::error_code ec;
  const size_t used = parser.put(boost::asio::buffer(wire), ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(used, wire.size());
  EXPECT_TRUE(parser.is_done());
  EXPECT_EQ(request.method, "PUT");
  EXPECT_EQ(request.target, "/2015-03-31/functions/f/configuration?x=1");
  EXPECT_EQ(request.body, "hello");
  EXPECT_EQ(parser.version(), 10);
  EXPECT_TRUE(parser.expect_continue());
  ASSERT_EQ(request.headers.fields().size(), 4u);
  EXPECT_EQ(request.headers.fields()[1].first, "X-Amz-Target");  // as sent
}

TEST(RequestParserTest, LimitsAreErrors) {
  protocol::HttpRequest request;
  RequestParser body_parser(&request, 4, 8192);
  boost::beast::error_code ec;
  body_parser.put(boost::asio::buffer(std::string("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n")),
                  ec);
  EXPECT_EQ(ec, boost::beast::http::error::body_limit);

  RequestParser header_parser(&request, 4, 64);
  header_parser.put(
      boost::asio::buffer("GET / HTTP/1.1\r\nX: " + std::string(100, 'a') + "\r\n\r\n"), ec);
  EXPECT_EQ(ec, boost::beast::http::error::header_limit);
}

TEST(ResponseParserTest, LowerCasesHeaderNames) {
  HttpCallResult result;
  ResponseParser parser(&result, 1024);
  parser.eager(true);
  boost::beast::error_code ec;
  parser.put(boost::asio::buffer(
                 std::string("HTTP/1.1 502 Bad Gateway\r\nX-Amz-Function-Error: Unhandled\r\n"
                             "Content-Length: 2\r\n\r\n{}")),
             ec);
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(result.status, 502u);
  ASSERT_NE(result.Header("x-amz-function-error"), nullptr);
  EXPECT_EQ(*result.Header("x-amz-function-error"), "Unhandled");
  EXPECT_EQ(result.body, "{}");
}

TEST(HeaderNameEqualsTest, IgnoresAsciiCase) {
  EXPECT_TRUE(HeaderNameEquals("Content-Length", "content-length"));
  EXPECT_FALSE(HeaderNameEquals("Content-Length", "content-lengt"));
  EXPECT_FALSE(HeaderNameEquals("a", "b"));
}

}  // namespace
}  // namespace streamstack::http
