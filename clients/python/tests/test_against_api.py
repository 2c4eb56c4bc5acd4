"""The client and the session player against the REAL Command Center API.

PM_TEST_API_CMD starts the API in the foreground (it reads PORT, DATABASE_URL,
BOT_API_KEY, ADMIN_API_KEY); PM_TEST_DATABASE_URL is a fresh database. Without
PM_TEST_API_CMD these tests are skipped, never faked. Everything is checked
the way a user would see it: through the admin API.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import uuid
from decimal import Decimal
from unittest import mock

import support


@unittest.skipUnless(support.API_CMD, support.SKIP_REASON)
class AgainstRealApiTest(support.RealApiTestCase, unittest.TestCase):

    # -- helpers

    def client(self, **overrides):
        client = support.make_client(self.server.url, self.dir, **overrides)
        self.addCleanup(client.close, 0)
        return client

    def the_new_run(self):
        """The one run the test created: a second one would be a duplicate."""
        runs = self.admin.runs_after(self.last_run_before)
        self.assertEqual(len(runs), 1, "expected exactly one new run, got %r" % runs)
        return runs[0]

    def assert_trades(self, run_id, cycles, filled_cycles=()):
        trades = self.admin.trades(run_id)
        self.assertEqual(sorted(t["cycle"] for t in trades), sorted(cycles),
                         "every trade stored exactly once (run %d)" % run_id)
        self.assertEqual(len({t["id"] for t in trades}), len(trades))
        filled = sorted(t["cycle"] for t in trades if t["status"] == "filled")
        self.assertEqual(filled, sorted(filled_cycles))
        return trades

    def child(self, *args, **env):
        environment = dict(os.environ, **support.client_env(self.server.url, self.dir, **env),
                           PM_CHILD_CONFIG_ID=str(self.config_id))
        return subprocess.Popen([sys.executable, support.BOT_CHILD] + list(args), env=environment,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)

    def log_cycle_trades(self, client, cycles, filled=()):
        for cycle in cycles:
            trade_id = client.log_trade(cycle=cycle, asset="BTC", window="5m", side="SELL", outcome="Down",
                                        price=0.47, size=5.5, token_id="tok-%d" % cycle)
            if cycle in filled:
                client.update_trade(trade_id, status="filled", fill_price=0.47, fill_size=5.5, pnl=0.02)

    # -- the original client's call patterns

    def test_the_seed_documents_examples_work_unchanged_including_a_second_stop(self):
        cc = self.client(POLYMAKER_ID_WAIT_MS=3000)
        status = cc.check_status()
        self.assertIsInstance(status, dict)
        config = cc.get_config()
        self.assertEqual(config["id"], self.config_id)
        self.assertNotIn("_cached", config)

        run_id = cc.start_run(config_id=config["id"], mode="live", bankroll=500.0)
        self.assertIsInstance(run_id, int)
        self.assertGreater(run_id, 0, "a healthy server's own run id")
        trade_id = cc.log_trade(cycle=1, asset="BTC", window="15m", side="buy", outcome="Up",
                                price=0.52, size=10.0, token_id="123456789")
        self.assertGreater(trade_id, 0)
        self.assertTrue(cc.update_trade(trade_id, status="filled", fill_price=0.52, fill_size=10.0, pnl=0.48))
        self.assertTrue(cc.update_run(total_pnl=12.5, total_fills=50, total_orders=100))
        result = cc.stop_run(status="completed", total_pnl=12.5)
        self.assertIsInstance(result, dict)
        score = result["analysis"]["overallScore"]
        self.assertTrue(0 <= score <= 100, score)
        self.assertIsNone(cc.current_run_id)

        again = cc.stop_run(status="completed", total_pnl=12.5)  # shutdown handler + KeyboardInterrupt
        self.assertEqual(again["analysis"], result["analysis"])
        explicit = cc.stop_run(run_id=run_id, status="completed")
        self.assertEqual(explicit["analysis"], result["analysis"])

        run = self.the_new_run()
        self.assertEqual((run["id"], run["status"], run["mode"]), (run_id, "completed", "live"))
        trade, = self.admin.trades(run_id)
        self.assertEqual((trade["id"], trade["status"], trade["tokenId"]), (trade_id, "filled", "123456789"))
        self.assertEqual((Decimal(trade["price"]), Decimal(trade["fillSize"]), Decimal(trade["pnl"])),
                         (Decimal("0.52"), Decimal("10"), Decimal("0.48")))
        points = self.admin.metrics(run_id)
        self.assertTrue(any(p.get("totalPnl") is not None and Decimal(p["totalPnl"]) == Decimal("12.5")
                            and p.get("totalFills") == 50 for p in points), points)

    def test_the_recorded_session_plays_back(self):
        print()
        for flags in ([], ["--idempotency"]):
            done = subprocess.run([sys.executable, support.PLAY_SESSION, "--url", self.server.url,
                                   "--bot-key", support.BOT_KEY, "--admin-key", support.ADMIN_KEY, "--quiet"]
                                  + flags, capture_output=True, text=True, timeout=120)
            self.assertEqual(done.returncode, 0, "play_session %s: %s%s" % (flags, done.stdout, done.stderr))
            print("    play_session %s: %s" % (" ".join(flags) or "(plain)", done.stdout.strip()))

    # -- outages

    def test_server_down_for_the_whole_session_then_up_delivers_everything_once(self):
        self.server.stop()
        cc = self.client(POLYMAKER_FLUSH_TIMEOUT=0.5)
        run_id = cc.start_run(self.config_id, "dry_run", 250)
        self.assertLess(run_id, 0, "provisional while the server is down")
        self.log_cycle_trades(cc, range(40), filled=range(1, 40, 2))
        batch = cc.log_trades_batch([{"runId": run_id, "cycle": 100 + i, "asset": "XRP", "windowDuration": "5m",
                                      "side": "buy", "outcome": "Up", "price": 0.33, "size": 4, "strategy": "hedge"}
                                     for i in range(3)])
        cc.update_trade(batch["tradeIds"][0], status="filled", fill_price=0.33, fill_size=4)
        cc.update_run(total_pnl=0.4, hedge_analytics={"pairs": 2}, brand_new_metric_x=42)
        cc.report_markets([{"tokenId": "down-then-up-%s" % uuid.uuid4(), "asset": "BTC", "window": "15m"}])
        queued = cc.stop_run(status="completed", total_pnl=0.4)
        self.assertEqual(queued, {"queued": True, "runId": run_id, "status": "completed"})
        self.assertEqual(cc.pending_count(), 1 + 40 + 20 + 1 + 1 + 1 + 1 + 1, "all of it waits in the spool")

        self.server.start()
        self.assertTrue(cc.flush(60), "delivered once the server is back")
        run = self.the_new_run()
        self.assertEqual(run["status"], "completed")
        self.assert_trades(run["id"], list(range(40)) + [100, 101, 102], filled_cycles=list(range(1, 40, 2)) + [100])
        point, = [p for p in self.admin.metrics(run["id"]) if (p.get("extra") or {}).get("brand_new_metric_x") == 42]
        self.assertEqual(point.get("hedgeAnalytics", point["extra"].get("hedgeAnalytics")), {"pairs": 2})
        self.assertEqual(cc.dropped, {})
        second = cc.stop_run(status="completed")
        self.assertIn("analysis", second, "a second stop, after delivery, returns the first stop's result")

    def test_server_killed_and_restarted_mid_session_loses_nothing_and_duplicates_nothing(self):
        cc = self.client()
        cc.start_run(self.config_id, "dry_run", 100)
        done = threading.Event()

        def bot():
            for cycle in range(150):
                self.log_cycle_trades(cc, [cycle], filled=[cycle] if cycle % 3 == 0 else [])
                if cycle % 25 == 0:
                    cc.update_run(total_cycles=cycle)
                time.sleep(0.01)
            done.set()

        thread = threading.Thread(target=bot)
        thread.start()
        time.sleep(0.4)
        self.server.kill()  # SIGKILL: requests in flight die with it
        time.sleep(0.5)
        self.server.start()
        thread.join(120)
        self.assertTrue(done.is_set())
        cc.stop_run(status="completed")
        self.assertTrue(cc.flush(60))
        run = self.the_new_run()
        self.assert_trades(run["id"], range(150), filled_cycles=range(0, 150, 3))
        self.assertEqual(run["status"], "completed")

    def test_bot_killed_with_sigkill_then_a_new_process_delivers_everything(self):
        for server_up in (True, False):
            with self.subTest(server_up=server_up):
                self.server.ensure_up()
                self.last_run_before = self.admin.max_run_id()
                if not server_up:
                    self.server.stop()
                bot = self.child("session", "300")
                self.addCleanup(bot.stdout.close)
                self.assertTrue(bot.stdout.readline().startswith("LOGGED"))
                bot.send_signal(signal.SIGKILL)
                bot.wait(30)
                self.server.ensure_up()
                successor = self.child("flush")
                out, _ = successor.communicate(timeout=120)
                self.assertEqual(out.split(), ["FLUSHED", "True", "0"])
                run = self.the_new_run()
                self.assert_trades(run["id"], range(300), filled_cycles=range(1, 300, 2))
                self.assertTrue(any((p.get("extra") or {}).get("brand_new_metric_x") == 300
                                    for p in self.admin.metrics(run["id"])))

    # -- provisional ids, refusals, bounds, config cache

    def test_update_trade_on_a_provisional_id_reaches_the_right_trade(self):
        cc = self.client(POLYMAKER_ID_WAIT_MS=0)  # never wait: ids are always provisional
        run_id = cc.start_run(self.config_id, "dry_run", 100)
        trade_id = cc.log_trade(cycle=7, asset="ETH", window="5m", side="buy", outcome="Up", price=0.4, size=2)
        self.assertLess(trade_id, 0)
        cc.update_trade(trade_id, status="filled", fill_price=0.41, fill_size=2)
        self.assertTrue(cc.flush(30))
        run = self.the_new_run()
        self.assertEqual(cc.current_run_id, run["id"], "the current run id becomes the server's")
        self.assertLess(run_id, 0)
        cc.update_trade(trade_id, pnl=0.5)  # long after delivery, still by the provisional id
        self.assertTrue(cc.flush(30))
        trade, = self.admin.trades(run["id"])
        self.assertEqual((trade["status"], Decimal(trade["fillPrice"]), Decimal(trade["pnl"])),
                         ("filled", Decimal("0.41"), Decimal("0.5")))

    def test_a_refused_item_is_dead_lettered_counted_and_does_not_block_the_rest(self):
        cc = self.client()
        cc.start_run(self.config_id, "dry_run", 100)
        self.assertTrue(cc.update_trade(2 ** 40, status="filled"))  # no such trade: 4xx
        self.log_cycle_trades(cc, range(3))
        self.assertTrue(cc.flush(30))
        self.assertEqual(cc.dropped, {}, "nothing is lost")
        self.assertEqual(cc.spool_status()["dead_letters_by_kind"], {"trade_update": 1})
        self.assert_trades(self.the_new_run()["id"], range(3))

    def test_a_bounded_spool_drops_metric_points_first_and_delivers_every_trade(self):
        self.server.stop()
        cc = self.client(POLYMAKER_SPOOL_MAX_ITEMS=30, POLYMAKER_FLUSH_TIMEOUT=0.2)
        cc.start_run(self.config_id, "dry_run", 100)
        self.log_cycle_trades(cc, range(20))
        for n in range(40):
            cc.update_run(total_cycles=n, bound_test_n=n)
        cc.stop_run(status="completed")
        # what the spool holds and what the sender last met, should the count be off
        self.assertEqual(cc.dropped, {"run_update": 31}, "spool: %r; kinds: %r" % (
            {k: v for k, v in cc.spool_status().items() if k != "latest_dead_letters"}, cc.pending_by_kind()))
        self.server.start()
        self.assertTrue(cc.flush(60))
        run = self.the_new_run()
        self.assert_trades(run["id"], range(20))
        kept = [(p.get("extra") or {}).get("bound_test_n") for p in self.admin.metrics(run["id"])]
        self.assertEqual([n for n in kept if n is not None], list(range(31, 40)), "the newest points are kept")

    def test_get_config_serves_the_last_good_config_while_the_server_is_down(self):
        cc = self.client()
        live = cc.get_config()
        self.server.kill()
        cached = cc.get_config()
        self.assertEqual(cached, dict(live, _cached=True))
        restarted_bot = self.client()  # a new process: reads the copy on disk
        self.assertEqual(restarted_bot.get_config(), dict(live, _cached=True))

    def test_latency_while_the_server_is_up_and_no_network_io_on_the_bot_thread(self):
        cc = self.client()
        cc.start_run(self.config_id, "dry_run", 100)
        connects = []
        real_connect = socket.socket.connect

        def recording_connect(sock, address):
            connects.append(threading.get_ident())
            return real_connect(sock, address)

        timings = {"update_run": [], "update_trade": [], "report_markets": []}
        with mock.patch.object(socket.socket, "connect", recording_connect):
            for n in range(200):
                for name, call in (("update_run", lambda: cc.update_run(total_cycles=n)),
                                   ("update_trade", lambda: cc.update_trade(2 ** 40, pnl=n)),
                                   ("report_markets", lambda: cc.report_markets([{"tokenId": "lat-%d" % n,
                                                                                   "asset": "BTC", "window": "5m"}]))):
                    started = time.perf_counter()
                    call()
                    timings[name].append((time.perf_counter() - started) * 1000)
            self.assertTrue(cc.flush(60))
        self.assertNotIn(threading.get_ident(), connects)
        print()
        for name, samples in timings.items():
            print("    %-16s server up: p50 %.3f ms  p99 %.3f ms" % (name, support.percentile(samples, 0.5),
                                                                     support.percentile(samples, 0.99)))
            self.assertLess(support.percentile(samples, 0.99), 50, "sanity bound")


if __name__ == "__main__":
    unittest.main()
