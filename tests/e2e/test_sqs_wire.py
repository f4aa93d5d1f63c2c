"""Every SQS operation StreamStack serves, on the wire.

The same file runs with both client generations: the newest botocore speaks SQS's JSON
protocol, Debian's botocore 1.29 (and the aws CLI v2.9) the query protocol, so the boto3
tables below check every operation, its empty results and each of its error classes over
whichever protocol the installed client speaks. The raw tables speak both protocols
themselves, whatever the client: query-protocol XML is checked element by element against
botocore's query model of SQS, JSON errors against what AWS sends (__type and the
x-amzn-query-error header). The aws CLI covers the answers that broke old clients.

This module also holds the XML checks test_sns_wire.py uses.
"""
import glob
import hashlib
import json
import os
import types
import urllib.parse
import uuid
import xml.etree.ElementTree as ET

import botocore.exceptions
import botocore.model
import botocore.session
from botocore import xform_name

from harness import ServerTestCase
from test_sqs import md5_of_attributes

SQS_NS = "http://queue.amazonaws.com/doc/2012-11-05/"
ACCOUNT = "000000000000"

# Where Debian keeps botocore's models: python3-botocore's, and the copy the aws CLI v2
# carries. The newest botocore only has SQS's JSON model, whose shapes do not say how the
# query protocol writes them.
_DEBIAN_BOTOCORE_DATA = ("/usr/lib/python3/dist-packages/botocore/data",
                         "/usr/lib/python3/dist-packages/awscli/botocore/data")


def query_model(service):
    """botocore's model of `service` in the query protocol: the installed one when it speaks
    it, else one of Debian's. None when the machine has neither; the tests then check the
    XML against their own tables only."""
    model = botocore.session.get_session().get_service_model(service)
    if model.protocol == "query":
        return model
    for data in _DEBIAN_BOTOCORE_DATA:
        for path in sorted(glob.glob(os.path.join(data, service, "*", "service-2.json"))):
            with open(path) as f:
                candidate = botocore.model.ServiceModel(json.load(f), service_name=service)
            if candidate.protocol == "query":
                return candidate
    return None


def local(tag):
    return tag.split("}", 1)[-1]


def _xml_name(shape, member_name):
    """The element botocore's QueryParser looks a structure member up by."""
    if shape.type_name == "list" and shape.serialization.get("flattened"):
        item = shape.member.serialization.get("name")
        if item:
            return item
    return shape.serialization.get("name", member_name)


def _check_structure(shape, elem, path, problems):
    members = {_xml_name(m, name): (i, m) for i, (name, m) in enumerate(shape.members.items())}
    last = -1
    for child in elem:
        tag = local(child.tag)
        if tag not in members:
            problems.append(f"{path}/{tag}: not a member of {shape.name}")
            continue
        index, member = members[tag]
        if index < last:
            problems.append(f"{path}/{tag}: not in the model's member order")
        last = index
        _check_value(member, child, f"{path}/{tag}", problems)


def _check_value(shape, elem, path, problems):
    kind = shape.type_name
    if kind == "structure":
        _check_structure(shape, elem, path, problems)
    elif kind == "list":
        if shape.serialization.get("flattened"):
            _check_value(shape.member, elem, path, problems)  # one item per element
            return
        item = shape.member.serialization.get("name", "member")
        for child in elem:
            if local(child.tag) != item:
                problems.append(f"{path}/{local(child.tag)}: a list item must be <{item}>")
            _check_value(shape.member, child, f"{path}/{item}", problems)
    elif kind == "map":
        key = shape.key.serialization.get("name", "key")
        value = shape.value.serialization.get("name", "value")
        entries = [elem] if shape.serialization.get("flattened") else list(elem)
        for entry in entries:
            if entry is not elem and local(entry.tag) != "entry":
                problems.append(f"{path}/{local(entry.tag)}: a map entry must be <entry>")
            tags = [local(c.tag) for c in entry]
            if tags != [key, value]:
                problems.append(f"{path}: a map entry holds {tags}, not [{key}, {value}]")
            else:
                _check_value(shape.value, entry[1], f"{path}/{value}", problems)
    else:
        if len(elem):
            problems.append(f"{path}: a {kind} with child elements")
        elif kind == "boolean" and elem.text not in ("true", "false"):
            problems.append(f"{path}: {elem.text!r} is not a boolean")
        elif kind == "integer" and not (elem.text or "").lstrip("-").isdigit():
            problems.append(f"{path}: {elem.text!r} is not an integer")


def response_problems(model, operation, root, namespace):
    """What in a query-protocol answer differs from `model`: the envelope, the result wrapper
    (present, even empty, exactly when the operation has an output) and every element in it."""
    problems = []
    if root.tag != "{%s}%sResponse" % (namespace, operation):
        problems.append(f"root is {root.tag}")
    children = [local(c.tag) for c in root]
    output = model.operation_model(operation).output_shape
    if output is None:
        if children != ["ResponseMetadata"]:
            problems.append(f"{operation} has no result, but the answer holds {children}")
        return problems
    wrapper = output.serialization["resultWrapper"]
    if children != [wrapper, "ResponseMetadata"]:
        problems.append(f"{operation} must answer [{wrapper}, ResponseMetadata], not {children}")
        return problems
    _check_structure(output, root[0], wrapper, problems)
    request_id = root.find("{%s}ResponseMetadata/{%s}RequestId" % (namespace, namespace))
    if request_id is None or not request_id.text:
        problems.append("no ResponseMetadata/RequestId")
    return problems


