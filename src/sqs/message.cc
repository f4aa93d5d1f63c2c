#include "streamstack/sqs/message.h"

#include <cstdint>

#include "streamstack/common/ids.h"

namespace streamstack::sqs {
namespace {

void AppendLengthPrefixed(std::string& out, std::string_view bytes) {
  auto n = static_cast<uint32_t>(bytes.size());
  out.push_back(static_cast<char>((n >> 24) & 0xff));
  out.push_back(static_cast<char>((n >> 16) & 0xff));
  out.push_back(static_cast<char>((n >> 8) & 0xff));
  out.push_back(static_cast<char>(n & 0xff));
  out.append(bytes);
}

Status Invalid(std::string message) {
  return {AwsError::kInvalidParameterValueQuery, std::move(message)};
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '.';
}

bool IsNumber(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  bool digits = false, dot = false;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      digits = true;
    } else if (s[i] == '.' && !dot) {
      dot = true;
    } else if ((s[i] == 'e' || s[i] == 'E') && digits) {
      ++i;
      if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
      if (i == s.size()) return false;
      for (; i < s.size(); ++i) {
        if (s[i] < '0' || s[i] > '9') return false;
      }
      return true;
    } else {
      return false;
    }
  }
  return digits;
}

}  // namespace

std::string Md5OfBody(std::string_view body) { return Md5Hex(body); }

std::string Md5OfMessageAttributes(const MessageAttributes& attributes) {
  if (attributes.empty()) return "";
  std::string buf;
  for (const auto& [name, value] : attributes) {
    AppendLengthPrefixed(buf, name);
    AppendLengthPrefixed(buf, value.data_type);
    if (value.IsBinary()) {
      buf.push_back(2);
      AppendLengthPrefixed(buf, value.binary_value);
    } else {
      buf.push_back(1);
      AppendLengthPrefixed(buf, value.string_value);
    }
  }
  return Md5Hex(buf);
}

bool IsValidMessageText(std::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    uint32_t cp;
    size_t len;
    unsigned char c = p[i];
    if (c < 0x80) {
      cp = c;
      len = 1;
    } else if ((c & 0xe0) == 0xc0) {
      cp = c & 0x1f;
      len = 2;
    } else if ((c & 0xf0) == 0xe0) {
      cp = c & 0x0f;
      len = 3;
    } else if ((c & 0xf8) == 0xf0) {
      cp = c & 0x07;
      len = 4;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    // Overlong encodings are invalid UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000)) {
      return false;
    }
    bool ok = cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
              (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
    if (!ok) return false;
    i += len;
  }
  return true;
}

size_t MessageAttributesSize(const MessageAttributes& attributes) {
  size_t total = 0;
  for (const auto& [name, value] : attributes) {
    total += name.size() + value.data_type.size() +
             (value.IsBinary() ? value.binary_value.size() : value.string_value.size());
  }
  return total;
}

Status ValidateMessageAttributes(const MessageAttributes& attributes) {
  if (attributes.size() > 10) {
    return Invalid("Number of message attributes [" + std::to_string(attributes.size()) +
                   "] exceeds the allowed maximum [10].");
  }
  for (const auto& [name, value] : attributes) {
    bool name_ok = !name.empty() && name.size() <= 256 && name.front() != '.' &&
                   name.back() != '.' && name.find("..") == std::string::npos;
    for (char c : name) name_ok = name_ok && IsNameChar(c);
    if (!name_ok) {
      return Invalid("Message (user) attribute name '" + name +
                     "' is invalid. The message attribute name can only contain upper and lower "
                     "case characters, numbers, underscore, hyphen, and period. It can not "
                     "start or end with a period or contain successive periods.");
    }
    if (name.starts_with("AWS.") || name.starts_with("Amazon.")) {
      return Invalid("Message (user) attribute name '" + name +
                     "' is invalid. The reserved prefixes 'AWS.' and 'Amazon.' are not allowed.");
    }
    const std::string& type = value.data_type;
    if (type.empty()) {
      return Invalid("The message attribute '" + name +
                     "' must contain non-empty message "
                     "attribute type.");
    }
    std::string base = type.substr(0, type.find('.'));
    if (base != "String" && base != "Number" && base != "Binary") {
      return Invalid("The type of message (user) attribute '" + name +
                     "' is invalid. You must "
                     "use only the following supported type prefixes: Binary, Number, String.");
    }
    if (type.size() > 256) {
      return Invalid("Message (user) attribute '" + name +
                     "' type must be less than 256 characters.");
    }
    if (base == "Binary") {
      if (value.binary_value.empty()) {
        return Invalid("The message attribute '" + name +
                       "' with type 'Binary' must use field 'Binary'.");
      }
    } else {
      if (value.string_value.empty()) {
        return Invalid("The message attribute '" + name + "' with type '" + base +
                       "' must use field 'String'.");
      }
      if (!IsValidMessageText(value.string_value)) {
        return Invalid("Message (user) attribute '" + name +
                       "' value contains invalid characters.");
      }
      if (base == "Number" && !IsNumber(value.string_value)) {
        return Invalid("Can't cast the value of message (user) attribute '" + name +
                       "' to a number.");
      }
    }
  }
  return Status::Ok();
}

}  // namespace streamstack::sqs
