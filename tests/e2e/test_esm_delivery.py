"""The delivery engine against a real HTTP function: workers per enabled mapping and shard,
TRIM_HORIZON and LATEST, BatchSize, the batching window (on the test clock), the 6 MB cap,
the payload with eventSourceARN, filters, checkpoints and LastProcessingResult, Enabled
false/true, live updates, delete, restart, and shard lineage."""
import json
import shutil
import unittest

from esm_harness import (ACCOUNT, FunctionServer, Reply, advance, create_function, key_of,
                         make_table, put, seq_of, wait_for)
from harness import StreamStack


class DeliveryTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = StreamStack("--poll-interval-ms", "0", in_memory=True,
                                 env={"STREAMSTACK_TEST_CLOCK": "1"}).start()
        cls.ddb = cls.server.client("dynamodb")
        cls.lam = cls.server.client("lambda")
        cls.fn = FunctionServer()

    @classmethod
    def tearDownClass(cls):
        cls.fn.close()
        code = cls.server.stop()
        assert code == 0, f"streamstack exited {code}:\n{cls.server.log()}"

    def setup_pipeline(self, name, starting="TRIM_HORIZON", before=0, **mapping):
        """A table with a stream, `before` items written before the mapping, a function at
        /<name> and a mapping. Returns (stream arn, mapping uuid)."""
        stream = make_table(self.ddb, name)
        for i in range(before):
            put(self.ddb, name, f"early-{i}", n=i)
        create_function(self.lam, name, self.fn.url("/" + name))
        uuid = self.lam.create_event_source_mapping(
            FunctionName=name, EventSourceArn=stream, StartingPosition=starting,
            **mapping)["UUID"]
        return stream, uuid

    def mapping(self, uuid):
        return self.lam.get_event_source_mapping(UUID=uuid)

    def test_trim_horizon_payload_and_checkpoint(self):
        stream, uuid = self.setup_pipeline("d-trim", before=3)
        self.assertTrue(wait_for(lambda: len(self.fn.records("/d-trim")) == 3),
                        self.fn.events("/d-trim"))
        event = self.fn.events("/d-trim")[0]
        self.assertEqual(list(event), ["Records"])
        first = event["Records"][0]
        self.assertEqual(first["eventSourceARN"], stream)
        self.assertEqual(first["eventName"], "INSERT")
        self.assertEqual(first["eventSource"], "aws:dynamodb")
        self.assertEqual(first["awsRegion"], "us-east-1")
        self.assertEqual(first["dynamodb"]["Keys"], {"pk": {"S": "early-0"}})
        self.assertEqual(first["dynamodb"]["NewImage"], {"pk": {"S": "early-0"}, "n": {"N": "0"}})
        self.assertEqual(first["dynamodb"]["StreamViewType"], "NEW_AND_OLD_IMAGES")
        self.assertIn("SequenceNumber", first["dynamodb"])
        # AWS sends a floating-point number of epoch seconds (1764085660.0; issue 16).
        self.assertIsInstance(first["dynamodb"]["ApproximateCreationDateTime"], float)
        self.assertEqual(first["dynamodb"]["ApproximateCreationDateTime"] % 1, 0.0)
        self.assertEqual([key_of(r) for r in self.fn.records("/d-trim")],
                         ["early-0", "early-1", "early-2"])
        self.assertTrue(wait_for(lambda: self.mapping(uuid)["LastProcessingResult"] == "OK"))
        # New writes follow, and each is delivered once.
        put(self.ddb, "d-trim", "later", n=9)
        self.assertTrue(wait_for(lambda: len(self.fn.records("/d-trim")) == 4))
        self.assertEqual(key_of(self.fn.records("/d-trim")[-1]), "later")

    def test_latest_skips_what_was_there_before_create(self):
        _, uuid = self.setup_pipeline("d-latest", starting="LATEST", before=5)
        # Written right after Create returned: never skipped.
        put(self.ddb, "d-latest", "after-0")
        put(self.ddb, "d-latest", "after-1")
        self.assertTrue(wait_for(lambda: len(self.fn.records("/d-latest")) == 2))
        self.assertEqual([key_of(r) for r in self.fn.records("/d-latest")], ["after-0", "after-1"])

    def test_batch_size_and_order(self):
        self.setup_pipeline("d-batch", before=10, BatchSize=3)
        self.assertTrue(wait_for(lambda: len(self.fn.records("/d-batch")) == 10))
        sizes = [len(e["Records"]) for e in self.fn.events("/d-batch")]
        self.assertTrue(all(s <= 3 for s in sizes), sizes)
        self.assertEqual(sizes[:3], [3, 3, 3])
        self.assertEqual([key_of(r) for r in self.fn.records("/d-batch")],
                         [f"early-{i}" for i in range(10)])
        seqs = [seq_of(r) for r in self.fn.records("/d-batch")]
        self.assertEqual(seqs, sorted(seqs))

    def test_batching_window_waits_on_the_clock(self):
        self.setup_pipeline("d-window", MaximumBatchingWindowInSeconds=20, BatchSize=50)
        for i in range(4):
            put(self.ddb, "d-window", f"w-{i}")
        # The window (20 s on the test clock) has not passed: nothing is invoked yet.
        self.assertFalse(wait_for(lambda: self.fn.events("/d-window"), timeout=0.5))
        advance(self.server, 21000)
        self.assertTrue(wait_for(lambda: self.fn.events("/d-window")))
        self.assertEqual([len(e["Records"]) for e in self.fn.events("/d-window")], [4])

    def test_batching_window_ends_early_when_the_batch_is_full(self):
        self.setup_pipeline("d-window-full", MaximumBatchingWindowInSeconds=300, BatchSize=3)
        for i in range(7):
            put(self.ddb, "d-window-full", f"w-{i}")
        self.assertTrue(wait_for(lambda: len(self.fn.records("/d-window-full")) == 6))
        self.assertEqual([len(e["Records"]) for e in self.fn.events("/d-window-full")], [3, 3])
        # The 7th record's window opens when its poller reads it, which on a busy machine can
        # come after a first move of the clock; each move ends any window already open.
        for _ in range(5):
            advance(self.server, 301000)
            if wait_for(lambda: len(self.fn.records("/d-window-full")) == 7, timeout=2):
                break
        self.assertEqual(len(self.fn.records("/d-window-full")), 7)

    def test_six_megabyte_cap(self):
        self.setup_pipeline("d-6mb", BatchSize=100, MaximumBatchingWindowInSeconds=60)
        big = "x" * 380_000
        for i in range(20):  # ~7.6 MB of NewImage
            put(self.ddb, "d-6mb", f"big-{i:02d}", blob=big)
        # Records the poller reads after a move of the clock open a new window (a busy
        # machine reads 7.6 MB slowly); each further move ends it.
        for _ in range(5):
            advance(self.server, 61000)
            if wait_for(lambda: len(self.fn.records("/d-6mb")) == 20, timeout=8):
                break
        self.assertEqual(len(self.fn.records("/d-6mb")), 20)
        events = self.fn.events("/d-6mb")
        self.assertGreaterEqual(len(events), 2)
        for e in events:
            self.assertLessEqual(len(json.dumps(e, separators=(",", ":"))), 6291456)
        self.assertEqual([key_of(r) for r in self.fn.records("/d-6mb")],
                         [f"big-{i:02d}" for i in range(20)])

    def test_filters_drop_and_checkpoint_past(self):
        _, uuid = self.setup_pipeline(
            "d-filter", FilterCriteria={"Filters": [
                {"Pattern": json.dumps({"dynamodb": {"NewImage": {"kind": {"S": ["keep"]}}}})},
                {"Pattern": json.dumps({"eventName": ["REMOVE"]})}]})
        put(self.ddb, "d-filter", "a", kind="keep")
        put(self.ddb, "d-filter", "b", kind="drop")
        put(self.ddb, "d-filter", "c", kind="keep")
        self.ddb.delete_item(TableName="d-filter", Key={"pk": {"S": "b"}})
        self.assertTrue(wait_for(lambda: len(self.fn.records("/d-filter")) == 3))
        self.assertEqual([(r["eventName"], key_of(r)) for r in self.fn.records("/d-filter")],
                         [("INSERT", "a"), ("INSERT", "c"), ("REMOVE", "b")])

    def test_disable_keeps_the_checkpoint_and_enable_resumes(self):
        _, uuid = self.setup_pipeline("d-enable")
        put(self.ddb, "d-enable", "one")
        self.assertTrue(wait_for(lambda: len(self.fn.records("/d-enable")) == 1))
        self.lam.update_event_source_mapping(UUID=uuid, Enabled=False)
        self.assertTrue(wait_for(lambda: self.mapping(uuid)["State"] == "Disabled"))
        put(self.ddb, "d-enable", "two")
        put(self.ddb, "d-enable", "three")
        self.assertFalse(wait_for(lambda: len(self.fn.records("/d-enable")) > 1, timeout=0.5))
        self.lam.update_event_source_mapping(UUID=uuid, Enabled=True)
        self.assertTrue(wait_for(lambda: len(self.fn.records("/d-enable")) == 3))
        self.assertEqual([key_of(r) for r in self.fn.records("/d-enable")], ["one", "two", "three"])

    def test_disable_lets_the_batch_in_flight_finish(self):
        self.fn.on("/d-inflight", lambda e, n: Reply(200, {}, delay=0.6) if n == 1 else None)
        _, uuid = self.setup_pipeline("d-inflight")
        put(self.ddb, "d-inflight", "slow")
        self.assertTrue(wait_for(lambda: len(self.fn.events("/d-inflight")) == 1))
        self.lam.update_event_source_mapping(UUID=uuid, Enabled=False)
        put(self.ddb, "d-inflight", "while-disabled")
        wait_for(lambda: False, timeout=1.0)  # the slow answer arrives meanwhile
        self.assertEqual(len(self.fn.events("/d-inflight")), 1)
        self.lam.update_event_source_mapping(UUID=uuid, Enabled=True)
        self.assertTrue(wait_for(lambda: len(self.fn.records("/d-inflight")) == 2))
        wait_for(lambda: False, timeout=0.3)
        # The batch in flight was checkpointed: not delivered again.
        self.assertEqual([key_of(r) for r in self.fn.records("/d-inflight")],
                         ["slow", "while-disabled"])

    def test_parallelization_and_filter_changes_apply_live(self):
        _, uuid = self.setup_pipeline("d-relayout", BatchSize=2)
        for i in range(6):
            put(self.ddb, "d-relayout", f"a{i}", kind="x")
        self.assertTrue(wait_for(lambda: len(self.fn.records("/d-relayout")) == 6))
        self.lam.update_event_source_mapping(
            UUID=uuid, ParallelizationFactor=5,
            FilterCriteria={"Filters": [{"Pattern": json.dumps({"eventName": ["INSERT"]})}]})
        self.assertTrue(wait_for(lambda: self.mapping(uuid)["ParallelizationFactor"] == 5))
        for i in range(10):
            put(self.ddb, "d-relayout", f"b{i}", kind="y")
        self.ddb.delete_item(TableName="d-relayout", Key={"pk": {"S": "a0"}})
        put(self.ddb, "d-relayout", "last", kind="z")
        self.assertTrue(wait_for(lambda: "last" in [key_of(r) for r in
                                                    self.fn.records("/d-relayout")]))
        wait_for(lambda: False, timeout=0.3)
        keys = [key_of(r) for r in self.fn.records("/d-relayout")]
        self.assertEqual(sorted(keys), sorted([f"a{i}" for i in range(6)] +
                                              [f"b{i}" for i in range(10)] + ["last"]))
        self.assertNotIn("REMOVE", [r["eventName"] for r in self.fn.records("/d-relayout")])

    def test_update_applies_live(self):
        _, uuid = self.setup_pipeline("d-update", BatchSize=1)
        for i in range(3):
            put(self.ddb, "d-update", f"a-{i}")
        self.assertTrue(wait_for(lambda: len(self.fn.records("/d-update")) == 3))
        self.assertEqual([len(e["Records"]) for e in self.fn.events("/d-update")], [1, 1, 1])
        self.lam.update_event_source_mapping(UUID=uuid, BatchSize=10,
                                             MaximumBatchingWindowInSeconds=5)
        self.assertTrue(wait_for(lambda: self.mapping(uuid)["BatchSize"] == 10))
        for i in range(4):
            put(self.ddb, "d-update", f"b-{i}")
        advance(self.server, 6000)
        self.assertTrue(wait_for(lambda: len(self.fn.records("/d-update")) == 7))
        self.assertEqual(len(self.fn.events("/d-update")[-1]["Records"]), 4)

    def test_delete_stops_delivery(self):
        _, uuid = self.setup_pipeline("d-delete")
        put(self.ddb, "d-delete", "one")
        self.assertTrue(wait_for(lambda: len(self.fn.records("/d-delete")) == 1))
        self.lam.delete_event_source_mapping(UUID=uuid)
        put(self.ddb, "d-delete", "two")
        self.assertFalse(wait_for(lambda: len(self.fn.records("/d-delete")) > 1, timeout=0.5))

    def test_function_error_sets_last_processing_result(self):
        self.fn.on("/d-problem", lambda e, n: Reply(200, {"errorMessage": "x"},
                                                    {"X-Amz-Function-Error": "Unhandled"})
                   if n == 1 else None)
        _, uuid = self.setup_pipeline("d-problem")
        put(self.ddb, "d-problem", "one")
        self.assertTrue(wait_for(lambda: self.mapping(uuid)["LastProcessingResult"] ==
                                 "PROBLEM: Function call failed"
                                 or len(self.fn.events("/d-problem")) >= 2))
        # Retried after the back-off, then OK.
        self.assertTrue(wait_for(lambda: len(self.fn.events("/d-problem")) == 2))
        self.assertTrue(wait_for(lambda: self.mapping(uuid)["LastProcessingResult"] == "OK"))
        self.assertEqual([key_of(r) for r in self.fn.records("/d-problem")], ["one", "one"])

    def test_two_mappings_on_one_stream(self):
        stream = make_table(self.ddb, "d-two")
        for name in ("d-two-a", "d-two-b"):
            create_function(self.lam, name, self.fn.url("/" + name))
            self.lam.create_event_source_mapping(FunctionName=name, EventSourceArn=stream,
                                                 StartingPosition="TRIM_HORIZON")
        put(self.ddb, "d-two", "x")
        for name in ("/d-two-a", "/d-two-b"):
            self.assertTrue(wait_for(lambda: len(self.fn.records(name)) == 1), name)

    def test_child_shard_only_after_parent_is_drained(self):
        # The parent's records fail twice; the child's must wait for them.
        self.fn.on("/d-lineage", lambda e, n: Reply(500, "no") if n <= 2 else None)
        _, uuid = self.setup_pipeline("d-lineage", before=2)
        # AWS rolls a shard over about every 4 hours: move the clock so the next write opens
        # a child shard.
        advance(self.server, 4 * 3600 * 1000 + 1000)
        put(self.ddb, "d-lineage", "child-0")
        put(self.ddb, "d-lineage", "child-1")
        shards = self.server.client("dynamodbstreams").describe_stream(
            StreamArn=self.lam.get_event_source_mapping(UUID=uuid)["EventSourceArn"])[
                "StreamDescription"]["Shards"]
        self.assertEqual(len(shards), 2)
        self.assertEqual(shards[1]["ParentShardId"], shards[0]["ShardId"])
        self.assertTrue(wait_for(lambda: {key_of(r) for r in self.fn.records("/d-lineage")} >=
                                 {"early-0", "early-1", "child-0", "child-1"}, timeout=15))
        keys = [key_of(r) for r in self.fn.records("/d-lineage")]
        first_child = keys.index("child-0")
        self.assertNotIn("child-0", keys[:first_child])
        self.assertTrue(all(k.startswith("early") for k in keys[:first_child]), keys)
        self.assertEqual(keys[first_child:], ["child-0", "child-1"])