def error_parts(test, root, namespace, detail):
    """Checks AWS's query error envelope (<ErrorResponse><Error><Type/><Code/><Message/>
    [<Detail/>]</Error><RequestId/></ErrorResponse>) and returns its Error's texts."""
    test.assertEqual(root.tag, "{%s}ErrorResponse" % namespace)
    test.assertEqual([local(c.tag) for c in root], ["Error", "RequestId"])
    error = root[0]
    expected = ["Type", "Code", "Message"] + (["Detail"] if detail else [])
    test.assertEqual([local(c.tag) for c in error][:len(expected)], expected)
    test.assertTrue(root[1].text)
    return {local(c.tag): c.text for c in error}


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


# The JSON protocol's __type for each query-protocol code (what botocore reports as
# QueryErrorCode): the model's exception shape, or AWS's name for the common errors.
JSON_TYPE = {
    "AWS.SimpleQueueService.NonExistentQueue": "QueueDoesNotExist",
    "QueueAlreadyExists": "QueueNameExists",
    "InvalidParameterValue": "InvalidParameterValueException",
    "MissingParameter": "MissingRequiredParameterException",
    "InvalidAttributeName": "InvalidAttributeName",
    "InvalidAttributeValue": "InvalidAttributeValue",
    "InvalidMessageContents": "InvalidMessageContents",
    "ReceiptHandleIsInvalid": "ReceiptHandleIsInvalid",
    "AWS.SimpleQueueService.MessageNotInflight": "MessageNotInflight",
    "AWS.SimpleQueueService.EmptyBatchRequest": "EmptyBatchRequest",
    "AWS.SimpleQueueService.TooManyEntriesInBatchRequest": "TooManyEntriesInBatchRequest",
    "AWS.SimpleQueueService.BatchEntryIdsNotDistinct": "BatchEntryIdsNotDistinct",
    "AWS.SimpleQueueService.InvalidBatchEntryId": "InvalidBatchEntryId",
    "AWS.SimpleQueueService.BatchRequestTooLong": "BatchRequestTooLong",
    "AWS.SimpleQueueService.PurgeQueueInProgress": "PurgeQueueInProgress",
    "AWS.SimpleQueueService.UnsupportedOperation": "UnsupportedOperation",
}

# The operations StreamStack serves for SQS.
SERVED_OPERATIONS = [
    "CreateQueue", "GetQueueUrl", "GetQueueAttributes", "SetQueueAttributes", "ListQueues",
    "DeleteQueue", "PurgeQueue", "TagQueue", "UntagQueue", "ListQueueTags", "SendMessage",
    "SendMessageBatch", "ReceiveMessage", "DeleteMessage", "DeleteMessageBatch",
    "ChangeMessageVisibility", "ChangeMessageVisibilityBatch"]

NO_QUEUE = "The specified queue does not exist."
# AWS words it so over the query protocol only.
NO_QUEUE_QUERY = "The specified queue does not exist for this wsdl version."


def is_uuid(text):
    try:
        uuid.UUID(text)
        return True
    except (TypeError, ValueError):
        return False


ATTRIBUTES = {"k": {"DataType": "String", "StringValue": "v"},
              "b": {"DataType": "Binary", "BinaryValue": b"\x00\xff"}}

# Every operation once, in an order where each step uses what the earlier ones made:
# (method, kwargs from the context, the members the answer must have). An expected value
# that is callable is a predicate; an empty list counts as absent (the JSON protocol sends
# "Failed": [], the query protocol nothing).
STEPS = [
    ("create_queue", lambda c: {"QueueName": "wire-ops", "Attributes": {"VisibilityTimeout": "30"}},
     lambda c: {"QueueUrl": c.url}),
    ("get_queue_url", lambda c: {"QueueName": "wire-ops"}, lambda c: {"QueueUrl": c.url}),
    ("get_queue_attributes", lambda c: {"QueueUrl": c.url}, lambda c: {}),
    ("get_queue_attributes",
     lambda c: {"QueueUrl": c.url, "AttributeNames": ["VisibilityTimeout", "QueueArn"]},
     lambda c: {"Attributes": {"VisibilityTimeout": "30", "QueueArn": c.arn}}),
    ("set_queue_attributes", lambda c: {"QueueUrl": c.url, "Attributes": {"DelaySeconds": "0"}},
     lambda c: {}),
    ("list_queues", lambda c: {"QueueNamePrefix": "wire-none"}, lambda c: {}),
    ("list_queues", lambda c: {"QueueNamePrefix": "wire-ops"}, lambda c: {"QueueUrls": [c.url]}),
    ("list_queue_tags", lambda c: {"QueueUrl": c.url}, lambda c: {}),
    ("tag_queue", lambda c: {"QueueUrl": c.url, "Tags": {"team": "a", "env": "ci"}},
     lambda c: {}),
    ("list_queue_tags", lambda c: {"QueueUrl": c.url},
     lambda c: {"Tags": {"team": "a", "env": "ci"}}),
    ("untag_queue", lambda c: {"QueueUrl": c.url, "TagKeys": ["team", "env"]}, lambda c: {}),
    ("list_queue_tags", lambda c: {"QueueUrl": c.url}, lambda c: {}),
    ("receive_message", lambda c: {"QueueUrl": c.url}, lambda c: {}),
    ("send_message",
     lambda c: {"QueueUrl": c.url, "MessageBody": "one & <two>",
                "MessageAttributes": ATTRIBUTES},
     lambda c: {"MessageId": is_uuid, "MD5OfMessageBody": md5("one & <two>"),
                "MD5OfMessageAttributes": md5_of_attributes(ATTRIBUTES)}),
    ("send_message_batch",
     lambda c: {"QueueUrl": c.url, "Entries": [{"Id": "a", "MessageBody": "b1"},
                                               {"Id": "b", "MessageBody": "b2"}]},
     lambda c: {"Successful": lambda entries: sorted(
         (e["Id"], e["MD5OfMessageBody"], is_uuid(e["MessageId"]), len(e)) for e in entries) ==
         [("a", md5("b1"), True, 3), ("b", md5("b2"), True, 3)]}),
    ("receive_message",
     lambda c: {"QueueUrl": c.url, "MaxNumberOfMessages": 10, "AttributeNames": ["All"],
                "MessageAttributeNames": ["All"]},
     lambda c: {"Messages": lambda messages: sorted(m["Body"] for m in messages) ==
                ["b1", "b2", "one & <two>"]}),
    ("change_message_visibility",
     lambda c: {"QueueUrl": c.url, "ReceiptHandle": c.handles["b1"], "VisibilityTimeout": 60},
     lambda c: {}),
    ("change_message_visibility_batch",
     lambda c: {"QueueUrl": c.url, "Entries": [
         {"Id": "ok", "ReceiptHandle": c.handles["b2"], "VisibilityTimeout": 60},
         {"Id": "bad", "ReceiptHandle": "garbage", "VisibilityTimeout": 60}]},
     lambda c: {"Successful": [{"Id": "ok"}],
                "Failed": lambda failed: [(f["Id"], f["SenderFault"], f["Code"]) for f in failed]
                == [("bad", True, "ReceiptHandleIsInvalid")]}),
    ("delete_message", lambda c: {"QueueUrl": c.url, "ReceiptHandle": c.handles["b1"]},
     lambda c: {}),
    ("delete_message_batch",
     lambda c: {"QueueUrl": c.url, "Entries": [{"Id": "x", "ReceiptHandle": c.handles["b2"]}]},
     lambda c: {"Successful": [{"Id": "x"}]}),
    ("purge_queue", lambda c: {"QueueUrl": c.url}, lambda c: {}),
    ("delete_queue", lambda c: {"QueueUrl": c.url}, lambda c: {}),
]


