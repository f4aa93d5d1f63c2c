"""Every SNS operation StreamStack serves, on the wire.

SNS speaks only the query protocol, in both client generations; the same file runs with
both. boto3 calls every operation (empty results included) and each of its error classes;
raw requests check every answer's XML element by element against botocore's model of SNS and
reach the errors botocore's own validation keeps clients from sending; the aws CLI covers the
empty answers.
"""
import json
import types
import uuid

from botocore import xform_name

from harness import ServerTestCase, wait_until
from test_sns import Endpoint
from test_sqs_wire import QueryClient, error_parts, query_model, response_problems

SNS_NS = "http://sns.amazonaws.com/doc/2010-03-31/"
ACCOUNT = "000000000000"
ARN = f"arn:aws:sns:us-east-1:{ACCOUNT}:"

# The operations StreamStack serves for SNS.
SERVED_OPERATIONS = [
    "CreateTopic", "DeleteTopic", "ListTopics", "GetTopicAttributes", "SetTopicAttributes",
    "Subscribe", "ConfirmSubscription", "Unsubscribe", "ListSubscriptions",
    "ListSubscriptionsByTopic", "GetSubscriptionAttributes", "SetSubscriptionAttributes",
    "Publish", "ListTagsForResource"]

# The exception class botocore raises for each code (the model's error shapes).
EXCEPTION = {"InvalidParameter": "InvalidParameterException", "NotFound": "NotFoundException",
             "ResourceNotFound": "ResourceNotFoundException"}


def is_uuid(text):
    try:
        uuid.UUID(text)
        return True
    except (TypeError, ValueError):
        return False


def topic_attributes(c):
    def check(attrs):
        return (attrs["TopicArn"] == c.topic and attrs["Owner"] == ACCOUNT and
                attrs["SubscriptionsConfirmed"] == "0" and attrs["DisplayName"] == "" and
                json.loads(attrs["Policy"])["Statement"][0]["Resource"] == c.topic)
    return check


def subscription(c, arn, protocol, endpoint):
    return {"SubscriptionArn": arn, "Owner": ACCOUNT, "Protocol": protocol,
            "Endpoint": endpoint, "TopicArn": c.topic}


# Every operation once, in an order where each step uses what the earlier ones made:
# (method, kwargs from the context, the exact answer; a callable value is a predicate).
STEPS = [
    ("list_topics", lambda c: {}, lambda c: {"Topics": []}),
    ("list_subscriptions", lambda c: {}, lambda c: {"Subscriptions": []}),
    ("create_topic", lambda c: {"Name": "wire-topic", "Tags": [{"Key": "team", "Value": "a"}]},
     lambda c: {"TopicArn": c.topic}),
    ("create_topic", lambda c: {"Name": "wire-plain"}, lambda c: {"TopicArn": c.plain}),
    ("list_topics", lambda c: {},
     lambda c: {"Topics": [{"TopicArn": c.plain}, {"TopicArn": c.topic}]}),
    ("list_tags_for_resource", lambda c: {"ResourceArn": c.topic},
     lambda c: {"Tags": [{"Key": "team", "Value": "a"}]}),
    ("list_tags_for_resource", lambda c: {"ResourceArn": c.plain}, lambda c: {"Tags": []}),
    ("get_topic_attributes", lambda c: {"TopicArn": c.topic},
     lambda c: {"Attributes": topic_attributes(c)}),
    ("set_topic_attributes", lambda c: {"TopicArn": c.topic, "AttributeName": "DisplayName",
                                        "AttributeValue": "Wire & <co>"}, lambda c: {}),
    ("list_subscriptions_by_topic", lambda c: {"TopicArn": c.topic},
     lambda c: {"Subscriptions": []}),
    ("subscribe", lambda c: {"TopicArn": c.topic, "Protocol": "sqs", "Endpoint": c.queue_arn},
     lambda c: {"SubscriptionArn": lambda arn: arn.startswith(c.topic + ":")}),
    ("subscribe", lambda c: {"TopicArn": c.topic, "Protocol": "http", "Endpoint": c.http},
     lambda c: {"SubscriptionArn": "pending confirmation"}),
    ("list_subscriptions_by_topic", lambda c: {"TopicArn": c.topic},
     lambda c: {"Subscriptions": lambda subs: sorted(subs, key=lambda s: s["Protocol"]) == [
         subscription(c, "PendingConfirmation", "http", c.http),
         subscription(c, c.sqs_sub, "sqs", c.queue_arn)]}),
    ("confirm_subscription", lambda c: {"TopicArn": c.topic, "Token": c.token},
     lambda c: {"SubscriptionArn": lambda arn: arn.startswith(c.topic + ":")}),
    ("list_subscriptions", lambda c: {},
     lambda c: {"Subscriptions": lambda subs: sorted(s["SubscriptionArn"] for s in subs) ==
                sorted([c.sqs_sub, c.http_sub])}),
    ("get_subscription_attributes", lambda c: {"SubscriptionArn": c.sqs_sub},
     lambda c: {"Attributes": lambda attrs: (attrs["SubscriptionArn"], attrs["Protocol"],
                                             attrs["RawMessageDelivery"]) ==
                (c.sqs_sub, "sqs", "false")}),
    ("set_subscription_attributes", lambda c: {"SubscriptionArn": c.sqs_sub,
                                               "AttributeName": "RawMessageDelivery",
                                               "AttributeValue": "true"}, lambda c: {}),
    ("publish", lambda c: {"TopicArn": c.topic, "Message": "hello", "Subject": "s"},
     lambda c: {"MessageId": is_uuid}),
    ("unsubscribe", lambda c: {"SubscriptionArn": c.sqs_sub}, lambda c: {}),
    ("delete_topic", lambda c: {"TopicArn": c.topic}, lambda c: {}),
]


