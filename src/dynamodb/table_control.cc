// TableStore's control plane: CreateTable, DescribeTable, UpdateTable (with its index
// backfill), DeleteTable, ListTables and the tags. The checks and plans are in
// table_validation.cc; here each change is one write job that never waits on the caller's
// thread: its `done` runs on the storage completion thread.
#include <algorithm>
#include <future>
#include <set>

#include <spdlog/spdlog.h>

#include "dynamodb/index_store.h"
#include "dynamodb/resource_policy_document.h"
#include "dynamodb/secondary_index.h"
#include "dynamodb/table_codec.h"
#include "dynamodb/table_sql.h"
#include "dynamodb/table_store_impl.h"
#include "dynamodb/table_tags.h"
#include "dynamodb/table_validation.h"
#include "streamstack/dynamodb/table_arn.h"

namespace streamstack::dynamodb {
namespace {

Result<std::vector<Tag>> LoadTags(storage::Database& db, int64_t table_id) {
  auto& stmt = db.Prepare(sql::kSelectTableTags);
  stmt.Bind(1, table_id);
  std::vector<Tag> tags;
  while (true) {
    STREAMSTACK_ASSIGN_OR_RETURN(bool found, stmt.Step());
    if (!found) break;
    tags.push_back({std::string(stmt.ColumnText(0)), std::string(stmt.ColumnText(1))});
  }
  return tags;
}

Status UpsertTags(storage::Database& db, int64_t table_id, const std::vector<Tag>& tags) {
  for (const Tag& tag : tags) {
    auto& stmt = db.Prepare(sql::kUpsertTableTag);
    stmt.Bind(1, table_id);
    stmt.Bind(2, tag.key);
    stmt.Bind(3, tag.value);
    STREAMSTACK_RETURN_IF_ERROR(stmt.Run());
  }
  return Status::Ok();
}

// Opens the stream a table's definition asks for and records it in the definition.
Status OpenStream(storage::WriteContext& ctx, streams::StreamStore& streams,
                  streams::StreamViewType view_type, TableDefinition& def) {
  STREAMSTACK_ASSIGN_OR_RETURN(
      streams::StreamInfo stream,
      streams.CreateStream(ctx, def.name, view_type, KeySchemaJson(def.key_schema)));
  def.stream_enabled = true;
  def.stream_view_type = view_type;
  def.stream_id = stream.stream_id;
  def.latest_stream_arn = stream.stream_arn;
  def.latest_stream_label = stream.stream_label;
  return Status::Ok();
}

Status StoreDefinition(storage::Database& db, const TableDefinition& def) {
  auto& stmt = db.Prepare(sql::kUpdateTableDefinition);
  stmt.Bind(1, EncodeTableDefinition(def));
  stmt.Bind(2, def.table_id);
  return stmt.Run();
}

}  // namespace

std::vector<std::string> TableDefinition::KeyNames() const {
  std::vector<std::string> names = {hash_key.name};
  if (range_key) names.push_back(range_key->name);
  return names;
}

const char* TableStatusName(TableStatus status) {
  switch (status) {
    case TableStatus::kCreating:
      return "CREATING";
    case TableStatus::kActive:
      return "ACTIVE";
    case TableStatus::kUpdating:
      return "UPDATING";
    case TableStatus::kDeleting:
      return "DELETING";
  }
  return "ACTIVE";
}

// --- Transitions -------------------------------------------------------------------------------

std::optional<TableTransition> TableStore::Impl::LiveTransition(const std::string& name) const {
  auto it = transitions.find(name);
  if (it == transitions.end()) return std::nullopt;
  const int64_t now = clock.NowMillis();
  std::vector<const TableTransition*> under_way;
  for (const TableTransition& t : it->second) {
    if (!t.OverAt(now)) under_way.push_back(&t);  // the over ones are erased by the next Begin
  }
  if (under_way.empty()) return std::nullopt;
  return MergeTransitions(under_way);
}

std::optional<TableTransition> TableStore::Impl::TransitionOf(const std::string& name) const {
  ReaderLock lock(mu);
  if (transitions.empty()) return std::nullopt;
  return LiveTransition(name);
}

std::optional<TableTransition> TableStore::Impl::RestoreInto(const std::string& name) const {
  std::optional<TableTransition> t = TransitionOf(name);
  if (!t || !t->RestoreUnderWay()) return std::nullopt;
  return t;
}

std::optional<std::string> TableStore::Impl::RestoreFromBackup(
    const std::string& backup_arn) const {
  ReaderLock lock(mu);
  for (const auto& [name, under_way] : transitions) {
    std::optional<TableTransition> t = LiveTransition(name);
    if (t && t->restoring && t->restore_backup_arn == backup_arn) return name;
  }
  return std::nullopt;
}

Result<uint64_t> TableStore::Impl::BeginTransition(const std::string& name,
                                                   TableTransition proposed) {
  WriterLock lock(mu);
  const int64_t now = clock.NowMillis();
  for (auto it = transitions.begin(); it != transitions.end();) {
    std::erase_if(it->second, [now](const TableTransition& t) { return t.OverAt(now); });
    it = it->second.empty() ? transitions.erase(it) : std::next(it);
  }
  std::vector<TableTransition>& under_way = transitions[name];
  for (const TableTransition& t : under_way) {
    STREAMSTACK_RETURN_IF_ERROR(AdmitAlongside(name, t, proposed));
  }
  proposed.id = ++last_transition_id;
  proposed.until_ms = TableTransition::kUntilDone;
  under_way.push_back(std::move(proposed));
  return under_way.back().id;
}

void TableStore::Impl::EndTransition(const std::string& name, uint64_t id,
                                     const std::function<void(TableTransition&)>& update) {
  WriterLock lock(mu);
  auto it = transitions.find(name);
  if (it == transitions.end()) return;
  auto t = std::find_if(it->second.begin(), it->second.end(),
                        [id](const TableTransition& each) { return each.id == id; });
  if (t == it->second.end()) return;
  update(*t);
  if (status_delay_ms == 0 || !t->Lingers()) {
    it->second.erase(t);
    if (it->second.empty()) transitions.erase(it);
    return;
  }
  t->until_ms = clock.NowMillis() + status_delay_ms;
}

void TableStore::Impl::AbandonTransition(const std::string& name, uint64_t id) {
  WriterLock lock(mu);
  auto it = transitions.find(name);
  if (it == transitions.end()) return;
  std::erase_if(it->second, [id](const TableTransition& t) { return t.id == id; });
  if (it->second.empty()) transitions.erase(it);
}

Result<TableDescription> TableStore::Impl::Describe(storage::Database& db,
                                                    std::shared_ptr<const TableDefinition> def,
                                                    TableStatus status, int64_t now_ms) {
  TableDescription d;
  d.status = status;
  d.decreases_today = def->capacity_decreases.Today(now_ms);
  auto& stmt = db.Prepare(sql::kSelectTableStats);
  stmt.Bind(1, def->table_id);
  STREAMSTACK_ASSIGN_OR_RETURN(bool found, stmt.Step());
  if (found) {
    d.item_count = stmt.ColumnInt64(0);
    d.size_bytes = stmt.ColumnInt64(1);
  }
  stmt.Reset();
  for (const auto* indexes : {&def->global_secondary_indexes, &def->local_secondary_indexes}) {
    for (const SecondaryIndex& index : *indexes) {
      STREAMSTACK_ASSIGN_OR_RETURN(d.index_stats[index.name], LoadIndexStats(db, index.index_id));
      d.index_stats[index.name].decreases_today = index.capacity_decreases.Today(now_ms);
    }
  }
  d.definition = std::move(def);
  return d;
}

Status TableStore::Impl::InsertTable(storage::WriteContext& ctx, TableDefinition& def,
                                     std::optional<streams::StreamViewType> view_type,
                                     const std::vector<Tag>& tags) {
  if (view_type) STREAMSTACK_RETURN_IF_ERROR(OpenStream(ctx, streams, *view_type, def));
  auto& stmt = ctx.db().Prepare(sql::kInsertTable);
  stmt.Bind(1, def.name);
  stmt.Bind(2, EncodeTableDefinition(def));
  STREAMSTACK_RETURN_IF_ERROR(stmt.Run());
  def.table_id = ctx.db().LastInsertRowId();
  STREAMSTACK_RETURN_IF_ERROR(UpsertTags(ctx.db(), def.table_id, tags));
  if (!def.global_secondary_indexes.empty() || !def.local_secondary_indexes.empty()) {
    // The indexes' ids exist only now; store the definition again with them.
    for (auto* indexes : {&def.global_secondary_indexes, &def.local_secondary_indexes}) {
      for (SecondaryIndex& index : *indexes) {
        STREAMSTACK_ASSIGN_OR_RETURN(index.index_id,
                                     CreateIndexStorage(ctx.db(), def.table_id, index.name));
      }
    }
    STREAMSTACK_RETURN_IF_ERROR(StoreDefinition(ctx.db(), def));
  }
  return Status::Ok();
}

Status TableStore::Impl::StoreDefinition(storage::Database& db, const TableDefinition& def) {
  return dynamodb::StoreDefinition(db, def);
}

TableStore::TableStore(storage::Store& store, streams::StreamStore& streams, const Clock& clock,
                       AccountScope scope, int64_t status_delay_ms)
    : impl_(std::make_unique<Impl>(store, streams, clock, std::move(scope),
                                   std::max<int64_t>(0, status_delay_ms))) {}

TableStore::~TableStore() { impl_->StopBackfills(); }

Status TableStore::Open() {
  STREAMSTACK_RETURN_IF_ERROR(impl_->store.Migrate("dynamodb", sql::kMigrations));
  std::vector<std::shared_ptr<const TableDefinition>> loaded;
  Status st = impl_->store.Read([&](storage::Database& db) -> Status {
    auto& stmt = db.Prepare(sql::kSelectTables);
    while (true) {
      STREAMSTACK_ASSIGN_OR_RETURN(bool found, stmt.Step());
      if (!found) break;
      STREAMSTACK_ASSIGN_OR_RETURN(TableDefinition def, DecodeTableDefinition(stmt.ColumnText(1)));
      def.table_id = stmt.ColumnInt64(0);
      loaded.push_back(std::make_shared<const TableDefinition>(std::move(def)));
    }
    return Status::Ok();
  });
  STREAMSTACK_RETURN_IF_ERROR(st);
  for (auto& def : loaded) {
    impl_->live[def->table_id] = def;
    impl_->Publish(def);
    // A backfill a stop interrupted goes on from its last committed chunk.
    for (const SecondaryIndex& index : def->global_secondary_indexes) {
      if (index.backfill) impl_->ContinueBackfill(def->table_id, index.index_id);
    }
  }
  return Status::Ok();
}

// --- Background index backfill -----------------------------------------------------------------

void TableStore::Impl::ContinueBackfill(int64_t table_id, int64_t index_id) {
  {
    MutexLock lock(backfill_mu);
    if (backfills_stopping) return;
    ++backfills_in_flight;
  }
  auto complete = std::make_shared<bool>(true);
  store.Write(
      [this, table_id, index_id, complete](storage::WriteContext& ctx) -> Status {
        auto current = live.find(table_id);
        if (current == live.end()) return Status::Ok();  // the table was deleted
        auto def = std::make_shared<TableDefinition>(*current->second);
        auto index =
            std::find_if(def->global_secondary_indexes.begin(), def->global_secondary_indexes.end(),
                         [&](const SecondaryIndex& i) { return i.index_id == index_id; });
        // Deleted meanwhile (AWS lets an index be deleted while it backfills), or complete.
        if (index == def->global_secondary_indexes.end() || !index->backfill) return Status::Ok();
        auto schema = FindIndexSchema(*def, index->name);
        BackfillPosition position = *index->backfill;
        STREAMSTACK_ASSIGN_OR_RETURN(*complete,
                                     BackfillIndexChunk(ctx.db(), *def, *schema, &position));
        if (*complete) {
          index->backfill.reset();
        } else {
          index->backfill = std::move(position);
        }
        STREAMSTACK_RETURN_IF_ERROR(StoreDefinition(ctx.db(), *def));
        Replace(ctx, std::move(def));
        return Status::Ok();
      },
      [this, table_id, index_id, complete](Status st) {
        if (!st.ok()) {
          // The index stays CREATING; the next start tries again from the last chunk.
          spdlog::error("dynamodb: backfill of index {} of table {} stopped: {}", index_id,
                        table_id, st.message());
        } else if (!*complete) {
          ContinueBackfill(table_id, index_id);
        }
        MutexLock lock(backfill_mu);
        --backfills_in_flight;
        backfill_cv.notify_all();
      },
      kDoneOffWriter);
}

void TableStore::Impl::StopBackfills() {
  MutexLock lock(backfill_mu);
  backfills_stopping = true;
  lock.Wait(backfill_cv, [this]() REQUIRES(backfill_mu) { return backfills_in_flight == 0; });
}

std::shared_ptr<const TableDefinition> TableStore::FindTable(const std::string& name) const {
  return impl_->Find(name);
}

const AccountScope& TableStore::scope() const { return impl_->scope; }

// --- CreateTable -------------------------------------------------------------------------------

void TableStore::CreateTable(CreateTableRequest request, DescriptionDone done) {
  auto plan = PlanCreateTable(request, impl_->scope, impl_->clock.NowMillis());
  if (!plan.ok()) return done(plan.status());
  if (request.resource_policy) {
    auto kept = CheckPolicyDocument(*request.resource_policy, PolicyResource::kTable);
    if (!kept.ok()) return done(kept.status());
    request.resource_policy = std::move(kept).value();
  }
  std::shared_ptr<TableDefinition> def = std::move(plan->definition);
  const std::optional<streams::StreamViewType> view_type = plan->stream_view_type;
  Impl& impl = *impl_;
  auto transition = std::make_shared<uint64_t>(0);  // begun by the job
  impl.store.Write(
      [&impl, def, view_type, transition, tags = std::move(request.tags),
       policy = std::move(request.resource_policy)](storage::WriteContext& ctx) -> Status {
        // AWS answers a name in another's transition (a table still being created or
        // deleted) with that, before "already exists".
        if (auto in_transition = impl.TransitionOf(def->name)) {
          return RefuseCreate(def->name, *in_transition);
        }
        if (impl.FindDefinition(def->name)) {
          return Status(AwsError::kResourceInUse, "Table already exists: " + def->name);
        }
        STREAMSTACK_RETURN_IF_ERROR(CheckAccountCapacity(
            impl.ReservedCapacity(), ReservedCapacity(*def), impl.scope.region));
        // Before the table is published, so no item operation ever sees it ACTIVE early.
        STREAMSTACK_ASSIGN_OR_RETURN(*transition, impl.BeginTransition(def->name, Creating()));
        STREAMSTACK_RETURN_IF_ERROR(impl.InsertTable(ctx, *def, view_type, tags));
        if (policy) STREAMSTACK_RETURN_IF_ERROR(impl.AttachPolicyOfNewTable(ctx, *def, *policy));
        impl.Replace(ctx, def);
        return Status::Ok();
      },
      [&impl, def, transition, done = std::move(done)](Status st) {
        if (!st.ok()) {
          if (*transition != 0) impl.AbandonTransition(def->name, *transition);
          return done(st);
        }
        impl.EndTransition(def->name, *transition, [](TableTransition&) {});
        TableDescription d;
        d.definition = def;
        d.status = TableStatus::kCreating;  // AWS answers CREATING (ACTIVE after the delay)
        d.becoming_pay_per_request = def->billing_mode == "PAY_PER_REQUEST";
        done(std::move(d));
      },
      kDoneOffWriter);
}

Result<TableDescription> TableStore::CreateTable(const CreateTableRequest& request) {
  return Wait<Result<TableDescription>>(
      [&](DescriptionDone done) { CreateTable(CreateTableRequest(request), std::move(done)); });
}

Result<TableDescription> TableStore::DescribeTable(const std::string& table_name) const {
  std::optional<TableTransition> transition = impl_->TransitionOf(table_name);
  if (transition && transition->deleted) return *transition->deleted;  // DELETING, gone
  auto def = impl_->FindDefinition(table_name);
  if (!def) return TableResourceNotFound(table_name);
  STREAMSTACK_ASSIGN_OR_RETURN(
      TableDescription d,
      impl_->Describe(def, transition ? transition->status : TableStatus::kActive));
  d.on_demand_answer = impl_->OnDemandBeingCleared(def->table_id);
  if (!transition) return d;
  d.creating_index = std::move(transition->creating_index);
  d.deleting_index = std::move(transition->deleting_index);
  d.before_change = std::move(transition->before_change);
  return d;
}

// --- UpdateTable -------------------------------------------------------------------------------

namespace {

// The transition an UpdateTable begins: what it changes, and what AWS's refusals of another
// change meanwhile name.
TableTransition UpdatingTransition(const UpdateTableRequest& request, const UpdateTablePlan& plan,
                                   const TableDefinition& current) {
  using StreamChange = UpdateTablePlan::StreamChange;
  TableTransition t;
  t.status = plan.status;
  TableChanges& c = t.changes;
  c.stream = plan.stream_change != StreamChange::kNone;
  c.billing_mode = request.billing_mode.has_value();
  c.provisioned_throughput = request.provisioned_throughput.has_value();
  c.on_demand_throughput = request.on_demand_throughput.has_value();
  c.deletion_protection = request.deletion_protection_enabled.has_value();
  c.table_class = request.table_class.has_value();
  c.encryption = request.sse_specification.has_value();
  c.warm_throughput = request.warm_throughput.has_value();
  c.index_create = plan.created_index.has_value();
  c.index_delete = plan.deleted_index.has_value();
  if (request.global_secondary_index_updates) {
    for (const GlobalSecondaryIndexUpdate& u : *request.global_secondary_index_updates) {
      if (u.action != GlobalSecondaryIndexUpdate::Action::kUpdate) continue;
      if (!c.index_update) t.index_name = u.index.name;
      c.index_update = true;
    }
  }
  t.stream_enabling = plan.stream_change == StreamChange::kEnable;
  if (plan.stream_change == StreamChange::kDisable) t.stream_label = current.latest_stream_label;
  t.table_class = request.table_class.value_or("");
  if (request.billing_mode) t.billing_mode_before = current.billing_mode;
  if (plan.created_index) t.index_name = plan.created_index->name;
  if (plan.deleted_index) t.index_name = plan.deleted_index->name;
  return t;
}

}  // namespace

void TableStore::UpdateTable(UpdateTableRequest request, DescriptionDone done) {
  Impl& impl = *impl_;
  Status request_ok = CheckUpdateTableRequest(request);
  if (!request_ok.ok()) return done(request_ok);
  auto current = impl.FindDefinition(request.table_name);
  const std::optional<TableTransition> under_way = impl.TransitionOf(request.table_name);
  // Deleted and still DELETING: in use; a restore's target is not there yet (recorded,
  // ack-api-quirks DDB-TABLE-217).
  if (!current || (under_way && under_way->RestoreUnderWay())) {
    return done(under_way && !under_way->restoring
                    ? ResourceInUse(request.table_name, under_way->status)
                    : TableResourceNotFound(request.table_name));
  }
  // The table as AWS judges the request while changes are under way: an index being deleted
  // is still there; during a billing mode switch OnDemandThroughput is judged against the mode
  // the table switches from, and only then refused for the switch (recorded, ack-api-quirks
  // DDB-TABLE-369).
  std::shared_ptr<const TableDefinition> judged = current;
  std::optional<WarmThroughputValues> warm_described;
  if (under_way) {
    warm_described = under_way->before_change.warm_throughput;
    Status named = CheckIndexNotBeingDeleted(current->name, *under_way, request);
    if (!named.ok()) return done(named);
    // Some changes are refused as such by the one under way before the request is judged
    // against the table (recorded, ack-api-quirks DDB-TABLE-369: capacity during a switch to
    // on demand; -381: a decrease beyond the day's budget during another capacity change;
    // -002: the same stream enable re-sent while it is under way, ResourceInUseException, not
    // "Table already has an enabled stream"; its text assumed as the other toggle's).
    TableTransition early;
    early.status = TableStatus::kUpdating;
    early.changes.provisioned_throughput =
        request.provisioned_throughput && under_way->changes.Iops();
    early.changes.stream = request.stream_specification && under_way->changes.stream;
    if (early.changes.provisioned_throughput || early.changes.stream) {
      Status admitted = AdmitAlongside(current->name, *under_way, early);
      if (!admitted.ok()) return done(admitted);
    }
    if (request.on_demand_throughput && !under_way->billing_mode_before.empty()) {
      auto before = std::make_shared<TableDefinition>(*current);
      before->billing_mode = under_way->billing_mode_before;
      judged = std::move(before);
    }
  }
  auto planned =
      PlanUpdateTable(*judged, request, impl.scope, impl.clock.NowMillis(), warm_described);
  if (!planned.ok()) return done(planned.status());
  // From here until the job is done (and while its status lasts) another change is admitted
  // only as AWS admits it alongside this one.
  Result<uint64_t> transition =
      impl.BeginTransition(current->name, UpdatingTransition(request, *planned, *current));
  if (!transition.ok()) return done(transition.status());
  auto plan = std::make_shared<UpdateTablePlan>(std::move(planned).value());
  auto shared_request = std::make_shared<UpdateTableRequest>(std::move(request));
  // The answer is described inside the job (the counters as the update leaves them), so the
  // completion only hands it on.
  auto description = std::make_shared<TableDescription>();
  impl.store.Write(
      [&impl, plan, judged, request = shared_request,
       description](storage::WriteContext& ctx) -> Status {
        using StreamChange = UpdateTablePlan::StreamChange;
        // Planned again against the definition as the writer holds it now when that changed
        // since: a change admitted alongside this one, an UpdateContinuousBackups or a
        // backfill chunk queued before this job is kept, not overwritten.
        auto live = impl.live.find(judged->table_id);
        if (live == impl.live.end()) return TableResourceNotFound(judged->name);
        if (live->second != judged) {
          auto under_way_now = impl.TransitionOf(judged->name);
          STREAMSTACK_ASSIGN_OR_RETURN(
              *plan, PlanUpdateTable(*live->second, *request, impl.scope, impl.clock.NowMillis(),
                                     under_way_now ? under_way_now->before_change.warm_throughput
                                                   : std::nullopt));
        }
        TableDefinition& def = *plan->definition;
        // Judged on the writer, beside every table there is now (two increases cannot both
        // pass).
        STREAMSTACK_RETURN_IF_ERROR(CheckAccountCapacity(
            impl.ReservedCapacity(), CapacityIncrease(*live->second, def), impl.scope.region));
        if (plan->stream_change == StreamChange::kEnable) {
          STREAMSTACK_RETURN_IF_ERROR(OpenStream(ctx, impl.streams, *plan->stream_view_type, def));
        } else if (plan->stream_change == StreamChange::kDisable) {
          STREAMSTACK_RETURN_IF_ERROR(impl.streams.DisableStream(ctx, def.stream_id));
          def.stream_enabled = false;
        }
        if (plan->deleted_index) {
          STREAMSTACK_RETURN_IF_ERROR(DropIndexStorage(ctx.db(), plan->deleted_index->index_id));
        }
        if (plan->created_index) {
          // The first chunk of the backfill is part of the update (a small table's index is
          // complete when it is first visible); the rest runs in the background, a chunk per
          // job, with the index CREATING and Backfilling as on AWS.
          STREAMSTACK_ASSIGN_OR_RETURN(
              int64_t id, CreateIndexStorage(ctx.db(), def.table_id, plan->created_index->name));
          auto created = std::find_if(
              def.global_secondary_indexes.begin(), def.global_secondary_indexes.end(),
              [&](const SecondaryIndex& i) { return i.name == plan->created_index->name; });
          created->index_id = id;
          BackfillPosition position;
          STREAMSTACK_ASSIGN_OR_RETURN(
              bool complete,
              BackfillIndexChunk(ctx.db(), def, *FindIndexSchema(def, created->name), &position));
          if (!complete) created->backfill = std::move(position);
        }
        STREAMSTACK_RETURN_IF_ERROR(StoreDefinition(ctx.db(), def));
        impl.Replace(ctx, plan->definition);
        STREAMSTACK_ASSIGN_OR_RETURN(
            *description,
            Impl::Describe(ctx.db(), plan->definition, plan->status, impl.clock.NowMillis()));
        return Status::Ok();
      },
      [&impl, plan, description, id = *transition, done = std::move(done)](Status st) {
        const std::string& name = plan->definition->name;
        if (!st.ok()) {
          impl.AbandonTransition(name, id);
          return done(st);
        }
        if (plan->created_index) description->creating_index = plan->created_index->name;
        description->deleting_index = std::move(plan->deleted_index);
        description->before_change = plan->before_change;
        description->on_demand_answer = plan->on_demand_answer;
        description->becoming_pay_per_request = plan->becoming_pay_per_request;
        // A change admitted alongside another answers the table UPDATING while the other
        // keeps it so; an encryption change answers ACTIVE even then (recorded,
        // ack-api-quirks DDB-TABLE-119). An index the other creates or deletes is answered so.
        std::optional<std::string> others_creating;
        std::optional<SecondaryIndex> others_deleting;
        if (auto all = impl.TransitionOf(name)) {
          if (all->status == TableStatus::kUpdating &&
              !plan->before_change.sse_kms_master_key_arn) {
            description->status = TableStatus::kUpdating;
          }
          others_creating = std::move(all->creating_index);
          others_deleting = std::move(all->deleting_index);
        }
        impl.EndTransition(name, id, [&](TableTransition& t) {
          if (plan->updating_in_answer_only) t.status = TableStatus::kActive;
          t.creating_index = description->creating_index;
          t.deleting_index = description->deleting_index;
          t.before_change = description->before_change;
          if (t.stream_enabling) t.stream_label = plan->definition->latest_stream_label;
        });
        impl.ShowOnDemandAnswer(plan->definition->table_id, plan->on_demand_answer,
                                plan->definition->on_demand_throughput);
        if (!description->creating_index) description->creating_index = others_creating;
        if (!description->deleting_index) description->deleting_index = others_deleting;
        for (const SecondaryIndex& index : plan->definition->global_secondary_indexes) {
          if (index.backfill && plan->created_index && index.name == plan->created_index->name) {
            impl.ContinueBackfill(plan->definition->table_id, index.index_id);
          }
        }
        done(std::move(*description));
      },
      kDoneOffWriter);
}

Result<TableDescription> TableStore::UpdateTable(const UpdateTableRequest& request) {
  return Wait<Result<TableDescription>>(
      [&](DescriptionDone done) { UpdateTable(UpdateTableRequest(request), std::move(done)); });
}

// --- DeleteTable -------------------------------------------------------------------------------

Status TableStore::Impl::CheckDeletable(const TableDefinition& def) const {
  if (def.deletion_protection_enabled) {
    return ValidationError(
        "Resource cannot be deleted as it is currently protected against deletion. Disable "
        "deletion protection first.");
  }
  // AWS refuses it while an index is CREATING, even with the table ACTIVE (ack-api-quirks
  // DDB-TABLE-150/-376, recorded text).
  for (const SecondaryIndex& index : def.global_secondary_indexes) {
    if (index.backfill) {
      return StillInUse(
          "Cannot delete table while indexes are being created, updated, or deleted.");
    }
  }
  // Nor while its tags are being updated (recorded, ack-api-quirks DDB-TABLE-172 and a
  // user's record with the table's name), or its resource policy (recorded, the catalogue
  // DDB-TABLE-444).
  if (TagsBeingUpdated(def.table_id)) {
    return StillInUse("Table tags are being updated: " + def.name);
  }
  if (PolicyPending(def.table_id, def.arn)) {
    return StillInUse("Table: " + def.name + " has a pending resource-based policy update.");
  }
  return Status::Ok();
}

void TableStore::DeleteTable(std::string table_name, DescriptionDone done) {
  Impl& impl = *impl_;
  auto def = impl.FindDefinition(table_name);
  if (!def) {
    auto transition = impl.TransitionOf(table_name);  // deleted, still DELETING
    return done(transition ? ResourceInUse(table_name, transition->status)
                           : TableResourceNotFound(table_name));
  }
  Status deletable = impl.CheckDeletable(*def);
  if (!deletable.ok()) return done(deletable);
  // AWS refuses to delete a table that is CREATING or UPDATING (DeleteTable's reference).
  TableTransition deleting;
  deleting.status = TableStatus::kDeleting;
  Result<uint64_t> transition = impl.BeginTransition(def->name, std::move(deleting));
  if (!transition.ok()) return done(transition.status());
  auto described = impl.Describe(def, TableStatus::kDeleting);
  if (!described.ok()) {
    impl.AbandonTransition(def->name, *transition);
    return done(described.status());
  }
  auto description = std::make_shared<TableDescription>(std::move(described).value());
  auto policies = std::make_shared<TableTransition::Policies>();
  impl.store.Write(
      [&impl, def, policies](storage::WriteContext& ctx) -> Status {
        // Judged again as the writer holds the table now: a change queued just before this
        // job (deletion protection, a tag or policy change's hold) counts.
        auto live = impl.live.find(def->table_id);
        if (live != impl.live.end()) {
          STREAMSTACK_RETURN_IF_ERROR(impl.CheckDeletable(*live->second));
        }
        // AWS keeps a SYSTEM backup of a table deleted with point-in-time recovery enabled
        // (BackupType's reference), as the writer holds it now: an UpdateContinuousBackups
        // queued before this job counts.
        if (live != impl.live.end() && live->second->pitr_enabled) {
          Backup system;
          system.backup_name = def->name + "$DeletedTableBackup";
          system.backup_type = BackupType::kSystem;
          STREAMSTACK_RETURN_IF_ERROR(impl.InsertBackup(ctx, live->second, system));
        }
        // AWS: the stream of a deleted table stays readable for 24 hours.
        if (def->stream_enabled) {
          STREAMSTACK_RETURN_IF_ERROR(impl.streams.DisableStream(ctx, def->stream_id));
        }
        auto& items = ctx.db().Prepare(sql::kDeleteTableItems);
        items.Bind(1, def->table_id);
        STREAMSTACK_RETURN_IF_ERROR(items.Run());
        for (const auto* indexes :
             {&def->global_secondary_indexes, &def->local_secondary_indexes}) {
          for (const SecondaryIndex& index : *indexes) {
            STREAMSTACK_RETURN_IF_ERROR(DropIndexStorage(ctx.db(), index.index_id));
          }
        }
        auto& tags = ctx.db().Prepare(sql::kDeleteTableTags);
        tags.Bind(1, def->table_id);
        STREAMSTACK_RETURN_IF_ERROR(tags.Run());
        // Its backups stay (as on AWS); its point-in-time history goes with it.
        auto& history = ctx.db().Prepare(sql::kDeleteTableHistory);
        history.Bind(1, def->table_id);
        STREAMSTACK_RETURN_IF_ERROR(history.Run());
        STREAMSTACK_ASSIGN_OR_RETURN(*policies, Impl::LoadPoliciesOfTable(ctx.db(), def->table_id));
        auto& delete_policies = ctx.db().Prepare(sql::kDeleteTableResourcePolicies);
        delete_policies.Bind(1, def->table_id);
        STREAMSTACK_RETURN_IF_ERROR(delete_policies.Run());
        auto& table = ctx.db().Prepare(sql::kDeleteTable);
        table.Bind(1, def->table_id);
        STREAMSTACK_RETURN_IF_ERROR(table.Run());
        impl.live.erase(def->table_id);
        ctx.OnCommit([&impl, name = def->name] { impl.Unpublish(name); });
        return Status::Ok();
      },
      [&impl, description, policies, id = *transition, done = std::move(done)](Status st) {
        const std::string& name = description->definition->name;
        if (!st.ok()) {
          impl.AbandonTransition(name, id);
          return done(st);
        }
        impl.EndTransition(name, id, [&](TableTransition& t) {
          t.deleted = std::make_shared<const TableDescription>(*description);
          t.deleted_policies = std::move(policies);
        });
        done(std::move(*description));
      },
      kDoneOffWriter);
}

Result<TableDescription> TableStore::DeleteTable(const std::string& table_name) {
  return Wait<Result<TableDescription>>(
      [&](DescriptionDone done) { DeleteTable(table_name, std::move(done)); });
}

Result<ListTablesResult> TableStore::ListTables(const std::optional<std::string>& exclusive_start,
                                                std::optional<int> limit) const {
  if (limit && (*limit < 1 || *limit > 100)) {
    return ConstraintError("'" + std::to_string(*limit) + "'", "limit",
                           *limit < 1 ? "Member must have value greater than or equal to 1"
                                      : "Member must have value less than or equal to 100");
  }
  size_t max = static_cast<size_t>(limit.value_or(100));
  ListTablesResult out;
  ReaderLock lock(impl_->mu);
  // A deleted table is listed until its DELETING is over, as on AWS: merged in name order.
  std::set<std::string> deleting;
  for (const auto& [name, under_way] : impl_->transitions) {
    if (auto merged = impl_->LiveTransition(name); merged && merged->deleted) {
      deleting.insert(name);
    }
  }
  auto table =
      exclusive_start ? impl_->tables.upper_bound(*exclusive_start) : impl_->tables.begin();
  auto deleted = exclusive_start ? deleting.upper_bound(*exclusive_start) : deleting.begin();
  while (table != impl_->tables.end() || deleted != deleting.end()) {
    if (out.table_names.size() == max) {
      out.last_evaluated_table_name = out.table_names.back();
      break;
    }
    if (deleted == deleting.end() || (table != impl_->tables.end() && table->first < *deleted)) {
      out.table_names.push_back((table++)->first);
    } else {
      out.table_names.push_back(*deleted++);
    }
  }
  return out;
}

// --- Tags ------------------------------------------------------------------------------------

namespace {

// The table a tagging operation's ResourceArn names. AWS's order: the ARN itself (its format,
// account and region), then the request's own checks (`check`), then the table, which must
// exist (a stream's ARN names none): "Requested resource not found: ResourceArn: <arn> not
// found".
template <typename Check>
Result<std::shared_ptr<const TableDefinition>> TaggedTable(const TableStore& store,
                                                           const std::string& arn, Check check) {
  STREAMSTACK_ASSIGN_OR_RETURN(ResourceArnTarget target,
                               ResolveResourceArn(store.scope(), arn, ResourceArnUse::kTagging));
  STREAMSTACK_RETURN_IF_ERROR(check());
  auto def = target.is_stream ? nullptr : store.FindTable(target.table_name);
  if (!def) return ResourceArnNotFound(arn);
  return def;
}

// A tag change while another is under way (recorded, ack-api-quirks DDB-TABLE-130, -443: also
// a change that would change nothing, DDB-TABLE-172).
Status TagChangeUnderWay(const std::string& table_name) {
  return Status(AwsError::kLimitExceeded,
                "Subscriber limit exceeded: Table tags are being updated: " + table_name);
}

}  // namespace

ProvisionedThroughput TableStore::Impl::ReservedCapacity() const {
  ProvisionedThroughput reserved{0, 0};
  for (const auto& [id, def] : live) {
    const ProvisionedThroughput table = dynamodb::ReservedCapacity(*def);
    reserved.read_capacity_units += table.read_capacity_units;
    reserved.write_capacity_units += table.write_capacity_units;
  }
  return reserved;
}

std::optional<OnDemandThroughput> TableStore::Impl::OnDemandBeingCleared(int64_t table_id) const {
  ReaderLock lock(mu);
  return on_demand_clearing.Before(table_id, clock.NowMillis());
}

void TableStore::Impl::ShowOnDemandAnswer(int64_t table_id,
                                          const std::optional<OnDemandThroughput>& answer,
                                          const OnDemandThroughput& limits) {
  if (status_delay_ms == 0) return;
  const bool clears_one =
      answer && !limits.Empty() &&
      (answer->max_read_request_units == -1 || answer->max_write_request_units == -1);
  const int64_t now_ms = clock.NowMillis();
  WriterLock lock(mu);
  if (clears_one) {
    on_demand_clearing.Hold(table_id, *answer, now_ms + status_delay_ms, now_ms);
  } else {
    on_demand_clearing.Release(table_id);
  }
}

std::optional<std::vector<Tag>> TableStore::Impl::TagsBeingUpdated(int64_t table_id) const {
  ReaderLock lock(mu);
  return tags_updating.Before(table_id, clock.NowMillis());
}

void TableStore::Impl::HoldTags(int64_t table_id, std::vector<Tag> before) {
  if (status_delay_ms == 0) return;
  const int64_t now_ms = clock.NowMillis();
  WriterLock lock(mu);
  tags_updating.Hold(table_id, std::move(before), now_ms + status_delay_ms, now_ms);
}

void TableStore::TagResource(std::string resource_arn, std::vector<Tag> tags, StatusDone done) {
  auto table = TaggedTable(*this, resource_arn, [&]() -> Status {
    if (tags.empty()) return ValidationError("Atleast one Tag needs to be provided as Input.");
    return ValidateTags(tags);
  });
  if (!table.ok()) return done(table.status());
  Impl& impl = *impl_;
  impl.store.Write(
      [&impl, table_id = (*table)->table_id, name = (*table)->name, arn = std::move(resource_arn),
       tags = std::move(tags)](storage::WriteContext& ctx) -> Status {
        // The table may have been deleted since the request found it.
        if (!impl.live.contains(table_id)) return ResourceArnNotFound(arn);
        if (impl.TagsBeingUpdated(table_id)) return TagChangeUnderWay(name);
        STREAMSTACK_ASSIGN_OR_RETURN(std::vector<Tag> existing, LoadTags(ctx.db(), table_id));
        std::map<std::string, std::string> after;
        for (const Tag& t : existing) after[t.key] = t.value;
        bool changes = false;
        for (const Tag& t : tags) {
          auto [it, added] = after.try_emplace(t.key, t.value);
          changes = changes || added || it->second != t.value;
          it->second = t.value;
        }
        STREAMSTACK_RETURN_IF_ERROR(CheckTagCount(after.size()));
        STREAMSTACK_RETURN_IF_ERROR(UpsertTags(ctx.db(), table_id, tags));
        // Only a change takes the hold: the same tags again do not (DDB-TABLE-172).
        if (changes) impl.HoldTags(table_id, std::move(existing));
        return Status::Ok();
      },
      std::move(done), kDoneOffWriter);
}

Status TableStore::TagResource(const std::string& resource_arn, const std::vector<Tag>& tags) {
  return Wait<Status>([&](StatusDone done) { TagResource(resource_arn, tags, std::move(done)); });
}

void TableStore::UntagResource(std::string resource_arn, std::vector<std::string> keys,
                               StatusDone done) {
  auto table = TaggedTable(*this, resource_arn, [&]() -> Status {
    if (keys.empty()) return ValidationError("Atleast one Tag Key needs to be provided as Input.");
    return ValidateTagKeys(keys);
  });
  if (!table.ok()) return done(table.status());
  Impl& impl = *impl_;
  impl.store.Write(
      [&impl, table_id = (*table)->table_id, name = (*table)->name, arn = std::move(resource_arn),
       keys = std::move(keys)](storage::WriteContext& ctx) -> Status {
        // The table may have been deleted since the request found it.
        if (!impl.live.contains(table_id)) return ResourceArnNotFound(arn);
        if (impl.TagsBeingUpdated(table_id)) return TagChangeUnderWay(name);
        STREAMSTACK_ASSIGN_OR_RETURN(std::vector<Tag> existing, LoadTags(ctx.db(), table_id));
        for (const std::string& key : keys) {
          auto& stmt = ctx.db().Prepare(sql::kDeleteTableTag);
          stmt.Bind(1, table_id);
          stmt.Bind(2, key);
          STREAMSTACK_RETURN_IF_ERROR(stmt.Run());
        }
        // Only a change takes the hold: untagging keys the table lacks does not (DDB-TABLE-172).
        const bool changes = std::any_of(existing.begin(), existing.end(), [&](const Tag& t) {
          return std::find(keys.begin(), keys.end(), t.key) != keys.end();
        });
        if (changes) impl.HoldTags(table_id, std::move(existing));
        return Status::Ok();
      },
      std::move(done), kDoneOffWriter);
}

Status TableStore::UntagResource(const std::string& resource_arn,
                                 const std::vector<std::string>& keys) {
  return Wait<Status>([&](StatusDone done) { UntagResource(resource_arn, keys, std::move(done)); });
}

Result<std::vector<Tag>> TableStore::ListTagsOfResource(const std::string& resource_arn) const {
  STREAMSTACK_ASSIGN_OR_RETURN(auto table,
                               TaggedTable(*this, resource_arn, [] { return Status::Ok(); }));
  // A change under way is not readable yet (DDB-TABLE-172).
  if (auto before = impl_->TagsBeingUpdated(table->table_id)) return *before;
  return impl_->store.Read([&](storage::Database& db) -> Result<std::vector<Tag>> {
    return LoadTags(db, table->table_id);
  });
}

}  // namespace streamstack::dynamodb
