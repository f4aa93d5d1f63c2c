"""PartiQL through boto3 and the aws CLI: ExecuteStatement, BatchExecuteStatement and
ExecuteTransaction for SELECT, INSERT, UPDATE and DELETE -- and their writes in the stream,
which is the point (LocalStack users report PartiQL writes that skip it)."""
import json
import unittest

import botocore.exceptions

from harness import ServerTestCase, create_table


class PartiqlTest(ServerTestCase):
    in_memory = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ddb = cls.server.client("dynamodb")
        ddb.create_table(TableName="music",
                         AttributeDefinitions=[{"AttributeName": "artist", "AttributeType": "S"},
                                               {"AttributeName": "year", "AttributeType": "N"},
                                               {"AttributeName": "genre", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "artist", "KeyType": "HASH"},
                                    {"AttributeName": "year", "KeyType": "RANGE"}],
                         GlobalSecondaryIndexes=[{
                             "IndexName": "by_genre",
                             "KeySchema": [{"AttributeName": "genre", "KeyType": "HASH"}],
                             "Projection": {"ProjectionType": "ALL"}}],
                         BillingMode="PAY_PER_REQUEST",
                         StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})

    def setUp(self):
        self.ddb = self.server.client("dynamodb")

    def run_statement(self, statement, **kwargs):
        return self.ddb.execute_statement(Statement=statement, **kwargs)

    def error(self, statement, **kwargs):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.run_statement(statement, **kwargs)
        return ctx.exception.response

    def stream_events(self):
        streams = self.server.client("dynamodbstreams")
        arn = self.ddb.describe_table(TableName="music")["Table"]["LatestStreamArn"]
        events = []
        for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"],
                                            ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            for r in streams.get_records(ShardIterator=it)["Records"]:
                events.append((r["eventName"], r["dynamodb"]["Keys"]["artist"]["S"]))
        return events

    def test_statements_and_their_stream_records(self):
        out = self.run_statement("INSERT INTO \"music\" VALUE {'artist': 'Nina', 'year': 1958, "
                                 "'genre': 'jazz', 'tags': <<'piano', 'voice'>>}")
        self.assertEqual(out["Items"], [])
        self.run_statement("INSERT INTO music VALUE {'artist': ?, 'year': ?, 'genre': 'jazz'}",
                           Parameters=[{"S": "Nina"}, {"N": "1965"}])
        err = self.error("INSERT INTO music VALUE {'artist': 'Nina', 'year': 1958}")
        self.assertEqual(err["Error"]["Code"], "DuplicateItemException")
        self.assertEqual(err["Error"]["Message"], "Duplicate primary key exists in table")
        got = self.run_statement("SELECT year, genre FROM music WHERE artist = 'Nina' ORDER BY year DESC")
        self.assertEqual([i["year"]["N"] for i in got["Items"]], ["1965", "1958"])
        out = self.run_statement("UPDATE music SET plays = 1 SET genre = 'soul' REMOVE tags "
                                 "WHERE artist = 'Nina' AND year = 1958 RETURNING ALL NEW *")
        self.assertEqual(out["Items"][0]["genre"], {"S": "soul"})
        self.assertNotIn("tags", out["Items"][0])
        self.run_statement("UPDATE music SET plays = plays + 5 WHERE artist = 'Nina' AND year = 1958")
        got = self.run_statement("SELECT * FROM music WHERE artist = 'Nina' AND year = 1958")
        self.assertEqual(got["Items"][0]["plays"], {"N": "6"})
        err = self.error("UPDATE music SET plays = 1 WHERE artist = 'Nobody' AND year = 1")
        self.assertEqual(err["Error"]["Code"], "ConditionalCheckFailedException")
        soul = self.run_statement("SELECT artist FROM \"music\".\"by_genre\" WHERE genre = 'soul'")
        self.assertEqual(soul["Items"], [{"artist": {"S": "Nina"}}])
        out = self.run_statement("DELETE FROM music WHERE artist = 'Nina' AND year = 1965 RETURNING ALL OLD *")
        self.assertEqual(out["Items"][0]["year"], {"N": "1965"})
        self.assertEqual(self.run_statement("DELETE FROM music WHERE artist = 'Nobody' AND year = 1")["Items"], [])
        nina = [e for e in self.stream_events() if e[1] == "Nina"]
        self.assertEqual(nina, [("INSERT", "Nina"), ("INSERT", "Nina"), ("MODIFY", "Nina"),
                                ("MODIFY", "Nina"), ("REMOVE", "Nina")])

    def test_select_scans_filters_and_pages(self):
        for i in range(30):
            self.run_statement("INSERT INTO music VALUE {'artist': ?, 'year': ?, 'genre': ?}",
                               Parameters=[{"S": f"band{i % 3}"}, {"N": str(2000 + i)},
                                           {"S": "rock" if i % 2 else "pop"}])
        got = self.run_statement("SELECT * FROM music WHERE artist = 'band1' AND year BETWEEN 2005 AND 2015")
        self.assertEqual([i["year"]["N"] for i in got["Items"]], ["2007", "2010", "2013"])
        got = self.run_statement("SELECT * FROM music WHERE artist = 'band1' AND year > 2001 AND year < 2008")
        self.assertEqual([i["year"]["N"] for i in got["Items"]], ["2004", "2007"])
        got = self.run_statement("SELECT artist FROM music WHERE genre = 'rock' AND year >= 2020")
        self.assertEqual(len(got["Items"]), 5)
        # NextToken paging (botocore has no paginator for ExecuteStatement).
        pages, kwargs = [], {"Statement": "SELECT * FROM music WHERE begins_with(artist, 'band')", "Limit": 7}
        while True:
            page = self.ddb.execute_statement(**kwargs)
            pages.append(page)
            if "NextToken" not in page:
                break
            kwargs["NextToken"] = page["NextToken"]
        self.assertEqual(sum(len(p["Items"]) for p in pages), 30)
        self.assertGreater(len(pages), 3)

    def test_batch_and_transaction(self):
        out = self.ddb.batch_execute_statement(Statements=[
            {"Statement": "INSERT INTO music VALUE {'artist': 'Ella', 'year': 1956}"},
            {"Statement": "INSERT INTO music VALUE {'artist': 'Ella', 'year': 1956}"},
            {"Statement": "UPDATE music SET x = 1 WHERE artist = 'Ghost' AND year = 1"}])
        codes = [r.get("Error", {}).get("Code") for r in out["Responses"]]
        self.assertEqual(codes, [None, "DuplicateItem", "ConditionalCheckFailed"])
        out = self.ddb.batch_execute_statement(Statements=[
            {"Statement": "SELECT * FROM music WHERE artist = 'Ella' AND year = 1956"},
            {"Statement": "SELECT * FROM music WHERE artist = 'Ghost' AND year = 1"}])
        self.assertEqual(out["Responses"][0]["Item"]["artist"], {"S": "Ella"})
        self.assertNotIn("Item", out["Responses"][1])
        out = self.ddb.execute_transaction(TransactStatements=[
            {"Statement": "INSERT INTO music VALUE {'artist': 'Miles', 'year': 1959}"},
            {"Statement": "UPDATE music SET albums = 1 WHERE artist = 'Ella' AND year = 1956"}])
        self.assertEqual(out["Responses"], [])
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.ddb.execute_transaction(TransactStatements=[
                {"Statement": "DELETE FROM music WHERE artist = 'Ella' AND year = 1956"},
                {"Statement": "INSERT INTO music VALUE {'artist': 'Miles', 'year': 1959}"}])
        response = ctx.exception.response
        self.assertEqual(response["Error"]["Code"], "TransactionCanceledException")
        self.assertEqual([r["Code"] for r in response["CancellationReasons"]], ["None", "DuplicateItem"])
        # All or nothing: Ella is still there.
        out = self.ddb.execute_transaction(TransactStatements=[
            {"Statement": "SELECT * FROM music WHERE artist = 'Ella' AND year = 1956"},
            {"Statement": "SELECT * FROM music WHERE artist = 'Ghost' AND year = 1"}])
        self.assertEqual(out["Responses"][0]["Item"]["albums"], {"N": "1"})
        self.assertEqual(out["Responses"][1], {})

    def test_errors(self):
        not_well_formed = "Statement wasn't well formed, can't be processed: "
        cases = [
            ("SELECT * FROM music WHERE artist = 'x' foo", not_well_formed + "Unexpected token after expression"),
            ("SELECT * FROM music m WHERE artist = 'x'", "Aliasing is not supported"),
            ("SELECT * FROM music WHERE year = 1e126",
             "Number overflow. Attempting to store a number with magnitude larger than supported range under root"),
            ("SELECT * FROM \"music\".\"nope\"", "The table does not have the specified index"),
            ("DELETE FROM music WHERE artist = 'x'",
             "Where clause does not contain a mandatory equality on all key attributes"),
        ]
        for statement, message in cases:
            err = self.error(statement)
            self.assertEqual(err["Error"]["Code"], "ValidationException", statement)
            self.assertEqual(err["Error"]["Message"], message, statement)
        err = self.error("SELECT * FROM \"music\".\"by_genre\"", ConsistentRead=True)
        self.assertEqual(err["Error"]["Message"], "Strongly consistent read is not supported on Global Secondary Indexes")
        err = self.error("SELECT * FROM nothing_here")
        self.assertEqual(err["Error"]["Code"], "ResourceNotFoundException")
        err = self.error("SELECT * FROM music WHERE artist = ?")
        self.assertEqual(err["Error"]["Message"], "Number of parameters in request and statement don't match.")

    def test_aws_cli_partiql(self):
        self.server.aws("dynamodb", "execute-statement", "--statement",
                        "INSERT INTO music VALUE {'artist': 'Cli', 'year': 2001}")
        _, out, _ = self.server.aws("dynamodb", "execute-statement", "--statement",
                                    "SELECT * FROM music WHERE artist = ?",
                                    "--parameters", json.dumps([{"S": "Cli"}]))
        self.assertEqual(out["Items"][0]["year"]["N"], "2001")
        _, out, _ = self.server.aws("dynamodb", "batch-execute-statement", "--statements",
                                    json.dumps([{"Statement": "SELECT * FROM music WHERE artist = 'Cli' AND year = 2001"}]))
        self.assertEqual(out["Responses"][0]["Item"]["artist"]["S"], "Cli")
        _, out, _ = self.server.aws("dynamodb", "execute-transaction", "--transact-statements",
                                    json.dumps([{"Statement": "DELETE FROM music WHERE artist = 'Cli' AND year = 2001"}]))
        self.assertEqual(out["Responses"], [])
        code, _, err = self.server.aws("dynamodb", "execute-statement", "--statement", "SELEC x", check=False)
        self.assertNotEqual(code, 0)
        self.assertIn("Statement wasn't well formed", err)


