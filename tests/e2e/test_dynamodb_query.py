"""Query, Scan and BatchGetItem through boto3 (client, Table resource, boto3.dynamodb.conditions,
paginators) and the aws CLI: key conditions, ordering, filters, projections, Select, paging,
parallel scan, and AWS's errors for bad input."""
import decimal
import json
import unittest

import botocore.exceptions
from boto3.dynamodb.conditions import Attr, Key
from botocore.config import Config

from harness import ServerTestCase, create_table


class QueryTest(ServerTestCase):
    in_memory = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ddb = cls.server.client("dynamodb")
        create_table(ddb, "events", range_key=("sk", "S"))
        create_table(ddb, "scores", range_key=("score", "N"))
        create_table(ddb, "blobs", range_key=("sk", "B"))
        create_table(ddb, "flat", hash_key=("id", "S"))
        resource = cls.server.resource("dynamodb")
        cls.events = resource.Table("events")
        cls.scores = resource.Table("scores")
        cls.flat = resource.Table("flat")
        with cls.events.batch_writer() as batch:
            for user in ("alice", "bob"):
                for i in range(30):
                    kind = "order" if i % 3 == 0 else "view"
                    batch.put_item(Item={"pk": user, "sk": f"{kind}#{i:03d}", "n": i,
                                         "kind": kind, "status": "open" if i % 2 else "done"})
        with cls.scores.batch_writer() as batch:
            for v in ["-10", "-1.5", "0", "0.25", "1", "2", "2.5", "10", "100", "1e3",
                      "12345678901234567890.123456789"]:
                batch.put_item(Item={"pk": "s", "score": decimal.Decimal(v)})
        with cls.flat.batch_writer() as batch:
            for i in range(250):
                batch.put_item(Item={"id": f"id-{i:04d}", "n": i, "even": i % 2 == 0})

    def setUp(self):
        self.ddb = self.server.client("dynamodb")

    def error(self, fn, **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            fn(**kwargs)
        return ctx.exception.response["Error"]

    # -- key conditions and order ---------------------------------------------------
    def test_key_conditions_with_boto3_conditions(self):
        got = self.events.query(KeyConditionExpression=Key("pk").eq("alice") &
                                Key("sk").begins_with("order#"))["Items"]
        self.assertEqual([i["sk"] for i in got], [f"order#{i:03d}" for i in range(0, 30, 3)])
        got = self.events.query(KeyConditionExpression=Key("pk").eq("alice") &
                                Key("sk").between("view#010", "view#014"))["Items"]
        self.assertEqual([i["sk"] for i in got], ["view#010", "view#011", "view#013", "view#014"])
        got = self.events.query(KeyConditionExpression=Key("pk").eq("bob") & Key("sk").lt("order#006"))
        self.assertEqual([i["sk"] for i in got["Items"]], ["order#000", "order#003"])
        self.assertEqual(got["Count"], 2)
        self.assertEqual(got["ScannedCount"], 2)
        got = self.events.query(KeyConditionExpression=Key("pk").eq("bob") & Key("sk").gte("view#028"))
        self.assertEqual([i["sk"] for i in got["Items"]], ["view#028", "view#029"])
        got = self.events.query(KeyConditionExpression=Key("pk").eq("bob") & Key("sk").eq("view#028"))
        self.assertEqual(len(got["Items"]), 1)
        self.assertEqual(self.events.query(KeyConditionExpression=Key("pk").eq("nobody"))["Items"], [])

    def test_numbers_sort_numerically_both_ways(self):
        expected = ["-10", "-1.5", "0", "0.25", "1", "2", "2.5", "10", "100", "1000",
                    "12345678901234567890.123456789"]
        got = self.scores.query(KeyConditionExpression=Key("pk").eq("s"))["Items"]
        self.assertEqual([str(i["score"]) for i in got], expected)
        got = self.scores.query(KeyConditionExpression=Key("pk").eq("s"), ScanIndexForward=False)
        self.assertEqual([str(i["score"]) for i in got["Items"]], list(reversed(expected)))
        got = self.scores.query(KeyConditionExpression=Key("pk").eq("s") & Key("score").gt(2))
        self.assertEqual([str(i["score"]) for i in got["Items"]][:2], ["2.5", "10"])
        raw = self.ddb.query(TableName="scores", KeyConditionExpression="pk = :p AND score <= :v",
                             ExpressionAttributeValues={":p": {"S": "s"}, ":v": {"N": "0.250"}})
        self.assertEqual([i["score"]["N"] for i in raw["Items"]], ["-10", "-1.5", "0", "0.25"])

    def test_binary_sort_keys_order_by_unsigned_bytes(self):
        for raw in [b"\xff", b"\x00", b"\x7f\xff", b"\x80", b"\x00\x01"]:
            self.ddb.put_item(TableName="blobs", Item={"pk": {"S": "b"}, "sk": {"B": raw}})
        got = self.ddb.query(TableName="blobs", KeyConditionExpression="pk = :p",
                             ExpressionAttributeValues={":p": {"S": "b"}})["Items"]
        self.assertEqual([i["sk"]["B"] for i in got], [b"\x00", b"\x00\x01", b"\x7f\xff", b"\x80", b"\xff"])
        got = self.ddb.query(TableName="blobs", KeyConditionExpression="pk = :p AND begins_with(sk, :b)",
                             ExpressionAttributeValues={":p": {"S": "b"}, ":b": {"B": b"\x00"}})["Items"]
        self.assertEqual(len(got), 2)

    # -- filter, projection, select -----------------------------------------------------
    def test_filter_projection_and_select(self):
        got = self.events.query(KeyConditionExpression=Key("pk").eq("alice"),
                                FilterExpression=Attr("kind").eq("order") & Attr("status").eq("done"),
                                ProjectionExpression="sk, #n", ExpressionAttributeNames={"#n": "n"})
        self.assertEqual(got["ScannedCount"], 30)
        self.assertEqual(got["Count"], 5)
        self.assertEqual(got["Items"][0], {"sk": "order#000", "n": 0})
        counted = self.events.query(KeyConditionExpression=Key("pk").eq("alice"), Select="COUNT")
        self.assertNotIn("Items", counted)
        self.assertEqual(counted["Count"], 30)
        got = self.events.query(KeyConditionExpression=Key("pk").eq("alice"),
                                FilterExpression=Attr("n").between(5, 7) | Attr("n").is_in([20]))
        self.assertEqual(sorted(int(i["n"]) for i in got["Items"]), [5, 6, 7, 20])

    def test_limit_paging_and_paginator(self):
        page = self.events.query(KeyConditionExpression=Key("pk").eq("alice"), Limit=7)
        self.assertEqual(page["Count"], 7)
        self.assertEqual(page["LastEvaluatedKey"], {"pk": "alice", "sk": "order#018"})
        seen = []
        kwargs = {"KeyConditionExpression": Key("pk").eq("alice"), "Limit": 7}
        while True:
            page = self.events.query(**kwargs)
            seen += [i["sk"] for i in page["Items"]]
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        self.assertEqual(len(seen), 30)
        self.assertEqual(seen, sorted(seen))
        paginator = self.ddb.get_paginator("query")
        pages = list(paginator.paginate(TableName="events", KeyConditionExpression="pk = :p",
                                        ExpressionAttributeValues={":p": {"S": "bob"}},
                                        ScanIndexForward=False, PaginationConfig={"PageSize": 4}))
        items = [i["sk"]["S"] for p in pages for i in p["Items"]]
        self.assertEqual(items, sorted(items, reverse=True))
        self.assertEqual(len(items), 30)
        self.assertEqual(len(pages), 8)  # 7 full pages of 4, then the last 2

    def test_one_megabyte_pages(self):
        ddb = self.ddb
        blob = "x" * (200 * 1024)
        for i in range(12):
            ddb.put_item(TableName="events", Item={"pk": {"S": "big"}, "sk": {"S": f"{i:02d}"},
                                                   "d": {"S": blob}})
        page = ddb.query(TableName="events", KeyConditionExpression="pk = :p",
                         ExpressionAttributeValues={":p": {"S": "big"}}, ReturnConsumedCapacity="TOTAL")
        self.assertEqual(page["Count"], 6)  # the sixth item crosses 1 MB and ends the page
        self.assertIn("LastEvaluatedKey", page)
        self.assertGreater(page["ConsumedCapacity"]["CapacityUnits"], 100)
        total = sum(p["Count"] for p in ddb.get_paginator("query").paginate(
            TableName="events", KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={":p": {"S": "big"}}))
        self.assertEqual(total, 12)

    # -- scan ------------------------------------------------------------------------------
    def test_scan_filters_and_paginates(self):
        items = list(self.flat.scan(FilterExpression=Attr("even").eq(True) & Attr("n").lt(20))["Items"])
        self.assertEqual(sorted(int(i["n"]) for i in items), list(range(0, 20, 2)))
        paginator = self.ddb.get_paginator("scan")
        seen = [i["id"]["S"] for p in paginator.paginate(TableName="flat", PaginationConfig={"PageSize": 33})
                for i in p["Items"]]
        self.assertEqual(sorted(seen), [f"id-{i:04d}" for i in range(250)])
        page = self.flat.scan(Limit=10, Select="COUNT")
        self.assertEqual(page["Count"], 10)
        self.assertIn("LastEvaluatedKey", page)

    def test_parallel_scan_no_overlap_no_gap(self):
        for total in (1, 2, 4, 7):
            seen = []
            for segment in range(total):
                kwargs = {"Segment": segment, "TotalSegments": total, "Limit": 20}
                while True:
                    page = self.flat.scan(**kwargs)
                    seen += [i["id"] for i in page["Items"]]
                    if "LastEvaluatedKey" not in page:
                        break
                    kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
            self.assertEqual(len(seen), 250, total)
            self.assertEqual(set(seen), {f"id-{i:04d}" for i in range(250)})

    def test_scan_returns_partitions_in_dynamodbs_hash_order(self):
        """dynalite's test/scan.js "should return items in string hash order", "... number hash
        order" and "... from correct string/number hash segments": orders and segments recorded
        against DynamoDB (dynalite runs them against it with a remote endpoint). Not key order:
        a program that relies on Scan's order fails here as it would on AWS."""
        create_table(self.ddb, "hash-order-s", hash_key=("a", "S"))
        create_table(self.ddb, "hash-order-n", hash_key=("a", "N"))
        strings = [str(i) for i in range(10)] + ["aardman", "hello", "zapf", "äáöü"]
        numbers = [str(i) for i in range(10)] + ["-0.09", "999.9", "0.012345", "-999.9"]
        for table, kind, values in (("hash-order-s", "S", strings),
                                    ("hash-order-n", "N", numbers)):
            self.ddb.batch_write_item(RequestItems={table: [
                {"PutRequest": {"Item": {"a": {kind: v}}}} for v in values]})
        got = [i["a"]["S"] for i in self.ddb.scan(TableName="hash-order-s")["Items"]]
        self.assertEqual(got, ["2", "8", "9", "1", "6", "hello", "0", "5", "4", "äáöü",
                               "aardman", "7", "3", "zapf"])
        got = [i["a"]["N"] for i in self.ddb.scan(TableName="hash-order-n")["Items"]]
        self.assertEqual(got, ["7", "999.9", "8", "3", "2", "-999.9", "9", "4", "-0.09", "6",
                               "1", "0", "0.012345", "5"])
        # With 4096 segments each is one of DynamoDB's hash buckets.
        self.ddb.batch_write_item(RequestItems={"hash-order-s": [
            {"PutRequest": {"Item": {"a": {"S": v}}}} for v in ("3635", "228", "1668", "3435")],
            "hash-order-n": [{"PutRequest": {"Item": {"a": {"N": v}}}} for v in ("251", "2388")]})

        def segment(table, number):
            page = self.ddb.scan(TableName=table, Segment=number, TotalSegments=4096)
            return [next(iter(i["a"].values())) for i in page["Items"]]

        self.assertIn("3635", segment("hash-order-s", 0))
        self.assertIn("228", segment("hash-order-s", 0))
        self.assertIn("1668", segment("hash-order-s", 1))
        self.assertIn("3435", segment("hash-order-s", 4))
        self.assertIn("251", segment("hash-order-n", 1))
        self.assertIn("2388", segment("hash-order-n", 4095))
        _, out, _ = self.server.aws("dynamodb", "scan", "--table-name", "hash-order-n",
                                    "--segment", "4095", "--total-segments", "4096")
        self.assertIn({"a": {"N": "2388"}}, out["Items"])

    # -- batch get --------------------------------------------------------------------------
    def test_batch_get_item(self):
        got = self.ddb.batch_get_item(RequestItems={
            "flat": {"Keys": [{"id": {"S": "id-0001"}}, {"id": {"S": "id-0002"}}, {"id": {"S": "none"}}],
                     "ProjectionExpression": "#n", "ExpressionAttributeNames": {"#n": "n"}},
            "events": {"Keys": [{"pk": {"S": "alice"}, "sk": {"S": "order#000"}}],
                       "ConsistentRead": True}}, ReturnConsumedCapacity="TOTAL")
        self.assertEqual(sorted(i["n"]["N"] for i in got["Responses"]["flat"]), ["1", "2"])
        self.assertEqual(len(got["Responses"]["events"]), 1)
        self.assertEqual(got["UnprocessedKeys"], {})
        self.assertEqual(len(got["ConsumedCapacity"]), 2)
        resource = self.server.resource("dynamodb")
        got = resource.batch_get_item(RequestItems={"flat": {"Keys": [{"id": f"id-{i:04d}"} for i in range(100)]}})
        self.assertEqual(len(got["Responses"]["flat"]), 100)
        err = self.error(self.ddb.batch_get_item, RequestItems={
            "flat": {"Keys": [{"id": {"S": f"id-{i:04d}"}} for i in range(101)]}})
        # AWS's 2026 validation layer names the member without its value (a DynamoDB
        # conformance suite's error-messages batchGetItem capture); dynalite batchGetItem.js
        # recorded the older "Value '[...]' at 'requestItems.abc.member.keys'".
        self.assertEqual(err["Message"], "1 validation error detected: Value at "
                                         "'RequestItems.flat.member.Keys' failed to satisfy "
                                         "constraint: Member must have length less than or "
                                         "equal to 100")
        err = self.error(self.ddb.batch_get_item, RequestItems={
            "flat": {"Keys": [{"id": {"S": "a"}}, {"id": {"S": "a"}}]}})
        self.assertEqual(err["Message"], "Provided list of item keys contains duplicates")
        err = self.error(self.ddb.batch_get_item, RequestItems={"missing_table": {"Keys": [{"id": {"S": "a"}}]}})
        self.assertEqual(err["Code"], "ResourceNotFoundException")

    # -- bad input --------------------------------------------------------------------------
    def test_validation_errors(self):
        cases = [
            (dict(KeyConditionExpression="pk = :p AND sk = :s",
                  ExpressionAttributeValues={":p": {"S": "a"}, ":s": {"N": "1"}}),
             "One or more parameter values were invalid: Condition parameter type does not match schema type"),
            (dict(KeyConditionExpression="pk = :p AND begins_with(sk, :s)",
                  ExpressionAttributeValues={":p": {"S": "a"}, ":s": {"N": "1"}}),
             "Invalid KeyConditionExpression: Incorrect operand type for operator or function; "
             "operator or function: begins_with, operand type: N"),
            (dict(KeyConditionExpression="pk = :p AND sk > :a AND sk < :b",
                  ExpressionAttributeValues={":p": {"S": "a"}, ":a": {"S": "1"}, ":b": {"S": "2"}}),
             "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key"),
            (dict(KeyConditionExpression="pk = :p", FilterExpression="status = :s",
                  ExpressionAttributeValues={":p": {"S": "a"}, ":s": {"S": "x"}}),
             "Invalid FilterExpression: Attribute name is a reserved keyword; reserved keyword: status"),
            (dict(KeyConditionExpression="pk = :p AND sk = :s",
                  ExpressionAttributeValues={":p": {"S": "a"}}),
             "Invalid KeyConditionExpression: An expression attribute value used in expression is not "
             "defined; attribute value: :s"),
            (dict(KeyConditionExpression="pk = :p", FilterExpression="sk = :s",
                  ExpressionAttributeValues={":p": {"S": "a"}, ":s": {"S": "x"}}),
             "Filter Expression can only contain non-primary key attributes: Primary key attribute: sk"),
            (dict(KeyConditionExpression="pk = :p AND (", ExpressionAttributeValues={":p": {"S": "a"}}),
             None),
            (dict(KeyConditionExpression="sk = :s", ExpressionAttributeValues={":s": {"S": "a"}}),
             "Query condition missed key schema element: pk"),
            (dict(KeyConditionExpression="pk = :p", IndexName="nope", ExpressionAttributeValues={":p": {"S": "a"}}),
             "The table does not have the specified index: nope"),
            (dict(KeyConditionExpression="pk = :p", Select="COUNT", ProjectionExpression="sk",
                  ExpressionAttributeValues={":p": {"S": "a"}}),
             # Query's carries the prefix, Scan's not (ExtendDB's wording tests, recorded).
             "1 validation error detected: Cannot specify the ProjectionExpression when "
             "choosing to get only the Count"),
            (dict(KeyConditionExpression="pk = :p", ExclusiveStartKey={"pk": {"S": "zz"}, "sk": {"S": "a"}},
                  ExpressionAttributeValues={":p": {"S": "a"}}),
             "The provided starting key is outside query boundaries based on provided conditions"),
        ]
        for kwargs, message in cases:
            err = self.error(self.ddb.query, TableName="events", **kwargs)
            self.assertEqual(err["Code"], "ValidationException", kwargs)
            if message:
                self.assertEqual(err["Message"], message, kwargs)
            else:
                self.assertIn("Syntax error", err["Message"])
        err = self.error(self.ddb.query, TableName="nope", KeyConditionExpression="pk = :p",
                         ExpressionAttributeValues={":p": {"S": "a"}})
        self.assertEqual(err["Code"], "ResourceNotFoundException")
        err = self.error(self.ddb.scan, TableName="flat", Segment=4, TotalSegments=4)
        self.assertEqual(err["Message"], "The Segment parameter is zero-based and must be less than parameter "
                                         "TotalSegments: Segment: 4 is not less than TotalSegments: 4")
        err = self.error(self.ddb.scan, TableName="flat", Select="ALL_PROJECTED_ATTRIBUTES")
        self.assertEqual(err["Message"], "ALL_PROJECTED_ATTRIBUTES can be used only when Querying using an IndexName")

    def test_limit_zero_is_a_validation_error(self):
        # boto3 refuses Limit 0 itself; without its client-side check the server must answer.
        unchecked = self.server.client("dynamodb", parameter_validation=False)
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            unchecked.query(TableName="events", KeyConditionExpression="pk = :p", Limit=0,
                            ExpressionAttributeValues={":p": {"S": "a"}})
        err = ctx.exception.response["Error"]
        self.assertEqual(err["Code"], "ValidationException")
        self.assertIn("Member must have value greater than or equal to 1", err["Message"])
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            unchecked.scan(TableName="flat", Segment=-1, TotalSegments=2)
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ValidationException")
        status, _, body = self.server.http(
            "POST", "/", body=b'{"TableName":"flat","Limit":"ten"}',
            headers={"X-Amz-Target": "DynamoDB_20120810.Scan",
                     "Content-Type": "application/x-amz-json-1.0"})
        self.assertEqual(status, 400)
        self.assertIn("SerializationException", body.decode())

    # -- the aws CLI ---------------------------------------------------------------------------
    def test_aws_cli_query_scan_batch_get(self):
        _, out, _ = self.server.aws("dynamodb", "query", "--table-name", "events",
                                    "--key-condition-expression", "pk = :p AND begins_with(sk, :o)",
                                    "--expression-attribute-values",
                                    json.dumps({":p": {"S": "alice"}, ":o": {"S": "order#"}}),
                                    "--no-scan-index-forward", "--max-items", "3")
        self.assertEqual([i["sk"]["S"] for i in out["Items"]], ["order#027", "order#024", "order#021"])
        self.assertIn("NextToken", out)
        _, out, _ = self.server.aws("dynamodb", "scan", "--table-name", "flat", "--select", "COUNT")
        self.assertEqual(out["Count"], 250)  # the CLI follows every page
        _, out, _ = self.server.aws("dynamodb", "scan", "--table-name", "flat", "--segment", "1",
                                    "--total-segments", "3", "--filter-expression", "n < :ten",
                                    "--expression-attribute-values", json.dumps({":ten": {"N": "10"}}))
        self.assertLessEqual(len(out["Items"]), 10)
        _, out, _ = self.server.aws("dynamodb", "batch-get-item", "--request-items",
                                    json.dumps({"flat": {"Keys": [{"id": {"S": "id-0007"}}]}}))
        self.assertEqual(out["Responses"]["flat"][0]["n"]["N"], "7")
        code, _, err = self.server.aws("dynamodb", "query", "--table-name", "events",
                                       "--key-condition-expression", "pk = :p",
                                       "--expression-attribute-values", json.dumps({":p": {"N": "1"}}),
                                       check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("Condition parameter type does not match schema type", err)


if __name__ == "__main__":
    unittest.main()
