"""Shed under overload (the REAL API): past capacity the API answers bot writes 503 with
Retry-After, before storing anything. Several bots write at once against a server whose
capacity is set tiny (OVERLOAD_MAX_IN_FLIGHT=1); each client backs off as told, keeps its
items spooled, and afterwards every item is stored exactly once. Checked through the admin API.
"""

import shutil
import tempfile
import threading
import unittest

import support

BOTS = 4
TRADES = 40


@unittest.skipUnless(support.API_CMD, support.SKIP_REASON)
class ShedUnderOverloadTest(unittest.TestCase):
    def setUp(self):
        self.server = support.ApiServer(env={"OVERLOAD_MAX_IN_FLIGHT": "1", "OVERLOAD_MAX_LAG_MS": "0",
                                             "OVERLOAD_RETRY_AFTER_SECONDS": "1"})
        self.server.start()
        self.addCleanup(self.server.stop)
        self.admin = support.Admin(self.server.url)
        self.last_run_before = self.admin.max_run_id()

    def test_clients_back_off_on_a_shed_503_and_deliver_everything_once(self):
        config_id = support.http_json(self.server.url, "/api/bot/config", support.BOT_KEY)["id"]
        proxy = support.FaultProxy(self.server.url)  # forwards everything; records what the API answered
        self.addCleanup(proxy.close)
        clients = []
        for _ in range(BOTS):
            spool = tempfile.mkdtemp()
            self.addCleanup(shutil.rmtree, spool, True)
            cc = support.make_client(proxy.url, spool, POLYMAKER_RETRY_MAX_SECONDS=2)
            self.addCleanup(cc.close, 0)
            clients.append(cc)

        def bot(index, cc):
            cc.start_run(config_id, "dry_run", 100)
            for cycle in range(TRADES):
                trade_id = cc.log_trade(cycle=cycle, asset="BTC", window="5m", side="buy", outcome="Up",
                                        price=0.5, size=1, token_id="shed-%d-%d" % (index, cycle))
                if cycle % 4 == 0:
                    cc.update_trade(trade_id, status="filled", fill_price=0.5, fill_size=1)
                if cycle % 10 == 0:
                    cc.update_run(total_cycles=cycle)
            cc.stop_run(status="completed")

        threads = [threading.Thread(target=bot, args=(i, cc)) for i, cc in enumerate(clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(180)
        for cc in clients:
            self.assertTrue(cc.flush(180), "everything delivered once the load is gone")

        shed = [s for s in proxy.seen if s.status == 503]
        self.assertTrue(shed, "the API shed some writes with 503")
        self.assertTrue(all(s.retry_after for s in shed), "every shed answer has Retry-After")
        runs = self.admin.runs_after(self.last_run_before)
        self.assertEqual(len(runs), BOTS)
        for run in runs:
            self.assertEqual(run["status"], "completed")
            trades = self.admin.trades(run["id"])
            self.assertEqual(sorted(t["cycle"] for t in trades), list(range(TRADES)), "every trade exactly once")
            self.assertEqual(sorted(t["cycle"] for t in trades if t["status"] == "filled"), list(range(0, TRADES, 4)))
        for cc in clients:
            status = cc.spool_status()
            self.assertEqual((status["pending"], status["dead_letters"], status["dropped"]), (0, 0, {}))


if __name__ == "__main__":
    unittest.main()
