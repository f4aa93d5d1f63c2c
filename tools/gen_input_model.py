#!/usr/bin/env python3
"""Writes a JSON protocol service's request shapes as protocol::InputModel reads them (see
include/streamstack/protocol/input_model.h), taken from botocore's model of the service.

    python3 tools/gen_input_model.py dynamodb > src/api/dynamodb_input_model.cc
    python3 tools/gen_input_model.py dynamodbstreams > src/api/streams_input_model.cc
    python3 tools/gen_input_model.py lambda > src/lambda/lambda_input_model.cc
    python3 tools/gen_input_model.py logs > src/logs/logs_input_model.cc
    python3 tools/gen_input_model.py SERVICE service-2.json[.gz] > ...   (another model file)

Without a model file it reads the model of the botocore this python3 imports. Keep the newest
botocore's model: it is AWS's own description of what the service validates today. Only what
decides validation is kept: every operation's input shape and the shapes it reaches, each with
type, members (in the model's order; a member that travels outside the body, in a REST
service, with its botocore location and locationName), required, min, max, pattern, enum,
member/key/value.

The facts a model does not carry are added per service below (SERVICES), each from a recorded
answer; a test pins each of them.
"""
import gzip
import json
import os
import sys

KEEP = ("type", "required", "min", "max", "pattern", "enum")


class Service:
    """One service's output: where its model lives in botocore, what the generated file is
    called, and the facts its model does not carry."""

    def __init__(self, botocore_name, version, header, function, facts, namespace="api"):
        self.botocore_name = botocore_name
        self.version = version
        self.header = header
        self.function = function
        self.namespace = namespace  # streamstack::<namespace>: the module the file is in
        # facts(shapes, extra): edits the kept shapes in place and may add top-level members of
        # the model (input_model.h names them).
        self.facts = facts


