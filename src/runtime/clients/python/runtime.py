"""StreamStack's runtime client for ``python3.*`` Lambda functions.

StreamStack starts it as ``python3 <dir>/runtime.py``, with the working directory at the unpacked
code and AWS's environment (AWS_LAMBDA_RUNTIME_API, _HANDLER, LAMBDA_TASK_ROOT, ...). It imports
the handler named by _HANDLER, then serves invocations from the Lambda Runtime API (2018-06-01)
until the process is stopped.

Behaviour follows AWS's Python runtime interface client, aws/aws-lambda-python-runtime-interface-
client ("the RIC" below; files named as RIC awslambdaric/<file>): handler resolution and the init
errors with AWS's messages, the error document, the context object, JSON marshalling (Decimal
included), stdout flushed at every line and before each answer, and the root logger's handler and
format.

One self-contained file: standard library only (http.client), Python 3.9 or newer. The protocol is
spoken over HTTP/1.1 keep-alive, never over stdout, so nothing the function prints can corrupt it.
Losing the Runtime API (refused, reset or closed connection, an unexpected status) ends the process
with a non-zero exit code.
"""

import decimal
import http.client
import importlib
import importlib.util
import json
import logging
import math
import os
import re
import select
import socket
import sys
import time
import traceback
import uuid

RUNTIME_API_PREFIX = "/2018-06-01/runtime"
ERROR_TYPE_HEADER = "Lambda-Runtime-Function-Error-Type"
USER_AGENT = "streamstack-runtime-python/{}.{}.{}".format(*sys.version_info[:3])

# AWS: an init failure ends the process with exit code 1 (RIC bootstrap.run). A lost Runtime API
# is ours, also non-zero.
EXIT_INIT_ERROR = 1
EXIT_RUNTIME_API_LOST = 1

# Error types of the RIC (awslambdaric/lambda_runtime_exception.py).
MARSHAL_ERROR = "Runtime.MarshalError"
UNMARSHAL_ERROR = "Runtime.UnmarshalError"
USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
LAMBDA_CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"

# AWS logs this before the error report of a failed init (RIC awslambdaric/lambda_literals.py).
UNHANDLED_EXCEPTION_WARNING = (
    "LAMBDA_WARNING: Unhandled exception. The most likely cause is an issue in the function code. "
    "However, in rare cases, a Lambda runtime update can cause unexpected function behavior. For "
    "functions using managed runtimes, runtime updates can be triggered by a function change, or "
    "can be applied automatically. To determine if the runtime has been updated, check the runtime "
    "version in the INIT_START log entry. If this error correlates with a change in the runtime "
    "version, you may be able to mitigate this error by temporarily rolling back to the previous "
    "runtime version. For more information, see "
    "https://docs.aws.amazon.com/lambda/latest/dg/runtimes-update.html\r"
)

_THIS_FILE = os.path.abspath(__file__)


class FaultException(Exception):
    """A failure the runtime reports with one of its own error types (``Runtime.*``)."""

    def __init__(self, exception_type, msg, trace=None):
        super().__init__(msg)
        self.exception_type = exception_type
        self.msg = msg
        self.trace = trace


class RuntimeApiLost(Exception):
    """The Runtime API went away or answered what no runtime expects; the process must end."""


# ------------------------------------------------------------------------------------------------
# Runtime API client (RIC awslambdaric/lambda_runtime_client.py)
# ------------------------------------------------------------------------------------------------