# Each error class of each operation: (method, kwargs, query-protocol Code, HTTP status,
# Message or None when only its code is AWS's). The queue "wire-errors" exists and holds one
# message that was received and made visible again.
def _batch(n, **entry):
    return [dict({"Id": f"e{i}", "MessageBody": "x"}, **entry) for i in range(n)]


ERRORS = [
    ("create_queue", lambda c: {"QueueName": "bad name!"}, "InvalidParameterValue", 400, None),
    ("create_queue", lambda c: {"QueueName": "x" * 81}, "InvalidParameterValue", 400, None),
    ("create_queue", lambda c: {"QueueName": "wire-errors",
                                "Attributes": {"VisibilityTimeout": "31"}},
     "QueueAlreadyExists", 400,
     "A queue already exists with the same name and a different value for attribute "
     "VisibilityTimeout"),
    ("create_queue", lambda c: {"QueueName": "wire-x", "Attributes": {"Bogus": "1"}},
     "InvalidAttributeName", 400, "Unknown Attribute Bogus."),
    ("create_queue", lambda c: {"QueueName": "wire-x", "Attributes": {"DelaySeconds": "901"}},
     "InvalidAttributeValue", 400, "Invalid value for the parameter DelaySeconds."),
    ("create_queue", lambda c: {"QueueName": "wire-x.fifo", "Attributes": {"FifoQueue": "true"}},
     "AWS.SimpleQueueService.UnsupportedOperation", 400, None),
    ("get_queue_url", lambda c: {"QueueName": "wire-missing"},
     "AWS.SimpleQueueService.NonExistentQueue", 400, NO_QUEUE),
    ("get_queue_attributes", lambda c: {"QueueUrl": c.missing},
     "AWS.SimpleQueueService.NonExistentQueue", 400, NO_QUEUE),
    ("get_queue_attributes", lambda c: {"QueueUrl": c.url, "AttributeNames": ["Nope"]},
     "InvalidAttributeName", 400, "Unknown Attribute Nope."),
    ("set_queue_attributes", lambda c: {"QueueUrl": c.missing, "Attributes": {"DelaySeconds": "1"}},
     "AWS.SimpleQueueService.NonExistentQueue", 400, NO_QUEUE),
    ("set_queue_attributes", lambda c: {"QueueUrl": c.url, "Attributes": {"DelaySeconds": "-1"}},
     "InvalidAttributeValue", 400, "Invalid value for the parameter DelaySeconds."),
    ("set_queue_attributes", lambda c: {"QueueUrl": c.url, "Attributes": {"Bogus": "1"}},
     "InvalidAttributeName", 400, "Unknown Attribute Bogus."),
    ("list_queues", lambda c: {"MaxResults": 1001}, "InvalidParameterValue", 400,
     "Value 1001 for parameter MaxResults is invalid. Reason: MaxResults must be an integer "
     "between 1 and 1000."),
    ("delete_queue", lambda c: {"QueueUrl": c.missing},
     "AWS.SimpleQueueService.NonExistentQueue", 400, NO_QUEUE),
    ("purge_queue", lambda c: {"QueueUrl": c.missing},
     "AWS.SimpleQueueService.NonExistentQueue", 400, NO_QUEUE),
    ("purge_queue", lambda c: {"QueueUrl": c.purged},
     "AWS.SimpleQueueService.PurgeQueueInProgress", 403,
     "Only one PurgeQueue operation on wire-purged is allowed every 60 seconds."),
    ("tag_queue", lambda c: {"QueueUrl": c.missing, "Tags": {"a": "1"}},
     "AWS.SimpleQueueService.NonExistentQueue", 400, NO_QUEUE),
    ("untag_queue", lambda c: {"QueueUrl": c.missing, "TagKeys": ["a"]},
     "AWS.SimpleQueueService.NonExistentQueue", 400, NO_QUEUE),
    ("list_queue_tags", lambda c: {"QueueUrl": c.missing},
     "AWS.SimpleQueueService.NonExistentQueue", 400, NO_QUEUE),
    ("send_message", lambda c: {"QueueUrl": c.missing, "MessageBody": "x"},
     "AWS.SimpleQueueService.NonExistentQueue", 400, NO_QUEUE),
    ("send_message", lambda c: {"QueueUrl": c.url, "MessageBody": ""}, "MissingParameter", 400,
     "The request must contain the parameter MessageBody."),
    ("send_message", lambda c: {"QueueUrl": c.url, "MessageBody": "x", "DelaySeconds": 901},
     "InvalidParameterValue", 400,
     "Value 901 for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and "
     "<= 900."),
    ("send_message", lambda c: {"QueueUrl": c.url, "MessageBody": "bad \x01"},
     "InvalidMessageContents", 400, None),
    ("send_message_batch", lambda c: {"QueueUrl": c.missing, "Entries": _batch(1)},
     "AWS.SimpleQueueService.NonExistentQueue", 400, NO_QUEUE),
    ("send_message_batch", lambda c: {"QueueUrl": c.url, "Entries": []},
     "AWS.SimpleQueueService.EmptyBatchRequest", 400, None),
    ("send_message_batch", lambda c: {"QueueUrl": c.url, "Entries": _batch(11)},
     "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400,
     "Maximum number of entries per request are 10. You have sent 11."),
    ("send_message_batch", lambda c: {"QueueUrl": c.url, "Entries": _batch(1) + _batch(1)},
     "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400, None),
    ("send_message_batch", lambda c: {"QueueUrl": c.url, "Entries": [{"Id": "a:b",
                                                                       "MessageBody": "x"}]},
     "AWS.SimpleQueueService.InvalidBatchEntryId", 400,
     "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It "
     "can be at most 80 letters long."),
    ("send_message_batch", lambda c: {"QueueUrl": c.url,
                                      "Entries": _batch(2, MessageBody="x" * 600000)},
     "AWS.SimpleQueueService.BatchRequestTooLong", 400,
     "Batch requests cannot be longer than 1048576 bytes. You have sent 1200000 bytes."),
    ("receive_message", lambda c: {"QueueUrl": c.missing},
     "AWS.SimpleQueueService.NonExistentQueue", 400, NO_QUEUE),
    ("receive_message", lambda c: {"QueueUrl": c.url, "MaxNumberOfMessages": 11},
     "InvalidParameterValue", 400,
     "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, "
     "if provided."),
    ("receive_message", lambda c: {"QueueUrl": c.url, "WaitTimeSeconds": 21},
     "InvalidParameterValue", 400,
     "Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if "
     "provided."),
    ("delete_message", lambda c: {"QueueUrl": c.missing, "ReceiptHandle": "x"},
     "AWS.SimpleQueueService.NonExistentQueue", 400, NO_QUEUE),
    ("delete_message", lambda c: {"QueueUrl": c.url, "ReceiptHandle": "garbage"},
     "ReceiptHandleIsInvalid", 400,
     'The input receipt handle "garbage" is not a valid receipt handle.'),
    ("delete_message_batch", lambda c: {"QueueUrl": c.missing,
                                        "Entries": [{"Id": "a", "ReceiptHandle": "x"}]},
     "AWS.SimpleQueueService.NonExistentQueue", 400, NO_QUEUE),
    ("delete_message_batch", lambda c: {"QueueUrl": c.url, "Entries": []},
     "AWS.SimpleQueueService.EmptyBatchRequest", 400, None),
    ("delete_message_batch", lambda c: {"QueueUrl": c.url, "Entries": [
        {"Id": "a", "ReceiptHandle": "x"}, {"Id": "a", "ReceiptHandle": "y"}]},
     "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", 400, None),
    ("change_message_visibility", lambda c: {"QueueUrl": c.missing, "ReceiptHandle": "x",
                                             "VisibilityTimeout": 1},
     "AWS.SimpleQueueService.NonExistentQueue", 400, NO_QUEUE),
    ("change_message_visibility", lambda c: {"QueueUrl": c.url, "ReceiptHandle": "garbage",
                                             "VisibilityTimeout": 1},
     "ReceiptHandleIsInvalid", 400, None),
    ("change_message_visibility", lambda c: {"QueueUrl": c.url, "ReceiptHandle": c.visible_handle,
                                             "VisibilityTimeout": 1},
     "AWS.SimpleQueueService.MessageNotInflight", 400, None),
    ("change_message_visibility_batch",
     lambda c: {"QueueUrl": c.missing,
                "Entries": [{"Id": "a", "ReceiptHandle": "x", "VisibilityTimeout": 1}]},
     "AWS.SimpleQueueService.NonExistentQueue", 400, NO_QUEUE),
    ("change_message_visibility_batch", lambda c: {"QueueUrl": c.url, "Entries": []},
     "AWS.SimpleQueueService.EmptyBatchRequest", 400, None),
    ("change_message_visibility_batch",
     lambda c: {"QueueUrl": c.url, "Entries": [
         {"Id": str(i), "ReceiptHandle": "x", "VisibilityTimeout": 1} for i in range(11)]},
     "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", 400, None),
]


class SqsBoto3EveryOperationTest(ServerTestCase):
    """Every operation and each of its error classes through boto3, over the protocol the
    installed botocore speaks."""

    def setUp(self):
        self.sqs = self.server.client("sqs")
        self.protocol = self.sqs.meta.service_model.protocol

    def queue_url(self, name):
        return f"http://127.0.0.1:{self.server.port}/{ACCOUNT}/{name}"

    def members(self, response):
        return {k: v for k, v in response.items() if k != "ResponseMetadata" and v != []}

    def assert_members(self, what, got, expected):
        self.assertEqual(set(got), set(expected), what)
        for key, want in expected.items():
            if callable(want):
                self.assertTrue(want(got[key]), f"{what}: {key} = {got[key]!r}")
            else:
                self.assertEqual(got[key], want, f"{what}: {key}")

    def test_every_operation_and_its_empty_results(self):
        c = types.SimpleNamespace(url=self.queue_url("wire-ops"), handles={},
                                  arn=f"arn:aws:sqs:us-east-1:{ACCOUNT}:wire-ops")
        called = set()
        for method, params, expected in STEPS:
            what = f"{method}({params(c)})"
            got = self.members(getattr(self.sqs, method)(**params(c)))
            self.assert_members(what, got, expected(c))
            called.add(method)
            if method == "receive_message" and got:
                c.handles = {m["Body"]: m["ReceiptHandle"] for m in got["Messages"]}
                mine = [m for m in got["Messages"] if m["Body"] == "one & <two>"][0]
                self.assertEqual(mine["MessageAttributes"], ATTRIBUTES)
                self.assertEqual(mine["MD5OfMessageAttributes"], md5_of_attributes(ATTRIBUTES))
                self.assertEqual(mine["Attributes"]["ApproximateReceiveCount"], "1")
                self.assertEqual(mine["Attributes"]["SenderId"], ACCOUNT)
        served = {xform_name(op) for op in SERVED_OPERATIONS}
        self.assertEqual(called, served)

    def test_each_error_class_of_each_operation(self):
        c = types.SimpleNamespace(url=self.queue_url("wire-errors"),
                                  missing=self.queue_url("wire-missing"),
                                  purged=self.queue_url("wire-purged"))
        self.sqs.create_queue(QueueName="wire-errors")
        self.sqs.send_message(QueueUrl=c.url, MessageBody="m")
        handle = self.sqs.receive_message(QueueUrl=c.url)["Messages"][0]["ReceiptHandle"]
        self.sqs.change_message_visibility(QueueUrl=c.url, ReceiptHandle=handle,
                                           VisibilityTimeout=0)
        c.visible_handle = handle
        self.sqs.create_queue(QueueName="wire-purged")
        self.sqs.purge_queue(QueueUrl=c.purged)
        exceptions = {shape.name for shape in self.sqs.meta.service_model.error_shapes}
        failing = set()
        for method, params, code, status, message in ERRORS:
            what = f"{method} -> {code}"
            with self.assertRaises(botocore.exceptions.ClientError, msg=what) as cm:
                getattr(self.sqs, method)(**params(c))
            error = cm.exception.response["Error"]
            self.assertEqual(error["Code"], code, what)
            self.assertEqual(error["Type"], "Sender", what)
            self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], status,
                             what)
            if message == NO_QUEUE and self.protocol == "query":
                message = NO_QUEUE_QUERY
            if message is not None:
                self.assertEqual(error["Message"], message, what)
            if self.protocol == "json":
                self.assertEqual(error["QueryErrorCode"], JSON_TYPE[code], what)
            else:
                self.assertIn("Detail", error, what)  # <Detail/>, as AWS sends it
            # A modelled error is raised as its own exception class in both generations.
            shape = JSON_TYPE[code]
            if shape in exceptions:
                self.assertIsInstance(cm.exception, getattr(self.sqs.exceptions, shape), what)
            failing.add(method)
        self.assertEqual(failing, {xform_name(op) for op in SERVED_OPERATIONS})