def dynamodb_facts(out_shapes, extra):
    """DynamoDB (2012-08-10).
    - TableArn ("orName"): since table ARNs are accepted wherever a table name is, the model
      types those members TableArn (1..1024). A value that is not an ARN is still held to
      TableName's constraints (ScyllaDB's alternator tests record DynamoDB answering "Value
      'non!existent!table' at 'tableName' failed to satisfy constraint: Member must satisfy
      regular expression pattern").
    - Enum order: AWS lists an enum's values in its own order, not the model's; where an answer
      was recorded (dynalite's test/*.js), that order is used (RECORDED_ENUM_ORDER).
    - AttributeValue ("opaque"): AWS renders it as Java's Object.toString in a violation
      ("com.amazonaws.dynamodb.v20120810.AttributeValue@79175931", risingwave issue 17572).
    - An empty TableName of PutItem, UpdateItem, DeleteItem and GetItem ("emptyIsOwn"): held
      to TableArn's own constraints, "Member must have length greater than or equal to 1"
      alone (a DynamoDB conformance suite's validation-ordering captures in eu-west-2 and
      us-east-1, 2026-10-09: UpdateItem without a Key; its registry row
      put-item-validation-error-aggregation for PutItem); the table operations hold it to
      TableName's (ack-api-quirks' catalogue DDB-TABLE-457: DescribeTable).
    - The 2026 validation layer ("requestChecks"; input_model.h). AWS has moved some checks
      of some operations to a layer that answers one fault, before the aggregated report, in
      its own words; a request missing a required member is still answered by the older
      report alone (the conformance suite's UpdateItem without a Key, 2026-10). Recorded:
      PutItem's empty TableName ("Value at 'TableName' ...", registry row
      put-item-validation-error-aggregation: 31 of 33 regions, us-east-1 among them, by the
      2026-10-07 runs) while a 256-character name, a bad pattern and three bad enums keep the
      older words (the suite's error-messages and validation-ordering captures); UpdateItem's
      ReturnValues ahead of ReturnConsumedCapacity, with a set of its own that lists
      "UPDATE_NEW" (registry row update-item-validation-error-aggregation, 31 of 33); Query's
      Limit ("Value at 'Limit'", the suite's error-messages capture and other emulators'
      recorded answers) and a ConditionalOperator outside AND/OR, bare, "[ALL, OR]", ahead of a
      bad Select (the suite's validation-ordering capture); BatchGetItem's empty RequestItems
      and its Keys' length ("Value at 'RequestItems.<table>.member.Keys'", registry row
      batch-get-item-empty-request-items-message: 32 of 33) and a bad table name quoted as
      JSON beside a bad ReturnConsumedCapacity in the older words. Scan stays in the older
      words in us-east-1 (registry rows scan-*: 28 of 33 regions). BatchWriteItem is not on the
      layer (an empty request list keeps the older "Map value must satisfy constraint"), but
      answers a bad ReturnConsumedCapacity alone ahead of a bad table name (the suite's
      validation-ordering capture), and an empty RequestItems in its own sentence, which the
      older cohort of BatchGetItem answers too (registry row, me-central-1).
      Not recorded, so left in the older report: DeleteItem (ReturnValues and
      ReturnConsumedCapacity are listed together), GetItem, Scan, the transactions (the suite
      takes either form for TransactItems and ClientRequestToken) and the table operations.
    - Recorded answers to degenerate requests (ack-api-quirks DDB-TABLE-457, us-west-2,
      2026-10-09): an empty KMSMasterKeyId is held to a minimum of 1 the model does not give
      ("Value '' at 'sSESpecification.kMSMasterKeyId' ..."; CreateTable, UpdateTable and
      RestoreTableFromBackup's override); CreateTable's Tags are checked by the tag rules, in
      their words ("The Tag Key provided is invalid, Key: null" for a Tag without a Key), not
      by the model's Tag, as TagResource's are; an empty BackupArn of DescribeBackup is
      "Invalid Backup ARN", not the model's minimum of 37 (DeleteBackup and
      RestoreTableFromBackup, whose BackupArn is the same shape, are assumed alike).
    - TableClass: not held to its enum at the front end; the table's own checks answer an
      unknown class in their words ("Invalid table-class parameter provided. ...", ack-api-
      quirks' ValidationException catalogue DDB-TABLE-442; ScyllaDB's alternator
      test_table.py notes the same text for 'standard').
    """
    # The order AWS lists these enums in "Member must satisfy enum value set: [...]" (dynalite).
    recorded_enum_order = {
        "ScalarAttributeType": ["B", "N", "S"],
        "ReturnValue": ["ALL_NEW", "UPDATED_OLD", "ALL_OLD", "NONE", "UPDATED_NEW"],
        "Select": ["SPECIFIC_ATTRIBUTES", "COUNT", "ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES"],
        "ProjectionType": ["ALL", "INCLUDE", "KEYS_ONLY"],
        "ConditionalOperator": ["OR", "AND"],
        "ComparisonOperator": ["IN", "NULL", "BETWEEN", "LT", "NOT_CONTAINS", "EQ", "GT",
                               "NOT_NULL", "NE", "LE", "BEGINS_WITH", "GE", "CONTAINS"],
        # ack-api-quirks DDB-TABLE-457 (CreateTable and UpdateTable, us-west-2, 2026-10-09).
        "StreamViewType": ["OLD_IMAGE", "KEYS_ONLY", "NEW_AND_OLD_IMAGES", "NEW_IMAGE"],
    }
    if "TableArn" in out_shapes:
        assert "TableName" in out_shapes  # an input reaches it (CreateGlobalTable's name)
        out_shapes["TableArn"]["orName"] = "TableName"
        for item_input in ("PutItemInput", "UpdateItemInput", "DeleteItemInput", "GetItemInput"):
            name = restrict_member(out_shapes, item_input, "TableName", {"emptyIsOwn": True})
            assert out_shapes[name]["orName"] == "TableName", name
    for name, order in recorded_enum_order.items():
        if name in out_shapes:
            assert sorted(order) == sorted(out_shapes[name]["enum"]), name
            out_shapes[name]["enum"] = order
    if "AttributeValue" in out_shapes:
        out_shapes["AttributeValue"]["opaque"] = True
    if "TableClass" in out_shapes:
        out_shapes["TableClass"].pop("enum")
    out_shapes["KMSMasterKeyId"]["min"] = 1
    out_shapes["CreateTableInput.Tags"] = {"type": "list", "member": "CreateTableInput.Tags.member"}
    out_shapes["CreateTableInput.Tags.member"] = {
        "type": "structure", "members": [["Key", "CreateTableInput.Tags.text"],
                                         ["Value", "CreateTableInput.Tags.text"]]}
    out_shapes["CreateTableInput.Tags.text"] = {"type": "string"}
    tags = next(m for m in out_shapes["CreateTableInput"]["members"] if m[0] == "Tags")
    assert tags[1] == "TagList" and out_shapes["Tag"]["required"] == ["Key", "Value"]
    tags[1] = "CreateTableInput.Tags"
    for input_shape in ("DescribeBackupInput", "DeleteBackupInput",
                        "RestoreTableFromBackupInput"):
        name = restrict_member(out_shapes, input_shape, "BackupArn", {})
        assert out_shapes[name].pop("min") == 37, name
    extra["requestChecks"] = {
        "PutItem": {"boundsFirst": True},
        "UpdateItem": {"boundsFirst": True, "enums": {"ReturnValues": {
            "set": "[ALL_OLD, UPDATED_OLD, ALL_NEW, UPDATE_NEW, NONE]", "enveloped": True}}},
        "Query": {"boundsFirst": True, "enums": {"ConditionalOperator": {
            "set": "[ALL, OR]", "enveloped": False}}},
        "BatchGetItem": {"boundsFirst": True, "valuesAsJson": True},
        "BatchWriteItem": {"enumsFirst": True},
    }
    name = restrict_member(out_shapes, "BatchWriteItemInput", "RequestItems",
                           {"emptyFault": "The requestItems parameter is required for "
                                          "BatchWriteItem"})
    assert out_shapes[name].pop("min") == 1, name