class RuntimeApiClient:
    """Speaks the Runtime API over one keep-alive connection.

    Every transport failure raises RuntimeApiLost, except one case: a kept-alive connection that
    the server closed while it was idle is replaced before it is used (as curl, which AWS's native
    client uses, does), since that is not the Runtime API going away.
    """

    def __init__(self, endpoint):
        self._endpoint = endpoint
        self._connection = None

    def _idle_connection_is_dead(self):
        sock = self._connection.sock
        if sock is None:
            return False  # http.client reconnects by itself
        try:
            readable, _, _ = select.select([sock], [], [], 0)
            if not readable:
                return False
            # Readable while idle: either EOF (closed by the server) or bytes nobody asked for.
            return True
        except (OSError, ValueError):
            return True

    def _request(self, method, path, body=None, headers=None):
        """Sends one request; returns (status, headers, body bytes)."""
        if self._connection is not None and self._idle_connection_is_dead():
            self._connection.close()
            self._connection = None
        if self._connection is None:
            # No timeout: GET /next is a long poll that may block for minutes.
            self._connection = http.client.HTTPConnection(self._endpoint)
        all_headers = {"User-Agent": USER_AGENT}
        all_headers.update(headers or {})
        try:
            self._connection.request(method, RUNTIME_API_PREFIX + path, body, all_headers)
            response = self._connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as e:
            self._connection.close()
            self._connection = None
            raise RuntimeApiLost("{} {}: {!r}".format(method, path, e)) from e
        if response.will_close:
            self._connection.close()
            self._connection = None
        return response.status, response.headers, payload

    def wait_next_invocation(self):
        """Long-polls for the next invocation; returns (body bytes, headers)."""
        status, headers, body = self._request("GET", "/invocation/next")
        if status != 200:
            raise RuntimeApiLost("GET /invocation/next answered HTTP {}".format(status))
        return body, headers

    def _post(self, path, body, content_type, headers=None):
        # What the function printed without a newline belongs to this invocation's log too.
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):
                pass
        all_headers = {"Content-Type": content_type}
        all_headers.update(headers or {})
        status, _, response_body = self._request("POST", path, body, all_headers)
        # AWS: the client fails when a post is not accepted (e.g. 413 for an oversized result).
        if not 200 <= status < 300:
            raise RuntimeApiLost(
                "POST {} answered HTTP {}: {!r}".format(path, status, response_body[:200])
            )

    def post_invocation_result(self, invoke_id, result, content_type):
        self._post("/invocation/{}/response".format(invoke_id), result, content_type)

    def post_invocation_error(self, invoke_id, error_result):
        self._post(
            "/invocation/{}/error".format(invoke_id),
            to_json(error_result).encode("utf-8"),
            "application/json",
            _error_type_header(error_result),
        )

    def post_init_error(self, error_result):
        self._post(
            "/init/error",
            to_json(error_result).encode("utf-8"),
            "application/json",
            _error_type_header(error_result),
        )


def _error_type_header(error_result):
    """AWS names the error type in this header on /init/error; StreamStack also sends it on
    /invocation/{id}/error, where the Runtime API defines it too. Non-printable characters, which
    a header cannot carry, are dropped."""
    error_type = re.sub(r"[^\x20-\x7e]", "", error_result.get("errorType") or "")
    return {ERROR_TYPE_HEADER: error_type} if error_type else {}


# ------------------------------------------------------------------------------------------------
# JSON marshalling (RIC awslambdaric/lambda_runtime_marshaller.py)
# ------------------------------------------------------------------------------------------------

# AWS encodes a decimal.Decimal as the JSON number it spells (boto3's DynamoDB items hold them),
# a NaN Decimal as NaN. The standard encoder cannot emit raw text, so a Decimal becomes a string
# carrying this per-process marker, which is replaced by the bare number after encoding. The
# marker starts with NUL, which JSON always escapes, so no user string can end up looking like it.
_DECIMAL_MARKER = "\x00decimal-" + uuid.uuid4().hex + ":"
_DECIMAL_MARKER_JSON = json.dumps(_DECIMAL_MARKER)[1:-1]
_DECIMAL_MARKER_RE = re.compile('"' + re.escape(_DECIMAL_MARKER_JSON) + '([^"]*)"')


def _ensure_ascii():
    """AWS: python3.12 and later write non-ASCII characters as they are, older ones escape them."""
    match = re.fullmatch(r"AWS_Lambda_python3\.(\d+)", os.environ.get("AWS_EXECUTION_ENV", ""))
    return not (match and int(match.group(1)) >= 12)


