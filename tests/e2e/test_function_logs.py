"""Function logs (issue 12): what functions that run their own code print lands in CloudWatch
Logs as AWS writes it, found again with the aws CLI (`filter-log-events`, `logs tail`,
`logs tail --follow`) and boto3; Invoke's LogType Tail answers the invocation's last 4 KB.

Expected shapes are AWS's: the log group /aws/lambda/<name>, one stream per sandbox named
YYYY/MM/DD/[$LATEST]<32 hex>, the platform's START / END / REPORT lines (AWS's Lambda
developer guide, "Using CloudWatch Logs with Lambda"; REPORT as Lambda prints it, with Init
Duration on cold starts only), Node's console prefix `<ISO time>\\t<request id>\\tINFO\\t`.
"""
import base64
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
import unittest
import zipfile

import harness
from harness import wait_until
from test_lambda_runtimes import FUNCTIONS, ROLE, RuntimeCase, wait_active, zip_dir

STREAM_NAME = re.compile(r"^\d{4}/\d\d/\d\d/\[\$LATEST\][0-9a-f]{32}$")
REPORT = re.compile(r"^REPORT RequestId: (\S+)\tDuration: \d+\.\d\d ms\tBilled Duration: \d+ ms\t"
                    r"Memory Size: (\d+) MB\tMax Memory Used: (\d+) MB\t"
                    r"(?:Init Duration: \d+\.\d\d ms\t)?\n$")
NODE_LINE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\t(\S+)\tINFO\t(.*)\n$", re.S)