# Each error class of each operation: (method, kwargs, Code, HTTP status, Message).
ERRORS = [
    ("create_topic", lambda c: {"Name": "bad name"}, "InvalidParameter", 400,
     "Invalid parameter: Topic Name"),
    ("delete_topic", lambda c: {"TopicArn": "randomstring"}, "InvalidParameter", 400,
     "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1"),
    ("list_topics", lambda c: {"NextToken": "bogus"}, "InvalidParameter", 400,
     "Invalid parameter: NextToken"),
    ("get_topic_attributes", lambda c: {"TopicArn": c.missing}, "NotFound", 404,
     "Topic does not exist"),
    ("get_topic_attributes", lambda c: {"TopicArn": "arn:aws:sns"}, "InvalidParameter", 400,
     "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 3"),
    ("set_topic_attributes", lambda c: {"TopicArn": c.missing, "AttributeName": "DisplayName",
                                        "AttributeValue": "x"}, "NotFound", 404,
     "Topic does not exist"),
    ("set_topic_attributes", lambda c: {"TopicArn": c.topic, "AttributeName": "Bogus",
                                        "AttributeValue": "x"}, "InvalidParameter", 400,
     "Invalid parameter: AttributeName"),
    ("subscribe", lambda c: {"TopicArn": c.missing, "Protocol": "sqs", "Endpoint": c.queue_arn},
     "NotFound", 404, "Topic does not exist"),
    ("subscribe", lambda c: {"TopicArn": c.topic, "Protocol": "carrier-pigeon", "Endpoint": "x"},
     "InvalidParameter", 400,
     "Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon"),
    ("subscribe", lambda c: {"TopicArn": c.topic, "Protocol": "sqs", "Endpoint": "http://q"},
     "InvalidParameter", 400, "Invalid parameter: SQS endpoint ARN"),
    ("subscribe", lambda c: {"TopicArn": "arn:aws:sns:us-east-1:random", "Protocol": "sqs",
                             "Endpoint": c.queue_arn}, "InvalidParameter", 400,
     "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 5"),
    ("confirm_subscription", lambda c: {"TopicArn": c.topic, "Token": "wrong"},
     "InvalidParameter", 400, "Invalid parameter: Token"),
    ("confirm_subscription", lambda c: {"TopicArn": c.missing, "Token": "wrong"}, "NotFound", 404,
     "Topic does not exist"),
    ("unsubscribe", lambda c: {"SubscriptionArn": c.topic + ":" + str(uuid.uuid4())}, "NotFound",
     404, "Subscription does not exist"),
    ("unsubscribe", lambda c: {"SubscriptionArn": "randomstring"}, "InvalidParameter", 400,
     "Invalid parameter: SubscriptionArn Reason: An ARN must have at least 6 elements, not 1"),
    ("unsubscribe", lambda c: {"SubscriptionArn": f"arn:aws:sns:us-east-1:{ACCOUNT}:random"},
     "InvalidParameter", 400, "Invalid parameter: SubscriptionId"),
    ("list_subscriptions", lambda c: {"NextToken": "-"}, "InvalidParameter", 400,
     "Invalid parameter: NextToken"),
    ("list_subscriptions_by_topic", lambda c: {"TopicArn": c.missing}, "NotFound", 404,
     "Topic does not exist"),
    ("get_subscription_attributes", lambda c: {"SubscriptionArn": c.topic + ":nope"},
     "NotFound", 404, "Subscription does not exist"),
    ("set_subscription_attributes", lambda c: {"SubscriptionArn": c.topic + ":nope",
                                               "AttributeName": "RawMessageDelivery",
                                               "AttributeValue": "true"},
     "NotFound", 404, "Subscription does not exist"),
    ("set_subscription_attributes", lambda c: {"SubscriptionArn": c.topic + ":nope",
                                               "AttributeName": "Bogus", "AttributeValue": "1"},
     "InvalidParameter", 400, "Invalid parameter: AttributeName"),
    ("publish", lambda c: {"TopicArn": c.missing, "Message": "x"}, "NotFound", 404,
     "Topic does not exist"),
    ("publish", lambda c: {"TopicArn": c.topic, "Message": ""}, "InvalidParameter", 400,
     "Invalid parameter: Empty message"),
    ("publish", lambda c: {"TopicArn": c.topic, "Message": "x", "Subject": "s" * 101},
     "InvalidParameter", 400, "Invalid parameter: Subject"),
    ("publish", lambda c: {"TopicArn": c.topic, "Message": '{"sqs": "x"}',
                           "MessageStructure": "json"}, "InvalidParameter", 400,
     "Invalid parameter: Message Structure - No default entry in JSON message body"),
    ("publish", lambda c: {"TopicArn": c.topic, "Message": "{not json",
                           "MessageStructure": "json"}, "InvalidParameter", 400,
     "Invalid parameter: Message Structure - JSON message body failed to parse"),
    ("publish", lambda c: {"TopicArn": "arn:wrong", "Message": "x"}, "InvalidParameter", 400,
     "Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 2"),
    ("list_tags_for_resource", lambda c: {"ResourceArn": c.missing}, "ResourceNotFound", 404,
     "Resource does not exist"),
]


