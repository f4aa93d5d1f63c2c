"""Which control-plane change DynamoDB starts while another keeps the table UPDATING or
CREATING, and its refusals in its own words (the server runs with --table-status-delay-ms),
through boto3 and, for members botocore 1.29 cannot send, raw JSON over HTTP.

Where each expected answer comes from (AWS's answers as recorded by others):
  [119]  ack-api-quirks DDB-TABLE-119: during a stream toggle, DeletionProtection, SSE and
         WarmThroughput are admitted; DeleteTable, TableClass and OnDemandThroughput refused.
  [369]  DDB-TABLE-369: during a billing mode switch, capacity, OnDemandThroughput, the stream
         and DeleteTable refused with their texts, DeletionProtection and WarmThroughput
         admitted; OnDemandThroughput is judged against the mode before the switch first.
  [458]  DDB-TABLE-458: while a new index is allocated, SSE and DeletionProtection admitted,
         the stream "Can't change stream status when an index is being created",
         OnDemandThroughput "... while index creation is in progress for indexes: [<i>]",
         WarmThroughput an HTTP 500 InternalServerError "Table is under system maintenance,
         please try again later".
  [002]  DDB-TABLE-002: the identical stream enable re-sent while it is under way is
         ResourceInUseException (text not recorded: assumed the other toggle's, "A stream
         status change is currently in progress. ..."), not the ValidationException "Table
         already has an enabled stream".
  [163]  DDB-TABLE-163: while a new index is allocated, an Update of that index is "Index is
         being created but is not backfilling yet. Table: <t> Index: <i>"; an Update of
         another index is admitted.
  [156]  DDB-TABLE-156, -410: BillingMode PAY_PER_REQUEST again on an on-demand table is
         answered UPDATING, while DescribeTable stays ACTIVE.
  [445]  DDB-TABLE-445, the catalogue of ThrottlingException texts: DeletionProtectionEnabled
         is not written again within 15 s of its last change.
  [444]  DDB-TABLE-444, the catalogue of ResourceInUseException texts: "Cannot delete table
         while indexes are being created, updated, or deleted.", "Index creation is in
         resource allocation phase. ...", "Index is being deleted. Table: <t> Index: <i>",
         "Table is being used: <t>" (CreateTable of a restore's target).
Assumed, not recorded: the ends of the texts the records cut (the table class text after
"Table:", the stream-toggle OnDemandThroughput text after "is i"), completed as their
families read.
"""
import json
import time
import unittest

import botocore.exceptions

from harness import ServerTestCase

IN_USE = "Attempt to change a resource which is still in use: "