class QueryClient:
    """Raw query-protocol requests (form-encoded POST or GET), whatever botocore speaks. They
    name their service in a SigV4 credential scope, as every SDK's do (StreamStack accepts any
    signature), so even an unknown Action is answered in the service's XML namespace."""

    def __init__(self, server, service, version):
        self.server = server
        self.version = version
        self.authorization = (f"AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/{service}/"
                              "aws4_request, SignedHeaders=host, Signature=0")

    def call(self, params, path="/", method="POST"):
        params = dict(params, Version=self.version)
        encoded = urllib.parse.urlencode(params)
        headers = {"Authorization": self.authorization}
        if method == "GET":
            status, headers, data = self.server.http("GET", f"{path}?{encoded}", headers=headers)
        else:
            headers["Content-Type"] = "application/x-www-form-urlencoded; charset=utf-8"
            status, headers, data = self.server.http("POST", path, body=encoded.encode(),
                                                     headers=headers)
        headers = {k.lower(): v for k, v in headers.items()}
        self.last_body = data
        return status, headers, ET.fromstring(data)


# Every SQS action over the raw query protocol: (Action, params from the context, whether
# its result element is empty). Actions without a result answer only ResponseMetadata.
QUERY_STEPS = [
    ("CreateQueue", lambda c: {"QueueName": "xml-ops", "Attribute.1.Name": "DelaySeconds",
                               "Attribute.1.Value": "0"}, False),
    ("GetQueueUrl", lambda c: {"QueueName": "xml-ops"}, False),
    ("GetQueueAttributes", lambda c: {"QueueUrl": c.url}, True),
    ("GetQueueAttributes", lambda c: {"QueueUrl": c.url, "AttributeName.1": "All"}, False),
    ("SetQueueAttributes", lambda c: {"QueueUrl": c.url, "Attribute.1.Name": "DelaySeconds",
                                      "Attribute.1.Value": "0"}, None),
    ("ListQueues", lambda c: {"QueueNamePrefix": "xml-none"}, True),
    ("ListQueues", lambda c: {"QueueNamePrefix": "xml-ops", "MaxResults": "1"}, False),
    ("ListQueueTags", lambda c: {"QueueUrl": c.url}, True),
    ("TagQueue", lambda c: {"QueueUrl": c.url, "Tag.1.Key": "k", "Tag.1.Value": "v"}, None),
    ("ListQueueTags", lambda c: {"QueueUrl": c.url}, False),
    ("UntagQueue", lambda c: {"QueueUrl": c.url, "TagKey.1": "k"}, None),
    ("ReceiveMessage", lambda c: {"QueueUrl": c.url}, True),
    ("SendMessage", lambda c: {"QueueUrl": c.url, "MessageBody": "a&b <c>",
                               "MessageAttribute.1.Name": "n",
                               "MessageAttribute.1.Value.DataType": "Number",
                               "MessageAttribute.1.Value.StringValue": "1"}, False),
    ("SendMessageBatch", lambda c: {"QueueUrl": c.url,
                                    "SendMessageBatchRequestEntry.1.Id": "a",
                                    "SendMessageBatchRequestEntry.1.MessageBody": "b1",
                                    "SendMessageBatchRequestEntry.2.Id": "b",
                                    "SendMessageBatchRequestEntry.2.MessageBody": ""}, False),
    ("ReceiveMessage", lambda c: {"QueueUrl": c.url, "MaxNumberOfMessages": "10",
                                  "AttributeName.1": "All", "MessageAttributeName.1": "All"},
     False),
    ("ChangeMessageVisibility", lambda c: {"QueueUrl": c.url, "ReceiptHandle": c.handles[0],
                                           "VisibilityTimeout": "60"}, None),
    ("ChangeMessageVisibilityBatch",
     lambda c: {"QueueUrl": c.url,
                "ChangeMessageVisibilityBatchRequestEntry.1.Id": "a",
                "ChangeMessageVisibilityBatchRequestEntry.1.ReceiptHandle": c.handles[1],
                "ChangeMessageVisibilityBatchRequestEntry.1.VisibilityTimeout": "60"}, False),
    ("DeleteMessage", lambda c: {"QueueUrl": c.url, "ReceiptHandle": c.handles[0]}, None),
    ("DeleteMessageBatch", lambda c: {"QueueUrl": c.url,
                                      "DeleteMessageBatchRequestEntry.1.Id": "a",
                                      "DeleteMessageBatchRequestEntry.1.ReceiptHandle": "bogus"},
     False),
    ("PurgeQueue", lambda c: {"QueueUrl": c.url}, None),
    ("DeleteQueue", lambda c: {"QueueUrl": c.url}, None),
]


