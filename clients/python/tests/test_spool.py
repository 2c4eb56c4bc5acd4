"""The spool on its own: order, durability, frozen batches, bounds, ids, locking."""

import json
import os
import shutil
import sqlite3
import tempfile
import unittest
from contextlib import closing

import support  # noqa: F401  (puts the client on sys.path)
from polymaker_client import MAX_TRADES_PER_BATCH, SCHEMA_VERSION, Spool, SpoolLock
from test_dead_letters import SCHEMA_V1


def body(**fields):
    return json.dumps(fields)


class SpoolTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.path = os.path.join(self.dir, "spool.sqlite3")
        self.spool = Spool(self.path, max_items=1000)

    def tearDown(self):
        self.spool.close()
        shutil.rmtree(self.dir)

    def reopen(self, max_items=1000):
        self.spool.close()
        self.spool = Spool(self.path, max_items=max_items)

    def add(self, kind, key, creates=0, **fields):
        return self.spool.append(kind, "/" + kind, body(**fields), key, creates)

    def test_fifo_order_survives_a_reopen(self):
        for i in range(5):
            self.add("run_update", "k%d" % i, n=i)
        self.reopen()
        self.assertEqual(self.spool.pending, 5)
        seen = []
        while True:
            group = self.spool.next_group()
            if not group:
                break
            seen.extend(item.body["n"] for item in group)
            self.spool.complete(group, [])
        self.assertEqual(seen, [0, 1, 2, 3, 4])
        self.assertEqual(self.spool.pending, 0)

    def test_consecutive_trades_travel_together_and_the_group_is_frozen(self):
        self.add("run_start", "r", creates=1)
        for i in range(3):
            self.add("trade", "t%d" % i, creates=1, n=i)
        self.add("trade_update", "u")
        self.assertEqual([i.kind for i in self.spool.next_group()], ["run_start"])
        self.spool.complete(self.spool.next_group(), [])
        group = self.spool.next_group()
        self.assertEqual([item.body["n"] for item in group], [0, 1, 2])
        self.assertNotIn(group[0].group_key, ("t0", "t1", "t2"), "a batch has its own key")
        # a retry after more trades arrived resends exactly the same batch, same key
        self.add("trade", "t3", creates=1, n=3)
        self.reopen()
        again = self.spool.next_group()
        self.assertEqual([(i.seq, i.group_key) for i in again], [(i.seq, i.group_key) for i in group])

    def test_a_trade_sent_alone_is_retried_alone_with_its_own_key(self):
        self.add("trade", "t0", creates=1)
        first = self.spool.next_group()
        self.assertEqual([(i.key, i.group_key) for i in first], [("t0", "t0")])
        self.add("trade", "t1", creates=1)
        self.assertEqual([i.key for i in self.spool.next_group()], ["t0"])

    def test_batches_are_capped(self):
        for i in range(MAX_TRADES_PER_BATCH + 5):
            self.add("trade", "t%d" % i, creates=1)
        self.assertEqual(len(self.spool.next_group()), MAX_TRADES_PER_BATCH)

    def test_ungroup_sends_a_refused_batch_one_by_one(self):
        for i in range(3):
            self.add("trade", "t%d" % i, creates=1)
        self.spool.ungroup(self.spool.next_group())
        self.assertEqual([(i.key, i.group_key) for i in self.spool.next_group()], [("t0", "t0")])

    def test_provisional_ids_are_negative_unique_and_mapped_durably(self):
        run = self.add("run_start", "r", creates=1).local_ids
        trades = self.add("trade_batch", "b", creates=3).local_ids
        self.reopen()
        more = self.add("trade", "t", creates=1).local_ids
        ids = run + trades + more
        self.assertTrue(all(i < 0 for i in ids))
        self.assertEqual(len(set(ids)), 5)
        self.assertIsNone(self.spool.server_id(run[0]))
        self.spool.complete(self.spool.next_group(), [(run[0], 41)])
        self.reopen()
        self.assertEqual(self.spool.server_id(run[0]), 41)

    def test_when_full_metrics_go_first_then_market_reports_then_new_trades_are_refused(self):
        self.reopen(max_items=4)
        self.add("run_update", "m1")
        self.add("markets", "k1")
        self.add("trade", "t1", creates=1)
        self.add("run_update", "m2")
        appended = self.add("trade", "t2", creates=1)
        self.assertEqual(appended.evicted_kind, "run_update")
        self.assertEqual(self.spool.kinds(), {"markets": 1, "trade": 2, "run_update": 1})
        self.add("trade", "t3", creates=1)  # evicts m2
        self.add("trade", "t4", creates=1)  # evicts the market report
        refused = self.add("trade", "t5", creates=1)
        self.assertIsNone(refused.seq)
        self.assertEqual(self.spool.kinds(), {"trade": 4})
        self.assertEqual(dict(self.spool.dropped), {"run_update": 2, "markets": 1, "trade": 1})

    def test_run_start_and_stop_are_never_refused(self):
        self.reopen(max_items=1)
        self.add("trade", "t1", creates=1)
        self.assertIsNotNone(self.add("run_start", "r", creates=1).seq)
        self.assertIsNotNone(self.add("run_stop", "s").seq)
        self.assertEqual(self.spool.pending, 3)

    def test_an_item_already_attempted_is_not_evicted(self):
        self.reopen(max_items=1)
        self.add("run_update", "m1")
        self.spool.next_group()  # in flight
        self.assertIsNone(self.add("run_update", "m2").seq)
        self.assertEqual(self.spool.kinds(), {"run_update": 1})

    def test_drop_counts_per_kind(self):
        self.add("trade_update", "u")
        self.spool.drop(self.spool.next_group())
        self.assertEqual(self.spool.dropped["trade_update"], 1)
        self.assertEqual(self.spool.pending, 0)

    def test_dead_letter_keeps_the_request_and_kills_the_provisional_ids_it_creates(self):
        run = self.add("run_start", "r", creates=1, configId=1).local_ids[0]
        self.add("trade", "t", creates=1, runId=run)
        head, = self.spool.next_group()
        self.spool.record_attempt([head], 422, "answered 422: no such config", strike=False)
        letter_id = self.spool.dead_letter(head, 422, "no such config", "refused")
        self.assertEqual((self.spool.pending, self.spool.dead), (1, 1))
        self.assertEqual(self.spool.lookup(run), (None, True))
        letter, = self.spool.dead_letters()
        self.assertEqual((letter.id, letter.kind, letter.method, letter.path, letter.body, letter.status,
                          letter.message, letter.reason, letter.attempts),
                         (letter_id, "run_start", "POST", "/run_start", {"configId": 1}, 422, "no such config",
                          "refused", 1))
        self.reopen()
        self.assertEqual((self.spool.dead, self.spool.lookup(run)), (1, (None, True)), "durable")

    def test_requeued_dead_letters_go_back_to_the_head_in_their_original_order_with_their_keys(self):
        run = self.add("run_start", "r", creates=1).local_ids[0]
        self.add("trade", "t", creates=1, runId=run)
        for _ in range(2):
            item, = self.spool.next_group()
            self.spool.dead_letter(item, None, "dead", "dependent")
        self.add("run_update", "later")
        self.assertEqual(self.spool.requeue_dead_letters(), 2)
        self.assertEqual([(i.key, i.group_key) for i in self.spool.next_group()], [("r", "r")],
                         "each alone, under its own key")
        self.assertEqual((self.spool.dead, self.spool.pending, self.spool.lookup(run)), (0, 3, (None, False)))
        order = []
        while True:
            group = self.spool.next_group()
            if not group:
                break
            order.extend(item.key for item in group)
            self.spool.complete(group, [])
        self.assertEqual(order, ["r", "t", "later"])

    def test_purge_and_the_bound_delete_dead_letters_and_count_the_pruned_ones(self):
        self.spool.close()
        self.spool = Spool(self.path, max_items=1000, dead_letter_max=2)
        for i in range(3):
            self.add("trade", "t%d" % i, creates=1)
            item, = self.spool.next_group()
            self.spool.dead_letter(item, 400, "bad %d" % i, "refused")
        self.assertEqual([d.message for d in self.spool.dead_letters()], ["bad 2", "bad 1"], "the oldest went")
        self.assertEqual(self.spool.dropped["dead_letter"], 1)
        self.assertEqual(self.spool.purge_dead_letters([self.spool.dead_letters()[0].id]), 1)
        self.assertEqual([d.message for d in self.spool.dead_letters()], ["bad 1"])
        self.assertEqual(self.spool.purge_dead_letters(), 1)
        self.assertEqual(self.spool.dead, 0)

    def test_a_spool_of_the_previous_version_is_migrated_in_place(self):
        self.spool.close()
        os.remove(self.path)
        with closing(sqlite3.connect(self.path)) as db:
            db.executescript(SCHEMA_V1)
            for seq, kind, group_key in ((1, "run_start", None), (2, "trade", "frozen"), (3, "trade", "frozen")):
                db.execute("INSERT INTO items VALUES (?, ?, ?, '{}', ?, '[]', ?, 0)",
                           (seq, kind, "/" + kind, "k%d" % seq, group_key))
            db.execute("INSERT INTO ids VALUES (-1, 7, strftime('%s', 'now'))")
            db.commit()
        self.spool = Spool(self.path, max_items=1000)
        self.assertEqual((self.spool.pending, self.spool.dead, self.spool.server_id(-1)), (3, 0, 7))
        self.spool.complete(self.spool.next_group(), [])
        frozen = self.spool.next_group()
        self.assertEqual([(i.key, i.group_key) for i in frozen], [("k2", "frozen"), ("k3", "frozen")],
                         "a batch frozen by the old client is resent as it was")
        self.assertEqual(self.spool.record_attempt(frozen, 500, "boom", strike=True), 1)
        self.reopen()  # opening a migrated spool again changes nothing
        with closing(sqlite3.connect(self.path)) as db:
            version = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]
            attempts = db.execute("SELECT attempts, strikes, last_status FROM items ORDER BY seq").fetchall()
        self.assertEqual(version, SCHEMA_VERSION)
        self.assertEqual(attempts, [(1, 1, 500), (1, 1, 500)])


class SpoolLockTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.base = os.path.join(self.dir, "spool.sqlite3")

    def tearDown(self):
        shutil.rmtree(self.dir)

    def test_a_second_process_gets_its_own_spool_and_a_released_one_is_taken_over(self):
        first = SpoolLock(self.base)
        second = SpoolLock(self.base)
        self.assertEqual(first.path, self.base)
        self.assertEqual(second.path, os.path.join(self.dir, "spool.1.sqlite3"))
        first.release()
        third = SpoolLock(self.base)
        self.assertEqual(third.path, self.base)
        second.release()
        third.release()


if __name__ == "__main__":
    unittest.main()