def streams_facts(out_shapes, extra):
    """DynamoDB Streams (2012-08-10). The model gives every Limit PositiveIntegerObject (min 1,
    no max); AWS holds two of them to a maximum it documents ("The upper limit is 100") and
    answers past it with a ValidationException (ScyllaDB's alternator test_streams.py, run
    against DynamoDB: ListStreams Limit=100000), worded as every range clause is
    (tests/unit/api/streams_api_test.cc pins "Value '101' at 'limit' ... less than or equal to
    100"). GetRecords' Limit past 1000 stays with the stream store, which answers it as
    LimitExceededException (the same unit test pins that type).
    - One SerializationException is worded as this server has always answered it, which a test
      pins: a string where Limit's integer belongs ("STRING_VALUE can not be converted to an
      Integer"; DynamoDB's recorded wording, which every other type fault here keeps, is
      "STRING_VALUE cannot be converted to Integer"; no recorded Streams answer was found).
    """
    for input_shape, member, limits in (("ListStreamsInput", "Limit", {"max": 100}),
                                        ("DescribeStreamInput", "Limit", {"max": 100})):
        name = restrict_member(out_shapes, input_shape, member, limits)
        assert out_shapes[name]["type"] == "integer", name
    extra["serializationMessages"] = {
        "STRING_VALUE cannot be converted to Integer":
            "STRING_VALUE can not be converted to an Integer",
    }


