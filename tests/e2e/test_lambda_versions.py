"""Versions, aliases and qualified names (issue 13) through boto3, the aws CLI and real
function code: what PublishVersion, the alias operations and every qualified call answer, and
that a published version runs the code and configuration it was published with.

Expected answers are AWS's, recorded in LocalStack's lambda test suite
(tests/aws/services/lambda_/test_lambda_api.snapshot.json: TestLambdaVersions,
TestLambdaAlias, TestLambdaFunction; test_lambda.snapshot.json: TestLambdaAliases), named
per case below.
"""
import io
import json
import shutil
import tempfile
import time
import unittest
import zipfile

import botocore.exceptions

import harness
from harness import ServerTestCase, wait_until

ROLE = "arn:aws:iam::000000000000:role/lambda-role"
ACCOUNT = "000000000000"
ARN = f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:"


def code(tag):
    """A python function that says which code it is and how it was invoked."""
    source = ("import os\n"
              "def handler(event, context):\n"
              f"    return {{'code': {tag!r}, 'version': context.function_version,\n"
              "            'arn': context.invoked_function_arn,\n"
              "            'greeting': os.environ.get('GREETING')}\n")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("index.py", source)
    return buf.getvalue()


class VersionCase(ServerTestCase):
    """One in-memory server per class; helpers."""
    in_memory = True
    server_args = ("--poll-interval-ms", "0")

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.lam = cls.server.client("lambda")
        cls.raw = cls.server.client("lambda", parameter_validation=False)

    def create(self, name, tag="one", **extra):
        self.lam.create_function(FunctionName=name, Runtime="python3.12", Role=ROLE,
                                 Handler="index.handler", Code={"ZipFile": code(tag)},
                                 Environment={"Variables": {"GREETING": "hello"}}, **extra)
        return name

    def invoke(self, name, **kwargs):
        resp = self.lam.invoke(FunctionName=name, Payload=b"{}", **kwargs)
        body = json.loads(resp["Payload"].read())
        self.assertNotIn("FunctionError", resp, body)
        return resp["ExecutedVersion"], body

    def assertError(self, code_, message, status, call, *args, **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            call(*args, **kwargs)
        err = ctx.exception.response
        self.assertEqual((err["Error"]["Code"], err["Error"]["Message"],
                          err["ResponseMetadata"]["HTTPStatusCode"]), (code_, message, status))


class VersionsTest(VersionCase):
    def test_publish_list_and_immutable_versions(self):
        name = self.create("ver-life", Description="latest description")
        # TestLambdaVersions::test_version_lifecycle / first_publish_response
        v1 = self.lam.publish_version(FunctionName=name, Description="first")
        self.assertEqual(v1["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual((v1["Version"], v1["FunctionArn"], v1["Description"]),
                         ("1", ARN + name + ":1", "first"))
        self.assertEqual((v1["State"], v1["LastUpdateStatus"]), ("Active", "Successful"))
        # Nothing changed: the same version again (third_publish_response), 201.
        again = self.lam.publish_version(FunctionName=name, Description="ignored")
        self.assertEqual((again["Version"], again["RevisionId"], again["Description"]),
                         ("1", v1["RevisionId"], "first"))
        # Change code and configuration; version 1 keeps its own.
        self.lam.update_function_code(FunctionName=name, ZipFile=code("two"))
        harness.wait_until(lambda: self.lam.get_function(FunctionName=name)["Configuration"]
                           ["LastUpdateStatus"] == "Successful")
        self.lam.update_function_configuration(
            FunctionName=name, Environment={"Variables": {"GREETING": "changed"}})
        v2 = self.lam.publish_version(FunctionName=name)
        self.assertEqual(v2["Version"], "2")
        self.assertEqual(v2["Description"], "latest description")  # copied from $LATEST
        self.assertEqual(self.invoke(name, Qualifier="1"),
                         ("1", {"code": "one", "version": "1", "arn": ARN + name + ":1",
                                "greeting": "hello"}))
        self.assertEqual(self.invoke(f"{name}:2"),
                         ("2", {"code": "two", "version": "2", "arn": ARN + name + ":2",
                                "greeting": "changed"}))
        self.assertEqual(self.invoke(name)[0], "$LATEST")
        # list_versions_result: $LATEST first, qualified; then the versions in order.
        versions = self.lam.list_versions_by_function(FunctionName=name)["Versions"]
        self.assertEqual([(v["Version"], v["FunctionArn"]) for v in versions],
                         [("$LATEST", ARN + name + ":$LATEST"), ("1", ARN + name + ":1"),
                          ("2", ARN + name + ":2")])
        self.assertNotIn("State", versions[1])
        page = self.lam.list_versions_by_function(FunctionName=name, MaxItems=2)
        rest = self.lam.list_versions_by_function(FunctionName=name, Marker=page["NextMarker"])
        self.assertEqual([v["Version"] for v in page["Versions"] + rest["Versions"]],
                         ["$LATEST", "1", "2"])
        # GetFunction with a Qualifier: that version, under the ARN as named.
        got = self.lam.get_function(FunctionName=name, Qualifier="1")["Configuration"]
        self.assertEqual((got["Version"], got["FunctionArn"], got["RevisionId"]),
                         ("1", ARN + name + ":1", v1["RevisionId"]))
        latest = self.lam.get_function_configuration(FunctionName=name, Qualifier="$LATEST")
        self.assertEqual(latest["FunctionArn"], ARN + name + ":$LATEST")
        # Deleting a version; the others keep their numbers.
        self.lam.delete_function(FunctionName=name, Qualifier="1")
        self.assertEqual([v["Version"] for v in
                          self.lam.list_versions_by_function(FunctionName=name)["Versions"]],
                         ["$LATEST", "2"])
        # test_delete_on_nonexisting_version: a missing version of a live function is fine.
        self.lam.delete_function(FunctionName=name, Qualifier="1233")

    def test_publish_on_create_and_update(self):
        # TestLambdaVersions::test_publish_version_on_create: Version "1", unqualified ARN.
        created = self.lam.create_function(FunctionName="ver-create", Runtime="python3.12",
                                           Role=ROLE, Handler="index.handler",
                                           Code={"ZipFile": code("one")}, Publish=True)
        self.assertEqual((created["Version"], created["FunctionArn"]),
                         ("1", ARN + "ver-create"))
        self.assertEqual(self.lam.publish_version(FunctionName="ver-create")["Version"], "1")
        # test_publish_with_update: the new version's configuration, qualified.
        updated = self.lam.update_function_code(FunctionName="ver-create", ZipFile=code("two"),
                                                Publish=True)
        self.assertEqual((updated["Version"], updated["FunctionArn"]),
                         ("2", ARN + "ver-create:2"))
        self.assertEqual(self.invoke("ver-create", Qualifier="2")[1]["code"], "two")

    def test_version_errors(self):
        name = self.create("ver-errors")
        latest = self.lam.get_function(FunctionName=name)["Configuration"]
        # test_publish_with_wrong_sha256
        self.assertError("InvalidParameterValueException",
                         f"CodeSHA256 (nope) is different from current CodeSHA256 in $LATEST "
                         f"({latest['CodeSha256']}). Please try again with the CodeSHA256 in "
                         f"$LATEST.", 400, self.lam.publish_version, FunctionName=name,
                         CodeSha256="nope")
        # TestLambdaRevisions: publish_version_revision_exception
        self.assertError("PreconditionFailedException",
                         "The Revision Id provided does not match the latest Revision Id. Call "
                         "the GetFunction/GetAlias API to retrieve the latest Revision Id", 412,
                         self.lam.publish_version, FunctionName=name, RevisionId="wrong")
        self.lam.publish_version(FunctionName=name, CodeSha256=latest["CodeSha256"])
        # test_ops_on_nonexisting_version
        for call in (self.lam.get_function, self.lam.get_function_configuration):
            self.assertError("ResourceNotFoundException", f"Function not found: {ARN}{name}:1221",
                             404, call, FunctionName=name, Qualifier="1221")
        # test_ops_with_arn_qualifier_mismatch
        self.assertError("InvalidParameterValueException",
                         "The derived qualifier from the function name does not match the "
                         "specified qualifier.", 400, self.lam.get_function,
                         FunctionName=f"{name}:1", Qualifier="$LATEST")
        self.assertError("InvalidParameterValueException",
                         "$LATEST version cannot be deleted without deleting the function.", 400,
                         self.lam.delete_function, FunctionName=name, Qualifier="$LATEST")
        # test_function_name_and_qualifier_validation[invalid characters]
        self.assertError("ValidationException",
                         "1 validation error detected: Value 'invalid!' at 'qualifier' failed to "
                         "satisfy constraint: Member must satisfy regular expression pattern: "
                         "\\$(LATEST(\\.PUBLISHED)?)|[a-zA-Z0-9-_$]+", 400,
                         self.raw.get_function, FunctionName=name, Qualifier="invalid!")
        # TestLambdaReservedConcurrency: qualified names are refused.
        self.assertError("InvalidParameterValueException",
                         "This operation is permitted on Lambda functions only. Aliases and "
                         "versions do not support this operation. Please specify either a "
                         "function name or an unqualified function ARN.", 400,
                         self.lam.put_function_concurrency, FunctionName=f"{ARN}{name}:$LATEST",
                         ReservedConcurrentExecutions=1)


    def test_through_the_aws_cli(self):
        aws = self.server.aws
        name = self.create("ver-cli")
        _, published, _ = aws("lambda", "publish-version", "--function-name", name)
        self.assertEqual(published["Version"], "1")
        _, alias, _ = aws("lambda", "create-alias", "--function-name", name, "--name", "prod",
                          "--function-version", "1")
        self.assertEqual(alias["AliasArn"], ARN + name + ":prod")
        with tempfile.TemporaryDirectory() as d:
            _, meta, _ = aws("lambda", "invoke", "--function-name", name, "--qualifier", "prod",
                             "--payload", "{}", d + "/out.json")
            self.assertEqual(meta["ExecutedVersion"], "1")
        _, versions, _ = aws("lambda", "list-versions-by-function", "--function-name", name)
        self.assertEqual([v["Version"] for v in versions["Versions"]], ["$LATEST", "1"])
        _, aliases, _ = aws("lambda", "list-aliases", "--function-name", name)
        self.assertEqual([a["Name"] for a in aliases["Aliases"]], ["prod"])


class AliasesTest(VersionCase):
    def test_alias_lifecycle_and_invoke(self):
        name = self.create("alias-life")
        self.lam.publish_version(FunctionName=name)
        self.lam.update_function_code(FunctionName=name, ZipFile=code("two"))
        self.lam.publish_version(FunctionName=name)
        # test_alias_lifecycle / create_alias_1_1: RoutingConfig only when it routes.
        alias = self.lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1",
                                      Description="custom-alias")
        self.assertEqual(alias["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual((alias["AliasArn"], alias["Name"], alias["FunctionVersion"],
                          alias["Description"]), (ARN + name + ":live", "live", "1",
                                                  "custom-alias"))
        self.assertNotIn("RoutingConfig", alias)
        self.assertEqual(self.lam.get_alias(FunctionName=name, Name="live")["RevisionId"],
                         alias["RevisionId"])
        # Invoke through the alias: ExecutedVersion is the version (test_lambda_alias_moving).
        self.assertEqual(self.invoke(name, Qualifier="live"),
                         ("1", {"code": "one", "version": "1", "arn": ARN + name + ":live",
                                "greeting": "hello"}))
        self.assertEqual(self.invoke(ARN + name + ":live")[0], "1")
        # GetFunction through the alias: the alias ARN, the version's configuration.
        got = self.lam.get_function(FunctionName=name, Qualifier="live")["Configuration"]
        self.assertEqual((got["FunctionArn"], got["Version"]), (ARN + name + ":live", "1"))
        # Move it; every update is a new RevisionId (update_alias_1_2).
        moved = self.lam.update_alias(FunctionName=name, Name="live", FunctionVersion="2")
        self.assertNotEqual(moved["RevisionId"], alias["RevisionId"])
        self.assertEqual(self.invoke(name, Qualifier="live")[1]["code"], "two")
        self.assertError("PreconditionFailedException",
                         "The Revision Id provided does not match the latest Revision Id. Call "
                         "the GetFunction/GetAlias API to retrieve the latest Revision Id", 412,
                         self.lam.update_alias, FunctionName=name, Name="live",
                         RevisionId="wrong")
        self.lam.create_alias(FunctionName=name, Name="edge", FunctionVersion="$LATEST")
        listed = self.lam.list_aliases(FunctionName=name)["Aliases"]
        self.assertEqual(sorted(a["Name"] for a in listed), ["edge", "live"])
        filtered = self.lam.list_aliases(FunctionName=name, FunctionVersion="2")["Aliases"]
        self.assertEqual([a["Name"] for a in filtered], ["live"])
        # A version an alias names cannot go.
        self.assertError("ResourceConflictException",
                         "Unable to delete version because the following aliases reference it: "
                         "[live]", 409, self.lam.delete_function, FunctionName=name,
                         Qualifier="2")
        # delete_alias_response: 204, and again for a missing one.
        resp = self.lam.delete_alias(FunctionName=name, Name="edge")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.lam.delete_alias(FunctionName=name, Name="edge")

    def test_weighted_routing_is_exact(self):
        name = self.create("alias-weights")
        self.lam.publish_version(FunctionName=name)
        self.lam.update_function_code(FunctionName=name, ZipFile=code("two"))
        self.lam.publish_version(FunctionName=name)
        alias = self.lam.create_alias(FunctionName=name, Name="canary", FunctionVersion="1",
                                      RoutingConfig={"AdditionalVersionWeights": {"2": 0.25}})
        self.assertEqual(alias["RoutingConfig"], {"AdditionalVersionWeights": {"2": 0.25}})
        executed = [self.invoke(name, Qualifier="canary")[0] for _ in range(20)]
        # Exactly a quarter, spread evenly: every fourth invocation.
        self.assertEqual(executed, ["1", "1", "1", "2"] * 5)
        # An empty weight map removes the routing (update_alias_1_1).
        cleared = self.lam.update_alias(FunctionName=name, Name="canary",
                                        RoutingConfig={"AdditionalVersionWeights": {}})
        self.assertNotIn("RoutingConfig", cleared)

    def test_alias_errors(self):
        name = self.create("alias-errors")
        self.lam.publish_version(FunctionName=name)
        self.lam.update_function_code(FunctionName=name, ZipFile=code("two"))
        self.lam.publish_version(FunctionName=name)
        self.lam.create_alias(FunctionName=name, Name="custom", FunctionVersion="1")
        # All from TestLambdaAlias::test_notfound_and_invalid_routingconfigs unless named.
        cases = [
            (dict(Name="custom", FunctionVersion="1"), "ResourceConflictException",
             f"Alias already exists: {ARN}{name}:custom", 409),
            (dict(Name="other", FunctionVersion="10"), "ResourceNotFoundException",
             f"Function not found: {ARN}{name}:10", 404),
            (dict(Name="other", FunctionVersion="1",
                  RoutingConfig={"AdditionalVersionWeights": {"10": 0.5}}),
             "ResourceNotFoundException", f"Function not found: {ARN}{name}:10", 404),
            (dict(Name="other", FunctionVersion="1",
                  RoutingConfig={"AdditionalVersionWeights": {"1": 0.8, "2": 0.2}}),
             "InvalidParameterValueException",
             "Number of items in AdditionalVersionWeights cannot be greater than 1", 400),
            (dict(Name="other", FunctionVersion="1",
                  RoutingConfig={"AdditionalVersionWeights": {"2": 2}}), "ValidationException",
             "1 validation error detected: Value '{2=2.0}' at "
             "'routingConfig.additionalVersionWeights' failed to satisfy constraint: Map value "
             "must satisfy constraint: [Member must have value less than or equal to 1.0, Member "
             "must have value greater than or equal to 0.0, Member must not be null]", 400),
            (dict(Name="other", FunctionVersion="1",
                  RoutingConfig={"AdditionalVersionWeights": {"1": 0.5}}),
             "InvalidParameterValueException",
             "Invalid function version 1. Function version 1 is already included in routing "
             "configuration.", 400),
            (dict(Name="other", FunctionVersion="$LATEST",
                  RoutingConfig={"AdditionalVersionWeights": {"2": 0.5}}),
             "InvalidParameterValueException",
             "$LATEST is not supported for an alias pointing to more than 1 version", 400),
            # TestLambdaAlias::test_alias_naming / create_alias_number_exception
            (dict(Name="2024", FunctionVersion="1"), "ValidationException",
             "1 validation error detected: Value '2024' at 'name' failed to satisfy constraint: "
             "Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)", 400),
        ]
        for args, code_, message, status in cases:
            self.assertError(code_, message, status, self.raw.create_alias, FunctionName=name,
                             **args)
        self.assertError("ResourceNotFoundException",
                         f"Cannot find alias arn: {ARN}{name}:non-existent", 404,
                         self.lam.get_alias, FunctionName=name, Name="non-existent")
        self.assertError("ResourceNotFoundException",
                         f"Alias not found: {ARN}{name}:non-existent", 404,
                         self.lam.update_alias, FunctionName=name, Name="non-existent",
                         FunctionVersion="1")
        self.assertError("ResourceNotFoundException",
                         f"Function not found: {ARN}{name}:non-existent-alias", 404,
                         self.lam.invoke, FunctionName=name, Qualifier="non-existent-alias",
                         Payload=b"{}")
        # A date is a fine alias name (create_alias_date).
        self.lam.create_alias(FunctionName=name, Name="2024-01-02", FunctionVersion="2")
        self.assertEqual(self.invoke(f"{name}:2024-01-02")[0], "2")


class PermissionsTest(VersionCase):
    """AddPermission, RemovePermission, GetPolicy: stored and answered as AWS does (recorded in
    LocalStack's TestLambdaPermissions), not enforced."""

    def test_statements_and_policy_document(self):
        name = self.create("perm-fn")
        added = self.lam.add_permission(
            FunctionName=name, StatementId="s3", Action="lambda:InvokeFunction",
            Principal="s3.amazonaws.com", SourceArn="arn:aws:s3:::bucket")
        self.assertEqual(added["ResponseMetadata"]["HTTPStatusCode"], 201)
        # test_add_lambda_permission_aws / add_permission: AWS's member order, as text.
        self.assertEqual(added["Statement"], json.dumps({
            "Sid": "s3", "Effect": "Allow", "Principal": {"Service": "s3.amazonaws.com"},
            "Action": "lambda:InvokeFunction", "Resource": ARN + name,
            "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::bucket"}}},
            separators=(",", ":")))
        # test_add_lambda_permission_fields: principals and conditions.
        cases = [
            (dict(Principal="*", SourceAccount=ACCOUNT), "*",
             {"StringEquals": {"AWS:SourceAccount": ACCOUNT}}),
            (dict(Principal="lambda.amazonaws.com"), {"Service": "lambda.amazonaws.com"}, None),
            (dict(Principal="111122223333"), {"AWS": "arn:aws:iam::111122223333:root"}, None),
            (dict(Principal="arn:aws:iam::111122223333:role/r"),
             {"AWS": "arn:aws:iam::111122223333:role/r"}, None),
        ]
        for i, (args, principal, condition) in enumerate(cases):
            statement = json.loads(self.lam.add_permission(
                FunctionName=name, StatementId=f"p{i}", Action="lambda:InvokeFunction",
                **args)["Statement"])
            self.assertEqual(statement["Principal"], principal, args)
            self.assertEqual(statement.get("Condition"), condition, args)
        policy = self.lam.get_policy(FunctionName=name)
        document = json.loads(policy["Policy"])
        self.assertEqual(list(document), ["Version", "Id", "Statement"])
        self.assertEqual((document["Version"], document["Id"]), ("2012-10-17", "default"))
        self.assertEqual([st["Sid"] for st in document["Statement"]],
                         ["s3", "p0", "p1", "p2", "p3"])  # in the order added
        # Removing changes the RevisionId; a wrong one is refused.
        self.assertError("PreconditionFailedException",
                         "The Revision Id provided does not match the latest Revision Id. Call "
                         "the GetPolicy API to retrieve the latest Revision Id", 412,
                         self.lam.add_permission, FunctionName=name, StatementId="late",
                         Action="lambda:InvokeFunction", Principal="*", RevisionId="wrong")
        resp = self.lam.remove_permission(FunctionName=name, StatementId="p0",
                                          RevisionId=policy["RevisionId"])
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 204)
        after = self.lam.get_policy(FunctionName=name)
        self.assertNotEqual(after["RevisionId"], policy["RevisionId"])
        for sid in ("s3", "p1", "p2", "p3"):
            self.lam.remove_permission(FunctionName=name, StatementId=sid)
        # test_remove_multi_permissions / get_policy_exception_removed_all
        self.assertError("ResourceNotFoundException", "The resource you requested does not exist.",
                         404, self.lam.get_policy, FunctionName=name)

    def test_versions_and_aliases_have_their_own_policies(self):
        name = self.create("perm-versions")
        self.lam.publish_version(FunctionName=name)
        self.lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
        self.lam.add_permission(FunctionName=name, StatementId="s3", Action="lambda:*",
                                Principal="*")
        # test_lambda_permission_fn_versioning: the version has none until one is added.
        self.assertError("ResourceNotFoundException", "The resource you requested does not exist.",
                         404, self.lam.get_policy, FunctionName=name, Qualifier="1")
        for qualifier in ("1", "live"):
            statement = json.loads(self.lam.add_permission(
                FunctionName=name, Qualifier=qualifier, StatementId="s3", Action="lambda:*",
                Principal="*")["Statement"])
            self.assertEqual(statement["Resource"], f"{ARN}{name}:{qualifier}")
        self.assertEqual(len(json.loads(self.lam.get_policy(FunctionName=name)["Policy"])
                             ["Statement"]), 1)

    def test_errors(self):
        name = self.create("perm-errors")
        self.lam.publish_version(FunctionName=name)
        self.lam.add_permission(FunctionName=name, StatementId="s3", Action="lambda:*",
                                Principal="*")
        base = dict(FunctionName=name, StatementId="x", Action="lambda:InvokeFunction",
                    Principal="*")
        # test_permission_exceptions, key by key.
        cases = [
            (dict(StatementId="s3"), "ResourceConflictException",
             "The statement id (s3) provided already exists. Please provide a new statement id, "
             "or remove the existing statement.", 409),
            (dict(StatementId="example.com"), "ValidationException",
             "1 validation error detected: Value 'example.com' at 'statementId' failed to "
             "satisfy constraint: Member must satisfy regular expression pattern: "
             "([a-zA-Z0-9-_]+)", 400),
            (dict(FunctionName=f"{name}:$LATEST", Qualifier="$LATEST"),
             "InvalidParameterValueException",
             "We currently do not support adding policies for $LATEST.", 400),
            (dict(FunctionName=f"{name}:alias-not-42", Qualifier="42"),
             "InvalidParameterValueException",
             "The derived qualifier from the function name does not match the specified "
             "qualifier.", 400),
            (dict(Principal="invalid.nonaws.com"), "InvalidParameterValueException",
             "The provided principal was invalid. Please check the principal and try again.", 400),
            (dict(FunctionName="doesnotexist"), "ResourceNotFoundException",
             f"Function not found: {ARN}doesnotexist", 404),
            (dict(FunctionName=f"{name}:alias-doesnotexist"), "ResourceNotFoundException",
             f"Cannot find alias arn: {ARN}{name}:alias-doesnotexist", 404),
            (dict(Qualifier="42"), "ResourceNotFoundException",
             f"Function not found: {ARN}{name}:42", 404),
        ]
        for changes, code_, message, status in cases:
            args = dict(base)
            args.update(changes)
            self.assertError(code_, message, status, self.raw.add_permission, **args)
        self.assertError("ResourceNotFoundException",
                         "Statement non-existent is not found in resource policy.", 404,
                         self.lam.remove_permission, FunctionName=name, StatementId="non-existent")
        self.assertError("ResourceNotFoundException",
                         "No policy is associated with the given resource.", 404,
                         self.lam.remove_permission, FunctionName=name, Qualifier="1",
                         StatementId="s3")
        self.assertError("ResourceNotFoundException", f"No policy found for: {ARN}doesnotexist",
                         404, self.lam.remove_permission, FunctionName="doesnotexist",
                         StatementId="s3")
        self.assertError("ResourceNotFoundException", "The resource you requested does not exist.",
                         404, self.lam.get_policy, FunctionName="doesnotexist")
        self.assertError("ResourceNotFoundException", "The resource you requested does not exist.",
                         404, self.lam.get_policy, FunctionName=name, Qualifier="77")


