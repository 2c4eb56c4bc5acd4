"""A bot process for the tests, using the client exactly as a bot does.

    python3 bot_child.py session N   start a run, log N trades (every 2nd one
                                     filled), push metrics, print "LOGGED",
                                     then wait to be killed
    python3 bot_child.py exit N      the same, then return normally (atexit flushes)
    python3 bot_child.py flush       deliver what an earlier process left in the
                                     spool; print "FLUSHED <drained> <pending>"

Configured by POLYMAKER_* in the environment, like a bot.
"""

import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from polymaker_client import cc  # noqa: E402


def session(count: int) -> None:
    run_id = cc.start_run(config_id=int(os.environ.get("PM_CHILD_CONFIG_ID", "1")), mode="dry_run", bankroll=500.0)
    for cycle in range(count):
        cc.increment_cycle()
        trade_id = cc.log_trade(cycle=cycle, asset="BTC", window="15m", side="buy", outcome="Up",
                                price=0.5, size=2, token_id="tok-%d" % cycle)
        if cycle % 2:
            cc.update_trade(trade_id, status="filled", fill_price=0.5, fill_size=2, pnl=0.01)
    cc.update_run(total_cycles=count, total_orders=count, brand_new_metric_x=count)
    print("LOGGED %s %d" % (run_id, cc.pending_count()), flush=True)


def main() -> None:
    mode = sys.argv[1]
    if mode == "flush":
        drained = cc.flush(float(os.environ.get("PM_CHILD_FLUSH_SECONDS", "60")))
        print("FLUSHED %s %d" % (drained, cc.pending_count()), flush=True)
        return
    session(int(sys.argv[2]))
    if mode == "session":
        while True:
            time.sleep(1)


if __name__ == "__main__":
    main()
