"""DynamoDB's request validation answered as AWS answers it, class by class, table-driven:
wrong JSON types (SerializationException, before anything else), every constraint of the
model reported together, the order of request checks before table checks, key size limits,
and the HTTP envelope (classes 1, 2, 4, 5 and 6 of issue 14). Requests a client would refuse to send go out raw; the rest through
boto3 without client-side validation, the aws CLI and the JS SDK.

Sources of AWS's wording, named per class below:
- dynalite (github mhart/dynalite, test/*.js): assertions recorded against real DynamoDB
  (assertType / assertSerialization / assertValidation / connection.js). dynalite compares
  multi-clause messages as a set, so AWS's order of clauses is not recorded there; ours is
  the model's member order, own constraints before a member's children.
- risingwave issue 17572 (a real DynamoDB answer): "Map value must satisfy constraint:
  [Member must have length less than or equal to 25, Member must have length greater than or
  equal to 1]" and Java's toString rendering of structures in a violation.
- ScyllaDB's alternator tests (test/alternator): DynamoDB still applies the table-name
  pattern to item operations.
"""
import json
import unittest

import botocore.exceptions

from harness import ServerTestCase, create_table

SERIALIZATION = "com.amazon.coral.service#SerializationException"
VALIDATION = "com.amazon.coral.validate#ValidationException"
TABLE_PATTERN = "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+"


class RawClient:
    """Posts a JSON body as a DynamoDB operation, bypassing every client-side check."""

    def __init__(self, server):
        self.server = server

    def post(self, operation, body, content_type="application/x-amz-json-1.0", target=True):
        headers = {"Content-Type": content_type}
        if target:
            headers["X-Amz-Target"] = f"DynamoDB_20120810.{operation}"
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        status, headers, payload = self.server.http("POST", "/", data, headers)
        return status, payload