NOT_WELL_FORMED = "Statement wasn't well formed, can't be processed: "
NOT_NUMERIC = "The parameter cannot be converted to a numeric value"
UNDERFLOW = "Number underflow. Attempting to store a number with magnitude smaller than supported range"
NEEDS_KEY = "Where clause does not contain a mandatory equality on all key attributes"
MULTI_ATTRIBUTE = ("PartiQL statements cannot be executed on tables with multi-attribute HASH keys "
                   "or multi-attribute RANGE keys.")


class PartiqlConformanceTest(ServerTestCase):
    """Requests and AWS's exact answers from a DynamoDB conformance suite (github
    paritysuite/dynamodb-conformance, tests/tier2/partiql/*.test.ts and
    tests/tier3/error-messages/partiql*.test.ts), captured from DynamoDB. Where a case's
    answer is not from there, its comment says so."""
    in_memory = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        ddb = cls.server.client("dynamodb")
        create_table(ddb, "pq_hash")
        create_table(ddb, "pq_comp", range_key=("sk", "S"))
        ddb.create_table(
            TableName="pq_gsi", BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"}
                                  for n in ("pk", "g", "h1", "h2", "r1")],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            GlobalSecondaryIndexes=[
                {"IndexName": "keys", "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                 "Projection": {"ProjectionType": "KEYS_ONLY"}},
                {"IndexName": "multi", "KeySchema": [{"AttributeName": "h1", "KeyType": "HASH"},
                                                     {"AttributeName": "h2", "KeyType": "HASH"},
                                                     {"AttributeName": "r1", "KeyType": "RANGE"}],
                 "Projection": {"ProjectionType": "ALL"}}])
        ddb.put_item(TableName="pq_hash", Item={
            "pk": {"S": "item"}, "ss": {"SS": ["a", "b"]}, "s": {"S": "str"},
            "m": {"M": {"sub": {"S": "x"}}}, "flag": {"BOOL": True}, "val": {"N": "1"}})

    def setUp(self):
        self.ddb = self.server.client("dynamodb")

    def statement_error(self, statement, parameters=None):
        kwargs = {"Parameters": parameters} if parameters is not None else {}
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.ddb.execute_statement(Statement=statement, **kwargs)
        return ctx.exception.response["Error"]

    def transaction_error(self, statements):
        with self.assertRaises(botocore.exceptions.ClientError) as ctx:
            self.ddb.execute_transaction(TransactStatements=statements)
        return ctx.exception.response["Error"]

    def assert_validation(self, cases):
        for case in cases:
            statement, message = case[0], case[1]
            parameters = case[2] if len(case) > 2 else None
            with self.subTest(statement=statement, parameters=parameters):
                err = self.statement_error(statement, parameters)
                self.assertEqual((err["Code"], err["Message"]), ("ValidationException", message))

    def select_keys(self, condition):
        out = self.ddb.execute_statement(
            Statement=f"SELECT * FROM pq_hash WHERE pk = 'item' AND {condition}")
        return [i["pk"]["S"] for i in out["Items"]]

    def test_number_parameters_are_read_as_bigdecimal(self):
        """tests/tier3/error-messages/partiqlParameterNumbers.test.ts."""
        positions = [
            "SELECT * FROM pq_comp WHERE pk = 'pq-pn' AND n = ?",
            "INSERT INTO pq_comp VALUE {'pk': 'pq-pn-insert', 'sk': 's', 'n': ?}",
            "UPDATE pq_comp SET n = ? WHERE pk = 'pq-pn' AND sk = 's'",
            "SELECT * FROM pq_comp WHERE pk = ?",
        ]
        cases = []
        for statement in positions:
            for value in ["1e99999999999", "-1e99999999999", "1e-99999999999", "1e2147483648",
                          "1e-2147483648"]:
                cases.append((statement, f"{NOT_NUMERIC}: {value}", [{"N": value}]))
            cases.append((statement, UNDERFLOW, [{"N": "1e2147483647"}]))
            cases.append((statement, NOT_NUMERIC, [{"N": ""}]))
        where = positions[0]
        cases += [
            (where, f"{NOT_NUMERIC}: 1e99999999999", [{"L": [{"N": "1"}, {"N": "1e99999999999"}]}]),
            (where, f"{NOT_NUMERIC}: 1e99999999999", [{"M": {"x": {"N": "1e99999999999"}}}]),
            (where, f"{NOT_NUMERIC}: 1e99999999999", [{"NS": ["1", "1e99999999999"]}]),
        ]
        # A parameter is held to an item's depth as it is read, ahead of what follows it.
        def deep(depth, leaf):
            for _ in range(depth):
                leaf = {"M": {"n": leaf}}
            return leaf
        nest = ("Nesting Levels have exceeded supported limits: Attributes in the item have nested "
                "levels beyond supported limit")
        pair = "SELECT * FROM pq_comp WHERE pk = 'pq-pn' AND x = ? AND y = ?"
        cases += [
            (pair, nest, [deep(40, {"S": "leaf"}), {"N": "abc"}]),
            (pair, f"{NOT_NUMERIC}: abc", [{"N": "abc"}, deep(40, {"S": "leaf"})]),
            (pair, nest, [deep(100, {"N": "abc"}), {"S": "x"}]),
            (pair, nest, [deep(40, {"S": "leaf"}), {"N": "1e126"}]),
            # A map's members in the order they were sent, not sorted.
            (pair, nest, [{"M": {"d": deep(40, {"S": "leaf"}), "bad": {"N": "abc"}}}, {"S": "x"}]),
            (pair, f"{NOT_NUMERIC}: abc", [{"M": {"bad": {"N": "abc"}, "d": deep(40, {"S": "leaf"})}},
                                           {"S": "x"}]),
        ]
        self.assert_validation(cases)
        err = self.transaction_error([{
            "Statement": "UPDATE pq_comp SET n = ? WHERE pk = 'pq-pn' AND sk = 's'",
            "Parameters": [{"N": "1e99999999999"}]}])
        self.assertEqual(err["Message"], f"{NOT_NUMERIC}: 1e99999999999")
        # BatchExecuteStatement answers it in the statement's own entry.
        out = self.ddb.batch_execute_statement(Statements=[
            {"Statement": "SELECT * FROM pq_comp WHERE pk = 'pq-pn' AND sk = 's' AND n = ?",
             "Parameters": [{"N": "1e99999999999"}]},
            {"Statement": "SELECT * FROM pq_hash WHERE pk = 'item'"}])
        self.assertEqual(out["Responses"][0]["Error"],
                         {"Code": "ValidationError", "Message": f"{NOT_NUMERIC}: 1e99999999999"})
        self.assertEqual(out["Responses"][1]["Item"]["pk"], {"S": "item"})

    def test_number_literals(self):
        """tests/tier3/error-messages/partiqlGrammar.test.ts."""
        self.assert_validation([
            ("SELECT * FROM pq_hash WHERE pk = 1e2147483648", NOT_WELL_FORMED),
            ("SELECT * FROM pq_hash WHERE pk = 1e99999999999", NOT_WELL_FORMED),
            ("SELECT * FROM pq_hash WHERE pk = 1.5e-2147483647", NOT_WELL_FORMED),
            ("SELECT * FROM pq_hash WHERE pk = 1e126",
             "Number overflow. Attempting to store a number with magnitude larger than supported "
             "range under root"),
        ])

    def test_where_functions_and_type_tests(self):
        """tests/tier2/partiql/whereFunctions.test.ts, tests/tier3/error-messages/partiqlFunctions.test.ts
        and partiqlGrammar.test.ts."""
        cases = [
            ("attribute_exists(ss)", ["item"]),
            ("attribute_exists(nope)", []),
            ("attribute_not_exists(nope)", ["item"]),
            ("attribute_not_exists(ss)", []),
            ("NOT attribute_exists(nope)", ["item"]),
            ("ATTRIBUTE_EXISTS(ss)", ["item"]),
            ("(attribute_exists(nope) OR attribute_exists(ss))", ["item"]),
            ("attribute_exists(ss) = true", ["item"]),
            ('attribute_exists("ss")', ["item"]),
            ("attribute_exists(m.sub)", ["item"]),
            ("attribute_exists(m.nope)", []),
            ("flag IS BOOL", ["item"]),
            ("s IS STRING", ["item"]),
            ("s IS BOOL", []),
        ]
        for condition, keys in cases:
            with self.subTest(condition=condition):
                self.assertEqual(self.select_keys(condition), keys)
        self.ddb.put_item(TableName="pq_hash", Item={"pk": {"S": "fn-upd"}, "a": {"N": "5"}})
        self.ddb.execute_statement(
            Statement="UPDATE pq_hash SET z = 1 WHERE pk = 'fn-upd' AND attribute_exists(a)")
        err = self.statement_error(
            "UPDATE pq_hash SET z = 2 WHERE pk = 'fn-upd' AND attribute_exists(nope)")
        self.assertEqual(err["Code"], "ConditionalCheckFailedException")
        err = self.statement_error("DELETE FROM pq_hash WHERE pk = 'fn-upd' AND attribute_exists(nope)")
        self.assertEqual(err["Code"], "ConditionalCheckFailedException")
        self.assertEqual(self.ddb.get_item(TableName="pq_hash", Key={"pk": {"S": "fn-upd"}})["Item"]["z"],
                         {"N": "1"})
        where = "SELECT * FROM pq_hash WHERE pk = 'item' AND "
        self.assert_validation([
            (where + "attribute_exists('ss')",
             "Operator or function requires a document path; operator or function: attribute_exists"),
            (where + "attribute_exists(?)",
             "Operator or function requires a document path; operator or function: attribute_exists",
             [{"S": "ss"}]),
            (where + "attribute_exists(ss, s)",
             "Incorrect number of operands for operator or function; operator or function: "
             "attribute_exists, number of operands: 2"),
            (where + "attribute_exists(m.inner)", NOT_WELL_FORMED + "Invalid path dot component"),
            (where + "EXISTS(ss)", "Unrecognized function: exists at 1:45:6"),
            ("SELECT attribute_exists(ss) FROM pq_hash WHERE pk = 'item'",
             "Unexpected path component at 1:8:16"),
            ("x IS INT4", "Unsupported operation: IsType"),
            (where + "x IS FOO", NOT_WELL_FORMED + "Expected type name"),
        ])
        err = self.transaction_error([{"Statement": where + "attribute_exists(ss)"}])
        self.assertEqual(err["Message"], "Validation failed in TransactStatements[0]: Select statements "
                         "within ExecuteTransaction must specify the primary key in the where clause.")
        out = self.ddb.batch_execute_statement(Statements=[{"Statement": where + "attribute_exists(ss)"}])
        self.assertEqual(out["Responses"][0]["Error"]["Message"], "Select statements within "
                         "BatchExecuteStatement must specify the primary key in the where clause.")

    def test_parser_error_texts(self):
        """tests/tier3/error-messages/partiqlGrammar.test.ts; tests/tier2/partiql/batchExecuteStatement.test.ts."""
        unexpected_term = NOT_WELL_FORMED + "Unexpected term"
        self.assert_validation([
            ("SELECT * FROM pq_hash WHERE", unexpected_term),
            ("SELECT * FROM pq_hash WHERE;", unexpected_term),
            ("SELECT * FROM pq_hash WHERE   ", unexpected_term),
            ("SELECT pk FROM pq_hash WHERE", unexpected_term),
            ("UPDATE pq_hash SET a = 1 WHERE", unexpected_term),
            ("DELETE FROM pq_hash WHERE", unexpected_term),
            ("SELECT * FROM pq_hash WHERE NOT", unexpected_term),
            ("SELECT * FROM pq_hash WHERE (", unexpected_term),
            ("SELECT * FROM never_created WHERE", unexpected_term),
            ("SELECT * FROM", unexpected_term),
            ("SELECT * FROM pq_hash WHERE pk = 'p1' AND",
             NOT_WELL_FORMED + "Missing right-hand side expression of infix operator"),
            ("SELECT * FROM pq_hash WHERE pk = 'p1' OR",
             NOT_WELL_FORMED + "Missing right-hand side expression of infix operator"),
            ("SELECT * FROM pq_hash WHERE ORDER BY pk", NOT_WELL_FORMED + "Unexpected keyword"),
            ("SELECT * FROM pq_hash WHERE IS NULL", NOT_WELL_FORMED + "Unexpected operator"),
            ("SELECT * FROM pq_hash WHERE pk = LIKE", NOT_WELL_FORMED + "Unexpected operator"),
            ("DELETE FROM", NOT_WELL_FORMED + "Expected identifier for simple path"),
            ("DELETE FROM;", NOT_WELL_FORMED + "Expected identifier for simple path"),
            ("DELETE FROM WHERE pk = 'a'", NOT_WELL_FORMED + "Expected identifier for simple path"),
        ])
        err = self.transaction_error([{"Statement": "SELECT * FROM pq_hash WHERE"}])
        self.assertEqual(err["Message"], "Validation failed in TransactStatements[0]: " + unexpected_term)
        out = self.ddb.batch_execute_statement(Statements=[
            {"Statement": "SLECT * FROM pq_hash WHERE pk = 'item'"},
            {"Statement": "SELECT * FROM pq_hash WHERE"}])
        self.assertEqual([r["Error"] for r in out["Responses"]], [
            {"Code": "ValidationError", "Message": NOT_WELL_FORMED + "Expected data manipulation"},
            {"Code": "ValidationError", "Message": unexpected_term}])

    def test_from_first_update(self):
        """tests/tier2/partiql/fromFirstUpdate.test.ts; tests/tier3/error-messages/partiqlGrammar.test.ts."""
        self.ddb.put_item(TableName="pq_hash", Item={"pk": {"S": "ff"}, "a": {"N": "1"}, "b": {"S": "x"}})
        self.ddb.execute_statement(Statement="FROM pq_hash WHERE pk = 'ff' SET c = 1")
        self.ddb.execute_statement(Statement="from pq_hash where pk = ? remove b set d = 2",
                                   Parameters=[{"S": "ff"}])
        out = self.ddb.execute_statement(
            Statement="FROM pq_hash WHERE pk = 'ff' AND a = 1 SET e = 3 RETURNING ALL NEW *")
        self.assertEqual(out["Items"], [{"pk": {"S": "ff"}, "a": {"N": "1"}, "c": {"N": "1"},
                                         "d": {"N": "2"}, "e": {"N": "3"}}])
        for statement in ["FROM pq_hash WHERE pk = 'ff' AND a = 2 SET f = 1",
                          "FROM pq_hash WHERE pk = 'ff-missing' SET f = 1"]:
            self.assertEqual(self.statement_error(statement)["Code"], "ConditionalCheckFailedException")
        self.ddb.execute_transaction(TransactStatements=[
            {"Statement": "FROM pq_hash WHERE pk = 'ff' SET g = 1"}])
        out = self.ddb.batch_execute_statement(Statements=[
            {"Statement": "FROM pq_hash WHERE pk = 'ff' SET h = 1"}])
        self.assertNotIn("Error", out["Responses"][0])
        self.assertIn("h", self.ddb.get_item(TableName="pq_hash", Key={"pk": {"S": "ff"}})["Item"])
        self.assert_validation([
            ("FROM pq_hash SET c = 1", NEEDS_KEY),
            ("FROM pq_hash REMOVE a", NEEDS_KEY),
            ("FROM pq_hash WHERE a = 1 SET c = 1", NEEDS_KEY),
            ("FROM pq_hash SET c = 1 WHERE pk = 'ff'", NOT_WELL_FORMED + "Unexpected token after expression"),
        ])
        self.assertEqual(self.statement_error("FROM never_created WHERE pk = 'x' SET c = 1")["Code"],
                         "ResourceNotFoundException")

    def test_set_functions(self):
        """tests/tier3/error-messages/partiqlFunctions.test.ts."""
        update = "UPDATE pq_hash SET {} WHERE pk = 'item'"
        self.assert_validation([
            (update.format("t = set_add(ss, <<'x'>>)"),
             "The first argument to SET_ADD must equal the assignment value at 1:24:7"),
            (update.format("ss = set_add(<<'a'>>, <<'b'>>)"),
             "The first argument to SET_ADD must equal the assignment value at 1:25:7"),
            (update.format("ss = set_add(ss, 'x')"),
             "The second argument to SET_ADD must be a value with type SET at 1:33:2"),
            (update.format("ss = set_add(ss)"), "SET_ADD must have exactly two arguments at 1:25:7"),
            (update.format("ss = set_add(ss, <<'x', 'x'>>)"),
             "One or more parameter values were invalid: Input collection [x, x] contains duplicates."),
            (update.format("ss = set_add(ss, <<>>)"), "Empty bags are not supported"),
            (update.format("m.inner = set_add(m.inner, <<'y'>>)"),
             NOT_WELL_FORMED + "Invalid path dot component"),
            (update.format("ss = set_delete(ss, 'a')"),
             "The second argument to SET_DELETE must be a value with type SET at 1:36:2"),
            (update.format("ss = set_add(ss, <<1>>)"),
             "An operand in the update expression has an incorrect data type"),
            ("SELECT * FROM pq_hash WHERE pk = 'item' AND set_add(ss, <<'x'>>) = ss",
             "Unrecognized function: set_add at 1:45:7"),
            ("INSERT INTO pq_hash VALUE {'pk': 'i', 'ss': set_add(<<'a'>>, <<'b'>>)}",
             "Unsupported data type: set_add under key root at 1:45:7"),
        ])
        err = self.transaction_error([
            {"Statement": "EXISTS(SELECT * FROM pq_hash WHERE pk = 'item')"},
            {"Statement": "UPDATE pq_hash SET z = 1 WHERE pk = 'never-written'"}])
        self.assertEqual(err["Message"], "Validation failed in TransactStatements[0]: EXISTS() must "
                         "contain a single item read with additional condition")

    def test_smaller_classes(self):
        """Index refusals, RETURNING, operand-type errors: tests/tier2/partiql/{multiAttributeIndex,
        executeStatement,executeStatementIndex,batchExecuteStatement,executeTransaction,comparison}.test.ts,
        tests/tier3/error-messages/{partiql,partiqlMultiAttributeIndex}.test.ts."""
        self.assert_validation([
            ("SELECT * FROM pq_gsi.multi WHERE h1 = 'a'", MULTI_ATTRIBUTE),
            ("SELECT * FROM pq_gsi.multi", MULTI_ATTRIBUTE),
            ("SELECT * FROM pq_gsi.multi WHERE h1 = 5", MULTI_ATTRIBUTE),
            ("SELECT COUNT(*) FROM pq_gsi.multi", MULTI_ATTRIBUTE),
            ("SELECT * FROM pq_gsi.multi WHERE", NOT_WELL_FORMED + "Unexpected term"),
            ("SELECT x, pk, y FROM pq_gsi.keys WHERE g = 'a'",
             "One or more parameter values were invalid: Global secondary index keys does not project [x, y]"),
            ("DELETE FROM pq_hash WHERE pk = 'x' RETURNING MODIFIED OLD *",
             "Invalid returning clause: RETURNING MODIFIED OLD *. Only RETURNING ALL OLD * is allowed "
             "in DELETE statements."),
            ("DELETE FROM pq_hash WHERE pk = 'x' RETURNING ALL NEW *",
             "Invalid returning clause: RETURNING ALL NEW *. Only RETURNING ALL OLD * is allowed "
             "in DELETE statements."),
            ("SELECT * FROM pq_hash WHERE pk = 'item' AND val < ?",
             "Incorrect operand type for operator or function; operator or function: <, operand type: BOOL",
             [{"BOOL": True}]),
        ])
        out = self.ddb.batch_execute_statement(Statements=[
            {"Statement": "SELECT * FROM pq_gsi.keys WHERE g = 'a'"},
            {"Statement": "SELECT * FROM pq_gsi.multi WHERE h1 = 'a' AND h2 = 'x' AND r1 = 'm'"},
            {"Statement": "SELECT * FROM pq_comp WHERE pk = 'a'"}])
        needs_key = ("Select statements within BatchExecuteStatement must specify the primary key "
                     "in the where clause.")
        self.assertEqual([r["Error"]["Message"] for r in out["Responses"]],
                         [needs_key, MULTI_ATTRIBUTE, needs_key])
        err = self.transaction_error([
            {"Statement": "UPDATE pq_hash SET data = 'v' WHERE pk = 'item' RETURNING ALL NEW *"}])
        self.assertEqual((err["Code"], err["Message"]), (
            "ValidationException",
            "Validation failed in TransactStatements[0]: RETURNING clause is not supported in "
            "ExecuteTransaction."))
        self.ddb.put_item(TableName="pq_hash", Item={"pk": {"S": "ret"}, "a": {"N": "1"}})
        out = self.ddb.batch_execute_statement(Statements=[
            {"Statement": "UPDATE pq_hash SET b = 2 WHERE pk = 'ret' RETURNING MODIFIED NEW *"}])
        self.assertEqual(out["Responses"][0]["Item"], {"b": {"N": "2"}})
        out = self.ddb.batch_execute_statement(Statements=[
            {"Statement": "DELETE FROM pq_hash WHERE pk = 'ret' RETURNING ALL OLD *"}])
        self.assertEqual(out["Responses"][0]["Item"], {"pk": {"S": "ret"}, "a": {"N": "1"}, "b": {"N": "2"}})
        # A nested path's value is named by its last attribute (executeStatement.test.ts).
        out = self.ddb.execute_statement(Statement="SELECT m.sub, s FROM pq_hash WHERE pk = 'item'")
        self.assertEqual(out["Items"], [{"sub": {"S": "x"}, "s": {"S": "str"}}])
        # A DELETE of a missing item is a no-op whatever else its WHERE says; on an item that is
        # there, the rest of the WHERE is its condition (executeStatement.test.ts, whereFunctions.test.ts).
        self.ddb.execute_statement(Statement="DELETE FROM pq_hash WHERE pk = 'never-there' AND \"name\" = 'x'")
        self.assertNotIn("Item", self.ddb.get_item(TableName="pq_hash", Key={"pk": {"S": "never-there"}}))
        err = self.statement_error("DELETE FROM pq_hash WHERE pk = 'item' AND \"name\" = 'x'")
        self.assertEqual(err["Code"], "ConditionalCheckFailedException")

    def test_transaction_client_request_token(self):
        """tests/tier2/partiql/executeTransaction.test.ts: a replay under the same
        ClientRequestToken does not apply the statements again."""
        self.ddb.put_item(TableName="pq_hash", Item={"pk": {"S": "idem"}, "n": {"N": "0"}})
        statements = [{"Statement": "UPDATE pq_hash SET n = n + 1 WHERE pk = 'idem'"}]
        for _ in range(2):
            self.ddb.execute_transaction(TransactStatements=statements, ClientRequestToken="pq-idem-token")
        item = self.ddb.get_item(TableName="pq_hash", Key={"pk": {"S": "idem"}})["Item"]
        self.assertEqual(item["n"], {"N": "1"})

    def test_overlapping_or_branches(self):
        """tests/tier3/error-messages/partiqlGrammar.test.ts; tests/tier2/partiql/whereOverlap.test.ts."""
        for sk in "123":
            self.ddb.put_item(TableName="pq_comp", Item={"pk": {"S": "ov"}, "sk": {"S": sk}})
        overlapping = "Overlapping conditions with range keys are not supported in where clause"
        self.assert_validation([
            (f"SELECT * FROM pq_comp WHERE pk = 'ov' AND {condition} OR pk = 'ov' AND sk = '2'", overlapping)
            for condition in ["x = '1'", "x <> '1'"]])
        cases = [
            ("pk = 'ov' AND NOT sk = '1' OR pk = 'ov' AND sk = '2'", ["2", "3"]),
            ("pk = 'ov' AND sk <> '1' OR pk = 'ov' AND sk = '2'", ["2", "3"]),
            ("pk = 'ov' AND NOT sk IN ['1', '3'] OR pk = 'ov' AND sk = '2'", ["2"]),
            ("pk = 'ov' OR pk = 'ov' AND NOT sk = '1'", ["1", "2", "3"]),
        ]
        for where, keys in cases:
            with self.subTest(where=where):
                out = self.ddb.execute_statement(Statement=f"SELECT * FROM pq_comp WHERE {where}")
                self.assertEqual(sorted(i["sk"]["S"] for i in out["Items"]), keys)


if __name__ == "__main__":
    unittest.main()