class AdmissionCase(ServerTestCase):
    server_args = ("--table-status-delay-ms", "3000")

    def setUp(self):
        self.ddb = self.server.client("dynamodb")

    def post(self, operation, body):
        headers = {"Content-Type": "application/x-amz-json-1.0",
                   "X-Amz-Target": f"DynamoDB_20120810.{operation}"}
        status, _, payload = self.server.http("POST", "/", json.dumps(body).encode(), headers)
        return status, json.loads(payload)

    def refused(self, fn, message, code="ResourceInUseException", **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            fn(**kwargs)
        err = ctx.exception.response["Error"]
        self.assertEqual((err["Code"], err["Message"]), (code, message))

    def refused_raw(self, body, status, code, message):
        got_status, answer = self.post("UpdateTable", body)
        self.assertEqual((got_status, answer.get("__type", "").split("#")[-1],
                          answer.get("message")), (status, code, message), body)

    def admitted_raw(self, body, table_status):
        status, answer = self.post("UpdateTable", body)
        self.assertEqual(status, 200, answer)
        self.assertEqual(answer["TableDescription"]["TableStatus"], table_status, body)
        return answer["TableDescription"]

    def active_table(self, name, **extra):
        request = dict(TableName=name, BillingMode="PAY_PER_REQUEST",
                       AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                       KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        request.update(extra)
        self.ddb.create_table(**request)
        self.wait_active(name)

    def wait_active(self, name):
        self.ddb.get_waiter("table_exists").wait(TableName=name,
                                                 WaiterConfig={"Delay": 1, "MaxAttempts": 15})
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            # Raw, so that botocore 1.29 keeps the members it does not know.
            table = self.post("DescribeTable", {"TableName": name})[1]["Table"]
            if table["TableStatus"] == "ACTIVE" and all(
                    i["IndexStatus"] == "ACTIVE" for i in table.get("GlobalSecondaryIndexes", [])):
                return table
            time.sleep(0.1)
        self.fail(f"{name} did not become ACTIVE")


class WhileTheStreamIsToggledTest(AdmissionCase):
    """[119], [444]: each admitted change is kept with the stream's."""

    def test_what_aws_admits_while_the_stream_is_being_enabled(self):
        name = "toggling"
        self.active_table(name)
        enabled = self.ddb.update_table(TableName=name, StreamSpecification={
            "StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})["TableDescription"]
        stream = f" Table: {name} Stream: {enabled['LatestStreamLabel']} Operation: ENABLE"

        self.refused(self.ddb.delete_table, IN_USE + "Cannot delete table while stream is being "
                     "enabled/disabled.", TableName=name)
        self.refused(self.ddb.update_table, IN_USE + "Can't update table class when stream "
                     "status is being updated." + stream,
                     TableName=name, TableClass="STANDARD_INFREQUENT_ACCESS")
        self.refused(self.ddb.update_table, IN_USE + "Can't change table IOPS when stream status "
                     "is being updated." + stream, TableName=name, BillingMode="PROVISIONED",
                     ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
        self.refused(self.ddb.update_table, IN_USE + "A stream status change is currently in "
                     "progress." + stream, TableName=name,
                     StreamSpecification={"StreamEnabled": False})
        self.refused(self.ddb.update_table, IN_USE + "A stream status change is currently in "
                     "progress." + stream, TableName=name, StreamSpecification={
                         "StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})  # [002]
        self.refused_raw({"TableName": name, "OnDemandThroughput": {"MaxReadRequestUnits": 100}},
                         400, "ResourceInUseException", IN_USE + "OnDemandThroughput cannot be "
                         "updated while stream status update is in progress")

        self.admitted_raw({"TableName": name, "DeletionProtectionEnabled": True}, "UPDATING")
        self.admitted_raw({"TableName": name, "SSESpecification": {"Enabled": True}}, "ACTIVE")
        self.admitted_raw({"TableName": name, "WarmThroughput": {"ReadUnitsPerSecond": 13000}},
                          "UPDATING")
        self.wait_active(name)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            table = self.post("DescribeTable", {"TableName": name})[1]["Table"]
            if table["SSEDescription"]["Status"] == "ENABLED":
                break
            time.sleep(0.1)
        self.assertEqual(table["StreamSpecification"],
                         {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        self.assertTrue(table["DeletionProtectionEnabled"])
        self.assertEqual(table["SSEDescription"]["Status"], "ENABLED")
        self.assertEqual(table["WarmThroughput"]["ReadUnitsPerSecond"], 13000)


class WhileAnIndexIsCreatedTest(AdmissionCase):
    """[458], [444], [163]."""

    def test_what_aws_admits_while_a_new_index_is_allocated(self):
        name = "indexing"
        self.active_table(name, AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "h", "AttributeType": "S"}], GlobalSecondaryIndexes=[{
                "IndexName": "old", "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}])
        self.ddb.update_table(
            TableName=name, AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": "gsi1", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}}])

        self.refused(self.ddb.update_table, IN_USE + "Can't change stream status when an index "
                     "is being created", TableName=name,
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
        self.refused(self.ddb.delete_table, IN_USE + "Cannot delete table while indexes are being "
                     "created, updated, or deleted.", TableName=name)
        self.refused(self.ddb.update_table, IN_USE + "Index creation is in resource allocation "
                     "phase. Retry deletion during backfilling phase or when the index is "
                     f"active. Table: {name} Index: gsi1", TableName=name,
                     GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "gsi1"}}])
        self.refused_raw({"TableName": name, "OnDemandThroughput": {"MaxReadRequestUnits": 100}},
                         400, "ResourceInUseException", IN_USE + "OnDemandThroughput cannot be "
                         "updated while index creation is in progress for indexes: [gsi1]")
        limits = {"MaxReadRequestUnits": 50}
        self.refused_raw({"TableName": name, "GlobalSecondaryIndexUpdates": [{"Update": {
            "IndexName": "gsi1", "OnDemandThroughput": limits}}]}, 400, "ResourceInUseException",
            IN_USE + f"Index is being created but is not backfilling yet. Table: {name} "
            "Index: gsi1")
        other = self.admitted_raw({"TableName": name, "GlobalSecondaryIndexUpdates": [{"Update": {
            "IndexName": "old", "OnDemandThroughput": limits}}]}, "UPDATING")
        statuses = {i["IndexName"]: i["IndexStatus"] for i in other["GlobalSecondaryIndexes"]}
        self.assertEqual(statuses, {"old": "UPDATING", "gsi1": "CREATING"})
        self.refused_raw({"TableName": name,
                          "WarmThroughput": {"ReadUnitsPerSecond": 13000,
                                             "WriteUnitsPerSecond": 5000}},
                         500, "InternalServerError",
                         "Table is under system maintenance, please try again later")
        self.admitted_raw({"TableName": name, "DeletionProtectionEnabled": True}, "UPDATING")
        self.admitted_raw({"TableName": name, "SSESpecification": {"Enabled": True}}, "ACTIVE")

        table = self.wait_active(name)
        indexes = {i["IndexName"]: i for i in table["GlobalSecondaryIndexes"]}
        self.assertEqual(set(indexes), {"old", "gsi1"})
        self.assertEqual(indexes["old"]["OnDemandThroughput"], limits)
        self.assertTrue(table["DeletionProtectionEnabled"])
        # Within 15 s of its change the setting is not written again ([445]).
        status, answer = self.post("UpdateTable", {"TableName": name,
                                                   "DeletionProtectionEnabled": False})
        self.assertEqual((status, answer["__type"].split("#")[-1]), (400, "ThrottlingException"))
        self.assertRegex(answer["message"], r"^Deletion protection setting for table indexing "
                                            r"modified within the previous 15000 milliseconds\. "
                                            r"Please try again after \d{4}-\d\d-\d\dT"
                                            r"\d\d:\d\d:\d\d\.\d{3}$")


class WhileTheBillingModeSwitchesTest(AdmissionCase):
    """[369]."""

    def test_capacity_waits_and_on_demand_limits_are_judged_by_the_mode_before(self):
        name = "switching"
        self.active_table(name)
        switched = self.ddb.update_table(TableName=name, BillingMode="PROVISIONED",
                                         ProvisionedThroughput={"ReadCapacityUnits": 1,
                                                                "WriteCapacityUnits": 1})
        self.assertEqual(switched["TableDescription"]["TableStatus"], "UPDATING")
        self.refused(self.ddb.update_table, IN_USE + f"Table IOPS are currently being updated. "
                     f"Table: {name}", TableName=name,
                     ProvisionedThroughput={"ReadCapacityUnits": 2, "WriteCapacityUnits": 2})
        self.refused(self.ddb.update_table, IN_USE + "Can't enable or disable stream while table "
                     f"IOPS are being updated. Table: {name}", TableName=name,
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
        self.refused(self.ddb.delete_table, IN_USE + f"Table: {name} is in the process of being "
                     "updated.", TableName=name)
        self.refused_raw({"TableName": name, "OnDemandThroughput": {"MaxReadRequestUnits": 100}},
                         400, "ResourceInUseException", IN_USE + "OnDemandThroughput cannot be "
                         "updated while BillingMode update is in progress")
        self.admitted_raw({"TableName": name, "WarmThroughput": {"ReadUnitsPerSecond": 13000}},
                          "UPDATING")
        self.wait_active(name)

        self.ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")
        # Capacity during the switch to on demand: the switch under way answers, not the
        # on-demand mode's refusal of capacity (recorded, DDB-TABLE-369).
        self.refused(self.ddb.update_table, IN_USE + f"Table IOPS are currently being updated. "
                     f"Table: {name}", TableName=name,
                     ProvisionedThroughput={"ReadCapacityUnits": 7, "WriteCapacityUnits": 7})
        self.refused_raw({"TableName": name, "OnDemandThroughput": {"MaxReadRequestUnits": 100}},
                         400, "ValidationException", "One or more parameter values were invalid: "
                         "MaxReadRequestUnits for OnDemandThroughput cannot be specified when "
                         "the table BillingMode is PROVISIONED")
        table = self.wait_active(name)
        self.assertEqual(table["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        self.assertEqual(table["WarmThroughput"]["ReadUnitsPerSecond"], 13000)
        # [156]: on demand again is answered UPDATING, the table stays ACTIVE; a change that
        # needs the table then is admitted at once.
        self.assertEqual(self.ddb.update_table(TableName=name, BillingMode="PAY_PER_REQUEST")[
            "TableDescription"]["TableStatus"], "UPDATING")
        self.assertEqual(self.post("DescribeTable", {"TableName": name})[1]["Table"][
            "TableStatus"], "ACTIVE")
        self.ddb.update_table(TableName=name, TableClass="STANDARD_INFREQUENT_ACCESS")


class WhileATableIsRestoredTest(AdmissionCase):
    """[444]: CreateTable of a restore's target while it is CREATING."""

    def test_a_restore_target_is_being_used(self):
        self.active_table("restored-source")
        arn = self.ddb.create_backup(TableName="restored-source",
                                     BackupName="first")["BackupDetails"]["BackupArn"]
        self.ddb.restore_table_from_backup(TargetTableName="restored-copy", BackupArn=arn)
        self.refused(self.ddb.create_table, IN_USE + "Table is being used: restored-copy",
                     TableName="restored-copy", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
        self.wait_active("restored-copy")


if __name__ == "__main__":
    unittest.main()
