"""Failure handling of the delivery engine against a real HTTP function: retries until
MaximumRetryAttempts or MaximumRecordAgeInSeconds, service errors retried without counting,
BisectBatchOnFunctionError, ReportBatchItemFailures (AWS's success and failure forms, with
and without bisect), and the on-failure destination documents in SQS and SNS."""
import json
import re
import unittest

from esm_harness import (ACCOUNT, FunctionServer, Reply, advance, create_function, key_of,
                         make_table, put, seq_of, wait_for)
from harness import StreamStack

ERROR = {"X-Amz-Function-Error": "Unhandled"}
ISO_SECONDS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
ISO_MILLIS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def fails_for(*poison):
    """A handler answering a function error to any batch holding one of `poison` keys."""
    def handler(event, n):
        if any(key_of(r) in poison for r in event.get("Records", [])):
            return Reply(200, {"errorMessage": "poison", "errorType": "Exception"}, ERROR)
        return None
    return handler


class FailureTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = StreamStack("--poll-interval-ms", "0", in_memory=True,
                                 env={"STREAMSTACK_TEST_CLOCK": "1"}).start()
        cls.ddb = cls.server.client("dynamodb")
        cls.lam = cls.server.client("lambda")
        cls.sqs = cls.server.client("sqs")
        cls.sns = cls.server.client("sns")
        cls.streams = cls.server.client("dynamodbstreams")
        cls.fn = FunctionServer()

    @classmethod
    def tearDownClass(cls):
        cls.fn.close()
        code = cls.server.stop()
        assert code == 0, f"streamstack exited {code}:\n{cls.server.log()}"

    def queue(self, name):
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        return url, arn

    def drain(self, url, expect, timeout=10):
        got = []

        def poll():
            for m in self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get(
                    "Messages", []):
                got.append(json.loads(m["Body"]))
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
            return len(got) >= expect
        wait_for(poll, timeout=timeout)
        return got

    def pipeline(self, name, before=(), **mapping):
        stream = make_table(self.ddb, name)
        for k in before:
            put(self.ddb, name, k)
        create_function(self.lam, name, self.fn.url("/" + name))
        uuid = self.lam.create_event_source_mapping(
            FunctionName=name, EventSourceArn=stream, StartingPosition="TRIM_HORIZON",
            **mapping)["UUID"]
        return stream, uuid

    def test_retries_exhausted_goes_to_sqs_exactly_as_aws_writes_it(self):
        url, arn = self.queue("f-dlq")
        self.fn.on("/f-retry", fails_for("poison"))
        stream, uuid = self.pipeline(
            "f-retry", MaximumRetryAttempts=2,
            DestinationConfig={"OnFailure": {"Destination": arn}})
        put(self.ddb, "f-retry", "poison")
        messages = self.drain(url, 1)
        self.assertEqual(len(messages), 1)
        put(self.ddb, "f-retry", "next")
        self.assertTrue(wait_for(lambda: "next" in [key_of(r) for r in self.fn.records("/f-retry")]))
        # 1 invoke + 2 retries, then processing continues with the next record.
        self.assertEqual([key_of(r) for r in self.fn.records("/f-retry")],
                         ["poison"] * 3 + ["next"])
        poison = self.fn.records("/f-retry")[0]
        doc = messages[0]
        self.assertEqual(list(doc), ["requestContext", "responseContext", "version", "timestamp",
                                     "DDBStreamBatchInfo"])
        rc = doc["requestContext"]
        self.assertRegex(rc["requestId"], UUID)
        self.assertEqual(rc["functionArn"], f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:f-retry")
        self.assertEqual(rc["condition"], "RetryAttemptsExhausted")
        self.assertEqual(rc["approximateInvokeCount"], 3)
        self.assertEqual(doc["responseContext"], {"statusCode": 200, "executedVersion": "$LATEST",
                                                  "functionError": "Unhandled"})
        self.assertEqual(doc["version"], "1.0")
        self.assertRegex(doc["timestamp"], ISO_MILLIS)
        info = doc["DDBStreamBatchInfo"]
        shard = self.streams.describe_stream(StreamArn=stream)["StreamDescription"]["Shards"][0]
        self.assertEqual(info["shardId"], shard["ShardId"])
        self.assertEqual(info["startSequenceNumber"], poison["dynamodb"]["SequenceNumber"])
        self.assertEqual(info["endSequenceNumber"], poison["dynamodb"]["SequenceNumber"])
        self.assertRegex(info["approximateArrivalOfFirstRecord"], ISO_SECONDS)
        self.assertRegex(info["approximateArrivalOfLastRecord"], ISO_SECONDS)
        self.assertEqual(info["batchSize"], 1)
        self.assertEqual(info["streamArn"], stream)
        self.assertEqual(self.lam.get_event_source_mapping(UUID=uuid)["LastProcessingResult"], "OK")

    def test_record_age_exceeded(self):
        url, arn = self.queue("f-age-dlq")
        self.fn.on("/f-age", fails_for("old"))
        self.pipeline("f-age", MaximumRecordAgeInSeconds=60,
                      DestinationConfig={"OnFailure": {"Destination": arn}})
        put(self.ddb, "f-age", "old")
        self.assertTrue(wait_for(lambda: len(self.fn.events("/f-age")) >= 2))
        advance(self.server, 61000)
        messages = self.drain(url, 1)
        self.assertEqual(len(messages), 1)
        self.assertEqual(messages[0]["requestContext"]["condition"], "RecordAgeExceeded")
        self.assertGreaterEqual(messages[0]["requestContext"]["approximateInvokeCount"], 2)
        put(self.ddb, "f-age", "fresh")
        self.assertTrue(wait_for(lambda: key_of(self.fn.records("/f-age")[-1]) == "fresh"))

    def test_service_errors_are_not_counted(self):
        url, arn = self.queue("f-throttle-dlq")
        answers = [Reply(429), Reply(503), Reply(502), Reply(504)]
        self.fn.on("/f-throttle", lambda e, n: answers[n - 1] if n <= len(answers) else None)
        _, uuid = self.pipeline("f-throttle", MaximumRetryAttempts=0,
                                DestinationConfig={"OnFailure": {"Destination": arn}})
        put(self.ddb, "f-throttle", "one")
        self.assertTrue(wait_for(lambda: len(self.fn.events("/f-throttle")) == 5))
        self.assertTrue(wait_for(
            lambda: self.lam.get_event_source_mapping(UUID=uuid)["LastProcessingResult"] == "OK"))
        self.assertEqual(self.drain(url, 1, timeout=0.3), [])

    def test_connection_refused_is_retried_until_the_function_is_back(self):
        # A function whose endpoint does not listen yet: a service error, never counted.
        stream = make_table(self.ddb, "f-down")
        create_function(self.lam, "f-down", "http://127.0.0.1:9/nowhere")
        self.lam.create_event_source_mapping(FunctionName="f-down", EventSourceArn=stream,
                                             StartingPosition="TRIM_HORIZON",
                                             MaximumRetryAttempts=0)
        put(self.ddb, "f-down", "one")
        wait_for(lambda: False, timeout=0.4)
        self.lam.update_function_configuration(
            FunctionName="f-down",
            Environment={"Variables": {"STREAMSTACK_INVOKE_URL": self.fn.url("/f-down")}})
        self.assertTrue(wait_for(lambda: len(self.fn.records("/f-down")) == 1))

    def test_bisect_isolates_the_poison_record(self):
        url, arn = self.queue("f-bisect-dlq")
        keys = [f"r{i}" for i in range(8)]
        self.fn.on("/f-bisect", fails_for("r5"))
        self.pipeline("f-bisect", before=keys, BatchSize=8, MaximumRetryAttempts=0,
                      BisectBatchOnFunctionError=True,
                      DestinationConfig={"OnFailure": {"Destination": arn}})
        messages = self.drain(url, 1)
        self.assertEqual(len(messages), 1)
        info = messages[0]["DDBStreamBatchInfo"]
        self.assertEqual(info["batchSize"], 1)
        self.assertEqual(messages[0]["requestContext"]["approximateInvokeCount"], 1)
        batches = [[key_of(r) for r in e["Records"]] for e in self.fn.events("/f-bisect")]
        self.assertEqual(batches, [keys, keys[:4], keys[4:], ["r4", "r5"], ["r4"], ["r5"],
                                   ["r6", "r7"]])
        r5 = next(r for r in self.fn.records("/f-bisect") if key_of(r) == "r5")
        self.assertEqual(info["startSequenceNumber"], r5["dynamodb"]["SequenceNumber"])

    def report(self, event, index):
        return {"batchItemFailures": [
            {"itemIdentifier": event["Records"][index]["dynamodb"]["SequenceNumber"]}]}

    def test_report_batch_item_failures_retries_from_the_reported_record(self):
        keys = [f"p{i}" for i in range(7)]
        self.fn.on("/f-partial", lambda e, n: self.report(e, 2) if n == 1 else {})
        self.pipeline("f-partial", before=keys, BatchSize=5,
                      FunctionResponseTypes=["ReportBatchItemFailures"])
        self.assertTrue(wait_for(lambda: "p6" in [key_of(r) for r in self.fn.records("/f-partial")]))
        batches = [[key_of(r) for r in e["Records"]] for e in self.fn.events("/f-partial")]
        # Checkpointed before p2; the retry starts there and takes the records that follow.
        self.assertEqual(batches[0], keys[:5])
        self.assertEqual(batches[1], keys[2:7])
        self.assertEqual(len(batches), 2)

    def test_report_batch_item_failures_with_bisect_splits_at_the_record(self):
        keys = [f"q{i}" for i in range(7)]
        self.fn.on("/f-partial-bisect", lambda e, n: self.report(e, 2) if n == 1 else {})
        self.pipeline("f-partial-bisect", before=keys, BatchSize=5, BisectBatchOnFunctionError=True,
                      FunctionResponseTypes=["ReportBatchItemFailures"])
        self.assertTrue(wait_for(
            lambda: "q6" in [key_of(r) for r in self.fn.records("/f-partial-bisect")]))
        batches = [[key_of(r) for r in e["Records"]] for e in self.fn.events("/f-partial-bisect")]
        self.assertEqual(batches, [keys[:5], keys[2:5], keys[5:]])

    def test_report_batch_item_failures_success_and_failure_forms(self):
        answers = {
            1: Reply(200, b""), 2: Reply(200, "null"), 3: {"batchItemFailures": []},
            4: {"batchItemFailures": None}, 5: {},
            # complete failures: retried whole
            6: {"batchItemFailures": [{"itemIdentifier": ""}]},
            8: {"batchItemFailures": [{"itemIdentifier": None}]},
            10: {"batchItemFailures": [{"itemId": "1"}]},
            12: {"batchItemFailures": [{"itemIdentifier": "100000000000000009999"}]},
        }
        self.fn.on("/f-forms", lambda e, n: answers.get(n, {}))
        self.pipeline("f-forms", BatchSize=1, FunctionResponseTypes=["ReportBatchItemFailures"])
        for i in range(9):
            put(self.ddb, "f-forms", f"s{i}")
        self.assertTrue(wait_for(lambda: len(self.fn.events("/f-forms")) >= 13))
        keys = [key_of(r) for r in self.fn.records("/f-forms")]
        self.assertEqual(keys[:5], ["s0", "s1", "s2", "s3", "s4"])
        self.assertEqual(keys[5:13], ["s5", "s5", "s6", "s6", "s7", "s7", "s8", "s8"])

    def test_partial_failures_exhaust_retries_into_the_destination(self):
        url, arn = self.queue("f-partial-dlq")
        keys = [f"x{i}" for i in range(4)]
        self.fn.on("/f-partial-exhaust", lambda e, n: self.report(e, len(e["Records"]) - 1))
        self.pipeline("f-partial-exhaust", before=keys, BatchSize=4, MaximumRetryAttempts=1,
                      FunctionResponseTypes=["ReportBatchItemFailures"],
                      DestinationConfig={"OnFailure": {"Destination": arn}})
        messages = self.drain(url, 1)
        self.assertEqual(len(messages), 1)
        batches = [[key_of(r) for r in e["Records"]] for e in self.fn.events("/f-partial-exhaust")]
        self.assertEqual(batches, [keys, ["x3"]])
        info = messages[0]["DDBStreamBatchInfo"]
        self.assertEqual(info["batchSize"], 1)
        self.assertNotIn("functionError", messages[0]["responseContext"])

    def test_sns_destination(self):
        url, queue_arn = self.queue("f-sns-sub")
        topic = self.sns.create_topic(Name="f-sns-topic")["TopicArn"]
        self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
        self.fn.on("/f-sns", fails_for("bad"))
        stream, _ = self.pipeline("f-sns", MaximumRetryAttempts=0,
                                  DestinationConfig={"OnFailure": {"Destination": topic}})
        put(self.ddb, "f-sns", "bad")
        messages = self.drain(url, 1)
        self.assertEqual(len(messages), 1)
        self.assertEqual(messages[0]["Type"], "Notification")
        doc = json.loads(messages[0]["Message"])
        self.assertEqual(doc["requestContext"]["condition"], "RetryAttemptsExhausted")
        self.assertEqual(doc["DDBStreamBatchInfo"]["streamArn"], stream)

    def test_timeout_is_a_function_error(self):
        url, arn = self.queue("f-timeout-dlq")
        self.fn.on("/f-slow", lambda e, n: Reply(200, {}, delay=1.5))
        stream = make_table(self.ddb, "f-slow")
        create_function(self.lam, "f-slow", self.fn.url("/f-slow"), timeout=1)
        self.lam.create_event_source_mapping(
            FunctionName="f-slow", EventSourceArn=stream, StartingPosition="TRIM_HORIZON",
            MaximumRetryAttempts=0, DestinationConfig={"OnFailure": {"Destination": arn}})
        put(self.ddb, "f-slow", "slow")
        messages = self.drain(url, 1)
        self.assertEqual(len(messages), 1)
        self.assertEqual(messages[0]["responseContext"]["functionError"], "Unhandled")


if __name__ == "__main__":
    unittest.main()