class SnsBoto3EveryOperationTest(ServerTestCase):
    """Every operation and its empty results through boto3."""

    def setUp(self):
        self.sns = self.server.client("sns")
        self.sqs = self.server.client("sqs")

    def assert_answer(self, what, response, expected):
        got = {k: v for k, v in response.items() if k != "ResponseMetadata"}
        self.assertEqual(set(got), set(expected), what)
        for key, want in expected.items():
            if callable(want):
                self.assertTrue(want(got[key]), f"{what}: {key} = {got[key]!r}")
            else:
                self.assertEqual(got[key], want, f"{what}: {key}")

    def test_every_operation_and_its_empty_results(self):
        endpoint = Endpoint()
        try:
            url = self.sqs.create_queue(QueueName="sns-wire")["QueueUrl"]
            c = types.SimpleNamespace(
                topic=ARN + "wire-topic", plain=ARN + "wire-plain", http=endpoint.url,
                queue_arn=f"arn:aws:sqs:us-east-1:{ACCOUNT}:sns-wire", token=None)
            called = set()
            for method, params, expected in STEPS:
                if method == "confirm_subscription":
                    self.assertTrue(wait_until(lambda: endpoint.received, timeout=10))
                    c.token = json.loads(endpoint.received[0][1])["Token"]
                response = getattr(self.sns, method)(**params(c))
                self.assert_answer(f"{method}({params(c)})", response, expected(c))
                called.add(method)
                if method == "subscribe" and params(c)["Protocol"] == "sqs":
                    c.sqs_sub = response["SubscriptionArn"]
                if method == "confirm_subscription":
                    c.http_sub = response["SubscriptionArn"]
            self.assertEqual(called, {xform_name(op) for op in SERVED_OPERATIONS})
            # The raw delivery set above reached the queue.
            got = self.sqs.receive_message(QueueUrl=url, WaitTimeSeconds=2)["Messages"]
            self.assertEqual(got[0]["Body"], "hello")
        finally:
            endpoint.close()



class SnsBoto3ErrorsTest(ServerTestCase):
    """Each error class of each operation through boto3 (a server of its own, so the other
    class starts without topics)."""

    def setUp(self):
        self.sns = self.server.client("sns")

    def test_each_error_class_of_each_operation(self):
        c = types.SimpleNamespace(topic=self.sns.create_topic(Name="wire-errors")["TopicArn"],
                                  missing=ARN + "wire-missing",
                                  queue_arn=f"arn:aws:sqs:us-east-1:{ACCOUNT}:q")
        failing = set()
        for method, params, code, status, message in ERRORS:
            what = f"{method}({params(c)}) -> {code}"
            with self.assertRaises(getattr(self.sns.exceptions, EXCEPTION[code]), msg=what) as cm:
                getattr(self.sns, method)(**params(c))
            response = cm.exception.response
            self.assertEqual((response["Error"]["Type"], response["Error"]["Code"],
                              response["Error"]["Message"]), ("Sender", code, message), what)
            self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], status, what)
            failing.add(method)
        self.assertEqual(failing, {xform_name(op) for op in SERVED_OPERATIONS})