class ValidationCase(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.raw = RawClient(cls.server)
        ddb = cls.server.client("dynamodb")
        create_table(ddb, "hash-table", hash_key=("a", "S"))
        create_table(ddb, "range-table", hash_key=("a", "S"), range_key=("b", "S"))

    def assertAnswer(self, operation, body, type_, message, member="message"):
        status, payload = self.raw.post(operation, body)
        answer = json.loads(payload)
        expected = {"__type": type_}
        if message is not None:
            expected[member] = message
        self.assertEqual((status, answer), (400, expected), (operation, body))

    def assertSerialization(self, operation, body, message):
        self.assertAnswer(operation, body, SERIALIZATION, message, member="Message")

    def assertValidation(self, operation, body, message):
        self.assertAnswer(operation, body, VALIDATION, message)


class WrongTypesTest(ValidationCase):
    """Class 1. Source: dynalite test/helpers.js assertType (its message per expected Java type
    and JSON token) and test/<operation>.js "serializations" (which members are which type)."""

    def test_scalars(self):
        cases = [
            ("GetItem", {"TableName": True}, "TRUE_VALUE cannot be converted to String"),
            ("GetItem", {"TableName": False}, "FALSE_VALUE cannot be converted to String"),
            ("DescribeTable", {"TableName": 23}, "NUMBER_VALUE cannot be converted to String"),
            ("DeleteTable", {"TableName": 34.56}, "DECIMAL_VALUE cannot be converted to String"),
            ("PutItem", {"TableName": []}, "Unrecognized collection type class java.lang.String"),
            ("Query", {"TableName": {}}, "Start of structure or map found where not expected"),
            ("GetItem", {"ConsistentRead": 23}, "NUMBER_VALUE cannot be converted to Boolean"),
            ("GetItem", {"ConsistentRead": 3.5}, "DECIMAL_VALUE cannot be converted to Boolean"),
            ("GetItem", {"ConsistentRead": "23"}, "Unexpected token received from parser"),
            ("Scan", {"ConsistentRead": []}, "Unrecognized collection type class java.lang.Boolean"),
            ("ListTables", {"Limit": "23"}, "STRING_VALUE cannot be converted to Integer"),
            ("ListTables", {"Limit": True}, "TRUE_VALUE cannot be converted to Integer"),
            ("Scan", {"Segment": []}, "Unrecognized collection type class java.lang.Integer"),
            ("CreateTable", {"ProvisionedThroughput": {"ReadCapacityUnits": "1"}},
             "STRING_VALUE cannot be converted to Long"),
        ]
        for operation, body, message in cases:
            with self.subTest(operation=operation, body=body):
                self.assertSerialization(operation, body, message)

    def test_structures_lists_and_maps(self):
        cases = [
            ("Query", {"ExclusiveStartKey": True}, "Unexpected field type"),
            ("GetItem", {"Key": "a"}, "Unexpected field type"),
            ("GetItem", {"Key": []}, "Unrecognized collection type java.util.Map<java.lang.String, "
             "com.amazonaws.dynamodb.v20120810.AttributeValue>"),
            ("GetItem", {"Key": {"a": True}}, "Unexpected value type in payload"),
            ("GetItem", {"Key": {"a": []}},
             "Unrecognized collection type class com.amazonaws.dynamodb.v20120810.AttributeValue"),
            ("GetItem", {"Key": {"a": {"S": True}}}, "TRUE_VALUE cannot be converted to String"),
            ("GetItem", {"Key": {"a": {"SS": "x"}}}, "Unexpected field type"),
            ("GetItem", {"Key": {"a": {"L": [True]}}}, "Unexpected value type in payload"),
            ("GetItem", {"Key": {"a": {"M": {"b": {"BS": [23]}}}}},
             "only base-64-encoded strings are convertible to bytes"),
            ("GetItem", {"Key": {"a": {"B": "23456"}}},
             "Base64 encoded length is expected a multiple of 4 bytes but found: 5"),
            ("GetItem", {"Key": {"a": {"B": "=+/="}}},
             "Invalid last non-pad Base64 character dectected"),
            ("GetItem", {"AttributesToGet": {}}, "Start of structure or map found where not expected"),
            ("GetItem", {"ExpressionAttributeNames": []}, "Unrecognized collection type "
             "java.util.Map<java.lang.String, java.lang.String>"),
            ("GetItem", {"ExpressionAttributeNames": {"#a": 1}},
             "NUMBER_VALUE cannot be converted to String"),
            ("CreateTable", {"ProvisionedThroughput": True}, "Unexpected field type"),
            ("CreateTable", {"KeySchema": [True]}, "Unexpected value type in payload"),
            ("CreateTable", {"KeySchema": [[]]}, "Unrecognized collection type class "
             "com.amazonaws.dynamodb.v20120810.KeySchemaElement"),
            ("BatchGetItem", {"RequestItems": {"abc": {"Keys": [True]}}},
             "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast "
             "to class java.lang.Class (sun.reflect.generics.reflectiveObjects."
             "ParameterizedTypeImpl and java.lang.Class are in module java.base of loader "
             "'bootstrap')"),
            ("BatchWriteItem", {"RequestItems": {"abc": True}},
             "class sun.reflect.generics.reflectiveObjects.ParameterizedTypeImpl cannot be cast "
             "to class java.lang.Class (sun.reflect.generics.reflectiveObjects."
             "ParameterizedTypeImpl and java.lang.Class are in module java.base of loader "
             "'bootstrap')"),
            ("BatchWriteItem", {"RequestItems": []}, "Unrecognized collection type java.util.Map"
             "<java.lang.String, java.util.List<com.amazonaws.dynamodb.v20120810.WriteRequest>>"),
            ("BatchWriteItem", {"RequestItems": {"abc": [{"PutRequest": True}]}},
             "Unexpected field type"),
        ]
        for operation, body, message in cases:
            with self.subTest(operation=operation, body=body):
                self.assertSerialization(operation, body, message)

    def test_types_before_every_other_check(self):
        # A missing required member, a bad enum and a missing table do not matter: the type
        # error is the answer.
        self.assertSerialization("GetItem", {"ReturnConsumedCapacity": "hi", "ConsistentRead": 5},
                                 "NUMBER_VALUE cannot be converted to Boolean")
        self.assertSerialization("DeleteItem", {"TableName": "no-such-table", "Key": {},
                                                "ReturnValues": True},
                                 "TRUE_VALUE cannot be converted to String")

    def test_nulls_and_unknown_members_are_ignored(self):
        # dynalite: AWS's parser reads null as absent and ignores members it does not know.
        self.assertValidation("DescribeTable", {"TableName": None, "Whatever": True},
                              "1 validation error detected: Value null at 'tableName' failed to "
                              "satisfy constraint: Member must not be null")
        status, payload = self.raw.post("DescribeTable", {"TableName": "hash-table", "X": [1]})
        self.assertEqual(status, 200, payload)


class ConstraintsTest(ValidationCase):
    """Class 2. Source: dynalite test/getItem.js, createTable.js, batchGetItem.js,
    batchWriteItem.js, query.js, scan.js "validations" (each clause's text, member paths
    and value rendering); risingwave issue 17572 for "Map value must satisfy constraint" and
    the rendering of structures. The order of several clauses is ours (see the module doc)."""

    def test_one_clause_per_operation(self):
        name = "a" * 256
        cases = [
            ("DescribeTable", {"TableName": "ab"},
             "Value 'ab' at 'tableName' failed to satisfy constraint: Member must have length "
             "greater than or equal to 3"),
            ("DeleteTable", {"TableName": "a;b"},
             f"Value 'a;b' at 'tableName' failed to satisfy constraint: {TABLE_PATTERN}"),
            ("DescribeTimeToLive", {"TableName": name},
             f"Value '{name}' at 'tableName' failed to satisfy constraint: Member must have "
             "length less than or equal to 255"),
            ("ListTables", {"Limit": 0},
             "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater "
             "than or equal to 1"),
            ("ListTables", {"Limit": 101},
             "Value '101' at 'limit' failed to satisfy constraint: Member must have value less "
             "than or equal to 100"),
            ("Scan", {"TableName": "abc", "Segment": 1000000},
             "Value '1000000' at 'segment' failed to satisfy constraint: Member must have value "
             "less than or equal to 999999"),
            ("Query", {"TableName": "abc", "IndexName": "ix"},
             "Value 'ix' at 'indexName' failed to satisfy constraint: Member must have length "
             "greater than or equal to 3"),
            ("Query", {"TableName": "abc", "Select": "ALL"},
             "Value 'ALL' at 'select' failed to satisfy constraint: Member must satisfy enum "
             "value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]"),
            ("BatchGetItem", {"RequestItems": {}},
             "Value '{}' at 'requestItems' failed to satisfy constraint: Member must have length "
             "greater than or equal to 1"),
            ("BatchGetItem", {"RequestItems": {"abc": {"Keys": []}}},
             "Value '[]' at 'requestItems.abc.member.keys' failed to satisfy constraint: Member "
             "must have length greater than or equal to 1"),
            ("CreateTable", {"TableName": "abc", "AttributeDefinitions": [{"AttributeName": "b",
                                                                          "AttributeType": "SS"}],
                             "KeySchema": [{"AttributeName": "a", "KeyType": "HASH"}]},
             "Value 'SS' at 'attributeDefinitions.1.member.attributeType' failed to satisfy "
             "constraint: Member must satisfy enum value set: [B, N, S]"),
            ("ExecuteStatement", {"Statement": "SELECT * FROM abc", "Parameters": []},
             "Value '[]' at 'parameters' failed to satisfy constraint: Member must have length "
             "greater than or equal to 1"),
        ]
        for operation, body, clause in cases:
            with self.subTest(operation=operation, body=body):
                self.assertValidation(operation, body, "1 validation error detected: " + clause)

    def test_all_violations_together(self):
        # dynalite getItem.js "incorrect attributes" and "empty TableName": every clause, one
        # answer; a string's pattern before its length.
        self.assertValidation(
            "GetItem", {"TableName": "abc;", "ReturnConsumedCapacity": "hi", "AttributesToGet": []},
            "4 validation errors detected: "
            f"Value 'abc;' at 'tableName' failed to satisfy constraint: {TABLE_PATTERN}; "
            "Value null at 'key' failed to satisfy constraint: Member must not be null; "
            "Value '[]' at 'attributesToGet' failed to satisfy constraint: Member must have "
            "length greater than or equal to 1; "
            "Value 'hi' at 'returnConsumedCapacity' failed to satisfy constraint: Member must "
            "satisfy enum value set: [INDEXES, TOTAL, NONE]")
        self.assertValidation(
            "GetItem", {"TableName": ""},
            "3 validation errors detected: "
            f"Value '' at 'tableName' failed to satisfy constraint: {TABLE_PATTERN}; "
            "Value '' at 'tableName' failed to satisfy constraint: Member must have length "
            "greater than or equal to 3; "
            "Value null at 'key' failed to satisfy constraint: Member must not be null")

    def test_list_positions_and_rendering(self):
        # dynalite createTable.js "key element names" and "bad LocalSecondaryIndex names". The
        # newest model no longer caps KeySchema at two elements (multi-attribute GSI keys), so
        # dynalite's older "length less than or equal to 2" clause is not expected.
        self.assertValidation(
            "CreateTable",
            {"TableName": "abc", "AttributeDefinitions": [],
             "KeySchema": [{"KeyType": "HASH"}, {"AttributeName": "a"},
                           {"KeyType": "Woop", "AttributeName": "a"}],
             "LocalSecondaryIndexes": [{"IndexName": "h;", "KeySchema": [], "Projection": {}}]},
            "6 validation errors detected: "
            "Value null at 'keySchema.1.member.attributeName' failed to satisfy constraint: "
            "Member must not be null; "
            "Value null at 'keySchema.2.member.keyType' failed to satisfy constraint: Member "
            "must not be null; "
            "Value 'Woop' at 'keySchema.3.member.keyType' failed to satisfy constraint: Member "
            "must satisfy enum value set: [HASH, RANGE]; "
            "Value 'h;' at 'localSecondaryIndexes.1.member.indexName' failed to satisfy "
            f"constraint: {TABLE_PATTERN}; "
            "Value 'h;' at 'localSecondaryIndexes.1.member.indexName' failed to satisfy "
            "constraint: Member must have length greater than or equal to 3; "
            "Value '[]' at 'localSecondaryIndexes.1.member.keySchema' failed to satisfy "
            "constraint: Member must have length greater than or equal to 1")
        self.assertValidation(
            "UpdateTable",
            {"TableName": "abc", "GlobalSecondaryIndexUpdates": [
                {"Create": {"IndexName": "abc", "KeySchema": [
                    {"AttributeName": "a", "KeyType": "HASH"},
                    {"AttributeName": "b", "KeyType": "SORT"}], "Projection": {}}}]},
            "1 validation error detected: Value 'SORT' at "
            "'globalSecondaryIndexUpdates.1.member.create.keySchema.2.member.keyType' failed to "
            "satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]")

    def test_map_keys_and_values(self):
        # dynalite batchGetItem.js "short table name with keys"; risingwave 17572 for values.
        self.assertValidation(
            "BatchGetItem", {"RequestItems": {"a": {"Keys": [{"a": {"S": "a"}}]}}},
            "1 validation error detected: Value '{a=KeysAndAttributes(keys=[{a="
            "com.amazonaws.dynamodb.v20120810.AttributeValue@" + self.opaque_hash(
                {"S": "a"}) + "}], attributesToGet=null, consistentRead=null, "
            "projectionExpression=null, expressionAttributeNames=null)}' at 'requestItems' "
            "failed to satisfy constraint: Map keys must satisfy constraint: [Member must have "
            "length less than or equal to 255, Member must have length greater than or equal to "
            f"3, {TABLE_PATTERN}]")
        status, payload = self.raw.post("BatchWriteItem", {"RequestItems": {"abc": []}})
        answer = json.loads(payload)
        self.assertEqual((status, answer["__type"]), (400, VALIDATION))
        self.assertEqual(answer["message"],
                         "1 validation error detected: Value '{abc=[]}' at 'requestItems' failed "
                         "to satisfy constraint: Map value must satisfy constraint: [Member must "
                         "have length less than or equal to 25, Member must have length greater "
                         "than or equal to 1]")

    def opaque_hash(self, value):
        # AWS renders an AttributeValue with Java's identity hash, which no one can reproduce;
        # read ours back from a one-clause answer rather than assert it.
        status, payload = self.raw.post(
            "BatchGetItem", {"RequestItems": {"a": {"Keys": [{"a": value}]}}})
        message = json.loads(payload)["message"]
        return message.split("AttributeValue@", 1)[1].split("}", 1)[0]

    def test_at_most_ten_clauses(self):
        # dynalite createTable.js "more than five empty LocalSecondaryIndexes": ten clauses.
        status, payload = self.raw.post("CreateTable", {
            "TableName": "abc", "AttributeDefinitions": [], "KeySchema": [],
            "LocalSecondaryIndexes": [{} for _ in range(9)]})
        message = json.loads(payload)["message"]
        self.assertTrue(message.startswith("10 validation errors detected: "), message)
        self.assertEqual(message.count("; "), 9)

    def test_boto3_without_client_validation(self):
        raw = self.server.client("dynamodb", parameter_validation=False)
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            raw.scan(TableName="abc", Limit=0, Select="NOPE", TotalSegments=0)
        err = ctx.exception.response["Error"]
        self.assertEqual(err["Code"], "ValidationException")
        self.assertEqual(
            err["Message"],
            "3 validation errors detected: "
            "Value '0' at 'limit' failed to satisfy constraint: Member must have value greater "
            "than or equal to 1; "
            "Value 'NOPE' at 'select' failed to satisfy constraint: Member must satisfy enum "
            "value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]; "
            "Value '0' at 'totalSegments' failed to satisfy constraint: Member must have value "
            "greater than or equal to 1")

    def test_aws_cli(self):
        code, _, stderr = self.server.aws("dynamodb", "describe-table", "--table-name", "a;b",
                                          check=False)
        self.assertNotEqual(code, 0)
        # CLI v2 adds "(reached max retries: 0)" before the colon.
        self.assertIn("An error occurred (ValidationException) when calling the DescribeTable "
                      "operation", stderr)
        self.assertIn(": 1 validation error detected: Value 'a;b' at 'tableName' failed to "
                      f"satisfy constraint: {TABLE_PATTERN}\n", stderr)


class RequestBeforeTableTest(ValidationCase):
    """Class 4. Source: dynalite test/getItem.js and batchGetItem.js ("ExpressionAttributeNames
    but no ProjectionExpression": answered whatever the key or table) and the issue's examples
    (a wrong key, a missing table)."""

    def test_expression_parameters_before_the_key_and_the_table(self):
        names_only = "ExpressionAttributeNames can only be specified when using expressions"
        cases = [
            ("GetItem", {"TableName": "hash-table", "Key": {"zz": {"S": "x"}},
                         "ExpressionAttributeNames": {"#a": "a"}}, names_only),
            ("GetItem", {"TableName": "no-such-table", "Key": {"a": {"S": "x"}},
                         "ExpressionAttributeNames": {"#a": "a"}}, names_only),
            ("BatchGetItem", {"RequestItems": {"no-such-table": {
                "Keys": [{"a": {"S": "x"}}], "ExpressionAttributeNames": {"#a": "a"}}}},
             names_only),
            ("Scan", {"TableName": "no-such-table", "ExpressionAttributeValues": {
                ":a": {"S": "x"}}},
             "ExpressionAttributeValues can only be specified when using expressions: "
             "FilterExpression is null"),
            ("DeleteItem", {"TableName": "no-such-table", "Key": {"a": {"S": "x"}},
                            "ExpressionAttributeNames": {"#a": "a"}}, names_only),
        ]
        for operation, body, message in cases:
            with self.subTest(operation=operation, body=body):
                self.assertValidation(operation, body, message)


class KeySizeTest(ValidationCase):
    """Class 5. Source: dynalite test/getItem.js, putItem.js, batchGetItem.js,
    batchWriteItem.js ("hash key is too big", "range key is too big"); sizes are UTF-8 bytes.
    AWS's text for an index key over the limit is not recorded anywhere we found: the table
    key's text is used for it too."""

    hash_limit = ("One or more parameter values were invalid: Size of hashkey has exceeded the "
                  "maximum size limit of2048 bytes")
    range_limit = ("One or more parameter values were invalid: Aggregated size of all range "
                   "keys has exceeded the size limit of 1024 bytes")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server.client("dynamodb").create_table(
                     TableName="indexed-table", BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "a", "KeyType": "HASH"}],
                     AttributeDefinitions=[{"AttributeName": "a", "AttributeType": "S"},
                                           {"AttributeName": "g", "AttributeType": "S"},
                                           {"AttributeName": "h", "AttributeType": "S"}],
                     GlobalSecondaryIndexes=[{
                         "IndexName": "by-g", "Projection": {"ProjectionType": "ALL"},
                         "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"},
                                       {"AttributeName": "h", "KeyType": "RANGE"}]}])

    def test_every_write_path_and_key_read(self):
        big_hash = "é" * 1024 + "a"   # 2049 UTF-8 bytes, 1025 characters
        big_range = "a" * 1025
        cases = [
            ("PutItem", {"TableName": "hash-table", "Item": {"a": {"S": big_hash}}},
             self.hash_limit),
            ("PutItem", {"TableName": "range-table", "Item": {"a": {"S": "a"},
                                                             "b": {"S": big_range}}},
             self.range_limit),
            ("GetItem", {"TableName": "hash-table", "Key": {"a": {"S": big_hash}}},
             self.hash_limit),
            ("UpdateItem", {"TableName": "range-table", "Key": {"a": {"S": "a"},
                                                               "b": {"S": big_range}}},
             self.range_limit),
            ("DeleteItem", {"TableName": "hash-table", "Key": {"a": {"S": big_hash}}},
             self.hash_limit),
            ("BatchWriteItem", {"RequestItems": {"hash-table": [
                {"PutRequest": {"Item": {"a": {"S": big_hash}}}}]}}, self.hash_limit),
            ("BatchGetItem", {"RequestItems": {"range-table": {"Keys": [
                {"a": {"S": "a"}, "b": {"S": big_range}}]}}}, self.range_limit),
            ("TransactWriteItems", {"TransactItems": [{"Put": {
                "TableName": "hash-table", "Item": {"a": {"S": big_hash}}}}]}, self.hash_limit),
            ("PutItem", {"TableName": "indexed-table", "Item": {
                "a": {"S": "a"}, "g": {"S": big_hash}, "h": {"S": "h"}}}, self.hash_limit),
            ("PutItem", {"TableName": "indexed-table", "Item": {
                "a": {"S": "a"}, "g": {"S": "g"}, "h": {"S": big_range}}}, self.range_limit),
        ]
        for operation, body, message in cases:
            with self.subTest(operation=operation, body=str(body)[:80]):
                self.assertValidation(operation, body, message)
        # At the limits exactly: accepted.
        status, payload = self.raw.post("PutItem", {"TableName": "range-table", "Item": {
            "a": {"S": "é" * 1024}, "b": {"S": "b" * 1024}}})
        self.assertEqual(status, 200, payload)