def lambda_facts(out_shapes, extra):
    """Lambda (2015-03-31), REST-JSON: its own front end (input_model.h lists how it differs
    from Coral's: strict types answered as InvalidRequestContentException, a string's length
    before its pattern, a list's faulty elements reported at the list).
    - The type fault's wording is the one this server has always given
      ("Could not parse request body into json: Cannot deserialize value of member 'X'");
      tests/unit/lambda/lambda_api_test.cc pins its type (InvalidRequestContentException), the
      one part a recorded AWS answer confirms.
    - CompatibleRuntimes ("enumAtList"): AWS words a bad runtime in the list as the enum alone,
      at the list ("Value '[invalidruntime]' at 'compatibleRuntimes' failed to satisfy
      constraint: Member must satisfy enum value set: [...]"), where a bad architecture gets
      the element's constraints in brackets (LocalStack's
      tests/aws/services/lambda_/test_lambda_api.snapshot.json, TestLambdaLayer::
      test_layer_exceptions, publish_layer_version_exc_invalid_runtime_arch; pinned by
      tests/unit/lambda/lambda_api_test.cc LayerRequestsAreReadThroughTheModel). The set listed
      is the model's Runtime enum in its order, as before; AWS lists the runtimes it currently
      supports for layers, in an order of its own.
    - Timeout and MemorySize of a function (CreateFunction, UpdateFunctionConfiguration): the
      model gives Timeout no maximum and MemorySize 32768 (the limit of functions on Lambda
      Managed Instances); AWS answers a function past 900 seconds or 10240 MB with the range
      clause ("1 validation error detected: Value '1200' at 'timeout' failed to satisfy
      constraint: Member must have value less than or equal to 900 (Service:
      AWSLambdaInternal; Status Code: 400; Error Code: ValidationException", recorded in a
      serverless.yml comment of a public repository), as this server always has (e2e
      test_lambda_functions test_validation_answers pins 901 and 10241).
    - EnvironmentVariables ("keyFaultQuotesKey"): a bad variable name is quoted alone ("Value
      'A' at 'environment.variables' failed to satisfy constraint: Map keys must satisfy
      constraint: [...]"), not the whole map, as this server has always answered (e2e
      test_lambda_functions test_validation_answers pins it). The model marks the map
      sensitive; no recorded AWS answer quoting its value was found (one public emulator words
      it "Value at 'environment.variables' ...", without a value).
    - Layers of a function (LayerList's elements): AWS holds them to 1..2048 characters and a
      pattern that also takes its own "awslayer" ARNs, not LayerVersionArn's 140 and pattern
      (recorded from AWS in LocalStack's TestLambdaLayer::test_layer_function_exceptions: "Value
      '[...]' at 'layers' failed to satisfy constraint: Member must satisfy constraint: [Member
      must have length less than or equal to 2048, Member must have length greater than or
      equal to 1, Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:
      [a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:
      [a-zA-Z0-9-_]+), Member must not be null]").
    - EventSourcePosition's enum order: AWS lists it as [LATEST, AT_TIMESTAMP, TRIM_HORIZON]
      (an AWS answer quoted in Pulumi's blog post on Terraform's empty startingPosition: "Value
      '' at 'startingPosition' failed to satisfy constraint: Member must satisfy enum value
      set: [LATEST, AT_TIMESTAMP, TRIM_HORIZON]"; e2e test_event_source_mappings pins it).
    - TaggableResource's pattern: AWS prints a newer one than the model's (it takes layers and
      an "eusc-" region prefix), recorded from AWS in LocalStack's TestLambdaTag::
      test_tag_exceptions snapshots (November 2025); e2e test_event_source_mappings
      test_tag_errors_on_mapping_arns pins it.
    - A filter's Pattern: the model's ".*" only refuses a line break (the reader's "." does not
      match one). No recorded AWS answer says whether AWS refuses a pattern written over
      several lines (as YAML block strings in templates are); refusing it would fail a
      deployment AWS may take, so the pattern is dropped and only the length is held.
    """
    extra["frontEnd"] = "lambda"
    assert out_shapes["CompatibleRuntimes"]["member"] == "Runtime"
    out_shapes["CompatibleRuntimes"]["enumAtList"] = True
    out_shapes["EnvironmentVariables"]["keyFaultQuotesKey"] = True
    recorded_order = ["LATEST", "AT_TIMESTAMP", "TRIM_HORIZON"]
    assert sorted(recorded_order) == sorted(out_shapes["EventSourcePosition"]["enum"])
    out_shapes["EventSourcePosition"]["enum"] = recorded_order
    assert "event-source-mapping:" in out_shapes["TaggableResource"]["pattern"]
    out_shapes["TaggableResource"]["pattern"] = (
        "arn:(aws[a-zA-Z-]*):lambda:(eusc-)?[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:"
        "\\d{12}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|"
        "layer:([a-zA-Z0-9-_]+)|code-signing-config:csc-[a-z0-9]{17}|"
        "event-source-mapping:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-"
        "[0-9a-fA-F]{12}|capacity-provider:[a-zA-Z0-9-_]+)")
    assert out_shapes["Pattern"].get("pattern") == ".*"
    del out_shapes["Pattern"]["pattern"]
    assert out_shapes["LayerList"]["member"] == "LayerVersionArn"
    out_shapes["LayerList.member"] = dict(
        out_shapes["LayerVersionArn"], max=2048,
        pattern="(arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|"
                "(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)")
    out_shapes["LayerList"]["member"] = "LayerList.member"
    for input_shape in ("CreateFunctionRequest", "UpdateFunctionConfigurationRequest"):
        for member, limits in (("Timeout", {"max": 900}), ("MemorySize", {"max": 10240})):
            name = restrict_member(out_shapes, input_shape, member, limits)
            assert out_shapes[name]["type"] == "integer", name


