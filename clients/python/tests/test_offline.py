"""The client while the Command Center is down (nothing listens on its port).

No server is involved, real or fake: these tests show what the bot notices
when the Command Center cannot be reached.
"""

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest
from contextlib import closing
from unittest import mock

import support


def spooled_count(path):
    with closing(sqlite3.connect(path)) as db:
        return db.execute("SELECT COUNT(*) FROM items").fetchone()[0]


class ServerDownTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.url = support.dead_url()

    def tearDown(self):
        shutil.rmtree(self.dir)

    def client(self, **overrides):
        client = support.make_client(self.url, self.dir, **overrides)
        self.addCleanup(client.close, 0)
        return client

    def test_calls_return_at_once_and_never_touch_the_network_on_the_bot_thread(self):
        connects = []
        real_connect = socket.socket.connect

        def recording_connect(sock, address):
            connects.append(threading.get_ident())
            return real_connect(sock, address)

        with mock.patch.object(socket.socket, "connect", recording_connect):
            client = self.client()  # default POLYMAKER_ID_WAIT_MS: it must not wait while the server is down
            run_id = client.start_run(1, "dry_run", 500)
            calls = {
                "log_trade": lambda i: client.log_trade(cycle=i, asset="BTC", window="5m", side="buy",
                                                        outcome="Up", price=0.5, size=1),
                "update_trade": lambda i: client.update_trade(-1, status="cancelled"),
                "update_run": lambda i: client.update_run(total_pnl=i / 10, total_cycles=i),
                "log_trades_batch": lambda i: client.log_trades_batch([{"runId": run_id, "cycle": i}]),
                "report_markets": lambda i: client.report_markets([{"tokenId": str(i), "asset": "BTC"}]),
            }
            timings = {name: [] for name in calls}
            for i in range(300):
                for name, call in calls.items():
                    started = time.perf_counter()
                    call(i)
                    timings[name].append((time.perf_counter() - started) * 1000)
            self.assertTrue(support.wait_until(lambda: len(connects) >= 2, 10), "the sender kept trying")

        self.assertNotIn(threading.get_ident(), connects, "the bot's thread opened a connection")
        self.assertLess(run_id, 0)
        print()
        for name, samples in timings.items():
            p50, p99 = support.percentile(samples, 0.5), support.percentile(samples, 0.99)
            print("    %-16s server down: p50 %.3f ms  p99 %.3f ms  max %.3f ms"
                  % (name, p50, p99, max(samples)))
            self.assertLess(p99, 50, "%s waited for something (sanity bound)" % name)
        self.assertEqual(client.pending_count(), 1 + 5 * 300)

    def test_provisional_ids_and_a_queued_stop(self):
        client = self.client(POLYMAKER_FLUSH_TIMEOUT=0.3)
        run_id = client.start_run(config_id=1, mode="live", bankroll=100)
        first = client.log_trade(cycle=1, asset="ETH", price=0.4, size=3)
        second = client.log_trade(cycle=1, asset="ETH", price=0.6, size=3)
        batch = client.log_trades_batch([{"runId": run_id, "cycle": 2}, {"runId": run_id, "cycle": 2}])
        self.assertEqual(client.current_run_id, run_id)
        ids = [run_id, first, second] + batch["tradeIds"]
        self.assertTrue(all(isinstance(i, int) and i < 0 for i in ids), ids)
        self.assertEqual(len(set(ids)), len(ids))
        self.assertTrue(batch["queued"])
        self.assertTrue(client.update_trade(first, status="filled", fill_price=0.4))
        started = time.monotonic()
        result = client.stop_run(status="completed", total_pnl=1.5)
        self.assertLess(time.monotonic() - started, 3)
        self.assertEqual(result, {"queued": True, "runId": run_id, "status": "completed"})
        self.assertIsNone(client.current_run_id)
        self.assertEqual(client.stop_run(status="completed")["runId"], run_id, "a second stop works too")

    def test_a_full_spool_drops_metric_points_before_trades_and_counts_them(self):
        client = self.client(POLYMAKER_SPOOL_MAX_ITEMS=20)
        client.start_run(1, "dry_run", 500)
        for cycle in range(10):
            client.log_trade(cycle=cycle, asset="SOL")
            client.update_run(total_cycles=cycle)
            client.update_run(total_cycles=cycle, extra=True)
        kinds = client.pending_by_kind()
        self.assertEqual(kinds["trade"], 10)
        self.assertEqual(kinds["run_update"], 9)
        self.assertEqual(client.dropped, {"run_update": 11})
        for cycle in range(10, 15):  # no metric left to drop: market reports would go, then new trades
            client.log_trade(cycle=cycle, asset="SOL")
        self.assertEqual(client.pending_by_kind(), {"run_start": 1, "trade": 15, "run_update": 4})
        self.assertEqual(client.dropped, {"run_update": 16})

    def test_get_config_without_server_and_without_cache_is_none(self):
        client = self.client()
        self.assertIsNone(client.get_config())
        self.assertIsNone(client.check_status())


class BotProcessExitTest(unittest.TestCase):
    """A bot process that exits or is told to stop while the server is down."""

    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.env = dict(os.environ, **support.client_env(support.dead_url(), self.dir,
                                                          POLYMAKER_FLUSH_TIMEOUT=1))

    def tearDown(self):
        shutil.rmtree(self.dir)

    def spool_path(self):
        return self.env["POLYMAKER_SPOOL_PATH"]

    def test_a_normal_exit_waits_at_most_the_flush_timeout_and_keeps_the_rest(self):
        started = time.monotonic()
        done = subprocess.run([sys.executable, support.BOT_CHILD, "exit", "20"], env=self.env,
                              capture_output=True, text=True, timeout=30)
        elapsed = time.monotonic() - started
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertIn("LOGGED", done.stdout)
        self.assertLess(elapsed, 1 + 5, "exit hung")
        self.assertEqual(spooled_count(self.spool_path()), 1 + 20 + 10 + 1)

    def test_sigterm_flushes_for_a_bounded_time_then_terminates(self):
        child = subprocess.Popen([sys.executable, support.BOT_CHILD, "session", "10"], env=self.env,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.addCleanup(child.stdout.close)
        self.assertIn("LOGGED", child.stdout.readline())
        started = time.monotonic()
        child.send_signal(signal.SIGTERM)
        returncode = child.wait(30)
        self.assertEqual(returncode, -signal.SIGTERM, "the default SIGTERM action still applies after the flush")
        self.assertLess(time.monotonic() - started, 1 + 5)
        self.assertEqual(spooled_count(self.spool_path()), 1 + 10 + 5 + 1)


if __name__ == "__main__":
    unittest.main()
