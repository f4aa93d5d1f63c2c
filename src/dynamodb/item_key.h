// Item keys as storage orders them: key attribute values encoded to bytes whose memcmp order
// is DynamoDB's key order (S and B by unsigned bytes, N numerically), plus the shared
// "One or more parameter values..." error helpers. Private to the dynamodb module; pure
// functions, callable from any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "streamstack/common/status.h"
#include "streamstack/dynamodb/attribute_value.h"
#include "streamstack/dynamodb/table_store.h"

namespace streamstack::dynamodb {

// --- AWS error texts shared by the module ------------------------------------------------

// ResourceNotFoundException "Requested resource not found" (item operations).
Status NotFound();
// ResourceNotFoundException "Requested resource not found: Table: <name> not found" (table
// operations: DescribeTable, UpdateTable, DeleteTable, DescribeTimeToLive).
Status TableResourceNotFound(const std::string& table_name);
// "One or more parameter values were invalid: <detail>".
Status InvalidParameters(const std::string& detail);
// "1 validation error detected: Value <value> at '<member>' failed to satisfy constraint: ..."
Status ConstraintError(const std::string& value, const std::string& member,
                       const std::string& constraint);

// --- Key bytes ------------------------------------------------------------------------------

// A key attribute value as the bytes the items table orders by: S and B as their bytes
// (memcmp is DynamoDB's unsigned byte order), N as Number::SortKey().
std::string EncodeKeyValue(const AttributeValue& value);

// A partition key value as the items table (and an index's entries) store it: the first
// kPartitionHashBytes of the MD5 DynamoDB places partitions by, then EncodeKeyValue. Items of
// one partition stay together and in sort key order; partitions follow in hash order, so a
// Scan returns them in DynamoDB's order and a parallel scan's segment is one range of keys.
// The hash is MD5("Outliers" + the value's bytes: a string's UTF-8, a binary's bytes, a
// number's Number::HashBytes()), as dynalite found it; its Scan orders and segments were
// recorded against DynamoDB (test/scan.js, "hash order" and "hash segments").
inline constexpr size_t kPartitionHashBytes = 8;
std::string EncodePartitionKey(const AttributeValue& value);
// The key bytes of a secondary index's partition or sort key made of several attributes (a GSI
// with a multi-attribute key): each value's EncodeKeyValue bytes with every 0x00 written as
// 0x00 0xFF, then 0x00 0x01. memcmp then orders the tuples attribute by attribute, left to
// right, and every value's bytes begin every tuple that starts with it (a prefix of the sort
// attributes is a byte prefix). One attribute is its plain EncodeKeyValue bytes, as indexes
// have always stored it.
std::string EncodeCompositeKey(const std::vector<const AttributeValue*>& values);
// One value's part of a composite key, without (`terminated` false) its closing 0x00 0x01:
// begins_with(last sort attribute, p) is the range of the composite keys starting with the
// key's prefix followed by p's unterminated part.
std::string CompositeKeyPart(const AttributeValue& value, bool terminated = true);
// The partition key of an index entry: EncodePartitionKey's hash prefix, of the values' bytes
// one after another (assumed: how DynamoDB hashes a multi-attribute partition is not
// recorded), then EncodeCompositeKey. For one value it is EncodePartitionKey(value).
std::string EncodeIndexPartitionKey(const std::vector<const AttributeValue*>& values);

// AWS's size limits on a key attribute's value (UTF-8 bytes of a string, bytes of a binary):
// 2048 for a partition key, 1024 for a sort key, in a table's key and in an index's alike.
// The wording is AWS's, including "of2048" without a space (dynalite's recorded answers).
Status CheckKeySize(const AttributeValue& value, bool sort_key);

struct EncodedKey {
  std::string pk;
  std::string sk;  // empty without a sort key
  Item key;        // the key attributes only
};

// The item's key, checked as PutItem checks an item (missing key, type mismatch, empty).
Result<EncodedKey> KeyOfItem(const TableDefinition& table, const Item& item);
// A Key parameter (GetItem, DeleteItem, UpdateItem, BatchGetItem): exactly the key attributes.
Result<EncodedKey> KeyOfKeyParameter(const TableDefinition& table, const Item& key);

// The smallest byte string greater than `key` (key + '\0'): turns "> key" into ">= successor".
std::string KeySuccessor(std::string_view key);
// The smallest byte string greater than every string that starts with `prefix`, or nullopt
// when there is none (the prefix is all 0xFF bytes). begins_with(sk, p) is [p, bound).
std::optional<std::string> PrefixUpperBound(std::string_view prefix);
// A byte string greater than every encoded key: keys are at most 2048 bytes, and no encoded
// number or UTF-8 string starts with 0xFF.
const std::string& AboveEveryKey();

// Parallel scan: DynamoDB splits the first 12 bits of the partition hash (4096 buckets) into
// `total_segments` ranges, segment s holding buckets ceil(4096 s / T) to ceil(4096 (s+1) / T)
// - 1 (so with more than 4096 segments some are empty). Every partition is in exactly one
// segment; all items of a partition share it. (dynalite's rule, recorded against DynamoDB.)
int64_t SegmentOfPartition(std::string_view encoded_partition_key, int64_t total_segments);
// The stored partition keys of one segment: at or above `lower`, below `upper` (none: to the
// end); `empty` when the segment holds no bucket.
struct SegmentKeyRange {
  std::string lower;
  std::optional<std::string> upper;
  bool empty = false;
};
SegmentKeyRange SegmentKeys(int64_t segment, int64_t total_segments);

}  // namespace streamstack::dynamodb
