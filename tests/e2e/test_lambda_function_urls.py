"""Function URLs (issue 13) through boto3, the aws CLI and plain HTTP: the five config
operations with every answer and error, and the URLs themselves invoking real python code
with AWS's payload format 2.0 event and turning its answer into the HTTP response.

Expected answers are AWS's, recorded in LocalStack's lambda test suite and named per case:
tests/aws/services/lambda_/test_lambda_api.snapshot.json (TestLambdaUrl) for the config
operations, test_lambda.snapshot.json (TestLambdaURL) for invocations. Where no recording or
AWS document gives the answer, the case says so.
"""
import io
import json
import re
import unittest
import urllib.error
import urllib.request
import zipfile

import botocore.exceptions

from harness import ServerTestCase, requires_botocore

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
ARN = "arn:aws:lambda:us-east-1:000000000000:function:"
NOT_FOUND = "The resource you requested does not exist."
FN_MISSING = "Function does not exist"
QUALIFIER_PATTERN = "((?!^\\d+$)^[0-9a-zA-Z-_]+$)"


def zipped(source):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", source)
    return buf.getvalue()


def returning(expression):
    """test_lambda.py's URL_HANDLER_CODE: a handler that returns `expression`."""
    return zipped(f"def handler(event, ctx):\n    return {expression}\n")


ECHO = zipped("import json\n"
              "def handler(event, ctx):\n"
              "    return {'statusCode': 200, 'body': json.dumps(event)}\n")

# The event is the response: test_lambda_url_headers_and_status's echo function.
RESPONSE_FROM_BODY = zipped("import json\n"
                            "def handler(event, ctx):\n"
                            "    return json.loads(event['body'])\n")

FAILING = zipped("def handler(event, ctx):\n    raise Exception('boom')\n")

VERSION_TAGGED = ("def handler(event, ctx):\n"
                  "    return {{'code': '{tag}', 'version': ctx.function_version}}\n")


