"""One function per handler style and behaviour the e2e tests need (python3.12)."""
import json
import os
import signal
import subprocess
import time


def handler(event, context):
    return {"style": "file.fn", "event": event, "requestId": context.aws_request_id,
            "pid": os.getpid()}


def throw(event, context):
    raise ValueError("bad thing")


def exit(event, context):
    if event.get("signal"):
        os.kill(os.getpid(), signal.SIGKILL)
    os._exit(event["code"])


def sleep(event, context):
    if event.get("say"):
        print(event["say"])
    start = time.time()
    time.sleep(event.get("ms", 0) / 1000)
    return {"pid": os.getpid(), "requestId": context.aws_request_id, "start": start,
            "end": time.time()}


def env(event, context):
    return {
        "env": dict(os.environ),
        "cwd": os.getcwd(),
        "pid": os.getpid(),
        "context": {
            "functionName": context.function_name,
            "functionVersion": context.function_version,
            "memoryLimitInMB": context.memory_limit_in_mb,
            "invokedFunctionArn": context.invoked_function_arn,
            "awsRequestId": context.aws_request_id,
            "logGroupName": context.log_group_name,
            "logStreamName": context.log_stream_name,
            "remaining": context.get_remaining_time_in_millis(),
        },
    }


def records(event, context):
    """A stream consumer: prints the batch (id, name, key, sequence number) as one line."""
    batch = [{"id": r["eventID"], "name": r["eventName"], "key": r["dynamodb"]["Keys"]["pk"]["S"],
              "seq": r["dynamodb"]["SequenceNumber"]} for r in event["Records"]]
    print("BATCH " + json.dumps(batch))
    return len(batch)


def mixed(event, context):
    """Direct invocations sleep (to hold the sandbox); stream batches print each record."""
    if "Records" in event:
        for r in event["Records"]:
            print("RECORD " + r["eventID"])
        return len(event["Records"])
    print("SLEEPING")
    time.sleep(event["ms"] / 1000)
    print("SLEPT")
    return {"pid": os.getpid()}


def put_item(event, context):
    """boto3 as the python runtimes provide it, with no endpoint given: AWS_ENDPOINT_URL and
    AWS_REGION come from the environment."""
    import boto3
    boto3.client("dynamodb").put_item(
        TableName=event["table"], Item={"pk": {"S": event["pk"]}, "writer": {"S": "python"}})
    return {"stored": True, "boto3": boto3.__version__}


def spawn_child(event, context):
    """Starts a grandchild that would outlive the sandbox if only the runtime were killed;
    prints its pid, then sleeps event["ms"] (0: returns at once)."""
    child = subprocess.Popen(["sleep", "300"], stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print("CHILD {}".format(child.pid))
    time.sleep(event.get("ms", 0) / 1000)
    return {"pid": os.getpid(), "child": child.pid}


def echo(event, context):
    """Returns the event as it arrived, and the client context the invoker sent."""
    cc = context.client_context
    return {"event": event, "custom": cc.custom if cc else None}


def unserializable(event, context):
    return {"a set": {1, 2}}


def big(event, context):
    return "x" * event["bytes"]


def stderr(event, context):
    import sys
    sys.stderr.write("to stderr\n")
    print("to stdout")
    return "ok"


def chatty(event, context):
    for i in range(event.get("lines", 0)):
        print(f"chatty line {i}")
    return event.get("lines", 0)


def put_log(event, context):
    import boto3  # the SDK, reaching StreamStack through AWS_ENDPOINT_URL
    logs = boto3.client("logs")
    logs.create_log_group(logGroupName=event["group"])
    logs.create_log_stream(logGroupName=event["group"], logStreamName="from-the-function")
    logs.put_log_events(logGroupName=event["group"], logStreamName="from-the-function",
                        logEvents=[{"timestamp": int(time.time() * 1000),
                                    "message": event["message"]}])
    return "ok"
