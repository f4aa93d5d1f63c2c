"""Bad input never crashes the server: requests built from the botocore shapes of every
DynamoDB, DynamoDB Streams and Lambda operation, with members dropped, mistyped, empty,
oversized or out of range (fixed seed, so a failure reproduces), must each get an answer
below 500, and the server must keep serving."""
import gzip
import io
import json
import os
import random
import unittest
import zipfile

import botocore

from harness import ServerTestCase

ODD_VALUES = [None, True, False, 0, -1, 1e308, "", "x", "#a", ":v", [], {}, [1], {"S": "x"},
              {"N": "1e999"}, {"B": "!!"}, {"SS": []}, {"M": {"a": {"L": [{"NULL": True}]}}},
              "a" * 70000, {"": {"S": "1"}}, {"pk": {"S": ""}}, {"pk": {"N": "abc"}}, [{}],
              "SET a = :v", "a.b[1] = :v", ") (", 2**63, -2**63]
ODD_STRINGS = ["tbl", "pk", "", "x" * 300, "SET #a = :v", "#a = :v", "attribute_exists(#a)",
               "arn:aws:dynamodb:us-east-1:000000000000:table/tbl/stream/2020-01-01T00:00:00.000"]


def service_model(service):
    root = os.path.join(os.path.dirname(botocore.__file__), "data", service)
    path = os.path.join(root, sorted(os.listdir(root))[-1], "service-2.json")
    if os.path.exists(path + ".gz"):
        with gzip.open(path + ".gz") as f:
            return json.load(f)
    with open(path) as f:
        return json.load(f)


def ModelledServerError(model, operation, headers):
    """The error type of a 5xx answer when the operation's model declares that error with a
    5xx status (a documented answer, e.g. Invoke's InvalidRuntimeException 502), else None."""
    kind = {k.lower(): v for k, v in headers.items()}.get("x-amzn-errortype", "").split(":")[0]
    for error in model["operations"][operation].get("errors", []):
        if error["shape"] == kind:
            return kind if model["shapes"][kind].get("error", {}).get("httpStatusCode", 0) >= 500 else None
    return None


class Mutator:
    def __init__(self, shapes, rng):
        self.shapes, self.rng = shapes, rng

    def odd(self, depth=0):
        if depth < 2 and self.rng.random() < 0.2:
            key = self.rng.choice(["pk", "S", "N", "L", "M", "TableName", "Key", "#n"])
            return {key: self.odd(depth + 1)}
        return self.rng.choice(ODD_VALUES)

    def value(self, shape_name, depth=0):
        shape = self.shapes[shape_name]
        if self.rng.random() < 0.15 or depth > 3:
            return self.odd()
        kind = shape["type"]
        if kind == "structure":
            return {m: self.value(ref["shape"], depth + 1)
                    for m, ref in shape.get("members", {}).items() if self.rng.random() < 0.5}
        if kind == "list":
            return [self.value(shape["member"]["shape"], depth + 1)
                    for _ in range(self.rng.randint(0, 3))]
        if kind == "map":
            return {self.rng.choice(["pk", "a", ""]): self.value(shape["value"]["shape"], depth + 1)
                    for _ in range(self.rng.randint(0, 2))}
        if kind == "string":
            if "enum" in shape and self.rng.random() < 0.7:
                return self.rng.choice(shape["enum"])
            return self.rng.choice(ODD_STRINGS)
        if kind in ("integer", "long"):
            return self.rng.choice([0, 1, -1, 10, 100000, 2**40])
        if kind == "boolean":
            return self.rng.choice([True, False])
        if kind == "blob":
            return self.rng.choice(["AA==", "!!", ""])
        return self.odd()


class FuzzTest(ServerTestCase):
    in_memory = True
    REQUESTS = 1200

    def assertServes(self, counts, label):
        self.assertFalse([s for s in counts if isinstance(s, int) and s >= 500],
                         f"{label}: {counts}")
        print(label, counts)
        self.assertEqual(self.server.http("GET", "/health")[0], 200)

    def test_dynamodb_and_streams_operations(self):
        self.server.client("dynamodb").create_table(
            TableName="tbl",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                       {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                  {"AttributeName": "sk", "AttributeType": "N"}],
            BillingMode="PAY_PER_REQUEST",
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        rng = random.Random(20261201)
        for service, prefix in (("dynamodb", "DynamoDB_20120810"),
                                ("dynamodbstreams", "DynamoDBStreams_20120810")):
            model = service_model(service)
            mutator = Mutator(model["shapes"], rng)
            operations = sorted(model["operations"].items())
            counts = {}
            for _ in range(self.REQUESTS):
                name, op = rng.choice(operations)
                body = mutator.value(op["input"]["shape"]) if "input" in op else {}
                if isinstance(body, dict) and rng.random() < 0.7:
                    body["TableName"] = "tbl"
                status, _, _ = self.server.http(
                    "POST", "/", body=json.dumps(body).encode(),
                    headers={"X-Amz-Target": f"{prefix}.{name}",
                             "Content-Type": "application/x-amz-json-1.0"})
                counts[status] = counts.get(status, 0) + 1
            self.assertServes(counts, service)

    def test_lambda_operations(self):
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as z:
            z.writestr("app.py", "def handler(e, c):\n    return e\n")
        self.server.client("lambda").create_function(
            FunctionName="fuzz-fn", Runtime="python3.12", Handler="app.handler",
            Role="arn:aws:iam::000000000000:role/any", Code={"ZipFile": archive.getvalue()})
        routes = {"CreateEventSourceMapping": ("POST", "/2015-03-31/event-source-mappings/"),
                  "UpdateEventSourceMapping": ("PUT", "/2015-03-31/event-source-mappings/x"),
                  "CreateFunction": ("POST", "/2015-03-31/functions"),
                  "UpdateFunctionConfiguration":
                      ("PUT", "/2015-03-31/functions/fuzz-fn/configuration"),
                  "Invoke": ("POST", "/2015-03-31/functions/fuzz-fn/invocations")}
        model = service_model("lambda")
        rng = random.Random(1201)
        mutator = Mutator(model["shapes"], rng)
        counts = {}
        for _ in range(self.REQUESTS // 2):
            name = rng.choice(sorted(routes))
            method, path = routes[name]
            body = mutator.value(model["operations"][name]["input"]["shape"])
            status, headers, _ = self.server.http(method, path, body=json.dumps(body).encode(),
                                                  headers={"Content-Type": "application/json"})
            declared = ModelledServerError(model, name, headers) if status >= 500 else None
            if declared:
                # e.g. Invoke's InvalidRuntimeException (502) for a runtime the fuzzer set
                # that cannot run here: an answer the operation's model declares, not a crash.
                status = f"{status} {declared}"
            counts[status] = counts.get(status, 0) + 1
        self.assertServes(counts, "lambda")


if __name__ == "__main__":
    unittest.main()
