"""Time to live through boto3 and the aws CLI: UpdateTimeToLive / DescribeTimeToLive, the
sweeper deleting expired items on the test clock, and the REMOVE stream records it writes
with AWS's TTL userIdentity."""
import json
import time
import unittest

import botocore.exceptions

from harness import StreamStack, wait_until

# The Streams API's Identity shape (botocore) capitalises its members; Lambda events spell
# the same identity {"type", "principalId"} (tests/unit/streams covers that form).
TTL_IDENTITY = {"Type": "Service", "PrincipalId": "dynamodb.amazonaws.com"}


def identity_of(record):
    return record.get("userIdentity", {})


class TimeToLiveTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = StreamStack("--ttl-sweep-interval-ms", "50", in_memory=True,
                                 env={"STREAMSTACK_TEST_CLOCK": "1"}).start()

    @classmethod
    def tearDownClass(cls):
        code = cls.server.stop()
        assert code == 0, f"streamstack exited {code}:\n{cls.server.log()}"

    def setUp(self):
        self.ddb = self.server.client("dynamodb")

    def advance(self, seconds):
        status, _, body = self.server.http("GET", f"/_streamstack/clock/advance?ms={int(seconds * 1000)}")
        self.assertEqual(status, 200, body)
        return json.loads(body)["now_ms"] / 1000.0

    def now(self):
        return self.advance(0)

    def create(self, name, stream=True):
        kwargs = {}
        if stream:
            kwargs["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        self.ddb.create_table(TableName=name,
                              AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                              BillingMode="PAY_PER_REQUEST", **kwargs)
        return self.server.resource("dynamodb").Table(name)

    def stream_records(self, table_name):
        """GetRecords over every shard, through boto3 (which drops members its model lacks)."""
        streams = self.server.client("dynamodbstreams")
        arn = self.ddb.describe_table(TableName=table_name)["Table"]["LatestStreamArn"]
        records = []
        for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                            ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            records += streams.get_records(ShardIterator=it)["Records"]
        return records

    def test_describe_and_update_time_to_live(self):
        self.create("ttl_settings", stream=False)
        d = self.ddb.describe_time_to_live(TableName="ttl_settings")["TimeToLiveDescription"]
        self.assertEqual(d, {"TimeToLiveStatus": "DISABLED"})
        spec = {"AttributeName": "expires_at", "Enabled": True}
        out = self.ddb.update_time_to_live(TableName="ttl_settings", TimeToLiveSpecification=spec)
        self.assertEqual(out["TimeToLiveSpecification"], spec)
        d = self.ddb.describe_time_to_live(TableName="ttl_settings")["TimeToLiveDescription"]
        self.assertEqual(d, {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"})
        cases = [
            ({"AttributeName": "expires_at", "Enabled": True}, "TimeToLive is already enabled"),
            ({"AttributeName": "other", "Enabled": True},
             "TimeToLive is active on a different AttributeName: current AttributeName is expires_at"),
            ({"AttributeName": "other", "Enabled": False},
             "TimeToLive is active on a different AttributeName: current AttributeName is expires_at"),
        ]
        for spec, message in cases:
            with self.assertRaises(botocore.exceptions.ClientError) as ctx:
                self.ddb.update_time_to_live(TableName="ttl_settings", TimeToLiveSpecification=spec)
            self.assertEqual(ctx.exception.response["Error"]["Code"], "ValidationException")
            self.assertEqual(ctx.exception.response["Error"]["Message"], message)
        # Another change within an hour of the last is refused (the UpdateTimeToLive
        # reference; the text is the one aws-cdk's TTL handler catches), an hour later taken.
        disable = {"AttributeName": "expires_at", "Enabled": False}
        self.advance(3599)
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.ddb.update_time_to_live(TableName="ttl_settings", TimeToLiveSpecification=disable)
        self.assertEqual(ctx.exception.response["Error"],
                         {"Code": "ValidationException", "Message": "Time to live has been "
                          "modified multiple times within a fixed interval"})
        self.advance(1)
        self.ddb.update_time_to_live(TableName="ttl_settings", TimeToLiveSpecification=disable)
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.ddb.update_time_to_live(TableName="ttl_settings",
                                         TimeToLiveSpecification={"AttributeName": "expires_at", "Enabled": False})
        self.assertEqual(ctx.exception.response["Error"]["Message"], "TimeToLive is already disabled")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.ddb.describe_time_to_live(TableName="no_such_table")
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ResourceNotFoundException")

    def test_sweeper_deletes_expired_items_into_the_stream(self):
        table = self.create("sessions")
        now = int(self.now())
        # Already expired before TTL is enabled: enabling picks it up.
        table.put_item(Item={"pk": "before", "expires": now - 10})
        self.ddb.update_time_to_live(TableName="sessions",
                                     TimeToLiveSpecification={"AttributeName": "expires", "Enabled": True})
        table.put_item(Item={"pk": "soon", "expires": now + 60, "data": "x"})
        table.put_item(Item={"pk": "later", "expires": now + 3600})
        table.put_item(Item={"pk": "forever"})
        table.put_item(Item={"pk": "text", "expires": str(now - 100)})  # not a number: ignored
        table.put_item(Item={"pk": "ancient", "expires": 162777600})    # over five years: ignored
        gone = wait_until(lambda: "Item" not in table.get_item(Key={"pk": "before"}), timeout=10)
        self.assertTrue(gone)
        # Not expired yet on the clock: still there.
        time.sleep(0.3)
        self.assertIn("Item", table.get_item(Key={"pk": "soon"}))
        self.advance(61)
        self.assertTrue(wait_until(lambda: "Item" not in table.get_item(Key={"pk": "soon"}), timeout=10))
        left = sorted(i["pk"] for i in table.scan()["Items"])
        self.assertEqual(left, ["ancient", "forever", "later", "text"])
        table.delete_item(Key={"pk": "forever"})  # a user delete: no service identity

        removes = [r for r in self.stream_records("sessions") if r["eventName"] == "REMOVE"]
        by_key = {r["dynamodb"]["Keys"]["pk"]["S"]: r for r in removes}
        self.assertEqual(set(by_key), {"before", "soon", "forever"})
        for key in ("before", "soon"):
            self.assertEqual(identity_of(by_key[key]), TTL_IDENTITY)
            self.assertIn("OldImage", by_key[key]["dynamodb"])
        self.assertEqual(by_key["soon"]["dynamodb"]["OldImage"]["data"], {"S": "x"})
        self.assertNotIn("userIdentity", by_key["forever"])

    def test_expired_items_stay_readable_until_swept(self):
        # A server whose sweeper runs once an hour: expiry alone must not hide items.
        with StreamStack("--ttl-sweep-interval-ms", "3600000", in_memory=True,
                         env={"STREAMSTACK_TEST_CLOCK": "1"}) as slow:
            ddb = slow.client("dynamodb")
            ddb.create_table(TableName="lazy",
                             AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                             KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                             BillingMode="PAY_PER_REQUEST")
            ddb.update_time_to_live(TableName="lazy",
                                    TimeToLiveSpecification={"AttributeName": "exp", "Enabled": True})
            ddb.put_item(TableName="lazy", Item={"pk": {"S": "a"}, "exp": {"N": "1700000000"}})
            self.assertIn("Item", ddb.get_item(TableName="lazy", Key={"pk": {"S": "a"}}))
            self.assertEqual(ddb.scan(TableName="lazy")["Count"], 1)
            self.assertEqual(ddb.query(TableName="lazy", KeyConditionExpression="pk = :a",
                                       ExpressionAttributeValues={":a": {"S": "a"}})["Count"], 1)

    def test_aws_cli_time_to_live(self):
        self.create("cli_ttl", stream=False)
        _, out, _ = self.server.aws("dynamodb", "update-time-to-live", "--table-name", "cli_ttl",
                                    "--time-to-live-specification", "Enabled=true,AttributeName=ttl")
        self.assertEqual(out["TimeToLiveSpecification"], {"Enabled": True, "AttributeName": "ttl"})
        _, out, _ = self.server.aws("dynamodb", "describe-time-to-live", "--table-name", "cli_ttl")
        self.assertEqual(out["TimeToLiveDescription"], {"TimeToLiveStatus": "ENABLED", "AttributeName": "ttl"})
        code, _, err = self.server.aws("dynamodb", "update-time-to-live", "--table-name", "cli_ttl",
                                       "--time-to-live-specification", "Enabled=true,AttributeName=ttl",
                                       check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("TimeToLive is already enabled", err)


if __name__ == "__main__":
    unittest.main()
