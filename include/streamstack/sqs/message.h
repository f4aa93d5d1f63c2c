// sqs: message attributes and the digests SQS answers with (MD5OfMessageBody,
// MD5OfMessageAttributes). Pure values and functions, no storage; any thread may call them.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "streamstack/common/status.h"

namespace streamstack::sqs {

// One message attribute as SQS (and SNS) carry it. `data_type` is "String", "Number" or
// "Binary", optionally followed by ".<custom label>" ("Number.float").
struct MessageAttributeValue {
  std::string data_type;
  std::string string_value;  // String and Number types
  std::string binary_value;  // Binary types: the raw bytes (the wire carries them base64)

  bool IsBinary() const { return std::string_view(data_type).starts_with("Binary"); }
  bool operator==(const MessageAttributeValue&) const = default;
};

// Sorted by name, which is the order MD5OfMessageAttributes digests them in.
using MessageAttributes = std::map<std::string, MessageAttributeValue>;

// Lower-case hex MD5 of the body's UTF-8 bytes (MD5OfMessageBody / MD5OfBody).
std::string Md5OfBody(std::string_view body);

// MD5OfMessageAttributes as AWS computes it: for each attribute in name order, the name,
// the data type and the value, each as a 4-byte big-endian length followed by its bytes,
// with a one-byte transport type (1 = string, 2 = binary) before the value. Empty string
// when there are no attributes (AWS then omits the member).
std::string Md5OfMessageAttributes(const MessageAttributes& attributes);

// AWS's checks on message attributes (at most 10; names 1-256 characters of
// [A-Za-z0-9_.-], not starting with "AWS." or "Amazon.", no "..", not starting or ending
// with '.'; a data type of String/Number/Binary[.label]; a value that matches the type).
// kInvalidParameterValueQuery with AWS's message otherwise.
Status ValidateMessageAttributes(const MessageAttributes& attributes);

// True when every character is one SQS accepts in a body or string attribute:
// #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF (valid UTF-8).
bool IsValidMessageText(std::string_view text);

// Total bytes AWS counts against MaximumMessageSize for attributes: name + type + value.
size_t MessageAttributesSize(const MessageAttributes& attributes);

}  // namespace streamstack::sqs