# Every SNS action over raw requests: (Action, params from the context).
QUERY_STEPS = [
    ("ListTopics", lambda c: {}),
    ("ListSubscriptions", lambda c: {}),
    ("CreateTopic", lambda c: {"Name": "xml-topic", "Attributes.entry.1.key": "DisplayName",
                               "Attributes.entry.1.value": "X",
                               "Tags.member.1.Key": "k", "Tags.member.1.Value": "v"}),
    ("ListTopics", lambda c: {}),
    ("GetTopicAttributes", lambda c: {"TopicArn": c.topic}),
    ("SetTopicAttributes", lambda c: {"TopicArn": c.topic, "AttributeName": "DisplayName",
                                      "AttributeValue": "Y"}),
    ("ListTagsForResource", lambda c: {"ResourceArn": c.topic}),
    ("ListSubscriptionsByTopic", lambda c: {"TopicArn": c.topic}),
    ("Subscribe", lambda c: {"TopicArn": c.topic, "Protocol": "sqs",
                             "Endpoint": f"arn:aws:sqs:us-east-1:{ACCOUNT}:xml-q",
                             "Attributes.entry.1.key": "RawMessageDelivery",
                             "Attributes.entry.1.value": "true"}),
    ("ListSubscriptionsByTopic", lambda c: {"TopicArn": c.topic}),
    ("ListSubscriptions", lambda c: {}),
    ("GetSubscriptionAttributes", lambda c: {"SubscriptionArn": c.subscription}),
    ("SetSubscriptionAttributes", lambda c: {"SubscriptionArn": c.subscription,
                                             "AttributeName": "RawMessageDelivery",
                                             "AttributeValue": "false"}),
    ("Publish", lambda c: {"TopicArn": c.topic, "Message": "m",
                           "MessageAttributes.entry.1.Name": "a",
                           "MessageAttributes.entry.1.Value.DataType": "String",
                           "MessageAttributes.entry.1.Value.StringValue": "v"}),
    ("ConfirmSubscription", lambda c: {"TopicArn": c.topic, "Token": c.token}),
    ("Unsubscribe", lambda c: {"SubscriptionArn": c.subscription}),
    ("DeleteTopic", lambda c: {"TopicArn": c.topic}),
]


