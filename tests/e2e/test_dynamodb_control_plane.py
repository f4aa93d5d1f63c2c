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
import calendar
import json
import re
import time
import unittest

import botocore.exceptions

from harness import (REGION, ServerTestCase, StreamStack, create_table, record_wire_bodies,
                     requires_botocore)

ACCOUNT = "000000000000"
ARN_PREFIX = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/"
VALID_ARN_FORMAT = (
    "' at 'tableName' failed to satisfy constraint: Valid ARN format is "
    "'arn:<awsPartition>:<vendor>:<region>:<subscriber>:resourceType/resourceName', where "
    "Resource name must have length less than or equal to 255, Resource name must have length "
    "greater than or equal to 3, Resource name must satisfy regular expression pattern: "
    "[a-zA-Z0-9_.-]+")


def minified(document):
    """A JSON document without whitespace, as DynamoDB answers a resource policy."""
    return json.dumps(document, separators=(",", ":"))


def table_arn(name):
    return ARN_PREFIX + name


class ControlPlaneCase(ServerTestCase):
    def setUp(self):
        self.ddb = self.server.client("dynamodb")
        # Requests an older botocore would refuse to send (empty lists, missing members).
        self.raw = self.server.client("dynamodb", parameter_validation=False)

    def create(self, name, **kwargs):
        """CreateTable of an on-demand table keyed by pk (S); kwargs add or replace members."""
        request = dict(TableName=name, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                       AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                       BillingMode="PAY_PER_REQUEST")
        request.update(kwargs)
        return self.ddb.create_table(**request)["TableDescription"]

    def error(self, fn, *args, **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            fn(*args, **kwargs)
        err = ctx.exception.response["Error"]
        self.assertEqual(ctx.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        return err["Code"], err["Message"]


class TestClockCase(ControlPlaneCase):
    """A server of its own on the test clock, which advance() moves (in seconds); returns the
    server's time in milliseconds."""

    @classmethod
    def setUpClass(cls):
        cls.server = StreamStack(in_memory=True, env={"STREAMSTACK_TEST_CLOCK": "1"}).start()

    def advance(self, seconds):
        status, _, body = self.server.http(
            "GET", f"/_streamstack/clock/advance?ms={int(seconds * 1000)}")
        self.assertEqual(status, 200, body)
        return json.loads(body)["now_ms"]


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

    def test_batch_get_collapses_one_table_named_by_arn_and_by_name(self):
        """[extenddb] test_table_arn_as_name: one entry, the item once (recorded from AWS).
        Which of the two keys AWS keeps is not recorded; the name is assumed."""
        arn = table_arn("arn-items")
        key = {"pk": {"S": "col"}, "sk": {"N": "1"}}
        self.ddb.put_item(TableName="arn-items", Item=dict(key, v={"S": "c"}))
        got = self.ddb.batch_get_item(RequestItems={arn: {"Keys": [key]},
                                                    "arn-items": {"Keys": [key]}},
                                      ReturnConsumedCapacity="TOTAL")
        self.assertEqual(got["Responses"], {"arn-items": [dict(key, v={"S": "c"})]})
        self.assertEqual([c["TableName"] for c in got["ConsumedCapacity"]], ["arn-items"])
        # The name's own entry decides what is read: its projection, not the ARN's.
        got = self.ddb.batch_get_item(RequestItems={
            arn: {"Keys": [key], "ProjectionExpression": "v"},
            "arn-items": {"Keys": [key], "ProjectionExpression": "pk"}})
        self.assertEqual(got["Responses"], {"arn-items": [{"pk": {"S": "col"}}]})

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


class TagsTest(ControlPlaneCase):
    """[ack] DDB-TABLE-070/-071/-101/-105/-107/-372, [dynalite], [sdk583]."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ddb = cls.server.client("dynamodb")
        create_table(ddb, "tagged", Tags=[{"Key": "team", "Value": "core"},
                                          {"Key": "env", "Value": "test"}])
        create_table(ddb, "tag-limits")

    def tags(self, name):
        out = self.ddb.list_tags_of_resource(ResourceArn=table_arn(name))
        self.assertNotIn("NextToken", out)  # [sdk583]
        return out["Tags"]

    def test_create_tag_untag(self):
        arn = table_arn("tagged")
        self.assertEqual(self.tags("tagged"), [{"Key": "env", "Value": "test"},
                                               {"Key": "team", "Value": "core"}])
        self.ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "env", "Value": "prod"},
                                                     {"Key": "owner", "Value": ""}])
        self.assertEqual(self.tags("tagged"), [{"Key": "env", "Value": "prod"},
                                               {"Key": "owner", "Value": ""},
                                               {"Key": "team", "Value": "core"}])
        # Untagging an absent key is no error ([ack] DDB-TABLE-105).
        self.ddb.untag_resource(ResourceArn=arn, TagKeys=["owner", "never-set"])
        self.assertEqual([t["Key"] for t in self.tags("tagged")], ["env", "team"])
        # The CLI, v1 or v2.
        self.server.aws("dynamodb", "tag-resource", "--resource-arn", arn,
                        "--tags", "Key=cli,Value=yes")
        _, out, _ = self.server.aws("dynamodb", "list-tags-of-resource", "--resource-arn", arn)
        self.assertIn({"Key": "cli", "Value": "yes"}, out["Tags"])
        self.server.aws("dynamodb", "untag-resource", "--resource-arn", arn, "--tag-keys", "cli")
        self.assertEqual([t["Key"] for t in self.tags("tagged")], ["env", "team"])
        missing = table_arn("no-such-table")
        code, _, stderr = self.server.aws("dynamodb", "list-tags-of-resource", "--resource-arn",
                                          missing, check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("ResourceNotFoundException", stderr)
        self.assertIn(f"Requested resource not found: ResourceArn: {missing} not found", stderr)

    def test_next_token(self):
        # The model has NextToken in and out, but AWS never pages: "ListTagsOfResource does
        # not support pagination at the API level [...] Tags are limited to 50 per resource"
        # ([sdk583]). A NextToken in the request is accepted and every tag still comes back;
        # what AWS answers for a token it never issued is not recorded anywhere we found.
        arn = table_arn("tagged")
        out = self.ddb.list_tags_of_resource(ResourceArn=arn, NextToken="any-token")
        self.assertNotIn("NextToken", out)
        self.assertEqual([t["Key"] for t in out["Tags"]], [t["Key"] for t in self.tags("tagged")])
        _, cli, _ = self.server.aws("dynamodb", "list-tags-of-resource", "--resource-arn", arn,
                                    "--next-token", "any-token")
        self.assertNotIn("NextToken", cli)
        self.assertEqual(cli["Tags"], out["Tags"])

    def test_tag_validation(self):
        arn = table_arn("tag-limits")
        long_key, long_value = "k" * 129, "v" * 257
        cases = [  # (operation, request, code, message, source)
            ("tag_resource", {"Tags": [{"Key": "a", "Value": "b"}]}, "ValidationException",
             "Invalid TableArn", "[dynalite]"),
            ("tag_resource", {"ResourceArn": arn}, "ValidationException",
             "1 validation error detected: Value null at 'tags' failed to satisfy constraint: "
             "Member must not be null", "[dynalite]"),
            ("tag_resource", {"ResourceArn": arn, "Tags": []}, "ValidationException",
             "Atleast one Tag needs to be provided as Input.", "[dynalite], [ack] 107"),
            ("tag_resource", {"ResourceArn": arn, "Tags": [{"Key": "a", "Value": "b"},
                                                           {"Key": long_key, "Value": "v"}]},
             "ValidationException", f"The Tag Key provided is invalid, Key: {long_key}",
             "[ack] 107"),
            ("tag_resource", {"ResourceArn": arn, "Tags": [{"Key": "a", "Value": long_value}]},
             "ValidationException", f"The Tag Value provided is invalid, Value: {long_value}",
             "[ack] 107"),
            ("tag_resource", {"ResourceArn": arn, "Tags": [{"Key": "", "Value": "v"}]},
             "ValidationException", "The Tag Key provided is invalid, Key: ", "[ack] 107"),
            ("tag_resource", {"ResourceArn": arn, "Tags": [{"Value": "v"}]},
             "ValidationException", "The Tag Key provided is invalid, Key: null", "[ack] 457"),
            ("tag_resource", {"ResourceArn": arn, "Tags": [{"Key": "k"}]},
             "ValidationException", "The Tag Value provided is invalid, Value: null",
             "[ack] 107"),
            ("tag_resource", {"ResourceArn": arn, "Tags": [{"Key": "aws:zzz", "Value": "v"}]},
             "ValidationException", "Tag Key cannot be prefixed with aws:, Key: aws:zzz",
             "[ack] 107"),
            ("tag_resource", {"ResourceArn": arn, "Tags": [{"Key": "k", "Value": "a,b"}]},
             "ValidationException", "The Tag Value provided is invalid, Value: a,b", "[ack] 372"),
            ("tag_resource", {"ResourceArn": arn, "Tags": [{"Key": "dup", "Value": "1"},
                                                           {"Key": "dup", "Value": "2"}]},
             "ValidationException",
             "Duplicate Tag Keys provided as input: Duplicate Tag Key found dup", "[ack] 107"),
            ("untag_resource", {"ResourceArn": arn}, "ValidationException",
             "1 validation error detected: Value null at 'tagKeys' failed to satisfy "
             "constraint: Member must not be null", "[dynalite]"),
            ("untag_resource", {"ResourceArn": arn, "TagKeys": []}, "ValidationException",
             "Atleast one Tag Key needs to be provided as Input.", "[dynalite], [ack] 107"),
            ("untag_resource", {"ResourceArn": arn, "TagKeys": [long_key]},
             "ValidationException", f"The Tag Key provided is invalid, Key: {long_key}",
             "[ack] 107"),
            ("untag_resource", {"ResourceArn": arn, "TagKeys": [f"k{i}" for i in range(51)]},
             "ValidationException",
             "Number of Tags exceed the current limit for the provided ResourceArn", "[ack] 107"),
            ("list_tags_of_resource", {}, "ValidationException", "Invalid TableArn",
             "[dynalite]"),
        ]
        for op, request, code, message, source in cases:
            with self.subTest(op=op, request=request, source=source):
                self.assertEqual(self.error(getattr(self.raw, op), **request), (code, message))
        self.assertEqual(self.tags("tag-limits"), [])  # nothing applied

    def test_resource_arns(self):
        index = table_arn("tagged/index/gsi")
        region = f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/tagged"
        missing = table_arn("no-such-table")
        cases = [  # (ResourceArn, code, message, source)
            ("tagged", "ValidationException",
             "One or more parameter values were invalid: ARNs must start with 'arn:': tagged",
             "[ack] 071"),
            (f"arn:aws:sqs:{REGION}:{ACCOUNT}:queue", "ValidationException",
             "One or more parameter values were invalid: Provided Arn is not a DynamoDB "
             f"resource arn: arn:aws:sqs:{REGION}:{ACCOUNT}:queue", "[ack] 442"),
            (f"arn:aws:dynamodb:{REGION}:111122223333:table/tagged", "AccessDeniedException",
             "Access is denied", "[ack] 071"),
            (region, "ValidationException",
             f"Invalid TableArn: Invalid ResourceArn provided as input {region}", "[ack] 442"),
            (index, "ValidationException",
             "One or more parameter values were invalid: Invalid resource arn provided, only "
             f"table or stream is accepted. Provided resource arn: {index}", "[ack] 442"),
            (table_arn("ab"), "ValidationException",
             f"Invalid TableArn: Invalid ResourceArn provided as input {table_arn('ab')}",
             "[dynalite]"),
            (missing, "ResourceNotFoundException",
             f"Requested resource not found: ResourceArn: {missing} not found", "[ack] 070"),
        ]
        for arn, code, message, source in cases:
            for op, extra in [("list_tags_of_resource", {}),
                              ("tag_resource", {"Tags": [{"Key": "k", "Value": "v"}]}),
                              ("untag_resource", {"TagKeys": ["k"]})]:
                with self.subTest(arn=arn, op=op, source=source):
                    got = self.error(getattr(self.raw, op), ResourceArn=arn, **extra)
                    self.assertEqual(got, (code, message))

    def test_fifty_tags(self):
        create_table(self.ddb, "fifty", Tags=[{"Key": f"k{i:02}", "Value": "v"}
                                              for i in range(49)])
        arn = table_arn("fifty")
        self.ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "k00", "Value": "again"},
                                                     {"Key": "k49", "Value": "v"}])
        self.assertEqual(len(self.tags("fifty")), 50)
        code, message = self.error(self.ddb.tag_resource, ResourceArn=arn,
                                   Tags=[{"Key": "k50", "Value": "v"}])
        self.assertEqual((code, message), (
            "ValidationException",
            "Number of Tags exceed the current limit for the provided ResourceArn"))
        self.assertEqual(len(self.tags("fifty")), 50)
        # CreateTable refuses a bad set whole and creates nothing ([ack] DDB-TABLE-110).
        for tags, message in [
                ([{"Key": f"k{i}", "Value": "v"} for i in range(51)],
                 "Number of Tags exceed the current limit for the provided ResourceArn"),
                ([{"Key": "aws:x", "Value": "v"}],
                 "Tag Key cannot be prefixed with aws:, Key: aws:x")]:
            got = self.error(create_table, self.ddb, "never-created", Tags=tags)
            self.assertEqual(got, ("ValidationException", message))
            self.assertNotIn("never-created", self.ddb.list_tables()["TableNames"])

    def test_tags_go_with_the_table_and_survive_a_killed_process(self):
        with StreamStack() as server:  # its own server: this test kills it
            ddb = server.client("dynamodb")
            create_table(ddb, "short-lived", Tags=[{"Key": "a", "Value": "1"}])
            arn = table_arn("short-lived")
            ddb.tag_resource(ResourceArn=arn, Tags=[{"Key": "b", "Value": "2"}])
            server.kill()  # kill -9: what was acknowledged must be on disk
            server.start()
            ddb = server.client("dynamodb")
            self.assertEqual(ddb.list_tags_of_resource(ResourceArn=arn)["Tags"],
                             [{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
            ddb.delete_table(TableName="short-lived")
            self.assertEqual(self.error(ddb.list_tags_of_resource, ResourceArn=arn), (
                "ResourceNotFoundException",
                f"Requested resource not found: ResourceArn: {arn} not found"))
            # A new table of the same name starts without the old one's tags.
            create_table(ddb, "short-lived")
            self.assertEqual(ddb.list_tags_of_resource(ResourceArn=arn)["Tags"], [])


class LimitsAndEndpointsTest(ControlPlaneCase):
    """[cli]: AWS's answers in the aws CLI's documented examples."""

    def test_describe_limits(self):
        expected = {"AccountMaxReadCapacityUnits": 80000, "AccountMaxWriteCapacityUnits": 80000,
                    "TableMaxReadCapacityUnits": 40000, "TableMaxWriteCapacityUnits": 40000}
        out = self.ddb.describe_limits()  # [cli]
        self.assertEqual({k: out[k] for k in expected}, expected)
        _, cli, _ = self.server.aws("dynamodb", "describe-limits")
        self.assertEqual(cli, expected)

    def test_describe_endpoints(self):
        # AWS answers dynamodb.<region>.amazonaws.com for 1440 minutes [cli]; we answer the
        # address the client used, so an SDK that follows endpoint discovery stays here.
        out = self.ddb.describe_endpoints()["Endpoints"]
        self.assertEqual(out, [{"Address": f"127.0.0.1:{self.server.port}",
                                "CachePeriodInMinutes": 1440}])
        _, cli, _ = self.server.aws("dynamodb", "describe-endpoints")
        self.assertEqual(cli["Endpoints"], out)


class EncryptionTest(ControlPlaneCase):
    """SSEDescription: [ls] test_dynamodb_create_table_with_partial_sse_specification and
    test_dynamodb_update_table_without_sse_specification_change (CreateTable's answer already
    carries it, ENABLED; the key is the account's AWS managed key, one per region)."""

    KEY_ARN = re.compile(rf"^arn:aws:kms:{REGION}:{ACCOUNT}:key/"
                         r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")

    def sse(self, name, **kwargs):
        created = create_table(self.ddb, name, **kwargs)["TableDescription"]
        described = self.ddb.describe_table(TableName=name)["Table"]
        self.assertEqual(created.get("SSEDescription"), described.get("SSEDescription"))
        return described.get("SSEDescription")

    def test_sse_description(self):
        default = self.sse("sse-default", SSESpecification={"Enabled": True})
        self.assertEqual({k: default[k] for k in ("Status", "SSEType")},
                         {"Status": "ENABLED", "SSEType": "KMS"})
        self.assertRegex(default["KMSMasterKeyArn"], self.KEY_ARN)
        # The AWS managed key is one key: every table that asks for it gets the same one.
        self.assertEqual(self.sse("sse-kms", SSESpecification={"Enabled": True, "SSEType": "KMS"}),
                         default)
        self.assertEqual(self.sse("sse-alias", SSESpecification={
            "Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": "alias/aws/dynamodb"}), default)
        key_id = "1234abcd-12ab-34cd-56ef-1234567890ab"
        key_arn = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{key_id}"
        for name, key in [("sse-key-id", key_id), ("sse-key-arn", key_arn)]:
            self.assertEqual(self.sse(name, SSESpecification={"Enabled": True, "SSEType": "KMS",
                                                               "KMSMasterKeyId": key}),
                             {"Status": "ENABLED", "SSEType": "KMS", "KMSMasterKeyArn": key_arn})
        # Enabled may be left out: SSEType KMS alone enables ([ack] DDB-TABLE-044).
        self.assertEqual(self.sse("sse-type-only", SSESpecification={"SSEType": "KMS"}), default)
        # The AWS owned key (no SSESpecification, Enabled false, or {}) is not described.
        self.assertIsNone(self.sse("sse-none"))
        self.assertIsNone(self.sse("sse-off", SSESpecification={"Enabled": False}))
        self.assertIsNone(self.sse("sse-empty", SSESpecification={}))
        # An UpdateTable that does not touch it leaves it as it was ([ls]).
        out = self.ddb.update_table(TableName="sse-default", BillingMode="PROVISIONED",
                                    ProvisionedThroughput={"ReadCapacityUnits": 1,
                                                           "WriteCapacityUnits": 1})
        self.assertEqual(out["TableDescription"]["SSEDescription"], default)
        # The CLI, v1 or v2.
        self.server.aws("dynamodb", "create-table", "--table-name", "sse-cli",
                        "--attribute-definitions", "AttributeName=pk,AttributeType=S",
                        "--key-schema", "AttributeName=pk,KeyType=HASH",
                        "--billing-mode", "PAY_PER_REQUEST", "--sse-specification", "Enabled=true")
        _, cli, _ = self.server.aws("dynamodb", "describe-table", "--table-name", "sse-cli")
        self.assertEqual(cli["Table"]["SSEDescription"], default)

    def test_sse_errors(self):
        cases = [  # (SSESpecification, message, source)
            ({"Enabled": True, "SSEType": "AES256"},
             "One or more parameter values were invalid: SSEType AES256 is not supported",
             "AWS's answer quoted in a public project's notes; undocumented"),
            ({"Enabled": True, "SSEType": "AES-256"},
             "1 validation error detected: Value 'AES-256' at 'sSESpecification.sSEType' failed "
             "to satisfy constraint: Member must satisfy enum value set: [AES256, KMS]",
             "the same notes; [model] enum"),
            ({"Enabled": True, "KMSMasterKeyId": "alias/mine"},
             "One or more parameter values were invalid: SSEType KMS is required if "
             "KMSMasterKeyId is specified", "[ack] DDB-TABLE-442; the CloudFormation guide"),
            ({"Enabled": False, "SSEType": "KMS"},
             "One or more parameter values were invalid: SSEType can not be specified if Enabled "
             "is false", "[ack] DDB-TABLE-442"),
            ({"Enabled": False, "KMSMasterKeyId": "alias/mine"},
             "One or more parameter values were invalid: KMSMasterKeyId can not be specified if "
             "Enabled is false", "[ack] DDB-TABLE-442"),
        ]
        for spec, message, source in cases:
            with self.subTest(spec=spec, source=source):
                got = self.error(create_table, self.raw, "sse-refused", SSESpecification=spec)
                self.assertEqual(got, ("ValidationException", message))
                self.assertNotIn("sse-refused", self.ddb.list_tables()["TableNames"])


    def test_update_encryption(self):
        """[ack] DDB-TABLE-079, -082, -140, -442: an encryption change leaves the table ACTIVE;
        its answer describes the key before it, UPDATING ({"Status": "UPDATING"} alone from the
        AWS owned key); asking for what the table has is refused."""
        create_table(self.ddb, "sse-update")
        code, message = self.error(self.ddb.update_table, TableName="sse-update",
                                   SSESpecification={"Enabled": False})
        self.assertEqual((code, message), ("ValidationException",
                                           "One or more parameter values were invalid: Table is "
                                           "already encrypted by default"))
        out = self.ddb.update_table(TableName="sse-update",
                                    SSESpecification={"Enabled": True})["TableDescription"]
        self.assertEqual(out["TableStatus"], "ACTIVE")
        self.assertEqual(out["SSEDescription"], {"Status": "UPDATING"})
        enabled = self.ddb.describe_table(TableName="sse-update")["Table"]["SSEDescription"]
        self.assertEqual(enabled["Status"], "ENABLED")
        self.assertRegex(enabled["KMSMasterKeyArn"], self.KEY_ARN)
        code, message = self.error(self.ddb.update_table, TableName="sse-update",
                                   SSESpecification={"Enabled": True, "SSEType": "KMS",
                                                     "KMSMasterKeyId": enabled["KMSMasterKeyArn"]})
        self.assertEqual(message, "One or more parameter values were invalid: Table is already "
                                  "encrypted with given KMSMasterKeyId. Use KMSMasterKeyId "
                                  "parameter if you want to change Master Key")
        # Disabling goes back to the AWS owned key: no SSEDescription once done. The CLI, v1 or v2.
        _, out, _ = self.server.aws("dynamodb", "update-table", "--table-name", "sse-update",
                                    "--sse-specification", "Enabled=false")
        self.assertEqual(out["TableDescription"]["SSEDescription"], dict(enabled,
                                                                         Status="UPDATING"))
        self.assertNotIn("SSEDescription",
                         self.ddb.describe_table(TableName="sse-update")["Table"])

    @requires_botocore("dynamodb", "UpdateTable", "DeletionProtectionEnabled")
    def test_one_change_per_update(self):
        """[ack] DDB-TABLE-382, -433, -174: deletion protection, encryption, table class and
        warm throughput each come alone; streams, capacity and index creation exclude each
        other; nothing is applied."""
        create_table(self.ddb, "one-change")
        only = " must be the only operation in the request"
        cases = [
            (dict(DeletionProtectionEnabled=True, SSESpecification={"Enabled": True}),
             "Server-Side Encryption modification" + only),
            (dict(DeletionProtectionEnabled=True, TableClass="STANDARD_INFREQUENT_ACCESS"),
             "TableClass modification" + only),
            (dict(DeletionProtectionEnabled=True,
                  StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}),
             "DeletionProtection modification" + only),
            (dict(BillingMode="PROVISIONED",
                  ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1},
                  StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"}),
             "You cannot modify stream status while updating table IOPS"),
        ]
        for request, message in cases:
            with self.subTest(request=request):
                got = self.error(self.ddb.update_table, TableName="one-change", **request)
                self.assertEqual(got, ("ValidationException",
                                       "One or more parameter values were invalid: " + message))
        table = self.ddb.describe_table(TableName="one-change")["Table"]
        self.assertFalse(table["DeletionProtectionEnabled"])
        self.assertNotIn("StreamSpecification", table)
        self.assertNotIn("SSEDescription", table)
        # Deletion protection alone: applied at once, the table stays ACTIVE ([ack] DDB-TABLE-017).
        out = self.ddb.update_table(TableName="one-change", DeletionProtectionEnabled=True)
        self.assertEqual(out["TableDescription"]["TableStatus"], "ACTIVE")
        self.assertTrue(out["TableDescription"]["DeletionProtectionEnabled"])


class EncryptionQuotaTest(TestClockCase):
    """[ack] DDB-TABLE-081, -140, -141 (recorded): a table takes 4 encryption changes in a
    24-hour window that opens at the first, then one per 21600 seconds until the window ends;
    another is LimitExceededException in DDB-TABLE-140's words (its record is cut after the last
    change's time; the catalogue DDB-TABLE-443 and a user's quote of AWS give the end, ". Next
    changes can be made at <TS>.", taken here as 21600 seconds after the last change, which is
    assumed). Time moves on the test clock."""

    def change(self, n):
        """The n-th change: the AWS managed key and the AWS owned key in turn."""
        return self.ddb.update_table(TableName="sse-quota",
                                     SSESpecification={"Enabled": n % 2 == 1})

    @staticmethod
    def epoch_ms(text):
        """2026-10-09T23:23:37.938Z -> epoch milliseconds."""
        whole, millis = text.rstrip("Z").split(".")
        return calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) * 1000 + int(millis)

    def refused(self, count, n):
        """The n-th change, refused after `count` in the window."""
        code, message = self.error(self.change, n)
        self.assertEqual(code, "LimitExceededException")
        match = re.fullmatch(
            r"Subscriber limit exceeded: Encryption mode changes are limited in the 24h window "
            r"ending at (\S+)\. After the first 4 change, each subsequent change in the same "
            r"window can be performed at most once every 21600 seconds\. Number of updates "
            r"today: (\d+)\. Last change at (\S+)\. Next changes can be made at (\S+)\.",
            message)
        self.assertIsNotNone(match, message)
        self.assertEqual(int(match.group(2)), count)
        self.assertEqual(self.epoch_ms(match.group(4)),
                         self.epoch_ms(match.group(3)) + 21600 * 1000)
        return match.group(1), match.group(3)

    def test_four_then_one_per_six_hours(self):
        create_table(self.ddb, "sse-quota")
        first = self.advance(0)
        for n in range(1, 5):
            self.change(n)
            self.advance(60)
        window_end, last = self.refused(4, 5)
        self.assertAlmostEqual(self.epoch_ms(window_end), first + 86400 * 1000, delta=5000)
        self.assertAlmostEqual(self.epoch_ms(last), first + 3 * 60 * 1000, delta=5000)
        self.advance(21600 - 60)
        self.change(5)
        self.refused(5, 6)
        # A new window opens with the first change after the last one ended.
        self.advance(86400)
        for n in range(6, 10):
            self.change(n)
        self.refused(4, 10)


class DeletionProtectionCooldownTest(TestClockCase):
    """[ack] DDB-TABLE-445 (the ThrottlingException catalogue) and the UpdateTable resend
    probes (recorded, us-west-2 2026-10-08/09): DeletionProtectionEnabled is not written again
    within 15 s of its last change, even with the value it has: ThrottlingException "Deletion
    protection setting for table <t> modified within the previous 15000 milliseconds. Please
    try again after <change + 15 s>" (milliseconds, no zone designator, no final period).
    Assumed, not recorded: a write of the value the table already has, outside the 15 s, starts
    no new wait. Sent raw (botocore 1.29 has no DeletionProtectionEnabled); time moves on the
    test clock."""

    def protect(self, enabled):
        headers = {"Content-Type": "application/x-amz-json-1.0",
                   "X-Amz-Target": "DynamoDB_20120810.UpdateTable"}
        status, _, payload = self.server.http("POST", "/", json.dumps({
            "TableName": "guarded", "DeletionProtectionEnabled": enabled}).encode(), headers)
        answer = json.loads(payload)
        return status, answer.get("__type", "").split("#")[-1], answer.get("message")

    def test_fifteen_seconds_between_changes(self):
        create_table(self.ddb, "guarded")
        before = self.advance(0)
        self.assertEqual(self.protect(True)[0], 200)
        after = self.advance(0)
        status, code, message = refused = self.protect(True)
        self.assertEqual((status, code), (400, "ThrottlingException"))
        prefix = ("Deletion protection setting for table guarded modified within the previous "
                  "15000 milliseconds. Please try again after ")
        self.assertTrue(message.startswith(prefix), message)
        whole, millis = message[len(prefix):].split(".")
        retry_at = calendar.timegm(time.strptime(whole, "%Y-%m-%dT%H:%M:%S")) * 1000 + int(millis)
        self.assertTrue(before + 15000 <= retry_at <= after + 15000, (before, retry_at, after))
        self.advance((retry_at - self.advance(0)) / 1000 - 1)
        self.assertEqual(self.protect(False), refused)
        self.advance(1)
        self.assertEqual(self.protect(False)[0], 200)
        self.assertFalse(self.ddb.describe_table(TableName="guarded")["Table"].get(
            "DeletionProtectionEnabled", False))
        self.assertEqual(self.protect(False)[1], "ThrottlingException")
        self.advance(15)
        self.assertEqual(self.protect(False)[0], 200)
        self.assertEqual(self.protect(True)[0], 200)


class EmptyIndexUpdatesTest(ControlPlaneCase):
    """[ack] DDB-TABLE-359 and -160 (recorded): GlobalSecondaryIndexUpdates=[] alone, or with
    only AttributeDefinitions, is no change ("At least one of ... is required"); beside a
    change it is refused as empty, before the one-change rules."""

    EMPTY = ("ValidationException", "One or more parameter values were invalid: List of "
             "GlobalSecondaryIndexUpdates is empty")

    def setUp(self):
        super().setUp()
        if "empty-updates" not in self.ddb.list_tables()["TableNames"]:
            create_table(self.ddb, "empty-updates")

    def test_alone_and_beside_a_billing_mode(self):
        code, message = self.error(self.ddb.update_table, TableName="empty-updates",
                                   GlobalSecondaryIndexUpdates=[])
        self.assertEqual(code, "ValidationException")
        self.assertTrue(message.startswith("At least one of ProvisionedThroughput"), message)
        code, message = self.error(self.ddb.update_table, TableName="empty-updates",
                                   GlobalSecondaryIndexUpdates=[],
                                   AttributeDefinitions=[{"AttributeName": "pk",
                                                          "AttributeType": "S"}])
        self.assertTrue(message.startswith("At least one of ProvisionedThroughput"), message)
        self.assertEqual(self.error(self.ddb.update_table, TableName="empty-updates",
                                    GlobalSecondaryIndexUpdates=[],
                                    BillingMode="PAY_PER_REQUEST"), self.EMPTY)

    @requires_botocore("dynamodb", "UpdateTable", "DeletionProtectionEnabled")
    @requires_botocore("dynamodb", "UpdateTable", "OnDemandThroughput")
    def test_beside_deletion_protection_or_on_demand_throughput(self):
        for change in ({"DeletionProtectionEnabled": True},
                       {"OnDemandThroughput": {"MaxReadRequestUnits": 100}}):
            with self.subTest(change=change):
                self.assertEqual(self.error(self.ddb.update_table, TableName="empty-updates",
                                            GlobalSecondaryIndexUpdates=[], **change),
                                 self.EMPTY)
        self.assertFalse(self.ddb.describe_table(TableName="empty-updates")["Table"].get(
            "DeletionProtectionEnabled", False))


class AccountMaximumsTest(ControlPlaneCase):
    """The account's per-table and per-index maximums, AWS's default quotas (DescribeLimits:
    40000 read and write units), as LimitExceededException. [ack] recorded: the table's
    capacity text (the autoscaling finding's failed activity, AWS's notice for
    WriteCapacityUnits), the OnDemandThroughput text for a table and for "index : <i>"
    (DDB-TABLE-171, -443), the account's 80000 across its tables (CreateTable). Assumed,
    recorded only in part: the index capacity text after "for index <i>, <n>, is above the per
    index maximum", and the WarmThroughput text's end; what "Requested" counts (here the new
    table's capacity with its indexes')."""

    REFER = (" Refer to the Amazon DynamoDB Developer Guide for current limits and how to "
             "request higher limits.")
    DEFINITIONS = [{"AttributeName": "pk", "AttributeType": "S"},
                   {"AttributeName": "g", "AttributeType": "S"}]

    @staticmethod
    def pt(read, write):
        return {"ReadCapacityUnits": read, "WriteCapacityUnits": write}

    @staticmethod
    def index(**extra):
        return [dict({"IndexName": "gsi1", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                      "Projection": {"ProjectionType": "ALL"}}, **extra)]

    def refused(self, cases):
        for name, request, message in cases:
            with self.subTest(name):
                defs = self.DEFINITIONS if "GlobalSecondaryIndexes" in request else \
                    self.DEFINITIONS[:1]
                self.assertEqual(self.error(
                    self.raw.create_table, TableName="too-big",
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                    AttributeDefinitions=defs, **request), ("LimitExceededException", message))
        self.assertNotIn("too-big", self.ddb.list_tables()["TableNames"])

    def test_capacity_above_the_maximums(self):
        pt, index = self.pt, self.index
        self.refused([
            ("table read", {"ProvisionedThroughput": pt(70000, 5)},
             "The requested ReadCapacityUnits, 70000, is above the per table maximum for the "
             "account in us-east-1. Per table maximum: 40000." + self.REFER),
            ("table write", {"ProvisionedThroughput": pt(5, 45000)},
             "The requested WriteCapacityUnits, 45000, is above the per table maximum for the "
             "account in us-east-1. Per table maximum: 40000." + self.REFER),
            ("index read", {"ProvisionedThroughput": pt(5, 5), "GlobalSecondaryIndexes":
                            index(ProvisionedThroughput=pt(50000, 5))},
             "The requested ReadCapacityUnits for index gsi1, 50000, is above the per index "
             "maximum for the account in us-east-1. Per index maximum: 40000." + self.REFER)])

        # At the maximums: taken; above them by UpdateTable: refused, the table unchanged.
        self.ddb.create_table(TableName="at-maximum",
                              KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                              AttributeDefinitions=self.DEFINITIONS,
                              ProvisionedThroughput=pt(40000, 40000),
                              GlobalSecondaryIndexes=index(ProvisionedThroughput=pt(40000, 40000)))
        code, message = self.error(self.ddb.update_table, TableName="at-maximum",
                                   GlobalSecondaryIndexUpdates=[{"Update": {
                                       "IndexName": "gsi1",
                                       "ProvisionedThroughput": pt(40000, 40001)}}])
        self.assertEqual((code, message), (
            "LimitExceededException", "The requested WriteCapacityUnits for index gsi1, 40001, "
            "is above the per index maximum for the account in us-east-1. Per index maximum: "
            "40000." + self.REFER))
        self.assertEqual(self.ddb.describe_table(TableName="at-maximum")["Table"][
            "GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]["WriteCapacityUnits"], 40000)

        # The account's 80000 units: "at-maximum" and its index reserve them all; another
        # provisioned table is refused (recorded text, DDB-TABLE-171), an on-demand one not.
        another = dict(KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                       AttributeDefinitions=self.DEFINITIONS[:1])
        self.assertEqual(self.error(self.ddb.create_table, TableName="one-more",
                                    ProvisionedThroughput=pt(1, 1), **another), (
            "LimitExceededException", "This request would have caused the ReadCapacityUnits "
            "limit to be exceeded for the account in us-east-1. Current ReadCapacityUnits "
            "reserved by the account: 80000. Limit: 80000. Requested: 1." + self.REFER))
        self.ddb.create_table(TableName="on-demand", BillingMode="PAY_PER_REQUEST", **another)
        self.ddb.delete_table(TableName="at-maximum")
        self.ddb.create_table(TableName="one-more", ProvisionedThroughput=pt(1, 1), **another)

    @requires_botocore("dynamodb", "CreateTable", "OnDemandThroughput")
    @requires_botocore("dynamodb", "CreateTable", "WarmThroughput")
    def test_on_demand_and_warm_throughput_above_the_maximums(self):
        self.refused([
            ("on-demand table", {"BillingMode": "PAY_PER_REQUEST", "OnDemandThroughput": {
                "MaxReadRequestUnits": 40001}},
             "Subscriber limit exceeded: Requested MaxReadRequestUnits for OnDemandThroughput "
             "for table exceeds TableMaxReadCapacityUnits of the account in region us-east-1"),
            ("on-demand index", {"BillingMode": "PAY_PER_REQUEST", "GlobalSecondaryIndexes":
                                 self.index(OnDemandThroughput={"MaxWriteRequestUnits": 50000})},
             "Subscriber limit exceeded: Requested MaxWriteRequestUnits for OnDemandThroughput "
             "for index : gsi1 exceeds TableMaxWriteCapacityUnits of the account in region "
             "us-east-1"),
            ("warm table", {"BillingMode": "PAY_PER_REQUEST", "WarmThroughput": {
                "ReadUnitsPerSecond": 40001}},
             "Subscriber limit exceeded: Requested ReadUnitsPerSecond for WarmThroughput for "
             "table exceeds TableMaxReadCapacityUnits of the account in region us-east-1")])


class AccountCapacityTest(ControlPlaneCase):
    """The account's 80000 read and write units hold for an UpdateTable increase and a restore
    as for CreateTable: DescribeLimits' reference ("the aggregate provisioned capacity over all
    your tables and GSIs cannot exceed either of the per-account quotas"). The text is
    CreateTable's, recorded (DDB-TABLE-171, -443); that an update's refusal has the same words
    and counts its increase as "Requested" is assumed (not recorded)."""

    REFER = AccountMaximumsTest.REFER

    def provisioned(self, name, reads):
        return self.create(name, BillingMode="PROVISIONED", ProvisionedThroughput={
            "ReadCapacityUnits": reads, "WriteCapacityUnits": 1})

    def reads(self, name):
        return self.ddb.describe_table(TableName=name)["Table"]["ProvisionedThroughput"][
            "ReadCapacityUnits"]

    def over(self, current, requested):
        return ("LimitExceededException", "This request would have caused the ReadCapacityUnits "
                f"limit to be exceeded for the account in us-east-1. Current ReadCapacityUnits "
                f"reserved by the account: {current}. Limit: 80000. Requested: {requested}."
                + self.REFER)

    def test_increases_and_restores_within_the_account(self):
        self.provisioned("cap-a", 40000)
        self.provisioned("cap-b", 30000)
        self.provisioned("cap-c", 5000)
        raise_c = lambda reads: self.ddb.update_table(TableName="cap-c", ProvisionedThroughput={
            "ReadCapacityUnits": reads, "WriteCapacityUnits": 1})
        self.assertEqual(self.error(raise_c, 15000), self.over(75000, 10000))
        self.assertEqual(self.reads("cap-c"), 5000)
        raise_c(10000)  # the account's 80000 exactly
        self.assertEqual(self.reads("cap-c"), 10000)
        # A decrease is never refused; a new index's capacity counts as an increase.
        self.ddb.update_table(TableName="cap-a", ProvisionedThroughput={
            "ReadCapacityUnits": 39000, "WriteCapacityUnits": 1})
        self.assertEqual(self.error(
            self.ddb.update_table, TableName="cap-c",
            AttributeDefinitions=[{"AttributeName": "g", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": "gsi", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 1001,
                                          "WriteCapacityUnits": 1}}}]),
            self.over(79000, 1001))
        # A restore is a new table: it requests its whole capacity, unless it is on demand.
        backup = self.ddb.create_backup(TableName="cap-b", BackupName="cap-b-backup")[
            "BackupDetails"]["BackupArn"]
        self.assertEqual(self.error(self.ddb.restore_table_from_backup,
                                    TargetTableName="cap-b-restored", BackupArn=backup),
                         self.over(79000, 30000))
        self.assertEqual(self.error(self.ddb.describe_table, TableName="cap-b-restored")[0],
                         "ResourceNotFoundException")
        self.ddb.restore_table_from_backup(TargetTableName="cap-b-restored", BackupArn=backup,
                                           BillingModeOverride="PAY_PER_REQUEST")


class CapacityDecreaseTest(TestClockCase):
    """Per-table quotas on the test clock. AWS's quota on decreasing a table's provisioned capacity (Service Quotas, "Decreasing
    provisioned capacity"): 4 decreases in a UTC day, then one per hour; beyond,
    LimitExceededException "Subscriber limit exceeded: Provisioned throughput decreases are
    limited within a given UTC day. After the first 4 decreases, each subsequent decrease in
    the same UTC day can be performed at most once every 3600 seconds. Number of decreases
    today: <n>. Last decrease at <time>. Next decrease can be made at <time>", as users
    recorded it (2018 to 2023; the time in the 2023 record's form, Java's FULL style). An
    increase is not counted; DescribeTable's NumberOfDecreasesToday counts the day's, and
    LastIncreaseDateTime and LastDecreaseDateTime (API reference, ProvisionedThroughputDescription)
    give the last of each. Time moves on the test clock."""

    FULL = "%A, %B %d, %Y at %I:%M:%S %p Coordinated Universal Time"


    def describe(self, name):
        return self.ddb.describe_table(TableName=name)["Table"]

    def capacity(self, units):
        return self.ddb.update_table(TableName="decreasing", ProvisionedThroughput={
            "ReadCapacityUnits": units, "WriteCapacityUnits": units})

    def refused(self, units, count, change=None):
        code, message = self.error(change or self.capacity, units)
        self.assertEqual(code, "LimitExceededException")
        match = re.fullmatch(
            r"Subscriber limit exceeded: Provisioned throughput decreases are limited within a "
            r"given UTC day\. After the first 4 decreases, each subsequent decrease in the same "
            r"UTC day can be performed at most once every 3600 seconds\. Number of decreases "
            r"today: (\d+)\. Last decrease at (.+)\. Next decrease can be made at (.+)", message)
        self.assertIsNotNone(match, message)
        self.assertEqual(int(match.group(1)), count)
        last = calendar.timegm(time.strptime(match.group(2), self.FULL))
        self.assertEqual(calendar.timegm(time.strptime(match.group(3), self.FULL)), last + 3600)
        return last

    def test_four_a_day_then_one_an_hour(self):
        now = self.advance(0)
        day = 86400 * 1000
        self.advance((day - now % day) / 1000 + 3600)  # 01:00 UTC of the next day
        self.ddb.create_table(TableName="decreasing", **{
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "ProvisionedThroughput": {"ReadCapacityUnits": 20, "WriteCapacityUnits": 20}})
        for units in (19, 18, 17):
            self.capacity(units)
        before = self.advance(60) // 1000
        # [ack] DDB-TABLE-060, -184 (recorded): UpdateTable's answer shows the units and the
        # day's decreases before the change, with the change's own LastDecreaseDateTime.
        answer = self.capacity(16)["TableDescription"]["ProvisionedThroughput"]
        self.assertEqual((answer["ReadCapacityUnits"], answer["NumberOfDecreasesToday"]), (17, 3))
        self.assertLessEqual(
            abs(calendar.timegm(answer["LastDecreaseDateTime"].utctimetuple()) - before), 2)
        decreases = lambda: self.describe("decreasing")["ProvisionedThroughput"][
            "NumberOfDecreasesToday"]
        self.assertEqual(decreases(), 4)
        # A change above the account's maximum is refused for that before it counts as a
        # decrease (assumed order: the request's limits before the table's history).
        code, message = self.error(self.ddb.update_table, TableName="decreasing",
                                   ProvisionedThroughput={"ReadCapacityUnits": 40001,
                                                          "WriteCapacityUnits": 15})
        self.assertEqual(code, "LimitExceededException")
        self.assertTrue(message.startswith("The requested ReadCapacityUnits, 40001, is above"),
                        message)
        last = self.refused(15, 4)
        self.assertTrue(before <= last <= before + 2, (before, last))
        throughput = self.describe("decreasing")["ProvisionedThroughput"]
        self.assertEqual(calendar.timegm(throughput["LastDecreaseDateTime"].utctimetuple()),
                         last)
        self.assertNotIn("LastIncreaseDateTime", throughput)
        self.advance(5)
        self.capacity(30)  # an increase is not counted
        throughput = self.describe("decreasing")["ProvisionedThroughput"]
        self.assertEqual(calendar.timegm(throughput["LastIncreaseDateTime"].utctimetuple()),
                         last + 5)
        self.advance(3590)  # last + 3595 s
        self.refused(15, 4)
        self.advance(7)
        self.capacity(15)
        self.refused(14, 5)
        self.advance(86400)  # the next UTC day
        self.assertEqual(decreases(), 0)
        for units in (14, 13, 12, 11):
            self.capacity(units)
        self.refused(10, 4)

    def test_each_global_index_has_a_budget_of_its_own(self):
        """[ack] the GSI decrease budget finding (recorded 2026-10-09, table/limits/
        gsi-decrease-budget): four table decreases leave the index's counter at 0; a fifth
        that also decreases the index is refused whole (the index untouched); the index then
        takes four of its own, its fifth refused in the same words; its
        NumberOfDecreasesToday and LastDecreaseDateTime are its own."""
        now = self.advance(0)
        day = 86400 * 1000
        self.advance((day - now % day) / 1000 + 3600)  # 01:00 UTC of the next day
        throughput = lambda units: {"ReadCapacityUnits": units, "WriteCapacityUnits": units}
        self.ddb.create_table(TableName="decreasing-gsi", **{
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                     {"AttributeName": "g", "AttributeType": "S"}],
            "ProvisionedThroughput": throughput(50),
            "GlobalSecondaryIndexes": [{
                "IndexName": "gsi1", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
                "ProvisionedThroughput": throughput(50)}]})

        def change(table=None, index=None):
            request = {"TableName": "decreasing-gsi"}
            if table:
                request["ProvisionedThroughput"] = throughput(table)
            if index:
                request["GlobalSecondaryIndexUpdates"] = [{"Update": {
                    "IndexName": "gsi1", "ProvisionedThroughput": throughput(index)}}]
            return self.ddb.update_table(**request)

        def index():
            return self.describe("decreasing-gsi")["GlobalSecondaryIndexes"][0][
                "ProvisionedThroughput"]
        for units in (40, 30, 20, 10):
            change(table=units)
        self.assertEqual(index()["NumberOfDecreasesToday"], 0)
        self.assertNotIn("LastDecreaseDateTime", index())
        self.refused(5, 4, change=lambda units: change(table=units, index=40))
        self.assertEqual((index()["ReadCapacityUnits"], index()["NumberOfDecreasesToday"]),
                         (50, 0))
        before = self.advance(1) // 1000
        # [ack] DDB-TABLE-135, -148 (recorded): an update of the index's own capacity leaves the
        # table ACTIVE; the answer shows the index UPDATING with its capacity before it.
        answer = change(index=40)["TableDescription"]
        self.assertEqual(answer["TableStatus"], "ACTIVE")
        self.assertEqual((answer["GlobalSecondaryIndexes"][0]["IndexStatus"],
                          answer["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"][
                              "ReadCapacityUnits"]), ("UPDATING", 50))
        self.assertEqual((self.describe("decreasing-gsi")["TableStatus"], index()["ReadCapacityUnits"]),
                         ("ACTIVE", 40))
        for units in (30, 20, 10):
            change(index=units)
        self.assertEqual(index()["NumberOfDecreasesToday"], 4)
        self.assertLessEqual(
            abs(calendar.timegm(index()["LastDecreaseDateTime"].utctimetuple()) - before), 2)
        self.assertEqual(self.describe("decreasing-gsi")["ProvisionedThroughput"][
            "NumberOfDecreasesToday"], 4)
        last = self.refused(5, 4, change=lambda units: change(index=units))
        self.assertLessEqual(abs(last - before), 2)
        change(index=60)  # an increase is not counted
        self.assertLessEqual(
            abs(calendar.timegm(index()["LastIncreaseDateTime"].utctimetuple()) - before), 2)
        change(table=70)

    def test_table_class_twice_in_thirty_days(self):
        """[ack] DDB-TABLE-443 and -377 (recorded): STANDARD_INFREQUENT_ACCESS, STANDARD, then
        LimitExceededException; a new table has its own two. Assumed: the 30 days run from the
        older of the two updates."""
        create_table(self.ddb, "classes")
        limited = ("LimitExceededException", "Subscriber limit exceeded: Updates to TableClass "
                   "are limited to 2 times in 30 day(s).")
        self.ddb.update_table(TableName="classes", TableClass="STANDARD_INFREQUENT_ACCESS")
        self.advance(86400)
        self.ddb.update_table(TableName="classes", TableClass="STANDARD")
        self.assertEqual(self.error(self.ddb.update_table, TableName="classes",
                                    TableClass="STANDARD_INFREQUENT_ACCESS"), limited)
        create_table(self.ddb, "classes-too")
        self.ddb.update_table(TableName="classes-too", TableClass="STANDARD_INFREQUENT_ACCESS")
        self.advance(29 * 86400 - 60)
        self.assertEqual(self.error(self.ddb.update_table, TableName="classes",
                                    TableClass="STANDARD_INFREQUENT_ACCESS"), limited)
        self.advance(120)
        self.ddb.update_table(TableName="classes", TableClass="STANDARD_INFREQUENT_ACCESS")
        self.assertEqual(self.describe("classes")["TableClassSummary"]["TableClass"],
                         "STANDARD_INFREQUENT_ACCESS")

    def test_table_class_summary_and_free_resends(self):
        """[ack] DDB-TABLE-284, -026, -365, -283 (recorded): no TableClassSummary until a class
        is named; CreateTable naming STANDARD shows it; UpdateTable answers UPDATING with the
        summary before the change, DescribeTable then shows the new class and its
        LastUpdateDateTime; naming the class the table has is answered but free (it leaves the
        summary and the two changes in 30 days alone), and refused like a change once they are
        spent (the catalogue DDB-TABLE-443)."""
        create_table(self.ddb, "class-summary")
        self.assertNotIn("TableClassSummary", self.describe("class-summary"))
        create_table(self.ddb, "class-named", TableClass="STANDARD")
        self.assertEqual(self.describe("class-named")["TableClassSummary"],
                         {"TableClass": "STANDARD"})

        for _ in range(3):  # free re-sends of the class the table has
            answer = self.ddb.update_table(TableName="class-summary", TableClass="STANDARD")
            self.assertEqual(answer["TableDescription"]["TableStatus"], "UPDATING")
            self.assertNotIn("TableClassSummary", answer["TableDescription"])
        self.assertNotIn("TableClassSummary", self.describe("class-summary"))
        changed = self.advance(1) // 1000
        answer = self.ddb.update_table(TableName="class-summary",
                                       TableClass="STANDARD_INFREQUENT_ACCESS")
        self.assertNotIn("TableClassSummary", answer["TableDescription"])  # the one before
        summary = self.describe("class-summary")["TableClassSummary"]
        self.assertEqual(summary["TableClass"], "STANDARD_INFREQUENT_ACCESS")
        self.assertLessEqual(
            abs(calendar.timegm(summary["LastUpdateDateTime"].utctimetuple()) - changed), 2)
        self.ddb.update_table(TableName="class-summary", TableClass="STANDARD_INFREQUENT_ACCESS")
        self.advance(60)
        answer = self.ddb.update_table(TableName="class-summary", TableClass="STANDARD")
        self.assertEqual(answer["TableDescription"]["TableClassSummary"], summary)
        self.assertEqual(self.describe("class-summary")["TableClassSummary"]["TableClass"],
                         "STANDARD")
        limited = ("LimitExceededException", "Subscriber limit exceeded: Updates to TableClass "
                   "are limited to 2 times in 30 day(s).")
        self.assertEqual(self.error(self.ddb.update_table, TableName="class-summary",
                                    TableClass="STANDARD"), limited)


@requires_botocore("dynamodb", "CreateTable", "WarmThroughput")
class WarmThroughputTest(ControlPlaneCase):
    """[ls] test_table_warm_throughput, test_table_crud, test_gsi_with_billing_mode: DescribeTable
    answers WarmThroughput (ACTIVE) for every table: the one CreateTable asked for, else the
    provisioned capacity, else 12000 reads and 4000 writes per second on demand; an index's
    likewise. CreateTable's answer carries it only when asked for (UPDATING)."""

    def test_warm_throughput_only_rises(self):
        """[ack] DDB-TABLE-058, -061, -134, -055/-183 (recorded): a table's capacity 1, 2, 3,
        then 1 leaves its WarmThroughput at 3; on demand it is 12000/4000 and stays so when the
        table is PROVISIONED 1/1 again; an index decreased from 13000/4500 to 1/1 keeps
        13000/4500."""
        capacity = lambda units: {"ReadCapacityUnits": units, "WriteCapacityUnits": units}
        self.ddb.create_table(
            TableName="warm-rises", ProvisionedThroughput=capacity(1),
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "g", "AttributeType": "S"}],
            GlobalSecondaryIndexes=[{
                "IndexName": "gbig", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
                "ProvisionedThroughput": {"ReadCapacityUnits": 13000,
                                          "WriteCapacityUnits": 4500}}])
        table = lambda: self.ddb.describe_table(TableName="warm-rises")["Table"]
        warm = lambda t: (t["WarmThroughput"]["ReadUnitsPerSecond"],
                          t["WarmThroughput"]["WriteUnitsPerSecond"])
        for units in (2, 3, 1):
            self.ddb.update_table(TableName="warm-rises", ProvisionedThroughput=capacity(units))
        self.assertEqual(warm(table()), (3, 3))
        self.ddb.update_table(TableName="warm-rises", GlobalSecondaryIndexUpdates=[{"Update": {
            "IndexName": "gbig", "ProvisionedThroughput": capacity(1)}}])
        self.assertEqual(warm(table()["GlobalSecondaryIndexes"][0]), (13000, 4500))
        self.ddb.update_table(TableName="warm-rises", BillingMode="PAY_PER_REQUEST")
        self.assertEqual(warm(table()), (12000, 4000))
        self.ddb.update_table(TableName="warm-rises", BillingMode="PROVISIONED",
                              ProvisionedThroughput=capacity(1),
                              GlobalSecondaryIndexUpdates=[{"Update": {
                                  "IndexName": "gbig", "ProvisionedThroughput": capacity(1)}}])
        self.assertEqual(warm(table()), (12000, 4000))
        self.assertEqual(warm(table()["GlobalSecondaryIndexes"][0]), (13000, 4500))
        # [ack] DDB-TABLE-155 (recorded): raising an index's warm throughput answers its values
        # before the raise, UPDATING, with the index and the table ACTIVE.
        answer = self.ddb.update_table(TableName="warm-rises", GlobalSecondaryIndexUpdates=[{
            "Update": {"IndexName": "gbig", "WarmThroughput": {
                "ReadUnitsPerSecond": 14000, "WriteUnitsPerSecond": 5000}}}])["TableDescription"]
        index = answer["GlobalSecondaryIndexes"][0]
        self.assertEqual((answer["TableStatus"], index["IndexStatus"], index["WarmThroughput"]),
                         ("ACTIVE", "ACTIVE", {"ReadUnitsPerSecond": 13000,
                                               "WriteUnitsPerSecond": 4500,
                                               "Status": "UPDATING"}))
        self.assertEqual(warm(table()["GlobalSecondaryIndexes"][0]), (14000, 5000))

    def test_warm_throughput(self):
        gsi = {"IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
               "Projection": {"ProjectionType": "ALL"}}
        defs = [{"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "g", "AttributeType": "S"}]
        on_demand = self.create("warm-on-demand", AttributeDefinitions=defs,
                                GlobalSecondaryIndexes=[gsi])
        self.assertNotIn("WarmThroughput", on_demand)
        self.assertNotIn("WarmThroughput", on_demand["GlobalSecondaryIndexes"][0])
        table = self.ddb.describe_table(TableName="warm-on-demand")["Table"]
        self.assertEqual(table["WarmThroughput"], {"ReadUnitsPerSecond": 12000,
                                                   "WriteUnitsPerSecond": 4000,
                                                   "Status": "ACTIVE"})
        self.assertEqual(table["GlobalSecondaryIndexes"][0]["WarmThroughput"],
                         {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000,
                          "Status": "ACTIVE"})

        one = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
        self.create("warm-provisioned", AttributeDefinitions=defs, BillingMode="PROVISIONED",
                    ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
                    GlobalSecondaryIndexes=[dict(gsi, ProvisionedThroughput=one)])
        table = self.ddb.describe_table(TableName="warm-provisioned")["Table"]
        self.assertEqual(table["WarmThroughput"], {"ReadUnitsPerSecond": 5,
                                                   "WriteUnitsPerSecond": 5, "Status": "ACTIVE"})
        self.assertEqual(table["GlobalSecondaryIndexes"][0]["WarmThroughput"],
                         {"ReadUnitsPerSecond": 1, "WriteUnitsPerSecond": 1, "Status": "ACTIVE"})

        asked = self.create("warm-asked", BillingMode="PROVISIONED",
                            ProvisionedThroughput={"ReadCapacityUnits": 5,
                                                   "WriteCapacityUnits": 5},
                            WarmThroughput={"ReadUnitsPerSecond": 1000,
                                            "WriteUnitsPerSecond": 1200})
        self.assertEqual(asked["WarmThroughput"], {"ReadUnitsPerSecond": 1000,
                                                   "WriteUnitsPerSecond": 1200,
                                                   "Status": "UPDATING"})
        _, cli, _ = self.server.aws("dynamodb", "describe-table", "--table-name", "warm-asked")
        self.assertEqual(cli["Table"]["WarmThroughput"], {"ReadUnitsPerSecond": 1000,
                                                          "WriteUnitsPerSecond": 1200,
                                                          "Status": "ACTIVE"})
        deleted = self.ddb.delete_table(TableName="warm-asked")["TableDescription"]
        self.assertNotIn("WarmThroughput", deleted)  # [ls] test_table_crud delete-table

    @requires_botocore("dynamodb", "UpdateTable", "WarmThroughput")
    def test_raise_warm_throughput(self):
        """[ack] DDB-TABLE-059, -155, -459: warm throughput only grows; the answer shows the
        values before the increase, UPDATING, with the table ACTIVE; a member left out keeps
        its value."""
        self.create("warm-raise")
        out = self.ddb.update_table(TableName="warm-raise",
                                    WarmThroughput={"ReadUnitsPerSecond": 12001})
        self.assertEqual(out["TableDescription"]["TableStatus"], "ACTIVE")
        self.assertEqual(out["TableDescription"]["WarmThroughput"],
                         {"ReadUnitsPerSecond": 12000, "WriteUnitsPerSecond": 4000,
                          "Status": "UPDATING"})
        self.assertEqual(self.ddb.describe_table(TableName="warm-raise")["Table"]["WarmThroughput"],
                         {"ReadUnitsPerSecond": 12001, "WriteUnitsPerSecond": 4000,
                          "Status": "ACTIVE"})
        lower = (" for WarmThroughput for table is lower than current WarmThroughput, decreasing "
                 "WarmThroughput is not supported")
        for warm, member in [({"ReadUnitsPerSecond": 6000, "WriteUnitsPerSecond": 2000},
                              "ReadUnitsPerSecond"),
                             ({"WriteUnitsPerSecond": 2000}, "WriteUnitsPerSecond")]:
            with self.subTest(warm=warm):
                got = self.error(self.ddb.update_table, TableName="warm-raise",
                                 WarmThroughput=warm)
                self.assertEqual(got, ("ValidationException",
                                       "One or more parameter values were invalid: Requested "
                                       + member + lower))


class IndexThroughputTest(ControlPlaneCase):
    """[ack] DDB-TABLE-039 and -128 (CreateTable, recorded), DDB-TABLE-059/-155 and the
    catalogue DDB-TABLE-442 (UpdateTable): WarmThroughput starts at least at what a table or a
    GSI starts with (on demand 12000 reads and 4000 writes per second, else its capacity) and
    only grows; a GSI's OnDemandThroughput and WarmThroughput are declared at CreateTable,
    changed by an index Update, stored and described. Sent as raw JSON, so that every client
    generation sends the same request (botocore 1.29 has no WarmThroughput).
    Assumed, not recorded: the GSI texts' "One or more parameter values were invalid: " prefix
    (DDB-TABLE-128 quotes them without it, as it quotes prefixed texts elsewhere), the GSI
    texts of a provisioned index's warm floor and of a warm decrease (the table's with "for
    index <name>", as the catalogue describes them), and an index Update's answer, which shows
    the new values."""

    INVALID = "One or more parameter values were invalid: "
    GUIDE = (". See: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/"
             "on-demand-capacity-mode.html#on-demand-capacity-mode-initial")

    def post(self, operation, body):
        headers = {"Content-Type": "application/x-amz-json-1.0",
                   "X-Amz-Target": f"DynamoDB_20120810.{operation}"}
        status, _, payload = self.server.http("POST", "/", json.dumps(body).encode(), headers)
        return status, json.loads(payload)

    def refused(self, operation, body, message):
        status, answer = self.post(operation, body)
        self.assertEqual((status, answer.get("__type", "").split("#")[-1], answer.get("message")),
                         (400, "ValidationException", message), body)

    def table(self, name, gsi=None, provisioned=False, **extra):
        body = {"TableName": name, "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"},
                                         {"AttributeName": "g", "AttributeType": "S"}],
                "BillingMode": "PROVISIONED" if provisioned else "PAY_PER_REQUEST",
                "GlobalSecondaryIndexes": [dict({
                    "IndexName": "by-g", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"}}, **(gsi or {}))]}
        if provisioned:
            body["ProvisionedThroughput"] = {"ReadCapacityUnits": 10, "WriteCapacityUnits": 10}
            body["GlobalSecondaryIndexes"][0].setdefault(
                "ProvisionedThroughput", {"ReadCapacityUnits": 10, "WriteCapacityUnits": 10})
        body.update(extra)
        return body

    def index(self, name):
        status, answer = self.post("DescribeTable", {"TableName": name})
        self.assertEqual(status, 200, answer)
        return answer["Table"]["GlobalSecondaryIndexes"][0]

    def test_create_time_floors_and_limits(self):
        warm = "Requested {} for WarmThroughput for {} is lower than "
        cases = [
            # The table's (DDB-TABLE-039, recorded): reads first, 0 and negatives too.
            (self.table("warm-1", WarmThroughput={"ReadUnitsPerSecond": 1, "WriteUnitsPerSecond": 1}),
             self.INVALID + warm.format("ReadUnitsPerSecond", "table") +
             "initial throughput for OnDemand" + self.GUIDE),
            (self.table("warm-2", WarmThroughput={"WriteUnitsPerSecond": 0}),
             self.INVALID + warm.format("WriteUnitsPerSecond", "table") +
             "initial throughput for OnDemand" + self.GUIDE),
            (self.table("warm-3", provisioned=True,
                        WarmThroughput={"ReadUnitsPerSecond": 5, "WriteUnitsPerSecond": 5}),
             self.INVALID + warm.format("ReadUnitsPerSecond", "table") +
             "ReadCapacityUnits of ProvisionedThroughput"),
            # A GSI's (DDB-TABLE-128).
            (self.table("warm-4", gsi={"WarmThroughput": {"ReadUnitsPerSecond": 100}}),
             self.INVALID + warm.format("ReadUnitsPerSecond", "index by-g") +
             "initial throughput for OnDemand" + self.GUIDE),
            (self.table("warm-5", gsi={"OnDemandThroughput": {"MaxReadRequestUnits": 0}}),
             self.INVALID + "Requested MaxReadRequestUnits for OnDemandThroughput for index : "
             "by-g is outside of valid range"),
            (self.table("warm-6", provisioned=True,
                        gsi={"OnDemandThroughput": {"MaxWriteRequestUnits": 10}}),
             self.INVALID + "MaxWriteRequestUnits for OnDemandThroughput for index: by-g cannot "
             "be specified when table BillingMode is PROVISIONED."),
            (self.table("warm-7", provisioned=True, gsi={"WarmThroughput": {"WriteUnitsPerSecond": 9}}),
             self.INVALID + warm.format("WriteUnitsPerSecond", "index by-g") +
             "WriteCapacityUnits of ProvisionedThroughput"),
        ]
        for body, message in cases:
            with self.subTest(table=body["TableName"]):
                self.refused("CreateTable", body, message)
        # Accepted: read-only 12001 (DDB-TABLE-039), a GSI's own values, described as given.
        status, _ = self.post("CreateTable", self.table(
            "w-ok", WarmThroughput={"ReadUnitsPerSecond": 12001},
            gsi={"WarmThroughput": {"ReadUnitsPerSecond": 15000, "WriteUnitsPerSecond": 5000},
                 "OnDemandThroughput": {"MaxReadRequestUnits": 300}}))
        self.assertEqual(status, 200)
        status, answer = self.post("DescribeTable", {"TableName": "w-ok"})
        self.assertEqual(answer["Table"]["WarmThroughput"], {
            "ReadUnitsPerSecond": 12001, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"})
        index = answer["Table"]["GlobalSecondaryIndexes"][0]
        self.assertEqual(index["WarmThroughput"], {
            "ReadUnitsPerSecond": 15000, "WriteUnitsPerSecond": 5000, "Status": "ACTIVE"})
        self.assertEqual(index["OnDemandThroughput"], {"MaxReadRequestUnits": 300})

    def test_index_update(self):
        self.assertEqual(self.post("CreateTable", self.table("idx-upd"))[0], 200)
        self.assertEqual(self.post("CreateTable", self.table("idx-upd-prov", provisioned=True))[0], 200)

        def update(table, **members):
            return {"TableName": table, "GlobalSecondaryIndexUpdates": [
                {"Update": dict({"IndexName": "by-g"}, **members)}]}
        status, answer = self.post("UpdateTable", update(
            "idx-upd", WarmThroughput={"ReadUnitsPerSecond": 20000},
            OnDemandThroughput={"MaxReadRequestUnits": 50, "MaxWriteRequestUnits": 40}))
        self.assertEqual(status, 200, answer)
        index = self.index("idx-upd")
        self.assertEqual(index["WarmThroughput"], {
            "ReadUnitsPerSecond": 20000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"})
        self.assertEqual(index["OnDemandThroughput"],
                         {"MaxReadRequestUnits": 50, "MaxWriteRequestUnits": 40})
        # Merged member by member, -1 clears (as the table's limits).
        self.assertEqual(self.post("UpdateTable", update(
            "idx-upd", OnDemandThroughput={"MaxWriteRequestUnits": -1}))[0], 200)
        self.assertEqual(self.index("idx-upd")["OnDemandThroughput"], {"MaxReadRequestUnits": 50})
        refusals = [
            (update("idx-upd", WarmThroughput={"ReadUnitsPerSecond": 19999}),
             self.INVALID + "Requested ReadUnitsPerSecond for WarmThroughput for index by-g is "
             "lower than current WarmThroughput, decreasing WarmThroughput is not supported"),
            (update("idx-upd", OnDemandThroughput={"MaxReadRequestUnits": 0}),
             self.INVALID + "Requested MaxReadRequestUnits for OnDemandThroughput for index : "
             "by-g is outside of valid range"),
            (update("idx-upd-prov", OnDemandThroughput={"MaxReadRequestUnits": 5}),
             self.INVALID + "MaxReadRequestUnits for OnDemandThroughput for index: by-g cannot "
             "be specified when table BillingMode is PROVISIONED."),
        ]
        for body, message in refusals:
            with self.subTest(body=body):
                self.refused("UpdateTable", body, message)

    def test_degenerate_index_updates(self):
        """[ack] DDB-TABLE-457 (us-west-2, 2026-10-09): an on-demand index's Update that changes
        nothing is refused; an empty WarmThroughput of an index is refused before the table and
        the index are looked up and before the one-change rules; an empty table WarmThroughput
        is no change beside a TableClass."""
        self.assertEqual(self.post("CreateTable", self.table("idx-degenerate"))[0], 200)

        def update(table, index="by-g", **members):
            return dict({"TableName": table, "GlobalSecondaryIndexUpdates": [
                {"Update": dict({"IndexName": index}, **{
                    k: v for k, v in members.items() if k != "TableClass"})}]},
                **({"TableClass": members["TableClass"]} if "TableClass" in members else {}))
        only = (self.INVALID + "The only Updates for index: by-g when TableThroughputMode is "
                "PAY_PER_REQUEST can be to OnDemandThroughput, WarmThroughput")
        empty_warm = (self.INVALID + "WarmThroughput must have at least one of "
                      "ReadUnitsPerSecond or WriteUnitsPerSecond specified for index: ")
        refusals = [
            (update("idx-degenerate"), only),
            (update("idx-degenerate", OnDemandThroughput={}), only),
            (update("idx-degenerate", WarmThroughput={}), empty_warm + "by-g"),
            (update("idx-degenerate", index="ghost", WarmThroughput={}), empty_warm + "ghost"),
            (update("no-such-table", index="ghost", WarmThroughput={}), empty_warm + "ghost"),
            (update("idx-degenerate", WarmThroughput={}, TableClass="STANDARD_INFREQUENT_ACCESS"),
             empty_warm + "by-g"),
        ]
        for body, message in refusals:
            with self.subTest(body=body):
                self.refused("UpdateTable", body, message)
        status, answer = self.post("UpdateTable", update(
            "idx-degenerate", index="ghost", OnDemandThroughput={}))
        self.assertEqual((status, answer.get("message")),
                         (400, "Requested resource not found: Index ghost for table "
                               "idx-degenerate"))
        # Accepted: an index's OnDemandThroughput of -1s, and an empty table WarmThroughput
        # beside a TableClass.
        self.assertEqual(self.post("UpdateTable", update(
            "idx-degenerate", OnDemandThroughput={"MaxReadRequestUnits": -1,
                                                  "MaxWriteRequestUnits": -1}))[0], 200)
        status, answer = self.post("UpdateTable", {"TableName": "idx-degenerate",
                                                   "WarmThroughput": {},
                                                   "TableClass": "STANDARD"})
        self.assertEqual(status, 200, answer)

    def test_index_values_survive_a_killed_process(self):
        with StreamStack() as server:  # its own server: this test kills it
            self.server, kept = server, self.server
            try:
                body = self.table("idx-kept", gsi={
                    "WarmThroughput": {"ReadUnitsPerSecond": 13000},
                    "OnDemandThroughput": {"MaxWriteRequestUnits": 8}})
                self.assertEqual(self.post("CreateTable", body)[0], 200)
                server.kill()
                server.start()
                index = self.index("idx-kept")
                self.assertEqual(index["WarmThroughput"], {
                    "ReadUnitsPerSecond": 13000, "WriteUnitsPerSecond": 4000, "Status": "ACTIVE"})
                self.assertEqual(index["OnDemandThroughput"], {"MaxWriteRequestUnits": 8})
            finally:
                self.server = kept


class CreateTableTextsTest(ControlPlaneCase):
    """[ack] DDB-TABLE-442 (the ValidationException catalogue): texts AWS answers in its own
    words, not the model's clauses."""

    def test_table_class_and_duplicate_definitions(self):
        keys = dict(KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                    BillingMode="PAY_PER_REQUEST")
        defs = [{"AttributeName": "pk", "AttributeType": "S"}]
        table_class = ("ValidationException", "Invalid table-class parameter provided. Please try "
                       "again with a valid table-class value: [STANDARD, "
                       "STANDARD_INFREQUENT_ACCESS].")
        self.assertEqual(self.error(self.raw.create_table, TableName="classy",
                                    AttributeDefinitions=defs, TableClass="standard", **keys),
                         table_class)
        self.ddb.create_table(TableName="classy", AttributeDefinitions=defs, **keys)
        self.assertEqual(self.error(self.raw.update_table, TableName="classy", TableClass="COLD"),
                         table_class)
        self.assertEqual(self.error(self.ddb.create_table, TableName="twice",
                                    AttributeDefinitions=defs + [{"AttributeName": "pk",
                                                                  "AttributeType": "N"}], **keys),
                         ("ValidationException", "Attribute Name is duplicated: pk"))


class DegenerateRequestsTest(ControlPlaneCase):
    """[ack] DDB-TABLE-457 (us-west-2, 2026-10-09): answers to schema-valid but degenerate
    requests (empty strings and structures), as recorded. Sent raw: botocore refuses some of
    them itself. Assumed, not recorded: DeleteBackup's empty BackupArn answered as
    DescribeBackup's (the same shape)."""

    def post(self, operation, body):
        headers = {"Content-Type": "application/x-amz-json-1.0",
                   "X-Amz-Target": f"DynamoDB_20120810.{operation}"}
        status, _, payload = self.server.http("POST", "/", json.dumps(body).encode(), headers)
        answer = json.loads(payload)
        return status, answer.get("__type", "").split("#")[-1], answer.get("message")

    def test_as_recorded(self):
        create_table(self.ddb, "degenerate")
        table = {"AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
                 "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
                 "BillingMode": "PAY_PER_REQUEST"}
        backup = table_arn("degenerate") + "/backup/01791525400213-63b4d36a"
        kms = {"Enabled": True, "SSEType": "KMS", "KMSMasterKeyId": ""}
        empty_key = ("1 validation error detected: Value '' at '{}.kMSMasterKeyId' failed to "
                     "satisfy constraint: Member must have length greater than or equal to 1")
        view_type = ("1 validation error detected: Value '' at 'streamSpecification."
                     "streamViewType' failed to satisfy constraint: Member must satisfy enum "
                     "value set: [OLD_IMAGE, KEYS_ONLY, NEW_AND_OLD_IMAGES, NEW_IMAGE]")
        stream = {"StreamEnabled": True, "StreamViewType": ""}
        cases = [
            ("CreateTable", dict(table, TableName="ct-kms", SSESpecification=kms),
             empty_key.format("sSESpecification")),
            ("UpdateTable", {"TableName": "degenerate", "SSESpecification": kms},
             empty_key.format("sSESpecification")),
            ("RestoreTableFromBackup", {"TargetTableName": "rst-kms", "BackupArn": backup,
                                        "SSESpecificationOverride": kms},
             empty_key.format("sSESpecificationOverride")),
            ("CreateTable", dict(table, TableName="ct-stream", StreamSpecification=stream),
             view_type),
            ("UpdateTable", {"TableName": "degenerate", "StreamSpecification": stream},
             view_type),
            ("CreateTable", dict(table, TableName="ct-tags", Tags=[{}]),
             "The Tag Key provided is invalid, Key: null"),
            ("CreateTable", dict(table, TableName="ct-tags", Tags=[{"Value": "v"}]),
             "The Tag Key provided is invalid, Key: null"),
            ("CreateTable", dict(table, TableName="ct-tags", Tags=[{"Key": "k"}]),
             "The Tag Value provided is invalid, Value: null"),
            ("DescribeBackup", {"BackupArn": ""}, "Invalid Backup ARN"),
            ("DeleteBackup", {"BackupArn": ""}, "Invalid Backup ARN"),
            ("RestoreTableFromBackup", {"TargetTableName": "", "BackupArn": backup},
             "TableName must be at least 3 characters long and at most 255 characters long"),
        ]
        for operation, body, message in cases:
            with self.subTest(operation=operation, body=str(body)[:100]):
                self.assertEqual(self.post(operation, body),
                                 (400, "ValidationException", message))
        self.assertNotIn("ct-tags", self.ddb.list_tables()["TableNames"])

    def test_catalogued_texts(self):
        """[ack] the error catalogues DDB-TABLE-442 (MultiRegionConsistency alone: the list
        leaves it out; ListBackups from a backup of another region), -443 (a 21st GSI by UpdateTable), -446 (UpdateTimeToLive of a missing
        table names it), and the point-in-time restore finding (SourceTableArn that is no ARN,
        or of another account)."""
        every_member = ("At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, "
                        "GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, "
                        "MultiAccountReplicaReady, ReplicaTransitRoleArn, {}"
                        "DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or "
                        "TableClass is required")
        create_table(self.ddb, "catalogued")
        gsis = [{"IndexName": f"gsi{i}", "KeySchema": [{"AttributeName": f"a{i}", "KeyType": "HASH"}],
                 "Projection": {"ProjectionType": "KEYS_ONLY"}} for i in range(20)]
        definitions = [{"AttributeName": f"a{i}", "AttributeType": "S"} for i in range(21)]
        status, _, message = self.post("CreateTable", {
            "TableName": "twenty-gsis", "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": definitions[:20] + [{"AttributeName": "pk",
                                                         "AttributeType": "S"}],
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "GlobalSecondaryIndexes": gsis})
        self.assertEqual(status, 200, message)
        restore = {"TargetTableName": "pitr-target", "UseLatestRestorableTime": True}
        cases = [
            ("UpdateTable", {"TableName": "catalogued", "MultiRegionConsistency": "STRONG"},
             "ValidationException", every_member.format("")),
            ("UpdateTable", {"TableName": "catalogued"},
             "ValidationException", every_member.format("MultiRegionConsistency, ")),
            ("UpdateTable", {"TableName": "twenty-gsis", "AttributeDefinitions": definitions,
                             "GlobalSecondaryIndexUpdates": [{"Create": {
                                 "IndexName": "gsi20", "KeySchema": [{"AttributeName": "a20",
                                                                    "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "KEYS_ONLY"}}}]},
             "LimitExceededException", "Subscriber limit exceeded: Number of global secondary "
             "indexes exceeds per-table limit of 20"),
            ("UpdateTimeToLive", {"TableName": "ttl-missing", "TimeToLiveSpecification": {
                "Enabled": True, "AttributeName": "t"}},
             "ResourceNotFoundException", "Requested resource not found: Table: ttl-missing not "
             "found"),
            ("ListBackups", {"ExclusiveStartBackupArn": table_arn("catalogued").replace(
                REGION, "eu-south-2" if REGION != "eu-south-2" else "eu-west-3") +
                "/backup/01791525400213-63b4d36a"},
             "ValidationException", "Invalid Request: The supplied ExclusiveStartBackupArn does "
             "not match the region"),
            ("RestoreTableToPointInTime", dict(restore, SourceTableArn="not-an-arn-at-all"),
             "ValidationException", "sourceTableArn is not a valid ARN"),
            ("RestoreTableToPointInTime",
             dict(restore, SourceTableArn=table_arn("catalogued").replace(ACCOUNT,
                                                                          "999999999999")),
             "ValidationException", "This action is only supported by accounts that match the "
             "resource owner\u2019s account."),
        ]
        for operation, body, type_, message in cases:
            with self.subTest(operation=operation, body=str(body)[:100]):
                self.assertEqual(self.post(operation, body), (400, type_, message))


@requires_botocore("dynamodb", "CreateTable", "OnDemandThroughput")
class OnDemandThroughputTest(ControlPlaneCase):
    """[ack] DDB-TABLE-051, -178, -182 (UpdateTable), -024, -038 (CreateTable), texts from the
    catalogue DDB-TABLE-442: the limits of an on-demand table, stored and described (nothing is
    throttled). A member left out is unlimited and not described; UpdateTable merges member by
    member, -1 clears one (its answer echoes -1, DescribeTable leaves it out), the table stays
    ACTIVE; 0 and -2 are outside the valid range; a provisioned table takes none."""

    INVALID = "One or more parameter values were invalid: "

    def limits(self, name):
        return self.ddb.describe_table(TableName=name)["Table"].get("OnDemandThroughput")

    def test_create_and_merge(self):
        made = self.create("odt", OnDemandThroughput={"MaxReadRequestUnits": 1000,
                                                      "MaxWriteRequestUnits": 500})
        self.assertEqual(made["OnDemandThroughput"], {"MaxReadRequestUnits": 1000,
                                                      "MaxWriteRequestUnits": 500})
        out = self.ddb.update_table(TableName="odt",
                                    OnDemandThroughput={"MaxReadRequestUnits": 2000})
        self.assertEqual(out["TableDescription"]["TableStatus"], "ACTIVE")
        self.assertEqual(self.limits("odt"), {"MaxReadRequestUnits": 2000,
                                              "MaxWriteRequestUnits": 500})
        out = self.ddb.update_table(TableName="odt",
                                    OnDemandThroughput={"MaxWriteRequestUnits": -1})
        self.assertEqual(out["TableDescription"]["OnDemandThroughput"],
                         {"MaxReadRequestUnits": 2000, "MaxWriteRequestUnits": -1})
        self.assertEqual(self.limits("odt"), {"MaxReadRequestUnits": 2000})
        self.ddb.update_table(TableName="odt", OnDemandThroughput={"MaxReadRequestUnits": -1})
        self.assertIsNone(self.limits("odt"))
        # Partial at create; a table that asked for none describes none.
        self.create("odt-partial", OnDemandThroughput={"MaxWriteRequestUnits": 7})
        self.assertEqual(self.limits("odt-partial"), {"MaxWriteRequestUnits": 7})
        self.create("odt-none")
        self.assertIsNone(self.limits("odt-none"))
        _, cli, _ = self.server.aws("dynamodb", "update-table", "--table-name", "odt-partial",
                                    "--on-demand-throughput", "MaxReadRequestUnits=9")
        self.assertEqual(cli["TableDescription"]["OnDemandThroughput"],
                         {"MaxReadRequestUnits": 9, "MaxWriteRequestUnits": 7})

    def test_refusals(self):
        self.create("odt-refusals")
        out_of_range = " for OnDemandThroughput for table is outside of valid range"
        for name, limits, member in [
                ("odt-zero", {"MaxReadRequestUnits": 0}, "MaxReadRequestUnits"),
                ("odt-minus", {"MaxReadRequestUnits": 5, "MaxWriteRequestUnits": -1},
                 "MaxWriteRequestUnits")]:
            with self.subTest(create=limits):
                self.assertEqual(self.error(self.create, name, OnDemandThroughput=limits), (
                    "ValidationException", self.INVALID + "Requested " + member + out_of_range))
        for limits, member in [({"MaxWriteRequestUnits": 0}, "MaxWriteRequestUnits"),
                               ({"MaxReadRequestUnits": -2}, "MaxReadRequestUnits")]:
            with self.subTest(update=limits):
                self.assertEqual(self.error(self.ddb.update_table, TableName="odt-refusals",
                                            OnDemandThroughput=limits),
                                 ("ValidationException",
                                  self.INVALID + "Requested " + member + out_of_range))
        self.assertEqual(self.error(self.ddb.update_table, TableName="odt-refusals",
                                    OnDemandThroughput={"MaxReadRequestUnits": 5},
                                    StreamSpecification={"StreamEnabled": True,
                                                         "StreamViewType": "KEYS_ONLY"}),
                         ("ValidationException", self.INVALID + "OnDemandThroughput can only be "
                          "combined with BillingMode in an UpdateTable request"))
        provisioned = self.INVALID + ("{} for OnDemandThroughput cannot be specified when the "
                                      "table BillingMode is PROVISIONED")
        capacity = {"ReadCapacityUnits": 1, "WriteCapacityUnits": 1}
        # CreateTable's words: "table" without "the", and a full stop (DDB-TABLE-038, -128).
        self.assertEqual(self.error(self.create, "odt-provisioned", BillingMode="PROVISIONED",
                                    ProvisionedThroughput=capacity,
                                    OnDemandThroughput={"MaxReadRequestUnits": 5}),
                         ("ValidationException", self.INVALID + "MaxReadRequestUnits for "
                          "OnDemandThroughput cannot be specified when table BillingMode is "
                          "PROVISIONED."))
        self.create("odt-provisioned", BillingMode="PROVISIONED", ProvisionedThroughput=capacity)
        self.assertEqual(self.error(self.ddb.update_table, TableName="odt-provisioned",
                                    OnDemandThroughput={"MaxWriteRequestUnits": 5}),
                         ("ValidationException", provisioned.format("MaxWriteRequestUnits")))
        # Switching to on demand may bring the limits along (DDB-TABLE-412).
        out = self.ddb.update_table(TableName="odt-provisioned", BillingMode="PAY_PER_REQUEST",
                                    OnDemandThroughput={"MaxWriteRequestUnits": 5})
        self.assertEqual(out["TableDescription"]["OnDemandThroughput"],
                         {"MaxWriteRequestUnits": 5})

    def test_limits_survive_a_killed_process(self):
        with StreamStack() as server:  # its own server: this test kills it
            ddb = server.client("dynamodb")
            create_table(ddb, "odt-kept", OnDemandThroughput={"MaxReadRequestUnits": 3})
            server.kill()
            server.start()
            ddb = server.client("dynamodb")
            self.assertEqual(ddb.describe_table(TableName="odt-kept")["Table"][
                "OnDemandThroughput"], {"MaxReadRequestUnits": 3})


class BillingSwitchTest(ControlPlaneCase):
    """A billing switch and index capacity. [ack] DDB-TABLE-152 (PAY_PER_REQUEST -> PROVISIONED
    needs an index Update with capacity for every index; "Both ... for index"), -153 (the
    switch drops on-demand limits), -133 (on-demand indexes report 0/0), -164 (capacity asked
    for again), -057 (PAY_PER_REQUEST again is taken), the catalogue DDB-TABLE-442 ("Neither
    ... for index"). [dynalite] test/updateTable.js and createTable.js (recorded against
    DynamoDB): the comma-joined index list, "Given value ... is out of bounds", "Action
    Blocked: IndexUpdate", billing before the key schema. Assumed: the end of the index's "will
    not change" text mirrors the table's (recorded only up to "Current WriteCapacityUnits")."""

    INVALID = "One or more parameter values were invalid: "
    CAPACITY = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}

    @staticmethod
    def index(name, capacity=None):
        index = {"IndexName": name, "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                 "Projection": {"ProjectionType": "ALL"}}
        if capacity:
            index["ProvisionedThroughput"] = capacity
        return index

    @staticmethod
    def update(name, capacity):
        return {"Update": {"IndexName": name, "ProvisionedThroughput": capacity}}

    def test_capacity_beside_a_switch_to_on_demand(self):
        """[ack] DDB-TABLE-056 (recorded): capacity beside BillingMode PAY_PER_REQUEST is the
        request's fault, in words of its own; on an on-demand table, the catalogue's."""
        self.ddb.create_table(TableName="to-on-demand",
                              KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                              AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                              ProvisionedThroughput=self.CAPACITY)
        self.assertEqual(self.error(self.ddb.update_table, TableName="to-on-demand",
                                    BillingMode="PAY_PER_REQUEST",
                                    ProvisionedThroughput={"ReadCapacityUnits": 1,
                                                           "WriteCapacityUnits": 1}),
                         ("ValidationException", self.INVALID + "ProvisionedThroughput cannot be "
                          "specified when BillingMode is PAY_PER_REQUEST"))
        self.ddb.update_table(TableName="to-on-demand", BillingMode="PAY_PER_REQUEST")
        self.assertEqual(self.error(self.ddb.update_table, TableName="to-on-demand",
                                    ProvisionedThroughput={"ReadCapacityUnits": 1,
                                                           "WriteCapacityUnits": 1}),
                         ("ValidationException", self.INVALID + "Neither ReadCapacityUnits nor "
                          "WriteCapacityUnits can be specified when BillingMode is "
                          "PAY_PER_REQUEST"))

    def test_billing_mode_summary(self):
        """[ack] DDB-TABLE-033, -064 (the answer that makes a table on demand has no
        LastUpdateToPayPerRequestDateTime), -055, -183 (it stays described once the table is
        PROVISIONED again); recorded."""
        created = self.ddb.create_table(
            TableName="billing-summary", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
        self.assertEqual(created["TableDescription"]["BillingModeSummary"],
                         {"BillingMode": "PAY_PER_REQUEST"})
        summary = lambda: self.ddb.describe_table(TableName="billing-summary")["Table"][
            "BillingModeSummary"]
        became = summary()["LastUpdateToPayPerRequestDateTime"]
        self.ddb.update_table(TableName="billing-summary", BillingMode="PROVISIONED",
                              ProvisionedThroughput=self.CAPACITY)
        self.assertEqual(summary(), {"BillingMode": "PROVISIONED",
                                     "LastUpdateToPayPerRequestDateTime": became})
        answer = self.ddb.update_table(TableName="billing-summary", BillingMode="PAY_PER_REQUEST")
        self.assertEqual(answer["TableDescription"]["BillingModeSummary"],
                         {"BillingMode": "PAY_PER_REQUEST"})
        self.assertGreaterEqual(summary()["LastUpdateToPayPerRequestDateTime"], became)

    def test_switch_to_provisioned_names_every_index(self):
        definitions = [{"AttributeName": "pk", "AttributeType": "S"},
                       {"AttributeName": "g", "AttributeType": "S"}]
        self.create("switch", AttributeDefinitions=definitions,
                    GlobalSecondaryIndexes=[self.index("index3"), self.index("index4")])
        self.assertEqual(self.error(self.ddb.update_table, TableName="switch",
                                    BillingMode="PROVISIONED", ProvisionedThroughput=self.CAPACITY),
                         ("ValidationException", self.INVALID +
                          "ProvisionedThroughput must be specified for index: index3,index4"))
        self.assertEqual(self.error(self.ddb.update_table, TableName="switch",
                                    BillingMode="PROVISIONED", ProvisionedThroughput=self.CAPACITY,
                                    GlobalSecondaryIndexUpdates=[
                                        self.update("index4", self.CAPACITY)]),
                         ("ValidationException", self.INVALID +
                          "ProvisionedThroughput must be specified for index: index3"))
        out = self.ddb.update_table(TableName="switch", BillingMode="PROVISIONED",
                                    ProvisionedThroughput=self.CAPACITY,
                                    GlobalSecondaryIndexUpdates=[
                                        self.update("index3", {"ReadCapacityUnits": 2,
                                                               "WriteCapacityUnits": 3}),
                                        self.update("index4", self.CAPACITY)])
        self.assertEqual(out["TableDescription"]["TableStatus"], "UPDATING")
        indexes = self.ddb.describe_table(TableName="switch")["Table"]["GlobalSecondaryIndexes"]
        self.assertEqual([(i["ProvisionedThroughput"]["ReadCapacityUnits"],
                           i["ProvisionedThroughput"]["WriteCapacityUnits"]) for i in indexes],
                         [(2, 3), (5, 5)])
        # Provisioned now: capacity asked for again, and PROVISIONED alone.
        self.assertEqual(self.error(self.ddb.update_table, TableName="switch",
                                    GlobalSecondaryIndexUpdates=[
                                        self.update("index4", self.CAPACITY)]),
                         ("ValidationException",
                          "The provisioned throughput for the index index4 will not change. The "
                          "requested value equals the current value. Current ReadCapacityUnits "
                          "provisioned for index index4: 5. Requested ReadCapacityUnits: 5. "
                          "Current WriteCapacityUnits provisioned for index index4: 5. Requested "
                          "WriteCapacityUnits: 5. Refer to the Amazon DynamoDB Developer Guide "
                          "for current limits and how to request higher limits."))
        self.assertEqual(self.error(self.ddb.update_table, TableName="switch",
                                    BillingMode="PROVISIONED"),
                         ("ValidationException", self.INVALID + "ProvisionedThroughput must be "
                          "specified when BillingMode is PROVISIONED"))
        # A new index needs capacity on a provisioned table and none on an on-demand one.
        definitions.append({"AttributeName": "h", "AttributeType": "S"})
        new_index = {"IndexName": "gsi-nopt", "Projection": {"ProjectionType": "ALL"},
                     "KeySchema": [{"AttributeName": "h", "KeyType": "HASH"}]}
        self.assertEqual(self.error(self.ddb.update_table, TableName="switch",
                                    AttributeDefinitions=definitions,
                                    GlobalSecondaryIndexUpdates=[{"Create": new_index}]),
                         ("ValidationException", self.INVALID + "Both ReadCapacityUnits and "
                          "WriteCapacityUnits must be specified for index: gsi-nopt"))
        # Back to on demand: the indexes report 0/0.
        self.ddb.update_table(TableName="switch", BillingMode="PAY_PER_REQUEST")
        indexes = self.ddb.describe_table(TableName="switch")["Table"]["GlobalSecondaryIndexes"]
        self.assertEqual({(i["ProvisionedThroughput"]["ReadCapacityUnits"],
                           i["ProvisionedThroughput"]["WriteCapacityUnits"]) for i in indexes},
                         {(0, 0)})
        new_index["ProvisionedThroughput"] = self.CAPACITY
        self.assertEqual(self.error(self.ddb.update_table, TableName="switch",
                                    AttributeDefinitions=definitions,
                                    GlobalSecondaryIndexUpdates=[{"Create": new_index}]),
                         ("ValidationException", self.INVALID + "Neither ReadCapacityUnits nor "
                          "WriteCapacityUnits can be specified for index: gsi-nopt when "
                          "BillingMode is PAY_PER_REQUEST"))
        out = self.ddb.update_table(TableName="switch", BillingMode="PAY_PER_REQUEST")
        self.assertEqual(out["TableDescription"]["TableStatus"], "UPDATING")

    def test_capacity_out_of_bounds(self):
        over = {"ReadCapacityUnits": 1000000000000, "WriteCapacityUnits": 1000000000001}
        self.assertEqual(self.error(self.raw.update_table, TableName="nowhere",
                                    ProvisionedThroughput=over),
                         ("ValidationException",
                          "Given value 1000000000001 for WriteCapacityUnits is out of bounds"))
        self.assertEqual(self.error(self.create, "bounds", BillingMode="PROVISIONED",
                                    ProvisionedThroughput=over),
                         ("ValidationException",
                          "Given value 1000000000001 for WriteCapacityUnits is out of bounds"))
        self.create("bounds", BillingMode="PROVISIONED", ProvisionedThroughput=self.CAPACITY)
        self.assertEqual(self.error(self.ddb.update_table, TableName="bounds",
                                    GlobalSecondaryIndexUpdates=[self.update("abc", over)]),
                         ("ValidationException", "This operation cannot be performed with given "
                          "input values. Please contact DynamoDB service team for more info: "
                          "Action Blocked: IndexUpdate"))
        # Billing is checked before the key schema.
        self.assertEqual(self.error(self.raw.create_table, TableName="abc",
                                    AttributeDefinitions=[],
                                    KeySchema=[{"KeyType": "HASH", "AttributeName": "a"},
                                               {"KeyType": "HASH", "AttributeName": "a"}],
                                    ProvisionedThroughput={"ReadCapacityUnits": 1,
                                                           "WriteCapacityUnits": 1},
                                    BillingMode="PAY_PER_REQUEST"),
                         ("ValidationException", self.INVALID + "Neither ReadCapacityUnits nor "
                          "WriteCapacityUnits can be specified when BillingMode is "
                          "PAY_PER_REQUEST"))
        _, _, err = self.server.aws("dynamodb", "update-table", "--table-name", "bounds",
                                    "--provisioned-throughput",
                                    "ReadCapacityUnits=1000000000001,WriteCapacityUnits=1",
                                    check=False)
        self.assertIn("Given value 1000000000001 for ReadCapacityUnits is out of bounds", err)


@requires_botocore("dynamodb", "PutResourcePolicy")
class ResourcePolicyTest(TestClockCase):
    """Resource-based policies, stored and answered, not enforced. [policy] AWS's API reference
    (PutResourcePolicy: idempotent, ExpectedRevisionId and NO_POLICY; DeleteResourcePolicy:
    idempotent, no RevisionId without a policy) and moto's PolicyNotFoundException texts
    (believed to be AWS's; not recorded by us). [ack] DDB-TABLE-445: a policy is not changed
    again within 15 s of its last change (ThrottlingException, recorded); the server runs on the
    test clock, which the tests move past it."""

    @staticmethod
    def policy(action):
        """A document in the form GetResourcePolicy answers (minified, IAM's key order)."""
        return minified({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
            "Action": action, "Resource": table_arn("policed")}]})

    def test_put_get_delete_with_revisions(self):
        create_table(self.ddb, "policed",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        arn = table_arn("policed")
        first = self.ddb.put_resource_policy(ResourceArn=arn,
                                             Policy=self.policy("dynamodb:GetItem"))["RevisionId"]
        self.assertRegex(first, r"^\d+$")
        got = self.ddb.get_resource_policy(ResourceArn=arn)
        self.assertEqual((got["Policy"], got["RevisionId"]), (self.policy("dynamodb:GetItem"), first))
        self.assertEqual(self.ddb.put_resource_policy(
            ResourceArn=arn, Policy=self.policy("dynamodb:GetItem"))["RevisionId"], first)
        code, message = self.error(self.ddb.put_resource_policy, ResourceArn=arn,
                                   Policy=self.policy("dynamodb:Query"), ExpectedRevisionId="1")
        self.assertEqual(code, "PolicyNotFoundException")
        self.assertEqual(message, (
            "Resource-based policy not found for the provided ResourceArn: Requested update for "
            f"policy with revision id 1, but the policy associated to target table policed has "
            f"revision id {first}."))
        throttled = ("ThrottlingException", "Resource-based policy for table policed modified "
                     "within the previous 15000 milliseconds. Please try again after " +
                     time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(int(first) // 1000 + 15)) +
                     f".{int(first) % 1000:03d}Z.")
        self.assertEqual(self.error(self.ddb.put_resource_policy, ResourceArn=arn,
                                    Policy=self.policy("dynamodb:Query")), throttled)
        self.assertEqual(self.error(self.ddb.delete_resource_policy, ResourceArn=arn), throttled)
        self.advance(15)
        second = self.ddb.put_resource_policy(ResourceArn=arn, Policy=self.policy("dynamodb:Query"),
                                              ExpectedRevisionId=first)["RevisionId"]
        self.assertNotEqual(second, first)
        # A stream has a policy of its own.
        stream_arn = self.ddb.describe_table(TableName="policed")["Table"]["LatestStreamArn"]
        self.ddb.put_resource_policy(ResourceArn=stream_arn,
                                     Policy=self.policy("dynamodb:GetRecords"))
        self.assertEqual(self.ddb.get_resource_policy(ResourceArn=stream_arn)["Policy"],
                         self.policy("dynamodb:GetRecords"))
        self.advance(15)
        self.assertEqual(self.ddb.delete_resource_policy(ResourceArn=arn)["RevisionId"], second)
        code, message = self.error(self.ddb.get_resource_policy, ResourceArn=arn)
        self.assertEqual(code, "PolicyNotFoundException")
        self.assertEqual(message,
                         f"Resource-based policy not found for the provided ResourceArn: {arn}")
        self.assertNotIn("RevisionId", self.ddb.delete_resource_policy(ResourceArn=arn))
        code, _ = self.error(self.ddb.delete_resource_policy, ResourceArn=arn,
                             ExpectedRevisionId=second)
        self.assertEqual(code, "PolicyNotFoundException")
        # Not found, other account, unknown stream label: [ack] DDB-TABLE-212 and -446
        # (recorded, us-west-2 and us-east-1, 2026-10-09).
        code, message = self.error(self.ddb.get_resource_policy, ResourceArn=table_arn("absent"))
        self.assertEqual((code, message), ("ResourceNotFoundException",
                                           "Requested resource not found: Table: absent not "
                                           "found"))
        for call in (self.ddb.get_resource_policy, self.ddb.delete_resource_policy):
            with self.subTest(call=call.__name__):
                self.assertEqual(
                    self.error(call, ResourceArn=table_arn("absent")),
                    ("ResourceNotFoundException", "Requested resource not found: Table: absent "
                                                  "not found"))
                other = arn.replace(ACCOUNT, "999999999999")
                self.assertEqual(
                    self.error(call, ResourceArn=other),
                    ("ValidationException", "This action is only supported by accounts that "
                                            "match the resource owner\u2019s account."))
        bogus_stream = arn + "/stream/2000-01-01T00:00:00.000"
        self.assertEqual(self.error(self.ddb.get_resource_policy, ResourceArn=bogus_stream),
                         ("ResourceNotFoundException", "Requested resource not found: Stream: "
                                                       "2000-01-01T00:00:00.000 not found for "
                                                       "Table: policed"))

    def test_policy_documents_aws_refuses(self):
        """[ack] DDB-TABLE-457 (recorded answers to degenerate documents) and the catalogue
        DDB-TABLE-442 (size, Resource, Sids). Assumed: 'Missing required field Statement'."""
        create_table(self.ddb, "policy-texts")
        arn = table_arn("policy-texts")
        invalid = "One or more parameter values were invalid: Invalid policy document: "
        statement = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                     "Action": "dynamodb:GetItem", "Resource": arn}
        without_resource = {k: v for k, v in statement.items() if k != "Resource"}
        for document, why in [
                ("", "This policy contains invalid Json"),
                ("[]", "This policy contains invalid Json"),
                ("null", "This text appears not to be a policy"),
                ("{}", "Syntax error at position (1,3)"),
                (json.dumps({"Version": "2012-10-17", "Statement": []}),
                 "Could not parse the policy: Statement is empty!"),
                (json.dumps({"Version": "2012-10-17", "Statement": [{}]}),
                 "Missing required field Effect"),
                (json.dumps({"Version": "2012-10-17", "Statement": [without_resource]}),
                 "Missing required field Resource"),
                (json.dumps({"Version": "2012-10-17", "Statement": [
                    dict(statement, Sid="a"), dict(statement, Sid="a")]}),
                 "The Statement Ids in the policy are not unique")]:
            with self.subTest(document=document[:40]):
                self.assertEqual(self.error(self.raw.put_resource_policy, ResourceArn=arn,
                                            Policy=document),
                                 ("ValidationException", invalid + why))
        big = json.dumps({"Version": "2012-10-17", "Statement": [
            dict(statement, Sid="s" * 21000)]})
        self.assertEqual(self.error(self.ddb.put_resource_policy, ResourceArn=arn, Policy=big),
                         ("ValidationException", "One or more parameter values were invalid: "
                          "Maximum policy size of 20480 bytes exceeded"))

    def test_documents_are_kept_in_aws_form(self):
        """[ack] DDB-TABLE-207, -208, -351, -353, -354, -355 (recorded 2026-10-09): a document
        is answered minified, keys in IAM's order, one-element lists as their element, an
        account id principal as its root ARN, a principal named twice once, 'allow' as Allow,
        a Statement object as a list, escapes decoded; a re-put of an equivalent document is
        no change (the same RevisionId, even within the 15 s); multi-element lists are kept as
        sent; a document without Version reads back with 2008-10-17 yet is another document
        than one naming it."""
        create_table(self.ddb, "policy-forms")
        arn = table_arn("policy-forms")
        root = f"arn:aws:iam::{ACCOUNT}:root"
        statement = {"Sid": "Read", "Effect": "Allow", "Principal": {"AWS": root},
                     "Action": "dynamodb:GetItem", "Resource": arn}
        kept = {"Version": "2012-10-17", "Statement": [statement]}
        first = self.ddb.put_resource_policy(ResourceArn=arn, Policy=minified(kept))["RevisionId"]
        self.assertEqual(self.ddb.get_resource_policy(ResourceArn=arn)["Policy"], minified(kept))

        def document(**changes):
            return {"Version": "2012-10-17", "Statement": [dict(statement, **changes)]}
        for name, sent in [
                ("pretty-printed", json.dumps(kept, indent=2)),
                ("keys reordered", json.dumps({"Statement": [
                    dict(reversed(list(statement.items())))], "Version": "2012-10-17"})),
                ("one-element lists", json.dumps(document(
                    Action=["dynamodb:GetItem"], Resource=[arn]))),
                ("an account id principal", json.dumps(document(Principal={"AWS": ACCOUNT}))),
                ("one principal twice", json.dumps(document(Principal={"AWS": [ACCOUNT, root]}))),
                ("lower-case effect", json.dumps(document(Effect="allow"))),
                ("a Statement object", json.dumps({"Version": "2012-10-17",
                                                   "Statement": statement})),
                ("escaped characters", minified(kept).replace('"Read"', '"\\u0052ead"'))]:
            with self.subTest(name):
                self.assertEqual(self.ddb.put_resource_policy(ResourceArn=arn,
                                                              Policy=sent)["RevisionId"], first)
                self.assertEqual(self.ddb.get_resource_policy(ResourceArn=arn)["Policy"],
                                 minified(kept))

        # Multi-element lists as sent (order and repeats), an action's case as sent,
        # NotAction in Action's place, a one-element condition value as its element.
        self.advance(15)
        listed = document(Action=["dynamodb:Query", "dynamodb:getitem", "dynamodb:Query"],
                          Resource=[arn + "/index/*", arn],
                          Condition={"StringEquals": {"aws:PrincipalAccount": [ACCOUNT]}})
        self.ddb.put_resource_policy(ResourceArn=arn, Policy=json.dumps(listed, indent=1))
        listed["Statement"][0]["Condition"] = {
            "StringEquals": {"aws:PrincipalAccount": ACCOUNT}}
        self.assertEqual(self.ddb.get_resource_policy(ResourceArn=arn)["Policy"],
                         minified(listed))
        self.advance(15)
        negated = {"Version": "2012-10-17", "Statement": [{
            "Resource": arn, "NotAction": "dynamodb:DeleteTable", "Principal": {"AWS": root},
            "Effect": "Deny"}]}
        self.ddb.put_resource_policy(ResourceArn=arn, Policy=json.dumps(negated))
        self.assertEqual(self.ddb.get_resource_policy(ResourceArn=arn)["Policy"], minified({
            "Version": "2012-10-17", "Statement": [{
                "Effect": "Deny", "Principal": {"AWS": root},
                "NotAction": "dynamodb:DeleteTable", "Resource": arn}]}))

        # Without Version: read back with IAM's default, but not the same document as it.
        self.advance(15)
        versionless = {"Statement": [statement]}
        unversioned = self.ddb.put_resource_policy(ResourceArn=arn,
                                                   Policy=json.dumps(versionless))["RevisionId"]
        with_default = minified({"Version": "2008-10-17", "Statement": [statement]})
        self.assertEqual(self.ddb.get_resource_policy(ResourceArn=arn)["Policy"], with_default)
        self.assertEqual(self.ddb.put_resource_policy(
            ResourceArn=arn, Policy=minified(versionless))["RevisionId"], unversioned)
        self.advance(15)
        self.assertNotEqual(self.ddb.put_resource_policy(
            ResourceArn=arn, Policy=with_default)["RevisionId"], unversioned)

    def test_policies_block_public_access_and_unknown_names(self):
        """[ack] DDB-TABLE-211, -352, -356 (recorded): an action a table's policy cannot name
        (a stream's, here) is an invalid action name; an Allow to "*" or {"AWS": "*"} is
        refused by Block Public Access unless a trusted condition key limits it [bpa]; a Deny
        to "*" is accepted. Assumed: a malformed AWS principal is answered as AWS answers a
        principal it cannot resolve; invalid names listed in the document's order; the texts
        for a missing Principal or Action."""
        create_table(self.ddb, "policy-guards",
                     StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})
        arn = table_arn("policy-guards")
        invalid = "One or more parameter values were invalid: "
        unbounded = ("ValidationException", "Resource-based policy grants unbounded access in "
                     "one or more elements. Please revise the policy to ensure least-privilege "
                     "form of access")
        statement = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
                     "Action": "dynamodb:GetItem", "Resource": arn}
        limited = {"StringEquals": {"aws:PrincipalAccount": ACCOUNT}}
        for changes, answer in [
                ({"Action": ["dynamodb:GetRecords", "dynamodb:DescribeStream"]},
                 ("ValidationException", invalid + "Invalid policy document: The following "
                  'action names are invalid: "dynamodb:GetRecords", "dynamodb:DescribeStream"')),
                ({"Action": ["dynamodb:RestoreTableFromBackup", "dynamodb:NoSuchAction",
                             "s3:GetObject"]},
                 ("ValidationException", invalid + "Invalid policy document: The following "
                  'action names are invalid: "dynamodb:RestoreTableFromBackup", '
                  '"dynamodb:NoSuchAction", "s3:GetObject"')),
                ({"Principal": "*"}, unbounded),
                ({"Principal": {"AWS": "*"}}, unbounded),
                ({"Principal": {"AWS": ["*"]}, "Condition": {"StringLike": {
                    "aws:PrincipalAccount": "*"}}}, unbounded),
                ({"Principal": {"AWS": "not-a-principal"}},
                 ("ValidationException", invalid + "Invalid principal in policy document.")),
                ({"Principal": None}, ("ValidationException", invalid + "Invalid policy "
                                       "document: Missing required field Principal")),
                ({"Action": None}, ("ValidationException", invalid + "Invalid policy "
                                    "document: Missing required field Action"))]:
            sent = {k: v for k, v in dict(statement, **changes).items() if v is not None}
            with self.subTest(changes=changes):
                self.assertEqual(self.error(self.ddb.put_resource_policy, ResourceArn=arn,
                                            Policy=json.dumps({"Version": "2012-10-17",
                                                               "Statement": [sent]})),
                                 answer)
        self.assertEqual(self.error(self.ddb.get_resource_policy, ResourceArn=arn)[0],
                         "PolicyNotFoundException")
        accepted = [dict(statement, Action=["dynamodb:*", "dynamodb:Get*", "dynamodb:query"]),
                    dict(statement, Principal="*", Effect="Deny"),
                    dict(statement, Principal={"AWS": "*"}, Condition=limited)]
        for number, sent in enumerate(accepted):
            with self.subTest(accepted=sent):
                self.advance(15)
                self.ddb.put_resource_policy(ResourceArn=arn, Policy=json.dumps({
                    "Version": "2012-10-17", "Statement": [dict(sent, Sid=f"s{number}")]}))
        # A stream's policy names a stream's actions, and not a table's.
        stream_arn = self.ddb.describe_table(TableName="policy-guards")["Table"]["LatestStreamArn"]
        stream_statement = dict(statement, Resource=stream_arn,
                                Action=["dynamodb:GetRecords", "dynamodb:GetShardIterator",
                                        "dynamodb:DescribeStream"])
        self.ddb.put_resource_policy(ResourceArn=stream_arn, Policy=json.dumps({
            "Version": "2012-10-17", "Statement": [stream_statement]}))
        self.assertEqual(self.error(self.ddb.put_resource_policy, ResourceArn=stream_arn,
                                    Policy=json.dumps({"Version": "2012-10-17", "Statement": [
                                        dict(stream_statement, Action="dynamodb:GetItem")]})),
                         ("ValidationException", invalid + "Invalid policy document: The "
                          'following action names are invalid: "dynamodb:GetItem"'))

    @requires_botocore("dynamodb", "CreateTable", "ResourcePolicy")
    def test_create_table_attaches_its_policy(self):
        """[policy] CreateTable's ResourcePolicy: attached as the table is created, as
        PutResourcePolicy would; a document PutResourcePolicy refuses refuses the table."""
        create_table(self.ddb, "born-policed", ResourcePolicy=self.policy("dynamodb:Scan"))
        got = self.ddb.get_resource_policy(ResourceArn=table_arn("born-policed"))
        self.assertEqual(got["Policy"], self.policy("dynamodb:Scan"))
        self.assertRegex(got["RevisionId"], r"^\d+$")
        code, _ = self.error(create_table, self.ddb, "badly-policed", ResourcePolicy="[1]")
        self.assertEqual(code, "ValidationException")
        self.assertNotIn("badly-policed", self.ddb.list_tables()["TableNames"])


if __name__ == "__main__":
    unittest.main()
