"""A spool that cannot be stalled, against the REAL Command Center API.

An item the server refuses for good, or one that keeps failing while the
server answers everything else, becomes a dead letter (kept, counted, logged
once) and the rest is delivered. Persistent 5xx, outages, 503/429 with
Retry-After and a refused key are produced by a loopback proxy in front of
the real API that answers instead of forwarding (a fault injector at the
edge); what was stored is checked through the admin API, as a user sees it.
"""

import json
import logging
import os
import shutil
import sqlite3
import tempfile
import threading
import time
import unittest
from contextlib import closing

import support
from polymaker_client import is_in_progress, parse_retry_after, Answer

# The spool's tables as the 2.0 client created them (bots in the field have these on disk).
SCHEMA_V1 = """
CREATE TABLE items (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, path TEXT NOT NULL, body TEXT NOT NULL,
                    idem_key TEXT NOT NULL, local_ids TEXT NOT NULL, group_key TEXT, created REAL NOT NULL);
CREATE TABLE ids (local_id INTEGER PRIMARY KEY, server_id INTEGER, created REAL NOT NULL);
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO meta VALUES ('next_local_id', -1);
"""

POISON = 777  # the cycle of the trade the proxy fails


class RecordingHandler(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)

    def lines(self, level=logging.WARNING):
        return [r.getMessage() for r in self.records if r.levelno >= level]


class HelpersTest(unittest.TestCase):
    def test_retry_after_seconds_and_dates(self):
        self.assertEqual(parse_retry_after("3"), 3.0)
        self.assertEqual(parse_retry_after(" 1.5 "), 1.5)
        self.assertIsNone(parse_retry_after(None))
        self.assertIsNone(parse_retry_after("soon"))
        self.assertEqual(parse_retry_after("-4"), 0.0)
        self.assertEqual(parse_retry_after("99999999"), 600.0, "capped")
        future = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 120))
        self.assertTrue(100 <= parse_retry_after(future) <= 121)

    def test_a_409_still_in_progress_is_told_apart_from_a_409_about_the_data(self):
        running = {"statusCode": 409, "message": "A request with this Idempotency-Key is still being processed. "
                                                 "Retry after it finishes."}
        self.assertTrue(is_in_progress(Answer(409, running, None)))
        self.assertTrue(is_in_progress(Answer(409, {"message": "busy"}, 2.0)), "a Retry-After says: retry")
        self.assertFalse(is_in_progress(Answer(409, {"message": "A key with this value already exists."}, None)))
        self.assertFalse(is_in_progress(Answer(422, running, None)))


