"""The event source mapping API through boto3 and the aws CLI: AWS's response members,
defaults, states, every recorded validation answer of issue 6, list filters and paging,
tags, and restart persistence."""
import io
import tempfile
import time
import unittest
import zipfile

import botocore.exceptions

from harness import (ServerTestCase, StreamStack, botocore_has, botocore_output_members,
                     record_wire_bodies, requires_botocore)

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
ACCOUNT = "000000000000"
MISSING_STREAM = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders/stream/2019-06-10T19:26:16.525"
CREATE_MEMBERS = {
    "BatchSize", "BisectBatchOnFunctionError", "DestinationConfig", "EventSourceArn",
    "EventSourceMappingArn", "FunctionArn", "FunctionResponseTypes", "LastModified",
    "LastProcessingResult", "MaximumBatchingWindowInSeconds", "MaximumRecordAgeInSeconds",
    "MaximumRetryAttempts", "ParallelizationFactor", "StartingPosition", "State",
    "StateTransitionReason", "TumblingWindowInSeconds", "UUID"}


def make_zip():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", "def handler(e, c):\n    return e\n")
    return buf.getvalue()


def create_function(lam, name):
    lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE,
                        Handler="index.handler", Code={"ZipFile": make_zip()})


def create_stream(server, table):
    """A real stream-enabled table; returns its LatestStreamArn (mappings need an existing stream)."""
    ddb = server.client("dynamodb")
    return ddb.create_table(
        TableName=table, KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]["LatestStreamArn"]


def members(resp):
    return set(resp) - {"ResponseMetadata"}


def parsed(operation, wanted):
    """Of the members `wanted` on the wire, those the installed botocore parses (an older
    model drops e.g. EventSourceMappingArn; the wire body is checked for all of them)."""
    return wanted & botocore_output_members("lambda", operation)