class PollingTest(unittest.TestCase):
    """The default 4 Hz polling: an idle shard costs a watermark comparison per tick, a
    write is picked up at the next tick."""

    def test_default_poll_interval_delivers_and_follows_a_new_shard(self):
        fn = FunctionServer()
        self.addCleanup(fn.close)
        server = StreamStack(in_memory=True, env={"STREAMSTACK_TEST_CLOCK": "1"}).start()
        self.addCleanup(server.stop)
        ddb, lam = server.client("dynamodb"), server.client("lambda")
        stream = make_table(ddb, "poll-table")
        put(ddb, "poll-table", "before")
        create_function(lam, "poll-fn", fn.url("/poll"))
        lam.create_event_source_mapping(FunctionName="poll-fn", EventSourceArn=stream,
                                        StartingPosition="LATEST")
        for i in range(3):
            put(ddb, "poll-table", f"k{i}")
        self.assertTrue(wait_for(lambda: len(fn.records("/poll")) == 3, timeout=5))
        advance(server, 4 * 3600 * 1000 + 1000)  # the next write opens a child shard
        put(ddb, "poll-table", "child")
        self.assertTrue(wait_for(lambda: len(fn.records("/poll")) == 4, timeout=5))
        self.assertEqual([key_of(r) for r in fn.records("/poll")], ["k0", "k1", "k2", "child"])


