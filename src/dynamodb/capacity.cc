#include "dynamodb/capacity.h"

#include <algorithm>

namespace streamstack::dynamodb {
namespace {

// Whole units of `unit_bytes` covering `bytes`, at least one: a read of a missing item and a
// delete of one still consume a unit.
int64_t UnitsCovering(int64_t bytes, int64_t unit_bytes) {
  if (bytes <= 0) return 1;
  return (bytes + unit_bytes - 1) / unit_bytes;
}

CapacityUnits* IndexShare(ConsumedCapacity* c, const IndexEntryWrite& w) {
  auto& by_name = w.global ? c->global_secondary_indexes : c->local_secondary_indexes;
  return &by_name[w.index_name];
}

}  // namespace

ReadConsistency ReadConsistencyOf(bool consistent_read) {
  return consistent_read ? ReadConsistency::kStrong : ReadConsistency::kEventual;
}

double ReadUnits(int64_t bytes, ReadConsistency consistency) {
  const double units = static_cast<double>(UnitsCovering(bytes, kReadUnitBytes));
  switch (consistency) {
    case ReadConsistency::kEventual:
      return units / 2;
    case ReadConsistency::kStrong:
      return units;
    case ReadConsistency::kTransactional:
      return units * 2;
  }
  return units;
}

double WriteUnits(int64_t bytes, WriteMode mode) {
  const double units = static_cast<double>(UnitsCovering(bytes, kWriteUnitBytes));
  return mode == WriteMode::kTransactional ? units * 2 : units;
}

int64_t ChargedWriteBytes(const ItemWriteSizes& sizes) {
  return std::max(sizes.before_size.value_or(0), sizes.after_size.value_or(0));
}

double IndexWriteUnits(const IndexEntryWrite& w) {
  if (!w.before_size && !w.after_size) return 0;
  if (!w.before_size) return WriteUnits(*w.after_size);  // the item entered the index
  if (!w.after_size) return WriteUnits(*w.before_size);  // the item left it
  if (w.key_changed) return WriteUnits(*w.before_size) + WriteUnits(*w.after_size);
  return WriteUnits(std::max(*w.before_size, *w.after_size));
}

ConsumedCapacity ChargeItemWrite(const std::string& table_name, const ItemWriteSizes& sizes,
                                 WriteMode mode) {
  ConsumedCapacity c;
  c.table_name = table_name;
  c.table.write = WriteUnits(ChargedWriteBytes(sizes), mode);
  for (const IndexEntryWrite& w : sizes.index_writes) {
    const double units = IndexWriteUnits(w);
    if (units > 0) IndexShare(&c, w)->write += units;
  }
  return c;
}

ConsumedCapacity ChargeConditionCheck(const std::string& table_name,
                                      std::optional<int64_t> item_size) {
  ConsumedCapacity c;
  c.table_name = table_name;
  c.table.write = WriteUnits(item_size.value_or(0), WriteMode::kTransactional);
  return c;
}

}  // namespace streamstack::dynamodb