class SqsQueryWireTest(ServerTestCase):
    """The query protocol's XML, whatever protocol the installed botocore speaks."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.model = query_model("sqs")

    def setUp(self):
        self.query = QueryClient(self.server, "sqs", "2012-11-05")

    def ns(self, name):
        return "{%s}%s" % (SQS_NS, name)

    def assert_matches_model(self, action, root):
        if self.model is not None:
            self.assertEqual(response_problems(self.model, action, root, SQS_NS), [],
                             self.query.last_body)

    def test_every_action_answers_the_models_xml(self):
        c = types.SimpleNamespace(url=f"http://127.0.0.1:{self.server.port}/{ACCOUNT}/xml-ops",
                                  handles=[])
        seen = set()
        for action, params, empty in QUERY_STEPS:
            status, _, root = self.query.call(dict(params(c), Action=action))
            what = f"{action}: {self.query.last_body!r}"
            self.assertEqual(status, 200, what)
            self.assertEqual(root.tag, self.ns(action + "Response"), what)
            result = root.find(self.ns(action + "Result"))
            if empty is None:
                self.assertIsNone(result, what)
            else:
                self.assertIsNotNone(result, what)
                self.assertEqual(len(result) == 0, empty, what)
            self.assertEqual(local(root[-1].tag), "ResponseMetadata", what)
            self.assert_matches_model(action, root)
            if action == "ReceiveMessage" and not empty:
                c.handles = [m.find(self.ns("ReceiptHandle")).text
                             for m in result.findall(self.ns("Message"))]
                self.assertEqual(len(c.handles), 2, what)  # the empty body was refused
            if action == "SendMessageBatch":
                failed = result.find(self.ns("BatchResultErrorEntry"))
                self.assertEqual([local(e.tag) for e in failed],
                                 ["Id", "SenderFault", "Code", "Message"], what)
                self.assertEqual(failed.find(self.ns("Code")).text, "MissingParameter", what)
            seen.add(action)
        self.assertEqual(seen, set(SERVED_OPERATIONS))

    def test_empty_results_are_empty_elements(self):
        """AWS answers an empty result with the empty wrapper; botocore < 1.31 looks it up."""
        self.query.call({"Action": "CreateQueue", "QueueName": "xml-empty"})
        url = f"http://127.0.0.1:{self.server.port}/{ACCOUNT}/xml-empty"
        for action, params in [("ReceiveMessage", {"QueueUrl": url}),
                               ("ListQueueTags", {"QueueUrl": url}),
                               ("GetQueueAttributes", {"QueueUrl": url}),
                               ("ListQueues", {"QueueNamePrefix": "xml-nothing"})]:
            self.query.call(dict(params, Action=action))
            self.assertIn(f"<{action}Result/><ResponseMetadata>".encode(), self.query.last_body)

    def test_get_requests_to_the_queue_url(self):
        """Older SDKs send queue actions to the queue's own URL, some as GET."""
        self.query.call({"Action": "CreateQueue", "QueueName": "xml-get"})
        path = f"/{ACCOUNT}/xml-get"
        status, _, root = self.query.call({"Action": "SendMessage", "MessageBody": "g"}, path=path,
                                          method="GET")
        self.assertEqual(status, 200)
        self.assert_matches_model("SendMessage", root)
        status, _, root = self.query.call({"Action": "ReceiveMessage"}, path=path, method="GET")
        self.assertEqual(root.find(f"{self.ns('ReceiveMessageResult')}/{self.ns('Message')}/"
                                   f"{self.ns('Body')}").text, "g")
        # AWS: a queue's URL serves only actions on a queue.
        for action in ("CreateQueue", "ListQueues"):
            status, _, root = self.query.call({"Action": action, "QueueName": "q"}, path=path,
                                              method="GET")
            self.assertEqual(status, 400)
            parts = error_parts(self, root, SQS_NS, detail=True)
            self.assertEqual((parts["Code"], parts["Message"]),
                             ("InvalidAction", f"The action {action} is not valid for this "
                                               "endpoint."))

    def test_errors(self):
        self.query.call({"Action": "CreateQueue", "QueueName": "xml-errors"})
        url = f"http://127.0.0.1:{self.server.port}/{ACCOUNT}/xml-errors"
        missing = f"http://127.0.0.1:{self.server.port}/{ACCOUNT}/xml-missing"
        cases = [
            ({"Action": "GetQueueUrl", "QueueName": "xml-missing"}, 400,
             "AWS.SimpleQueueService.NonExistentQueue", NO_QUEUE_QUERY),
            ({"Action": "ReceiveMessage", "QueueUrl": missing}, 400,
             "AWS.SimpleQueueService.NonExistentQueue", NO_QUEUE_QUERY),
            ({"Action": "SendMessage", "QueueUrl": url}, 400, "MissingParameter",
             "The request must contain the parameter MessageBody."),
            ({"Action": "GetQueueAttributes"}, 400, "MissingParameter",
             "The request must contain the parameter QueueUrl."),
            ({"Action": "ReceiveMessage", "QueueUrl": url, "MaxNumberOfMessages": "many"}, 400,
             "InvalidParameterValue",
             "Value many for parameter MaxNumberOfMessages is invalid. Reason: must be an "
             "integer."),
            ({"Action": "GetQueueAttributes", "QueueUrl": url, "AttributeName.1": "Foobar"}, 400,
             "InvalidAttributeName", "Unknown Attribute Foobar."),
            ({"Action": "SendMessageBatch", "QueueUrl": url}, 400,
             "AWS.SimpleQueueService.EmptyBatchRequest",
             "There should be at least one SendMessageBatchRequestEntry in the request."),
            ({"Action": "DeleteMessageBatch", "QueueUrl": url, "Entries": ""}, 400,
             "AWS.SimpleQueueService.EmptyBatchRequest",
             "There should be at least one DeleteMessageBatchRequestEntry in the request."),
            ({"Action": "ChangeMessageVisibility", "QueueUrl": url, "ReceiptHandle": "x"}, 400,
             "MissingParameter", "The request must contain the parameter VisibilityTimeout."),
            ({"Action": "FooBar"}, 400, "InvalidAction",
             "The action FooBar is not valid for this endpoint."),
        ]
        for params, status, code, message in cases:
            got_status, headers, root = self.query.call(params)
            what = f"{params}: {self.query.last_body!r}"
            self.assertEqual(got_status, status, what)
            self.assertTrue(headers["content-type"].startswith("text/xml"), what)
            parts = error_parts(self, root, SQS_NS, detail=True)
            self.assertEqual((parts["Type"], parts["Code"], parts["Message"]),
                             ("Sender", code, message), what)

    def test_odd_parameters_get_an_answer(self):
        """Bad input gets AWS's error, never a crash: keys that collide, nest too deep or skip
        indexes."""
        self.query.call({"Action": "CreateQueue", "QueueName": "xml-odd"})
        url = f"http://127.0.0.1:{self.server.port}/{ACCOUNT}/xml-odd"
        odd = [
            {"Action": "SetQueueAttributes", "QueueUrl": url, "Attribute.1.Name.2": "x",
             "Attribute.1.Value": "1"},
            {"Action": "SetQueueAttributes", "QueueUrl": url, "Attribute": "x"},
            {"Action": "SendMessage", "QueueUrl": url, "MessageBody": "x",
             "MessageAttribute.1.Name": "a", "MessageAttribute.1.Value": "flat"},
            {"Action": "SendMessage", "QueueUrl": url, "MessageBody": "x",
             "MessageAttribute.1.Name.x": "a", "MessageAttribute.1.Value.DataType": "String"},
            {"Action": "SendMessageBatch", "QueueUrl": url,
             "SendMessageBatchRequestEntry.7.Id": "a",
             "SendMessageBatchRequestEntry.7.MessageBody": "x",
             "SendMessageBatchRequestEntry.x.Id": "b"},
            {"Action": "SendMessageBatch", "QueueUrl": url, "SendMessageBatchRequestEntry.1": "x"},
            {"Action": "TagQueue", "QueueUrl": url, "Tag.1.Key.Deep": "k", "Tag.2": "v"},
            {"Action": "ReceiveMessage", "QueueUrl": url, "AttributeName.1.x": "All",
             "MaxNumberOfMessages": "99999999999999999999"},
            {"Action": "ListQueues", "MaxResults": "-5", "NextToken": "%%%"},
            {"Action": "DeleteMessageBatch", "QueueUrl": url,
             "DeleteMessageBatchRequestEntry.1.Id": "", "QueueUrl.1": "x"},
            {"Action": "ChangeMessageVisibility", "QueueUrl": url, "ReceiptHandle": "x",
             "VisibilityTimeout": "1e9"},
        ]
        for params in odd:
            status, _, root = self.query.call(params)
            what = f"{params}: {self.query.last_body!r}"
            self.assertIn(status, (200, 400), what)
            if status == 400:
                parts = error_parts(self, root, SQS_NS, detail=True)
                self.assertEqual(parts["Type"], "Sender", what)
            else:
                self.assert_matches_model(params["Action"], root)
        status, _, _ = self.query.call({"Action": "ListQueues"})  # still serving
        self.assertEqual(status, 200)


