"""Global and local secondary indexes through boto3 and the aws CLI: declared at CreateTable,
added and removed by UpdateTable, maintained with every write (sparse, projected), queried and
scanned, described, and AWS's errors for a wrong index or a projection outside the index."""
import json
import unittest

import botocore.exceptions
from boto3.dynamodb.conditions import Attr, Key

from harness import ServerTestCase, StreamStack


class IndexesTest(ServerTestCase):
    in_memory = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ddb = cls.server.client("dynamodb")
        ddb.create_table(
            TableName="orders",
            AttributeDefinitions=[{"AttributeName": "customer", "AttributeType": "S"},
                                  {"AttributeName": "order_id", "AttributeType": "S"},
                                  {"AttributeName": "status", "AttributeType": "S"},
                                  {"AttributeName": "placed", "AttributeType": "N"},
                                  {"AttributeName": "sku", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "customer", "KeyType": "HASH"},
                       {"AttributeName": "order_id", "KeyType": "RANGE"}],
            GlobalSecondaryIndexes=[
                {"IndexName": "by_status",
                 "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"},
                               {"AttributeName": "placed", "KeyType": "RANGE"}],
                 "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]}},
                {"IndexName": "by_sku",
                 "KeySchema": [{"AttributeName": "sku", "KeyType": "HASH"}],
                 "Projection": {"ProjectionType": "KEYS_ONLY"}},
                {"IndexName": "all_by_status",
                 "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                 "Projection": {"ProjectionType": "ALL"}}],
            LocalSecondaryIndexes=[
                {"IndexName": "by_placed",
                 "KeySchema": [{"AttributeName": "customer", "KeyType": "HASH"},
                               {"AttributeName": "placed", "KeyType": "RANGE"}],
                 "Projection": {"ProjectionType": "KEYS_ONLY"}}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        cls.table = cls.server.resource("dynamodb").Table("orders")
        with cls.table.batch_writer() as batch:
            for c in range(5):
                for o in range(8):
                    item = {"customer": f"c{c}", "order_id": f"o{o:02d}", "placed": 1000 + o * 10 + c,
                            "total": o + c, "note": "secret"}
                    if o % 4 != 3:  # sparse: some orders have no status
                        item["status"] = "open" if o % 2 else "shipped"
                    if o == 0:
                        item["sku"] = f"sku-{c % 2}"
                    batch.put_item(Item=item)

    def setUp(self):
        self.ddb = self.server.client("dynamodb")

    def error(self, fn, **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            fn(**kwargs)
        return ctx.exception.response["Error"]

    def test_describe_table_shows_indexes(self):
        t = self.ddb.describe_table(TableName="orders")["Table"]
        gsis = {g["IndexName"]: g for g in t["GlobalSecondaryIndexes"]}
        self.assertEqual(set(gsis), {"by_status", "by_sku", "all_by_status"})
        g = gsis["by_status"]
        self.assertEqual(g["IndexStatus"], "ACTIVE")
        self.assertEqual(g["Projection"], {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]})
        self.assertTrue(g["IndexArn"].endswith(":table/orders/index/by_status"))
        open_or_shipped = sum(1 for c in range(5) for o in range(8) if o % 4 != 3)
        self.assertEqual(g["ItemCount"], open_or_shipped)
        self.assertGreater(g["IndexSizeBytes"], 0)
        self.assertEqual(gsis["by_sku"]["ItemCount"], 5)
        lsi = t["LocalSecondaryIndexes"][0]
        self.assertEqual(lsi["IndexName"], "by_placed")
        self.assertEqual(lsi["ItemCount"], 40)
        self.assertNotIn("IndexStatus", lsi)

    def test_query_gsi_with_projection_and_order(self):
        got = self.table.query(IndexName="by_status", KeyConditionExpression=Key("status").eq("open")
                               & Key("placed").between(1010, 1035))["Items"]
        self.assertEqual([int(i["placed"]) for i in got], sorted(int(i["placed"]) for i in got))
        self.assertTrue(all(set(i) == {"customer", "order_id", "status", "placed", "total"} for i in got))
        self.assertEqual(len(got), 5)  # open orders o=1 (placed 1010..1014); o=3 has no status
        newest = self.table.query(IndexName="by_status", KeyConditionExpression=Key("status").eq("shipped"),
                                  ScanIndexForward=False, Limit=1)["Items"][0]
        self.assertEqual(int(newest["placed"]), 1064)
        keys = self.table.query(IndexName="by_sku", KeyConditionExpression=Key("sku").eq("sku-0"))["Items"]
        self.assertEqual(sorted(k["customer"] for k in keys), ["c0", "c2", "c4"])
        self.assertTrue(all(set(k) == {"customer", "order_id", "sku"} for k in keys))
        full = self.table.query(IndexName="all_by_status", KeyConditionExpression=Key("status").eq("open"),
                                FilterExpression=Attr("total").gte(8), Select="ALL_ATTRIBUTES")["Items"]
        self.assertTrue(full and all(i["note"] == "secret" for i in full))

    def test_lsi_query_and_fetch(self):
        got = self.table.query(IndexName="by_placed",
                               KeyConditionExpression=Key("customer").eq("c1") & Key("placed").gt(1040))
        self.assertEqual([int(i["placed"]) for i in got["Items"]], [1041, 1051, 1061, 1071])
        self.assertNotIn("note", got["Items"][0])
        fetched = self.table.query(IndexName="by_placed", Select="ALL_ATTRIBUTES",
                                   KeyConditionExpression=Key("customer").eq("c1") & Key("placed").gt(1060),
                                   ConsistentRead=True)["Items"]
        self.assertEqual([i["note"] for i in fetched], ["secret", "secret"])

    def test_index_follows_writes(self):
        t = self.table
        t.put_item(Item={"customer": "z", "order_id": "1", "status": "new", "placed": 5})
        q = lambda s: t.query(IndexName="by_status", KeyConditionExpression=Key("status").eq(s))["Items"]
        self.assertEqual(len(q("new")), 1)
        t.update_item(Key={"customer": "z", "order_id": "1"}, UpdateExpression="SET #s = :s",
                      ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": "paid"})
        self.assertEqual(q("new"), [])
        self.assertEqual(len(q("paid")), 1)
        t.update_item(Key={"customer": "z", "order_id": "1"}, UpdateExpression="REMOVE #s",
                      ExpressionAttributeNames={"#s": "status"})
        self.assertEqual(q("paid"), [])
        t.put_item(Item={"customer": "z", "order_id": "2", "status": "gone", "placed": 6})
        self.ddb.transact_write_items(TransactItems=[
            {"Delete": {"TableName": "orders", "Key": {"customer": {"S": "z"}, "order_id": {"S": "2"}}}}])
        self.assertEqual(q("gone"), [])

    def test_scan_index_and_paginate(self):
        paginator = self.ddb.get_paginator("scan")
        items = [i for p in paginator.paginate(TableName="orders", IndexName="by_status",
                                               PaginationConfig={"PageSize": 7}) for i in p["Items"]]
        self.assertEqual(len(items), 30)
        pages = list(self.ddb.get_paginator("query").paginate(
            TableName="orders", IndexName="all_by_status", KeyConditionExpression="#s = :s",
            ExpressionAttributeNames={"#s": "status"}, ExpressionAttributeValues={":s": {"S": "open"}},
            PaginationConfig={"PageSize": 3}))
        keys = [(i["customer"]["S"], i["order_id"]["S"]) for p in pages for i in p["Items"]]
        self.assertEqual(len(keys), len(set(keys)))
        self.assertEqual(len(keys), 10)  # open: o in {1, 5} for 5 customers

    def test_index_errors(self):
        cases = [
            (dict(IndexName="missing", KeyConditionExpression="x = :v"),
             "The table does not have the specified index: missing"),
            (dict(IndexName="by_status", KeyConditionExpression="#s = :v", ConsistentRead=True),
             "Consistent reads are not supported on global secondary indexes"),
            (dict(IndexName="by_status", KeyConditionExpression="#s = :v", Select="ALL_ATTRIBUTES"),
             "One or more parameter values were invalid: Select type ALL_ATTRIBUTES is not supported for "
             "global secondary index by_status because its projection type is not ALL"),
            (dict(IndexName="by_status", KeyConditionExpression="#s = :v", ProjectionExpression="note"),
             "One or more parameter values were invalid: Global secondary index by_status does not project note"),
            (dict(IndexName="by_status", KeyConditionExpression="customer = :v"),
             "Query condition missed key schema element: status"),
            (dict(IndexName="by_status", KeyConditionExpression="#s = :v AND note = :v"),
             "Query condition missed key schema element: placed"),
        ]
        for kwargs, message in cases:
            names = {"#s": "status"} if "#s" in kwargs["KeyConditionExpression"] else None
            extra = {"ExpressionAttributeNames": names} if names else {}
            err = self.error(self.ddb.query, TableName="orders", ExpressionAttributeValues={":v": {"S": "open"}},
                             **extra, **kwargs)
            self.assertEqual(err["Code"], "ValidationException", kwargs)
            self.assertEqual(err["Message"], message, kwargs)
        err = self.error(self.ddb.scan, TableName="orders", IndexName="by_sku", ConsistentRead=True)
        self.assertEqual(err["Message"], "Consistent reads are not supported on global secondary indexes")
        err = self.error(self.table.put_item, Item={"customer": "a", "order_id": "b", "status": 5})
        self.assertEqual(err["Message"], "One or more parameter values were invalid: Type mismatch for Index Key "
                                         "status Expected: S Actual: N IndexName: by_status")
        err = self.error(self.table.put_item, Item={"customer": "a", "order_id": "b", "sku": ""})
        self.assertIn("A value specified for a secondary index key is not supported", err["Message"])

    def test_update_table_adds_and_removes_a_gsi(self):
        ddb = self.ddb
        ddb.create_table(TableName="people",
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         BillingMode="PAY_PER_REQUEST")
        people = self.server.resource("dynamodb").Table("people")
        with people.batch_writer() as batch:
            for i in range(40):
                item = {"id": f"p{i}", "city": ["Oslo", "Lima", "Pune"][i % 3]}
                if i == 7:
                    item["city"] = 42  # the wrong type: the backfill skips it
                batch.put_item(Item=item)
        out = ddb.update_table(
            TableName="people", AttributeDefinitions=[{"AttributeName": "city", "AttributeType": "S"}],
            GlobalSecondaryIndexUpdates=[{"Create": {
                "IndexName": "by_city", "KeySchema": [{"AttributeName": "city", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"}}}])["TableDescription"]
        self.assertEqual(out["GlobalSecondaryIndexes"][0]["IndexStatus"], "CREATING")
        described = ddb.describe_table(TableName="people")["Table"]
        self.assertEqual(described["GlobalSecondaryIndexes"][0]["IndexStatus"], "ACTIVE")
        self.assertEqual(described["GlobalSecondaryIndexes"][0]["ItemCount"], 39)
        self.assertIn({"AttributeName": "city", "AttributeType": "S"}, described["AttributeDefinitions"])
        oslo = people.query(IndexName="by_city", KeyConditionExpression=Key("city").eq("Oslo"))["Items"]
        self.assertEqual(len(oslo), 14)
        err = self.error(ddb.update_table, TableName="people",
                         AttributeDefinitions=[{"AttributeName": "city", "AttributeType": "S"}],
                         GlobalSecondaryIndexUpdates=[{"Create": {
                             "IndexName": "by_city", "KeySchema": [{"AttributeName": "city", "KeyType": "HASH"}],
                             "Projection": {"ProjectionType": "ALL"}}}])
        self.assertEqual(err["Message"], "Attempting to create an index which already exists")
        out = ddb.update_table(TableName="people",
                               GlobalSecondaryIndexUpdates=[{"Delete": {"IndexName": "by_city"}}])["TableDescription"]
        self.assertEqual(out["GlobalSecondaryIndexes"][0]["IndexStatus"], "DELETING")
        self.assertNotIn("GlobalSecondaryIndexes", ddb.describe_table(TableName="people")["Table"])
        err = self.error(people.query, IndexName="by_city", KeyConditionExpression=Key("city").eq("Oslo"))
        self.assertEqual(err["Message"], "The table does not have the specified index: by_city")

    def test_create_table_index_errors(self):
        base = dict(AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                          {"AttributeName": "x", "AttributeType": "S"}],
                    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                    BillingMode="PAY_PER_REQUEST")
        err = self.error(self.ddb.create_table, TableName="bad1", **base, GlobalSecondaryIndexes=[
            {"IndexName": "gsi", "KeySchema": [{"AttributeName": "x", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "INCLUDE"}}])
        self.assertEqual(err["Message"], "One or more parameter values were invalid: ProjectionType is INCLUDE, "
                                         "but NonKeyAttributes is not specified")
        err = self.error(self.ddb.create_table, TableName="bad2", **base, LocalSecondaryIndexes=[
            {"IndexName": "lsi", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                               {"AttributeName": "x", "KeyType": "RANGE"}],
             "Projection": {"ProjectionType": "ALL"}}])
        self.assertEqual(err["Message"], "One or more parameter values were invalid: Table KeySchema does not "
                                         "have a range key, which is required when specifying a LocalSecondaryIndex")

    def test_aws_cli_indexes(self):
        _, out, _ = self.server.aws("dynamodb", "query", "--table-name", "orders", "--index-name", "by_sku",
                                    "--key-condition-expression", "sku = :s",
                                    "--expression-attribute-values", json.dumps({":s": {"S": "sku-1"}}))
        self.assertEqual(out["Count"], 2)
        _, out, _ = self.server.aws("dynamodb", "scan", "--table-name", "orders", "--index-name", "by_placed",
                                    "--select", "COUNT")
        self.assertEqual(out["Count"], 40 + 0)
        _, out, _ = self.server.aws("dynamodb", "describe-table", "--table-name", "orders")
        self.assertEqual(len(out["Table"]["GlobalSecondaryIndexes"]), 3)
        code, _, err = self.server.aws("dynamodb", "query", "--table-name", "orders", "--index-name", "nope",
                                       "--key-condition-expression", "sku = :s",
                                       "--expression-attribute-values", json.dumps({":s": {"S": "x"}}),
                                       check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("The table does not have the specified index: nope", err)


class IndexesSurviveRestartTest(unittest.TestCase):
    def test_indexes_and_ttl_survive_a_restart(self):
        with StreamStack() as server:  # on disk
            ddb = server.client("dynamodb")
            ddb.create_table(TableName="durable",
                             AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                                   {"AttributeName": "g", "AttributeType": "S"}],
                             KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                             GlobalSecondaryIndexes=[{"IndexName": "by_g",
                                                      "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                                      "Projection": {"ProjectionType": "KEYS_ONLY"}}],
                             BillingMode="PAY_PER_REQUEST")
            ddb.update_time_to_live(TableName="durable",
                                    TimeToLiveSpecification={"AttributeName": "exp", "Enabled": True})
            ddb.put_item(TableName="durable", Item={"pk": {"S": "a"}, "g": {"S": "x"}})
            server.restart()
            ddb = server.client("dynamodb")
            ddb.put_item(TableName="durable", Item={"pk": {"S": "b"}, "g": {"S": "x"}})
            got = ddb.query(TableName="durable", IndexName="by_g", KeyConditionExpression="g = :g",
                            ExpressionAttributeValues={":g": {"S": "x"}})
            self.assertEqual(sorted(i["pk"]["S"] for i in got["Items"]), ["a", "b"])
            d = ddb.describe_table(TableName="durable")["Table"]["GlobalSecondaryIndexes"][0]
            self.assertEqual(d["ItemCount"], 2)
            ttl = ddb.describe_time_to_live(TableName="durable")["TimeToLiveDescription"]
            self.assertEqual(ttl, {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"})


if __name__ == "__main__":
    unittest.main()