class EnvelopeTest(ValidationCase):
    """Class 6. Source: dynalite test/connection.js (recorded answers of DynamoDB's endpoint to
    requests that name no operation, carry no JSON, or use another method)."""

    def test_body_that_is_not_json(self):
        for content_type in ("application/x-amz-json-1.0", "application/json"):
            status, payload = self.raw.post("ListTables", b"hi", content_type=content_type)
            self.assertEqual((status, json.loads(payload)), (400, {"__type": SERIALIZATION}))

    def test_missing_or_unknown_target(self):
        unknown = {"__type": "com.amazon.coral.service#UnknownOperationException"}
        for content_type in ("application/x-amz-json-1.0", "application/json",
                             "application/json;charset=asfdsaf"):
            status, payload = self.raw.post("", b"{}", content_type=content_type, target=False)
            self.assertEqual((status, json.loads(payload)), (400, unknown), content_type)
        for target in ("whatever", "DynamoDB_20120810.ListTable"):
            status, _, payload = self.server.http("POST", "/", b"{}", {
                "X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.0"})
            self.assertEqual((status, json.loads(payload)), (400, unknown), target)

    def test_other_methods_and_bodies_are_404(self):
        for method, body, headers in [("PUT", None, {}), ("DELETE", None, {}),
                                      ("OPTIONS", None, {}),
                                      ("POST", b"hi", {"Content-Type": "whatever"}),
                                      ("POST", b"hi", {"Content-Type": "application/jsonasdf"}),
                                      ("POST", b"hi",
                                       {"Content-Type": "application/x-amz-json-1.1"})]:
            status, _, payload = self.server.http(method, "/", body, headers)
            self.assertEqual((status, payload), (404, b"<UnknownOperationException/>\n"),
                             (method, headers))


if __name__ == "__main__":
    unittest.main()
