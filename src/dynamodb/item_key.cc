#include "dynamodb/item_key.h"

namespace streamstack::dynamodb {

Status NotFound() { return Status(AwsError::kResourceNotFound, "Requested resource not found"); }

Status InvalidParameters(const std::string& detail) {
  return ValidationError("One or more parameter values were invalid: " + detail);
}

Status ConstraintError(const std::string& value, const std::string& member,
                       const std::string& constraint) {
  return ValidationError("1 validation error detected: Value " + value + " at '" + member +
                         "' failed to satisfy constraint: " + constraint);
}

std::string EncodeKeyValue(const AttributeValue& value) {
  return value.type() == AttributeType::kN ? value.n().SortKey() : value.s();
}

std::string CompositeKeyPart(const AttributeValue& value, bool terminated) {
  const std::string bytes = EncodeKeyValue(value);
  std::string out;
  out.reserve(bytes.size() + 2);
  for (char c : bytes) {
    out.push_back(c);
    if (c == '\0') out.push_back('\xff');  // an escaped 0x00 sorts above the terminator
  }
  if (terminated) out.append("\0\x01", 2);
  return out;
}

std::string EncodeCompositeKey(const std::vector<const AttributeValue*>& values) {
  if (values.size() == 1) return EncodeKeyValue(*values[0]);
  std::string out;
  for (const AttributeValue* value : values) out += CompositeKeyPart(*value);
  return out;
}

Status CheckKeySize(const AttributeValue& value, bool sort_key) {
  if (value.type() == AttributeType::kN) return Status::Ok();  // at most 21 bytes
  size_t size = value.s().size();
  if (!sort_key && size > 2048) {
    return InvalidParameters("Size of hashkey has exceeded the maximum size limit of2048 bytes");
  }
  if (sort_key && size > 1024) {
    return InvalidParameters(
        "Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
  }
  return Status::Ok();
}

Result<EncodedKey> KeyOfItem(const TableDefinition& table, const Item& item) {
  EncodedKey out;
  auto take = [&](const KeyAttribute& attr, std::string* encoded) -> Status {
    auto it = item.find(attr.name);
    if (it == item.end()) {
      return InvalidParameters("Missing the key " + attr.name + " in the item");
    }
    if (it->second.type() != attr.type) {
      return InvalidParameters("Type mismatch for key " + attr.name +
                               " expected: " + AttributeTypeName(attr.type) +
                               " actual: " + AttributeTypeName(it->second.type()));
    }
    if (attr.type != AttributeType::kN && it->second.s().empty()) {
      return ValidationError(
          std::string("One or more parameter values are not valid. The AttributeValue for a key "
                      "attribute cannot contain an empty ") +
          (attr.type == AttributeType::kS ? "string" : "binary") + " value. Key: " + attr.name);
    }
    STREAMSTACK_RETURN_IF_ERROR(CheckKeySize(it->second, encoded == &out.sk));
    *encoded = EncodeKeyValue(it->second);
    out.key.emplace(attr.name, it->second);
    return Status::Ok();
  };
  STREAMSTACK_RETURN_IF_ERROR(take(table.hash_key, &out.pk));
  if (table.range_key) STREAMSTACK_RETURN_IF_ERROR(take(*table.range_key, &out.sk));
  return out;
}

Result<EncodedKey> KeyOfKeyParameter(const TableDefinition& table, const Item& key) {
  size_t expected = table.range_key ? 2 : 1;
  bool shape_ok = key.size() == expected && key.count(table.hash_key.name) == 1 &&
                  (!table.range_key || key.count(table.range_key->name) == 1);
  if (!shape_ok) return ValidationError("The provided key element does not match the schema");
  for (const auto& [name, value] : key) {
    const KeyAttribute& attr = name == table.hash_key.name ? table.hash_key : *table.range_key;
    if (value.type() != attr.type) {
      return ValidationError("The provided key element does not match the schema");
    }
  }
  return KeyOfItem(table, key);
}

std::string KeySuccessor(std::string_view key) {
  std::string out(key);
  out.push_back('\0');
  return out;
}

std::optional<std::string> PrefixUpperBound(std::string_view prefix) {
  std::string out(prefix);
  while (!out.empty() && static_cast<unsigned char>(out.back()) == 0xFF) out.pop_back();
  if (out.empty()) return std::nullopt;
  out.back() = static_cast<char>(static_cast<unsigned char>(out.back()) + 1);
  return out;
}

const std::string& AboveEveryKey() {
  static const std::string kAbove(2049, '\xff');
  return kAbove;
}

int64_t SegmentOfPartition(std::string_view encoded_partition_key, int64_t total_segments) {
  // FNV-1a, then a multiply-shift onto [0, total_segments): each segment gets an equal share
  // of the hash range.
  uint64_t hash = 14695981039346656037ULL;
  for (char c : encoded_partition_key) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  // Mix the high bits down: FNV's low-entropy high bits would skew short keys.
  hash ^= hash >> 33;
  hash *= 0xff51afd7ed558ccdULL;
  hash ^= hash >> 33;
  // Top 32 bits times at most 10^6 segments fits in 64 bits.
  return static_cast<int64_t>(((hash >> 32) * static_cast<uint64_t>(total_segments)) >> 32);
}

}  // namespace streamstack::dynamodb
