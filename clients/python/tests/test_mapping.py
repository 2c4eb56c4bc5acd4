"""Wire mapping, settings and the disabled client: no server involved."""

import json
import os
import shutil
import sqlite3
import tempfile
import threading
import unittest
from contextlib import closing
from datetime import datetime, timezone
from decimal import Decimal

import support
from polymaker_client import (METRIC_KEYS, PolyMakerClient, Settings, config_cache_path,
                              default_spool_path, metrics_to_wire, trade_updates_to_wire)

CONTRACT_METRIC_KEYS = {
    "totalCycles", "totalOrders", "totalFills", "totalPnl", "peakPnl", "maxDrawdown", "winCount",
    "lossCount", "avgSpreadCaptured", "avgFillRate", "endingBankroll", "maxCapitalDeployed",
    "walletBalance", "startingWallet", "mergesCompleted", "totalMergedUsd", "claimsCompleted",
    "totalClaimedUsd", "claimsPending", "positionValue", "hedgeAnalytics", "realizedPnl",
    "pairedWindows", "oneSidedFills",
}


class MappingTest(unittest.TestCase):
    def test_every_contract_metric_key_has_a_snake_case_keyword(self):
        self.assertEqual(set(METRIC_KEYS.values()), CONTRACT_METRIC_KEYS)

    def test_metric_keywords_of_the_original_client(self):
        wire = metrics_to_wire({"total_cycles": 3, "avg_spread": 0.01, "max_capital": 50,
                                "hedge_analytics": {"pairs": 1}, "one_sided_fills": 0, "wallet_balance": None})
        self.assertEqual(wire, {"totalCycles": 3, "avgSpreadCaptured": 0.01, "maxCapitalDeployed": 50,
                                "hedgeAnalytics": {"pairs": 1}, "oneSidedFills": 0, "walletBalance": None})

    def test_unknown_metric_keywords_pass_through_as_is(self):
        self.assertEqual(metrics_to_wire({"brand_new_metric_x": 42, "camelAlready": 1}),
                         {"brand_new_metric_x": 42, "camelAlready": 1})

    def test_trade_update_keywords_and_datetimes(self):
        when = datetime(2026, 11, 24, 7, 16, 50, 905897, tzinfo=timezone.utc)
        self.assertEqual(
            trade_updates_to_wire({"status": "filled", "fill_price": 0.52, "fill_size": 10.0,
                                   "fill_timestamp": when, "resolved_outcome": "Up", "pnl": 0.48}),
            {"status": "filled", "fillPrice": 0.52, "fillSize": 10.0,
             "fillTimestamp": "2026-11-24T07:16:50.905897+00:00", "resolvedOutcome": "Up", "pnl": 0.48})


class SettingsTest(unittest.TestCase):
    def test_defaults(self):
        settings = Settings.from_env({"POLYMAKER_URL": "https://cc.example/", "POLYMAKER_API_KEY": "k"})
        self.assertEqual(settings.base_url, "https://cc.example")
        self.assertTrue(settings.enabled)
        self.assertEqual(settings.timeout, 10)
        self.assertEqual(settings.spool_max_items, 100000)
        self.assertAlmostEqual(settings.id_wait_s, 0.2)
        self.assertEqual(settings.flush_timeout_s, 5)
        self.assertEqual(settings.spool_path, default_spool_path("https://cc.example"))
        self.assertTrue(settings.spool_path.startswith(os.path.join(os.path.expanduser("~"), ".polymaker", "spool-")))

    def test_only_one_trailing_slash_is_stripped(self):
        self.assertEqual(Settings.from_env({"POLYMAKER_URL": "http://h//"}).base_url, "http://h/")

    def test_spool_path_differs_per_url_and_config_cache_sits_beside_it(self):
        self.assertNotEqual(default_spool_path("http://a"), default_spool_path("http://b"))
        self.assertEqual(config_cache_path("/x/spool-1.sqlite3"), "/x/spool-1.config.json")

    def test_bad_numbers_fall_back_to_defaults(self):
        with self.assertLogs("polymaker_client", "WARNING"):
            settings = Settings.from_env({"POLYMAKER_TIMEOUT": "ten", "POLYMAKER_ID_WAIT_MS": "50"})
        self.assertEqual(settings.timeout, 10)
        self.assertAlmostEqual(settings.id_wait_s, 0.05)


