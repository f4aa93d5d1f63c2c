"""ParallelizationFactor lanes (order kept per item key, batches of one shard in flight at
once, a failing key does not stall the others) and tumbling windows (window bounds, state
passed along, final invoke, early termination over 1 MB, a response without state fails),
plus the per-mapping metrics at /metrics."""
import unittest

from esm_harness import (FunctionServer, Reply, advance, create_function, key_of, make_table,
                         metric, put, wait_for)
from harness import StreamStack

ERROR = {"X-Amz-Function-Error": "Unhandled"}


class ParallelTest(unittest.TestCase):
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

    def pipeline(self, name, **mapping):
        stream = make_table(self.ddb, name)
        create_function(self.lam, name, self.fn.url("/" + name))
        uuid = self.lam.create_event_source_mapping(
            FunctionName=name, EventSourceArn=stream, StartingPosition="TRIM_HORIZON",
            **mapping)["UUID"]
        return stream, uuid

    def test_lanes_keep_order_per_key_and_run_at_once(self):
        self.fn.on("/p-lanes", lambda e, n: Reply(200, {}, delay=0.05))
        self.pipeline("p-lanes", ParallelizationFactor=4, BatchSize=5)
        keys = [f"k{i}" for i in range(12)]
        for version in range(5):
            for k in keys:
                put(self.ddb, "p-lanes", k, v=version)
        self.assertTrue(wait_for(lambda: len(self.fn.records("/p-lanes")) == 60, timeout=20))
        seen = {}
        for r in self.fn.records("/p-lanes"):
            seen.setdefault(key_of(r), []).append(int(r["dynamodb"]["NewImage"]["v"]["N"]))
        for k in keys:
            self.assertEqual(seen[k], list(range(5)), k)
        self.assertGreater(self.fn.max_in_flight["/p-lanes"], 1)

    def test_a_failing_key_does_not_stall_the_other_lanes(self):
        stuck_calls = []

        def handler(event, n):
            if any(key_of(r) == "stuck" for r in event["Records"]):
                stuck_calls.append(n)
                if len(stuck_calls) <= 4:
                    return Reply(500, "no")
            return None
        self.fn.on("/p-stall", handler)
        self.pipeline("p-stall", ParallelizationFactor=10, BatchSize=1)
        put(self.ddb, "p-stall", "stuck", v=0)
        others = [f"o{i}" for i in range(8)]
        for k in others:
            put(self.ddb, "p-stall", k, v=0)
        # The other keys get through while "stuck" is backing off between its retries.
        self.assertTrue(wait_for(lambda: set(others) <= {key_of(r) for r in
                                                         self.fn.records("/p-stall")}))
        self.assertTrue(wait_for(lambda: [key_of(r) for r in self.fn.records("/p-stall")].count(
            "stuck") == 5, timeout=15))

    def counting(self, event, n):
        state = dict(event.get("state") or {})
        state["count"] = state.get("count", 0) + len(event["Records"])
        return {"state": state}

    def test_tumbling_window_state_and_final_invoke(self):
        self.fn.on("/p-window", self.counting)
        stream, _ = self.pipeline("p-window", TumblingWindowInSeconds=60)
        for i in range(3):
            put(self.ddb, "p-window", f"w{i}")
        self.assertTrue(wait_for(lambda: len(self.fn.records("/p-window")) == 3))
        first = self.fn.events("/p-window")[0]
        self.assertEqual(first["state"], {})
        self.assertEqual(first["isFinalInvokeForWindow"], False)
        self.assertEqual(first["isWindowTerminatedEarly"], False)
        self.assertEqual(first["eventSourceARN"], stream)
        self.assertTrue(first["shardId"].startswith("shardId-"))
        start, end = first["window"]["start"], first["window"]["end"]
        self.assertTrue(start.endswith(":00Z") and end.endswith(":00Z"), first["window"])
        put(self.ddb, "p-window", "w3")
        self.assertTrue(wait_for(lambda: len(self.fn.records("/p-window")) == 4))
        self.assertEqual(self.fn.events("/p-window")[-1]["state"], {"count": 3})
        # The window closes when the Clock passes its end: the final invoke carries the state.
        advance(self.server, 61000)
        self.assertTrue(wait_for(lambda: self.fn.events("/p-window")[-1]["isFinalInvokeForWindow"]))
        final = self.fn.events("/p-window")[-1]
        self.assertEqual(final["state"], {"count": 4})
        self.assertEqual(final["Records"], [])
        self.assertEqual(final["window"], first["window"])
        # The next record opens a new window with a fresh state.
        put(self.ddb, "p-window", "w4")
        self.assertTrue(wait_for(lambda: len(self.fn.records("/p-window")) == 5))
        last = self.fn.events("/p-window")[-1]
        self.assertEqual(last["state"], {})
        self.assertGreater(last["window"]["start"], start)

    def test_tumbling_window_response_without_state_fails(self):
        self.fn.on("/p-nostate", lambda e, n: {} if n == 1 else {"state": {"ok": True}})
        self.pipeline("p-nostate", TumblingWindowInSeconds=30)
        put(self.ddb, "p-nostate", "a")
        self.assertTrue(wait_for(lambda: len(self.fn.events("/p-nostate")) == 2))
        self.assertEqual([key_of(r) for r in self.fn.records("/p-nostate")], ["a", "a"])

    def test_tumbling_window_terminated_early_over_one_megabyte(self):
        big = "x" * (1024 * 1024 + 10)
        self.fn.on("/p-early", lambda e, n: {"state": {"blob": big} if n == 1 else {}})
        self.pipeline("p-early", TumblingWindowInSeconds=900)
        put(self.ddb, "p-early", "a")
        self.assertTrue(wait_for(lambda: len(self.fn.events("/p-early")) >= 2))
        final = self.fn.events("/p-early")[1]
        self.assertEqual(final["isFinalInvokeForWindow"], True)
        self.assertEqual(final["isWindowTerminatedEarly"], True)
        self.assertEqual(len(final["state"]["blob"]), len(big))

    def test_metrics_per_mapping(self):
        self.fn.on("/p-metrics", lambda e, n: Reply(500, "no") if n == 1 else None)
        stream = make_table(self.ddb, "p-metrics")
        for k in ("keep-1", "drop-1", "keep-2"):
            put(self.ddb, "p-metrics", k)
        create_function(self.lam, "p-metrics", self.fn.url("/p-metrics"))
        uuid = self.lam.create_event_source_mapping(
            FunctionName="p-metrics", EventSourceArn=stream, StartingPosition="TRIM_HORIZON",
            FilterCriteria={"Filters": [
                {"Pattern": '{"dynamodb": {"Keys": {"pk": {"S": [{"prefix": "keep"}]}}}}'}]})["UUID"]
        self.assertTrue(wait_for(lambda: metric(self.server, "streamstack_esm_records_invoked_total",
                                                uuid) == 4))
        self.assertEqual(metric(self.server, "streamstack_esm_records_polled_total", uuid), 3)
        self.assertEqual(metric(self.server, "streamstack_esm_records_filtered_total", uuid), 1)
        self.assertEqual(metric(self.server, "streamstack_esm_records_failed_total", uuid), 2)
        self.assertEqual(metric(self.server, "streamstack_esm_invocations_total", uuid), 2)
        self.assertIsNotNone(metric(self.server, "streamstack_esm_iterator_age_milliseconds", uuid))
        self.lam.delete_event_source_mapping(UUID=uuid)
        self.assertTrue(wait_for(lambda: metric(
            self.server, "streamstack_esm_records_polled_total", uuid) is None))


if __name__ == "__main__":
    unittest.main()
