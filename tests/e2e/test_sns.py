"""SNS through the real binary: topics, subscriptions, Publish fan-out to SQS (envelope and
raw delivery), http subscribers (confirmation + notification), errors, and the aws CLI."""
import http.server
import json
import threading
import time
import unittest
import urllib.request

import botocore.exceptions

from harness import ServerTestCase, wait_until


class Endpoint:
    """A local http subscriber recording every POST (headers + JSON body)."""

    def __init__(self):
        received = self.received = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append(({k.lower(): v for k, v in self.headers.items()}, body.decode()))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/hook"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class SnsTest(ServerTestCase):
    def setUp(self):
        self.sns = self.server.client("sns")
        self.sqs = self.server.client("sqs")

    def queue(self, name):
        url = self.sqs.create_queue(QueueName=name)["QueueUrl"]
        arn = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, arn

    def error_of(self, fn, **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            fn(**kwargs)
        return cm.exception.response

    def test_operations_not_served_are_named(self):
        # Mobile push, SMS, tags and PublishBatch are not served: InvalidAction naming the call.
        arn = self.sns.create_topic(Name="unserved")["TopicArn"]
        for call, args, operation in (
                (self.sns.publish_batch, dict(TopicArn=arn, PublishBatchRequestEntries=[
                    {"Id": "1", "Message": "m"}]), "PublishBatch"),
                (self.sns.tag_resource, dict(ResourceArn=arn, Tags=[{"Key": "k", "Value": "v"}]),
                 "TagResource"),
                (self.sns.list_platform_applications, {}, "ListPlatformApplications")):
            err = self.error_of(call, **args)
            self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 400)
            self.assertEqual((err["Error"]["Code"], err["Error"]["Message"]), (
                "InvalidAction", f"StreamStack does not serve the SNS operation {operation} "
                "(see the README's list of what is supported)"))

    def test_topics(self):
        arn = self.sns.create_topic(Name="t1")["TopicArn"]
        self.assertEqual(arn, "arn:aws:sns:us-east-1:000000000000:t1")
        self.assertEqual(self.sns.create_topic(Name="t1")["TopicArn"], arn)
        arns = [t["TopicArn"] for page in self.sns.get_paginator("list_topics").paginate()
                for t in page["Topics"]]
        self.assertIn(arn, arns)
        attrs = self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]
        self.assertEqual(attrs["TopicArn"], arn)
        self.assertEqual(attrs["Owner"], "000000000000")
        self.assertEqual(attrs["SubscriptionsConfirmed"], "0")
        self.sns.set_topic_attributes(TopicArn=arn, AttributeName="DisplayName", AttributeValue="Hi")
        self.assertEqual(self.sns.get_topic_attributes(TopicArn=arn)["Attributes"]["DisplayName"], "Hi")
        self.sns.delete_topic(TopicArn=arn)
        with self.assertRaises(self.sns.exceptions.NotFoundException) as cm:
            self.sns.get_topic_attributes(TopicArn=arn)
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], "NotFound")
        self.assertEqual(err["Error"]["Message"], "Topic does not exist")
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], 404)
        self.sns.delete_topic(TopicArn=arn)  # deleting twice succeeds, as on AWS

    def test_list_topics_pages(self):
        for i in range(105):
            self.sns.create_topic(Name=f"page-{i:03d}")
        first = self.sns.list_topics()
        self.assertEqual(len(first["Topics"]), 100)
        self.assertIn("NextToken", first)
        rest = self.sns.list_topics(NextToken=first["NextToken"])
        names = {t["TopicArn"] for t in first["Topics"] + rest["Topics"]}
        self.assertTrue(all(f"arn:aws:sns:us-east-1:000000000000:page-{i:03d}" in names
                            for i in range(105)))

    def test_errors(self):
        with self.assertRaises(self.sns.exceptions.InvalidParameterException) as cm:
            self.sns.create_topic(Name="bad name")
        self.assertEqual(cm.exception.response["Error"]["Message"], "Invalid parameter: Topic Name")
        missing = "arn:aws:sns:us-east-1:000000000000:missing"
        with self.assertRaises(self.sns.exceptions.NotFoundException):
            self.sns.publish(TopicArn=missing, Message="x")
        with self.assertRaises(self.sns.exceptions.NotFoundException):
            self.sns.subscribe(TopicArn=missing, Protocol="sqs", Endpoint="arn:aws:sqs:us-east-1:000000000000:q")
        arn = self.sns.create_topic(Name="errs")["TopicArn"]
        err = self.error_of(self.sns.subscribe, TopicArn=arn, Protocol="carrier-pigeon", Endpoint="x")
        self.assertEqual(err["Error"]["Code"], "InvalidParameter")
        self.assertIn("does not support this protocol string", err["Error"]["Message"])
        err = self.error_of(self.sns.publish, TopicArn=arn, Message="")
        self.assertEqual(err["Error"]["Message"], "Invalid parameter: Empty message")
        err = self.error_of(self.sns.unsubscribe, SubscriptionArn=arn + ":nope")
        self.assertEqual(err["Error"]["Code"], "NotFound")

    def test_fan_out_to_sqs_envelope(self):
        topic = self.sns.create_topic(Name="fan")["TopicArn"]
        q1_url, q1 = self.queue("fan-1")
        q2_url, q2 = self.queue("fan-2")
        sub1 = self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=q1)["SubscriptionArn"]
        self.assertTrue(sub1.startswith(topic + ":"))
        sub2 = self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=q2,
                                  Attributes={"RawMessageDelivery": "true"})["SubscriptionArn"]
        subs = self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
        self.assertEqual(sorted(s["SubscriptionArn"] for s in subs), sorted([sub1, sub2]))
        self.assertTrue(all(s["Protocol"] == "sqs" and s["TopicArn"] == topic for s in subs))
        self.assertIn(sub1, [s["SubscriptionArn"] for s in self.sns.list_subscriptions()["Subscriptions"]])
        self.assertEqual(self.sns.get_subscription_attributes(SubscriptionArn=sub2)["Attributes"]["RawMessageDelivery"], "true")

        msg_id = self.sns.publish(TopicArn=topic, Message="payload", Subject="subj",
                                  MessageAttributes={"kind": {"DataType": "String", "StringValue": "k1"}})["MessageId"]
        m1 = self.sqs.receive_message(QueueUrl=q1_url, WaitTimeSeconds=2)["Messages"][0]
        env = json.loads(m1["Body"])
        self.assertEqual(list(env), ["Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp",
                                     "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL",
                                     "MessageAttributes"])
        self.assertEqual(env["Type"], "Notification")
        self.assertEqual(env["MessageId"], msg_id)
        self.assertEqual(env["TopicArn"], topic)
        self.assertEqual(env["Subject"], "subj")
        self.assertEqual(env["Message"], "payload")
        self.assertRegex(env["Timestamp"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertEqual(env["MessageAttributes"], {"kind": {"Type": "String", "Value": "k1"}})
        self.assertIn("Action=Unsubscribe", env["UnsubscribeURL"])
        m2 = self.sqs.receive_message(QueueUrl=q2_url, WaitTimeSeconds=2,
                                      MessageAttributeNames=["All"])["Messages"][0]
        self.assertEqual(m2["Body"], "payload")
        self.assertEqual(m2["MessageAttributes"], {"kind": {"DataType": "String", "StringValue": "k1"}})

        # No subject: the member is absent.
        self.sns.publish(TopicArn=topic, Message="second")
        env = json.loads(self.sqs.receive_message(QueueUrl=q1_url, WaitTimeSeconds=2)["Messages"][0]["Body"])
        self.assertNotIn("Subject", env)
        self.assertNotIn("MessageAttributes", env)
        m2 = self.sqs.receive_message(QueueUrl=q2_url, WaitTimeSeconds=2)["Messages"][0]
        self.assertEqual(m2["Body"], "second")

        self.sns.unsubscribe(SubscriptionArn=sub1)
        self.sns.publish(TopicArn=topic, Message="third")
        self.assertEqual(self.sqs.receive_message(QueueUrl=q2_url, WaitTimeSeconds=2)["Messages"][0]["Body"], "third")
        self.assertNotIn("Messages", self.sqs.receive_message(QueueUrl=q1_url))

    def test_publish_wakes_sqs_long_poll(self):
        topic = self.sns.create_topic(Name="lp")["TopicArn"]
        url, arn = self.queue("lp-q")
        self.sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
        out = {}
        th = threading.Thread(target=lambda: out.update(
            r=self.server.client("sqs").receive_message(QueueUrl=url, WaitTimeSeconds=10)))
        th.start()
        time.sleep(0.3)
        t = time.monotonic()
        self.sns.publish(TopicArn=topic, Message="ping")
        th.join(12)
        self.assertLess(time.monotonic() - t, 3)
        self.assertEqual(json.loads(out["r"]["Messages"][0]["Body"])["Message"], "ping")

    def test_http_subscription_confirm_and_notify(self):
        ep = Endpoint()
        try:
            topic = self.sns.create_topic(Name="web")["TopicArn"]
            res = self.sns.subscribe(TopicArn=topic, Protocol="http", Endpoint=ep.url)
            self.assertEqual(res["SubscriptionArn"], "pending confirmation")
            self.assertTrue(wait_until(lambda: ep.received, timeout=10))
            headers, body = ep.received[0]
            self.assertEqual(headers["x-amz-sns-message-type"], "SubscriptionConfirmation")
            confirmation = json.loads(body)
            self.assertEqual(confirmation["Type"], "SubscriptionConfirmation")
            self.assertEqual(confirmation["TopicArn"], topic)
            subs = self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
            self.assertEqual(subs[0]["SubscriptionArn"], "PendingConfirmation")
            # The subscriber visits SubscribeURL (a GET with the query protocol).
            with urllib.request.urlopen(confirmation["SubscribeURL"], timeout=5) as resp:
                self.assertEqual(resp.status, 200)
                self.assertIn(b"ConfirmSubscriptionResponse", resp.read())
            sub = self.sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"][0]["SubscriptionArn"]
            self.assertTrue(sub.startswith(topic + ":"))
            msg_id = self.sns.publish(TopicArn=topic, Message="to the web", Subject="s")["MessageId"]
            self.assertTrue(wait_until(lambda: len(ep.received) >= 2, timeout=10))
            headers, body = ep.received[1]
            self.assertEqual(headers["x-amz-sns-message-type"], "Notification")
            self.assertEqual(headers["x-amz-sns-message-id"], msg_id)
            self.assertEqual(headers["x-amz-sns-topic-arn"], topic)
            self.assertEqual(headers["x-amz-sns-subscription-arn"], sub)
            env = json.loads(body)
            self.assertEqual((env["Type"], env["Message"], env["Subject"]), ("Notification", "to the web", "s"))
            err = self.error_of(self.sns.confirm_subscription, TopicArn=topic, Token="wrong")
            self.assertEqual(err["Error"]["Code"], "InvalidParameter")
        finally:
            ep.close()

    def test_cli(self):
        s = self.server
        topic = s.aws("sns", "create-topic", "--name", "cli-topic")[1]["TopicArn"]
        self.assertIn(topic, [t["TopicArn"] for t in s.aws("sns", "list-topics")[1]["Topics"]])
        url, arn = self.queue("cli-q")
        sub = s.aws("sns", "subscribe", "--topic-arn", topic, "--protocol", "sqs",
                    "--notification-endpoint", arn)[1]["SubscriptionArn"]
        self.assertIn(sub, [x["SubscriptionArn"] for x in s.aws("sns", "list-subscriptions")[1]["Subscriptions"]])
        self.assertEqual(len(s.aws("sns", "list-subscriptions-by-topic", "--topic-arn", topic)[1]["Subscriptions"]), 1)
        self.assertEqual(s.aws("sns", "get-topic-attributes", "--topic-arn", topic)[1]["Attributes"]["SubscriptionsConfirmed"], "1")
        mid = s.aws("sns", "publish", "--topic-arn", topic, "--message", "from cli",
                    "--message-attributes", '{"a":{"DataType":"Number","StringValue":"1"}}')[1]["MessageId"]
        body = json.loads(self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"][0]["Body"])
        self.assertEqual((body["MessageId"], body["Message"]), (mid, "from cli"))
        s.aws("sns", "unsubscribe", "--subscription-arn", sub)
        s.aws("sns", "delete-topic", "--topic-arn", topic)
        code, _, err = s.aws("sns", "get-topic-attributes", "--topic-arn", topic, check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("NotFound", err)


if __name__ == "__main__":
    unittest.main()