class SqsJsonWireTest(ServerTestCase):
    """The JSON protocol's errors, whatever protocol the installed botocore speaks: __type is
    the model's exception (or AWS's name for the common errors) and x-amzn-query-error holds
    the query protocol's code, from which botocore >= 1.31 takes the error's Code."""

    def call(self, operation, body):
        status, headers, data = self.server.http(
            "POST", "/", body=json.dumps(body).encode(),
            headers={"Content-Type": "application/x-amz-json-1.0",
                     "X-Amz-Target": f"AmazonSQS.{operation}"})
        return status, {k.lower(): v for k, v in headers.items()}, json.loads(data or b"{}")

    def test_errors_carry_type_and_query_code(self):
        self.call("CreateQueue", {"QueueName": "json-errors"})
        url = f"http://127.0.0.1:{self.server.port}/{ACCOUNT}/json-errors"
        cases = [
            ("GetQueueUrl", {"QueueName": "json-missing"}, 400,
             "AWS.SimpleQueueService.NonExistentQueue", NO_QUEUE),
            ("SendMessage", {"QueueUrl": url}, 400, "MissingParameter",
             "The request must contain the parameter MessageBody."),
            ("ReceiveMessage", {"QueueUrl": url, "MaxNumberOfMessages": 0}, 400,
             "InvalidParameterValue",
             "Value 0 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 "
             "and 10, if provided."),
            ("CreateQueue", {"QueueName": "json-errors", "Attributes": {"DelaySeconds": "5"}},
             400, "QueueAlreadyExists", None),
            ("GetQueueAttributes", {"QueueUrl": url, "AttributeNames": ["Nope"]}, 400,
             "InvalidAttributeName", "Unknown Attribute Nope."),
            ("DeleteMessageBatch", {"QueueUrl": url, "Entries": []}, 400,
             "AWS.SimpleQueueService.EmptyBatchRequest", None),
            ("DeleteMessage", {"QueueUrl": url, "ReceiptHandle": "garbage"}, 400,
             "ReceiptHandleIsInvalid", None),
        ]
        for operation, body, status, code, message in cases:
            got_status, headers, error = self.call(operation, body)
            what = f"{operation}: {error}"
            self.assertEqual(got_status, status, what)
            self.assertEqual(error["__type"], f"com.amazonaws.sqs#{JSON_TYPE[code]}", what)
            self.assertEqual(headers["x-amzn-query-error"], f"{code};Sender", what)
            if message is not None:
                self.assertEqual(error["message"], message, what)

    def test_empty_results_are_empty_objects(self):
        self.call("CreateQueue", {"QueueName": "json-empty"})
        url = f"http://127.0.0.1:{self.server.port}/{ACCOUNT}/json-empty"
        for operation, body in [("ReceiveMessage", {"QueueUrl": url}),
                                ("ListQueueTags", {"QueueUrl": url}),
                                ("GetQueueAttributes", {"QueueUrl": url}),
                                ("ListQueues", {"QueueNamePrefix": "json-nothing"})]:
            status, _, out = self.call(operation, body)
            self.assertEqual((status, out), (200, {}), operation)