class FunctionLogsTest(RuntimeCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.logs = cls.server.client("logs")

    def events(self, function, count=None, timeout=10.0):
        """Every event of /aws/lambda/<function> (waiting until there are `count` or more)."""
        def read():
            try:
                pages = self.logs.get_paginator("filter_log_events").paginate(
                    logGroupName="/aws/lambda/" + function)
                return [e for p in pages for e in p["events"]]
            except self.logs.exceptions.ResourceNotFoundException:
                return []
        if count is not None:
            wait_until(lambda: len(read()) >= count, timeout=timeout, interval=0.05)
        return read()

    def test_lines_as_aws_writes_them(self):
        self.create("log-shapes-py", "python3.12", "python", "app.sleep", memory=256)
        first, _ = self.invoke("log-shapes-py", {"say": "hello from python"})
        second, _ = self.invoke("log-shapes-py", {"say": "again"})
        ids = [r["ResponseMetadata"]["RequestId"] for r in (first, second)]
        events = self.events("log-shapes-py", count=8)
        messages = [e["message"] for e in events]
        self.assertEqual(messages[0], f"START RequestId: {ids[0]} Version: $LATEST\n")
        self.assertEqual(messages[1], "hello from python\n")  # print() as is
        self.assertEqual(messages[2], f"END RequestId: {ids[0]}\n")
        cold = REPORT.match(messages[3])
        self.assertTrue(cold, messages[3])
        self.assertEqual(cold.group(1), ids[0])
        self.assertEqual(cold.group(2), "256")
        self.assertGreater(int(cold.group(3)), 0)  # measured from the process
        self.assertIn("Init Duration: ", messages[3])  # a cold start
        self.assertEqual(messages[4:7], [f"START RequestId: {ids[1]} Version: $LATEST\n",
                                         "again\n", f"END RequestId: {ids[1]}\n"])
        self.assertTrue(REPORT.match(messages[7]), messages[7])
        self.assertNotIn("Init Duration", messages[7])  # warm
        # One stream per sandbox, named as AWS names them; the group Lambda created.
        self.assertEqual({e["logStreamName"] for e in events}, {events[0]["logStreamName"]})
        self.assertRegex(events[0]["logStreamName"], STREAM_NAME)
        self.assertEqual(events[0]["logStreamName"][:10], time.strftime("%Y/%m/%d", time.gmtime()))
        groups = self.logs.describe_log_groups(logGroupNamePrefix="/aws/lambda/log-shapes-py")
        self.assertEqual([g["logGroupName"] for g in groups["logGroups"]],
                         ["/aws/lambda/log-shapes-py"])
        self.assertNotIn("retentionInDays", groups["logGroups"][0])
        streams = self.logs.describe_log_streams(logGroupName="/aws/lambda/log-shapes-py")
        self.assertEqual([s["logStreamName"] for s in streams["logStreams"]],
                         [events[0]["logStreamName"]])

    def test_node_console_prefix_and_timeout_line(self):
        self.create("log-shapes-node", "nodejs20.x", "node", "index.sleep", timeout=1)
        resp, _ = self.invoke("log-shapes-node", {"say": "hello from node"})
        request_id = resp["ResponseMetadata"]["RequestId"]
        events = self.events("log-shapes-node", count=4)
        line = NODE_LINE.match(events[1]["message"])
        self.assertTrue(line, events[1]["message"])
        self.assertEqual(line.group(1), request_id)
        self.assertEqual(line.group(2), "hello from node")
        # A timeout writes AWS's line, then END and REPORT.
        resp, body = self.invoke("log-shapes-node", {"ms": 3000})
        self.assertEqual(resp.get("FunctionError"), "Unhandled")
        timed_out = resp["ResponseMetadata"]["RequestId"]
        events = self.events("log-shapes-node", count=8)
        text = [e["message"] for e in events]
        i = text.index(f"START RequestId: {timed_out} Version: $LATEST\n")
        self.assertRegex(text[i + 1], r"^\d{4}-\d\d-\d\dT[\d:.]+Z " + timed_out +
                         r" Task timed out after 1\.00 seconds\n$")
        self.assertEqual(text[i + 2], f"END RequestId: {timed_out}\n")
        self.assertTrue(REPORT.match(text[i + 3]), text[i + 3])

    def test_log_type_tail_through_boto3_and_the_cli(self):
        self.create("tail-chatty", "python3.12", "python", "app.chatty")
        resp, _ = self.invoke("tail-chatty", {"lines": 1000}, LogType="Tail")
        tail = base64.b64decode(resp["LogResult"]).decode()
        # AWS: the last 4 KB of the invocation's log.
        self.assertEqual(len(tail.encode()), 4096)
        self.assertIn("chatty line 999\n", tail)
        self.assertNotIn("chatty line 0\n", tail)
        self.assertTrue(tail.splitlines()[-1].startswith("REPORT RequestId: " +
                                                         resp["ResponseMetadata"]["RequestId"]))
        with tempfile.TemporaryDirectory() as d:
            _, meta, _ = self.server.aws("lambda", "invoke", "--function-name", "tail-chatty",
                                         "--payload", '{"lines": 3}', "--log-type", "Tail",
                                         os.path.join(d, "out.json"))
        tail = base64.b64decode(meta["LogResult"]).decode()
        self.assertIn("chatty line 2\n", tail)
        self.assertRegex(tail, r"START RequestId: \S+ Version: \$LATEST\n")
        # Every line of the chatty invocation is stored, not only the tail.
        self.events("tail-chatty", count=1000 + 3 + 3 + 3)
        stored = self.logs.filter_log_events(logGroupName="/aws/lambda/tail-chatty",
                                             filterPattern='"chatty line 0"')["events"]
        self.assertEqual(len(stored), 2)  # once per invocation

    def test_a_function_writes_with_its_own_sdk(self):
        self.create("sdk-logger", "python3.12", "python", "app.put_log")
        resp, body = self.invoke("sdk-logger", {"group": "/app/from-lambda",
                                                "message": "written by boto3 in a function"})
        self.assertSucceeded(resp, body)
        got = self.logs.get_log_events(logGroupName="/app/from-lambda",
                                       logStreamName="from-the-function")
        self.assertEqual([e["message"] for e in got["events"]], ["written by boto3 in a function"])

    def test_http_target_functions_keep_their_own_logs(self):
        # Documented: StreamStack writes no log group for a function behind HTTP.
        self.lam.create_function(
            FunctionName="behind-http", Runtime="python3.12", Role=ROLE,
            Handler="index.handler", Code={"ZipFile": zip_dir("python")},
            Environment={"Variables": {"STREAMSTACK_INVOKE_URL": "http://127.0.0.1:9/"}})
        wait_active(self.lam, "behind-http")
        try:
            self.lam.invoke(FunctionName="behind-http", Payload=b"{}")
        except self.lam.exceptions.ClientError:
            pass  # nothing listens there: a service error, and still no log of ours
        self.assertEqual(self.logs.describe_log_groups(
            logGroupNamePrefix="/aws/lambda/behind-http")["logGroups"], [])

    # The tutorial's last step: "verify the logs in CloudWatch", with the CLI v2.
    def test_tutorial_through_a_mapping_then_the_logs_cli(self):
        name = "TutorialLogs"
        with tempfile.TemporaryDirectory() as d:
            shutil.copy(os.path.join(FUNCTIONS, "tutorial", "index.js"), d)
            with zipfile.ZipFile(os.path.join(d, "function.zip"), "w") as z:
                z.write(os.path.join(d, "index.js"), "index.js")
            self.server.aws("lambda", "create-function", "--function-name", name,
                            "--zip-file", "fileb://" + os.path.join(d, "function.zip"),
                            "--handler", "index.handler", "--runtime", "nodejs20.x",
                            "--role", "arn:aws:iam::000000000000:role/lambda-dynamodb-role")
        wait_active(self.lam, name)
        self.map_new_table(name, "tutorial-logs")
        self.ddb.put_item(TableName="tutorial-logs", Item={"id": {"S": "101"},
                                                           "Message": {"S": "New item!"}})
        self.ddb.delete_item(TableName="tutorial-logs", Key={"id": {"S": "101"}})
        group = "/aws/lambda/" + name

        def record_lines():
            _, out, _ = self.server.aws("logs", "filter-log-events", "--log-group-name", group,
                                        "--filter-pattern", '"DynamoDB Record"')
            return out["events"]
        lines = wait_until(lambda: len(record_lines()) >= 2 and record_lines(), timeout=15)
        self.assertTrue(lines, "the mapping's records never reached the log")
        self.assertIn('"NewImage":{"Message":{"S":"New item!"}', lines[0]["message"])
        self.assertIn('"OldImage":{"Message":{"S":"New item!"}', lines[1]["message"])

        # $ aws logs tail /aws/lambda/<name>  (CLI v2)
        cli = harness.aws_cli_v2()
        _, tail, _ = self.server.aws("logs", "tail", group, cli=cli)
        self.assertIn("Loading function", tail)
        self.assertIn("DynamoDB Record: {", tail)
        self.assertRegex(tail, r"REPORT RequestId: \S+\tDuration: ")

        # $ aws logs tail --follow: new records show up while it runs.
        follow = subprocess.Popen(self.server.aws_command("logs", "tail", group, "--follow",
                                                          "--since", "1m", cli=cli),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  # A terminal would get each line at once; a pipe gets a
                                  # Python program's output in blocks unless unbuffered.
                                  env=dict(self.server.aws_env(), PYTHONUNBUFFERED="1"))
        seen = []
        reader = threading.Thread(target=lambda: seen.extend(follow.stdout), daemon=True)
        reader.start()
        try:
            time.sleep(1)  # its first poll has happened; what follows is new
            self.ddb.put_item(TableName="tutorial-logs", Item={"id": {"S": "202"},
                                                               "Message": {"S": "Followed"}})
            self.assertTrue(wait_until(lambda: any('"Message":{"S":"Followed"}' in line
                                                   for line in list(seen)), timeout=20,
                                       interval=0.1),
                            "aws logs tail --follow never printed the new record:\n" +
                            "".join(seen[-20:]))
        finally:
            follow.kill()
            follow.wait()
            reader.join(5)
            follow.stdout.close()
            follow.stderr.close()


if __name__ == "__main__":
    unittest.main()