class _LambdaJsonEncoder(json.JSONEncoder):
    def default(self, o):
        if isinstance(o, decimal.Decimal):
            if o.is_nan():
                return math.nan
            return _DECIMAL_MARKER + str(o)
        return super().default(o)


def to_json(obj):
    text = _LambdaJsonEncoder(ensure_ascii=_ensure_ascii(), allow_nan=True).encode(obj)
    if _DECIMAL_MARKER_JSON in text:
        text = _DECIMAL_MARKER_RE.sub(lambda m: m.group(1), text)
    return text


def unmarshal_event(body, content_type):
    """AWS: a JSON event is parsed, any other content type is passed as bytes. StreamStack may
    leave Content-Type out; that is taken as JSON (AWS always sends it)."""
    if content_type not in (None, "", "application/json"):
        return body
    try:
        return json.loads(body)
    except Exception as e:
        raise FaultException(UNMARSHAL_ERROR, "Unable to unmarshal input: {}".format(str(e)))


def marshal_result(result):
    """Returns (body bytes, content type). AWS: bytes go out as they are (application/unknown)."""
    if isinstance(result, bytes):
        return result, "application/unknown"
    try:
        return to_json(result).encode("utf-8"), "application/json"
    except Exception as e:
        raise FaultException(MARSHAL_ERROR, "Unable to marshal response: {}".format(str(e)))


# ------------------------------------------------------------------------------------------------
# Loading the handler (RIC awslambdaric/bootstrap.py, _get_handler)
# ------------------------------------------------------------------------------------------------


def load_handler(handler):
    """Resolves ``[dir/]module.fn`` or ``package.module.fn`` to the handler, with AWS's errors.

    The module is everything before the last '.', with '/' read as '.'; the function is the rest.
    """
    try:
        modname, fname = handler.rsplit(".", 1)
    except ValueError as e:
        raise FaultException(MALFORMED_HANDLER_NAME, "Bad handler '{}': {}".format(handler, str(e)))

    try:
        if modname.split(".")[0] in sys.builtin_module_names:
            raise FaultException(
                BUILT_IN_MODULE_CONFLICT,
                "Cannot use built-in module {} as a handler module".format(modname),
            )
        module = importlib.import_module(modname.replace("/", "."))
    except ImportError as e:
        raise FaultException(
            IMPORT_MODULE_ERROR, "Unable to import module '{}': {}".format(modname, str(e))
        )
    except SyntaxError as e:
        trace = ['  File "%s" Line %s\n    %s' % (e.filename, e.lineno, e.text)]
        raise FaultException(
            USER_CODE_SYNTAX_ERROR, "Syntax error in module '{}': {}".format(modname, str(e)), trace
        )

    try:
        return getattr(module, fname)
    except AttributeError:
        raise FaultException(
            HANDLER_NOT_FOUND, "Handler '{}' missing on module '{}'".format(fname, modname)
        )


def set_up_import_path():
    """AWS puts the code directory first on sys.path (then PYTHONPATH: layers, the SDK). Python
    put this file's directory there instead; it is taken out so that it shadows no user module."""
    task_root = os.environ.get("LAMBDA_TASK_ROOT") or os.getcwd()
    runtime_dir = os.path.dirname(_THIS_FILE)
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != runtime_dir]
    if task_root not in sys.path:
        sys.path.insert(0, task_root)