class EventInvokeConfigTest(VersionCase):
    """Asynchronous invocation settings: the API as AWS answers it (LocalStack's
    TestLambdaEventInvokeConfig recordings), and the settings honoured for Event invokes with
    AWS's invocation record (developer guide, "Capturing records of asynchronous
    invocations")."""

    def test_api_answers(self):
        name = self.create("eic-api")
        self.lam.publish_version(FunctionName=name)
        put = self.lam.put_function_event_invoke_config(FunctionName=name, MaximumRetryAttempts=0)
        self.assertEqual(put["FunctionArn"], f"{ARN}{name}:$LATEST")
        self.assertEqual(put["DestinationConfig"], {"OnSuccess": {}, "OnFailure": {}})
        self.assertEqual(put["MaximumRetryAttempts"], 0)
        self.assertNotIn("MaximumEventAgeInSeconds", put)
        # Update merges; Put replaces (update_invokeconfig_retries, put_post_overwrite).
        updated = self.lam.update_function_event_invoke_config(FunctionName=name,
                                                               MaximumEventAgeInSeconds=60)
        self.assertEqual((updated["MaximumRetryAttempts"], updated["MaximumEventAgeInSeconds"]),
                         (0, 60))
        replaced = self.lam.put_function_event_invoke_config(FunctionName=name,
                                                             MaximumRetryAttempts=1)
        self.assertNotIn("MaximumEventAgeInSeconds", replaced)
        versioned = self.lam.put_function_event_invoke_config(FunctionName=name, Qualifier="1",
                                                              MaximumEventAgeInSeconds=120)
        self.assertEqual(versioned["FunctionArn"], f"{ARN}{name}:1")
        listed = self.lam.list_function_event_invoke_configs(FunctionName=name)
        self.assertEqual(sorted(c["FunctionArn"] for c in listed["FunctionEventInvokeConfigs"]),
                         [f"{ARN}{name}:$LATEST", f"{ARN}{name}:1"])
        self.assertEqual(self.lam.get_function_event_invoke_config(FunctionName=name)
                         ["MaximumRetryAttempts"], 1)
        resp = self.lam.delete_function_event_invoke_config(FunctionName=name, Qualifier="1")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 204)
        cases = [
            (self.lam.put_function_event_invoke_config, dict(FunctionName=name),
             "InvalidParameterValueException",
             "You must specify at least one of error handling or destination setting.", 400),
            (self.lam.put_function_event_invoke_config,
             dict(FunctionName="doesnotexist", MaximumRetryAttempts=1),
             "ResourceNotFoundException", "The function doesn't exist.", 404),
            (self.lam.put_function_event_invoke_config,
             dict(FunctionName=name, DestinationConfig={"OnSuccess": {
                 "Destination": f"{ARN}doesnotexist"}}),
             "InvalidParameterValueException",
             f"The destination ARN {ARN}doesnotexist is invalid.", 400),
            (self.lam.put_function_event_invoke_config,
             dict(FunctionName=name, DestinationConfig={"OnSuccess": {
                 "Destination": f"{ARN}{name}"}}),
             "InvalidParameterValueException",
             "You can't specify the function as a destination for itself.", 400),
            (self.lam.get_function_event_invoke_config, dict(FunctionName=name, Qualifier="1"),
             "ResourceNotFoundException",
             f"The function {ARN}{name}:1 doesn't have an EventInvokeConfig", 404),
            (self.lam.get_function_event_invoke_config, dict(FunctionName="doesnotexist"),
             "ResourceNotFoundException",
             f"The function {ARN}doesnotexist:$LATEST doesn't have an EventInvokeConfig", 404),
            (self.lam.list_function_event_invoke_configs, dict(FunctionName="doesnotexist"),
             "ResourceNotFoundException", "The function doesn't exist.", 404),
        ]
        for call, args, code_, message, status in cases:
            self.assertError(code_, message, status, call, **args)

    def received(self, sqs, url, count, timeout=10):
        got = []
        deadline = time.monotonic() + timeout
        while len(got) < count and time.monotonic() < deadline:
            for m in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10,
                                         WaitTimeSeconds=1).get("Messages", []):
                got.append(json.loads(m["Body"]))
        return got

    def test_destinations_and_retries_are_honoured(self):
        sqs = self.server.client("sqs")
        ok_q = sqs.create_queue(QueueName="eic-success")["QueueUrl"]
        bad_q = sqs.create_queue(QueueName="eic-failure")["QueueUrl"]
        arn = lambda url: sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])[
            "Attributes"]["QueueArn"]
        ok = self.create("eic-ok")
        source = ("def handler(event, context):\n"
                  "    print('ATTEMPT')\n"
                  "    raise ValueError('always ' + event['say'])\n")
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as z:
            z.writestr("index.py", source)
        self.lam.create_function(FunctionName="eic-bad", Runtime="python3.12", Role=ROLE,
                                 Handler="index.handler", Code={"ZipFile": buf.getvalue()})
        self.lam.put_function_event_invoke_config(
            FunctionName=ok, DestinationConfig={"OnSuccess": {"Destination": arn(ok_q)}})
        self.lam.put_function_event_invoke_config(
            FunctionName="eic-bad", MaximumRetryAttempts=1,
            DestinationConfig={"OnFailure": {"Destination": arn(bad_q)}})
        self.lam.invoke(FunctionName=ok, InvocationType="Event", Payload=b'{"n": 1}')
        resp = self.lam.invoke(FunctionName="eic-bad", InvocationType="Event",
                               Payload=b'{"say": "no"}')
        request_id = resp["ResponseMetadata"]["RequestId"]
        (success,) = self.received(sqs, ok_q, 1)
        self.assertEqual(success["version"], "1.0")
        self.assertEqual(success["requestContext"]["condition"], "Success")
        self.assertEqual(success["requestContext"]["functionArn"], f"{ARN}{ok}:$LATEST")
        self.assertEqual(success["requestContext"]["approximateInvokeCount"], 1)
        self.assertEqual(success["requestPayload"], {"n": 1})
        self.assertEqual(success["responseContext"], {"statusCode": 200,
                                                      "executedVersion": "$LATEST"})
        self.assertEqual(success["responsePayload"]["code"], "one")
        (failure,) = self.received(sqs, bad_q, 1, timeout=15)
        self.assertEqual(failure["requestContext"]["requestId"], request_id)
        self.assertEqual(failure["requestContext"]["condition"], "RetriesExhausted")
        # MaximumRetryAttempts 1: the first attempt and one retry.
        self.assertEqual(failure["requestContext"]["approximateInvokeCount"], 2)
        self.assertEqual(failure["responseContext"], {"statusCode": 200,
                                                      "executedVersion": "$LATEST",
                                                      "functionError": "Unhandled"})
        self.assertEqual(failure["responsePayload"]["errorMessage"], "always no")
        self.assertEqual(failure["requestPayload"], {"say": "no"})


