"""CloudWatch Logs (issue 12): every operation StreamStack serves, and its errors, through
boto3 against the real binary.

Expected answers come from AWS: recordings of real CloudWatch Logs kept by LocalStack's test
suite (tests/aws/services/logs/test_logs_{groups,streams,events,filter_events}.snapshot.json,
named [G], [S], [E], [F] below), the API reference (PutLogEvents' batch rules,
RejectedLogEventsInfo's index semantics, GetLogEvents' tokens) and the botocore model.
"""
import json
import re
import shutil
import time
import unittest

import botocore.exceptions

import harness
from harness import ServerTestCase, StreamStack, wait_until

DIGITS56 = re.compile(r"^\d{56}$")
TOKEN = re.compile(r"^[fb]/\d{56}/s$")


def now_ms():
    return int(time.time() * 1000)


class LogsCase(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.logs = cls.server.client("logs")

    def assertError(self, code, message, call, *args, **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            call(*args, **kwargs)
        err = cm.exception.response["Error"]
        self.assertEqual(err["Code"], code, err)
        if message is not None:
            self.assertEqual(err["Message"], message)
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        return err

    def group(self, name, **kwargs):
        self.logs.create_log_group(logGroupName=name, **kwargs)
        return name

    def stream(self, group, name):
        self.logs.create_log_stream(logGroupName=group, logStreamName=name)
        return name

    def put(self, group, stream, messages, start=None):
        start = start if start is not None else now_ms() - len(messages)
        events = [{"timestamp": start + i, "message": m} for i, m in enumerate(messages)]
        return self.logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events)


class LogGroupsTest(LogsCase):
    def test_create_and_describe(self):
        harness.record_wire_bodies(self.logs)
        self.group("/groups/describe-a")
        self.group("/groups/describe-b", kmsKeyId="arn:aws:kms:us-east-1:000000000000:key/k1")
        self.logs.describe_log_groups(logGroupNamePrefix="/groups/describe-")
        # What was sent (an older botocore drops logGroupArn and logGroupClass).
        groups = self.logs.wire_bodies["DescribeLogGroups"]
        self.assertNotIn("nextToken", groups)  # [G] describe-log-groups-prefix
        a, b = groups["logGroups"]
        self.assertEqual(a["logGroupName"], "/groups/describe-a")
        self.assertEqual(a["arn"], "arn:aws:logs:us-east-1:000000000000:log-group:/groups/describe-a:*")
        self.assertEqual(a["logGroupArn"],
                         "arn:aws:logs:us-east-1:000000000000:log-group:/groups/describe-a")
        self.assertEqual(a["logGroupClass"], "STANDARD")
        self.assertEqual(a["metricFilterCount"], 0)
        self.assertEqual(a["storedBytes"], 0)
        self.assertNotIn("retentionInDays", a)  # only when a retention is set
        self.assertLess(abs(a["creationTime"] - now_ms()), 60000)
        self.assertEqual(b["kmsKeyId"], "arn:aws:kms:us-east-1:000000000000:key/k1")

    def test_pattern_limit_and_pages(self):
        for i in range(5):
            self.group(f"/pages/group-{i}")
        seen, token = [], None
        while True:
            kwargs = {"nextToken": token} if token else {}
            page = self.logs.describe_log_groups(logGroupNamePrefix="/pages/", limit=2, **kwargs)
            seen += [g["logGroupName"] for g in page["logGroups"]]
            token = page.get("nextToken")
            if not token:
                break
        self.assertEqual(seen, [f"/pages/group-{i}" for i in range(5)])
        match = self.logs.describe_log_groups(logGroupNamePattern="group-3")["logGroups"]
        self.assertEqual([g["logGroupName"] for g in match], ["/pages/group-3"])
        # [G] error-prefix-and-pattern
        self.assertError("InvalidParameterException",
                         "LogGroup name prefix and LogGroup name pattern are mutually exclusive "
                         "parameters.", self.logs.describe_log_groups,
                         logGroupNamePrefix="/pages", logGroupNamePattern="x")
        self.assertError("InvalidParameterException",
                         "1 validation error detected: Value '51' at 'limit' failed to satisfy "
                         "constraint: Member must have value less than or equal to 50",
                         self.logs.describe_log_groups, limit=51)
        self.assertError("InvalidParameterException", "The specified nextToken is invalid.",
                         self.logs.describe_log_groups, nextToken="%%%")

    def test_errors(self):
        self.group("/groups/dup")
        # [G] error-duplicate-log-group: no trailing period.
        self.assertError("ResourceAlreadyExistsException", "The specified log group already exists",
                         self.logs.create_log_group, logGroupName="/groups/dup")
        # [G] error-invalid-name-length
        self.assertError("InvalidParameterException",
                         "Invalid LogGroup or LogStream, both must have length less than or equal "
                         "to 512.", self.logs.create_log_group, logGroupName="a" * 513)
        self.assertError("InvalidParameterException",
                         "1 validation error detected: Value 'bad:name' at 'logGroupName' failed "
                         "to satisfy constraint: Member must satisfy regular expression pattern: "
                         "[\\.\\-_/#A-Za-z0-9]+",
                         self.logs.create_log_group, logGroupName="bad:name")
        self.assertError("ResourceNotFoundException", "The specified log group does not exist.",
                         self.logs.delete_log_group, logGroupName="/groups/missing")

    def test_every_member_held_to_its_model(self):
        # Checks the model (botocore's) gives members that were never checked before, worded
        # as AWS's front end words every violation, all of a request's together.
        long_key = "k" * 129
        self.assertError("InvalidParameterException",
                         "1 validation error detected: Value '{" + long_key + "=v}' at 'tags' "
                         "failed to satisfy constraint: Map keys must satisfy constraint: [Member "
                         "must have length less than or equal to 128, Member must have length "
                         "greater than or equal to 1, Member must satisfy regular expression "
                         "pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+)$]",
                         self.logs.create_log_group, logGroupName="/groups/long-tag",
                         tags={long_key: "v"})
        self.assertError("InvalidParameterException",
                         "2 validation errors detected: Value 'bad:name' at 'logGroupName' failed "
                         "to satisfy constraint: Member must satisfy regular expression pattern: "
                         "[\\.\\-_/#A-Za-z0-9]+; Value '2' at 'retentionInDays' failed to satisfy "
                         "constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, "
                         "90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, "
                         "3288, 3653]",
                         self.logs.put_retention_policy, logGroupName="bad:name",
                         retentionInDays=2)
        self.assertError("InvalidParameterException",
                         "1 validation error detected: Value 'a:b' at 'logStreamNames.1.member' "
                         "failed to satisfy constraint: Member must satisfy regular expression "
                         "pattern: [^:*]*",
                         self.logs.filter_log_events, logGroupName="/groups/any",
                         logStreamNames=["a:b"])

    def test_delete(self):
        self.group("/groups/delete-me")
        self.stream("/groups/delete-me", "s")
        self.put("/groups/delete-me", "s", ["gone soon"])
        self.logs.delete_log_group(logGroupName="/groups/delete-me")
        self.assertEqual(self.logs.describe_log_groups(
            logGroupNamePrefix="/groups/delete-me")["logGroups"], [])
        self.assertError("ResourceNotFoundException", "The specified log group does not exist.",
                         self.logs.get_log_events, logGroupName="/groups/delete-me",
                         logStreamName="s")
        # A group of the same name starts empty.
        self.group("/groups/delete-me")
        self.stream("/groups/delete-me", "s")
        self.assertEqual(self.logs.get_log_events(logGroupName="/groups/delete-me",
                                                  logStreamName="s")["events"], [])

    def test_retention(self):
        self.group("/groups/retained")
        self.logs.put_retention_policy(logGroupName="/groups/retained", retentionInDays=7)
        g = self.logs.describe_log_groups(logGroupNamePrefix="/groups/retained")["logGroups"][0]
        self.assertEqual(g["retentionInDays"], 7)
        self.logs.delete_retention_policy(logGroupName="/groups/retained")
        g = self.logs.describe_log_groups(logGroupNamePrefix="/groups/retained")["logGroups"][0]
        self.assertNotIn("retentionInDays", g)
        # The Days shape's values (API reference), as an enum violation.
        self.assertError("InvalidParameterException",
                         "1 validation error detected: Value '2' at 'retentionInDays' failed to "
                         "satisfy constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, "
                         "30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, "
                         "2922, 3288, 3653]",
                         self.logs.put_retention_policy, logGroupName="/groups/retained",
                         retentionInDays=2)
        self.assertError("ResourceNotFoundException", "The specified log group does not exist.",
                         self.logs.put_retention_policy, logGroupName="/groups/nope",
                         retentionInDays=1)

    def test_tags_old_and_new_apis_share_one_set(self):
        # [G] test_tag_resource_api: the sequence and its answers.
        name = self.group("/groups/tagged", tags={"env": "testing1"})
        arn = self.logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"][0]["arn"]
        self.assertTrue(arn.endswith(":*"))
        arn = arn[:-2]  # the logGroupArn
        self.assertEqual(self.logs.list_tags_log_group(logGroupName=name)["tags"],
                         {"env": "testing1"})
        self.logs.tag_resource(resourceArn=arn, tags={"test1": "val1", "test2": "val2"})
        self.logs.tag_log_group(logGroupName=name, tags={"test3": "val3"})
        both = {"env": "testing1", "test1": "val1", "test2": "val2", "test3": "val3"}
        self.assertEqual(self.logs.list_tags_log_group(logGroupName=name)["tags"], both)
        self.assertEqual(self.logs.list_tags_for_resource(resourceArn=arn)["tags"], both)
        self.logs.untag_log_group(logGroupName=name, tags=["test3"])
        self.logs.untag_resource(resourceArn=arn, tagKeys=["env", "test1"])
        self.assertEqual(self.logs.list_tags_for_resource(resourceArn=arn)["tags"],
                         {"test2": "val2"})
        self.assertEqual(self.logs.list_tags_log_group(logGroupName=name)["tags"],
                         {"test2": "val2"})
        # The DescribeLogGroups `arn` (with ":*") is refused, as users report AWS does.
        self.assertError("ValidationException", "Invalid resourceArn",
                         self.logs.list_tags_for_resource, resourceArn=arn + ":*")
        self.assertError("ResourceNotFoundException", "The specified log group does not exist.",
                         self.logs.list_tags_for_resource,
                         resourceArn="arn:aws:logs:us-east-1:000000000000:log-group:/missing")


class LogStreamsTest(LogsCase):
    def test_create_describe_delete(self):
        g = self.group("/streams/basic")
        for name in ("b-stream", "a-stream", "c-other"):
            self.stream(g, name)
        streams = self.logs.describe_log_streams(logGroupName=g)
        self.assertNotIn("nextToken", streams)
        self.assertEqual([s["logStreamName"] for s in streams["logStreams"]],
                         ["a-stream", "b-stream", "c-other"])
        # [S] describe-log-streams-after-create: exactly these members for an empty stream.
        self.assertEqual(set(streams["logStreams"][0]), {"logStreamName", "creationTime", "arn",
                                                         "storedBytes"})
        self.assertEqual(streams["logStreams"][0]["arn"],
                         "arn:aws:logs:us-east-1:000000000000:log-group:/streams/basic:"
                         "log-stream:a-stream")
        prefixed = self.logs.describe_log_streams(logGroupName=g, logStreamNamePrefix="c-")
        self.assertEqual([s["logStreamName"] for s in prefixed["logStreams"]], ["c-other"])
        self.logs.delete_log_stream(logGroupName=g, logStreamName="c-other")
        self.assertEqual(len(self.logs.describe_log_streams(logGroupName=g)["logStreams"]), 2)
        self.assertError("ResourceNotFoundException", "The specified log stream does not exist.",
                         self.logs.delete_log_stream, logGroupName=g, logStreamName="c-other")

    def test_errors(self):
        g = self.group("/streams/errors")
        self.stream(g, "s")
        # [S] error-duplicate-log-stream
        self.assertError("ResourceAlreadyExistsException",
                         "The specified log stream already exists",
                         self.logs.create_log_stream, logGroupName=g, logStreamName="s")
        self.assertError("ResourceNotFoundException", "The specified log group does not exist.",
                         self.logs.create_log_stream, logGroupName="/streams/none",
                         logStreamName="s")
        self.assertError("InvalidParameterException",
                         "1 validation error detected: Value 'a:b' at 'logStreamName' failed to "
                         "satisfy constraint: Member must satisfy regular expression pattern: "
                         "[^:*]*", self.logs.create_log_stream, logGroupName=g,
                         logStreamName="a:b")
        # [S] error-both-name-and-identifier
        self.assertError("ValidationException",
                         "LogGroup name and LogGroup ARN are mutually exclusive parameters.",
                         self.logs.describe_log_streams, logGroupName=g,
                         logGroupIdentifier=g)
        self.assertError("InvalidParameterException",
                         "Cannot order by LastEventTime with a logStreamNamePrefix.",
                         self.logs.describe_log_streams, logGroupName=g,
                         orderBy="LastEventTime", logStreamNamePrefix="s")

    def test_identifier_order_and_pages(self):
        g = self.group("/streams/ordered")
        base = now_ms() - 10000
        for i, name in enumerate(("z-first", "m-second", "a-third")):
            self.stream(g, name)
            self.put(g, name, [f"event {i}"], start=base + i * 1000)
        by_name = self.logs.describe_log_streams(logGroupName=g)["logStreams"]
        self.assertEqual([s["logStreamName"] for s in by_name], ["a-third", "m-second", "z-first"])
        by_time = self.logs.describe_log_streams(logGroupName=g, orderBy="LastEventTime",
                                                 descending=True)["logStreams"]
        self.assertEqual([s["logStreamName"] for s in by_time], ["a-third", "m-second", "z-first"])
        s = by_time[0]
        self.assertEqual(s["firstEventTimestamp"], base + 2000)
        self.assertEqual(s["lastEventTimestamp"], base + 2000)
        self.assertIn("lastIngestionTime", s)
        first = self.logs.describe_log_streams(logGroupName=g, limit=2)
        rest = self.logs.describe_log_streams(logGroupName=g, limit=2,
                                              nextToken=first["nextToken"])
        self.assertEqual([s["logStreamName"] for s in first["logStreams"] + rest["logStreams"]],
                         ["a-third", "m-second", "z-first"])
        self.assertNotIn("nextToken", rest)


class LogEventsTest(LogsCase):
    def test_put_and_get(self):
        g = self.group("/events/basic")
        self.stream(g, "s")
        resp = self.put(g, "s", ["first", "second", "third"])
        self.assertRegex(resp["nextSequenceToken"], DIGITS56)
        self.assertNotIn("rejectedLogEventsInfo", resp)
        got = self.logs.get_log_events(logGroupName=g, logStreamName="s")
        self.assertEqual([e["message"] for e in got["events"]], ["first", "second", "third"])
        self.assertEqual(set(got["events"][0]), {"timestamp", "message", "ingestionTime"})
        self.assertRegex(got["nextForwardToken"], TOKEN)
        self.assertRegex(got["nextBackwardToken"], TOKEN)
        # At the end of the stream AWS returns the token it was given.
        again = self.logs.get_log_events(logGroupName=g, logStreamName="s",
                                         nextToken=got["nextForwardToken"])
        self.assertEqual(again["events"], [])
        self.assertEqual(again["nextForwardToken"], got["nextForwardToken"])
        # New events show up after the forward token.
        self.put(g, "s", ["fourth"], start=now_ms())
        newer = self.logs.get_log_events(logGroupName=g, logStreamName="s",
                                         nextToken=got["nextForwardToken"])
        self.assertEqual([e["message"] for e in newer["events"]], ["fourth"])
        # Multi-byte UTF-8 round-trips ([E] test_put_events_multi_bytes_msg).
        self.put(g, "s", ["Příliš žluťoučký kůň 🐎"], start=now_ms())
        last = self.logs.get_log_events(logGroupName=g, logStreamName="s", limit=1)
        self.assertEqual(last["events"][0]["message"], "Příliš žluťoučký kůň 🐎")

    def test_paging_forward_and_backward(self):
        g = self.group("/events/pages")
        self.stream(g, "s")
        self.put(g, "s", [f"message {i}" for i in range(25)])
        # [E] test_get_log_events_start_from_head: oldest first.
        page = self.logs.get_log_events(logGroupName=g, logStreamName="s", limit=10,
                                        startFromHead=True)
        seen = [e["message"] for e in page["events"]]
        token = page["nextForwardToken"]
        while True:
            page = self.logs.get_log_events(logGroupName=g, logStreamName="s", limit=10,
                                            nextToken=token)
            seen += [e["message"] for e in page["events"]]
            if page["nextForwardToken"] == token:
                break
            token = page["nextForwardToken"]
        self.assertEqual(seen, [f"message {i}" for i in range(25)])
        # Without startFromHead: the newest page, still in ascending order; then backward.
        page = self.logs.get_log_events(logGroupName=g, logStreamName="s", limit=10)
        self.assertEqual([e["message"] for e in page["events"]],
                         [f"message {i}" for i in range(15, 25)])
        older = self.logs.get_log_events(logGroupName=g, logStreamName="s", limit=10,
                                         nextToken=page["nextBackwardToken"])
        self.assertEqual([e["message"] for e in older["events"]],
                         [f"message {i}" for i in range(5, 15)])

    def test_time_range(self):
        g = self.group("/events/range")
        self.stream(g, "s")
        base = now_ms() - 100000
        self.put(g, "s", [f"m{i}" for i in range(10)], start=base)
        got = self.logs.get_log_events(logGroupName=g, logStreamName="s", startTime=base + 3,
                                       endTime=base + 6, startFromHead=True)
        # startTime inclusive, endTime exclusive (API reference).
        self.assertEqual([e["message"] for e in got["events"]], ["m3", "m4", "m5"])

    def test_put_rules(self):
        g = self.group("/events/rules")
        self.stream(g, "s")
        now = now_ms()
        # [E] error-wrong-order
        self.assertError("InvalidParameterException",
                         "Log events in a single PutLogEvents request must be in chronological "
                         "order.", self.logs.put_log_events, logGroupName=g, logStreamName="s",
                         logEvents=[{"timestamp": now, "message": "a"},
                                    {"timestamp": now - 2 * 86400000, "message": "b"}])
        # [E] response-too-old / response-too-new: accepted with rejectedLogEventsInfo.
        old = self.logs.put_log_events(logGroupName=g, logStreamName="s", logEvents=[
            {"timestamp": now - 30 * 86400000, "message": "old"},
            {"timestamp": now, "message": "fine"}])
        self.assertEqual(old["rejectedLogEventsInfo"], {"tooOldLogEventEndIndex": 1})
        new = self.logs.put_log_events(logGroupName=g, logStreamName="s", logEvents=[
            {"timestamp": now, "message": "fine too"},
            {"timestamp": now + 86400000, "message": "future"}])
        self.assertEqual(new["rejectedLogEventsInfo"], {"tooNewLogEventStartIndex": 1})
        kept = self.logs.get_log_events(logGroupName=g, logStreamName="s")["events"]
        self.assertEqual([e["message"] for e in kept], ["fine", "fine too"])
        # [E] error-invalid-stream
        self.assertError("ResourceNotFoundException", "The specified log stream does not exist.",
                         self.logs.put_log_events, logGroupName=g, logStreamName="nope",
                         logEvents=[{"timestamp": now, "message": "x"}])
        self.assertError("ResourceNotFoundException", "The specified log group does not exist.",
                         self.logs.put_log_events, logGroupName="/events/nope",
                         logStreamName="s", logEvents=[{"timestamp": now, "message": "x"}])
        # The batch limit: messages plus 26 bytes each, at most 1,048,576.
        big = [{"timestamp": now, "message": "x" * 600000},
               {"timestamp": now, "message": "y" * 600000}]
        err = self.assertError("InvalidParameterException", None, self.logs.put_log_events,
                               logGroupName=g, logStreamName="s", logEvents=big)
        self.assertIn("1048576", err["Message"])

    def test_get_errors(self):
        g = self.group("/events/errors")
        self.stream(g, "s")
        # [E] error-log-group-does-not-exist: the group is checked first.
        self.assertError("ResourceNotFoundException", "The specified log group does not exist.",
                         self.logs.get_log_events, logGroupName="/events/none",
                         logStreamName="none")
        self.assertError("ResourceNotFoundException", "The specified log stream does not exist.",
                         self.logs.get_log_events, logGroupName=g, logStreamName="none")
        # [E] error-invalid-token, error-limit-exceeded
        self.assertError("InvalidParameterException", "The specified nextToken is invalid.",
                         self.logs.get_log_events, logGroupName=g, logStreamName="s",
                         nextToken="invalid-token")
        self.assertError("InvalidParameterException",
                         "1 validation error detected: Value '10001' at 'limit' failed to satisfy "
                         "constraint: Member must have value less than or equal to 10000",
                         self.logs.get_log_events, logGroupName=g, logStreamName="s",
                         limit=10001)

    # [E] test_get_log_events_using_log_group_identifier, [S] describe-streams-identifier-*
    @harness.requires_botocore("logs", "GetLogEvents", "logGroupIdentifier",
                               optional="logGroupName")
    def test_log_group_identifier(self):
        g = self.group("/events/identified")
        self.stream(g, "s")
        self.put(g, "s", ["by arn"])
        arn = f"arn:aws:logs:us-east-1:000000000000:log-group:{g}"
        for identifier in (arn, g):
            got = self.logs.get_log_events(logGroupIdentifier=identifier, logStreamName="s")
            self.assertEqual([e["message"] for e in got["events"]], ["by arn"])
            streams = self.logs.describe_log_streams(logGroupIdentifier=identifier)
            self.assertEqual([s["logStreamName"] for s in streams["logStreams"]], ["s"])


class FilterLogEventsTest(LogsCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        g = "/filter/words"
        cls.logs.create_log_group(logGroupName=g)
        # [F] TestFilterLogEventsPatterns' messages, plus JSON ones.
        messages = ["hello", "world", "hello world", "goodbye world", "hello cruela",
                    "goodbye cruel world", '{"level": "ERROR", "latency": 1200, "user": "bob"}',
                    '{"level": "INFO", "latency": 20, "user": "alice"}', "[ERROR] disk full"]
        base = now_ms() - 1000
        for i, m in enumerate(messages):
            stream = "stream-a" if i % 2 == 0 else "stream-b"
            try:
                cls.logs.create_log_stream(logGroupName=g, logStreamName=stream)
            except cls.logs.exceptions.ResourceAlreadyExistsException:
                pass
            cls.logs.put_log_events(logGroupName=g, logStreamName=stream,
                                    logEvents=[{"timestamp": base + i, "message": m}])
        cls.base = base

    def filtered(self, pattern=None, **kwargs):
        if pattern is not None:
            kwargs["filterPattern"] = pattern
        resp = self.logs.filter_log_events(logGroupName="/filter/words", **kwargs)
        return [e["message"] for e in resp["events"]]

    def test_patterns(self):
        cases = [
            (None, 9),
            ("hello", ["hello", "hello world", "hello cruela"]),
            ("goodbye world", ["goodbye world", "goodbye cruel world"]),  # AND of terms
            ('"hello cruel"', ["hello cruela"]),  # a phrase, as a substring
            ("?cruel ?disk", ["hello cruela", "goodbye cruel world", "[ERROR] disk full"]),
            ("world -goodbye", ["world", "hello world"]),
            ('{ $.level = "ERROR" }', ['{"level": "ERROR", "latency": 1200, "user": "bob"}']),
            ("{ $.latency > 100 }", ['{"level": "ERROR", "latency": 1200, "user": "bob"}']),
            ('{ ($.latency < 100) && ($.user = "ali*") }',
             ['{"level": "INFO", "latency": 20, "user": "alice"}']),
            ("ERROR", ['{"level": "ERROR", "latency": 1200, "user": "bob"}',
                       "[ERROR] disk full"]),
        ]
        for pattern, expected in cases:
            got = self.filtered(pattern)
            if isinstance(expected, int):
                self.assertEqual(len(got), expected, pattern)
            else:
                self.assertEqual(got, expected, pattern)

    def test_event_shape_streams_and_time(self):
        resp = self.logs.filter_log_events(logGroupName="/filter/words", filterPattern="hello")
        e = resp["events"][0]
        self.assertEqual(set(e), {"logStreamName", "timestamp", "message", "ingestionTime",
                                  "eventId"})
        self.assertRegex(e["eventId"], DIGITS56)  # [X1]: 56 digits
        self.assertEqual(e["logStreamName"], "stream-a")
        self.assertNotIn("nextToken", resp)
        odd = ["world", "goodbye world", "goodbye cruel world"]  # the messages in stream-b
        self.assertEqual(self.filtered(logStreamNames=["stream-b"], filterPattern="world"), odd)
        self.assertEqual(self.filtered(logStreamNamePrefix="stream-b", filterPattern="world"),
                         odd)
        self.assertEqual(self.filtered(startTime=self.base + 1, endTime=self.base + 3),
                         ["world", "hello world"])

    def test_pages(self):
        g = self.group("/filter/pages")
        self.stream(g, "s")
        self.put(g, "s", [f"line {i}" for i in range(25)])
        # [F] test_filter_log_events_pagination: 20 with a token, then the other 5.
        first = self.logs.filter_log_events(logGroupName=g, limit=20)
        self.assertEqual(len(first["events"]), 20)
        rest = self.logs.filter_log_events(logGroupName=g, limit=20, nextToken=first["nextToken"])
        self.assertEqual([e["message"] for e in rest["events"]],
                         [f"line {i}" for i in range(20, 25)])
        self.assertNotIn("nextToken", rest)
        # The paginator boto3 and `aws logs filter-log-events` use.
        pages = self.logs.get_paginator("filter_log_events").paginate(
            logGroupName=g, PaginationConfig={"PageSize": 7})
        self.assertEqual(sum(len(p["events"]) for p in pages), 25)

    def test_errors(self):
        # [F] error-limit-exceeded, invalid-token
        self.assertError("InvalidParameterException",
                         "1 validation error detected: Value '10001' at 'limit' failed to satisfy "
                         "constraint: Member must have value less than or equal to 10000",
                         self.logs.filter_log_events, logGroupName="/filter/words", limit=10001)
        self.assertError("InvalidParameterException", "The specified nextToken is invalid.",
                         self.logs.filter_log_events, logGroupName="/filter/words",
                         nextToken="invalid-token")
        self.assertError("ResourceNotFoundException", "The specified log group does not exist.",
                         self.logs.filter_log_events, logGroupName="/filter/none")
        self.assertError("InvalidParameterException", None, self.logs.filter_log_events,
                         logGroupName="/filter/words", filterPattern='"unclosed')


class LogsWireTest(LogsCase):
    def test_json_1_1_and_errors_on_the_wire(self):
        status, headers, body = self.server.http(
            "POST", "/", body=b"{}", headers={"X-Amz-Target": "Logs_20140328.DescribeLogGroups",
                                               "Content-Type": "application/x-amz-json-1.1"})
        self.assertEqual(status, 200)
        self.assertEqual(headers["Content-Type"], "application/x-amz-json-1.1")
        self.assertIn("logGroups", json.loads(body))
        status, headers, body = self.server.http(
            "POST", "/", body=b'{"logGroupName": true}',
            headers={"X-Amz-Target": "Logs_20140328.CreateLogGroup",
                     "Content-Type": "application/x-amz-json-1.1"})
        self.assertEqual(status, 400)
        self.assertIn("SerializationException", json.loads(body)["__type"])

    def test_operations_not_served_are_named(self):
        # Metric and subscription filters, Insights queries: UnknownOperationException naming
        # the operation (the README's list of what is supported).
        for call, args, operation in (
                (self.logs.describe_metric_filters, {}, "DescribeMetricFilters"),
                (self.logs.put_subscription_filter, dict(
                    logGroupName="g", filterName="f", filterPattern="",
                    destinationArn="arn:aws:lambda:us-east-1:000000000000:function:f"),
                 "PutSubscriptionFilter"),
                (self.logs.start_query, dict(logGroupName="g", startTime=1, endTime=2,
                                             queryString="fields @message"), "StartQuery")):
            self.assertError("UnknownOperationException",
                             f"StreamStack does not serve the CloudWatch Logs operation "
                             f"{operation} (see the README's list of what is supported)",
                             call, **args)

    def test_cli_commands(self):
        aws = self.server.aws
        aws("logs", "create-log-group", "--log-group-name", "/cli/group")
        aws("logs", "create-log-stream", "--log-group-name", "/cli/group",
            "--log-stream-name", "s")
        aws("logs", "put-log-events", "--log-group-name", "/cli/group", "--log-stream-name", "s",
            "--log-events", f"timestamp={now_ms()},message=from the cli")
        _, out, _ = aws("logs", "filter-log-events", "--log-group-name", "/cli/group",
                        "--filter-pattern", "cli")
        self.assertEqual([e["message"] for e in out["events"]], ["from the cli"])
        _, groups, _ = aws("logs", "describe-log-groups")
        self.assertIn("/cli/group", [g["logGroupName"] for g in groups["logGroups"]])


class RetentionAndCapTest(unittest.TestCase):
    """The sweeper with a movable clock: retention deletes by event time; the byte cap
    deletes oldest first; acknowledged events survive kill -9."""

    def test_retention_sweeps_expired_events(self):
        with StreamStack("--logs-sweep-interval-ms", "50",
                         env={"STREAMSTACK_TEST_CLOCK": "1"}) as server:
            logs = server.client("logs")
            logs.create_log_group(logGroupName="/ret/kept")
            logs.create_log_group(logGroupName="/ret/forever")
            for g in ("/ret/kept", "/ret/forever"):
                logs.create_log_stream(logGroupName=g, logStreamName="s")
                logs.put_log_events(logGroupName=g, logStreamName="s",
                                    logEvents=[{"timestamp": now_ms(), "message": "old news"}])
            logs.put_retention_policy(logGroupName="/ret/kept", retentionInDays=1)
            status, _, _ = server.http("GET", "/_streamstack/clock/advance?ms=" +
                                       str(2 * 86400000))
            self.assertEqual(status, 200)

            def expired():
                return logs.get_log_events(logGroupName="/ret/kept",
                                           logStreamName="s")["events"] == []
            self.assertTrue(wait_until(expired, timeout=5))
            # No retention: kept until DeleteLogGroup.
            self.assertEqual(len(logs.get_log_events(logGroupName="/ret/forever",
                                                     logStreamName="s")["events"]), 1)

    def test_byte_cap_drops_oldest_first(self):
        with StreamStack("--logs-sweep-interval-ms", "50", "--logs-max-bytes", "20000") as server:
            logs = server.client("logs")
            logs.create_log_group(logGroupName="/cap/g")
            logs.create_log_stream(logGroupName="/cap/g", logStreamName="s")
            start = now_ms() - 100000
            for batch in range(10):
                logs.put_log_events(logGroupName="/cap/g", logStreamName="s", logEvents=[
                    {"timestamp": start + batch * 100 + i,
                     "message": f"{batch:02d}-{i:02d}" + "x" * 295}
                    for i in range(10)])  # 100 events of 300 bytes in all: 30,000 bytes

            def under_cap():
                g = logs.describe_log_groups(logGroupNamePrefix="/cap/g")["logGroups"][0]
                return g["storedBytes"] <= 20000
            self.assertTrue(wait_until(under_cap, timeout=5))
            left = logs.get_log_events(logGroupName="/cap/g", logStreamName="s",
                                       startFromHead=True)["events"]
            self.assertTrue(left and len(left) < 100)
            self.assertEqual(left[-1]["message"][:5], "09-09")  # the newest stayed

    def test_acknowledged_events_survive_kill(self):
        server = StreamStack().start()
        try:
            logs = server.client("logs")
            logs.create_log_group(logGroupName="/durable/g")
            logs.create_log_stream(logGroupName="/durable/g", logStreamName="s")
            logs.put_log_events(logGroupName="/durable/g", logStreamName="s",
                                logEvents=[{"timestamp": now_ms(), "message": "kept"}])
            server.kill()
            server.start()
            logs = server.client("logs")
            got = logs.get_log_events(logGroupName="/durable/g", logStreamName="s")
            self.assertEqual([e["message"] for e in got["events"]], ["kept"])
        finally:
            server.stop()
            shutil.rmtree(server.data_dir, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
