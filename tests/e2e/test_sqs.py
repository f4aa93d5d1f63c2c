"""SQS through the real binary: boto3 (the JSON protocol from botocore 1.31, the query
protocol before), the aws CLI, raw query-protocol requests (form-encoded, XML answers), long
polling, errors, and a kill -9 restart. test_sqs_wire.py checks every operation's wire answers."""
import base64
import hashlib
import json
import struct
import threading
import time
import unittest
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

import botocore.exceptions

from harness import ServerTestCase, StreamStack, requires_botocore

NS = "{http://queue.amazonaws.com/doc/2012-11-05/}"


def md5_of_attributes(attrs):
    """AWS's MD5OfMessageAttributes, written from the SQS developer guide's description."""
    buf = b""
    for name in sorted(attrs):
        value = attrs[name]
        data_type = value["DataType"]
        buf += struct.pack(">I", len(name.encode())) + name.encode()
        buf += struct.pack(">I", len(data_type.encode())) + data_type.encode()
        if "BinaryValue" in value:
            raw = value["BinaryValue"]
            buf += b"\x02" + struct.pack(">I", len(raw)) + raw
        else:
            raw = value["StringValue"].encode()
            buf += b"\x01" + struct.pack(">I", len(raw)) + raw
    return hashlib.md5(buf).hexdigest()