class _EndpointUrlForOldBotocore(object):
    """StreamStack, not AWS: function code reaches the emulator through AWS_ENDPOINT_URL, which
    botocore reads since 1.31 (boto3 1.28). Older ones (Debian bookworm's python3-boto3 1.26)
    ignore it, and an unmodified boto3 in the function would call real AWS. So when the
    function imports botocore.session and it is older, its Session.create_client defaults
    endpoint_url to AWS_ENDPOINT_URL, as newer botocore does. Nothing is imported up front."""

    def __init__(self, endpoint_url):
        self.endpoint_url = endpoint_url

    def find_spec(self, name, path=None, target=None):
        if name != "botocore.session":
            return None
        sys.meta_path.remove(self)  # once; the lookup below must not come back here
        spec = importlib.util.find_spec(name)
        if spec is None or spec.loader is None:
            return spec
        exec_module = spec.loader.exec_module
        endpoint_url = self.endpoint_url

        def exec_and_patch(module):
            exec_module(module)
            _default_endpoint_url(module, endpoint_url)

        spec.loader.exec_module = exec_and_patch
        return spec

    # Python 3.9's import system still asks finders for find_module.
    def find_module(self, name, path=None):
        return None


def _default_endpoint_url(session_module, endpoint_url):
    import botocore

    try:
        version = tuple(int(part) for part in botocore.__version__.split(".")[:2])
    except ValueError:
        return
    if version >= (1, 31):
        return
    create_client = session_module.Session.create_client

    def create_client_with_endpoint(self, service_name, *args, **kwargs):
        # (region_name, api_version, use_ssl, verify, endpoint_url, ...)
        if len(args) < 5 and kwargs.get("endpoint_url") is None:
            kwargs["endpoint_url"] = endpoint_url
        return create_client(self, service_name, *args, **kwargs)

    session_module.Session.create_client = create_client_with_endpoint


def set_up_endpoint_url():
    endpoint_url = os.environ.get("AWS_ENDPOINT_URL")
    if endpoint_url and "botocore.session" not in sys.modules:
        sys.meta_path.insert(0, _EndpointUrlForOldBotocore(endpoint_url))


# ------------------------------------------------------------------------------------------------
# The context object (RIC awslambdaric/lambda_context.py)
# ------------------------------------------------------------------------------------------------


class CognitoIdentity:
    __slots__ = ["cognito_identity_id", "cognito_identity_pool_id"]

    def __repr__(self):
        return "CognitoIdentity([cognito_identity_id={},cognito_identity_pool_id={}])".format(
            self.cognito_identity_id, self.cognito_identity_pool_id
        )


class Client:
    __slots__ = [
        "installation_id",
        "app_title",
        "app_version_name",
        "app_version_code",
        "app_package_name",
    ]

    def __repr__(self):
        return "Client([{}])".format(
            ",".join("{}={}".format(f, getattr(self, f)) for f in self.__slots__)
        )


class ClientContext:
    __slots__ = ["custom", "env", "client"]

    def __repr__(self):
        return "ClientContext([custom={},env={},client={}])".format(
            self.custom, self.env, self.client
        )


def _object_from_dict(cls, values):
    """An instance of cls with each slot taken from the dict (None when missing), or None."""
    if values is None:
        return None
    obj = cls()
    for field in cls.__slots__:
        setattr(obj, field, values.get(field))
    return obj


class LambdaContext:
    """The handler's second argument, as AWS defines it.

    function_name, function_version, memory_limit_in_mb (a string, as AWS gives it),
    log_group_name and log_stream_name come from the environment; aws_request_id,
    invoked_function_arn, client_context, identity and tenant_id from the invocation's headers.
    identity is always an object (its fields None without a Cognito identity); client_context is
    None unless the invocation carried one.
    """

    def __init__(
        self,
        invoke_id,
        client_context,
        cognito_identity,
        epoch_deadline_time_in_ms,
        invoked_function_arn=None,
        tenant_id=None,
    ):
        self.aws_request_id = invoke_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = invoked_function_arn
        self.tenant_id = tenant_id

        self.client_context = _object_from_dict(ClientContext, client_context)
        if self.client_context is not None:
            self.client_context.client = _object_from_dict(Client, self.client_context.client)

        self.identity = _object_from_dict(CognitoIdentity, {})
        if cognito_identity is not None:
            self.identity.cognito_identity_id = cognito_identity.get("cognitoIdentityId")
            self.identity.cognito_identity_pool_id = cognito_identity.get("cognitoIdentityPoolId")

        self._epoch_deadline_time_in_ms = epoch_deadline_time_in_ms

    def get_remaining_time_in_millis(self):
        """Milliseconds until Lambda-Runtime-Deadline-Ms, never below 0."""
        remaining = self._epoch_deadline_time_in_ms - int(time.time() * 1000)
        return remaining if remaining > 0 else 0

    def log(self, msg):
        """AWS: writes str(msg) to the function's log as it is (no newline added)."""
        sys.stdout.write(str(msg))

    def __repr__(self):
        return (
            "LambdaContext([aws_request_id={},log_group_name={},log_stream_name={},"
            "function_name={},memory_limit_in_mb={},function_version={},"
            "invoked_function_arn={},client_context={},identity={},tenant_id={}])".format(
                self.aws_request_id,
                self.log_group_name,
                self.log_stream_name,
                self.function_name,
                self.memory_limit_in_mb,
                self.function_version,
                self.invoked_function_arn,
                self.client_context,
                self.identity,
                self.tenant_id,
            )
        )


