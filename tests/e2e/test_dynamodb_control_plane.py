"""DynamoDB's control plane beyond tables, through boto3 and the aws CLI: a table's ARN
wherever AWS takes a TableName, tags (TagResource, UntagResource, ListTagsOfResource, Tags on
CreateTable), DescribeLimits, DescribeEndpoints, and the DescribeTable fields SSEDescription
and WarmThroughput.

Where each expected answer comes from (AWS's answers as recorded by others; none of the
texts below was recorded by us):
  [model]    botocore's dynamodb service-2.json: TableName and the RequestItems keys are
             TableArn shapes; ConsumedCapacity.TableName "If you had specified the ARN of a
             table in the input, you'll see the table ARN in the response".
  [ack]      ack-api-quirks' DynamoDB service facts (probes of real DynamoDB, us-east-1 and
             us-west-2, 2026-10): DDB-TABLE-011 (TableName ARN: other region ValidationException,
             other account AccessDeniedException 'Access is denied'), DDB-TABLE-070/-071/-101
             (tag ResourceArn answers, 'Requested resource not found: ResourceArn: <arn> not
             found'), DDB-TABLE-105/-107/-372 (tag rules and texts, all ValidationException,
             nothing applied), DDB-TABLE-442 (the ValidationException catalogue).
  [tf]       terraform-provider-aws#42792: "1 validation error detected: Invalid AWS region in
             '<arn>'" as AWS answered it.
  [extenddb] ExtendDB#200 (answers captured from DynamoDB and DynamoDB Local): index and
             malformed ARNs as TableName are ValidationException "... Valid ARN format is ...".
             The full text is DynamoDB Local's; AWS's own full text is not recorded anywhere we
             found (ack records only its "Valid ARN format is" part).
  [dynalite] mhart/dynalite test/tagResource.js, untagResource.js, listTagsOfResource.js (real
             DynamoDB, 2020): "Invalid TableArn" for a missing ResourceArn, the null Tags and
             TagKeys texts, "Atleast one Tag needs to be provided as Input.".
  [sdk583]   aws/aws-sdk#583: the DynamoDB team: "ListTagsOfResource does not support
             pagination at the API level"; all tags come in one answer, no NextToken.
  [cli]      the aws CLI's documented examples, awscli/examples/dynamodb/describe-limits.rst
             and describe-endpoints.rst.
  [ls]       LocalStack's recorded AWS answers, tests/aws/services/dynamodb/
             test_dynamodb.snapshot.json (test_table_crud, test_gsi_with_billing_mode,
             test_table_warm_throughput, test_dynamodb_create_table_with_partial_sse_specification).
Assumed, not recorded: the "Invalid AWS partition in" and "Invalid resource type in" texts
take the region text's shape ([ack] lists them by that prefix only); the WarmThroughput write
text mirrors the recorded read one; 'aws:' is refused as a lower-case prefix only.
"""
import re
import unittest

import botocore.exceptions

from harness import REGION, ServerTestCase, create_table, record_wire_bodies, requires_botocore

ACCOUNT = "000000000000"
ARN_PREFIX = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/"
VALID_ARN_FORMAT = (
    "' at 'tableName' failed to satisfy constraint: Valid ARN format is "
    "'arn:<awsPartition>:<vendor>:<region>:<subscriber>:resourceType/resourceName', where "
    "Resource name must have length less than or equal to 255, Resource name must have length "
    "greater than or equal to 3, Resource name must satisfy regular expression pattern: "
    "[a-zA-Z0-9_.-]+")


def table_arn(name):
    return ARN_PREFIX + name