@unittest.skipUnless(support.API_CMD, support.SKIP_REASON)
class DeadLetterTest(support.RealApiTestCase, unittest.TestCase):
    def setUp(self):
        super().setUp()
        self.log = RecordingHandler()
        logger = logging.getLogger("polymaker_client")
        logger.addHandler(self.log)
        self.addCleanup(logger.removeHandler, self.log)
        self.old_level = logger.level
        logger.setLevel(logging.DEBUG)
        self.addCleanup(logger.setLevel, self.old_level)

    # -- helpers

    def proxy(self, rule=None):
        proxy = support.FaultProxy(self.server.url, rule)
        self.addCleanup(proxy.close)
        return proxy

    def client(self, url=None, **overrides):
        settings = dict(POLYMAKER_RETRY_MAX_SECONDS=0.05, POLYMAKER_ID_WAIT_MS=0)
        settings.update(overrides)
        client = support.make_client(url or self.server.url, self.dir, **settings)
        self.addCleanup(client.close, 0)
        return client

    def new_runs(self):
        return self.admin.runs_after(self.last_run_before)

    def the_new_run(self):
        runs = self.new_runs()
        self.assertEqual(len(runs), 1, "expected exactly one new run, got %r" % runs)
        return runs[0]

    def trade(self, cc, cycle, price=0.45, run_id=None):
        return cc.log_trade(run_id=run_id, cycle=cycle, asset="ETH", window="15m", side="buy", outcome="Up",
                            price=price, size=3, token_id="dl-%d" % cycle)

    def assert_trades(self, run_id, cycles, filled=()):
        trades = self.admin.trades(run_id)
        self.assertEqual(sorted(t["cycle"] for t in trades), sorted(cycles), "every trade stored exactly once")
        self.assertEqual(sorted(t["cycle"] for t in trades if t["status"] == "filled"), sorted(filled))

    def dead_letter_lines(self):
        return [line for line in self.log.lines() if "dead-lettered" in line]

    # -- deterministic 4xx

    def test_a_refused_item_is_dead_lettered_logged_once_with_the_servers_message_and_the_rest_flows(self):
        cc = self.client()
        cc.start_run(self.config_id, "dry_run", 100)
        self.trade(cc, 0)
        bad = self.trade(cc, 1, price=2.0)  # the server answers 400
        for cycle in range(2, 6):
            self.trade(cc, cycle)
        cc.update_run(total_cycles=6)
        cc.stop_run(status="completed")
        self.assertTrue(cc.flush(30))

        run = self.the_new_run()
        self.assertEqual(run["status"], "completed")
        self.assert_trades(run["id"], [0, 2, 3, 4, 5])
        status = cc.spool_status()
        self.assertEqual((status["pending"], status["dead_letters"], status["dead_letters_by_kind"]),
                         (0, 1, {"trade": 1}))
        letter, = status["latest_dead_letters"]
        self.assertEqual((letter["kind"], letter["method"], letter["path"], letter["status"], letter["reason"]),
                         ("trade", "POST", "/trade", 400, "refused"))
        self.assertIn("price must be at least 0 and at most 1", letter["message"], "the server's own message")
        self.assertEqual((letter["body"]["price"], letter["body"]["cycle"]), (2.0, 1), "the request as queued")
        self.assertGreaterEqual(letter["attempts"], 1)
        self.assertTrue(letter["first_attempt"] <= letter["last_attempt"] <= letter["dead_at"])
        lines = self.dead_letter_lines()
        self.assertEqual(len(lines), 1, lines)
        self.assertIn("price must be at least 0 and at most 1", lines[0])
        self.assertNotIn(support.BOT_KEY, "\n".join(self.log.lines(logging.DEBUG)))
        self.assertEqual(cc.dropped, {}, "a dead letter is kept, not lost")
        self.assertLess(bad, 0)

    def test_updates_of_a_dead_lettered_trade_are_dead_lettered_with_it(self):
        cc = self.client()
        cc.start_run(self.config_id, "dry_run", 100)
        good = self.trade(cc, 10)
        bad = self.trade(cc, 11, price=2.0)
        self.assertLess(bad, 0, "a provisional id")
        cc.update_trade(bad, status="filled", fill_price=0.5, fill_size=3)
        cc.update_trade(good, status="filled", fill_price=0.45, fill_size=3)
        cc.update_trade(bad, pnl=0.3)
        cc.stop_run(status="completed")
        self.assertTrue(cc.flush(30))

        run = self.the_new_run()
        self.assert_trades(run["id"], [10], filled=[10])
        status = cc.spool_status()
        self.assertEqual(status["dead_letters_by_kind"], {"trade": 1, "trade_update": 2})
        reasons = sorted((d["kind"], d["reason"]) for d in cc.dead_letters())
        self.assertEqual(reasons, [("trade", "refused"), ("trade_update", "dependent"), ("trade_update", "dependent")])
        self.assertEqual(len(self.dead_letter_lines()), 2, "the refusal, then one line for what depends on it")

    def test_a_dead_lettered_run_start_takes_its_run_along_and_the_bot_keeps_working(self):
        cc = self.client(POLYMAKER_FLUSH_TIMEOUT=10)
        doomed = cc.start_run(999999, "dry_run", 100)  # no such config: 422
        self.assertLess(doomed, 0)
        ids = [self.trade(cc, cycle) for cycle in range(20, 25)]
        cc.update_trade(ids[0], status="filled", fill_price=0.45, fill_size=3)
        cc.log_trades_batch([{"runId": doomed, "cycle": 26, "asset": "BTC", "windowDuration": "5m", "side": "buy",
                              "outcome": "Up", "price": 0.4, "size": 1}])
        cc.update_run(total_cycles=5)
        self.assertIsNone(cc.stop_run(status="completed"), "the stop of a dead-lettered run is refused")

        cc.start_run(self.config_id, "dry_run", 100)  # the bot goes on with a new run
        for cycle in range(30, 33):
            self.trade(cc, cycle)
        cc.stop_run(status="completed")
        self.assertTrue(cc.flush(30))

        run = self.the_new_run()
        self.assertEqual(run["status"], "completed")
        self.assert_trades(run["id"], [30, 31, 32])
        self.assertEqual(cc.spool_status()["dead_letters_by_kind"],
                         {"run_start": 1, "trade": 5, "trade_update": 1, "trade_batch": 1, "run_update": 1,
                          "run_stop": 1})
        lines = self.dead_letter_lines()
        self.assertEqual(len(lines), 2, lines)
        self.assertIn("configId 999999 is not a config version", lines[0])

    def test_dead_letters_can_be_retried_once_the_cause_is_gone_and_purged(self):
        refusing = {"on": True}

        def rule(method, path, body):
            if refusing["on"] and method == "POST" and support.carries_cycle(body, 41):
                return 400, {}, {"statusCode": 400, "message": "Invalid trade: cycle 41 is refused today."}
            return None

        proxy = self.proxy(rule)
        cc = self.client(proxy.url)
        cc.start_run(self.config_id, "dry_run", 100)
        self.trade(cc, 40)
        refused = self.trade(cc, 41)
        cc.update_trade(refused, status="filled", fill_price=0.45, fill_size=3)
        self.trade(cc, 42)
        self.assertTrue(cc.flush(30))
        self.assertEqual(cc.spool_status()["dead_letters"], 2)

        refusing["on"] = False  # e.g. the server was upgraded
        self.assertEqual(cc.retry_dead_letters(), 2)
        cc.stop_run(status="completed")
        self.assertTrue(cc.flush(30))
        run = self.the_new_run()
        self.assert_trades(run["id"], [40, 41, 42], filled=[41])
        self.assertEqual(cc.spool_status()["dead_letters"], 0)

        refusing["on"] = True
        self.trade(cc, 41, run_id=run["id"])
        self.assertTrue(cc.flush(30))
        self.assertEqual(cc.spool_status()["dead_letters"], 1)
        self.assertEqual(cc.purge_dead_letters(), 1)
        self.assertEqual((cc.spool_status()["dead_letters"], cc.dead_letters()), (0, []))

    # -- persistent 5xx, outages

    def test_an_item_failing_with_5xx_while_the_server_answers_is_dead_lettered_after_bounded_attempts(self):
        def rule(method, path, body):
            if method == "POST" and support.carries_cycle(body, POISON):
                return 500, {}, {"statusCode": 500, "message": "Internal server error: the failure was logged."}
            return None

        proxy = self.proxy(rule)
        cc = self.client(proxy.url, POLYMAKER_MAX_ATTEMPTS=3)
        cc.start_run(self.config_id, "dry_run", 100)
        ids = {cycle: self.trade(cc, cycle) for cycle in [50, 51, POISON, 52, 53]}
        cc.update_trade(ids[POISON], status="filled", fill_price=0.45, fill_size=3)
        cc.update_trade(ids[52], status="filled", fill_price=0.45, fill_size=3)
        cc.stop_run(status="completed")
        self.assertTrue(cc.flush(60), "the rest is delivered")

        run = self.the_new_run()
        self.assertEqual(run["status"], "completed")
        self.assert_trades(run["id"], [50, 51, 52, 53], filled=[52])
        letters = {d["kind"]: d for d in cc.dead_letters()}
        self.assertEqual(sorted(letters), ["trade", "trade_update"])
        poison = letters["trade"]
        self.assertEqual((poison["status"], poison["reason"], poison["body"]["cycle"]), (500, "failing", POISON))
        self.assertIn("failed 3 times while the server answered", poison["message"])
        self.assertEqual(letters["trade_update"]["reason"], "dependent")
        carrying = [s for s in proxy.posts() if support.carries_cycle(s.body, POISON)]
        alone = [s for s in carrying if s.path == "/trade"]
        self.assertEqual(len(alone), 3, "bounded: sent alone exactly POLYMAKER_MAX_ATTEMPTS times")
        self.assertEqual(poison["attempts"], len(carrying), "every attempt (in a batch or alone) is counted")
        self.assertTrue(all(s.status == 500 for s in carrying))

    def test_during_a_full_outage_nothing_is_dead_lettered_and_everything_is_delivered_once_afterwards(self):
        outages = {
            "500 for everything": lambda m, p, b: (500, {}, {"statusCode": 500, "message": "Internal server error"}),
            "503 without Retry-After": lambda m, p, b: (503, {}, {"statusCode": 503, "message": "Unavailable"}),
            "the API behind the proxy is down": None,
        }
        for name, rule in outages.items():
            with self.subTest(outage=name):
                self.last_run_before = self.admin.max_run_id()
                proxy = self.proxy(rule)
                proxy.down = rule is None
                os.makedirs(os.path.join(self.dir, name))
                cc = support.make_client(proxy.url, os.path.join(self.dir, name), POLYMAKER_RETRY_MAX_SECONDS=0.05,
                                         POLYMAKER_ID_WAIT_MS=0, POLYMAKER_MAX_ATTEMPTS=2,
                                         POLYMAKER_FLUSH_TIMEOUT=0.1)
                self.addCleanup(cc.close, 0)
                cc.start_run(self.config_id, "dry_run", 100)
                ids = [self.trade(cc, cycle) for cycle in range(60, 66)]
                cc.update_trade(ids[1], status="filled", fill_price=0.45, fill_size=3)
                cc.update_run(total_cycles=6)
                cc.stop_run(status="completed")
                self.assertTrue(support.wait_until(lambda: len(proxy.posts()) >= 12, 60),
                                "the client keeps retrying through the outage")
                status = cc.spool_status()
                self.assertEqual((status["dead_letters"], status["pending"]), (0, 10), status)
                self.assertEqual(status["server"], "failing")
                self.assertGreaterEqual(status["head_attempts"], 6, "well past POLYMAKER_MAX_ATTEMPTS")
                self.assertEqual(self.new_runs(), [])

                proxy.rule, proxy.down = None, False  # the outage ends
                self.assertTrue(cc.flush(60))
                run = self.the_new_run()
                self.assertEqual(run["status"], "completed")
                self.assert_trades(run["id"], range(60, 66), filled=[61])
                self.assertEqual(cc.spool_status()["dead_letters"], 0)
                self.assertEqual(len({s.key for s in proxy.posts("/run/start")}), 1, "one run, one key")

    # -- the server asks to wait

    def test_503_and_429_with_retry_after_are_honoured_not_counted_and_nothing_is_lost(self):
        # The proxy answers the first POST 503 Retry-After: 2, then the next three 429
        # Retry-After: 1. A request arriving well inside a Retry-After is "early": it
        # gets a 500 and is counted. The client's own backoff is 0.05 s, so a client
        # that ignored Retry-After would send dozens of early requests.
        script = [(503, 2), (429, 1), (429, 1), (429, 1)]
        state = {"refusals": 0, "until": 0.0, "early": 0}
        lock = threading.Lock()

        def rule(method, path, body):
            with lock:
                now = time.monotonic()
                if now < state["until"]:
                    state["early"] += 1
                    return 500, {}, {"statusCode": 500, "message": "early"}
                if method == "POST" and state["refusals"] < len(script):
                    status, seconds = script[state["refusals"]]
                    state["refusals"] += 1
                    state["until"] = now + seconds * 0.75
                    return status, {"Retry-After": str(seconds)}, {"statusCode": status, "message": "wait"}
            return None

        proxy = self.proxy(rule)
        cc = self.client(proxy.url, POLYMAKER_MAX_ATTEMPTS=1)
        cc.start_run(self.config_id, "dry_run", 100)
        for cycle in range(70, 74):
            self.trade(cc, cycle)
        cc.flush(0.2)  # a flush cuts a backoff short, never a Retry-After
        cc.stop_run(status="completed")
        self.assertTrue(cc.flush(60))

        self.assertEqual(state["early"], 0, "no request inside a Retry-After")
        posts = proxy.posts()
        self.assertEqual([s.status for s in posts[:5]], [503, 429, 429, 429, 201])
        self.assertEqual(len({s.key for s in posts[:5]}), 1, "the same item, retried under the same key")
        self.assertEqual(cc.spool_status()["dead_letters"], 0, "a Retry-After is not a failure of the item")
        run = self.the_new_run()
        self.assertEqual(run["status"], "completed")
        self.assert_trades(run["id"], range(70, 74))

    def test_a_409_still_in_progress_is_retried_and_another_409_is_dead_lettered(self):
        answered = {"in_progress": 0}

        def rule(method, path, body):
            if method != "POST":
                return None
            if support.carries_cycle(body, 80) and answered["in_progress"] < 2:
                answered["in_progress"] += 1
                return 409, {}, {"statusCode": 409, "message": "A request with this Idempotency-Key is still being "
                                                               "processed. Retry after it finishes."}
            if support.carries_cycle(body, 81):
                return 409, {}, {"statusCode": 409, "message": "Trade 81 conflicts with a stored trade."}
            return None

        proxy = self.proxy(rule)
        cc = self.client(proxy.url, POLYMAKER_MAX_ATTEMPTS=3)
        cc.start_run(self.config_id, "dry_run", 100)
        self.trade(cc, 80)
        self.trade(cc, 81)
        cc.stop_run(status="completed")
        self.assertTrue(cc.flush(60))
        self.assert_trades(self.the_new_run()["id"], [80])
        letter, = cc.dead_letters()
        self.assertEqual((letter["status"], letter["reason"], letter["body"]["cycle"]), (409, "refused", 81))

    def test_a_refused_key_holds_the_spool_and_a_working_key_delivers_it_all(self):
        proxy = self.proxy()
        cc = self.client(proxy.url, POLYMAKER_API_KEY="pm-test-revoked-key-0000000000", POLYMAKER_MAX_ATTEMPTS=1,
                         POLYMAKER_RETRY_MAX_SECONDS=0.2)
        cc.start_run(self.config_id, "dry_run", 100)
        for cycle in range(90, 95):
            self.trade(cc, cycle)
        cc.stop_run(status="completed", total_pnl=1)
        self.assertTrue(support.wait_until(lambda: len(proxy.posts()) >= 5, 60))
        status = cc.spool_status()
        self.assertEqual((status["dead_letters"], status["pending"], status["server"]), (0, 7, "key refused"))
        self.assertIn("401", status["key_refused"])
        answers = [s.status for s in proxy.posts()]
        self.assertEqual(answers[0], 401)
        self.assertLessEqual(set(answers), {401, 429}, "refused; the server may also limit the failed attempts")
        key_lines = [line for line in self.log.lines() if "refused the API key" in line]
        self.assertEqual(len(key_lines), 1, "logged once")
        self.assertIn("Check POLYMAKER_API_KEY", key_lines[0], "with the server's message")
        self.assertNotIn("pm-test-revoked-key", "\n".join(self.log.lines(logging.DEBUG)), "never the key")
        cc.close(0)

        fixed = self.client(proxy.url)  # the bot restarted with the right key, same spool
        self.assertTrue(fixed.flush(60))
        run = self.the_new_run()
        self.assertEqual(run["status"], "completed")
        self.assert_trades(run["id"], range(90, 95))
        self.assertEqual(fixed.spool_status()["dead_letters"], 0)

    # -- spools in the field

    def test_a_spool_written_by_the_previous_client_version_is_migrated_and_delivered(self):
        path = os.path.join(self.dir, "spool.sqlite3")
        now = time.time()
        with closing(sqlite3.connect(path)) as db:
            db.executescript(SCHEMA_V1)
            rows = [("run_start", "/run/start", {"configId": self.config_id, "mode": "dry_run", "startingBankroll": 5},
                     [-1], None)]
            rows += [("trade", "/trade", {"runId": -1, "cycle": c, "asset": "SOL", "windowDuration": "5m",
                                          "side": "buy", "outcome": "Up", "price": 0.3, "size": 2}, [-2 - i],
                      "batch-key-v1" if i < 2 else None) for i, c in enumerate((100, 101, 102))]
            rows += [("trade_update", "/trade/update", {"tradeId": -2, "status": "filled", "fillPrice": 0.3,
                                                        "fillSize": 2}, [], None),
                     ("run_stop", "/run/stop", {"runId": -1, "status": "completed"}, [], None)]
            for kind, item_path, body, local_ids, group_key in rows:
                db.execute("INSERT INTO items (kind, path, body, idem_key, local_ids, group_key, created) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?)",
                           (kind, item_path, json.dumps(body), "v1-%s" % os.urandom(8).hex(), json.dumps(local_ids),
                            group_key, now))
            db.executemany("INSERT INTO ids (local_id, created) VALUES (?, ?)", [(i, now) for i in (-1, -2, -3, -4)])
            db.execute("UPDATE meta SET value = -5 WHERE key = 'next_local_id'")
            db.commit()

        cc = self.client()
        self.assertTrue(cc.flush(30))
        run = self.the_new_run()
        self.assertEqual(run["status"], "completed")
        self.assert_trades(run["id"], [100, 101, 102], filled=[100])
        self.assertEqual(cc.spool_status()["dead_letters"], 0)
        self.assertLessEqual(cc.log_trade(run_id=run["id"], cycle=103, price=2.0), -5,
                             "new provisional ids continue the old spool's counter")
        self.assertTrue(cc.flush(30))
        self.assertEqual(cc.spool_status()["dead_letters"], 1, "the migrated spool keeps dead letters")


if __name__ == "__main__":
    unittest.main()