class MappingsTest(ServerTestCase):
    in_memory = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lam = record_wire_bodies(cls.server.client("lambda"))
        cls.raw = cls.server.client("lambda", parameter_validation=False)
        for name in ("esm-fn", "esm-fn2", "esm-fn3", "esm-list-a", "esm-list-b"):
            create_function(cls.lam, name)

    streams = {}

    def fresh_stream(self, label):
        """The stream of table t-<label>, created on first use."""
        if label not in self.streams:
            self.streams[label] = create_stream(self.server, f"t-{label}")
        return self.streams[label]

    def assertError(self, ctx, code, message, status=400):
        err = ctx.exception.response
        self.assertEqual((err["Error"]["Code"], err["Error"]["Message"],
                          err["ResponseMetadata"]["HTTPStatusCode"]), (code, message, status))

    def test_create_answers_exact_members_and_defaults(self):
        stream = self.fresh_stream("create")
        resp = self.lam.create_event_source_mapping(FunctionName="esm-fn", EventSourceArn=stream,
                                                    StartingPosition="LATEST")
        wire = self.lam.wire_bodies["CreateEventSourceMapping"]
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 202)
        self.assertEqual(set(wire), CREATE_MEMBERS)
        self.assertEqual(members(resp), parsed("CreateEventSourceMapping", CREATE_MEMBERS))
        for k in members(resp) - {"LastModified"}:  # the client parsed what the server sent
            self.assertEqual(resp[k], wire[k], k)
        uuid = resp["UUID"]
        self.assertEqual(wire["EventSourceMappingArn"],
                         f"arn:aws:lambda:us-east-1:{ACCOUNT}:event-source-mapping:{uuid}")
        self.assertEqual(resp["FunctionArn"], f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:esm-fn")
        self.assertEqual(resp["EventSourceArn"], stream)
        expected = {"BatchSize": 100, "BisectBatchOnFunctionError": False,
                    "DestinationConfig": {"OnFailure": {}}, "FunctionResponseTypes": [],
                    "LastProcessingResult": "No records processed",
                    "MaximumBatchingWindowInSeconds": 0, "MaximumRecordAgeInSeconds": -1,
                    "MaximumRetryAttempts": -1, "ParallelizationFactor": 1,
                    "StartingPosition": "LATEST", "State": "Creating",
                    "StateTransitionReason": "User action", "TumblingWindowInSeconds": 0}
        for k, v in expected.items():
            self.assertEqual(resp[k], v, k)
        self.assertLess(abs(resp["LastModified"].timestamp() - time.time()), 60)
        got = self.lam.get_event_source_mapping(UUID=uuid)
        self.assertEqual(got["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(got["State"], "Enabled")
        self.assertEqual(set(self.lam.wire_bodies["GetEventSourceMapping"]), CREATE_MEMBERS)
        self.assertEqual(members(got), parsed("GetEventSourceMapping", CREATE_MEMBERS))

    def test_create_with_every_setting(self):
        stream = self.fresh_stream("full")
        resp = self.lam.create_event_source_mapping(
            FunctionName="esm-fn", EventSourceArn=stream, StartingPosition="TRIM_HORIZON",
            BatchSize=10000, MaximumBatchingWindowInSeconds=300, ParallelizationFactor=10,
            MaximumRecordAgeInSeconds=604800, MaximumRetryAttempts=10000,
            BisectBatchOnFunctionError=True, TumblingWindowInSeconds=900,
            FunctionResponseTypes=["ReportBatchItemFailures"], Enabled=False,
            FilterCriteria={"Filters": [{"Pattern": '{"eventName": ["INSERT"]}'}]},
            DestinationConfig={"OnFailure": {"Destination": f"arn:aws:sqs:us-east-1:{ACCOUNT}:dlq"}})
        self.assertEqual(set(self.lam.wire_bodies["CreateEventSourceMapping"]),
                         CREATE_MEMBERS | {"FilterCriteria"})
        self.assertEqual(members(resp),
                         parsed("CreateEventSourceMapping", CREATE_MEMBERS | {"FilterCriteria"}))
        self.assertEqual(resp["FilterCriteria"], {"Filters": [{"Pattern": '{"eventName": ["INSERT"]}'}]})
        self.assertEqual(resp["DestinationConfig"],
                         {"OnFailure": {"Destination": f"arn:aws:sqs:us-east-1:{ACCOUNT}:dlq"}})
        self.assertEqual((resp["BatchSize"], resp["ParallelizationFactor"], resp["TumblingWindowInSeconds"]),
                         (10000, 10, 900))
        self.assertEqual(self.lam.get_event_source_mapping(UUID=resp["UUID"])["State"], "Disabled")

    def test_recorded_validation_answers(self):
        stream = self.fresh_stream("validation")
        base = dict(FunctionName="esm-fn", EventSourceArn=stream, StartingPosition="LATEST")

        def create(**changes):
            args = dict(base)
            args.update(changes)
            return self.raw.create_event_source_mapping(**{k: v for k, v in args.items() if v is not None})

        cases = [
            (dict(StartingPosition=None), "InvalidParameterValueException",
             "1 validation error detected: Value null at 'startingPosition' failed to satisfy "
             "constraint: Member must not be null."),
            (dict(StartingPosition="OLDEST"), "ValidationException",
             "1 validation error detected: Value 'OLDEST' at 'startingPosition' failed to satisfy "
             "constraint: Member must satisfy enum value set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]"),
            (dict(StartingPosition="AT_TIMESTAMP", StartingPositionTimestamp=1700000000),
             "InvalidParameterValueException", f"Unsupported starting position for arn type: {stream}"),
            (dict(FunctionName="no-such-fn"), "InvalidParameterValueException", "Function does not exist"),
            (dict(FilterCriteria={"Filters": [{"Pattern": "{not json"}]}),
             "InvalidParameterValueException", "Invalid filter pattern definition."),
            (dict(DestinationConfig={"OnSuccess": {"Destination": f"arn:aws:sqs:us-east-1:{ACCOUNT}:q"}}),
             "InvalidParameterValueException",
             "Unsupported DestinationConfig parameter for given event source mapping type."),
            (dict(MaximumRecordAgeInSeconds=59), "InvalidParameterValueException",
             "MaximumRecordAgeInSeconds must be either -1 (forever) or between 60 and 604800 (inclusive)"),
        ]
        ranges = [("BatchSize", "batchSize", 1, 10000),
                  ("MaximumBatchingWindowInSeconds", "maximumBatchingWindowInSeconds", 0, 300),
                  ("ParallelizationFactor", "parallelizationFactor", 1, 10),
                  ("MaximumRetryAttempts", "maximumRetryAttempts", -1, 10000),
                  ("MaximumRecordAgeInSeconds", "maximumRecordAgeInSeconds", -1, 604800),
                  ("TumblingWindowInSeconds", "tumblingWindowInSeconds", 0, 900)]
        for member, wire, lo, hi in ranges:
            cases.append(({member: lo - 1}, "ValidationException",
                           f"1 validation error detected: Value '{lo - 1}' at '{wire}' failed to "
                           f"satisfy constraint: Member must have value greater than or equal to {lo}"))
            cases.append(({member: hi + 1}, "ValidationException",
                           f"1 validation error detected: Value '{hi + 1}' at '{wire}' failed to "
                           f"satisfy constraint: Member must have value less than or equal to {hi}"))
        for changes, code, message in cases:
            with self.assertRaises(botocore.exceptions.ClientError, msg=str(changes)) as ctx:
                create(**changes)
            self.assertError(ctx, code, message)
        missing = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders/stream/not-a-label"
        with self.assertRaises(self.lam.exceptions.InvalidParameterValueException):
            create(EventSourceArn=f"arn:aws:s3:::bucket")
        s3 = "arn:aws:s3:::failures"
        with self.assertRaises(self.lam.exceptions.InvalidParameterValueException) as ctx:
            create(DestinationConfig={"OnFailure": {"Destination": s3}})
        self.assertIn("S3", ctx.exception.response["Error"]["Message"])
        del missing
        # Nothing was created by the rejected calls.
        self.assertEqual(self.lam.list_event_source_mappings(EventSourceArn=stream)["EventSourceMappings"], [])

    def test_conflict_second_function_and_not_found(self):
        stream = self.fresh_stream("conflict")
        first = self.lam.create_event_source_mapping(FunctionName="esm-fn", EventSourceArn=stream,
                                                     StartingPosition="LATEST")
        with self.assertRaises(self.lam.exceptions.ResourceConflictException) as ctx:
            self.lam.create_event_source_mapping(FunctionName="esm-fn", EventSourceArn=stream,
                                                 StartingPosition="LATEST")
        self.assertError(ctx, "ResourceConflictException",
                         f'The event source arn (" {stream} ") and function (" esm-fn ") provided '
                         f"mapping already exists. Please update or delete the existing mapping "
                         f"with UUID {first['UUID']}", 409)
        second = self.lam.create_event_source_mapping(FunctionName="esm-fn2", EventSourceArn=stream,
                                                      StartingPosition="TRIM_HORIZON")
        self.assertNotEqual(second["UUID"], first["UUID"])
        unknown = "14e0db71-5d35-4eb5-b481-8945cf9d10c2"
        for call in (lambda: self.lam.get_event_source_mapping(UUID=unknown),
                     lambda: self.lam.update_event_source_mapping(UUID=unknown, BatchSize=5),
                     lambda: self.lam.delete_event_source_mapping(UUID=unknown)):
            with self.assertRaises(self.lam.exceptions.ResourceNotFoundException) as ctx:
                call()
            self.assertError(ctx, "ResourceNotFoundException",
                             "The resource you requested does not exist.", 404)

    def test_stream_that_does_not_exist(self):
        with self.assertRaises(self.lam.exceptions.InvalidParameterValueException) as ctx:
            self.lam.create_event_source_mapping(FunctionName="esm-fn", EventSourceArn=MISSING_STREAM,
                                                 StartingPosition="LATEST")
        self.assertError(ctx, "InvalidParameterValueException", f"Stream not found: {MISSING_STREAM}")

    def test_update_states_and_delete(self):
        stream = self.fresh_stream("states")
        uuid = self.lam.create_event_source_mapping(FunctionName="esm-fn", EventSourceArn=stream,
                                                    StartingPosition="LATEST")["UUID"]
        resp = self.lam.update_event_source_mapping(
            UUID=uuid, BatchSize=50, MaximumRetryAttempts=2, MaximumRecordAgeInSeconds=3600,
            DestinationConfig={"OnFailure": {"Destination": f"arn:aws:sns:us-east-1:{ACCOUNT}:topic"}})
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 202)
        self.assertEqual(resp["State"], "Updating")
        got = self.lam.get_event_source_mapping(UUID=uuid)
        self.assertEqual(got["State"], "Enabled")
        self.assertEqual((got["BatchSize"], got["MaximumRetryAttempts"], got["MaximumRecordAgeInSeconds"]),
                         (50, 2, 3600))
        self.assertEqual(got["DestinationConfig"]["OnFailure"]["Destination"],
                         f"arn:aws:sns:us-east-1:{ACCOUNT}:topic")
        self.assertEqual(self.lam.update_event_source_mapping(UUID=uuid, Enabled=False)["State"], "Disabling")
        self.assertEqual(self.lam.get_event_source_mapping(UUID=uuid)["State"], "Disabled")
        self.assertEqual(self.lam.update_event_source_mapping(UUID=uuid, Enabled=True)["State"], "Enabling")
        self.assertEqual(self.lam.get_event_source_mapping(UUID=uuid)["State"], "Enabled")
        # Moving to another function.
        moved = self.lam.update_event_source_mapping(UUID=uuid, FunctionName="esm-fn3")
        self.assertEqual(moved["FunctionArn"], f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:esm-fn3")
        with self.assertRaises(self.lam.exceptions.InvalidParameterValueException) as ctx:
            self.lam.update_event_source_mapping(UUID=uuid, FunctionName="ghost")
        self.assertError(ctx, "InvalidParameterValueException", "Function does not exist")
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.raw.update_event_source_mapping(UUID=uuid, BatchSize=0)
        self.assertEqual(ctx.exception.response["Error"]["Code"], "ValidationException")
        deleted = self.lam.delete_event_source_mapping(UUID=uuid)
        self.assertEqual(deleted["ResponseMetadata"]["HTTPStatusCode"], 202)
        self.assertEqual(deleted["State"], "Deleting")
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.lam.get_event_source_mapping(UUID=uuid)

    def test_deleting_the_function_leaves_the_mapping(self):
        create_function(self.lam, "esm-doomed")
        stream = self.fresh_stream("doomed")
        uuid = self.lam.create_event_source_mapping(FunctionName="esm-doomed", EventSourceArn=stream,
                                                    StartingPosition="LATEST")["UUID"]
        self.lam.delete_function(FunctionName="esm-doomed")
        self.assertEqual(self.lam.get_event_source_mapping(UUID=uuid)["UUID"], uuid)

    def test_list_filters_and_paging(self):
        made = []
        for fn in ("esm-list-a", "esm-list-b"):
            for i in range(3):
                stream = self.fresh_stream(f"list-{fn}-{i}")
                made.append(self.lam.create_event_source_mapping(
                    FunctionName=fn, EventSourceArn=stream, StartingPosition="LATEST")["UUID"])
        by_name = self.lam.list_event_source_mappings(FunctionName="esm-list-a")["EventSourceMappings"]
        self.assertEqual([m["UUID"] for m in by_name], made[:3])
        by_arn = self.lam.list_event_source_mappings(
            FunctionName=f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:esm-list-b")["EventSourceMappings"]
        self.assertEqual([m["UUID"] for m in by_arn], made[3:])
        by_source = self.lam.list_event_source_mappings(
            EventSourceArn=self.fresh_stream("list-esm-list-b-1"))["EventSourceMappings"]
        self.assertEqual([m["UUID"] for m in by_source], [made[4]])
        both = self.lam.list_event_source_mappings(
            FunctionName="esm-list-a", EventSourceArn=self.fresh_stream("list-esm-list-b-1"))
        self.assertEqual(both["EventSourceMappings"], [])
        first = self.lam.list_event_source_mappings(FunctionName="esm-list-a", MaxItems=2)
        self.assertEqual(len(first["EventSourceMappings"]), 2)
        second = self.lam.list_event_source_mappings(FunctionName="esm-list-a", MaxItems=2,
                                                     Marker=first["NextMarker"])
        self.assertEqual([m["UUID"] for m in first["EventSourceMappings"] + second["EventSourceMappings"]],
                         made[:3])
        self.assertNotIn("NextMarker", second)
        pages = list(self.lam.get_paginator("list_event_source_mappings").paginate(
            FunctionName="esm-list-b", PaginationConfig={"PageSize": 1}))
        self.assertEqual([m["UUID"] for p in pages for m in p["EventSourceMappings"]], made[3:])

    def test_tags_on_mappings(self):
        stream = self.fresh_stream("tags")
        self.lam.create_event_source_mapping(FunctionName="esm-fn", EventSourceArn=stream,
                                             StartingPosition="LATEST")
        arn = self.lam.wire_bodies["CreateEventSourceMapping"]["EventSourceMappingArn"]
        self.assertEqual(self.lam.list_tags(Resource=arn)["Tags"], {})
        self.lam.tag_resource(Resource=arn, Tags={"a": "1"})
        self.assertEqual(self.lam.list_tags(Resource=arn)["Tags"], {"a": "1"})
        self.lam.tag_resource(Resource=arn, Tags={"b": "2"})
        self.lam.untag_resource(Resource=arn, TagKeys=["a"])
        self.assertEqual(self.lam.list_tags(Resource=arn)["Tags"], {"b": "2"})

    def test_checks_in_aws_order(self):
        # AWS's order after the model's own checks, each answer as recorded from AWS in
        # LocalStack's lambda tests (test_lambda_api / ESM validation snapshots): the
        # destination type, then the event source, then the starting position, then the
        # function. Each row breaks the rule of its own and every later one.
        stream = self.fresh_stream("order")
        on_success = {"OnSuccess": {"Destination": f"arn:aws:sqs:us-east-1:{ACCOUNT}:q"}}
        cases = [
            (dict(FunctionName="no-such-fn", DestinationConfig=on_success),
             "Unsupported DestinationConfig parameter for given event source mapping type."),
            (dict(FunctionName="no-such-fn"), "Unrecognized event source."),
            (dict(FunctionName="no-such-fn", EventSourceArn=stream),
             "1 validation error detected: Value null at 'startingPosition' failed to satisfy "
             "constraint: Member must not be null."),
            (dict(FunctionName="no-such-fn", EventSourceArn=stream, StartingPosition="LATEST"),
             "Function does not exist"),
        ]
        for args, message in cases:
            with self.assertRaises(botocore.exceptions.ClientError, msg=str(args)) as ctx:
                self.raw.create_event_source_mapping(**args)
            self.assertError(ctx, "InvalidParameterValueException", message)

    def test_qualified_function_name_keeps_its_qualifier(self):
        # AWS: a mapping created for "fn:$LATEST" records FunctionArn ...:function:fn:$LATEST.
        stream = self.fresh_stream("qualified")
        created = self.lam.create_event_source_mapping(
            FunctionName="esm-fn3:$LATEST", EventSourceArn=stream, StartingPosition="LATEST")
        qualified = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:esm-fn3:$LATEST"
        self.assertEqual(created["FunctionArn"], qualified)
        self.assertEqual(self.lam.get_event_source_mapping(UUID=created["UUID"])["FunctionArn"],
                         qualified)
        listed = self.lam.list_event_source_mappings(FunctionName="esm-fn3:$LATEST")
        self.assertEqual([m["UUID"] for m in listed["EventSourceMappings"]], [created["UUID"]])

    def test_tag_errors_on_mapping_arns(self):
        # Recorded from AWS in LocalStack's TestLambdaTag::test_tag_exceptions
        # [event_source_mapping] (November 2025): an unknown mapping is a 404 naming the ARN;
        # a qualified or mistyped ARN is the TaggableResource pattern violation.
        unknown = f"arn:aws:lambda:us-east-1:{ACCOUNT}:event-source-mapping:" \
                  "14e0db71-5d35-4eb5-b481-8945cf9d10c2"
        for call in (lambda: self.lam.tag_resource(Resource=unknown, Tags={"A": "B"}),
                     lambda: self.lam.untag_resource(Resource=unknown, TagKeys=["A"]),
                     lambda: self.lam.list_tags(Resource=unknown)):
            with self.assertRaises(self.lam.exceptions.ResourceNotFoundException) as ctx:
                call()
            self.assertError(ctx, "ResourceNotFoundException",
                             f"Event source mapping not found: {unknown}", 404)
        pattern = (
            "arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:"
            "\\d{12}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|layer:([a-zA-Z0-9-_]+)|"
            "code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}"
            "-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9-_]+)")
        for bad in (unknown + ":alias", unknown.replace("event-source-mapping", "foobar"),
                    "arn:aws:something"):
            with self.assertRaises(botocore.exceptions.ClientError, msg=bad) as ctx:
                self.lam.list_tags(Resource=bad)
            self.assertError(ctx, "ValidationException",
                             f"1 validation error detected: Value '{bad}' at 'resource' failed to "
                             f"satisfy constraint: Member must satisfy regular expression pattern: "
                             f"{pattern}")
        # A function version or alias ARN: AWS's own answer (TestLambdaTags::test_tag_versions).
        with self.assertRaises(self.lam.exceptions.InvalidParameterValueException) as ctx:
            self.lam.tag_resource(Resource=f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:esm-fn:1",
                                  Tags={"A": "B"})
        self.assertError(ctx, "InvalidParameterValueException",
                         "Tags on function aliases and versions are not supported. Please specify "
                         "a function ARN.")

    @requires_botocore("lambda", "CreateEventSourceMapping", "Tags")
    def test_create_with_tags(self):
        stream = self.fresh_stream("tags-at-create")
        resp = self.lam.create_event_source_mapping(FunctionName="esm-fn", EventSourceArn=stream,
                                                    StartingPosition="LATEST", Tags={"a": "1"})
        arn = resp["EventSourceMappingArn"]
        self.assertEqual(self.lam.list_tags(Resource=arn)["Tags"], {"a": "1"})

    def test_aws_cli(self):
        stream = self.fresh_stream("cli")
        _, out, _ = self.server.aws("lambda", "create-event-source-mapping", "--function-name", "esm-fn",
                                    "--batch-size", "500", "--starting-position", "LATEST",
                                    "--event-source-arn", stream)
        self.assertEqual((out["BatchSize"], out["State"]), (500, "Creating"))
        uuid = out["UUID"]
        _, out, _ = self.server.aws("lambda", "update-event-source-mapping", "--uuid", uuid,
                                    "--maximum-retry-attempts", "2", "--maximum-record-age-in-seconds",
                                    "3600", "--destination-config",
                                    f'{{"OnFailure": {{"Destination": "arn:aws:sqs:us-east-1:{ACCOUNT}:dlq"}}}}')
        self.assertEqual(out["State"], "Updating")
        _, out, _ = self.server.aws("lambda", "get-event-source-mapping", "--uuid", uuid)
        self.assertEqual((out["State"], out["MaximumRetryAttempts"]), ("Enabled", 2))
        _, out, _ = self.server.aws("lambda", "list-event-source-mappings", "--function-name", "esm-fn")
        self.assertIn(uuid, [m["UUID"] for m in out["EventSourceMappings"]])
        code, _, err = self.server.aws("lambda", "create-event-source-mapping", "--function-name",
                                       "esm-fn", "--event-source-arn", stream, "--starting-position",
                                       "LATEST", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("ResourceConflictException", err)
        _, out, _ = self.server.aws("lambda", "delete-event-source-mapping", "--uuid", uuid)
        self.assertEqual(out["State"], "Deleting")


class PersistenceTest(unittest.TestCase):
    def test_mappings_and_state_survive_restart(self):
        with tempfile.TemporaryDirectory() as d:
            with StreamStack(data_dir=d) as server:
                lam = record_wire_bodies(server.client("lambda"))
                create_function(lam, "keep-fn")
                stream, stream2 = create_stream(server, "orders"), create_stream(server, "items")
                enabled = lam.create_event_source_mapping(FunctionName="keep-fn", EventSourceArn=stream,
                                                          StartingPosition="LATEST", BatchSize=7)["UUID"]
                # Tags given at create where the client can send them, else added right after.
                at_create = botocore_has("lambda", "CreateEventSourceMapping", "Tags")
                disabled = lam.create_event_source_mapping(
                    FunctionName="keep-fn", EventSourceArn=stream2, StartingPosition="TRIM_HORIZON",
                    Enabled=False, **({"Tags": {"t": "1"}} if at_create else {}))["UUID"]
                disabled_arn = lam.wire_bodies["CreateEventSourceMapping"]["EventSourceMappingArn"]
                if not at_create:
                    lam.tag_resource(Resource=disabled_arn, Tags={"t": "1"})
                self.assertEqual(server.stop(), 0)
                server.start()
                lam = server.client("lambda")
                got = lam.get_event_source_mapping(UUID=enabled)
                self.assertEqual((got["State"], got["BatchSize"]), ("Enabled", 7))
                got = lam.get_event_source_mapping(UUID=disabled)
                self.assertEqual((got["State"], got["StartingPosition"]), ("Disabled", "TRIM_HORIZON"))
                self.assertEqual(lam.list_tags(Resource=disabled_arn)["Tags"], {"t": "1"})
                listed = lam.list_event_source_mappings(FunctionName="keep-fn")["EventSourceMappings"]
                self.assertEqual([m["UUID"] for m in listed], [enabled, disabled])


if __name__ == "__main__":
    unittest.main()
