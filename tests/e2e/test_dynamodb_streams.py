"""Writes produce DynamoDB Streams records, read back through ListStreams / DescribeStream /
GetShardIterator / GetRecords with boto3 and the aws CLI, for every StreamViewType."""
import json
import re
import unittest

import botocore.exceptions

from harness import ServerTestCase, StreamStack


def create_stream_table(ddb, name, view_type, range_key=False):
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    keys = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if range_key:
        attrs.append({"AttributeName": "sk", "AttributeType": "N"})
        keys.append({"AttributeName": "sk", "KeyType": "RANGE"})
    d = ddb.create_table(TableName=name, AttributeDefinitions=attrs, KeySchema=keys,
                         BillingMode="PAY_PER_REQUEST",
                         StreamSpecification={"StreamEnabled": True, "StreamViewType": view_type})
    return d["TableDescription"]["LatestStreamArn"]


def read_all(streams, stream_arn):
    """Every record of every shard, oldest first, following NextShardIterator."""
    records = []
    for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
        it = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while it:
            r = streams.get_records(ShardIterator=it)
            records += r["Records"]
            if not r["Records"]:
                break
            it = r.get("NextShardIterator")
    return records


class StreamRecordsTest(ServerTestCase):
    def setUp(self):
        self.ddb = self.server.client("dynamodb")
        self.streams = self.server.client("dynamodbstreams")

    def write_sequence(self, table):
        self.ddb.put_item(TableName=table, Item={"pk": {"S": "k"}, "msg": {"S": "New item!"}})
        self.ddb.put_item(TableName=table, Item={"pk": {"S": "k"}, "msg": {"S": "New item!"}})  # no-op
        self.ddb.update_item(TableName=table, Key={"pk": {"S": "k"}},
                             UpdateExpression="SET msg = :m",
                             ExpressionAttributeValues={":m": {"S": "This item has changed"}})
        self.ddb.update_item(TableName=table, Key={"pk": {"S": "k"}},  # equal value: no-op
                             UpdateExpression="SET msg = :m",
                             ExpressionAttributeValues={":m": {"S": "This item has changed"}})
        self.ddb.delete_item(TableName=table, Key={"pk": {"S": "k"}})
        self.ddb.delete_item(TableName=table, Key={"pk": {"S": "k"}})  # missing item: no-op

    def test_every_view_type(self):
        new = {"pk": {"S": "k"}, "msg": {"S": "New item!"}}
        changed = {"pk": {"S": "k"}, "msg": {"S": "This item has changed"}}
        expect = {
            "KEYS_ONLY": [(None, None), (None, None), (None, None)],
            "NEW_IMAGE": [(new, None), (changed, None), (None, None)],
            "OLD_IMAGE": [(None, None), (None, new), (None, changed)],
            "NEW_AND_OLD_IMAGES": [(new, None), (changed, new), (None, changed)],
        }
        for view_type, images in expect.items():
            table = "view-" + view_type.lower().replace("_", "-")
            arn = create_stream_table(self.ddb, table, view_type)
            self.write_sequence(table)
            records = read_all(self.streams, arn)
            self.assertEqual([r["eventName"] for r in records], ["INSERT", "MODIFY", "REMOVE"],
                             view_type)
            seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in records]
            self.assertEqual(seqs, sorted(seqs))
            self.assertEqual(len(set(seqs)), 3)
            for record, (new_image, old_image) in zip(records, images):
                self.assertRegex(record["eventID"], r"^[0-9a-f]{32}$")
                self.assertEqual(record["eventVersion"], "1.1")
                self.assertEqual(record["eventSource"], "aws:dynamodb")
                self.assertEqual(record["awsRegion"], "us-east-1")
                d = record["dynamodb"]
                self.assertEqual(d["Keys"], {"pk": {"S": "k"}})
                self.assertEqual(d["StreamViewType"], view_type)
                self.assertGreaterEqual(len(d["SequenceNumber"]), 21)
                self.assertIn("ApproximateCreationDateTime", d)
                self.assertEqual(d.get("NewImage"), new_image)
                self.assertEqual(d.get("OldImage"), old_image)
                # SizeBytes: attribute-name length plus value length over Keys and images.
                size = 3  # Keys: "pk" + "k"
                for image in (new_image, old_image):
                    if image:
                        size += sum(len(k) + len(v["S"]) for k, v in image.items())
                self.assertEqual(d["SizeBytes"], size, (view_type, record["eventName"]))

    def test_seed_record_sizes(self):
        # The seeds' example: INSERT of {Id: 101, Message: "New item!"} has SizeBytes 26 and the
        # MODIFY to "This item has changed" 59, with NEW_AND_OLD_IMAGES.
        self.ddb.create_table(TableName="seed", BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "Id", "AttributeType": "N"}],
                              KeySchema=[{"AttributeName": "Id", "KeyType": "HASH"}],
                              StreamSpecification={"StreamEnabled": True,
                                                   "StreamViewType": "NEW_AND_OLD_IMAGES"})
        arn = self.ddb.describe_table(TableName="seed")["Table"]["LatestStreamArn"]
        self.ddb.put_item(TableName="seed", Item={"Id": {"N": "101"}, "Message": {"S": "New item!"}})
        self.ddb.put_item(TableName="seed", Item={"Id": {"N": "101"},
                                                  "Message": {"S": "This item has changed"}})
        self.ddb.delete_item(TableName="seed", Key={"Id": {"N": "101"}})
        sizes = [r["dynamodb"]["SizeBytes"] for r in read_all(self.streams, arn)]
        self.assertEqual(sizes, [26, 59, 38])

    def test_list_describe_iterators(self):
        arn = create_stream_table(self.ddb, "lister", "KEYS_ONLY", range_key=True)
        listed = self.streams.list_streams(TableName="lister")["Streams"]
        self.assertEqual(listed, [{"StreamArn": arn, "TableName": "lister",
                                   "StreamLabel": arn.split("/stream/")[1]}])
        desc = self.streams.describe_stream(StreamArn=arn)["StreamDescription"]
        self.assertEqual(desc["StreamStatus"], "ENABLED")
        self.assertEqual(desc["StreamViewType"], "KEYS_ONLY")
        self.assertEqual(desc["KeySchema"], [{"AttributeName": "pk", "KeyType": "HASH"},
                                             {"AttributeName": "sk", "KeyType": "RANGE"}])
        shard = desc["Shards"][0]
        self.assertRegex(shard["ShardId"], r"^shardId-\d{20}-[0-9a-f]{8}$")
        self.assertNotIn("EndingSequenceNumber", shard["SequenceNumberRange"])
        for i in range(5):
            self.ddb.put_item(TableName="lister", Item={"pk": {"S": "a"}, "sk": {"N": str(i)}})
        it = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                             ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        first = self.streams.get_records(ShardIterator=it, Limit=2)
        self.assertEqual(len(first["Records"]), 2)
        rest = self.streams.get_records(ShardIterator=first["NextShardIterator"])
        self.assertEqual(len(rest["Records"]), 3)
        seq2 = first["Records"][1]["dynamodb"]["SequenceNumber"]
        after = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                                ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                                                SequenceNumber=seq2)["ShardIterator"]
        self.assertEqual(len(self.streams.get_records(ShardIterator=after)["Records"]), 3)
        at = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                             ShardIteratorType="AT_SEQUENCE_NUMBER",
                                             SequenceNumber=seq2)["ShardIterator"]
        self.assertEqual(self.streams.get_records(ShardIterator=at)["Records"][0]["dynamodb"]
                         ["SequenceNumber"], seq2)
        latest = self.streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                                 ShardIteratorType="LATEST")["ShardIterator"]
        r = self.streams.get_records(ShardIterator=latest)
        self.assertEqual(r["Records"], [])
        self.assertIn("NextShardIterator", r)  # the shard is open
        self.ddb.put_item(TableName="lister", Item={"pk": {"S": "b"}, "sk": {"N": "9"}})
        r = self.streams.get_records(ShardIterator=r["NextShardIterator"])
        self.assertEqual([x["dynamodb"]["Keys"]["pk"]["S"] for x in r["Records"]], ["b"])

    def test_stream_errors(self):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.streams.describe_stream(
                StreamArn="arn:aws:dynamodb:us-east-1:000000000000:table/none/stream/"
                          "2020-01-01T00:00:00.000")
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ResourceNotFoundException")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.streams.get_records(ShardIterator="garbage" * 4)
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ValidationException")

    def test_transaction_records_keep_order(self):
        arn = create_stream_table(self.ddb, "txorder", "NEW_IMAGE")
        self.ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": "txorder", "Item": {"pk": {"S": key}}}} for key in "cab"])
        keys = [r["dynamodb"]["Keys"]["pk"]["S"] for r in read_all(self.streams, arn)]
        self.assertEqual(keys, ["c", "a", "b"])

    def test_aws_cli_reads_records(self):
        arn = create_stream_table(self.ddb, "cli-stream", "NEW_IMAGE")
        self.server.aws("dynamodb", "put-item", "--table-name", "cli-stream", "--item",
                        '{"pk": {"S": "x"}, "v": {"N": "1.50"}}')
        _, out, _ = self.server.aws("dynamodbstreams", "list-streams", "--table-name", "cli-stream")
        self.assertEqual(out["Streams"][0]["StreamArn"], arn)
        _, out, _ = self.server.aws("dynamodbstreams", "describe-stream", "--stream-arn", arn)
        shard_id = out["StreamDescription"]["Shards"][0]["ShardId"]
        _, out, _ = self.server.aws("dynamodbstreams", "get-shard-iterator", "--stream-arn", arn,
                                    "--shard-id", shard_id, "--shard-iterator-type", "TRIM_HORIZON")
        _, out, _ = self.server.aws("dynamodbstreams", "get-records", "--shard-iterator",
                                    out["ShardIterator"])
        self.assertEqual(out["Records"][0]["dynamodb"]["NewImage"]["v"], {"N": "1.5"})