def layer_zip(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for path, text in files.items():
            info = zipfile.ZipInfo(path, date_time=(2024, 1, 1, 0, 0, 0))
            info.external_attr = (0o100755 if path.startswith("bin/") else 0o100644) << 16
            z.writestr(info, text)
    return buf.getvalue()


class LayersTest(VersionCase):
    """Layers: the API as AWS answers it (LocalStack's TestLambdaLayer recordings), and a
    function's layers found where AWS's runtimes find /opt's nodejs/, python/ and bin/."""

    def test_publish_list_get_delete(self):
        zip_bytes = layer_zip({"python/shared.py": "X = 1\n"})
        v1 = self.lam.publish_layer_version(LayerName="api-layer", Content={"ZipFile": zip_bytes},
                                            CompatibleRuntimes=["python3.12"],
                                            CompatibleArchitectures=["x86_64"],
                                            Description="first", LicenseInfo="MIT")
        self.assertEqual(v1["ResponseMetadata"]["HTTPStatusCode"], 201)
        layer_arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:api-layer"
        self.assertEqual((v1["LayerArn"], v1["LayerVersionArn"], v1["Version"]),
                         (layer_arn, layer_arn + ":1", 1))
        self.assertEqual(v1["Content"]["CodeSize"], len(zip_bytes))
        v2 = self.lam.publish_layer_version(LayerName="api-layer", Content={"ZipFile": zip_bytes},
                                            CompatibleRuntimes=["nodejs20.x"])
        self.assertEqual(v2["Version"], 2)
        got = self.lam.get_layer_version(LayerName="api-layer", VersionNumber=1)
        self.assertEqual((got["Description"], got["LicenseInfo"]), ("first", "MIT"))
        self.assertEqual(self.lam.get_layer_version_by_arn(Arn=layer_arn + ":2")["Version"], 2)
        versions = self.lam.list_layer_versions(LayerName="api-layer")["LayerVersions"]
        self.assertEqual([v["Version"] for v in versions], [2, 1])  # newest first
        python_only = self.lam.list_layer_versions(LayerName="api-layer",
                                                   CompatibleRuntime="python3.12")
        self.assertEqual([v["Version"] for v in python_only["LayerVersions"]], [1])
        layers = self.lam.list_layers()["Layers"]
        mine = [l for l in layers if l["LayerName"] == "api-layer"]
        self.assertEqual(mine[0]["LatestMatchingVersion"]["Version"], 2)
        self.lam.delete_layer_version(LayerName="api-layer", VersionNumber=2)
        self.lam.delete_layer_version(LayerName="api-layer", VersionNumber=2)  # again: fine
        # Numbers are not reused after a deletion.
        v3 = self.lam.publish_layer_version(LayerName="api-layer", Content={"ZipFile": zip_bytes})
        self.assertEqual(v3["Version"], 3)
        # test_layer_exceptions
        self.assertError("ResourceNotFoundException", "The resource you requested does not exist.",
                         404, self.lam.get_layer_version, LayerName="api-layer", VersionNumber=2)
        self.assertError("InvalidParameterValueException", "Layer Version Cannot be less than 1",
                         400, self.raw.get_layer_version, LayerName="api-layer", VersionNumber=0)
        self.assertEqual(self.lam.list_layer_versions(LayerName="nothing")["LayerVersions"], [])

    def test_account_usage_counts_versions_and_layers(self):
        # AWS's AccountUsage.TotalCodeSize: "storage space used for function and layer code",
        # every version included.
        def total():
            return self.lam.get_account_settings()["AccountUsage"]["TotalCodeSize"]

        before = total()
        name = self.create("usage-fn")
        size = self.lam.get_function(FunctionName=name)["Configuration"]["CodeSize"]
        self.lam.publish_version(FunctionName=name)
        zip_bytes = layer_zip({"python/usage.py": "Y = 2\n"})
        self.lam.publish_layer_version(LayerName="usage-layer", Content={"ZipFile": zip_bytes})
        self.assertEqual(total() - before, 2 * size + len(zip_bytes))

    def test_layer_permissions(self):
        # TestLambdaLayer::test_layer_policy_lifecycle and test_layer_policy_exceptions.
        zip_bytes = layer_zip({"python/shared.py": "X = 1\n"})
        name = "policy-layer"
        self.lam.publish_layer_version(LayerName=name, Content={"ZipFile": zip_bytes},
                                       CompatibleRuntimes=["python3.12"])
        arn = f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:{name}"
        self.assertError("ResourceNotFoundException",
                         "No policy is associated with the given resource.", 404,
                         self.lam.get_layer_version_policy, LayerName=name, VersionNumber=1)
        s1 = self.lam.add_layer_version_permission(
            LayerName=name, VersionNumber=1, Action="lambda:GetLayerVersion", Principal="*",
            StatementId="s1")
        self.assertEqual(s1["ResponseMetadata"]["HTTPStatusCode"], 201)
        statement = {"Sid": "s1", "Effect": "Allow", "Principal": "*",
                     "Action": "lambda:GetLayerVersion", "Resource": arn + ":1"}
        self.assertEqual(json.loads(s1["Statement"]), statement)
        policy = self.lam.get_layer_version_policy(LayerName=name, VersionNumber=1)
        self.assertEqual(json.loads(policy["Policy"]), {"Version": "2012-10-17", "Id": "default",
                                                        "Statement": [statement]})
        self.assertEqual(policy["RevisionId"], s1["RevisionId"])
        # An account id becomes its root; an organization becomes a condition.
        s2 = self.lam.add_layer_version_permission(
            LayerName=arn, VersionNumber=1, Action="lambda:GetLayerVersion",
            Principal="111122223333", StatementId="s2", RevisionId=s1["RevisionId"])
        self.assertEqual(json.loads(s2["Statement"])["Principal"],
                         "arn:aws:iam::111122223333:root")
        s3 = self.lam.add_layer_version_permission(
            LayerName=name, VersionNumber=1, Action="lambda:GetLayerVersion", Principal="*",
            StatementId="s3", OrganizationId="o-abcdefghij")
        self.assertEqual(json.loads(s3["Statement"])["Condition"],
                         {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}})
        self.assertNotEqual(s2["RevisionId"], s3["RevisionId"])
        self.lam.remove_layer_version_permission(LayerName=name, VersionNumber=1,
                                                 StatementId="s3")
        self.lam.remove_layer_version_permission(LayerName=name, VersionNumber=1,
                                                 StatementId="s2")
        self.assertEqual(json.loads(self.lam.get_layer_version_policy(
            LayerName=name, VersionNumber=1)["Policy"])["Statement"], [statement])

        def add(**kwargs):
            args = dict(LayerName=name, VersionNumber=1, Action="lambda:GetLayerVersion",
                        Principal="*", StatementId="sx")
            args.update(kwargs)
            return self.raw.add_layer_version_permission(**args)

        self.assertError("ValidationException",
                         "1 validation error detected: Value '*' at 'action' failed to satisfy "
                         "constraint: Member must satisfy regular expression pattern: "
                         "lambda:GetLayerVersion", 400, add, Action="*")
        self.assertError("ResourceConflictException",
                         "The statement id (s1) provided already exists. Please provide a new "
                         "statement id, or remove the existing statement.", 409, add,
                         StatementId="s1")
        wrong_revision = ("PreconditionFailedException",
                          "The Revision Id provided does not match the latest Revision Id. Call "
                          "the GetLayerPolicy API to retrieve the latest Revision Id", 412)
        self.assertError(*wrong_revision, add, StatementId="s2", RevisionId="wrong")
        for layer, version in ((name + "-doesnotexist", 1), (name, 2)):
            missing = ("ResourceNotFoundException",
                       f"Layer version arn:aws:lambda:us-east-1:{ACCOUNT}:layer:{layer}:{version}"
                       " does not exist.", 404)
            self.assertError(*missing, add, LayerName=layer, VersionNumber=version)
            self.assertError(*missing, self.lam.get_layer_version_policy, LayerName=layer,
                             VersionNumber=version)
            self.assertError(*missing, self.lam.remove_layer_version_permission,
                             LayerName=layer, VersionNumber=version, StatementId="s1")
        self.assertError("ResourceNotFoundException",
                         "Statement doesnotexist is not found in resource policy.", 404,
                         self.lam.remove_layer_version_permission, LayerName=name,
                         VersionNumber=1, StatementId="doesnotexist")
        self.assertError(*wrong_revision, self.lam.remove_layer_version_permission,
                         LayerName=name, VersionNumber=1, StatementId="s1", RevisionId="wrong")
        # The policy goes with its version.
        self.lam.delete_layer_version(LayerName=name, VersionNumber=1)
        v2 = self.lam.publish_layer_version(LayerName=name, Content={"ZipFile": zip_bytes})
        self.assertError("ResourceNotFoundException",
                         "No policy is associated with the given resource.", 404,
                         self.lam.get_layer_version_policy, LayerName=name,
                         VersionNumber=v2["Version"])

    def test_functions_find_their_layers(self):
        zip_bytes = layer_zip({
            "python/shared_py.py": "GREETING = 'from the python layer'\n",
            "nodejs/node_modules/shared-js/index.js": "exports.greeting = 'from the node layer';\n",
            "bin/layer-tool": "#!/bin/sh\necho from the layer bin\n"})
        arn = self.lam.publish_layer_version(LayerName="shared",
                                             Content={"ZipFile": zip_bytes})["LayerVersionArn"]
        py = ("import shared_py, subprocess\n"
              "def handler(event, context):\n"
              "    tool = subprocess.run(['layer-tool'], capture_output=True, text=True).stdout\n"
              "    return [shared_py.GREETING, tool.strip()]\n")
        js = ("exports.handler = async () => [require('shared-js').greeting];\n")
        for name, runtime, filename, source in (("layer-py", "python3.12", "index.py", py),
                                                ("layer-js", "nodejs20.x", "index.js", js)):
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w") as z:
                z.writestr(filename, source)
            created = self.lam.create_function(FunctionName=name, Runtime=runtime, Role=ROLE,
                                               Handler="index.handler", Layers=[arn],
                                               Code={"ZipFile": buf.getvalue()})
            self.assertEqual(created["Layers"], [{"Arn": arn, "CodeSize": len(zip_bytes)}])
        self.assertEqual(self.invoke("layer-py")[1], ["from the python layer",
                                                      "from the layer bin"])
        self.assertEqual(self.invoke("layer-js")[1], ["from the node layer"])

    def test_function_layer_errors(self):
        arn = self.lam.publish_layer_version(
            LayerName="err-layer", Content={"ZipFile": layer_zip({"a.txt": "a"})})["LayerVersionArn"]
        self.lam.publish_layer_version(LayerName="err-layer",
                                       Content={"ZipFile": layer_zip({"a.txt": "b"})})
        base = dict(FunctionName="layer-err-fn", Runtime="python3.12", Role=ROLE,
                    Handler="index.handler", Code={"ZipFile": code("one")})
        layer = f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:err-layer"
        # test_layer_function_exceptions / test_layer_function_quota_exception
        cases = [
            ([arn, layer + ":2"], "InvalidParameterValueException",
             f"Two different versions of the same layer are not allowed to be referenced in the "
             f"same function. {arn} and {layer}:2 are versions of the same layer."),
            ([f"arn:aws:lambda:us-east-1:{ACCOUNT}:layer:doesnotexist:1"],
             "InvalidParameterValueException",
             f"Layer version arn:aws:lambda:us-east-1:{ACCOUNT}:layer:doesnotexist:1 does not "
             f"exist."),
            ([layer + ":9"], "InvalidParameterValueException",
             f"Layer version {layer}:9 does not exist."),
            ([f"arn:aws:lambda:eu-west-1:{ACCOUNT}:layer:err-layer:1"],
             "InvalidParameterValueException",
             "Layers are not in the same region as the function. Layers are expected to be in "
             "region us-east-1."),
            ([f"{layer}:{i}" for i in range(1, 7)], "InvalidParameterValueException",
             "Cannot reference more than 5 layers."),
        ]
        for layers, code_, message in cases:
            self.assertError(code_, message, 400, self.raw.create_function, Layers=layers, **base)