class SqsBoto3Test(ServerTestCase):
    def setUp(self):
        self.sqs = self.server.client("sqs")

    def create(self, name, **attrs):
        return self.sqs.create_queue(QueueName=name, Attributes={k: str(v) for k, v in attrs.items()})["QueueUrl"]

    def error_of(self, fn, **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(**kwargs)
        return cm.exception.response

    def test_operations_not_served_are_named(self):
        # Permissions, dead-letter source listing and message move tasks are not served: AWS's
        # UnknownOperationException naming the call (the query code InvalidAction).
        url = self.create("unserved")
        for call, args, operation in (
                (self.sqs.list_dead_letter_source_queues, dict(QueueUrl=url),
                 "ListDeadLetterSourceQueues"),
                (self.sqs.add_permission, dict(QueueUrl=url, Label="l", AWSAccountIds=["1"],
                                               Actions=["SendMessage"]), "AddPermission")):
            err = self.error_of(call, **args)
            self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400)
            self.assertEqual(err["Error"]["Message"],
                             f"StreamStack does not serve the SQS operation {operation} (see "
                             "the README's list of what is supported)")

    def test_create_queue_url_and_idempotency(self):
        url = self.create("idem", VisibilityTimeout=40)
        self.assertEqual(url, f"http://127.0.0.1:{self.server.port}/000000000000/idem")
        self.assertEqual(self.create("idem", VisibilityTimeout=40), url)
        self.assertEqual(self.sqs.create_queue(QueueName="idem")["QueueUrl"], url)
        # Both protocols raise the model's QueueNameExists with the query code QueueAlreadyExists
        # (the JSON protocol's __type names the shape, x-amzn-query-error the code).
        with self.assertRaises(self.sqs.exceptions.QueueNameExists) as cm:
            self.sqs.create_queue(QueueName="idem", Attributes={"VisibilityTimeout": "41"})
        self.assertEqual(cm.exception.response["Error"]["Code"], "QueueAlreadyExists")
        self.assertEqual(self.sqs.get_queue_url(QueueName="idem")["QueueUrl"], url)

    def test_create_queue_rejections(self):
        err = self.error_of(self.sqs.create_queue, QueueName="bad name!")
        self.assertEqual(err["Error"]["Code"], "InvalidParameterValue")
        self.assertIn("alphanumeric", err["Error"]["Message"])
        err = self.error_of(self.sqs.create_queue, QueueName="x" * 81)
        self.assertEqual(err["Error"]["Code"], "InvalidParameterValue")
        err = self.error_of(self.sqs.create_queue, QueueName="f.fifo",
                            Attributes={"FifoQueue": "true"})
        self.assertEqual(err["Error"]["Code"], "AWS.SimpleQueueService.UnsupportedOperation")
        self.assertIn("FIFO", err["Error"]["Message"])
        err = self.error_of(self.sqs.create_queue, QueueName="range",
                            Attributes={"VisibilityTimeout": "43201"})
        self.assertEqual(err["Error"]["Code"], "InvalidAttributeValue")
        self.assertEqual(err["Error"]["Message"], "Invalid value for the parameter VisibilityTimeout.")
        err = self.error_of(self.sqs.create_queue, QueueName="unknown",
                            Attributes={"Bogus": "1"})
        self.assertEqual(err["Error"]["Code"], "InvalidAttributeName")

    def test_nonexistent_queue(self):
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist) as cm:
            self.sqs.get_queue_url(QueueName="missing")
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], "AWS.SimpleQueueService.NonExistentQueue")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400)
        url = f"http://127.0.0.1:{self.server.port}/000000000000/missing"
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist):
            self.sqs.send_message(QueueUrl=url, MessageBody="x")
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist):
            self.sqs.receive_message(QueueUrl=url)
        # Another account's URL is another queue.
        self.create("acct")
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist):
            self.sqs.get_queue_attributes(
                QueueUrl=f"http://127.0.0.1:{self.server.port}/111111111111/acct")

    def test_queue_url_from_any_host_resolves(self):
        self.create("anyhost")
        self.sqs.send_message(QueueUrl="http://sqs.us-east-1.amazonaws.com/000000000000/anyhost",
                              MessageBody="x")
        attrs = self.sqs.get_queue_attributes(
            QueueUrl="http://elsewhere:1234/000000000000/anyhost",
            AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
        self.assertEqual(attrs, {"ApproximateNumberOfMessages": "1"})

    def test_attributes_get_set(self):
        url = self.create("attrs", DelaySeconds=0, MessageRetentionPeriod=120)
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["QueueArn"], "arn:aws:sqs:us-east-1:000000000000:attrs")
        self.assertEqual(attrs["VisibilityTimeout"], "30")
        self.assertEqual(attrs["MessageRetentionPeriod"], "120")
        self.assertEqual(attrs["ApproximateNumberOfMessages"], "0")
        self.assertEqual(attrs["ApproximateNumberOfMessagesNotVisible"], "0")
        self.assertAlmostEqual(int(attrs["CreatedTimestamp"]), time.time(), delta=60)
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "60",
                                                                "ReceiveMessageWaitTimeSeconds": "1"})
        attrs = self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["VisibilityTimeout", "QueueArn"])["Attributes"]
        self.assertEqual(attrs, {"VisibilityTimeout": "60",
                                 "QueueArn": "arn:aws:sqs:us-east-1:000000000000:attrs"})
        self.assertNotIn("Attributes", self.sqs.get_queue_attributes(QueueUrl=url))
        err = self.error_of(self.sqs.get_queue_attributes, QueueUrl=url, AttributeNames=["Nope"])
        self.assertEqual(err["Error"]["Code"], "InvalidAttributeName")
        err = self.error_of(self.sqs.set_queue_attributes, QueueUrl=url,
                            Attributes={"DelaySeconds": "901"})
        self.assertEqual(err["Error"]["Code"], "InvalidAttributeValue")

    def test_list_queues_prefix_and_pages(self):
        for i in range(5):
            self.create(f"lst-{i}")
        urls = self.sqs.list_queues(QueueNamePrefix="lst-")["QueueUrls"]
        self.assertEqual([u.rsplit("/", 1)[1] for u in urls], [f"lst-{i}" for i in range(5)])
        page = self.sqs.list_queues(QueueNamePrefix="lst-", MaxResults=2)
        self.assertEqual(len(page["QueueUrls"]), 2)
        seen = list(page["QueueUrls"])
        while "NextToken" in page:
            page = self.sqs.list_queues(QueueNamePrefix="lst-", MaxResults=2,
                                        NextToken=page["NextToken"])
            seen += page["QueueUrls"]
        self.assertEqual(seen, urls)
        self.assertNotIn("QueueUrls", self.sqs.list_queues(QueueNamePrefix="nothing-"))
        err = self.error_of(self.sqs.list_queues, MaxResults=1001)
        self.assertEqual(err["Error"]["Code"], "InvalidParameterValue")

    def test_send_receive_md5s_and_attributes(self):
        url = self.create("md5")
        attrs = {"s": {"DataType": "String", "StringValue": "héllo"},
                 "n": {"DataType": "Number.int", "StringValue": "42"},
                 "b": {"DataType": "Binary", "BinaryValue": b"\x00\x01\xff"}}
        sent = self.sqs.send_message(QueueUrl=url, MessageBody="hello", MessageAttributes=attrs)
        self.assertEqual(sent["MD5OfMessageBody"], "5d41402abc4b2a76b9719d911017c592")
        self.assertEqual(sent["MD5OfMessageAttributes"], md5_of_attributes(attrs))
        got = self.sqs.receive_message(QueueUrl=url, AttributeNames=["All"],
                                       MessageAttributeNames=["All"])["Messages"]
        self.assertEqual(len(got), 1)
        m = got[0]
        self.assertEqual(m["MessageId"], sent["MessageId"])
        self.assertEqual(m["Body"], "hello")
        self.assertEqual(m["MD5OfBody"], sent["MD5OfMessageBody"])
        self.assertEqual(m["MessageAttributes"], attrs)
        self.assertEqual(m["MD5OfMessageAttributes"], sent["MD5OfMessageAttributes"])
        self.assertEqual(m["Attributes"]["ApproximateReceiveCount"], "1")
        self.assertAlmostEqual(int(m["Attributes"]["SentTimestamp"]) / 1000, time.time(), delta=60)
        self.assertIn("ApproximateFirstReceiveTimestamp", m["Attributes"])
        # Only the requested message attributes come back, with their own MD5.
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                           VisibilityTimeout=0)
        m2 = self.sqs.receive_message(QueueUrl=url, MessageAttributeNames=["s"],
                                      AttributeNames=["ApproximateReceiveCount"])["Messages"][0]
        self.assertEqual(m2["MessageAttributes"], {"s": attrs["s"]})
        self.assertEqual(m2["MD5OfMessageAttributes"], md5_of_attributes({"s": attrs["s"]}))
        self.assertEqual(m2["Attributes"], {"ApproximateReceiveCount": "2"})
        # No attributes: no MD5OfMessageAttributes.
        plain = self.sqs.send_message(QueueUrl=url, MessageBody="x")
        self.assertNotIn("MD5OfMessageAttributes", plain)

    @requires_botocore("sqs", "ReceiveMessage", "MessageSystemAttributeNames")
    def test_message_system_attribute_names(self):
        """The newer name of AttributeNames (botocore >= 1.34) selects the same attributes."""
        url = self.create("sysattrs")
        self.sqs.send_message(QueueUrl=url, MessageBody="m")
        m = self.sqs.receive_message(
            QueueUrl=url, MessageSystemAttributeNames=["ApproximateReceiveCount"])["Messages"][0]
        self.assertEqual(m["Attributes"], {"ApproximateReceiveCount": "1"})

    def test_send_validation(self):
        url = self.create("sendval")
        err = self.error_of(self.sqs.send_message, QueueUrl=url, MessageBody="")
        self.assertEqual(err["Error"]["Code"], "MissingParameter")
        err = self.error_of(self.sqs.send_message, QueueUrl=url, MessageBody="x", DelaySeconds=901)
        self.assertEqual(err["Error"]["Code"], "InvalidParameterValue")
        err = self.error_of(self.sqs.send_message, QueueUrl=url, MessageBody="bad \x01 char")
        self.assertEqual(err["Error"]["Code"], "InvalidMessageContents")
        err = self.error_of(self.sqs.send_message, QueueUrl=url, MessageBody="x",
                            MessageAttributes={"a": {"DataType": "Weird", "StringValue": "1"}})
        self.assertEqual(err["Error"]["Code"], "InvalidParameterValue")
        self.sqs.set_queue_attributes(QueueUrl=url, Attributes={"MaximumMessageSize": "1024"})
        err = self.error_of(self.sqs.send_message, QueueUrl=url, MessageBody="x" * 1025)
        self.assertEqual(err["Error"]["Code"], "InvalidParameterValue")
        self.assertIn("1024 bytes", err["Error"]["Message"])

    def test_visibility_timeout_receive_count_delete(self):
        url = self.create("vis", VisibilityTimeout=1)
        self.sqs.send_message(QueueUrl=url, MessageBody="m")
        first = self.sqs.receive_message(QueueUrl=url, AttributeNames=["All"])["Messages"][0]
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["ApproximateNumberOfMessagesNotVisible"], "1")
        self.assertEqual(attrs["ApproximateNumberOfMessages"], "0")
        # After the 1 s timeout it is visible again (long poll picks it up when it returns).
        again = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5,
                                         AttributeNames=["All"])["Messages"][0]
        self.assertEqual(again["MessageId"], first["MessageId"])
        self.assertEqual(again["Attributes"]["ApproximateReceiveCount"], "2")
        self.assertEqual(again["Attributes"]["ApproximateFirstReceiveTimestamp"],
                         first["Attributes"]["ApproximateFirstReceiveTimestamp"])
        self.assertNotEqual(again["ReceiptHandle"], first["ReceiptHandle"])
        # A stale handle does not delete (AWS: succeeds without deleting).
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=first["ReceiptHandle"])
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=again["ReceiptHandle"],
                                           VisibilityTimeout=0)
        third = self.sqs.receive_message(QueueUrl=url, VisibilityTimeout=30)["Messages"][0]
        self.sqs.delete_message(QueueUrl=url, ReceiptHandle=third["ReceiptHandle"])
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["ApproximateNumberOfMessagesNotVisible"], "0")
        self.assertEqual(attrs["ApproximateNumberOfMessages"], "0")
        err = self.error_of(self.sqs.delete_message, QueueUrl=url, ReceiptHandle="garbage")
        self.assertEqual(err["Error"]["Code"], "ReceiptHandleIsInvalid")
        err = self.error_of(self.sqs.change_message_visibility, QueueUrl=url,
                            ReceiptHandle=third["ReceiptHandle"], VisibilityTimeout=10)
        self.assertEqual(err["Error"]["Code"], "InvalidParameterValue")

    def test_change_visibility_of_visible_message_is_not_inflight(self):
        url = self.create("notinflight")
        self.sqs.send_message(QueueUrl=url, MessageBody="m")
        m = self.sqs.receive_message(QueueUrl=url)["Messages"][0]
        self.sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"],
                                           VisibilityTimeout=0)
        err = self.error_of(self.sqs.change_message_visibility, QueueUrl=url,
                            ReceiptHandle=m["ReceiptHandle"], VisibilityTimeout=5)
        self.assertEqual(err["Error"]["Code"], "AWS.SimpleQueueService.MessageNotInflight")

    def test_delay_seconds(self):
        url = self.create("delay", DelaySeconds=1)
        self.sqs.send_message(QueueUrl=url, MessageBody="late")
        self.sqs.send_message(QueueUrl=url, MessageBody="now", DelaySeconds=0)
        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual([m["Body"] for m in got], ["now"])
        attrs = self.sqs.get_queue_attributes(
            QueueUrl=url, AttributeNames=["ApproximateNumberOfMessagesDelayed"])["Attributes"]
        self.assertEqual(attrs["ApproximateNumberOfMessagesDelayed"], "1")
        start = time.monotonic()
        got = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=5)["Messages"]
        self.assertEqual(got[0]["Body"], "late")
        self.assertLess(time.monotonic() - start, 3)

    def test_receive_validation(self):
        url = self.create("recvval")
        for kwargs in ({"MaxNumberOfMessages": 11}, {"MaxNumberOfMessages": 0},
                       {"WaitTimeSeconds": 21}, {"VisibilityTimeout": 43201}):
            err = self.error_of(self.sqs.receive_message, QueueUrl=url, **kwargs)
            self.assertEqual(err["Error"]["Code"], "InvalidParameterValue", kwargs)
        err = self.error_of(self.sqs.receive_message, QueueUrl=url, MaxNumberOfMessages=11)
        self.assertEqual(err["Error"]["Message"], "Value 11 for parameter MaxNumberOfMessages is "
                         "invalid. Reason: Must be between 1 and 10, if provided.")

    def test_max_number_of_messages(self):
        url = self.create("maxn")
        for i in range(15):
            self.sqs.send_message(QueueUrl=url, MessageBody=str(i))
        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        self.assertEqual(len(got), 10)
        self.assertEqual(len(self.sqs.receive_message(QueueUrl=url)["Messages"]), 1)

    def test_long_poll_wakes_on_send(self):
        url = self.create("lp")
        result = {}

        def poll():
            t = time.monotonic()
            result["r"] = self.server.client("sqs").receive_message(QueueUrl=url, WaitTimeSeconds=10)
            result["t"] = time.monotonic() - t

        th = threading.Thread(target=poll)
        th.start()
        time.sleep(0.5)
        self.sqs.send_message(QueueUrl=url, MessageBody="wake")
        th.join(15)
        self.assertEqual(result["r"]["Messages"][0]["Body"], "wake")
        self.assertLess(result["t"], 3)

    def test_long_poll_times_out_empty_and_queue_default(self):
        url = self.create("lpt", ReceiveMessageWaitTimeSeconds=1)
        t = time.monotonic()
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))
        self.assertGreaterEqual(time.monotonic() - t, 0.9)
        t = time.monotonic()
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0))
        self.assertLess(time.monotonic() - t, 0.5)

    def test_long_polls_do_not_block_io_threads(self):
        url = self.create("lpmany")
        threads = [threading.Thread(target=lambda: self.server.client("sqs").receive_message(
            QueueUrl=url, WaitTimeSeconds=3)) for _ in range(12)]
        for th in threads:
            th.start()
        time.sleep(0.3)
        t = time.monotonic()
        self.sqs.list_queues(QueueNamePrefix="lpmany")
        self.assertLess(time.monotonic() - t, 1.0)
        for th in threads:
            th.join(10)

    def test_batches(self):
        url = self.create("batch")
        res = self.sqs.send_message_batch(QueueUrl=url, Entries=[
            {"Id": "a", "MessageBody": "one"},
            {"Id": "b", "MessageBody": "two", "MessageAttributes": {"k": {"DataType": "String", "StringValue": "v"}}},
            {"Id": "c", "MessageBody": ""},
        ])
        self.assertEqual(sorted(e["Id"] for e in res["Successful"]), ["a", "b"])
        b = [e for e in res["Successful"] if e["Id"] == "b"][0]
        self.assertEqual(b["MD5OfMessageAttributes"],
                         md5_of_attributes({"k": {"DataType": "String", "StringValue": "v"}}))
        self.assertEqual(res["Failed"], [{"Id": "c", "SenderFault": True, "Code": "MissingParameter",
                                          "Message": "The request must contain the parameter MessageBody."}])
        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, VisibilityTimeout=0)["Messages"]
        self.assertEqual(sorted(m["Body"] for m in got), ["one", "two"])
        got = self.sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
        res = self.sqs.change_message_visibility_batch(QueueUrl=url, Entries=[
            {"Id": "x", "ReceiptHandle": got[0]["ReceiptHandle"], "VisibilityTimeout": 60},
            {"Id": "y", "ReceiptHandle": "bogus", "VisibilityTimeout": 60}])
        self.assertEqual([e["Id"] for e in res["Successful"]], ["x"])
        self.assertEqual(res["Failed"][0]["Code"], "ReceiptHandleIsInvalid")
        res = self.sqs.delete_message_batch(QueueUrl=url, Entries=[
            {"Id": f"d{i}", "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)] +
            [{"Id": "bad", "ReceiptHandle": "bogus"}])
        self.assertEqual(len(res["Successful"]), 2)
        self.assertEqual(res["Failed"][0]["Id"], "bad")
        self.assertEqual(res["Failed"][0]["Code"], "ReceiptHandleIsInvalid")
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        self.assertEqual(attrs["ApproximateNumberOfMessages"], "0")
        self.assertEqual(attrs["ApproximateNumberOfMessagesNotVisible"], "0")

    def test_batch_request_errors(self):
        url = self.create("batcherr")
        cases = [
            ([], "AWS.SimpleQueueService.EmptyBatchRequest"),
            ([{"Id": str(i), "MessageBody": "x"} for i in range(11)],
             "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"),
            ([{"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}],
             "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"),
            ([{"Id": "bad id!", "MessageBody": "x"}], "AWS.SimpleQueueService.InvalidBatchEntryId"),
        ]
        for entries, code in cases:
            err = self.error_of(self.sqs.send_message_batch, QueueUrl=url, Entries=entries)
            self.assertEqual(err["Error"]["Code"], code)
        err = self.error_of(self.sqs.delete_message_batch, QueueUrl=url, Entries=[])
        self.assertEqual(err["Error"]["Code"], "AWS.SimpleQueueService.EmptyBatchRequest")
        err = self.error_of(self.sqs.send_message_batch, QueueUrl=url, Entries=[
            {"Id": "a", "MessageBody": "x" * 600000}, {"Id": "b", "MessageBody": "x" * 600000}])
        self.assertEqual(err["Error"]["Code"], "AWS.SimpleQueueService.BatchRequestTooLong")

    def test_purge_and_delete_queue(self):
        url = self.create("purge")
        for i in range(3):
            self.sqs.send_message(QueueUrl=url, MessageBody=str(i))
        self.sqs.purge_queue(QueueUrl=url)
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=url))
        err = self.error_of(self.sqs.purge_queue, QueueUrl=url)
        self.assertEqual(err["Error"]["Code"], "AWS.SimpleQueueService.PurgeQueueInProgress")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 403)
        self.sqs.delete_queue(QueueUrl=url)
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist):
            self.sqs.get_queue_url(QueueName="purge")
        with self.assertRaises(self.sqs.exceptions.QueueDoesNotExist):
            self.sqs.delete_queue(QueueUrl=url)

    def test_tags(self):
        url = self.sqs.create_queue(QueueName="tagged", tags={"team": "a"})["QueueUrl"]
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"team": "a"})
        self.sqs.tag_queue(QueueUrl=url, Tags={"env": "ci", "team": "b"})
        self.assertEqual(self.sqs.list_queue_tags(QueueUrl=url)["Tags"], {"team": "b", "env": "ci"})
        self.sqs.untag_queue(QueueUrl=url, TagKeys=["team", "env"])
        self.assertNotIn("Tags", self.sqs.list_queue_tags(QueueUrl=url))

    def test_dead_letter_redrive(self):
        dlq = self.create("dlq")
        dlq_arn = self.sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        src = self.create("src", VisibilityTimeout=0,
                          RedrivePolicy=json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": 2}))
        self.sqs.send_message(QueueUrl=src, MessageBody="poison")
        for _ in range(2):
            self.assertEqual(len(self.sqs.receive_message(QueueUrl=src)["Messages"]), 1)
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=src))
        self.assertEqual(self.sqs.receive_message(QueueUrl=dlq)["Messages"][0]["Body"], "poison")