def _parse_json_header(value, name):
    try:
        return json.loads(value)
    except Exception as e:
        raise FaultException(
            LAMBDA_CONTEXT_UNMARSHAL_ERROR, "Unable to parse {} JSON: {}".format(name, str(e))
        )


def create_lambda_context(headers, invoke_id):
    client_context_json = headers.get("Lambda-Runtime-Client-Context")
    cognito_identity_json = headers.get("Lambda-Runtime-Cognito-Identity")
    client_context = None
    if client_context_json:
        client_context = _parse_json_header(client_context_json, "Client Context")
    cognito_identity = None
    if cognito_identity_json:
        cognito_identity = _parse_json_header(cognito_identity_json, "Cognito Identity")
    try:
        deadline_ms = int(headers.get("Lambda-Runtime-Deadline-Ms") or 0)
    except ValueError:
        deadline_ms = 0
    return LambdaContext(
        invoke_id,
        client_context,
        cognito_identity,
        deadline_ms,
        headers.get("Lambda-Runtime-Invoked-Function-Arn"),
        headers.get("Lambda-Runtime-Aws-Tenant-Id"),
    )


# ------------------------------------------------------------------------------------------------
# Output and logging (RIC awslambdaric/bootstrap.py, lambda_runtime_log_utils.py)
# ------------------------------------------------------------------------------------------------


class Unbuffered:
    """A stream that flushes every line as it is completed, so each line reaches StreamStack
    at once (AWS's client flushes on every write; a line is a log event only once its newline
    is written, so flushing at newlines is the same log with half the writes: print() writes
    the text and the newline separately)."""

    def __init__(self, stream):
        self.stream = stream

    def __getattr__(self, attr):
        return getattr(self.stream, attr)

    def write(self, msg):
        written = self.stream.write(msg)
        if "\n" in msg:
            self.stream.flush()
        return written

    def writelines(self, msgs):
        self.stream.writelines(msgs)
        self.stream.flush()


_current_request_id = None
_current_tenant_id = None


class _RequestIdFilter(logging.Filter):
    """Adds the current invocation's ids to every record ('' before the first invocation)."""

    def filter(self, record):
        record.aws_request_id = _current_request_id or ""
        record.tenant_id = _current_tenant_id
        return True


class _StdoutLogHandler(logging.Handler):
    """Writes each formatted record to stdout as one line.

    AWS sends a record to its telemetry fd as one log event, newlines and all; StreamStack reads
    stdout, where a line is an event, so the record's inner newlines are written as '\\r' (what
    AWS's Node.js client does on stdout) to keep the record one event.
    """

    def emit(self, record):
        try:
            text = self.format(record)
            if text.endswith("\n"):
                text = text[:-1]
            sys.stdout.write(text.replace("\n", "\r") + "\n")
        except Exception:
            self.handleError(record)


