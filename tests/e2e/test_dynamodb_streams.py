"""Writes produce DynamoDB Streams records, read back through ListStreams / DescribeStream /
GetShardIterator / GetRecords with boto3 and the aws CLI, for every StreamViewType."""
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