class ControlPlaneCase(ServerTestCase):
    def setUp(self):
        self.ddb = self.server.client("dynamodb")
        # Requests an older botocore would refuse to send (empty lists, missing members).
        self.raw = self.server.client("dynamodb", parameter_validation=False)

    def error(self, fn, *args, **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            fn(*args, **kwargs)
        err = ctx.exception.response["Error"]
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        return err["Code"], err["Message"]


class TableArnTest(ControlPlaneCase):
    """[model], [ack] DDB-TABLE-011, [tf], [extenddb]."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ddb = cls.server.client("dynamodb")
        create_table(ddb, "arn-items", range_key=("sk", "N"))

    def test_every_table_operation_takes_the_arn(self):
        arn = table_arn("arn-items")
        put = self.ddb.put_item(TableName=arn, Item={"pk": {"S": "a"}, "sk": {"N": "1"}},
                                ReturnConsumedCapacity="TOTAL")
        self.assertEqual(put["ConsumedCapacity"]["TableName"], arn)  # [model]
        got = self.ddb.get_item(TableName=arn, Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
                                ReturnConsumedCapacity="TOTAL")
        self.assertEqual(got["Item"]["pk"], {"S": "a"})
        self.assertEqual(got["ConsumedCapacity"]["TableName"], arn)
        self.ddb.update_item(TableName=arn, Key={"pk": {"S": "a"}, "sk": {"N": "1"}},
                             UpdateExpression="SET v = :v",
                             ExpressionAttributeValues={":v": {"N": "7"}})
        q = self.ddb.query(TableName=arn, KeyConditionExpression="pk = :p",
                           ExpressionAttributeValues={":p": {"S": "a"}})
        self.assertEqual(q["Items"][0]["v"], {"N": "7"})
        self.assertEqual(self.ddb.scan(TableName=arn, FilterExpression="pk = :p",
                                       ExpressionAttributeValues={":p": {"S": "a"}})["Count"], 1)
        self.ddb.batch_write_item(RequestItems={arn: [
            {"PutRequest": {"Item": {"pk": {"S": "b"}, "sk": {"N": "2"}}}}]})
        batch = self.ddb.batch_get_item(RequestItems={arn: {"Keys": [
            {"pk": {"S": "a"}, "sk": {"N": "1"}}, {"pk": {"S": "b"}, "sk": {"N": "2"}}]}},
            ReturnConsumedCapacity="TOTAL")
        self.assertEqual(list(batch["Responses"]), [arn])  # answered under the key it was asked
        self.assertEqual(len(batch["Responses"][arn]), 2)
        self.assertEqual([c["TableName"] for c in batch["ConsumedCapacity"]], [arn])
        self.ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": arn, "Item": {"pk": {"S": "c"}, "sk": {"N": "3"}}}},
            {"ConditionCheck": {"TableName": arn, "Key": {"pk": {"S": "a"}, "sk": {"N": "1"}},
                                "ConditionExpression": "attribute_exists(pk)"}}])
        tg = self.ddb.transact_get_items(TransactItems=[
            {"Get": {"TableName": arn, "Key": {"pk": {"S": "c"}, "sk": {"N": "3"}}}}])
        self.assertEqual(tg["Responses"][0]["Item"]["pk"], {"S": "c"})
        self.ddb.delete_item(TableName=arn, Key={"pk": {"S": "c"}, "sk": {"N": "3"}})
        # Table operations answer with the plain name ([ack] DDB-TABLE-011).
        t = self.ddb.describe_table(TableName=arn)["Table"]
        self.assertEqual((t["TableName"], t["TableArn"]), ("arn-items", arn))
        self.ddb.update_time_to_live(TableName=arn, TimeToLiveSpecification={
            "Enabled": True, "AttributeName": "expires"})
        self.assertEqual(self.ddb.describe_time_to_live(TableName=arn)
                         ["TimeToLiveDescription"]["AttributeName"], "expires")
        u = self.ddb.update_table(TableName=arn, StreamSpecification={
            "StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
        self.assertEqual(u["TableDescription"]["TableName"], "arn-items")

    def test_create_and_delete_by_arn(self):
        arn = table_arn("arn-created")
        d = create_table(self.ddb, arn)["TableDescription"]
        self.assertEqual((d["TableName"], d["TableArn"]), ("arn-created", arn))
        self.assertIn("arn-created", self.ddb.list_tables()["TableNames"])
        gone = self.ddb.delete_table(TableName=arn)["TableDescription"]
        self.assertEqual(gone["TableName"], "arn-created")
        code, _ = self.error(self.ddb.describe_table, TableName="arn-created")
        self.assertEqual(code, "ResourceNotFoundException")

    def test_arns_aws_refuses(self):
        other_region = f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/arn-items"
        other_partition = f"arn:aws-cn:dynamodb:{REGION}:{ACCOUNT}:table/arn-items"
        other_type = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:backup/arn-items"
        index = table_arn("arn-items/index/by-v")
        stream = table_arn("arn-items/stream/2024-06-10T19:26:16.525")
        cases = [  # (TableName, code, message, source)
            (other_region, "ValidationException",
             f"1 validation error detected: Invalid AWS region in '{other_region}'", "[tf]"),
            (other_partition, "ValidationException",
             f"1 validation error detected: Invalid AWS partition in '{other_partition}'",
             "[ack] prefix; shape assumed"),
            (f"arn:aws:dynamodb:{REGION}:111122223333:table/arn-items", "AccessDeniedException",
             "Access is denied", "[ack] DDB-TABLE-011"),
            (other_type, "ValidationException",
             f"1 validation error detected: Invalid resource type in '{other_type}'",
             "[ack] prefix; shape assumed"),
            (index, "ValidationException",
             f"1 validation error detected: Value '{index}{VALID_ARN_FORMAT}", "[extenddb]"),
            (stream, "ValidationException",
             f"1 validation error detected: Value '{stream}{VALID_ARN_FORMAT}", "[extenddb]"),
            ("arn:aws:dynamodb", "ValidationException",
             f"1 validation error detected: Value 'arn:aws:dynamodb{VALID_ARN_FORMAT}",
             "[extenddb]"),
        ]
        key = {"pk": {"S": "a"}, "sk": {"N": "1"}}
        for name, code, message, source in cases:
            for op, kwargs in [("DescribeTable", {}), ("GetItem", {"Key": key}),
                               ("BatchGetItem", None)]:
                with self.subTest(name=name, op=op, source=source):
                    if op == "BatchGetItem":
                        got = self.error(self.raw.batch_get_item,
                                         RequestItems={name: {"Keys": [key]}})
                    elif op == "GetItem":
                        got = self.error(self.raw.get_item, TableName=name, **kwargs)
                    else:
                        got = self.error(self.raw.describe_table, TableName=name)
                    self.assertEqual(got, (code, message))
        # An ARN of ours naming no table: the name inside it is looked up ([ack] DDB-TABLE-011).
        code, _ = self.error(self.ddb.describe_table, TableName=table_arn("no-such-table"))
        self.assertEqual(code, "ResourceNotFoundException")

    def test_aws_cli(self):
        arn = table_arn("arn-items")
        _, out, _ = self.server.aws("dynamodb", "describe-table", "--table-name", arn)
        self.assertEqual(out["Table"]["TableName"], "arn-items")
        self.server.aws("dynamodb", "put-item", "--table-name", arn,
                        "--item", '{"pk": {"S": "cli"}, "sk": {"N": "9"}}')
        _, out, _ = self.server.aws("dynamodb", "get-item", "--table-name", arn,
                                    "--key", '{"pk": {"S": "cli"}, "sk": {"N": "9"}}')
        self.assertEqual(out["Item"]["pk"], {"S": "cli"})


if __name__ == "__main__":
    unittest.main()
