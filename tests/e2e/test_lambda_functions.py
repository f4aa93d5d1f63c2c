"""Lambda functions through real clients: CRUD, names/ARNs, pagination, tags, errors,
config-file declarations. The server is the built binary (harness.py)."""
import base64
import hashlib
import io
import json
import os
import tempfile
import unittest
import zipfile

import botocore.exceptions

from harness import ServerTestCase, StreamStack

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
ACCOUNT = "000000000000"


def make_zip(source="def handler(event, context):\n    return event\n"):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", source)
    return buf.getvalue()


def error_of(ctx):
    err = ctx.exception.response
    return (err["Error"]["Code"], err["Error"]["Message"], err["ResponseMetadata"]["HTTPStatusCode"])


class FunctionsTest(ServerTestCase):
    in_memory = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lam = cls.server.client("lambda")
        cls.raw = cls.server.client("lambda", parameter_validation=False)

    def create(self, name, **extra):
        args = dict(FunctionName=name, Runtime="python3.12", Role=ROLE, Handler="index.handler",
                    Code={"ZipFile": make_zip()})
        args.update(extra)
        return self.lam.create_function(**args)

    def test_create_answers_aws_configuration(self):
        code = make_zip()
        resp = self.lam.create_function(
            FunctionName="shape-fn", Runtime="python3.12", Role=ROLE, Handler="index.handler",
            Code={"ZipFile": code}, Description="d", Timeout=10, MemorySize=256,
            Environment={"Variables": {"AB": "1"}}, Tags={"team": "x"})
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(resp["FunctionName"], "shape-fn")
        self.assertEqual(resp["FunctionArn"], f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:shape-fn")
        self.assertEqual(resp["Runtime"], "python3.12")
        self.assertEqual(resp["Role"], ROLE)
        self.assertEqual(resp["Handler"], "index.handler")
        self.assertEqual(resp["CodeSize"], len(code))
        self.assertEqual(resp["CodeSha256"], base64.b64encode(hashlib.sha256(code).digest()).decode())
        self.assertEqual(resp["Description"], "d")
        self.assertEqual(resp["Timeout"], 10)
        self.assertEqual(resp["MemorySize"], 256)
        self.assertRegex(resp["LastModified"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$")
        self.assertEqual(resp["Version"], "$LATEST")
        self.assertEqual(resp["Environment"], {"Variables": {"AB": "1"}})
        self.assertEqual(resp["TracingConfig"], {"Mode": "PassThrough"})
        self.assertRegex(resp["RevisionId"], r"^[0-9a-f-]{36}$")
        self.assertEqual(resp["State"], "Active")
        self.assertEqual(resp["LastUpdateStatus"], "Successful")
        self.assertEqual(resp["PackageType"], "Zip")
        self.assertEqual(resp["Architectures"], ["x86_64"])
        self.assertEqual(resp["EphemeralStorage"], {"Size": 512})
        # The waiters real code uses pass at once.
        self.lam.get_waiter("function_active_v2").wait(FunctionName="shape-fn")

    def test_defaults(self):
        resp = self.create("defaults-fn")
        self.assertEqual(resp["Timeout"], 3)
        self.assertEqual(resp["MemorySize"], 128)
        self.assertEqual(resp["Description"], "")
        self.assertNotIn("Environment", resp)

    def test_get_by_name_arn_and_partial_arn(self):
        self.create("get-fn", Tags={"k": "v"})
        for name in ("get-fn", f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:get-fn",
                     f"{ACCOUNT}:function:get-fn", "get-fn:$LATEST"):
            got = self.lam.get_function(FunctionName=name)
            self.assertEqual(got["Configuration"]["FunctionName"], "get-fn", name)
            self.assertEqual(got["Code"]["RepositoryType"], "S3")
            self.assertIn("Location", got["Code"])
            self.assertEqual(got["Tags"], {"k": "v"})
            conf = self.lam.get_function_configuration(FunctionName=name)
            # AWS answers with the ARN as named: qualified when the name was (recorded in
            # LocalStack's TestLambdaVersions::test_publish_version_on_create).
            suffix = ":$LATEST" if name.endswith(":$LATEST") else ""
            self.assertEqual(conf["FunctionArn"],
                             f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:get-fn{suffix}")

    def test_not_found(self):
        for call in (lambda: self.lam.get_function(FunctionName="nope"),
                     lambda: self.lam.get_function_configuration(FunctionName="nope"),
                     lambda: self.lam.delete_function(FunctionName="nope"),
                     lambda: self.lam.update_function_configuration(FunctionName="nope", Timeout=5)):
            with self.assertRaises(self.lam.exceptions.ResourceNotFoundException) as ctx:
                call()
            self.assertEqual(error_of(ctx), (
                "ResourceNotFoundException",
                f"Function not found: arn:aws:lambda:us-east-1:{ACCOUNT}:function:nope", 404))

    def test_conflict(self):
        self.create("dup-fn")
        with self.assertRaises(self.lam.exceptions.ResourceConflictException) as ctx:
            self.create("dup-fn")
        self.assertEqual(error_of(ctx), ("ResourceConflictException", "Function already exist: dup-fn", 409))

    def test_validation_answers(self):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.create("bad name")
        code, message, status = error_of(ctx)
        self.assertEqual((code, status), ("ValidationException", 400))
        self.assertTrue(message.startswith(
            "1 validation error detected: Value 'bad name' at 'functionName' failed to satisfy "
            "constraint: Member must satisfy regular expression pattern: "), message)
        cases = [
            (dict(Timeout=901), "1 validation error detected: Value '901' at 'timeout' failed to "
             "satisfy constraint: Member must have value less than or equal to 900"),
            (dict(Timeout=0), "1 validation error detected: Value '0' at 'timeout' failed to "
             "satisfy constraint: Member must have value greater than or equal to 1"),
            (dict(MemorySize=10241), "1 validation error detected: Value '10241' at 'memorySize' "
             "failed to satisfy constraint: Member must have value less than or equal to 10240"),
            (dict(MemorySize=127), "1 validation error detected: Value '127' at 'memorySize' "
             "failed to satisfy constraint: Member must have value greater than or equal to 128"),
        ]
        for extra, expected in cases:
            args = dict(FunctionName="range-fn", Runtime="python3.12", Role=ROLE,
                        Handler="index.handler", Code={"ZipFile": make_zip()})
            args.update(extra)
            with self.assertRaises(botocore.exceptions.ClientError) as ctx:
                self.raw.create_function(**args)
            self.assertEqual(error_of(ctx), ("ValidationException", expected, 400), extra)
        # AWS's pattern for variable names needs two characters at least.
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.create("env-fn", Environment={"Variables": {"A": "1"}})
        self.assertEqual(error_of(ctx), (
            "ValidationException", "1 validation error detected: Value 'A' at "
            "'environment.variables' failed to satisfy constraint: Map keys must satisfy "
            "constraint: [Member must satisfy regular expression pattern: [a-zA-Z]([a-zA-Z0-9_])+]",
            400))
        # Boundaries are accepted.
        self.create("edge-fn", Timeout=900, MemorySize=10240)
        with self.assertRaises(self.lam.exceptions.InvalidParameterValueException) as ctx:
            self.lam.create_function(FunctionName="no-runtime", Role=ROLE,
                                     Code={"ZipFile": make_zip()})
        self.assertEqual(error_of(ctx)[1], "Runtime and Handler are mandatory parameters for "
                         "functions created with deployment packages.")
        with self.assertRaises(self.lam.exceptions.InvalidParameterValueException) as ctx:
            self.create("bad-zip", Code={"ZipFile": b"not a zip"})
        self.assertEqual(error_of(ctx)[1], "Could not unzip uploaded file. Please check your "
                         "file, then try to upload again.")

    def test_image_and_s3_packages_are_stored(self):
        img = self.lam.create_function(FunctionName="img-fn", Role=ROLE, PackageType="Image",
                                       Code={"ImageUri": "123.dkr.ecr.us-east-1.amazonaws.com/r:1"})
        self.assertEqual(img["PackageType"], "Image")
        got = self.lam.get_function(FunctionName="img-fn")
        self.assertEqual(got["Code"]["RepositoryType"], "ECR")
        self.assertEqual(got["Code"]["ImageUri"], "123.dkr.ecr.us-east-1.amazonaws.com/r:1")
        s3 = self.create("s3-fn", Code={"S3Bucket": "bucket", "S3Key": "fn.zip"})
        self.assertEqual(s3["CodeSize"], 0)

    def test_update_configuration_and_code(self):
        first = self.create("upd-fn")
        resp = self.lam.update_function_configuration(
            FunctionName="upd-fn", Timeout=30, MemorySize=512, Description="new",
            Environment={"Variables": {"STREAMSTACK_INVOKE_URL": "http://127.0.0.1:1/"}})
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual((resp["Timeout"], resp["MemorySize"], resp["Description"]), (30, 512, "new"))
        self.assertNotEqual(resp["RevisionId"], first["RevisionId"])
        self.assertEqual(resp["Runtime"], "python3.12")
        code = make_zip("def handler(e, c):\n    return 2\n")
        resp = self.lam.update_function_code(FunctionName="upd-fn", ZipFile=code)
        self.assertEqual(resp["CodeSha256"], base64.b64encode(hashlib.sha256(code).digest()).decode())
        self.assertEqual(resp["CodeSize"], len(code))
        self.assertEqual(self.lam.get_function_configuration(FunctionName="upd-fn")["Timeout"], 30)

    def test_delete(self):
        self.create("del-fn")
        resp = self.lam.delete_function(FunctionName="del-fn")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 204)
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.lam.get_function(FunctionName="del-fn")

    def test_list_paginates(self):
        names = [f"page-{i:02d}" for i in range(7)]
        for n in names:
            self.create(n)
        first = self.lam.list_functions(MaxItems=3)
        self.assertEqual(len(first["Functions"]), 3)
        self.assertIn("NextMarker", first)
        seen = []
        for page in self.lam.get_paginator("list_functions").paginate(PaginationConfig={"PageSize": 2}):
            seen += [f["FunctionName"] for f in page["Functions"]]
        self.assertEqual([n for n in seen if n.startswith("page-")], names)
        self.assertEqual(seen, sorted(seen))
        self.assertEqual(len(seen), len(set(seen)))

    def test_tags(self):
        arn = self.create("tag-fn")["FunctionArn"]
        self.lam.tag_resource(Resource=arn, Tags={"a": "1", "b": "2"})
        self.assertEqual(self.lam.list_tags(Resource=arn)["Tags"], {"a": "1", "b": "2"})
        self.lam.untag_resource(Resource=arn, TagKeys=["a"])
        self.assertEqual(self.lam.list_tags(Resource=arn)["Tags"], {"b": "2"})
        self.assertEqual(self.lam.get_function(FunctionName="tag-fn")["Tags"], {"b": "2"})
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException):
            self.lam.list_tags(Resource=f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:ghost")

    def test_aws_cli(self):
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "fn.zip")
            with open(path, "wb") as f:
                f.write(make_zip())
            _, out, _ = self.server.aws("lambda", "create-function", "--function-name", "cli-fn",
                                        "--runtime", "python3.12", "--handler", "index.handler",
                                        "--role", ROLE, "--zip-file", f"fileb://{path}",
                                        "--environment", "Variables={KEY=V}")
        self.assertEqual(out["FunctionName"], "cli-fn")
        self.assertEqual(out["Environment"], {"Variables": {"KEY": "V"}})
        _, out, _ = self.server.aws("lambda", "get-function", "--function-name", "cli-fn")
        self.assertEqual(out["Configuration"]["Handler"], "index.handler")
        _, out, _ = self.server.aws("lambda", "list-functions")
        self.assertIn("cli-fn", [f["FunctionName"] for f in out["Functions"]])
        _, out, _ = self.server.aws("lambda", "update-function-configuration", "--function-name",
                                    "cli-fn", "--timeout", "60")
        self.assertEqual(out["Timeout"], 60)
        self.server.aws("lambda", "delete-function", "--function-name", "cli-fn")
        code, _, err = self.server.aws("lambda", "get-function", "--function-name", "cli-fn", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("ResourceNotFoundException", err)


class PersistenceAndConfigTest(unittest.TestCase):
    def test_functions_survive_restart_and_config_declares(self):
        with tempfile.TemporaryDirectory() as d:
            cfg = os.path.join(d, "streamstack.json")
            with open(cfg, "w") as f:
                json.dump({"functions": [{"name": "declared-fn", "invoke_url": "http://127.0.0.1:9/x",
                                          "timeout": 7, "memory_size": 256}]}, f)
            data = os.path.join(d, "data")
            with StreamStack("--config", cfg, data_dir=data) as server:
                lam = server.client("lambda")
                conf = lam.get_function_configuration(FunctionName="declared-fn")
                self.assertEqual((conf["Timeout"], conf["MemorySize"], conf["Runtime"]),
                                 (7, 256, "provided.al2023"))
                lam.create_function(FunctionName="kept-fn", Runtime="python3.12", Role=ROLE,
                                    Handler="index.handler", Code={"ZipFile": make_zip()})
                server.restart()
                lam = server.client("lambda")
                self.assertEqual(lam.get_function(FunctionName="kept-fn")["Configuration"]["Role"], ROLE)
                self.assertEqual(lam.get_function(FunctionName="declared-fn")["Configuration"]["Timeout"], 7)


if __name__ == "__main__":
    unittest.main()
