// TableStore's item reads and writes. PutItem, UpdateItem and DeleteItem are checked and
// parsed on the caller's thread and then run the one conditional-write path
// (Impl::RunConditionalWrite, item_write.h) in a write job; their `done` runs on the storage
// completion thread. Reads run on the caller's thread with a reader connection.
#include <algorithm>
#include <set>
#include <tuple>
#include <type_traits>

#include "dynamodb/capacity.h"
#include "dynamodb/item_write.h"
#include "dynamodb/read_store.h"
#include "dynamodb/secondary_index.h"
#include "dynamodb/table_store_impl.h"
#include "streamstack/common/violations.h"

namespace streamstack::dynamodb {
namespace {

constexpr size_t kMaxBatchWriteRequests = 25;
constexpr size_t kMaxTransactItems = 100;
// Two actions of one transaction on one item (TransactWriteItems, and TransactGetItems too).
constexpr char kMultipleOperationsOnOneItem[] =
    "Transaction request cannot include multiple operations on one item";
// "The aggregate size of the items in the transaction cannot exceed 4 MB" (the
// TransactWriteItems reference). What counts is the Put items' sizes; an Update's image is
// known only when it runs, so it does not count here.
constexpr int64_t kMaxTransactionBytes = 4 * 1024 * 1024;

// ReturnValues that select nothing answer no Attributes member at all.
Result<WriteOutcome> OutcomeOf(WriteOutcome out) {
  if (out.attributes && out.attributes->empty()) out.attributes.reset();
  return out;
}

// A key fault a transaction answers as its item's cancellation reason (ValidationError), not
// for the whole request: a key over its size, or of another type than the table declares
// (ExtendDB's transaction tests, captured from DynamoDB), and an index key of the wrong type,
// in a Put's item or in an Update's new image (a DynamoDB conformance suite's
// transactWriteIndexKeys captures). An empty key or index key value stays the request's fault,
// as recorded there too.
bool IsItemKeyFault(const Status& st) {
  if (st.code() != AwsError::kValidation) return false;
  const std::string& m = st.message();
  for (const char* fault :
       {"Size of hashkey has exceeded", "Aggregated size of all range keys has exceeded",
        "Type mismatch for key", "The provided key element does not match",
        "Type mismatch for Index Key"}) {
    if (m.find(fault) != std::string::npos) return true;
  }
  return false;
}

// The transaction cancelled for its items' key faults (ValidationError for those, None for the
// rest, whose conditions are not evaluated), or Ok when no item has one.
Status CancelledForKeyFaults(const std::vector<Status>& faults) {
  if (std::all_of(faults.begin(), faults.end(), [](const Status& f) { return f.ok(); })) {
    return Status::Ok();
  }
  nlohmann::json reasons = nlohmann::json::array();
  for (const Status& fault : faults) {
    if (fault.ok()) {
      reasons.push_back({{"Code", "None"}});
    } else {
      reasons.push_back({{"Code", "ValidationError"}, {"Message", fault.message()}});
    }
  }
  return TransactionCanceled(std::move(reasons));
}

// Nesting (answered in InValidationEnvelope where AWS does). AWS reads a request's values deeper
// than an item may be stored (AttributeValue::kMaxRequestDepth), then holds what a write would
// store to kMaxNestingDepth, and answers differently per operation (a DynamoDB conformance suite's
// captures, us-east-1 and four more regions, 2026-10-08/09): PutItem's item and UpdateItem's
// values inside the "1 validation error detected" envelope, BatchWriteItem's and a
// transaction's Put items without it. A value only compared by a condition is not held to it.
// UpdateItem: every ExpressionAttributeValue is held to the stored depth, whatever uses it
// (AWS refuses one that only a condition compares, in most regions).
Status CheckUpdateValuesNesting(const ExpressionInput& in) {
  if (!in.values) return Status::Ok();
  for (const auto& [placeholder, value] : *in.values) {
    if (value.Depth() > AttributeValue::kMaxNestingDepth) return ValidationError(kNestingExceeded);
  }
  return Status::Ok();
}

// TransactWriteItems checks each action in the request's order, and all of them before it looks
// up any table (a DynamoDB conformance suite's validation-ordering captures: a later action's
// syntax error before an earlier action's missing table; an earlier action's too deep key before
// a later action's syntax error). An action's expressions come first. Then its item or key is
// held to the stored depth; an ExpressionAttributeValue may be one level deeper (AWS's second
// limit in 30 regions, us-east-1 among them), past which it is refused naming its key. What an
// Update would store is checked when the transaction runs (a ValidationError reason).
// Returns the action's parsed expressions.
Result<ParsedWriteExpressions> CheckTransactionAction(TransactWriteRequest::Action& a) {
  // A Put's attribute names come first (the suite's captures: an empty one before a later
  // action's fault, and before a value of its own item too deep to read).
  if (a.kind == TransactWriteRequest::Action::Kind::kPut && a.item_has_empty_name) {
    return ValidationError(kEmptyAttributeName);
  }
  // Then its expressions, before a key too deep to read (the suite's captures: a syntax error,
  // an oversized condition, an unused value).
  STREAMSTACK_RETURN_IF_ERROR(a.unread_expressions);
  IgnoreMapsWithoutExpression(a.expressions);
  STREAMSTACK_ASSIGN_OR_RETURN(ParsedWriteExpressions parsed, ParseWriteExpressions(a.expressions));
  STREAMSTACK_RETURN_IF_ERROR(a.unread_item);
  STREAMSTACK_RETURN_IF_ERROR(CheckItemNesting(a.item));
  if (!a.expressions.values) return parsed;
  constexpr int kMaxValueDepth = AttributeValue::kMaxNestingDepth + 1;
  for (const auto& [placeholder, value] : *a.expressions.values) {
    if (value.Depth() > kMaxValueDepth) {
      return ValidationError(std::string("ExpressionAttributeValues contains invalid value: ") +
                             kNestingExceeded + " for key " + placeholder);
    }
  }
  return parsed;
}

// TransactWriteItems reference: "A client request token is valid for 10 minutes after the first
// request that uses it is completed."
constexpr int64_t kClientRequestTokenWindowMs = 10 * 60 * 1000;

// ItemCollectionMetrics of a batch or transaction: each collection it wrote to, once, after the
// writes, for the tables with local secondary indexes (the only ones AWS reports).
Status AddItemCollectionMetrics(storage::Database& db, const TableDefinition& table,
                                const EncodedKey& key, MultiWriteOutcome* outcome) {
  if (table.local_secondary_indexes.empty()) return Status::Ok();
  auto& collections = outcome->item_collection_metrics[table.name];
  const std::string& partition_key = table.key_schema.front().name;
  for (const ItemCollectionMetrics& seen : collections) {
    if (seen.key == Item{{partition_key, key.key.at(partition_key)}}) return Status::Ok();
  }
  STREAMSTACK_ASSIGN_OR_RETURN(ItemCollectionMetrics metrics,
                               MeasureItemCollection(db, table, key));
  collections.push_back(std::move(metrics));
  return Status::Ok();
}

// The short reason AWS gives an Update whose image would be nested too deep.
constexpr char kNestingReason[] = "Nesting Levels have exceeded supported limits";

// A conditional write on its way through the writer thread, with what it will answer.
struct PendingWrite {
  ConditionalWrite write;
  WriteOutcome outcome;
};

}  // namespace

// One allocation (the PendingWrite the job and its done share); the item is not copied.
void TableStore::Impl::QueueConditionalWrite(ConditionalWrite write, WriteDone done) {
  auto pending = std::make_shared<PendingWrite>(PendingWrite{std::move(write), {}});
  store.Write(
      [this, pending](storage::WriteContext& ctx) -> Status {
        STREAMSTACK_ASSIGN_OR_RETURN(pending->outcome, RunConditionalWrite(ctx, pending->write));
        return Status::Ok();
      },
      [pending, done = std::move(done)](Status st) {
        if (!st.ok()) return done(st);
        done(OutcomeOf(std::move(pending->outcome)));
      },
      kDoneOffWriter);
}

// A ClientRequestToken already used by a transaction that succeeded within the window: its
// request's fingerprint, or nullptr (never used, or too long ago). Writer thread.
const std::string* TableStore::Impl::RecentTransactionToken(const std::string& token,
                                                            int64_t now_ms) const {
  auto it = transaction_tokens.find(token);
  if (it == transaction_tokens.end()) return nullptr;
  if (now_ms - it->second.completed_ms >= kClientRequestTokenWindowMs) return nullptr;
  return &it->second.fingerprint;
}

// Records the token of a transaction that succeeded, and forgets the tokens whose window has
// passed. Writer thread; the last step of the transaction's write job.
void TableStore::Impl::RememberTransactionToken(const std::string& token,
                                                const std::string& fingerprint, int64_t now_ms) {
  auto& by_time = transaction_tokens_by_time;
  while (!by_time.empty() && now_ms - by_time.front().first >= kClientRequestTokenWindowMs) {
    auto it = transaction_tokens.find(by_time.front().second);
    if (it != transaction_tokens.end() && it->second.completed_ms == by_time.front().first) {
      transaction_tokens.erase(it);
    }
    by_time.pop_front();
  }
  transaction_tokens[token] = {fingerprint, now_ms};
  by_time.emplace_back(now_ms, token);
}

namespace {

// PutItem's, UpdateItem's and DeleteItem's own checks, which need no table, in AWS's order: what
// it would store (`stored`: its names and depth), ReturnValues, then its expressions. AWS's current
// validation layer answers each inside "1 validation error detected: " (a DynamoDB
// conformance suite's captures in eu-west-2 and us-east-1, 2026-10-09: empty expressions,
// undefined placeholders, ReturnValues; users' logs of the reserved-word error). Returns the
// parsed expressions.
template <typename Request>
Result<ParsedWriteExpressions> SingleItemWriteChecks(const Request& request, Status stored) {
  if (!stored.ok()) return InValidationEnvelope(std::move(stored));
  if constexpr (!std::is_same_v<Request, UpdateItemRequest>) {
    Status st = CheckOldOnlyReturnValues(request.return_values);
    if (!st.ok()) return InValidationEnvelope(std::move(st));
  }
  auto parsed = ParseWriteExpressions(request.expressions);
  if (!parsed.ok()) return InValidationEnvelope(parsed.status());
  return parsed;
}

// The one conditional write of a PutItem, UpdateItem or DeleteItem request, with the settings
// of what it answers.
template <typename Request>
ConditionalWrite MakeConditionalWrite(WriteKind kind, std::shared_ptr<const TableDefinition> table,
                                      EncodedKey key, Item item, ParsedWriteExpressions parsed,
                                      const Request& request, std::optional<int64_t> item_size) {
  ConditionalWrite write{kind,
                         std::move(table),
                         std::move(key),
                         std::move(item),
                         std::move(parsed),
                         request.return_values,
                         request.return_old_on_condition_failure,
                         item_size};
  write.return_item_collection_metrics = request.return_item_collection_metrics;
  return write;
}

}  // namespace

// AWS's text, recorded by dynalite's putItem.js and ExtendDB's wording tests.
Status CheckOldOnlyReturnValues(ReturnValues return_values) {
  if (return_values != ReturnValues::kNone && return_values != ReturnValues::kAllOld) {
    return ValidationError("ReturnValues can only be ALL_OLD or NONE");
  }
  return Status::Ok();
}

void TableStore::PutItem(PutItemRequest request, WriteDone done) {
  // The request's own checks (its depth, ReturnValues, its expressions) come before the table
  // is looked up (dynalite's putItem tests, recorded against DynamoDB, name a missing table),
  // each inside the validation envelope (SingleItemWriteChecks); the item's size after them.
  auto parsed = SingleItemWriteChecks(request, CheckItemToWrite(request.item));
  if (!parsed.ok()) return done(parsed.status());
  auto size = MeasureItemSize(request.item, "Item size has exceeded the maximum allowed size");
  if (!size.ok()) return done(size.status());
  auto table = impl_->Find(request.table_name);
  if (!table) return done(NotFound());
  auto key = KeyOfItem(*table, request.item);
  if (!key.ok()) return done(key.status());
  Status st = ValidateIndexKeys(*table, request.item);
  if (!st.ok()) return done(st);
  impl_->QueueConditionalWrite(
      MakeConditionalWrite(WriteKind::kPut, std::move(table), std::move(key).value(),
                           std::move(request.item), std::move(parsed).value(), request, *size),
      std::move(done));
}

void TableStore::UpdateItem(UpdateItemRequest request, WriteDone done) {
  auto parsed = SingleItemWriteChecks(request, CheckUpdateValuesNesting(request.expressions));
  if (!parsed.ok()) return done(parsed.status());
  auto table = impl_->Find(request.table_name);
  if (!table) return done(NotFound());
  auto key = KeyOfKeyParameter(*table, request.key);
  if (!key.ok()) return done(key.status());
  Status keys = CheckWriteExpressionsAgainstTable(*parsed, *table);
  if (!keys.ok()) return done(keys);
  impl_->QueueConditionalWrite(
      MakeConditionalWrite(WriteKind::kUpdate, std::move(table), std::move(key).value(), Item{},
                           std::move(parsed).value(), request, std::nullopt),
      std::move(done));
}

void TableStore::DeleteItem(DeleteItemRequest request, WriteDone done) {
  auto parsed = SingleItemWriteChecks(request, Status::Ok());
  if (!parsed.ok()) return done(parsed.status());
  auto table = impl_->Find(request.table_name);
  if (!table) return done(NotFound());
  auto key = KeyOfKeyParameter(*table, request.key);
  if (!key.ok()) return done(key.status());
  impl_->QueueConditionalWrite(
      MakeConditionalWrite(WriteKind::kDelete, std::move(table), std::move(key).value(), Item{},
                           std::move(parsed).value(), request, std::nullopt),
      std::move(done));
}

namespace {

// A PutRequest whose item lacks a key attribute or has it with another type is answered with
// the generic text, not PutItem's "Missing the key ..." / "Type mismatch for key ..."
// (LocalStack's AWS-validated test_batch_write_not_matching_schema; dynalite's batchWriteItem
// tests, recorded against DynamoDB).
Result<EncodedKey> KeyOfBatchPut(const TableDefinition& table, const Item& item) {
  for (const KeyAttribute* key : {&table.hash_key, table.range_key ? &*table.range_key : nullptr}) {
    if (key == nullptr) continue;
    auto it = item.find(key->name);
    if (it == item.end() || it->second.type() != key->type) {
      return ValidationError("The provided key element does not match the schema");
    }
  }
  return KeyOfItem(table, item);
}

}  // namespace

void TableStore::BatchWriteItem(BatchWriteRequest request, MultiWriteDone done) {
  if (request.entries.empty()) {
    return done(ConstraintError("{}", "requestItems",
                                "Member must have length greater than or equal to 1"));
  }
  if (request.entries.size() > kMaxBatchWriteRequests) {
    return done(ValidationError("Too many items requested for the BatchWriteItem call"));
  }
  struct Prepared {
    std::shared_ptr<const TableDefinition> table;
    EncodedKey key;
    bool is_put;
    Item item;
    int64_t size;  // a put's item, measured by its size check
  };
  // Every put's size is the request's own, checked before any table is looked up (dynalite's
  // batchWriteItem tests, recorded against DynamoDB, name a missing table).
  std::vector<int64_t> put_sizes(request.entries.size(), 0);
  for (size_t i = 0; i < request.entries.size(); ++i) {
    if (!request.entries[i].is_put) continue;
    if (Status checked = CheckItemToWrite(request.entries[i].item); !checked.ok()) {
      return done(checked);
    }
    auto measured =
        MeasureItemSize(request.entries[i].item, "Item size has exceeded the maximum allowed size");
    if (!measured.ok()) return done(measured.status());
    put_sizes[i] = *measured;
  }
  auto prepared = std::make_shared<std::vector<Prepared>>();
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  for (size_t i = 0; i < request.entries.size(); ++i) {
    auto& e = request.entries[i];
    auto table = impl_->Find(e.table_name);
    if (!table) return done(NotFound());
    auto key = e.is_put ? KeyOfBatchPut(*table, e.item) : KeyOfKeyParameter(*table, e.item);
    if (!key.ok()) return done(key.status());
    const int64_t size = put_sizes[i];
    if (e.is_put) {
      Status index_keys = ValidateIndexKeys(*table, e.item);
      if (!index_keys.ok()) return done(index_keys);
    }
    if (!seen.emplace(e.table_name, key->pk, key->sk).second) {
      return done(ValidationError("Provided list of item keys contains duplicates"));
    }
    prepared->push_back({table, std::move(key).value(), e.is_put, std::move(e.item), size});
  }
  Impl& impl = *impl_;
  auto outcome = std::make_shared<MultiWriteOutcome>();
  impl.store.Write(
      [&impl, prepared, outcome,
       metrics = request.return_item_collection_metrics](storage::WriteContext& ctx) -> Status {
        // Each put and delete is charged as its own PutItem or DeleteItem, summed per table.
        for (auto& p : *prepared) {
          STREAMSTACK_ASSIGN_OR_RETURN(std::optional<StoredItem> old,
                                       LoadItem(ctx.db(), *p.table, p.key));
          ItemWriteSizes sizes;
          if (p.is_put) sizes.after_size = p.size;
          STREAMSTACK_RETURN_IF_ERROR(impl.ApplyChange(ctx, *p.table, p.key, old ? &*old : nullptr,
                                                       p.is_put ? &p.item : nullptr,
                                                       /*ttl_expiry=*/false, &sizes));
          AddPerTable(&outcome->consumed,
                      ChargeItemWrite(p.table->name, sizes, WriteMode::kStandard));
        }
        if (metrics) {
          for (const auto& p : *prepared) {
            STREAMSTACK_RETURN_IF_ERROR(
                AddItemCollectionMetrics(ctx.db(), *p.table, p.key, outcome.get()));
          }
        }
        return Status::Ok();
      },
      [outcome, done = std::move(done)](Status st) {
        if (!st.ok()) return done(st);
        done(std::move(*outcome));
      },
      kDoneOffWriter);
}

void TableStore::TransactWriteItems(TransactWriteRequest request, MultiWriteDone done) {
  using Kind = TransactWriteRequest::Action::Kind;
  if (request.actions.empty()) {
    return done(ConstraintError("[]", "transactItems",
                                "Member must have length greater than or equal to 1"));
  }
  if (request.actions.size() > kMaxTransactItems) {
    return done(ConstraintError("'" + std::to_string(request.actions.size()) + " items'",
                                "transactItems",
                                "Member must have length less than or equal to 100"));
  }
  std::vector<ParsedWriteExpressions> parsed_actions;
  parsed_actions.reserve(request.actions.size());
  for (auto& a : request.actions) {
    auto parsed = CheckTransactionAction(a);
    if (!parsed.ok()) return done(parsed.status());
    parsed_actions.push_back(std::move(parsed).value());
  }
  struct Prepared {
    Kind kind;
    std::shared_ptr<const TableDefinition> table;
    EncodedKey key;
    Item item;
    ParsedWriteExpressions expr;
    bool return_old;
    int64_t size;  // a Put's item, measured by its size check
  };
  auto prepared = std::make_shared<std::vector<Prepared>>();
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  std::vector<Status> key_faults;
  int64_t put_bytes = 0;
  for (size_t i = 0; i < request.actions.size(); ++i) {
    auto& a = request.actions[i];
    auto table = impl_->Find(a.table_name);
    if (!table) return done(NotFound());
    auto key = a.kind == Kind::kPut ? KeyOfItem(*table, a.item) : KeyOfKeyParameter(*table, a.item);
    key_faults.push_back(Status::Ok());
    if (!key.ok() && IsItemKeyFault(key.status())) {
      key_faults.back() = key.status();
      continue;
    }
    if (!key.ok()) return done(key.status());
    int64_t size = 0;
    if (a.kind == Kind::kPut) {
      auto measured = MeasureItemSize(a.item, "Item size has exceeded the maximum allowed size");
      if (!measured.ok()) return done(measured.status());
      size = *measured;
      put_bytes += size;
      Status index_keys = ValidateIndexKeys(*table, a.item);
      if (!index_keys.ok() && IsItemKeyFault(index_keys)) {
        key_faults.back() = index_keys;
        continue;
      }
      if (!index_keys.ok()) return done(index_keys);
    }
    if (a.kind == Kind::kConditionCheck && !a.expressions.condition_expression) {
      return done(ConstraintError("null", "transactItems.member.conditionCheck.conditionExpression",
                                  "Member must not be null"));
    }
    if (!seen.emplace(a.table_name, key->pk, key->sk).second) {
      return done(ValidationError(kMultipleOperationsOnOneItem));
    }
    Status keys = CheckWriteExpressionsAgainstTable(parsed_actions[i], *table);
    if (!keys.ok() && IsItemKeyFault(keys)) {
      // An Update that sets an index key to a value of another type, seen in its expression.
      key_faults.back() = keys;
      continue;
    }
    if (!keys.ok()) return done(keys);
    prepared->push_back({a.kind, table, std::move(key).value(), std::move(a.item),
                         std::move(parsed_actions[i]), a.return_old_on_condition_failure, size});
  }
  if (Status cancelled = CancelledForKeyFaults(key_faults); !cancelled.ok()) {
    return done(cancelled);
  }
  if (put_bytes > kMaxTransactionBytes) {
    // Only the error type is recorded (ExtendDB's and a conformance suite's 4 MB tests); the
    // text is assumed.
    return done(ValidationError("Transaction request cannot be larger than 4 MB"));
  }
  Impl& impl = *impl_;
  auto outcome = std::make_shared<MultiWriteOutcome>();
  impl.store.Write(
      [&impl, prepared, outcome, token = std::move(request.client_request_token),
       fingerprint = std::move(request.fingerprint),
       metrics = request.return_item_collection_metrics](storage::WriteContext& ctx) -> Status {
        const int64_t now_ms = impl.clock.NowMillis();
        if (token) {
          const std::string* used = impl.RecentTransactionToken(*token, now_ms);
          if (used && *used != fingerprint) {
            // The text is assumed; only the error type is recorded (the conformance suite's
            // transactWrite captures).
            return Status(AwsError::kIdempotentParameterMismatch,
                          "The request uses the same client token as a previous, but "
                          "non-identical request.");
          }
          if (used) {
            // A repeat changes nothing and is charged as reading its items (the reference:
            // "Subsequent TransactWriteItems calls with the same client token return the
            // number of read capacity units consumed in reading the item").
            for (const auto& p : *prepared) {
              STREAMSTACK_ASSIGN_OR_RETURN(std::optional<StoredItem> item,
                                           LoadItem(ctx.db(), *p.table, p.key));
              ConsumedCapacity read;
              read.table_name = p.table->name;
              read.table.read = ReadUnits(item ? item->size : 0, ReadConsistency::kTransactional);
              AddPerTable(&outcome->consumed, read);
            }
            return Status::Ok();
          }
        }
        // First every condition, against the items as they are before the transaction, and
        // every Update's new image: one nested too deep, over the item size (us-east-1 and 29
        // more regions: a DynamoDB conformance suite's itemSizeBySurface captures and its
        // registry row transact-update-size-exclusion, where three regions began refusing it
        // before the transaction in 2026-10), or with an index key of the wrong type, is its
        // item's ValidationError reason.
        std::vector<std::optional<StoredItem>> olds;
        std::vector<std::optional<Item>> images(prepared->size());
        std::vector<int64_t> image_sizes(prepared->size(), 0);
        Status image_fault = Status::Ok();  // another fault of an image: the request's
        nlohmann::json reasons = nlohmann::json::array();
        bool cancelled = false;
        for (size_t i = 0; i < prepared->size(); ++i) {
          auto& p = (*prepared)[i];
          STREAMSTACK_ASSIGN_OR_RETURN(std::optional<StoredItem> old,
                                       LoadItem(ctx.db(), *p.table, p.key));
          const Item* old_item = old ? &old->item : nullptr;
          static const Item kNone;
          if (p.expr.condition && !p.expr.condition->Evaluate(old_item ? *old_item : kNone)) {
            nlohmann::json reason = {{"Code", "ConditionalCheckFailed"},
                                     {"Message", kConditionFailed}};
            if (p.return_old && old_item) reason["Item"] = ItemToJson(*old_item);
            reasons.push_back(reason);
            cancelled = true;
          } else if (p.kind == Kind::kUpdate) {
            auto image = UpdatedImage(p.expr.update, *p.table, old_item ? *old_item : p.key.key,
                                      nullptr, &image_sizes[i]);
            if (image.ok()) {
              images[i] = std::move(image).value();
              reasons.push_back({{"Code", "None"}});
            } else if (image.status().message() == kNestingExceeded) {
              reasons.push_back({{"Code", "ValidationError"}, {"Message", kNestingReason}});
              cancelled = true;
            } else if (IsItemKeyFault(image.status()) ||
                       image.status().message() == kUpdateTooLarge) {
              reasons.push_back(
                  {{"Code", "ValidationError"}, {"Message", image.status().message()}});
              cancelled = true;
            } else {
              if (image_fault.ok()) image_fault = image.status();
              reasons.push_back({{"Code", "None"}});
            }
          } else {
            reasons.push_back({{"Code", "None"}});
          }
          olds.push_back(std::move(old));
        }
        if (cancelled) return TransactionCanceled(std::move(reasons));
        STREAMSTACK_RETURN_IF_ERROR(image_fault);
        // Then every write, in the request's order (its stream records keep that order), each
        // charged as a transactional write; a ConditionCheck on the item it read.
        for (size_t i = 0; i < prepared->size(); ++i) {
          auto& p = (*prepared)[i];
          const StoredItem* old = olds[i] ? &*olds[i] : nullptr;
          ItemWriteSizes sizes;
          switch (p.kind) {
            case Kind::kConditionCheck:
              AddPerTable(&outcome->consumed,
                          ChargeConditionCheck(p.table->name,
                                               old ? std::optional(old->size) : std::nullopt));
              continue;
            case Kind::kPut:
              sizes.after_size = p.size;
              STREAMSTACK_RETURN_IF_ERROR(
                  impl.ApplyChange(ctx, *p.table, p.key, old, &p.item, false, &sizes));
              break;
            case Kind::kDelete:
              STREAMSTACK_RETURN_IF_ERROR(
                  impl.ApplyChange(ctx, *p.table, p.key, old, nullptr, false, &sizes));
              break;
            case Kind::kUpdate:
              sizes.after_size = image_sizes[i];
              STREAMSTACK_RETURN_IF_ERROR(
                  impl.ApplyChange(ctx, *p.table, p.key, old, &*images[i], false, &sizes));
              break;
          }
          AddPerTable(&outcome->consumed,
                      ChargeItemWrite(p.table->name, sizes, WriteMode::kTransactional));
        }
        if (metrics) {
          for (const auto& p : *prepared) {
            if (p.kind == Kind::kConditionCheck) continue;  // it writes nothing
            STREAMSTACK_RETURN_IF_ERROR(
                AddItemCollectionMetrics(ctx.db(), *p.table, p.key, outcome.get()));
          }
        }
        if (token) impl.RememberTransactionToken(*token, fingerprint, now_ms);
        return Status::Ok();
      },
      [outcome, done = std::move(done)](Status st) {
        if (!st.ok()) return done(st);
        done(std::move(*outcome));
      },
      kDoneOffWriter);
}

Result<std::optional<Item>> TableStore::GetItem(const GetItemRequest& request,
                                                ConsumedCapacity* consumed) const {
  auto table = impl_->Find(request.table_name);
  if (!table) return MissingTable(request.expressions);
  STREAMSTACK_ASSIGN_OR_RETURN(EncodedKey key, KeyOfKeyParameter(*table, request.key));
  STREAMSTACK_ASSIGN_OR_RETURN(std::optional<ProjectionExpression> projection,
                               ParseProjection(request.expressions));
  if (projection) {
    STREAMSTACK_RETURN_IF_ERROR(CheckKeyAttributesScalar(*table, projection->paths()));
  }
  STREAMSTACK_ASSIGN_OR_RETURN(
      std::optional<StoredItem> stored,
      impl_->store.Read([&](storage::Database& db) { return LoadItem(db, *table, key); }));
  if (consumed != nullptr) {
    // The whole stored item is charged (a projection does not lower it); a missing one too.
    consumed->table_name = table->name;
    consumed->table.read =
        ReadUnits(stored ? stored->size : 0, ReadConsistencyOf(request.consistent_read));
  }
  if (!stored) return std::optional<Item>();
  Item item = std::move(stored->item);
  if (projection) item = projection->Apply(item);
  return std::optional<Item>(std::move(item));
}

Result<std::vector<std::optional<Item>>> TableStore::TransactGetItems(
    const TransactGetRequest& request, std::vector<ConsumedCapacity>* consumed) const {
  if (request.gets.empty()) {
    return ConstraintError("[]", "transactItems",
                           "Member must have length greater than or equal to 1");
  }
  if (request.gets.size() > kMaxTransactItems) {
    return ConstraintError("'" + std::to_string(request.gets.size()) + " items'", "transactItems",
                           "Member must have length less than or equal to 100");
  }
  struct Prepared {
    std::shared_ptr<const TableDefinition> table;
    EncodedKey key;
    std::optional<ProjectionExpression> projection;
  };
  std::vector<Prepared> prepared;
  std::vector<Status> key_faults;
  std::set<std::tuple<std::string, std::string, std::string>> seen;
  for (const auto& g : request.gets) {
    auto table = impl_->Find(g.table_name);
    if (!table) return NotFound();
    auto found_key = KeyOfKeyParameter(*table, g.key);
    key_faults.push_back(Status::Ok());
    if (!found_key.ok() && IsItemKeyFault(found_key.status())) {
      key_faults.back() = found_key.status();
      continue;
    }
    STREAMSTACK_ASSIGN_OR_RETURN(EncodedKey key, std::move(found_key));
    if (!seen.emplace(table->name, key.pk, key.sk).second) {
      // Two Gets of one item are refused (a DynamoDB conformance suite's transactGet capture;
      // only the error type is recorded: the text is TransactWriteItems' own).
      return ValidationError(kMultipleOperationsOnOneItem);
    }
    ExpressionInput expressions = g.expressions;
    IgnoreMapsWithoutExpression(expressions);
    STREAMSTACK_ASSIGN_OR_RETURN(std::optional<ProjectionExpression> projection,
                                 ParseProjection(expressions));
    prepared.push_back({table, std::move(key), std::move(projection)});
  }
  STREAMSTACK_RETURN_IF_ERROR(CancelledForKeyFaults(key_faults));
  return impl_->store.Read([&](storage::Database& db) -> Result<std::vector<std::optional<Item>>> {
    storage::Transaction snapshot(db, storage::Transaction::Kind::kDeferred);
    STREAMSTACK_RETURN_IF_ERROR(snapshot.Begin());
    std::vector<std::optional<Item>> out;
    for (const auto& p : prepared) {
      STREAMSTACK_ASSIGN_OR_RETURN(std::optional<StoredItem> stored, LoadItem(db, *p.table, p.key));
      if (consumed != nullptr) {
        // Every get is a transactional read, a missing item included.
        ConsumedCapacity c;
        c.table_name = p.table->name;
        c.table.read = ReadUnits(stored ? stored->size : 0, ReadConsistency::kTransactional);
        AddPerTable(consumed, c);
      }
      if (!stored) {
        out.emplace_back();
        continue;
      }
      Item item = std::move(stored->item);
      if (p.projection) item = p.projection->Apply(item);
      out.emplace_back(std::move(item));
    }
    return out;
  });
}

// AWS refuses to read a global secondary index until its backfill is done (its answer as
// users quote it: "Cannot read from backfilling global secondary index: <name>"): while the
// backfill runs, and while an index UpdateTable created stays CREATING for
// --table-status-delay-ms.
Status TableStore::Impl::CheckIndexReadable(const TableDefinition& table,
                                            const std::optional<std::string>& index_name) const {
  if (!index_name) return Status::Ok();
  const bool backfilling =
      std::any_of(table.global_secondary_indexes.begin(), table.global_secondary_indexes.end(),
                  [&](const SecondaryIndex& i) { return i.name == *index_name && i.backfill; });
  auto transition = backfilling ? std::nullopt : TransitionOf(table.name);
  if (backfilling || (transition && transition->creating_index == *index_name)) {
    return ValidationError("Cannot read from backfilling global secondary index: " + *index_name);
  }
  return Status::Ok();
}

// --- Reads ---------------------------------------------------------------------------------

Result<ReadPage> TableStore::Query(const QueryRequest& request) const {
  auto table = impl_->Find(request.table_name);
  if (!table) return MissingTable(request.expressions);
  STREAMSTACK_RETURN_IF_ERROR(impl_->CheckIndexReadable(*table, request.index_name));
  return RunQuery(impl_->store, *table, request);
}

Result<ReadPage> TableStore::Scan(const ScanRequest& request) const {
  auto table = impl_->Find(request.table_name);
  if (!table) {
    STREAMSTACK_RETURN_IF_ERROR(CheckSegments(request));  // the request's own, as AWS does
    return MissingTable(request.expressions);
  }
  STREAMSTACK_RETURN_IF_ERROR(impl_->CheckIndexReadable(*table, request.index_name));
  return RunScan(impl_->store, *table, request);
}

Result<BatchGetResult> TableStore::BatchGetItem(const BatchGetRequest& request) const {
  const Impl& impl = *impl_;
  return RunBatchGet(
      impl.store, [&impl](const std::string& name) { return impl.Find(name); }, request);
}

}  // namespace streamstack::dynamodb