class SnsQueryWireTest(ServerTestCase):
    """SNS's XML, element by element against botocore's model of SNS."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.model = query_model("sns")

    def setUp(self):
        self.query = QueryClient(self.server, "sns", "2010-03-31")

    def test_every_action_answers_the_models_xml(self):
        self.server.client("sqs").create_queue(QueueName="xml-q")
        endpoint = Endpoint()
        try:
            self.run_steps(endpoint)
        finally:
            endpoint.close()

    def run_steps(self, endpoint):
        c = types.SimpleNamespace(topic=ARN + "xml-topic", subscription=None, token=None)
        seen = set()
        for action, params in QUERY_STEPS:
            if action == "ConfirmSubscription":
                # A pending http subscription gives the token to confirm.
                self.query.call({"Action": "Subscribe", "TopicArn": c.topic, "Protocol": "http",
                                 "Endpoint": endpoint.url})
                self.assertTrue(wait_until(lambda: endpoint.received, timeout=10))
                c.token = json.loads(endpoint.received[0][1])["Token"]
            status, _, root = self.query.call(dict(params(c), Action=action))
            what = f"{action}: {self.query.last_body!r}"
            self.assertEqual(status, 200, what)
            self.assertEqual(response_problems(self.model, action, root, SNS_NS), [], what)
            if action == "Subscribe":
                c.subscription = root.find("{%s}SubscribeResult/{%s}SubscriptionArn" %
                                           (SNS_NS, SNS_NS)).text
            seen.add(action)
        self.assertEqual(seen, set(SERVED_OPERATIONS))

    def test_empty_lists_are_empty_elements(self):
        """AWS writes an empty list as its empty element, which botocore reads as []."""
        self.query.call({"Action": "CreateTopic", "Name": "xml-untagged"})
        for action, params, element in [
                ("ListTagsForResource", {"ResourceArn": ARN + "xml-untagged"}, "Tags"),
                ("ListSubscriptionsByTopic", {"TopicArn": ARN + "xml-untagged"},
                 "Subscriptions")]:
            self.query.call(dict(params, Action=action))
            self.assertIn(f"<{action}Result><{element}/></{action}Result>".encode(),
                          self.query.last_body)

    def test_errors_botocore_does_not_send(self):
        """Missing required parameters (botocore refuses to send them) and unknown actions."""
        cases = [
            ({"Action": "Unsubscribe"}, 400, "InvalidParameter",
             "Invalid parameter: SubscriptionArn Reason: no value for required parameter"),
            ({"Action": "CreateTopic"}, 400, "InvalidParameter",
             "Invalid parameter: Name Reason: no value for required parameter"),
            ({"Action": "GetTopicAttributes"}, 400, "InvalidParameter",
             "Invalid parameter: TopicArn Reason: no value for required parameter"),
            ({"Action": "Publish", "Message": "x"}, 400, "InvalidParameter",
             "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"),
            ({"Action": "ListTagsForResource"}, 400, "InvalidParameter",
             "Invalid parameter: ResourceArn Reason: no value for required parameter"),
            ({"Action": "Publish", "TargetArn": ARN + "nowhere", "Message": "x"}, 404, "NotFound",
             "Topic does not exist"),
            ({"Action": "Explode"}, 400, "InvalidAction",
             "The action Explode is not valid for this endpoint."),
        ]
        for params, status, code, message in cases:
            got_status, headers, root = self.query.call(params)
            what = f"{params}: {self.query.last_body!r}"
            self.assertEqual(got_status, status, what)
            self.assertTrue(headers["content-type"].startswith("text/xml"), what)
            parts = error_parts(self, root, SNS_NS, detail=False)
            self.assertEqual((parts["Type"], parts["Code"], parts["Message"]),
                             ("Sender", code, message), what)

    def test_odd_parameters_get_an_answer(self):
        """Bad input gets AWS's error, never a crash."""
        self.query.call({"Action": "CreateTopic", "Name": "odd"})
        odd = [
            {"Action": "CreateTopic", "Name": "odd", "Attributes.entry.x.key": "a",
             "Tags.member.1.Key": "k"},
            {"Action": "Publish", "TopicArn": ARN + "odd", "Message": "m",
             "MessageAttributes.entry.1.Value.DataType": "Binary",
             "MessageAttributes.entry.1.Value.BinaryValue": "***"},
            {"Action": "Publish", "TopicArn": ARN + "odd", "Message": "m",
             "MessageAttributes.entry": "x", "MessageAttributes.entry.1": "y"},
            {"Action": "ListTopics", "NextToken": "99999999999999999999999"},
            {"Action": "Subscribe", "TopicArn": ARN + "odd", "Protocol": "http",
             "Endpoint": "http://127.0.0.1:1/x", "Attributes.entry.1.key": "Nope"},
        ]
        for params in odd:
            status, _, root = self.query.call(params)
            what = f"{params}: {self.query.last_body!r}"
            self.assertIn(status, (200, 400), what)
            if status == 400:
                self.assertEqual(error_parts(self, root, SNS_NS, detail=False)["Type"], "Sender",
                                 what)
            else:
                self.assertEqual(response_problems(self.model, params["Action"], root, SNS_NS),
                                 [], what)
        status, _, _ = self.query.call({"Action": "ListTopics"})  # still serving
        self.assertEqual(status, 200)


class SnsCliWireTest(ServerTestCase):
    """The aws CLI of the generation under test on empty answers and errors."""

    def test_empty_answers_and_errors(self):
        s = self.server
        topic = s.aws("sns", "create-topic", "--name", "cli-wire")[1]["TopicArn"]
        self.assertEqual(s.aws("sns", "list-tags-for-resource", "--resource-arn", topic)[1],
                         {"Tags": []})
        self.assertEqual(s.aws("sns", "list-subscriptions-by-topic", "--topic-arn", topic)[1],
                         {"Subscriptions": []})
        self.assertEqual(s.aws("sns", "list-subscriptions")[1], {"Subscriptions": []})
        code, out, err = s.aws("sns", "set-topic-attributes", "--topic-arn", topic,
                               "--attribute-name", "DisplayName", "--attribute-value", "d",
                               check=False)
        self.assertEqual((code, out), (0, None), err)
        for args, error in [
                (["get-topic-attributes", "--topic-arn", ARN + "cli-missing"], "NotFound"),
                (["list-tags-for-resource", "--resource-arn", ARN + "cli-missing"],
                 "ResourceNotFound"),
                (["publish", "--topic-arn", topic, "--message", ""], "InvalidParameter")]:
            exit_code, _, err = s.aws("sns", *args, check=False)
            self.assertNotEqual(exit_code, 0, args)
            self.assertIn(f"An error occurred ({error})", err)


if __name__ == "__main__":
    import unittest
    unittest.main()
