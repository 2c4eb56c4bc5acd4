"""The embedded PostgreSQL killed under bot traffic (the REAL API and database).

The API runs its own embedded PostgreSQL (no DATABASE_URL, a temporary
DATA_DIR) and supervises it. The postgres server process is SIGKILLed while a
bot logs trades: the API answers 503 with Retry-After until its supervisor
has restarted PostgreSQL, and the client delivers every item exactly once,
with nothing dead-lettered. Checked through the admin API. (A request whose
transaction was running at the moment of the kill may get a 500; the client
retries it like any 5xx, under the same Idempotency-Key.)
"""

import os
import shutil
import signal
import tempfile
import threading
import time
import unittest

import support


def postmaster_pid(data_dir):
    try:
        with open(os.path.join(data_dir, "postgres", "postmaster.pid")) as handle:
            return int(handle.readline().strip())
    except (OSError, ValueError):
        return None


@unittest.skipUnless(support.API_CMD, support.SKIP_REASON)
class EmbeddedPostgresKilledTest(unittest.TestCase):
    def setUp(self):
        self.data_dir = tempfile.mkdtemp(prefix="pm-data-")
        self.spool_dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.data_dir, True)
        self.addCleanup(shutil.rmtree, self.spool_dir, True)
        self.server = support.ApiServer(database_url=None, env={"DATA_DIR": self.data_dir})
        self.server.start(timeout=240)
        self.addCleanup(self.server.stop)
        self.admin = support.Admin(self.server.url)

    def test_postgres_killed_mid_traffic_the_client_delivers_every_item_once(self):
        config_id = support.http_json(self.server.url, "/api/bot/config", support.BOT_KEY)["id"]
        proxy = support.FaultProxy(self.server.url)  # forwards everything; records what the API answered
        self.addCleanup(proxy.close)
        cc = support.make_client(proxy.url, self.spool_dir, POLYMAKER_RETRY_MAX_SECONDS=1)
        self.addCleanup(cc.close, 0)
        cc.start_run(config_id, "dry_run", 100)
        killed = threading.Event()
        done = threading.Event()

        def bot():
            for cycle in range(300):
                trade_id = cc.log_trade(cycle=cycle, asset="BTC", window="5m", side="buy", outcome="Up",
                                        price=0.5, size=1, token_id="pg-%d" % cycle)
                if cycle % 3 == 0:
                    cc.update_trade(trade_id, status="filled", fill_price=0.5, fill_size=1)
                if cycle % 50 == 0:
                    cc.update_run(total_cycles=cycle)
                # keep the traffic going until the database is gone and back
                time.sleep(0.01 if cycle < 100 or killed.is_set() else 0.05)
            done.set()

        thread = threading.Thread(target=bot)
        thread.start()
        self.assertTrue(support.wait_until(lambda: len(proxy.posts()) >= 20, 60), "traffic is flowing")
        pid = postmaster_pid(self.data_dir)
        self.assertIsNotNone(pid)
        os.kill(pid, signal.SIGKILL)
        killed.set()
        thread.join(180)
        self.assertTrue(done.is_set())
        self.assertTrue(support.wait_until(lambda: postmaster_pid(self.data_dir) not in (None, pid), 120),
                        "the API restarted its PostgreSQL")
        cc.stop_run(status="completed")
        self.assertTrue(cc.flush(180), "everything delivered once PostgreSQL is back")

        statuses = [s.status for s in proxy.seen]
        self.assertIn(503, statuses, "the API answered 503 while its database was down")
        self.assertTrue(any(s.retry_after for s in proxy.seen if s.status == 503), "with Retry-After")
        runs = self.admin.runs()
        self.assertEqual(len(runs), 1)
        run = runs[0]
        self.assertEqual(run["status"], "completed")
        trades = self.admin.trades(run["id"])
        self.assertEqual(sorted(t["cycle"] for t in trades), list(range(300)), "every trade exactly once")
        self.assertEqual(sorted(t["cycle"] for t in trades if t["status"] == "filled"), list(range(0, 300, 3)))
        status = cc.spool_status()
        self.assertEqual((status["pending"], status["dead_letters"], status["dropped"]), (0, 0, {}))


if __name__ == "__main__":
    unittest.main()