class ProvisionedConcurrencyTest(VersionCase):
    """Stored and answered as AWS does (LocalStack's TestLambdaProvisionedConcurrency
    recordings); StreamStack starts sandboxes on demand, so a config is READY when read."""

    def test_lifecycle_and_errors(self):
        name = self.create("prov-fn")
        self.lam.publish_version(FunctionName=name)
        self.lam.create_alias(FunctionName=name, Name="live", FunctionVersion="1")
        put = self.lam.put_provisioned_concurrency_config(
            FunctionName=name, Qualifier="1", ProvisionedConcurrentExecutions=1)
        self.assertEqual(put["ResponseMetadata"]["HTTPStatusCode"], 202)
        self.assertEqual((put["RequestedProvisionedConcurrentExecutions"],
                          put["AllocatedProvisionedConcurrentExecutions"], put["Status"]),
                         (1, 0, "IN_PROGRESS"))
        got = self.lam.get_provisioned_concurrency_config(FunctionName=name, Qualifier="1")
        self.assertEqual((got["Status"], got["AvailableProvisionedConcurrentExecutions"]),
                         ("READY", 1))
        # put_provisioned_on_alias_versionconflict
        self.assertError("ResourceConflictException",
                         "Alias can't be used for Provisioned Concurrency configuration on an "
                         "already Provisioned version", 409,
                         self.lam.put_provisioned_concurrency_config, FunctionName=name,
                         Qualifier="live", ProvisionedConcurrentExecutions=1)
        listed = self.lam.list_provisioned_concurrency_configs(FunctionName=name)
        self.assertEqual([c["FunctionArn"] for c in listed["ProvisionedConcurrencyConfigs"]],
                         [f"{ARN}{name}:1"])
        resp = self.lam.delete_provisioned_concurrency_config(FunctionName=name, Qualifier="1")
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.lam.delete_provisioned_concurrency_config(FunctionName=name, Qualifier="1")
        cases = [
            (self.lam.get_provisioned_concurrency_config, dict(Qualifier="1"),
             "ProvisionedConcurrencyConfigNotFoundException",
             "No Provisioned Concurrency Config found for this function", 404),
            (self.lam.get_provisioned_concurrency_config, dict(Qualifier="$LATEST"),
             "InvalidParameterValueException",
             "The function resource provided must be an alias or a published version.", 400),
            (self.lam.put_provisioned_concurrency_config,
             dict(Qualifier="$LATEST", ProvisionedConcurrentExecutions=1),
             "InvalidParameterValueException",
             "Provisioned Concurrency Configs cannot be applied to unpublished function versions.",
             400),
            (self.lam.get_provisioned_concurrency_config, dict(Qualifier="noalias"),
             "ResourceNotFoundException", f"Cannot find alias arn: {ARN}{name}:noalias", 404),
            (self.lam.put_provisioned_concurrency_config,
             dict(Qualifier="10", ProvisionedConcurrentExecutions=1),
             "ResourceNotFoundException", f"Function not found: {ARN}{name}:10", 404),
        ]
        for call, args, code_, message, status in cases:
            self.assertError(code_, message, status, call, FunctionName=name, **args)
        self.assertError("ValidationException",
                         "1 validation error detected: Value '0' at "
                         "'provisionedConcurrentExecutions' failed to satisfy constraint: Member "
                         "must have value greater than or equal to 1", 400,
                         self.raw.put_provisioned_concurrency_config, FunctionName=name,
                         Qualifier="1", ProvisionedConcurrentExecutions=0)