class SqsCliWireTest(ServerTestCase):
    """The aws CLI of the generation under test (the CLI v2.9 of Debian speaks the query
    protocol and failed with KeyError on the empty answers)."""

    def test_empty_answers_and_errors(self):
        s = self.server
        url = s.aws("sqs", "create-queue", "--queue-name", "cli-wire")[1]["QueueUrl"]
        for args in (["receive-message", "--queue-url", url],
                     ["receive-message", "--queue-url", url, "--wait-time-seconds", "1",
                      "--attribute-names", "All"],
                     ["list-queue-tags", "--queue-url", url],
                     ["get-queue-attributes", "--queue-url", url],
                     ["list-queues", "--queue-name-prefix", "cli-nothing"]):
            code, out, err = s.aws("sqs", *args, check=False)
            self.assertEqual(code, 0, f"{args}: {err}")
            self.assertIn(out, (None, {}), args)
        s.aws("sqs", "send-message", "--queue-url", url, "--message-body", "hi")
        got = s.aws("sqs", "receive-message", "--queue-url", url)[1]["Messages"]
        self.assertEqual([m["Body"] for m in got], ["hi"])
        s.aws("sqs", "tag-queue", "--queue-url", url, "--tags", "a=1")
        self.assertEqual(s.aws("sqs", "list-queue-tags", "--queue-url", url)[1]["Tags"], {"a": "1"})
        for args, code in [
                (["get-queue-url", "--queue-name", "cli-missing"],
                 "AWS.SimpleQueueService.NonExistentQueue"),
                (["send-message-batch", "--queue-url", url, "--entries",
                  json.dumps([{"Id": "a", "MessageBody": "x"}, {"Id": "a", "MessageBody": "y"}])],
                 "AWS.SimpleQueueService.BatchEntryIdsNotDistinct"),
                (["receive-message", "--queue-url", url, "--max-number-of-messages", "11"],
                 "InvalidParameterValue")]:
            exit_code, _, err = s.aws("sqs", *args, check=False)
            self.assertNotEqual(exit_code, 0, args)
            self.assertIn(f"An error occurred ({code})", err)


if __name__ == "__main__":
    import unittest
    unittest.main()