class UrlCase(ServerTestCase):
    in_memory = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lam = cls.server.client("lambda")

    def create(self, name, zip_bytes=None, **extra):
        self.lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE,
                                 Handler="index.handler",
                                 Code={"ZipFile": zip_bytes or returning("'hi'")}, **extra)
        return name

    def assertError(self, code, message, status, call, *args, **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            call(*args, **kwargs)
        err = ctx.exception.response
        self.assertEqual((err["Error"]["Code"], err["Error"]["Message"],
                          err["ResponseMetadata"]["HTTPStatusCode"]), (code, message, status))

    def fetch(self, url, method="GET", body=None, headers=None):
        """A plain HTTP request to a function URL; (status, headers, body bytes)."""
        req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.status, resp.headers, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.headers, err.read()


class ConfigTest(UrlCase):
    def test_lifecycle(self):
        # TestLambdaUrl::test_url_config_lifecycle
        name = self.create("url-life")
        created = self.lam.create_function_url_config(FunctionName=name, AuthType="NONE")
        self.assertEqual(created["ResponseMetadata"]["HTTPStatusCode"], 201)
        created.pop("ResponseMetadata")
        self.assertEqual(set(created), {"AuthType", "CreationTime", "FunctionArn", "FunctionUrl"})
        self.assertEqual((created["AuthType"], created["FunctionArn"]), ("NONE", ARN + name))
        self.assertRegex(created["FunctionUrl"],
                         r"^http://127\.0\.0\.1:\d+/lambda-url/[a-z0-9]{32}/$")
        self.assertError(
            "ResourceConflictException",
            f"Failed to create function url config for [functionArn = {ARN}{name}]. Error "
            "message:  FunctionUrlConfig exists for this Lambda function", 409,
            self.lam.create_function_url_config, FunctionName=name, AuthType="NONE")

        # The wire answer itself: older clients drop InvokeMode, which their model lacks.
        status, _, body = self.server.http("GET", f"/2021-10-31/functions/{name}/url")
        got = json.loads(body)
        self.assertEqual(status, 200)
        self.assertEqual(set(got), {"AuthType", "CreationTime", "FunctionArn", "FunctionUrl",
                                    "InvokeMode", "LastModifiedTime"})
        self.assertEqual((got["InvokeMode"], got["FunctionUrl"]),
                         ("BUFFERED", created["FunctionUrl"]))
        self.assertEqual(self.lam.get_function_url_config(FunctionName=name)["FunctionUrl"],
                         created["FunctionUrl"])

        updated = self.lam.update_function_url_config(FunctionName=name, AuthType="AWS_IAM")
        updated.pop("ResponseMetadata")
        self.assertEqual(set(updated), {"AuthType", "CreationTime", "FunctionArn", "FunctionUrl",
                                        "LastModifiedTime"})
        self.assertEqual(updated["AuthType"], "AWS_IAM")

        deleted = self.lam.delete_function_url_config(FunctionName=name)
        self.assertEqual(deleted["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertError("ResourceNotFoundException", NOT_FOUND, 404,
                         self.lam.get_function_url_config, FunctionName=name)

    def test_name_and_qualifier_errors(self):
        # TestLambdaUrl::test_url_config_exceptions: the same arguments through each operation.
        name = self.create("url-errors")
        version = self.lam.publish_version(FunctionName=name)["Version"]
        self.lam.create_alias(FunctionName=name, Name="urlalias", FunctionVersion=version)
        arn_missing = ARN + "doesnotexist"

        def pattern(value):
            return (f"1 validation error detected: Value '{value}' at 'qualifier' failed to "
                    f"satisfy constraint: Member must satisfy regular expression pattern: "
                    f"{QUALIFIER_PATTERN}")

        mismatch = ("InvalidParameterValueException", "The derived qualifier from the function "
                    "name does not match the specified qualifier.", 400)
        cases = [  # (args, create/update answer, get/delete answer)
            ({"FunctionName": "doesnotexist"},
             ("ResourceNotFoundException", FN_MISSING, 404),
             ("ResourceNotFoundException", NOT_FOUND, 404)),
            ({"FunctionName": arn_missing},
             ("ResourceNotFoundException", FN_MISSING, 404),
             ("ResourceNotFoundException", NOT_FOUND, 404)),
            ({"FunctionName": "doesnotexist", "Qualifier": "1"},
             ("ValidationException", pattern("1"), 400),
             ("ValidationException", pattern("1"), 400)),
            ({"FunctionName": name, "Qualifier": "1"},
             ("ValidationException", pattern("1"), 400),
             ("ValidationException", pattern("1"), 400)),
            ({"FunctionName": name, "Qualifier": "2"},
             ("ValidationException", pattern("2"), 400),
             ("ValidationException", pattern("2"), 400)),
            ({"FunctionName": name, "Qualifier": "v1"},
             ("ResourceNotFoundException", FN_MISSING, 404),
             ("ResourceNotFoundException", NOT_FOUND, 404)),
            ({"FunctionName": f"{name}:urlalias-doesnotmatch", "Qualifier": "urlalias"},
             mismatch, mismatch),
            ({"FunctionName": name, "Qualifier": "$LATEST"},
             ("ValidationException", pattern("$LATEST"), 400),
             ("ValidationException", pattern("$LATEST"), 400)),
        ]
        for args, write_answer, read_answer in cases:
            with self.subTest(args=args):
                self.assertError(*write_answer, self.lam.create_function_url_config,
                                 AuthType="NONE", **args)
                self.assertError(*write_answer, self.lam.update_function_url_config,
                                 AuthType="AWS_IAM", **args)
                self.assertError(*read_answer, self.lam.get_function_url_config, **args)
                if args.get("FunctionName", "").endswith("doesnotmatch"):
                    continue  # AWS answers this Delete with an InternalFailure (recorded)
                self.assertError(*read_answer, self.lam.delete_function_url_config, **args)
        # config_doesnotexist: the function exists, its URL does not.
        for call in (self.lam.get_function_url_config, self.lam.delete_function_url_config):
            self.assertError("ResourceNotFoundException", NOT_FOUND, 404, call, FunctionName=name)
        self.assertError("ResourceNotFoundException", NOT_FOUND, 404,
                         self.lam.update_function_url_config, FunctionName=name,
                         AuthType="AWS_IAM")

    def test_list_paging_and_alias_urls(self):
        # TestLambdaUrl::test_url_config_list_paging and test_url_config_deletion_without_qualifier
        name = self.create("url-list")
        version = self.lam.publish_version(FunctionName=name)["Version"]
        self.lam.create_alias(FunctionName=name, Name="urlalias", FunctionVersion=version)
        self.assertError("ResourceNotFoundException", FN_MISSING, 404,
                         self.lam.list_function_url_configs, FunctionName="doesnotexist")
        self.assertEqual(self.lam.list_function_url_configs(FunctionName=name)
                         ["FunctionUrlConfigs"], [])
        plain = self.lam.create_function_url_config(FunctionName=name, AuthType="NONE")
        aliased = self.lam.create_function_url_config(FunctionName=name, AuthType="NONE",
                                                      Qualifier="urlalias")
        self.assertEqual(aliased["FunctionArn"], ARN + name + ":urlalias")
        self.assertNotEqual(plain["FunctionUrl"], aliased["FunctionUrl"])
        listed = self.lam.list_function_url_configs(FunctionName=name)["FunctionUrlConfigs"]
        self.assertEqual([c["FunctionArn"] for c in listed], [ARN + name, ARN + name + ":urlalias"])
        first = self.lam.list_function_url_configs(FunctionName=name, MaxItems=1)
        second = self.lam.list_function_url_configs(FunctionName=name, MaxItems=1,
                                                    Marker=first["NextMarker"])
        self.assertEqual([c["FunctionArn"] for c in first["FunctionUrlConfigs"] +
                          second["FunctionUrlConfigs"]], [ARN + name, ARN + name + ":urlalias"])
        self.assertNotIn("NextMarker", second)
        # Deleting the unqualified URL leaves the alias's.
        self.lam.delete_function_url_config(FunctionName=name)
        self.assertError("ResourceNotFoundException", NOT_FOUND, 404,
                         self.lam.get_function_url_config, FunctionName=name)
        self.assertEqual(self.lam.get_function_url_config(FunctionName=name,
                                                          Qualifier="urlalias")["FunctionArn"],
                         ARN + name + ":urlalias")

    @requires_botocore("lambda", "CreateFunctionUrlConfig", "InvokeMode")
    def test_invoke_mode_and_cors(self):
        # TestLambdaURL::test_lambda_url_invalid_invoke_mode, test_lambda_update_function_url_config
        name = self.create("url-mode")
        raw = self.server.client("lambda", parameter_validation=False)
        self.assertError("ValidationException",
                         "1 validation error detected: Value 'UNKNOWN' at 'invokeMode' failed to "
                         "satisfy constraint: Member must satisfy enum value set: [BUFFERED, "
                         "RESPONSE_STREAM]", 400,
                         raw.create_function_url_config, FunctionName=name, AuthType="NONE",
                         InvokeMode="UNKNOWN")
        created = self.lam.create_function_url_config(FunctionName=name, AuthType="NONE",
                                                      InvokeMode="BUFFERED")
        self.assertEqual(created["InvokeMode"], "BUFFERED")
        changed = self.lam.update_function_url_config(FunctionName=name,
                                                      InvokeMode="RESPONSE_STREAM")
        self.assertEqual(changed["InvokeMode"], "RESPONSE_STREAM")
        kept = self.lam.update_function_url_config(FunctionName=name)
        self.assertEqual(kept["InvokeMode"], "RESPONSE_STREAM")
        self.assertEqual(self.lam.get_function_url_config(FunctionName=name)["InvokeMode"],
                         "RESPONSE_STREAM")

    def test_cors_config_and_validation(self):
        name = self.create("url-cors-config")
        raw = self.server.client("lambda", parameter_validation=False)
        self.lam.create_function_url_config(FunctionName=name, AuthType="NONE")
        # Cors is answered as given. Its constraints come from the botocore model; AWS's
        # rendering of a list value in the message is not recorded.
        cors = {"AllowOrigins": ["https://example.com"], "AllowMethods": ["GET", "POST"],
                "AllowCredentials": True, "MaxAge": 60}
        with_cors = self.lam.update_function_url_config(FunctionName=name, Cors=cors)
        self.assertEqual(with_cors["Cors"], cors)
        self.assertError("ValidationException",
                         "1 validation error detected: Value '86401' at 'cors.maxAge' failed to "
                         "satisfy constraint: Member must have value less than or equal to 86400",
                         400, raw.update_function_url_config, FunctionName=name,
                         Cors={"MaxAge": 86401})
        self.assertError("ValidationException",
                         "1 validation error detected: Value null at 'authType' failed to "
                         "satisfy constraint: Member must not be null", 400,
                         raw.create_function_url_config, FunctionName=self.create("url-noauth"))

    def test_cli_creates_and_reads_a_url(self):
        name = self.create("url-cli")
        code, created, err = self.server.aws("lambda", "create-function-url-config",
                                             "--function-name", name, "--auth-type", "NONE")
        self.assertEqual(code, 0, err)
        _, got, _ = self.server.aws("lambda", "get-function-url-config", "--function-name", name)
        self.assertEqual((got["FunctionUrl"], got["AuthType"]), (created["FunctionUrl"], "NONE"))
        status, _, body = self.fetch(created["FunctionUrl"])
        self.assertEqual((status, body), (200, b"hi"))
        code, _, err = self.server.aws("lambda", "get-function-url-config", "--function-name",
                                       "nope", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("ResourceNotFoundException", err)


class InvocationTest(UrlCase):
    def url_of(self, name, zip_bytes, **config):
        self.create(name, zip_bytes)
        return self.lam.create_function_url_config(FunctionName=name, AuthType="NONE",
                                                   **config)["FunctionUrl"]

    def test_return_values_become_responses(self):
        # TestLambdaURL::test_lambda_url_invocation[*]: status, Content-Type, Content-Length
        # and body for each kind of return value.
        cases = [
            ("dict", '{"hello": "world"}', '{"hello":"world"}'),
            ("http-response", '{"statusCode": 200, "body": "body123"}', "body123"),
            ("http-response-json", '{"statusCode": 200, "body": "{\\"hello\\": \\"world\\"}"}',
             '{"hello": "world"}'),
            ("list-mixed", '["hello", 3, True]', '["hello",3,true]'),
            ("string", '"hello"', "hello"),
            ("integer", "3", "3"),
            ("float", "3.1", "3.1"),
            ("boolean", "True", "true"),
        ]
        for label, expression, expected in cases:
            with self.subTest(label):
                url = self.url_of(f"url-ret-{label}", returning(expression))
                status, headers, body = self.fetch(url + "custom_path/extend?test_param=test_value",
                                                   method="POST", body=b"{'key':'value'}")
                self.assertEqual((status, headers["Content-Type"], headers["Content-Length"],
                                  body.decode()),
                                 (200, "application/json", str(len(expected)), expected))

    def test_event_has_payload_format_2(self):
        # The event's shape: AWS's "Request payload format" (payload format version 2.0);
        # header and query rules as in TestLambdaURL::test_lambda_url_echo_http_fixture_default.
        url = self.url_of("url-echo", ECHO)
        status, headers, body = self.fetch(
            url + "pa2%Fth/1?q=query&multiQuery=foo&multiQuery=%2Fbar", method="POST",
            body=b'{"foo": "bar"}',
            headers={"Content-Type": "application/json", "ExTrA-HeadErs": "With WeiRd CapS",
                     "Cookie": "a=1; b=2", "User-Agent": "test/echo"})
        self.assertEqual(status, 200, body)
        event = json.loads(body)
        url_id = url.rstrip("/").rsplit("/", 1)[1]
        self.assertEqual((event["version"], event["routeKey"], event["rawPath"],
                          event["rawQueryString"]),
                         ("2.0", "$default", "/pa2%Fth/1",
                          "q=query&multiQuery=foo&multiQuery=%2Fbar"))
        self.assertEqual(event["queryStringParameters"], {"q": "query", "multiQuery": "foo,/bar"})
        self.assertEqual(event["cookies"], ["a=1", "b=2"])
        self.assertEqual(event["headers"]["extra-headers"], "With WeiRd CapS")
        self.assertEqual(event["headers"]["content-type"], "application/json")
        self.assertNotIn("cookie", event["headers"])
        self.assertEqual(event["headers"]["x-forwarded-for"], "127.0.0.1")
        self.assertEqual((event["body"], event["isBase64Encoded"]), ('{"foo": "bar"}', False))
        ctx = event["requestContext"]
        self.assertEqual((ctx["accountId"], ctx["apiId"], ctx["domainPrefix"], ctx["stage"]),
                         ("anonymous", url_id, url_id, "$default"))
        self.assertEqual((ctx["http"]["method"], ctx["http"]["path"], ctx["http"]["sourceIp"],
                          ctx["http"]["userAgent"]),
                         ("POST", "/pa2%Fth/1", "127.0.0.1", "test/echo"))
        self.assertRegex(ctx["time"], r"^\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000$")
        self.assertIsInstance(ctx["timeEpoch"], int)
        self.assertEqual(ctx["requestId"], headers["x-amzn-RequestId"])
        # No query, no body: those members are absent (AWS's GET example).
        _, _, body = self.fetch(url)
        event = json.loads(body)
        self.assertEqual((event["rawPath"], event["rawQueryString"], event["isBase64Encoded"]),
                         ("/", "", False))
        self.assertNotIn("queryStringParameters", event)
        self.assertNotIn("body", event)
        # A binary body arrives base64-encoded (TestLambdaURL::test_lambda_url_form_payload).
        _, _, body = self.fetch(url, method="POST", body=b"\x00\x01binary",
                                headers={"Content-Type": "multipart/form-data; boundary=x"})
        event = json.loads(body)
        self.assertEqual((event["body"], event["isBase64Encoded"]), ("AAFiaW5hcnk=", True))

    def test_status_headers_and_cookies_from_the_function(self):
        # TestLambdaURL::test_lambda_url_headers_and_status
        url = self.url_of("url-status", RESPONSE_FROM_BODY)
        answer = {"statusCode": 201,
                  "headers": {"Content-Type": "application/json", "My-Custom-Header": "Custom Value"},
                  "body": json.dumps({"message": "hello-world"}), "isBase64Encoded": False}
        status, headers, body = self.fetch(url, method="POST", body=json.dumps(answer).encode(),
                                           headers={"Content-Type": "application/json"})
        self.assertEqual((status, json.loads(body), headers["my-custom-header"]),
                         (201, {"message": "hello-world"}, "Custom Value"))
        status, _, body = self.fetch(url, method="POST", body=json.dumps(
            {"statusCode": "418", "body": "i'm a teapot", "isBase64Encoded": False}).encode(),
            headers={"Content-Type": "application/json"})
        self.assertEqual((status, body), (418, b"i'm a teapot"))
        # Cookies and base64 bodies: AWS's "Response payload format".
        status, headers, body = self.fetch(url, method="POST", body=json.dumps(
            {"statusCode": 200, "cookies": ["c1=v1", "c2=v2; Path=/"], "body": "AAFiaW5hcnk=",
             "isBase64Encoded": True, "headers": {"content-type": "application/octet-stream"}}
        ).encode(), headers={"Content-Type": "application/json"})
        self.assertEqual((status, body, headers["Content-Type"]),
                         (200, b"\x00\x01binary", "application/octet-stream"))
        self.assertEqual(headers.get_all("Set-Cookie"), ["c1=v1", "c2=v2; Path=/"])

    def test_errors_and_unknown_urls(self):
        # TestLambdaURL::test_lambda_url_invocation_exception: 502 "Internal Server Error".
        url = self.url_of("url-fails", FAILING)
        status, _, body = self.fetch(url, method="POST", body=b"{}")
        self.assertEqual((status, body), (502, b"Internal Server Error"))
        # TestLambdaURL::test_lambda_url_non_existing_url
        status, headers, body = self.fetch(
            self.server.endpoint + "/lambda-url/0123456789abcdefghijklmnopqrstuv/")
        self.assertEqual((status, body, headers["Content-Type"], headers["x-amzn-ErrorType"]),
                         (403, b'{"Message":null}', "application/json", "AccessDeniedException"))
        # An AWS_IAM URL takes only signed requests; the message is the one AWS answers a
        # request it does not authorize (TestLambdaURL::test_lambda_url_persists_after_alias_delete).
        iam_url = self.url_of("url-iam", returning("'signed'"))
        self.lam.update_function_url_config(FunctionName="url-iam", AuthType="AWS_IAM")
        status, headers, body = self.fetch(iam_url)
        self.assertEqual((status, headers["x-amzn-ErrorType"]), (403, "AccessDeniedException"))
        self.assertTrue(json.loads(body)["Message"].startswith("Forbidden."))
        status, _, body = self.fetch(iam_url, headers={
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/lambda/"
                             "aws4_request, SignedHeaders=host, Signature=00"})
        self.assertEqual((status, body), (200, b"signed"))

    def test_host_addressing(self):
        # AWS's form https://<url-id>.lambda-url.<region>.on.aws: any host named so reaches
        # the URL (with DNS or a Host header); the path is then the whole path.
        url = self.url_of("url-host", ECHO)
        url_id = url.rstrip("/").rsplit("/", 1)[1]
        host = f"{url_id}.lambda-url.us-east-1.localhost"
        status, _, body = self.fetch(self.server.endpoint + "/some/path?x=1",
                                     headers={"Host": host})
        self.assertEqual(status, 200, body)
        event = json.loads(body)
        self.assertEqual((event["rawPath"], event["requestContext"]["domainName"]),
                         ("/some/path", host))

    def test_alias_url_runs_the_alias_version_and_goes_with_it(self):
        # TestLambdaURL::test_lambda_url_persists_after_alias_delete: the URL of an alias runs
        # the version it names; deleting the alias deletes the URL (403 Forbidden after).
        name = self.create("url-alias", zipped(VERSION_TAGGED.format(tag="one")))
        self.lam.publish_version(FunctionName=name)
        self.lam.update_function_code(FunctionName=name,
                                      ZipFile=zipped(VERSION_TAGGED.format(tag="two")))
        self.lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
        url = self.lam.create_function_url_config(FunctionName=name, AuthType="NONE",
                                                  Qualifier="live")["FunctionUrl"]
        latest = self.lam.create_function_url_config(FunctionName=name,
                                                     AuthType="NONE")["FunctionUrl"]
        status, _, body = self.fetch(url)
        self.assertEqual((status, json.loads(body)), (200, {"code": "one", "version": "1"}))
        status, _, body = self.fetch(latest)
        self.assertEqual(json.loads(body), {"code": "two", "version": "$LATEST"})
        self.lam.delete_alias(FunctionName=name, Name="live")
        self.assertError("ResourceNotFoundException", NOT_FOUND, 404,
                         self.lam.get_function_url_config, FunctionName=name, Qualifier="live")
        status, headers, _ = self.fetch(url)
        self.assertEqual((status, headers["x-amzn-ErrorType"]), (403, "AccessDeniedException"))
        # Deleting the function deletes its URLs.
        self.lam.delete_function(FunctionName=name)
        status, _, _ = self.fetch(latest)
        self.assertEqual(status, 403)

    def test_cors(self):
        # AWS's CORS settings: the preflight is answered without invoking the function, and
        # responses to an allowed origin carry Access-Control-Allow-Origin. AWS's exact header
        # set is documented ("Cross-origin resource sharing (CORS)"), not recorded.
        url = self.url_of("url-cors", returning("'ok'"), Cors={
            "AllowOrigins": ["https://example.com"], "AllowMethods": ["GET", "POST"],
            "AllowHeaders": ["x-custom"], "ExposeHeaders": ["x-out"], "MaxAge": 300,
            "AllowCredentials": True})
        status, headers, body = self.fetch(url, method="OPTIONS", headers={
            "Origin": "https://example.com", "Access-Control-Request-Method": "POST"})
        self.assertEqual((status, body), (200, b""))
        self.assertEqual((headers["Access-Control-Allow-Origin"],
                          headers["Access-Control-Allow-Methods"],
                          headers["Access-Control-Allow-Headers"],
                          headers["Access-Control-Max-Age"],
                          headers["Access-Control-Allow-Credentials"]),
                         ("https://example.com", "GET,POST", "x-custom", "300", "true"))
        status, headers, body = self.fetch(url, headers={"Origin": "https://example.com"})
        self.assertEqual((status, body, headers["Access-Control-Allow-Origin"],
                          headers["Access-Control-Expose-Headers"]),
                         (200, b"ok", "https://example.com", "x-out"))
        _, headers, _ = self.fetch(url, headers={"Origin": "https://other.example"})
        self.assertNotIn("Access-Control-Allow-Origin", headers)


class DurabilityTest(ServerTestCase):
    """A URL config is a write like any other: it survives a killed process."""

    def test_url_survives_kill(self):
        lam = self.server.client("lambda")
        lam.create_function(FunctionName="url-kept", Runtime="python3.12", Role=ROLE,
                            Handler="index.handler", Code={"ZipFile": returning("'kept'")})
        url = lam.create_function_url_config(FunctionName="url-kept",
                                             AuthType="NONE")["FunctionUrl"]
        self.server.kill()
        self.server.start()
        lam = self.server.client("lambda")
        path = re.sub(r"^http://[^/]+", "", url)
        self.assertEqual(lam.get_function_url_config(FunctionName="url-kept")["FunctionUrl"],
                         self.server.endpoint + path)
        status, _, body = self.server.http("GET", path)
        self.assertEqual((status, body), (200, b"kept"))


if __name__ == "__main__":
    unittest.main()
