#include "dynamodb/item_key.h"

#include "streamstack/common/ids.h"

namespace streamstack::dynamodb {

Status NotFound() { return Status(AwsError::kResourceNotFound, "Requested resource not found"); }

// AWS's words as recorded (dynalite's describeTable, deleteTable, updateTable and
// describeTimeToLive tests) and as the aws CLI prints them to users.
Status TableResourceNotFound(const std::string& table_name) {
  return Status(AwsError::kResourceNotFound,
                "Requested resource not found: Table: " + table_name + " not found");
}

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

namespace {

// The bytes DynamoDB hashes a partition key value by: a string's UTF-8, a binary's bytes, a
// number's internal form.
std::string HashedBytes(const AttributeValue& value) {
  return value.type() == AttributeType::kN ? value.n().HashBytes() : value.s();
}

std::string PartitionHashPrefix(const std::string& hashed_bytes) {
  return Md5("Outliers" + hashed_bytes).substr(0, kPartitionHashBytes);
}

}  // namespace

std::string EncodePartitionKey(const AttributeValue& value) {
  return PartitionHashPrefix(HashedBytes(value)) + EncodeKeyValue(value);
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

std::string EncodeIndexPartitionKey(const std::vector<const AttributeValue*>& values) {
  std::string hashed;
  for (const AttributeValue* value : values) hashed += HashedBytes(*value);
  return PartitionHashPrefix(hashed) + EncodeCompositeKey(values);
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
    *encoded = encoded == &out.pk ? EncodePartitionKey(it->second) : EncodeKeyValue(it->second);
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

namespace {

constexpr int64_t kHashBuckets = 4096;  // the first 12 bits of the partition hash

// The first bucket of `segment`: ceil(4096 * segment / total).
int64_t FirstBucket(int64_t segment, int64_t total_segments) {
  return (kHashBuckets * segment + total_segments - 1) / total_segments;
}

// The stored-key bytes below which no partition of bucket `bucket` sorts.
std::string BucketStart(int64_t bucket) {
  return {static_cast<char>(bucket >> 4), static_cast<char>((bucket & 0xF) << 4)};
}

}  // namespace

int64_t SegmentOfPartition(std::string_view encoded_partition_key, int64_t total_segments) {
  if (encoded_partition_key.size() < 2) return 0;
  const auto byte = [&](size_t i) {
    return static_cast<int64_t>(static_cast<unsigned char>(encoded_partition_key[i]));
  };
  const int64_t bucket = (byte(0) << 4) | (byte(1) >> 4);
  // The largest s with ceil(4096 s / T) <= bucket.
  return bucket * total_segments / kHashBuckets;
}

SegmentKeyRange SegmentKeys(int64_t segment, int64_t total_segments) {
  const int64_t first = FirstBucket(segment, total_segments);
  const int64_t end = FirstBucket(segment + 1, total_segments);
  SegmentKeyRange range;
  range.lower = BucketStart(first);
  if (end < kHashBuckets) range.upper = BucketStart(end);
  range.empty = first >= end;
  return range;
}

}  // namespace streamstack::dynamodb