_JSON_RESERVED_FIELDS = {
    "name", "msg", "args", "levelname", "levelno", "pathname", "filename", "module", "exc_info",
    "exc_text", "stack_info", "lineno", "funcName", "created", "msecs", "relativeCreated",
    "thread", "threadName", "processName", "process", "aws_request_id", "tenant_id",
    "_frame_type",
}  # fmt: skip


class _JsonFormatter(logging.Formatter):
    """AWS_LAMBDA_LOG_FORMAT=JSON: one JSON object per record (RIC JsonFormatter)."""

    def __init__(self):
        super().__init__(datefmt="%Y-%m-%dT%H:%M:%SZ")

    def format(self, record):
        # AWS rounds custom levels down to the standard ones (25 -> INFO).
        record.levelno = min(50, max(0, record.levelno)) // 10 * 10
        record.levelname = logging.getLevelName(record.levelno)
        exc_info = record.exc_info
        result = {
            "timestamp": self.formatTime(record, self.datefmt),
            "level": record.levelname,
            "message": record.getMessage(),
            "logger": record.name,
            "stackTrace": traceback.format_tb(exc_info[2]) if exc_info else None,
            "errorType": exc_info[0].__name__ if exc_info else None,
            "errorMessage": str(exc_info[1]) if exc_info else None,
            "requestId": getattr(record, "aws_request_id", None),
            "location": (
                "{}:{}:{}".format(record.pathname, record.funcName, record.lineno)
                if exc_info
                else None
            ),
        }
        if getattr(record, "tenant_id", None) is not None:
            result["tenantId"] = record.tenant_id
        result.update(
            (key, value)
            for key, value in record.__dict__.items()
            if key not in _JSON_RESERVED_FIELDS and key not in result
        )
        result = {k: v for k, v in result.items() if v is not None}
        return json.dumps(result, ensure_ascii=False)


def _log_format_is_json():
    return (os.environ.get("AWS_LAMBDA_LOG_FORMAT") or "").upper() == "JSON"


