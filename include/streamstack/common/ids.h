// Identifiers shaped like AWS's: UUID v4, hex ids, and the ARNs of every resource we
// emulate. Pure functions; any thread may call them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace streamstack {

// A random UUID v4, lower-case, 36 characters ("14e0db71-5d35-4eb5-b481-8945cf9d10c2").
std::string NewUuidV4();
// `n_bytes` random bytes as lower-case hex (2 * n_bytes characters).
std::string RandomHex(size_t n_bytes);
// Lower-case hex of the given bytes.
std::string HexEncode(std::string_view bytes);
// SHA-256 of `data`, as raw bytes (32) or base64 (Lambda's CodeSha256).
std::string Sha256(std::string_view data);
std::string Base64Encode(std::string_view bytes);
// Decodes standard base64; returns false on malformed input.
bool Base64Decode(std::string_view text, std::string* out);
// MD5 of `data`, as raw bytes (16) or lower-case hex (SQS's MD5OfMessageBody).
std::string Md5(std::string_view data);
std::string Md5Hex(std::string_view data);

// ISO-8601 UTC with milliseconds ("2019-11-14T00:13:49.717Z") and without ("...:19Z").
std::string FormatIso8601Millis(int64_t epoch_millis);
std::string FormatIso8601Seconds(int64_t epoch_millis);
// Lambda's LastModified string for functions: "2019-11-14T00:13:49.717+0000".
std::string FormatLambdaTimestamp(int64_t epoch_millis);

// The identity every ARN carries.
struct AccountScope {
  std::string region = "us-east-1";
  std::string account_id = "000000000000";
};

namespace arn {
std::string Table(const AccountScope& s, std::string_view table);
// stream label: "2019-06-10T19:26:16.525"
std::string Stream(const AccountScope& s, std::string_view table, std::string_view label);
std::string Function(const AccountScope& s, std::string_view name);
std::string EventSourceMapping(const AccountScope& s, std::string_view uuid);
std::string Queue(const AccountScope& s, std::string_view name);
std::string Topic(const AccountScope& s, std::string_view name);
// The service an ARN names: "sqs" for arn:aws:sqs:...; empty when it is not an ARN's shape.
std::string ServiceOf(std::string_view arn);
// "arn:aws:logs:<region>:<account>:log-group:<name>" (DescribeLogGroups' logGroupArn; its
// `arn` member adds ":*").
std::string LogGroup(const AccountScope& s, std::string_view name);
}  // namespace arn

}  // namespace streamstack
