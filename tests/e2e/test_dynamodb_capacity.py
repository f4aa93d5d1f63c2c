"""ConsumedCapacity through boto3, exact to the unit, as AWS computes it.

Sources, named beside each case:
  [guide]     AWS's developer guide: "DynamoDB item sizes and formats" and "DynamoDB read and
              write operations" (read-write-operations.html), GSI.html / LSI.html (index writes
              and reads).
  [dynalite]  answers recorded against DynamoDB in dynalite's test/*.js (getItem, putItem,
              updateItem, deleteItem, query, batchGetItem, batchWriteItem): the item sizes at
              the 1 KB / 4 KB boundaries, TOTAL as {TableName, CapacityUnits} alone, INDEXES
              adding Table (0 for an index read) and the index's share.
  [conformance] characterisations against DynamoDB by github.com/paritysuite/dynamodb-
              conformance (issues 27, 69, PR 67): transactions charge 2 units per item (a
              missing TransactGetItems item and a ConditionCheck too) and are the only
              operations that add ReadCapacityUnits / WriteCapacityUnits.
Where AWS documents no exact number the case says so."""
import unittest

import botocore.exceptions

from harness import ServerTestCase, create_table


def item_of_size(pk, size, **extra):
    """A low-level item of exactly `size` bytes by AWS's rules: "pk" (2) + the key's UTF-8
    bytes, "b" (1) + padding, plus `extra` string attributes counted the same way."""
    item = {"pk": {"S": pk}}
    used = 2 + len(pk.encode())
    for name, value in extra.items():
        item[name] = {"S": value}
        used += len(name.encode()) + len(value.encode())
    item["b"] = {"S": "b" * (size - used - 1)}
    return item


class CapacityTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ddb = cls.server.client("dynamodb")
        create_table(ddb, "cap")
        create_table(ddb, "cap2", hash_key=("k", "N"))
        create_table(ddb, "capq", range_key=("sk", "N"))
        ddb.create_table(
            TableName="capidx", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "N"},
                                  {"AttributeName": "g", "AttributeType": "S"},
                                  {"AttributeName": "l", "AttributeType": "S"}],
            GlobalSecondaryIndexes=[{"IndexName": "by_g",
                                     "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                                     "Projection": {"ProjectionType": "KEYS_ONLY"}}],
            LocalSecondaryIndexes=[{"IndexName": "by_l",
                                    "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"},
                                                  {"AttributeName": "l", "KeyType": "RANGE"}],
                                    "Projection": {"ProjectionType": "INCLUDE",
                                                   "NonKeyAttributes": ["x"]}}])

    def setUp(self):
        self.ddb = self.server.client("dynamodb")

    def put(self, item, table="cap", mode="TOTAL", **kwargs):
        return self.ddb.put_item(TableName=table, Item=item, ReturnConsumedCapacity=mode,
                                 **kwargs)["ConsumedCapacity"]

    # --- Writes ------------------------------------------------------------------------------

    def test_put_item_charges_the_larger_of_the_old_and_new_item(self):
        # [dynalite] putItem.js: 1024 bytes 1 unit, 1025 bytes 2; {a} over the 1025-byte item
        # still 2 (the larger image, [guide]), {a} over {a} 1.
        self.assertEqual(self.put(item_of_size("put-1", 1024)),
                         {"TableName": "cap", "CapacityUnits": 1.0})
        self.assertEqual(self.put(item_of_size("put-2", 1025)),
                         {"TableName": "cap", "CapacityUnits": 2.0})
        self.assertEqual(self.put({"pk": {"S": "put-2"}}, mode="INDEXES"),
                         {"TableName": "cap", "CapacityUnits": 2.0,
                          "Table": {"CapacityUnits": 2.0}})
        self.assertEqual(self.put({"pk": {"S": "put-2"}}, mode="INDEXES"),
                         {"TableName": "cap", "CapacityUnits": 1.0,
                          "Table": {"CapacityUnits": 1.0}})
        self.assertEqual(self.put(item_of_size("put-3", 3000)),
                         {"TableName": "cap", "CapacityUnits": 3.0})

    def test_none_or_absent_answers_no_consumed_capacity(self):
        out = self.ddb.put_item(TableName="cap", Item={"pk": {"S": "none"}},
                                ReturnConsumedCapacity="NONE")
        self.assertNotIn("ConsumedCapacity", out)
        out = self.ddb.get_item(TableName="cap", Key={"pk": {"S": "none"}})
        self.assertNotIn("ConsumedCapacity", out)
        out = self.ddb.query(TableName="cap", KeyConditionExpression="pk = :p",
                             ExpressionAttributeValues={":p": {"S": "none"}})
        self.assertNotIn("ConsumedCapacity", out)

    def test_update_item_charges_the_larger_of_before_and_after(self):
        # [dynalite] updateItem.js "creating and updating larger item": 1024 bytes created, 1;
        # one byte more, 2.
        key = {"pk": {"S": "upd"}}
        pad = "b" * (1024 - 2 - 3 - 1)
        out = self.ddb.update_item(TableName="cap", Key=key, UpdateExpression="SET b = :b",
                                   ExpressionAttributeValues={":b": {"S": pad}},
                                   ReturnConsumedCapacity="TOTAL")
        self.assertEqual(out["ConsumedCapacity"], {"TableName": "cap", "CapacityUnits": 1.0})
        out = self.ddb.update_item(TableName="cap", Key=key, UpdateExpression="SET b = :b",
                                   ExpressionAttributeValues={":b": {"S": pad + "b"}},
                                   ReturnConsumedCapacity="TOTAL")
        self.assertEqual(out["ConsumedCapacity"], {"TableName": "cap", "CapacityUnits": 2.0})
        # Shrinking it back still costs the larger, "before" image [guide].
        out = self.ddb.update_item(TableName="cap", Key=key, UpdateExpression="REMOVE b",
                                   ReturnConsumedCapacity="TOTAL")
        self.assertEqual(out["ConsumedCapacity"], {"TableName": "cap", "CapacityUnits": 2.0})

    def test_delete_item_charges_the_deleted_item_or_one(self):
        # [dynalite] deleteItem.js: a 1025-byte item 2 units; a missing item 1.
        self.put(item_of_size("del", 1025))
        out = self.ddb.delete_item(TableName="cap", Key={"pk": {"S": "del"}},
                                   ReturnConsumedCapacity="TOTAL")
        self.assertEqual(out["ConsumedCapacity"], {"TableName": "cap", "CapacityUnits": 2.0})
        out = self.ddb.delete_item(TableName="cap", Key={"pk": {"S": "del"}},
                                   ReturnConsumedCapacity="INDEXES")
        self.assertEqual(out["ConsumedCapacity"],
                         {"TableName": "cap", "CapacityUnits": 1.0,
                          "Table": {"CapacityUnits": 1.0}})

    def test_failed_condition_answers_the_error_alone(self):
        # AWS consumes capacity for it, but ConditionalCheckFailedException carries no
        # ConsumedCapacity member (its shape has Message and Item only).
        self.put({"pk": {"S": "cond"}})
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.ddb.put_item(TableName="cap", Item={"pk": {"S": "cond"}},
                              ConditionExpression="attribute_not_exists(pk)",
                              ReturnConsumedCapacity="INDEXES")
        self.assertEqual(ctx.exception.response["Error"]["Code"],
                         "ConditionalCheckFailedException")
        self.assertNotIn("ConsumedCapacity", ctx.exception.response)

    # --- Single-item reads -----------------------------------------------------------------

    def test_get_item_rounds_to_4_kb_halves_eventual_and_charges_a_miss(self):
        # [dynalite] getItem.js: 4096 bytes 0.5 / 1 (consistent), 4097 bytes 1 / 2, a
        # missing item 0.5 / 1.
        self.put(item_of_size("get-4k", 4096))
        self.put(item_of_size("get-4k1", 4097))
        cases = [("get-4k", False, 0.5), ("get-4k", True, 1.0), ("get-4k1", False, 1.0),
                 ("get-4k1", True, 2.0), ("get-none", False, 0.5), ("get-none", True, 1.0)]
        for pk, consistent, units in cases:
            out = self.ddb.get_item(TableName="cap", Key={"pk": {"S": pk}},
                                    ConsistentRead=consistent, ReturnConsumedCapacity="TOTAL")
            self.assertEqual(out["ConsumedCapacity"],
                             {"TableName": "cap", "CapacityUnits": units}, (pk, consistent))
        # A projection returns less but reads, and costs, the whole item [guide].
        out = self.ddb.get_item(TableName="cap", Key={"pk": {"S": "get-4k1"}},
                                ProjectionExpression="pk", ReturnConsumedCapacity="INDEXES")
        self.assertEqual(out["ConsumedCapacity"],
                         {"TableName": "cap", "CapacityUnits": 1.0,
                          "Table": {"CapacityUnits": 1.0}})

    # --- Query and Scan --------------------------------------------------------------------

    def test_query_and_scan_charge_what_they_read_before_the_filter(self):
        # [guide] a Query is one read of the items' total size rounded up to 4 KB; a
        # FilterExpression does not lower it. Three 2000-byte items: 6000 bytes, 2 units.
        for sk in (1, 2, 3):
            item = item_of_size("q", 2000 - 4)  # "sk" 1 costs 4 more
            item["sk"] = {"N": str(sk)}
            self.put(item, table="capq")
        query = dict(TableName="capq", KeyConditionExpression="pk = :p",
                     ExpressionAttributeValues={":p": {"S": "q"}})
        out = self.ddb.query(ReturnConsumedCapacity="TOTAL", **query)
        self.assertEqual(out["Count"], 3)
        self.assertEqual(out["ConsumedCapacity"], {"TableName": "capq", "CapacityUnits": 1.0})
        out = self.ddb.query(ReturnConsumedCapacity="TOTAL", ConsistentRead=True, **query)
        self.assertEqual(out["ConsumedCapacity"], {"TableName": "capq", "CapacityUnits": 2.0})
        filtered = dict(query, FilterExpression="attribute_exists(nothing)")
        out = self.ddb.query(ReturnConsumedCapacity="INDEXES", ConsistentRead=True, **filtered)
        self.assertEqual((out["Count"], out["ScannedCount"]), (0, 3))
        self.assertEqual(out["ConsumedCapacity"], {"TableName": "capq", "CapacityUnits": 2.0,
                                                   "Table": {"CapacityUnits": 2.0}})
        # Limit 1 reads one 2000-byte item: one 4 KB unit.
        out = self.ddb.query(ReturnConsumedCapacity="TOTAL", ConsistentRead=True, Limit=1,
                             **query)
        self.assertEqual(out["ConsumedCapacity"]["CapacityUnits"], 1.0)
        # A partition with nothing in it still costs the minimum read [guide: a read of an
        # item that does not exist consumes capacity; dynalite records 0.5 for small pages].
        out = self.ddb.query(TableName="capq", KeyConditionExpression="pk = :p",
                             ExpressionAttributeValues={":p": {"S": "empty"}},
                             ReturnConsumedCapacity="TOTAL")
        self.assertEqual(out["ConsumedCapacity"], {"TableName": "capq", "CapacityUnits": 0.5})
        out = self.ddb.scan(TableName="capq", ReturnConsumedCapacity="TOTAL", ConsistentRead=True,
                            FilterExpression="pk = :p",
                            ExpressionAttributeValues={":p": {"S": "nothing"}})
        self.assertEqual(out["ConsumedCapacity"], {"TableName": "capq", "CapacityUnits": 2.0})

    # --- Batches ---------------------------------------------------------------------------

    def test_batch_get_item_charges_each_key_and_answers_one_entry_per_table(self):
        # [dynalite] batchGetItem.js: a 4096-byte item, an 11-byte one and a missing key,
        # eventually consistent: 1.5; with a 4097-byte item: 2; consistent: 3 and 4.
        self.put(item_of_size("bg-4k", 4096))
        self.put(item_of_size("bg-4k1", 4097))
        self.put({"pk": {"S": "bg-small"}})
        for big, consistent, units in [("bg-4k", False, 1.5), ("bg-4k1", False, 2.0),
                                       ("bg-4k", True, 3.0), ("bg-4k1", True, 4.0)]:
            out = self.ddb.batch_get_item(
                RequestItems={
                    "cap": {"Keys": [{"pk": {"S": big}}, {"pk": {"S": "bg-small"}},
                                     {"pk": {"S": "bg-missing"}}],
                            "ConsistentRead": consistent},
                    "cap2": {"Keys": [{"k": {"N": "404"}}], "ConsistentRead": consistent}},
                ReturnConsumedCapacity="INDEXES")
            self.assertEqual(len(out["Responses"]["cap"]), 2)
            half = 1.0 if consistent else 0.5
            self.assertCountEqual(out["ConsumedCapacity"], [
                {"TableName": "cap", "CapacityUnits": units, "Table": {"CapacityUnits": units}},
                {"TableName": "cap2", "CapacityUnits": half, "Table": {"CapacityUnits": half}},
            ])

    def test_batch_write_item_charges_each_write_summed_per_table(self):
        # [dynalite] batchWriteItem.js: a 1025-byte put and a small put on one table, one put
        # on another: 3 and 1; deleting them: 3 and 1; deleting them again: 2 and 1.
        writes = {"cap": [{"PutRequest": {"Item": item_of_size("bw-1", 1025)}},
                          {"PutRequest": {"Item": {"pk": {"S": "bw-2"}}}}],
                  "cap2": [{"PutRequest": {"Item": {"k": {"N": "7"}}}}]}
        deletes = {"cap": [{"DeleteRequest": {"Key": {"pk": {"S": "bw-1"}}}},
                           {"DeleteRequest": {"Key": {"pk": {"S": "bw-2"}}}}],
                   "cap2": [{"DeleteRequest": {"Key": {"k": {"N": "7"}}}}]}
        for request, units in [(writes, 3.0), (deletes, 3.0), (deletes, 2.0)]:
            out = self.ddb.batch_write_item(RequestItems=request, ReturnConsumedCapacity="TOTAL")
            self.assertCountEqual(out["ConsumedCapacity"], [
                {"TableName": "cap", "CapacityUnits": units},
                {"TableName": "cap2", "CapacityUnits": 1.0}])
        out = self.ddb.batch_write_item(RequestItems=writes)
        self.assertNotIn("ConsumedCapacity", out)

    # --- Transactions ----------------------------------------------------------------------

    def test_transact_write_items_doubles_and_reports_write_units(self):
        # [conformance] two sub-1 KB puts: 4 units, WriteCapacityUnits beside CapacityUnits;
        # a ConditionCheck: 2 write units on the item it read.
        out = self.ddb.transact_write_items(
            TransactItems=[{"Put": {"TableName": "cap", "Item": {"pk": {"S": "tx-1"}}}},
                           {"Put": {"TableName": "cap", "Item": item_of_size("tx-2", 1500)}},
                           {"Put": {"TableName": "cap2", "Item": {"k": {"N": "1"}}}}],
            ReturnConsumedCapacity="TOTAL")
        self.assertEqual(out["ConsumedCapacity"], [
            {"TableName": "cap", "CapacityUnits": 6.0, "WriteCapacityUnits": 6.0},
            {"TableName": "cap2", "CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}])
        out = self.ddb.transact_write_items(
            TransactItems=[{"ConditionCheck": {"TableName": "cap", "Key": {"pk": {"S": "tx-2"}},
                                               "ConditionExpression": "attribute_exists(pk)"}},
                           {"Delete": {"TableName": "cap2", "Key": {"k": {"N": "1"}}}}],
            ReturnConsumedCapacity="INDEXES")
        self.assertEqual(out["ConsumedCapacity"], [
            {"TableName": "cap", "CapacityUnits": 4.0, "WriteCapacityUnits": 4.0,
             "Table": {"CapacityUnits": 4.0, "WriteCapacityUnits": 4.0}},
            {"TableName": "cap2", "CapacityUnits": 2.0, "WriteCapacityUnits": 2.0,
             "Table": {"CapacityUnits": 2.0, "WriteCapacityUnits": 2.0}}])
        # [conformance] a cancelled transaction answers no ConsumedCapacity.
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.ddb.transact_write_items(
                TransactItems=[{"ConditionCheck": {"TableName": "cap",
                                                   "Key": {"pk": {"S": "tx-none"}},
                                                   "ConditionExpression": "attribute_exists(pk)"}}],
                ReturnConsumedCapacity="TOTAL")
        self.assertNotIn("ConsumedCapacity", ctx.exception.response)

    def test_transact_get_items_doubles_and_charges_a_miss(self):
        # [conformance] TransactGetItems: 2 read units per item up to 4 KB, a missing one too.
        self.put(item_of_size("tg-5k", 5000))
        out = self.ddb.transact_get_items(
            TransactItems=[{"Get": {"TableName": "cap", "Key": {"pk": {"S": "tg-5k"}}}},
                           {"Get": {"TableName": "cap", "Key": {"pk": {"S": "tg-none"}}}}],
            ReturnConsumedCapacity="INDEXES")
        self.assertEqual(out["ConsumedCapacity"], [
            {"TableName": "cap", "CapacityUnits": 6.0, "ReadCapacityUnits": 6.0,
             "Table": {"CapacityUnits": 6.0, "ReadCapacityUnits": 6.0}}])

    # --- Secondary indexes -----------------------------------------------------------------

    def test_index_writes_are_charged_to_each_index_by_its_entry(self):
        def put(item, mode="INDEXES"):
            return self.put(item, table="capidx", mode=mode)

        key = {"pk": {"S": "ix"}, "sk": {"N": "1"}}
        # [guide] a new item that defines an index key: one write to each index it enters.
        # The entries here are under 1 KB (KEYS_ONLY: pk, sk, g; INCLUDE x: pk, sk, l, x).
        out = put(dict(key, g={"S": "g1"}, l={"S": "l1"}, x={"S": "x"}, y={"S": "y" * 1500}))
        self.assertEqual(out, {"TableName": "capidx", "CapacityUnits": 4.0,
                               "Table": {"CapacityUnits": 2.0},
                               "GlobalSecondaryIndexes": {"by_g": {"CapacityUnits": 1.0}},
                               "LocalSecondaryIndexes": {"by_l": {"CapacityUnits": 1.0}}})
        # TOTAL folds the indexes into CapacityUnits.
        out = self.ddb.update_item(TableName="capidx", Key=key, UpdateExpression="SET g = :g",
                                   ExpressionAttributeValues={":g": {"S": "g2"}},
                                   ReturnConsumedCapacity="TOTAL")
        # [guide] an index key change is a delete plus a put in that index: 2.
        self.assertEqual(out["ConsumedCapacity"], {"TableName": "capidx", "CapacityUnits": 4.0})
        # An attribute no index projects: the table alone.
        out = self.ddb.update_item(TableName="capidx", Key=key, UpdateExpression="SET y = :y",
                                   ExpressionAttributeValues={":y": {"S": "short"}},
                                   ReturnConsumedCapacity="INDEXES")
        self.assertEqual(out["ConsumedCapacity"], {"TableName": "capidx", "CapacityUnits": 2.0,
                                                   "Table": {"CapacityUnits": 2.0}})
        # A projected attribute changes in place: one write to the LSI that projects it.
        out = self.ddb.update_item(TableName="capidx", Key=key, UpdateExpression="SET x = :x",
                                   ExpressionAttributeValues={":x": {"S": "x2"}},
                                   ReturnConsumedCapacity="INDEXES")
        self.assertEqual(out["ConsumedCapacity"],
                         {"TableName": "capidx", "CapacityUnits": 2.0,
                          "Table": {"CapacityUnits": 1.0},
                          "LocalSecondaryIndexes": {"by_l": {"CapacityUnits": 1.0}}})
        # [conformance/dynoxide #188] in a transaction only the table's share doubles.
        out = self.ddb.transact_write_items(
            TransactItems=[{"Put": {"TableName": "capidx",
                                    "Item": {"pk": {"S": "ix"}, "sk": {"N": "2"},
                                             "g": {"S": "g1"}}}}],
            ReturnConsumedCapacity="INDEXES")
        self.assertEqual(out["ConsumedCapacity"], [
            {"TableName": "capidx", "CapacityUnits": 3.0, "WriteCapacityUnits": 3.0,
             "Table": {"CapacityUnits": 2.0, "WriteCapacityUnits": 2.0},
             "GlobalSecondaryIndexes": {"by_g": {"CapacityUnits": 1.0,
                                                 "WriteCapacityUnits": 1.0}}}])
        # Deleting the item deletes its entries: one write to each index it was in.
        out = self.ddb.delete_item(TableName="capidx", Key=key, ReturnConsumedCapacity="INDEXES")
        self.assertEqual(out["ConsumedCapacity"],
                         {"TableName": "capidx", "CapacityUnits": 3.0,
                          "Table": {"CapacityUnits": 1.0},
                          "GlobalSecondaryIndexes": {"by_g": {"CapacityUnits": 1.0}},
                          "LocalSecondaryIndexes": {"by_l": {"CapacityUnits": 1.0}}})

    def test_index_reads_are_charged_to_the_index(self):
        # [dynalite] query.js: a query on an index answers Table 0 and the index's share;
        # a local index that fetches attributes it does not project charges the table for
        # each fetched item (three 4 KB items: Table 3, the index's 33 bytes of entries 1).
        for sk in (1, 2, 3):
            self.put({"pk": {"S": "ir"}, "sk": {"N": str(sk)}, "g": {"S": "ir"},
                      "l": {"S": f"l{sk}"}, "y": {"S": "y" * 4000}}, table="capidx")
        out = self.ddb.query(TableName="capidx", IndexName="by_g",
                             KeyConditionExpression="g = :g",
                             ExpressionAttributeValues={":g": {"S": "ir"}},
                             ReturnConsumedCapacity="INDEXES")
        self.assertEqual(out["Count"], 3)
        self.assertEqual(out["ConsumedCapacity"],
                         {"TableName": "capidx", "CapacityUnits": 0.5,
                          "Table": {"CapacityUnits": 0.0},
                          "GlobalSecondaryIndexes": {"by_g": {"CapacityUnits": 0.5}}})
        out = self.ddb.query(TableName="capidx", IndexName="by_l", ConsistentRead=True,
                             KeyConditionExpression="pk = :p",
                             ExpressionAttributeValues={":p": {"S": "ir"}},
                             Select="ALL_ATTRIBUTES", ReturnConsumedCapacity="INDEXES")
        self.assertEqual(out["Count"], 3)
        self.assertEqual(out["ConsumedCapacity"],
                         {"TableName": "capidx", "CapacityUnits": 4.0,
                          "Table": {"CapacityUnits": 3.0},
                          "LocalSecondaryIndexes": {"by_l": {"CapacityUnits": 1.0}}})
        out = self.ddb.scan(TableName="capidx", IndexName="by_g", ReturnConsumedCapacity="TOTAL")
        self.assertEqual(out["ConsumedCapacity"], {"TableName": "capidx", "CapacityUnits": 0.5})

    # --- PartiQL -----------------------------------------------------------------------------

    def test_partiql_is_charged_as_the_operation_it_runs(self):
        out = self.ddb.execute_statement(Statement="INSERT INTO cap VALUE {'pk': 'pq-1'}",
                                         ReturnConsumedCapacity="TOTAL")
        self.assertEqual(out["ConsumedCapacity"], {"TableName": "cap", "CapacityUnits": 1.0})
        self.put(item_of_size("pq-5k", 5000))
        out = self.ddb.execute_statement(Statement="SELECT * FROM cap WHERE pk = 'pq-5k'",
                                         ConsistentRead=True, ReturnConsumedCapacity="TOTAL")
        self.assertEqual(out["ConsumedCapacity"], {"TableName": "cap", "CapacityUnits": 2.0})
        out = self.ddb.execute_transaction(
            TransactStatements=[{"Statement": "UPDATE cap SET v = 1 WHERE pk = 'pq-1'"},
                                {"Statement": "DELETE FROM cap WHERE pk = 'pq-5k'"}],
            ReturnConsumedCapacity="TOTAL")
        # A transaction's writes double: 2 for the small update, 2 x 5 for the 5000-byte delete.
        self.assertEqual(out["ConsumedCapacity"],
                         [{"TableName": "cap", "CapacityUnits": 12.0,
                           "WriteCapacityUnits": 12.0}])
        out = self.ddb.execute_transaction(
            TransactStatements=[{"Statement": "SELECT * FROM cap WHERE pk = 'pq-1'"}],
            ReturnConsumedCapacity="TOTAL")
        self.assertEqual(out["ConsumedCapacity"],
                         [{"TableName": "cap", "CapacityUnits": 2.0, "ReadCapacityUnits": 2.0}])
        # Each statement of a batch is charged as its own GetItem, summed per table (AWS does
        # not document the batch's total; this follows BatchGetItem's rule).
        out = self.ddb.batch_execute_statement(
            Statements=[{"Statement": "SELECT * FROM cap WHERE pk = 'pq-1'"},
                        {"Statement": "SELECT * FROM cap WHERE pk = 'pq-none'",
                         "ConsistentRead": True}],
            ReturnConsumedCapacity="TOTAL")
        self.assertEqual(out["ConsumedCapacity"], [{"TableName": "cap", "CapacityUnits": 1.5}])


if __name__ == "__main__":
    unittest.main()