def set_up_logging():
    """AWS: the root logger gets one handler writing
    ``[LEVEL]\\t<UTC time with ms>Z\\t<request id>\\t<message>``; its level stays Python's default
    (WARNING) unless AWS_LAMBDA_LOG_LEVEL names one (TRACE counts as DEBUG)."""
    logging.Formatter.converter = time.gmtime
    handler = _StdoutLogHandler()
    if _log_format_is_json():
        handler.setFormatter(_JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter(
                "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s\n",
                "%Y-%m-%dT%H:%M:%S",
            )
        )
    handler.addFilter(_RequestIdFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = os.environ.get("AWS_LAMBDA_LOG_LEVEL")
    level = {None: "", "TRACE": "DEBUG"}.get(level, level).upper()
    if level in ("CRITICAL", "FATAL", "ERROR", "WARN", "WARNING", "INFO", "DEBUG", "NOTSET"):
        root.setLevel(level)


def log_error(error_result):
    """Writes an error report to the function's log as AWS does on stdout: one line,
    ``[ERROR] <type>: <message>``, then ``Traceback (most recent call last):`` and the stack,
    joined by '\\r', leading spaces of the stack as NO-BREAK SPACEs. JSON format: one object."""
    if _log_format_is_json():
        record = {
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "log_level": "ERROR",
        }
        record.update(error_result)
        sys.stdout.write(to_json(record) + "\n")
        return

    description = "[ERROR]"
    error_type = error_result.get("errorType")
    error_message = error_result.get("errorMessage")
    if error_type:
        description += " " + error_type
    if error_message:
        if error_type:
            description += ":"
        description += " " + error_message
    lines = [description]
    stack_trace = error_result.get("stackTrace")
    if stack_trace is not None:
        lines.append("Traceback (most recent call last):")
        for element in stack_trace:
            if element == "":
                lines.append("")
                continue
            for line in element.splitlines():
                stripped = line.lstrip(" ")
                lines.append("\u00a0" * (len(line) - len(stripped)) + stripped)
    sys.stdout.write("\r".join(lines) + "\n")


# ------------------------------------------------------------------------------------------------
# Errors (RIC awslambdaric/bootstrap.py)
# ------------------------------------------------------------------------------------------------


def make_error(error_message, error_type, stack_trace, invoke_id=None):
    """AWS's error document: errorMessage, errorType, requestId ('' outside an invocation),
    stackTrace (the formatted frames)."""
    return {
        "errorMessage": error_message if error_message else "",
        "errorType": error_type if error_type else "",
        "requestId": invoke_id if invoke_id is not None else "",
        "stackTrace": stack_trace if stack_trace else [],
    }


def _user_frames(tb):
    """The traceback's frames from the first one outside this file on (AWS drops its own)."""
    frames = traceback.extract_tb(tb)
    for i, frame in enumerate(frames):
        if os.path.abspath(frame.filename) != _THIS_FILE:
            return frames[i:]
    return frames


def error_from_exception(exc_info, invoke_id=None):
    etype, value, tb = exc_info
    return make_error(
        str(value), etype.__name__, traceback.format_list(_user_frames(tb)), invoke_id
    )


# ------------------------------------------------------------------------------------------------
# The invocation loop
# ------------------------------------------------------------------------------------------------


def handle_invocation(client, request_handler, body, headers):
    """Runs one invocation and posts its result or its error."""
    global _current_request_id, _current_tenant_id

    invoke_id = headers.get("Lambda-Runtime-Aws-Request-Id")
    if not invoke_id:
        raise RuntimeApiLost("GET /invocation/next answered without Lambda-Runtime-Aws-Request-Id")
    _current_request_id = invoke_id
    _current_tenant_id = headers.get("Lambda-Runtime-Aws-Tenant-Id")
    # AWS: _X_AMZN_TRACE_ID holds the current invocation's trace header, or is absent.
    trace_id = headers.get("Lambda-Runtime-Trace-Id")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)

    error_result = None
    try:
        context = create_lambda_context(headers, invoke_id)
        event = unmarshal_event(body, headers.get("Content-Type"))
        response = request_handler(event, context)
        result, content_type = marshal_result(response)
    except FaultException as e:
        error_result = make_error(e.msg, e.exception_type, e.trace, invoke_id)
    except Exception:
        error_result = error_from_exception(sys.exc_info(), invoke_id)

    if error_result is not None:
        log_error(error_result)
        client.post_invocation_error(invoke_id, error_result)
    else:
        client.post_invocation_result(invoke_id, result, content_type)


def run(client, handler_name):
    set_up_logging()
    set_up_import_path()
    set_up_endpoint_url()

    error_result = None
    try:
        request_handler = load_handler(handler_name)
    except FaultException as e:
        error_result = make_error(e.msg, e.exception_type, e.trace)
    except Exception:
        error_result = error_from_exception(sys.exc_info())

    if error_result is not None:
        logging.warning(UNHANDLED_EXCEPTION_WARNING)
        log_error(error_result)
        client.post_init_error(error_result)
        sys.exit(EXIT_INIT_ERROR)

    while True:
        body, headers = client.wait_next_invocation()
        handle_invocation(client, request_handler, body, headers)


def main():
    # AWS: stdout and stderr flush on every write (here: every line, and before each answer).
    sys.stdout = Unbuffered(sys.stdout)
    sys.stderr = Unbuffered(sys.stderr)

    endpoint = os.environ.get("AWS_LAMBDA_RUNTIME_API")
    if not endpoint:
        sys.stderr.write("streamstack runtime: AWS_LAMBDA_RUNTIME_API is not set\n")
        sys.exit(EXIT_RUNTIME_API_LOST)
    try:
        run(RuntimeApiClient(endpoint), os.environ.get("_HANDLER", ""))
    except RuntimeApiLost as e:
        sys.stderr.write("streamstack runtime: lost the Lambda Runtime API: {}\n".format(e))
        sys.exit(EXIT_RUNTIME_API_LOST)


if __name__ == "__main__":
    main()