class UnservedOperationsTest(VersionCase):
    def test_named_in_the_answer(self):
        # What StreamStack does not serve answers UnknownOperationException naming the call.
        self.create("unserved-fn")
        for call, args, op in (
                (self.lam.get_function_code_signing_config, dict(FunctionName="unserved-fn"),
                 "GetFunctionCodeSigningConfig"),
                (self.lam.list_code_signing_configs, {}, "ListCodeSigningConfigs")):
            self.assertError("UnknownOperationException",
                             f"StreamStack does not serve the Lambda operation {op} (see the "
                             f"README's list of what is supported)", 404, call, **args)


class DeploymentTest(unittest.TestCase):
    """A deployment as SAM and CDK run it: create, publish, alias, a permission, a stream
    mapping on the alias; then new code, publish, move the alias; the records written after
    that reach the new version. Then the same state after a restart (kill -9)."""

    def test_mapping_on_an_alias_follows_it(self):
        server = harness.StreamStack("--poll-interval-ms", "0").start()
        try:
            lam = server.client("lambda")
            ddb = server.client("dynamodb")
            source = ("import json\n"
                      "def handler(event, context):\n"
                      "    for r in event['Records']:\n"
                      "        print('SEEN', context.function_version, r['dynamodb']['Keys']['id']['S'])\n"
                      "    return {}\n")
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w") as z:
                z.writestr("index.py", source)
            lam.create_function(FunctionName="deployed", Runtime="python3.12", Role=ROLE,
                                Handler="index.handler", Code={"ZipFile": buf.getvalue()})
            v1 = lam.publish_version(FunctionName="deployed")["Version"]
            lam.create_alias(FunctionName="deployed", Name="live", FunctionVersion=v1)
            lam.add_permission(FunctionName="deployed", Qualifier="live", StatementId="ddb",
                               Action="lambda:InvokeFunction", Principal="dynamodb.amazonaws.com")
            stream = harness.create_table(
                ddb, "deployed-table", hash_key=("id", "S"),
                StreamSpecification={"StreamEnabled": True, "StreamViewType": "KEYS_ONLY"})[
                    "TableDescription"]["LatestStreamArn"]
            mapping = lam.create_event_source_mapping(FunctionName="deployed:live",
                                                      EventSourceArn=stream,
                                                      StartingPosition="LATEST")
            self.assertEqual(mapping["FunctionArn"], ARN + "deployed:live")
            self.assertTrue(wait_until(lambda: lam.get_event_source_mapping(
                UUID=mapping["UUID"])["State"] == "Enabled", timeout=10))
            ddb.put_item(TableName="deployed-table", Item={"id": {"S": "before"}})
            logs = server.client("logs")

            def seen():
                try:
                    events = logs.filter_log_events(logGroupName="/aws/lambda/deployed",
                                                    filterPattern="SEEN")["events"]
                except logs.exceptions.ResourceNotFoundException:
                    return []
                return [e["message"].split()[1:] for e in events]
            self.assertTrue(wait_until(lambda: ["1", "before"] in seen(), timeout=10), seen())
            # New code, published, the alias moved: later records reach version 2.
            lam.update_function_code(FunctionName="deployed", ZipFile=buf.getvalue())
            lam.update_function_configuration(FunctionName="deployed", Description="v2")
            v2 = lam.publish_version(FunctionName="deployed")["Version"]
            self.assertEqual(v2, "2")
            lam.update_alias(FunctionName="deployed", Name="live", FunctionVersion=v2)
            ddb.put_item(TableName="deployed-table", Item={"id": {"S": "after"}})
            self.assertTrue(wait_until(lambda: ["2", "after"] in seen(), timeout=10), seen())
            # Versions, aliases and the mapping survive a kill -9.
            server.kill()
            server.start()
            lam = server.client("lambda")
            self.assertEqual(lam.get_alias(FunctionName="deployed", Name="live")["FunctionVersion"],
                             "2")
            self.assertEqual([v["Version"] for v in
                              lam.list_versions_by_function(FunctionName="deployed")["Versions"]],
                             ["$LATEST", "1", "2"])
            resp = lam.invoke(FunctionName="deployed", Qualifier="live",
                              Payload=json.dumps({"Records": []}))
            self.assertEqual(resp["ExecutedVersion"], "2")
            policy = json.loads(lam.get_policy(FunctionName="deployed", Qualifier="live")["Policy"])
            self.assertEqual([st["Sid"] for st in policy["Statement"]], ["ddb"])
        finally:
            server.stop()
            shutil.rmtree(server.data_dir, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