class DisabledClientTest(unittest.TestCase):
    """Disabled or without credentials: every call is a cheap no-op, as in the original."""

    def setUp(self):
        self.home = tempfile.mkdtemp()
        self.threads_before = set(threading.enumerate())

    def tearDown(self):
        shutil.rmtree(self.home)

    def assert_inert(self, client):
        self.assertFalse(client.enabled)
        self.assertIsNone(client.check_status())
        self.assertIsNone(client.get_config())
        self.assertIsNone(client.start_run(1, "dry_run", 500))
        self.assertFalse(client.update_run(1, total_pnl=1))
        self.assertIsNone(client.log_trade(run_id=1, cycle=1, asset="BTC"))
        self.assertFalse(client.update_trade(1, status="filled"))
        self.assertIsNone(client.log_trades_batch([{"runId": 1}]))
        self.assertFalse(client.report_markets([{"tokenId": "1"}]))
        self.assertIsNone(client.stop_run(1, status="completed"))
        client.increment_cycle()
        client.push_metrics_if_due(total_pnl=1)
        self.assertEqual(client.get_run_duration_str(), "0s")
        self.assertTrue(client.flush())
        self.assertEqual(client.pending_count(), 0)
        self.assertEqual(set(threading.enumerate()), self.threads_before, "no sender thread")
        self.assertEqual(os.listdir(self.home), [], "no spool written")

    def test_polymaker_enabled_false(self):
        spool = os.path.join(self.home, "s.sqlite3")
        self.assert_inert(PolyMakerClient(env={"POLYMAKER_URL": support.dead_url(), "POLYMAKER_API_KEY": "k",
                                               "POLYMAKER_ENABLED": "false", "POLYMAKER_SPOOL_PATH": spool}))

    def test_missing_credentials(self):
        spool = os.path.join(self.home, "s.sqlite3")
        with self.assertLogs("polymaker_client", "WARNING") as logs:
            client = PolyMakerClient(env={"POLYMAKER_URL": support.dead_url(), "POLYMAKER_SPOOL_PATH": spool})
        self.assertIn("POLYMAKER_API_KEY not set", logs.output[0])
        self.assert_inert(client)


class WireBodyTest(unittest.TestCase):
    """What each call puts on the wire (read from the spool while the server is down)."""

    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.client = support.make_client(support.dead_url(), self.dir, POLYMAKER_ID_WAIT_MS=0,
                                          POLYMAKER_FLUSH_TIMEOUT=0.1)

    def tearDown(self):
        self.client.close(timeout=0)
        shutil.rmtree(self.dir)

    def spooled(self):
        with closing(sqlite3.connect(self.client.spool_path)) as db:
            rows = db.execute("SELECT kind, path, body FROM items ORDER BY seq").fetchall()
        return [(kind, path, json.loads(body)) for kind, path, body in rows]

    def test_bodies_match_the_contract(self):
        run_id = self.client.start_run(config_id=7, mode="dry_run", bankroll=500.0)
        trade_id = self.client.log_trade(cycle=1, asset="BTC", window="15m", side="buy", outcome="Up",
                                         price=0.52, size=10.0, token_id=123456789, condition_id=None)
        self.client.update_trade(trade_id, status="filled", fill_price=Decimal("0.52"), fill_size=10.0)
        self.client.update_run(total_pnl=12.5, total_fills=50, brand_new_metric_x=42)
        self.client.report_markets([{"tokenId": "111", "asset": "BTC", "window": "15m"}])
        self.client.stop_run(status="error", error_message="boom", total_pnl=12.5)
        self.assertEqual(self.spooled(), [
            ("run_start", "/run/start", {"configId": 7, "mode": "dry_run", "startingBankroll": 500.0}),
            ("trade", "/trade", {"runId": run_id, "cycle": 1, "asset": "BTC", "windowDuration": "15m",
                                 "side": "buy", "outcome": "Up", "price": 0.52, "size": 10.0, "strategy": "MM",
                                 "tokenId": "123456789"}),
            ("trade_update", "/trade/update", {"tradeId": trade_id, "status": "filled", "fillPrice": "0.52",
                                               "fillSize": 10.0}),
            ("run_update", "/run/update", {"runId": run_id, "totalPnl": 12.5, "totalFills": 50,
                                           "brand_new_metric_x": 42}),
            ("markets", "/markets/report", {"markets": [{"tokenId": "111", "asset": "BTC", "window": "15m"}]}),
            ("run_stop", "/run/stop", {"runId": run_id, "status": "error", "errorMessage": "boom",
                                       "totalPnl": 12.5}),
        ])

    def test_counters_follow_the_original(self):
        self.client.start_run(1, "live", 100)
        trade_id = self.client.log_trade(cycle=1, asset="BTC")
        self.client.update_trade(trade_id, status="filled")
        self.client.update_trade(trade_id, status="cancelled")
        self.client.increment_cycle()
        self.client.record_win()
        self.client.record_loss()
        self.client.record_loss()
        self.assertEqual((self.client.total_orders, self.client.total_fills, self.client.cycle_count,
                          self.client.win_count, self.client.loss_count), (1, 1, 1, 1, 2))
        self.client.push_metrics_if_due(total_pnl=3.5, ending_bankroll=103.5)
        self.client.push_metrics_if_due(total_pnl=4.0)  # within 30 s: not pushed
        updates = [body for kind, _, body in self.spooled() if kind == "run_update"]
        self.assertEqual(len(updates), 1)
        self.assertEqual({k: updates[0][k] for k in ("totalCycles", "totalOrders", "totalFills", "totalPnl",
                                                     "winCount", "lossCount", "endingBankroll")},
                         {"totalCycles": 1, "totalOrders": 1, "totalFills": 1, "totalPnl": 3.5,
                          "winCount": 1, "lossCount": 2, "endingBankroll": 103.5})
        self.assertEqual(self.client.total_pnl, 3.5)

    def test_unencodable_values_are_refused_without_raising(self):
        self.client.start_run(1, "live", 100)
        with self.assertLogs("polymaker_client", "WARNING"):
            self.assertFalse(self.client.update_run(total_pnl=float("nan")))
        with self.assertLogs("polymaker_client", "WARNING"):
            self.assertFalse(self.client.update_run(thing=object()))


if __name__ == "__main__":
    unittest.main()