def logs_facts(out_shapes, extra):
    """CloudWatch Logs (2014-03-28), JSON 1.1.
    - Types ("coralStrict"): Logs' reader converts nothing (no "true" for a boolean, no 1.5 for
      a whole number, no null element in a list or map) and words a fault "<token> can not be
      converted to <Type>" ("START_ARRAY can not be converted to String", "NUMBER_VALUE can not
      be converted to Long", "STRING_VALUE can not be converted to InputLogEvent"), as this
      server has always answered (tests/unit/logs/logs_api_test.cc pins each form). A recorded
      AWS answer of that family has an article this server never gave: "STRING_VALUE can not be
      converted to a Long." (StartQuery's startTime, aws-sdk-js-v3 issue 4080).
    - Days ("enum"): the model types retentionInDays a bare integer; AWS takes only the values
      its API reference lists for it and answers another with an enum violation listing them
      (e2e test_logs test_retention pins "Value '2' at 'retentionInDays' failed to satisfy
      constraint: Member must satisfy enum value set: [1, 3, 5, ..., 3653]").
    - logGroupName "requiredUnless" logGroupIdentifier (DescribeLogStreams, GetLogEvents,
      FilterLogEvents): the model requires neither, as either names the group; a request with
      neither is answered "Value null at 'logGroupName' failed to satisfy constraint: Member
      must not be null", among the request's other violations, as this server always has
      (logs_api_test pins it).
    - AmazonResourceName's pattern is dropped, its length kept: AWS answers an ARN ending in
      ":*" (DescribeLogGroups' `arn`) with ValidationException "Invalid resourceArn" (recorded
      in boto/boto3 issue 4104, ListTagsForResource), which the model's pattern
      "[\\w+=/:,.@-]*" would have refused first; e2e test_logs
      test_tags_old_and_new_apis_share_one_set pins that answer.
    """
    extra["frontEnd"] = "coralStrict"
    assert out_shapes["Days"] == {"type": "integer"}, out_shapes["Days"]
    out_shapes["Days"]["enum"] = [
        "1", "3", "5", "7", "14", "30", "60", "90", "120", "150", "180", "365", "400", "545",
        "731", "1096", "1827", "2192", "2557", "2922", "3288", "3653"]
    assert out_shapes["AmazonResourceName"].get("pattern") == "[\\w+=/:,.@-]*"
    del out_shapes["AmazonResourceName"]["pattern"]
    for input_shape in ("DescribeLogStreamsRequest", "GetLogEventsRequest",
                        "FilterLogEventsRequest"):
        members = [m[0] for m in out_shapes[input_shape]["members"]]
        assert "logGroupName" in members and "logGroupIdentifier" in members, input_shape
        assert "logGroupName" not in out_shapes[input_shape].get("required", []), input_shape
        out_shapes[input_shape]["requiredUnless"] = {"logGroupName": "logGroupIdentifier"}


def restrict_member(out_shapes, input_shape, member, limits):
    """Gives one member a shape of its own: its model shape with `limits` added. Returns the
    new shape's name ("<Input>.<Member>", which no botocore shape name can be)."""
    members = out_shapes[input_shape]["members"]
    entry = next(m for m in members if m[0] == member)
    name = f"{input_shape}.{member}"
    out_shapes[name] = dict(out_shapes[entry[1]], **limits)
    entry[1] = name
    return name


