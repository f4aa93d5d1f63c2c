// Which control-plane change AWS admits alongside one under way, and its refusals' texts
// (ack-api-quirks DDB-TABLE-119, -369 and the catalogue DDB-TABLE-444; the e2e tests send the
// recorded ones over the wire).
#include "dynamodb/table_transition.h"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace streamstack::dynamodb {
namespace {

const std::string kInUse = "Attempt to change a resource which is still in use: ";

TableTransition Updating(const std::function<void(TableTransition&)>& fill) {
  TableTransition t;
  t.status = TableStatus::kUpdating;
  fill(t);
  return t;
}

TableTransition Deleting() {
  TableTransition t;
  t.status = TableStatus::kDeleting;
  return t;
}

const TableTransition kStreamEnabling = Updating([](TableTransition& t) {
  t.changes.stream = true;
  t.stream_enabling = true;
  t.stream_label = "2024-06-10T19:26:16.525";
});
const TableTransition kBillingSwitch =
    Updating([](TableTransition& t) { t.changes.billing_mode = true; });
const TableTransition kTableClass = Updating([](TableTransition& t) {
  t.changes.table_class = true;
  t.table_class = "STANDARD_INFREQUENT_ACCESS";
});
const TableTransition kIndexCreate = Updating([](TableTransition& t) {
  t.changes.index_create = true;
  t.index_name = "by-g";
});
const TableTransition kIndexDelete = Updating([](TableTransition& t) {
  t.changes.index_delete = true;
  t.index_name = "by-g";
});
TableTransition Active(const std::function<void(TableTransition&)>& fill) {
  TableTransition t;
  fill(t);
  return t;
}
const TableTransition kEncryption = Active([](TableTransition& t) {
  t.changes.encryption = true;
  t.before_change.sse_kms_master_key_arn = "";
});

struct Case {
  std::string name;
  TableTransition under_way;
  TableTransition proposed;
  std::string refusal;  // empty: admitted
};

class AdmitAlongsideTest : public ::testing::TestWithParam<Case> {};

TEST_P(AdmitAlongsideTest, AnswersAsAws) {
  const Case& c = GetParam();
  Status st = AdmitAlongside("tbl", c.under_way, c.proposed);
  if (c.refusal.empty()) {
    EXPECT_TRUE(st.ok()) << st.message();
  } else {
    EXPECT_EQ(st.message(), c.refusal);
    EXPECT_TRUE(st.code() == AwsError::kResourceInUse || st.code() == AwsError::kLimitExceeded ||
                st.code() == AwsError::kInternalFailure);
  }
}

TableTransition Change(void (*fill)(TableChanges&)) {
  return Updating([fill](TableTransition& t) { fill(t.changes); });
}

const TableTransition kOtherIndexCreate = Updating([](TableTransition& t) {
  t.changes.index_create = true;
  t.index_name = "by-h";
});

const TableTransition kIndexUpdate = Updating([](TableTransition& t) {
  t.changes.index_update = true;
  t.index_name = "by-g";
});

std::string CaseName(const ::testing::TestParamInfo<Case>& param) { return param.param.name; }

const std::string kStream = " Table: tbl Stream: 2024-06-10T19:26:16.525 Operation: ENABLE";

INSTANTIATE_TEST_SUITE_P(
    Matrix, AdmitAlongsideTest,
    ::testing::Values(
        // A stream toggle (DDB-TABLE-119, -444).
        Case{"StreamThenDelete", kStreamEnabling, Deleting(),
             kInUse + "Cannot delete table while stream is being enabled/disabled."},
        Case{"StreamThenTableClass", kStreamEnabling,
             Change([](TableChanges& c) { c.table_class = true; }),
             kInUse + "Can't update table class when stream status is being updated." + kStream},
        Case{"StreamThenCapacity", kStreamEnabling,
             Change([](TableChanges& c) { c.provisioned_throughput = true; }),
             kInUse + "Can't change table IOPS when stream status is being updated." + kStream},
        Case{"StreamThenOnDemand", kStreamEnabling,
             Change([](TableChanges& c) { c.on_demand_throughput = true; }),
             kInUse + "OnDemandThroughput cannot be updated while stream status update is in "
                      "progress"},
        Case{"StreamThenIndexCreate", kStreamEnabling,
             Change([](TableChanges& c) { c.index_create = true; }),
             kInUse + "Can't create or delete an index when stream status is being updated."},
        Case{"BillingThenIndexDelete", kBillingSwitch,
             Change([](TableChanges& c) { c.index_delete = true; }),
             kInUse + "Can't create or delete indexes while table IOPS are being updated. "
                      "Table: tbl"},
        Case{"StreamThenStream", kStreamEnabling, Change([](TableChanges& c) { c.stream = true; }),
             kInUse + "A stream status change is currently in progress." + kStream},
        Case{"StreamThenProtection", kStreamEnabling,
             Change([](TableChanges& c) { c.deletion_protection = true; }), ""},
        Case{"StreamThenEncryption", kStreamEnabling,
             Change([](TableChanges& c) { c.encryption = true; }), ""},
        Case{"StreamThenWarm", kStreamEnabling,
             Change([](TableChanges& c) { c.warm_throughput = true; }), ""},
        // A billing mode switch (DDB-TABLE-369).
        Case{"BillingThenCapacity", kBillingSwitch,
             Change([](TableChanges& c) { c.provisioned_throughput = true; }),
             kInUse + "Table IOPS are currently being updated. Table: tbl"},
        Case{"BillingThenBilling", kBillingSwitch,
             Change([](TableChanges& c) { c.billing_mode = true; }),
             kInUse + "Table IOPS are currently being updated. Table: tbl"},
        Case{"BillingThenOnDemand", kBillingSwitch,
             Change([](TableChanges& c) { c.on_demand_throughput = true; }),
             kInUse + "OnDemandThroughput cannot be updated while BillingMode update is in "
                      "progress"},
        Case{"BillingThenStream", kBillingSwitch, Change([](TableChanges& c) { c.stream = true; }),
             kInUse + "Can't enable or disable stream while table IOPS are being updated. Table: "
                      "tbl"},
        Case{"BillingThenDelete", kBillingSwitch, Deleting(),
             kInUse + "Table: tbl is in the process of being updated."},
        Case{"BillingThenProtection", kBillingSwitch,
             Change([](TableChanges& c) { c.deletion_protection = true; }), ""},
        Case{"BillingThenWarm", kBillingSwitch,
             Change([](TableChanges& c) { c.warm_throughput = true; }), ""},
        // A table class change (DDB-TABLE-444).
        Case{"TableClassThenTableClass", kTableClass,
             Change([](TableChanges& c) { c.table_class = true; }),
             kInUse + "Can't update table class when a table class update is in progress. Table: "
                      "tbl TableClassUpdateInProgress: STANDARD_INFREQUENT_ACCESS"},
        Case{"TableClassThenStream", kTableClass, Change([](TableChanges& c) { c.stream = true; }),
             kInUse + "Can't change stream status when a table class update is in progress. "
                      "Table: tbl TableClassUpdateInProgress: STANDARD_INFREQUENT_ACCESS"},
        Case{"TableClassThenOnDemand", kTableClass,
             Change([](TableChanges& c) { c.on_demand_throughput = true; }),
             kInUse + "OnDemandThroughput cannot be updated while TableClass update is in "
                      "progress. TableClassUpdateInProgress: STANDARD_INFREQUENT_ACCESS"},
        // An index created or deleted during another change (DDB-TABLE-175).
        Case{"TableClassThenIndexCreate", kTableClass,
             Change([](TableChanges& c) { c.index_create = true; }),
             kInUse + "Can't create or delete an index when a table class update is in "
                      "progress."},
        // An index being created or deleted (DDB-TABLE-444, -159).
        Case{"IndexCreateThenCapacity", kIndexCreate,
             Change([](TableChanges& c) { c.provisioned_throughput = true; }),
             kInUse + "Can't change table IOPS when an index is being created. Table: tbl "
                      "Indexes: [by-g]"},
        Case{"IndexCreateThenStream", kIndexCreate,
             Change([](TableChanges& c) { c.stream = true; }),
             kInUse + "Can't change stream status when an index is being created"},
        Case{"IndexCreateThenOnDemand", kIndexCreate,
             Change([](TableChanges& c) { c.on_demand_throughput = true; }),
             kInUse + "OnDemandThroughput cannot be updated while index creation is in progress "
                      "for indexes: [by-g]"},
        Case{"IndexCreateThenWarm", kIndexCreate,
             Change([](TableChanges& c) { c.warm_throughput = true; }),
             "Table is under system maintenance, please try again later"},
        Case{"IndexCreateThenProtection", kIndexCreate,
             Change([](TableChanges& c) { c.deletion_protection = true; }), ""},
        Case{"IndexCreateThenDelete", kIndexCreate, Deleting(),
             kInUse + "Cannot delete table while indexes are being created, updated, or "
                      "deleted."},
        Case{"IndexCreateThenAnotherIndex", kIndexCreate, kOtherIndexCreate,
             "Subscriber limit exceeded: Only 1 online index can be created or deleted "
             "simultaneously per table"},
        Case{"IndexCreateThenItsDeletion", kIndexCreate, kIndexDelete,
             kInUse + "Index creation is in resource allocation phase. Retry deletion during "
                      "backfilling phase or when the index is active. Table: tbl Index: by-g"},
        Case{"IndexDeleteThenCapacity", kIndexDelete,
             Change([](TableChanges& c) { c.billing_mode = true; }),
             kInUse + "Can't change table IOPS when an index is being deleted. Table: tbl "
                      "Indexes: [by-g]"},
        Case{"IndexDeleteThenOnDemand", kIndexDelete,
             Change([](TableChanges& c) { c.on_demand_throughput = true; }),
             kInUse + "OnDemandThroughput cannot be updated while index deletion is in progress "
                      "for indexes: [by-g]"},
        Case{"IndexDeleteThenItsUpdate", kIndexDelete, kIndexUpdate,
             kInUse + "Index is being deleted. Table: tbl Index: by-g"},
        Case{"IndexUpdateThenItsUpdate", kIndexUpdate, kIndexUpdate,
             kInUse + "Index is being updated. Table: tbl Index: by-g"},
        // An encryption change leaves the table ACTIVE (DDB-TABLE-120, -444).
        Case{"EncryptionThenEncryption", kEncryption,
             Change([](TableChanges& c) { c.encryption = true; }),
             kInUse + "Server-Side Encryption is still being updated"},
        Case{"EncryptionThenDelete", kEncryption, Deleting(),
             kInUse + "Table: tbl is in the process of being updated."},
        Case{"EncryptionThenStream", kEncryption, Change([](TableChanges& c) { c.stream = true; }),
             ""},
        // A table being created or deleted refuses everything.
        Case{"DeletingThenUpdate", Deleting(),
             Change([](TableChanges& c) { c.deletion_protection = true; }),
             kInUse + "Table is being deleted: tbl"},
        Case{"CreatingThenUpdate", Creating(),
             Change([](TableChanges& c) { c.warm_throughput = true; }),
             kInUse + "Table is being created: tbl"}),
    CaseName);

TEST(RefuseCreateTest, ARestoreTargetIsBeingUsed) {
  EXPECT_EQ(RefuseCreate("tbl", Restoring("backup-arn", "table-arn")).message(),
            kInUse + "Table is being used: tbl");
  EXPECT_EQ(RefuseCreate("tbl", Creating()).message(), kInUse + "Table is being created: tbl");
  EXPECT_EQ(RefuseCreate("tbl", Deleting()).message(), kInUse + "Table is being deleted: tbl");
}

TEST(CheckIndexNotBeingDeletedTest, AnIndexDeletedMeanwhileIsStillNamed) {
  TableTransition under_way = kIndexDelete;
  under_way.deleting_index = SecondaryIndex{};
  under_way.deleting_index->name = "by-g";
  UpdateTableRequest request;
  request.table_name = "tbl";
  GlobalSecondaryIndexUpdate update;
  update.action = GlobalSecondaryIndexUpdate::Action::kDelete;
  update.index.name = "by-g";
  request.global_secondary_index_updates = std::vector<GlobalSecondaryIndexUpdate>{update};
  EXPECT_EQ(CheckIndexNotBeingDeleted("tbl", under_way, request).message(),
            kInUse + "Index is being deleted. Table: tbl Index: by-g");
  // Its name created again (DDB-TABLE-163).
  request.global_secondary_index_updates->front().action =
      GlobalSecondaryIndexUpdate::Action::kCreate;
  EXPECT_EQ(CheckIndexNotBeingDeleted("tbl", under_way, request).message(),
            kInUse + "Index is being deleted. Table: tbl Index: by-g");
  request.global_secondary_index_updates->front().index.name = "other";
  EXPECT_TRUE(CheckIndexNotBeingDeleted("tbl", under_way, request).ok());
}

TEST(MergeTransitionsTest, TheTableIsUpdatingWhileAnyChangeKeepsItSo) {
  const TableTransition encryption = kEncryption;
  const TableTransition stream = kStreamEnabling;
  TableTransition merged = MergeTransitions({&encryption, &stream});
  EXPECT_EQ(merged.status, TableStatus::kUpdating);
  EXPECT_TRUE(merged.changes.stream);
  EXPECT_TRUE(merged.changes.encryption);
  EXPECT_EQ(merged.before_change.sse_kms_master_key_arn, std::optional<std::string>(""));
  // What the refusals of the merged changes name (the stream's label and operation).
  EXPECT_EQ(merged.stream_label, "2024-06-10T19:26:16.525");
  EXPECT_TRUE(merged.stream_enabling);
  EXPECT_EQ(MergeTransitions({&encryption}).status, TableStatus::kActive);
  const TableTransition deleting = Deleting();
  EXPECT_EQ(MergeTransitions({&stream, &deleting}).status, TableStatus::kDeleting);
}

}  // namespace
}  // namespace streamstack::dynamodb
