#include "http/wire.h"

#include <boost/beast/http/error.hpp>
#include <boost/beast/http/status.hpp>

#include <array>
#include <charconv>
#include <random>
#include <thread>

namespace streamstack::http {
namespace {

namespace bhttp = boost::beast::http;

constexpr char kHexDigits[] = "0123456789abcdef";

bool SafeHeaderText(std::string_view s) {
  for (char c : s) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

bool SafeLength(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

char ToLowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

void AppendNumber(uint64_t n, std::string* out) {
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), n);
  out->append(buf, end);
}

// splitmix64, seeded per thread from std::random_device.
uint64_t NextRandom() {
  thread_local uint64_t state = [] {
    std::random_device rd;
    return (static_cast<uint64_t>(rd()) << 32) ^ rd() ^
           std::hash<std::thread::id>()(std::this_thread::get_id());
  }();
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

bool HeaderNameEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLowerAscii(a[i]) != ToLowerAscii(b[i])) return false;
  }
  return true;
}

// ---- RequestParser ----

RequestParser::RequestParser(protocol::HttpRequest* request, size_t body_limit, size_t header_limit)
    : request_(request) {
  this->body_limit(static_cast<std::uint64_t>(body_limit));
  this->header_limit(static_cast<std::uint32_t>(header_limit));
}

void RequestParser::on_request_impl(bhttp::verb method, BeastStringView method_str,
                                    BeastStringView target, int version,
                                    boost::beast::error_code&) {
  request_->method.assign(method_str.data(), method_str.size());
  request_->target.assign(target.data(), target.size());
  version_ = version;
  is_head_ = method == bhttp::verb::head;
}

void RequestParser::on_field_impl(bhttp::field name, BeastStringView name_string,
                                  BeastStringView value, boost::beast::error_code&) {
  if (name == bhttp::field::expect && HeaderNameEquals(value, "100-continue")) {
    expect_continue_ = true;
  }
  request_->headers.Add(std::string(name_string.data(), name_string.size()),
                        std::string(value.data(), value.size()));
}

void RequestParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                      boost::beast::error_code&) {
  // The parser has already checked content_length against body_limit.
  if (content_length) request_->body.reserve(static_cast<size_t>(*content_length));
}

size_t RequestParser::on_body_impl(BeastStringView body, boost::beast::error_code&) {
  request_->body.append(body.data(), body.size());
  return body.size();
}

size_t RequestParser::on_chunk_body_impl(std::uint64_t, BeastStringView body,
                                         boost::beast::error_code&) {
  request_->body.append(body.data(), body.size());
  return body.size();
}

// ---- ResponseParser ----

ResponseParser::ResponseParser(HttpCallResult* result, size_t body_limit) : result_(result) {
  this->body_limit(static_cast<std::uint64_t>(body_limit));
  this->header_limit(64u << 10);
}

void ResponseParser::on_response_impl(int code, BeastStringView, int, boost::beast::error_code&) {
  result_->status = static_cast<unsigned>(code);
}

void ResponseParser::on_field_impl(bhttp::field, BeastStringView name_string, BeastStringView value,
                                   boost::beast::error_code&) {
  std::string name(name_string.data(), name_string.size());
  for (char& c : name) c = ToLowerAscii(c);
  result_->headers.emplace_back(std::move(name), std::string(value.data(), value.size()));
}

void ResponseParser::on_body_init_impl(const boost::optional<std::uint64_t>& content_length,
                                       boost::beast::error_code&) {
  if (content_length) result_->body.reserve(static_cast<size_t>(*content_length));
}

size_t ResponseParser::on_body_impl(BeastStringView body, boost::beast::error_code&) {
  result_->body.append(body.data(), body.size());
  return body.size();
}

size_t ResponseParser::on_chunk_body_impl(std::uint64_t, BeastStringView body,
                                          boost::beast::error_code&) {
  result_->body.append(body.data(), body.size());
  return body.size();
}

// ---- Response head ----

void AppendRequestId(std::string* out) {
  std::array<unsigned char, 16> b;
  uint64_t hi = NextRandom(), lo = NextRandom();
  for (int i = 0; i < 8; ++i) {
    b[i] = static_cast<unsigned char>(hi >> (8 * i));
    b[8 + i] = static_cast<unsigned char>(lo >> (8 * i));
  }
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  char text[36];
  size_t p = 0;
  for (size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text[p++] = '-';
    text[p++] = kHexDigits[b[i] >> 4];
    text[p++] = kHexDigits[b[i] & 0xf];
  }
  out->append(text, sizeof(text));
}

bool AppendResponseHead(const protocol::HttpResponse& response, const ResponseHeadOptions& opts,
                        std::string* out) {
  const unsigned status = response.status;
  const bool bodiless = opts.head_request || status < 200 || status == 204 || status == 304;
  // RFC 9110: no Content-Length in 1xx and 204 responses. HEAD keeps a handler's (the
  // length the GET would have had).
  bool our_length = !(status < 200 || status == 204);
  if (our_length && opts.head_request) {
    for (const auto& field : response.headers.fields()) {
      if (HeaderNameEquals(field.first, "content-length")) our_length = false;
    }
  }

  out->append(opts.version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  AppendNumber(status, out);
  out->push_back(' ');
  BeastStringView reason = bhttp::obsolete_reason(static_cast<bhttp::status>(status));
  if (!reason.starts_with('<')) out->append(reason.data(), reason.size());  // "<unknown-status>"
  out->append("\r\n");

  bool has_server = false, has_request_id = false;
  for (const auto& [name, value] : response.headers.fields()) {
    if (name.empty() || !SafeHeaderText(name) || !SafeHeaderText(value)) continue;
    if (HeaderNameEquals(name, "connection") || HeaderNameEquals(name, "transfer-encoding")) {
      continue;
    }
    if (HeaderNameEquals(name, "content-length")) {
      if (our_length || status < 200 || status == 204 || !SafeLength(value)) continue;
    } else if (HeaderNameEquals(name, "server")) {
      has_server = true;
    } else if (HeaderNameEquals(name, "x-amzn-requestid")) {
      has_request_id = true;
    }
    out->append(name);
    out->append(": ");
    out->append(value);
    out->append("\r\n");
  }
  if (!has_server) out->append("Server: StreamStack\r\n");
  if (!has_request_id) {
    out->append("x-amzn-RequestId: ");
    AppendRequestId(out);
    out->append("\r\n");
  }
  if (our_length) {
    out->append("Content-Length: ");
    AppendNumber(response.body.size(), out);
    out->append("\r\n");
  }
  if (!opts.keep_alive) {
    if (opts.version != 10) out->append("Connection: close\r\n");
  } else if (opts.version == 10) {
    out->append("Connection: keep-alive\r\n");
  }
  out->append("\r\n");
  return !bodiless;
}

}  // namespace streamstack::http