SERVICES = {
    "dynamodb": Service("dynamodb", "2012-08-10", "api/dynamodb_input_model.h",
                        "DynamoDbInputModel", dynamodb_facts),
    "dynamodbstreams": Service("dynamodbstreams", "2012-08-10", "api/streams_input_model.h",
                               "StreamsInputModel", streams_facts),
    "lambda": Service("lambda", "2015-03-31", "lambda/lambda_input_model.h", "LambdaInputModel",
                      lambda_facts, namespace="lambda"),
    "logs": Service("logs", "2014-03-28", "logs/logs_input_model.h", "LogsInputModel",
                    logs_facts, namespace="logs"),
}


def load(service, path):
    if path is None:
        import botocore
        path = os.path.join(os.path.dirname(botocore.__file__), "data", service.botocore_name,
                            service.version, "service-2.json")
        if not os.path.exists(path):
            path += ".gz"
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt") as f:
        return json.load(f)


def input_shapes(model):
    """{operation: input shape} and every shape the inputs reach, with what validation needs."""
    shapes = model["shapes"]
    out_shapes = {}

    def visit(name):
        if name in out_shapes:
            return
        src = shapes[name]
        dst = {k: src[k] for k in KEEP if k in src}
        out_shapes[name] = dst
        if "members" in src:
            dst["members"] = [[m, ref["shape"]] + ([ref["location"], ref["locationName"]]
                                                   if "location" in ref else [])
                              for m, ref in src["members"].items()]
            for _, ref in src["members"].items():
                visit(ref["shape"])
        for part in ("member", "key", "value"):
            if part in src:
                dst[part] = src[part]["shape"]
                visit(src[part]["shape"])

    operations = {}
    for op_name, op in sorted(model["operations"].items()):
        if "input" in op:
            operations[op_name] = op["input"]["shape"]
            visit(op["input"]["shape"])
    return operations, out_shapes


def model_text(operations, out_shapes, extra):
    lines = ['{"operations": ' + json.dumps(operations, sort_keys=True) + ',']
    for key in sorted(extra):
        lines.append(json.dumps(key) + ": " + json.dumps(extra[key], sort_keys=True) + ",")
    lines.append('"shapes": {')
    names = sorted(out_shapes)
    for i, name in enumerate(names):
        lines.append(json.dumps(name) + ": " + json.dumps(out_shapes[name]) +
                     ("," if i + 1 < len(names) else ""))
    lines.append("}}")
    return "\n".join(lines)


def write_source(service, version, text):
    # Written as clang-format leaves it, so that formatting a commit does not edit it.
    print(f"// Generated by tools/gen_input_model.py from botocore's {service.botocore_name} "
          f"{version} model;\n// do not edit.")
    print(f'#include "{service.header}"\n')
    print(f"namespace streamstack::{service.namespace} {{\n")
    print(f"std::string_view {service.function}() {{")
    # A raw string literal has a length limit in some compilers; split it in pieces.
    print("  static const std::string kModel = std::string(")
    chunk = 12000
    for i in range(0, len(text), chunk):
        last = i + chunk >= len(text)
        print('      R"ssModel(' + text[i:i + chunk] + ')ssModel"' + (");" if last else ""))
    print("  return kModel;")
    print("}\n")
    print(f"}}  // namespace streamstack::{service.namespace}")


def main():
    if len(sys.argv) < 2 or sys.argv[1] not in SERVICES:
        sys.exit("usage: gen_input_model.py {" + ",".join(sorted(SERVICES)) +
                 "} [service-2.json[.gz]]")
    service = SERVICES[sys.argv[1]]
    model = load(service, sys.argv[2] if len(sys.argv) > 2 else None)
    operations, out_shapes = input_shapes(model)
    extra = {}
    service.facts(out_shapes, extra)
    version = model.get("metadata", {}).get("apiVersion", "")
    write_source(service, version, model_text(operations, out_shapes, extra))


if __name__ == "__main__":
    main()
