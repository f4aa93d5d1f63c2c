// The HTTP request and response as every service sees them: plain values with no Beast
// types, so handlers are testable without sockets (tests/service/) and the core never
// sees HTTP. The http module converts to and from Beast at the socket.
// Values; a Responder may be called from any thread, exactly once.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace streamstack::protocol {

// Header names compare case-insensitively, as HTTP requires.
class Headers {
 public:
  void Set(std::string name, std::string value);
  void Add(std::string name, std::string value) {
    fields_.emplace_back(std::move(name), std::move(value));
  }
  // The first value of `name`, or empty.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query as sent: "/2015-03-31/functions?MaxItems=5"
  Headers headers;
  std::string body;
  std::string remote;       // peer address, for logs
  uint16_t local_port = 0;  // the port the request arrived on

  std::string_view path() const;   // target before '?'
  std::string_view query() const;  // target after '?', or empty
};

struct HttpResponse {
  unsigned status = 200;
  Headers headers;
  std::string body;
  // True when the connection must be closed after this response (a body over the limit,
  // an unparseable request).
  bool close = false;
};

// How a handler answers: exactly once, from any thread. Handlers that wait on storage's
// writer or on a function's HTTP call return at once and answer later.
using Responder = std::function<void(HttpResponse)>;
using Handler = std::function<void(HttpRequest&&, Responder)>;

}  // namespace streamstack::protocol