class SqsCliTest(ServerTestCase):
    """Every operation through the real aws CLI."""

    def test_every_operation(self):
        s = self.server
        _, out, _ = s.aws("sqs", "create-queue", "--queue-name", "cli",
                          "--attributes", "VisibilityTimeout=20")
        url = out["QueueUrl"]
        self.assertTrue(url.endswith("/000000000000/cli"))
        self.assertEqual(s.aws("sqs", "get-queue-url", "--queue-name", "cli")[1]["QueueUrl"], url)
        self.assertIn(url, s.aws("sqs", "list-queues", "--queue-name-prefix", "cl")[1]["QueueUrls"])
        s.aws("sqs", "set-queue-attributes", "--queue-url", url, "--attributes", "DelaySeconds=0")
        attrs = s.aws("sqs", "get-queue-attributes", "--queue-url", url,
                      "--attribute-names", "All")[1]["Attributes"]
        self.assertEqual(attrs["VisibilityTimeout"], "20")
        sent = s.aws("sqs", "send-message", "--queue-url", url, "--message-body", "hi",
                     "--message-attributes", '{"k":{"DataType":"String","StringValue":"v"}}')[1]
        self.assertEqual(sent["MD5OfMessageBody"], hashlib.md5(b"hi").hexdigest())
        s.aws("sqs", "send-message-batch", "--queue-url", url, "--entries",
              json.dumps([{"Id": "1", "MessageBody": "b1"}, {"Id": "2", "MessageBody": "b2"}]))
        got = s.aws("sqs", "receive-message", "--queue-url", url, "--max-number-of-messages", "10",
                    "--attribute-names", "All", "--message-attribute-names", "All",
                    "--wait-time-seconds", "1")[1]["Messages"]
        self.assertEqual(sorted(m["Body"] for m in got), ["b1", "b2", "hi"])
        s.aws("sqs", "change-message-visibility", "--queue-url", url, "--receipt-handle",
              got[0]["ReceiptHandle"], "--visibility-timeout", "60")
        s.aws("sqs", "change-message-visibility-batch", "--queue-url", url, "--entries",
              json.dumps([{"Id": "a", "ReceiptHandle": got[1]["ReceiptHandle"], "VisibilityTimeout": 60}]))
        s.aws("sqs", "delete-message", "--queue-url", url, "--receipt-handle", got[0]["ReceiptHandle"])
        res = s.aws("sqs", "delete-message-batch", "--queue-url", url, "--entries",
                    json.dumps([{"Id": "a", "ReceiptHandle": got[1]["ReceiptHandle"]},
                                {"Id": "b", "ReceiptHandle": got[2]["ReceiptHandle"]}]))[1]
        self.assertEqual(len(res["Successful"]), 2)
        s.aws("sqs", "tag-queue", "--queue-url", url, "--tags", "a=1")
        self.assertEqual(s.aws("sqs", "list-queue-tags", "--queue-url", url)[1]["Tags"], {"a": "1"})
        s.aws("sqs", "untag-queue", "--queue-url", url, "--tag-keys", "a")
        s.aws("sqs", "purge-queue", "--queue-url", url)
        s.aws("sqs", "delete-queue", "--queue-url", url)
        code, _, err = s.aws("sqs", "get-queue-url", "--queue-name", "cli", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("NonExistentQueue", err)


class SqsQueryProtocolTest(ServerTestCase):
    """The older query protocol: form-encoded Action=..., XML answers."""

    def query(self, params, path="/"):
        body = urllib.parse.urlencode(dict(params, Version="2012-11-05")).encode()
        status, headers, data = self.server.http(
            "POST", path, body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
        return status, ET.fromstring(data)

    def test_query_round_trip(self):
        status, root = self.query({"Action": "CreateQueue", "QueueName": "xmlq",
                                   "Attribute.1.Name": "VisibilityTimeout",
                                   "Attribute.1.Value": "45", "Tag.1.Key": "t",
                                   "Tag.1.Value": "v"})
        self.assertEqual(status, 200)
        self.assertEqual(root.tag, NS + "CreateQueueResponse")
        url = root.find(f"{NS}CreateQueueResult/{NS}QueueUrl").text
        self.assertTrue(url.endswith("/000000000000/xmlq"))
        self.assertIsNotNone(root.find(f"{NS}ResponseMetadata/{NS}RequestId"))

        status, root = self.query({"Action": "GetQueueAttributes", "QueueUrl": url,
                                   "AttributeName.1": "VisibilityTimeout",
                                   "AttributeName.2": "QueueArn"})
        attrs = {a.find(NS + "Name").text: a.find(NS + "Value").text
                 for a in root.iter(NS + "Attribute")}
        self.assertEqual(attrs, {"VisibilityTimeout": "45",
                                 "QueueArn": "arn:aws:sqs:us-east-1:000000000000:xmlq"})

        status, root = self.query({"Action": "SendMessage", "QueueUrl": url, "MessageBody": "a&b <c>",
                                   "MessageAttribute.1.Name": "color",
                                   "MessageAttribute.1.Value.DataType": "String",
                                   "MessageAttribute.1.Value.StringValue": "red",
                                   "MessageAttribute.2.Name": "blob",
                                   "MessageAttribute.2.Value.DataType": "Binary",
                                   "MessageAttribute.2.Value.BinaryValue": base64.b64encode(b"\x01\x02").decode()})
        self.assertEqual(status, 200)
        result = root.find(NS + "SendMessageResult")
        self.assertEqual(result.find(NS + "MD5OfMessageBody").text, hashlib.md5(b"a&b <c>").hexdigest())
        self.assertEqual(result.find(NS + "MD5OfMessageAttributes").text, md5_of_attributes({
            "color": {"DataType": "String", "StringValue": "red"},
            "blob": {"DataType": "Binary", "BinaryValue": b"\x01\x02"}}))

        status, root = self.query({"Action": "ReceiveMessage", "QueueUrl": url,
                                   "AttributeName.1": "All", "MessageAttributeName.1": "All",
                                   "MaxNumberOfMessages": "5"})
        msgs = list(root.iter(NS + "Message"))
        self.assertEqual(len(msgs), 1)
        self.assertEqual(msgs[0].find(NS + "Body").text, "a&b <c>")
        sys_attrs = {a.find(NS + "Name").text: a.find(NS + "Value").text
                     for a in msgs[0].findall(NS + "Attribute")}
        self.assertEqual(sys_attrs["ApproximateReceiveCount"], "1")
        mattrs = {a.find(NS + "Name").text: a.find(NS + "Value") for a in msgs[0].findall(NS + "MessageAttribute")}
        self.assertEqual(mattrs["color"].find(NS + "StringValue").text, "red")
        self.assertEqual(mattrs["blob"].find(NS + "BinaryValue").text, base64.b64encode(b"\x01\x02").decode())
        handle = msgs[0].find(NS + "ReceiptHandle").text

        # Sent to the queue's own URL path without a QueueUrl parameter, as old SDKs do.
        status, root = self.query({"Action": "DeleteMessage", "ReceiptHandle": handle},
                                  path="/000000000000/xmlq")
        self.assertEqual(status, 200)
        self.assertEqual(root.tag, NS + "DeleteMessageResponse")

        status, root = self.query({"Action": "SendMessageBatch", "QueueUrl": url,
                                   "SendMessageBatchRequestEntry.1.Id": "one",
                                   "SendMessageBatchRequestEntry.1.MessageBody": "b1",
                                   "SendMessageBatchRequestEntry.2.Id": "two",
                                   "SendMessageBatchRequestEntry.2.MessageBody": "b2",
                                   "SendMessageBatchRequestEntry.2.DelaySeconds": "0"})
        ids = sorted(e.find(NS + "Id").text for e in root.iter(NS + "SendMessageBatchResultEntry"))
        self.assertEqual(ids, ["one", "two"])

        status, root = self.query({"Action": "ListQueues", "QueueNamePrefix": "xml"})
        self.assertEqual([u.text for u in root.iter(NS + "QueueUrl")], [url])

        status, root = self.query({"Action": "ListQueueTags", "QueueUrl": url})
        self.assertEqual([(t.find(NS + "Key").text, t.find(NS + "Value").text)
                          for t in root.iter(NS + "Tag")], [("t", "v")])

        status, root = self.query({"Action": "DeleteQueue", "QueueUrl": url})
        self.assertEqual(status, 200)

    def test_query_errors(self):
        status, root = self.query({"Action": "GetQueueUrl", "QueueName": "nope"})
        self.assertEqual(status, 400)
        self.assertEqual(root.tag, NS + "ErrorResponse")
        self.assertEqual(root.find(f"{NS}Error/{NS}Code").text,
                         "AWS.SimpleQueueService.NonExistentQueue")
        self.assertEqual(root.find(f"{NS}Error/{NS}Type").text, "Sender")
        status, root = self.query({"Action": "CreateQueue", "QueueName": "qe"})
        url = root.find(f"{NS}CreateQueueResult/{NS}QueueUrl").text
        status, root = self.query({"Action": "ReceiveMessage", "QueueUrl": url,
                                   "MaxNumberOfMessages": "20"})
        self.assertEqual(status, 400)
        self.assertEqual(root.find(f"{NS}Error/{NS}Code").text, "InvalidParameterValue")
        status, root = self.query({"Action": "SendMessageBatch", "QueueUrl": url})
        self.assertEqual(root.find(f"{NS}Error/{NS}Code").text,
                         "AWS.SimpleQueueService.EmptyBatchRequest")

    def test_json_error_carries_query_error_header(self):
        status, headers, body = self.server.http(
            "POST", "/", body=json.dumps({"QueueName": "nope"}).encode(),
            headers={"Content-Type": "application/x-amz-json-1.0",
                     "X-Amz-Target": "AmazonSQS.GetQueueUrl"})
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body)["__type"], "com.amazonaws.sqs#QueueDoesNotExist")
        headers = {k.lower(): v for k, v in headers.items()}
        self.assertEqual(headers["x-amzn-query-error"], "AWS.SimpleQueueService.NonExistentQueue;Sender")


class SqsRestartTest(unittest.TestCase):
    def test_acknowledged_message_survives_kill_9(self):
        server = StreamStack().start()
        try:
            sqs = server.client("sqs")
            url = sqs.create_queue(QueueName="durable", Attributes={"VisibilityTimeout": "7"})["QueueUrl"]
            sent = sqs.send_message(QueueUrl=url, MessageBody="keep me")
            sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "batch"}])
            server.kill()
            server.start()
            sqs = server.client("sqs")
            url = sqs.get_queue_url(QueueName="durable")["QueueUrl"]
            attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
            self.assertEqual(attrs["VisibilityTimeout"], "7")
            self.assertEqual(attrs["ApproximateNumberOfMessages"], "2")
            got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10)["Messages"]
            self.assertEqual(sorted(m["Body"] for m in got), ["batch", "keep me"])
            self.assertIn(sent["MessageId"], [m["MessageId"] for m in got])
            self.assertEqual(server.stop(), 0)
        finally:
            server.stop()
            import shutil
            shutil.rmtree(server.data_dir, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