class RestartTest(unittest.TestCase):
    def test_resumes_from_the_checkpoint_after_a_restart(self):
        fn = FunctionServer()
        self.addCleanup(fn.close)
        server = StreamStack("--poll-interval-ms", "0").start()
        self.addCleanup(shutil.rmtree, server.data_dir, True)
        self.addCleanup(server.stop)
        ddb, lam = server.client("dynamodb"), server.client("lambda")
        make_table(ddb, "r-table")
        stream = ddb.describe_table(TableName="r-table")["Table"]["LatestStreamArn"]
        create_function(lam, "r-fn", fn.url("/r"))
        uuid = lam.create_event_source_mapping(FunctionName="r-fn", EventSourceArn=stream,
                                               StartingPosition="TRIM_HORIZON")["UUID"]
        for i in range(5):
            put(ddb, "r-table", f"k{i}")
        self.assertTrue(wait_for(lambda: len(fn.records("/r")) == 5))
        # The checkpoint is written after the batch; give it a moment to commit.
        wait_for(lambda: False, timeout=0.3)
        self.assertEqual(server.stop(), 0)
        server.start()
        ddb, lam = server.client("dynamodb"), server.client("lambda")
        put(ddb, "r-table", "k5")
        self.assertTrue(wait_for(lambda: len(fn.records("/r")) == 6))
        wait_for(lambda: False, timeout=0.3)
        self.assertEqual([key_of(r) for r in fn.records("/r")], [f"k{i}" for i in range(6)])
        self.assertTrue(wait_for(
            lambda: lam.get_event_source_mapping(UUID=uuid)["LastProcessingResult"] == "OK"))


if __name__ == "__main__":
    unittest.main()