class StreamsValidationTest(ServerTestCase):
    """DynamoDB Streams' request validation through boto3 without its client-side checks: a
    wrong JSON type is a SerializationException (with "Message"), answered before anything
    else; then every constraint of botocore's dynamodbstreams model, all in one
    ValidationException, in the model's member order, worded as AWS words DynamoDB's (the same
    Coral front end, package com.amazonaws.dynamodb.v20120810; dynalite's recorded answers).
    Which requests AWS refuses: ScyllaDB's alternator test_streams.py, run against DynamoDB
    (ListStreams Limit 0 and 100000, GetRecords Limit 0 and -1, an unknown ShardIteratorType,
    a SequenceNumber longer than 40). Where this server has kept its own answer, the case
    says so."""

    SERIALIZATION = "SerializationException"
    VALIDATION = "ValidationException"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ddb = cls.server.client("dynamodb")
        cls.arn = create_stream_table(ddb, "checked", "KEYS_ONLY")
        cls.raw = cls.server.client("dynamodbstreams", parameter_validation=False)
        cls.shard = cls.raw.describe_stream(
            StreamArn=cls.arn)["StreamDescription"]["Shards"][0]["ShardId"]
        cls.iterator = cls.raw.get_shard_iterator(StreamArn=cls.arn, ShardId=cls.shard,
                                                  ShardIteratorType="LATEST")["ShardIterator"]

    def assertAnswers(self, cases):
        for operation, params, code, message in cases:
            with self.subTest(operation=operation, params=params):
                with self.assertRaises(botocore.exceptions.ClientError) as ctx:
                    getattr(self.raw, operation)(**params)
                error = ctx.exception.response["Error"]
                self.assertEqual((error["Code"], error["Message"]), (code, message))

    def assertRawAnswers(self, cases):
        """For what boto3 cannot send: a scalar where a structure belongs, or ShardFilter, which
        an older botocore's model (Debian's) does not know."""
        for operation, body, type_, member, message in cases:
            with self.subTest(operation=operation, body=body):
                status, _, payload = self.server.http(
                    "POST", "/", json.dumps(body).encode(),
                    {"Content-Type": "application/x-amz-json-1.0",
                     "X-Amz-Target": f"DynamoDBStreams_20120810.{operation}"})
                self.assertEqual((status, json.loads(payload)),
                                 (400, {"__type": type_, member: message}))

    def test_wrong_json_types(self):
        arn, shard = self.arn, self.shard
        self.assertAnswers([
            ("describe_stream", {"StreamArn": 12}, self.SERIALIZATION,
             "NUMBER_VALUE cannot be converted to String"),
            ("describe_stream", {"StreamArn": {}}, self.SERIALIZATION,
             "Start of structure or map found where not expected"),
            ("list_streams", {"TableName": ["t"]}, self.SERIALIZATION,
             "Unrecognized collection type class java.lang.String"),
            ("get_records", {"ShardIterator": True}, self.SERIALIZATION,
             "TRUE_VALUE cannot be converted to String"),
            ("get_records", {"ShardIterator": 1.5}, self.SERIALIZATION,
             "DECIMAL_VALUE cannot be converted to String"),
            # This server's own wording, kept (tests/unit/api/streams_api_test.cc pins it);
            # DynamoDB's is "STRING_VALUE cannot be converted to Integer".
            ("describe_stream", {"StreamArn": arn, "Limit": "ten"}, self.SERIALIZATION,
             "STRING_VALUE can not be converted to an Integer"),
            ("list_streams", {"Limit": True}, self.SERIALIZATION,
             "TRUE_VALUE cannot be converted to Integer"),
            ("get_records", {"ShardIterator": "x", "Limit": []}, self.SERIALIZATION,
             "Unrecognized collection type class java.lang.Integer"),
            ("get_shard_iterator", {"StreamArn": arn, "ShardId": shard, "ShardIteratorType": 0},
             self.SERIALIZATION, "NUMBER_VALUE cannot be converted to String"),
            # Types before constraints: two members missing, one of a wrong type.
            ("get_shard_iterator", {"ShardIteratorType": False}, self.SERIALIZATION,
             "FALSE_VALUE cannot be converted to String"),
        ])
        serialization = "com.amazon.coral.service#SerializationException"
        self.assertRawAnswers([
            ("DescribeStream", {"StreamArn": arn, "ShardFilter": "CHILD_SHARDS"}, serialization,
             "Message", "Unexpected field type"),
            ("DescribeStream", {"StreamArn": arn, "ShardFilter": {"Type": 1}}, serialization,
             "Message", "NUMBER_VALUE cannot be converted to String"),
        ])

    def test_every_violation_in_one_message(self):
        arn, shard = self.arn, self.shard
        self.assertAnswers([
            ("get_records", {"ShardIterator": "", "Limit": 0}, self.VALIDATION,
             "2 validation errors detected: "
             "Value '' at 'shardIterator' failed to satisfy constraint: Member must have length "
             "greater than or equal to 1; "
             "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater "
             "than or equal to 1"),
            ("get_records", {"ShardIterator": self.iterator, "Limit": -1}, self.VALIDATION,
             "1 validation error detected: Value '-1' at 'limit' failed to satisfy constraint: "
             "Member must have value greater than or equal to 1"),
            ("get_shard_iterator", {"StreamArn": "arn:short", "ShardId": "shardId-1",
                                    "ShardIteratorType": "OLDEST", "SequenceNumber": "42"},
             self.VALIDATION,
             # Members in Coral's report order (protocol::InputModel's ReportOrder).
             "4 validation errors detected: "
             "Value '42' at 'sequenceNumber' failed to satisfy constraint: Member must have "
             "length greater than or equal to 21; "
             "Value 'arn:short' at 'streamArn' failed to satisfy constraint: Member must have "
             "length greater than or equal to 37; "
             "Value 'shardId-1' at 'shardId' failed to satisfy constraint: Member must have "
             "length greater than or equal to 28; "
             "Value 'OLDEST' at 'shardIteratorType' failed to satisfy constraint: Member must "
             "satisfy enum value set: [TRIM_HORIZON, LATEST, AT_SEQUENCE_NUMBER, "
             "AFTER_SEQUENCE_NUMBER]"),
            ("get_shard_iterator", {"StreamArn": arn, "ShardId": shard,
                                    "ShardIteratorType": "LATEST", "SequenceNumber": "9" * 41},
             self.VALIDATION,
             f"1 validation error detected: Value '{'9' * 41}' at 'sequenceNumber' failed to "
             "satisfy constraint: Member must have length less than or equal to 40"),
            ("describe_stream", {"StreamArn": arn, "Limit": 101, "ExclusiveStartShardId": "s"},
             self.VALIDATION,
             "2 validation errors detected: "
             "Value 's' at 'exclusiveStartShardId' failed to satisfy constraint: Member must "
             "have length greater than or equal to 28; "
             "Value '101' at 'limit' failed to satisfy constraint: Member must have value less "
             "than or equal to 100"),
            ("describe_stream", {}, self.VALIDATION,
             "1 validation error detected: Value null at 'streamArn' failed to satisfy "
             "constraint: Member must not be null"),
            # A string's pattern before its length, as DynamoDB's TableName (dynalite).
            ("list_streams", {"TableName": "a;", "Limit": 0, "ExclusiveStartStreamArn": "arn"},
             self.VALIDATION,
             "4 validation errors detected: "
             "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater "
             "than or equal to 1; "
             "Value 'a;' at 'tableName' failed to satisfy constraint: Member must satisfy "
             "regular expression pattern: [a-zA-Z0-9_.-]+; "
             "Value 'a;' at 'tableName' failed to satisfy constraint: Member must have length "
             "greater than or equal to 3; "
             "Value 'arn' at 'exclusiveStartStreamArn' failed to satisfy constraint: Member "
             "must have length greater than or equal to 37"),
            ("list_streams", {"Limit": 100000}, self.VALIDATION,
             "1 validation error detected: Value '100000' at 'limit' failed to satisfy "
             "constraint: Member must have value less than or equal to 100"),
            ("get_shard_iterator", {}, self.VALIDATION,
             "3 validation errors detected: "
             "Value null at 'streamArn' failed to satisfy constraint: Member must not be null; "
             "Value null at 'shardId' failed to satisfy constraint: Member must not be null; "
             "Value null at 'shardIteratorType' failed to satisfy constraint: Member must not "
             "be null"),
        ])
        self.assertRawAnswers([
            ("DescribeStream", {"StreamArn": arn, "Limit": 101, "ExclusiveStartShardId": "s",
                                "ShardFilter": {"Type": "PARENT_SHARDS", "ShardId": "s" * 66}},
             "com.amazon.coral.validate#ValidationException", "message",
             "4 validation errors detected: "
             "Value 's' at 'exclusiveStartShardId' failed to satisfy constraint: Member must "
             "have length greater than or equal to 28; "
             f"Value '{'s' * 66}' at 'shardFilter.shardId' failed to satisfy constraint: Member "
             "must have length less than or equal to 65; "
             "Value 'PARENT_SHARDS' at 'shardFilter.type' failed to satisfy constraint: Member "
             "must satisfy enum value set: [CHILD_SHARDS]; "
             "Value '101' at 'limit' failed to satisfy constraint: Member must have value less "
             "than or equal to 100"),
        ])

    def test_answers_past_the_model(self):
        # What the model cannot say, the stream store answers after it.
        arn, shard = self.arn, self.shard
        self.assertAnswers([
            ("get_shard_iterator", {"StreamArn": arn, "ShardId": shard,
                                    "ShardIteratorType": "AT_SEQUENCE_NUMBER"},
             self.VALIDATION,
             "Must provide a SequenceNumber for ShardIteratorType AT_SEQUENCE_NUMBER or "
             "AFTER_SEQUENCE_NUMBER"),
            ("get_records", {"ShardIterator": "x" * 40}, self.VALIDATION,
             "Invalid ShardIterator"),
            # This server's own answer, kept (tests/unit/api/streams_api_test.cc pins the
            # type): AWS answers a ValidationException naming the limit (alternator's
            # test_get_records_too_high_limit, run against DynamoDB).
            ("get_records", {"ShardIterator": self.iterator, "Limit": 1001},
             "LimitExceededException",
             "1 validation error detected: Value '1001' at 'limit' failed to satisfy "
             "constraint: Member must have value less than or equal to 1000"),
        ])
        # Null members are read as absent, and members the model does not know are ignored.
        r = self.raw.get_records(ShardIterator=self.iterator, Limit=None)
        self.assertEqual(r["Records"], [])


class DurabilityTest(unittest.TestCase):
    def test_acknowledged_writes_and_records_survive_kill_9(self):
        with StreamStack() as s:
            ddb = s.client("dynamodb")
            arn = create_stream_table(ddb, "durable", "NEW_IMAGE")
            for i in range(50):
                ddb.put_item(TableName="durable", Item={"pk": {"S": f"k{i}"}})
            s.kill()
            s.start()
            ddb = s.client("dynamodb")
            count = ddb.describe_table(TableName="durable")["Table"]["ItemCount"]
            self.assertEqual(count, 50)
            for i in range(50):
                self.assertIn("Item", ddb.get_item(TableName="durable", Key={"pk": {"S": f"k{i}"}}))
            records = read_all(s.client("dynamodbstreams"), arn)
            self.assertEqual([r["dynamodb"]["Keys"]["pk"]["S"] for r in records],
                             [f"k{i}" for i in range(50)])
            # and after a clean stop too
            self.assertEqual(s.stop(), 0)
            s.start()
            self.assertEqual(len(read_all(s.client("dynamodbstreams"), arn)), 50)


if __name__ == "__main__":
    unittest.main()
