"""
PolyMaker Command Center client (drop-in replacement for the original
``polymaker_client.py``).

    from polymaker_client import cc

Same singleton, same methods, same return types and the same wire protocol as
the original client, with two guarantees the original did not give:

* **Never blocks the bot.** ``update_run``, ``log_trade``, ``update_trade``,
  ``log_trades_batch`` and ``report_markets`` write the request to a local
  spool and return; a background thread delivers it. (``log_trade``,
  ``log_trades_batch`` and ``start_run`` wait up to ``POLYMAKER_ID_WAIT_MS``
  for the server's id, and only while the server is healthy and nothing else
  is queued; otherwise they return a provisional negative id at once.)
* **Never loses data.** Every request is first stored in a sqlite spool
  (WAL mode) that survives server outages and bot crashes, delivered in order
  with an ``Idempotency-Key`` so that a retry never creates a duplicate.
* **Cannot be stalled.** An item the server refuses for good (a deterministic
  4xx), or one that keeps failing while the server answers, moves to a local
  dead-letter table (kept, counted, logged once, see ``cc.spool_status()``)
  and the rest flows.

Standard library only; Python 3.9+.
"""

import atexit
import collections
import email.utils
import hashlib
import http.client
import json
import logging
import os
import random
import signal
import socket
import sqlite3
import sys
import threading
import time
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable, Dict, List, Mapping, NamedTuple, Optional, Tuple
from urllib.parse import urlsplit

try:  # POSIX only: used to give each live process its own spool file
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None

__version__ = "2.1.0"

logger = logging.getLogger("polymaker_client")

# snake_case keyword -> wire key for update_run / stop_run. Anything else the
# bot passes goes through unchanged (the server keeps unknown keys).
METRIC_KEYS = {
    "total_cycles": "totalCycles",
    "total_orders": "totalOrders",
    "total_fills": "totalFills",
    "total_pnl": "totalPnl",
    "peak_pnl": "peakPnl",
    "max_drawdown": "maxDrawdown",
    "win_count": "winCount",
    "loss_count": "lossCount",
    "avg_spread": "avgSpreadCaptured",
    "avg_fill_rate": "avgFillRate",
    "ending_bankroll": "endingBankroll",
    "max_capital": "maxCapitalDeployed",
    "wallet_balance": "walletBalance",
    "starting_wallet": "startingWallet",
    "merges_completed": "mergesCompleted",
    "total_merged_usd": "totalMergedUsd",
    "claims_completed": "claimsCompleted",
    "total_claimed_usd": "totalClaimedUsd",
    "claims_pending": "claimsPending",
    "position_value": "positionValue",
    "hedge_analytics": "hedgeAnalytics",
    "realized_pnl": "realizedPnl",
    "paired_windows": "pairedWindows",
    "one_sided_fills": "oneSidedFills",
}

# snake_case keyword -> wire key for update_trade.
TRADE_UPDATE_KEYS = {
    "fill_price": "fillPrice",
    "fill_size": "fillSize",
    "fill_timestamp": "fillTimestamp",
    "resolved_outcome": "resolvedOutcome",
}

# Spool item kinds.
RUN_START = "run_start"
RUN_UPDATE = "run_update"
RUN_STOP = "run_stop"
TRADE = "trade"
TRADE_UPDATE = "trade_update"
TRADE_BATCH = "trade_batch"
MARKETS = "markets"

MAX_TRADES_PER_BATCH = 50
MAPPING_RETENTION_S = 7 * 24 * 3600
SCHEMA_VERSION = 2
RETRY_AFTER_MAX_S = 600.0  # a Retry-After longer than this is capped
LATEST_DEAD_LETTERS = 5  # how many spool_status() lists

# Statuses that are retried and never dead-lettered on their own: the key is
# refused (hold everything until it works) or the server asks us to slow down.
AUTH_STATUSES = (401, 403)
THROTTLE_STATUSES = (429, 503)


def metrics_to_wire(metrics: Mapping[str, Any]) -> Dict[str, Any]:
    """Rename the known snake_case metric keywords; keep the others as they are."""
    return {METRIC_KEYS.get(key, key): value for key, value in metrics.items()}


def trade_updates_to_wire(updates: Mapping[str, Any]) -> Dict[str, Any]:
    """Rename update_trade keywords; datetimes become ISO 8601 strings."""
    wire = {}
    for key, value in updates.items():
        if isinstance(value, datetime):
            value = value.isoformat()
        wire[TRADE_UPDATE_KEYS.get(key, key)] = value
    return wire


def _json_default(value: Any) -> Any:
    """JSON for the few non-JSON types bots hand us (numpy scalars, Decimal, dates)."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "item"):  # numpy scalar
        return value.item()
    raise TypeError("%s is not JSON serializable" % type(value).__name__)


def _error_message(payload: Any, status: int) -> str:
    """The server's JSON error message (a string or a list), else the status."""
    if isinstance(payload, dict) and payload.get("message"):
        message = payload["message"]
        return "; ".join(map(str, message)) if isinstance(message, list) else str(message)
    return "HTTP %d" % status


# ---------------------------------------------------------------- settings


def _env_number(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "")
    if not raw.strip():
        return default
    try:
        return float(raw)
    except ValueError:
        logger.warning("%s=%r is not a number; using %s", name, raw, default)
        return default


class Settings(NamedTuple):
    base_url: str
    api_key: str
    enabled: bool
    timeout: float
    spool_path: str
    spool_max_items: int
    id_wait_s: float
    flush_timeout_s: float
    retry_max_s: float
    max_attempts: int
    dead_letter_max: int

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Settings":
        url = env.get("POLYMAKER_URL", "")
        if url.endswith("/"):
            url = url[:-1]
        return cls(
            base_url=url,
            api_key=env.get("POLYMAKER_API_KEY", ""),
            enabled=env.get("POLYMAKER_ENABLED", "true").strip().lower() == "true",
            timeout=_env_number(env, "POLYMAKER_TIMEOUT", 10),
            spool_path=env.get("POLYMAKER_SPOOL_PATH") or default_spool_path(url),
            spool_max_items=int(_env_number(env, "POLYMAKER_SPOOL_MAX_ITEMS", 100000)),
            id_wait_s=_env_number(env, "POLYMAKER_ID_WAIT_MS", 200) / 1000.0,
            flush_timeout_s=_env_number(env, "POLYMAKER_FLUSH_TIMEOUT", 5),
            retry_max_s=_env_number(env, "POLYMAKER_RETRY_MAX_SECONDS", 30),
            max_attempts=max(1, int(_env_number(env, "POLYMAKER_MAX_ATTEMPTS", 8))),
            dead_letter_max=max(1, int(_env_number(env, "POLYMAKER_DEAD_LETTER_MAX", 10000))),
        )


def default_spool_path(base_url: str) -> str:
    digest = hashlib.sha256(base_url.encode("utf-8")).hexdigest()[:16]
    return os.path.join(os.path.expanduser("~"), ".polymaker", "spool-%s.sqlite3" % digest)


def config_cache_path(spool_path: str) -> str:
    return os.path.splitext(spool_path)[0] + ".config.json"


# ---------------------------------------------------------------- transport


class Answer(NamedTuple):
    status: int
    payload: Any
    retry_after: Optional[float]  # seconds, from a Retry-After header


def parse_retry_after(value: Optional[str]) -> Optional[float]:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), capped."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        seconds = when.timestamp() - time.time()
    if seconds != seconds:  # NaN
        return None
    return min(RETRY_AFTER_MAX_S, max(0.0, seconds))


class Transport:
    """One keep-alive HTTP connection to ``{base_url}/api/bot``; thread-safe."""

    def __init__(self, base_url: str, api_key: str, timeout: float):
        parts = urlsplit(base_url)
        self._https = parts.scheme == "https"
        self._host = parts.hostname or "localhost"
        self._port = parts.port
        self._prefix = parts.path.rstrip("/") + "/api/bot"
        self._timeout = timeout
        self._headers = {
            "X-Api-Key": api_key,
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": "polymaker-client/%s python/%d.%d" % ((__version__,) + sys.version_info[:2]),
        }
        self._conn: Optional[http.client.HTTPConnection] = None
        self._lock = threading.Lock()

    def request(
        self, method: str, path: str, body: Optional[bytes] = None, idempotency_key: Optional[str] = None
    ) -> Tuple[int, Any]:
        """Send one request; return (status, parsed JSON or None)."""
        answer = self.exchange(method, path, body, idempotency_key)
        return answer.status, answer.payload

    def exchange(
        self, method: str, path: str, body: Optional[bytes] = None, idempotency_key: Optional[str] = None
    ) -> "Answer":
        """Send one request; return its status, parsed JSON (or None) and Retry-After.

        Raises OSError / http.client.HTTPException when no answer came. A
        request on a reused keep-alive connection that the server had already
        closed is sent once more on a fresh one (safe: GETs and keyed POSTs).
        """
        headers = dict(self._headers)
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key
        with self._lock:
            reused = self._conn is not None
            try:
                return self._send(method, path, body, headers)
            except socket.timeout:
                self._close()
                raise
            except (OSError, http.client.HTTPException):
                self._close()
                if not reused:
                    raise
            return self._send(method, path, body, headers)

    def close(self) -> None:
        with self._lock:
            self._close()

    def _send(self, method: str, path: str, body: Optional[bytes], headers: Dict[str, str]) -> "Answer":
        if self._conn is None:
            conn_class = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            self._conn = conn_class(self._host, self._port, timeout=self._timeout)
        self._conn.request(method, self._prefix + path, body=body, headers=headers)
        response = self._conn.getresponse()
        raw = response.read()
        if response.will_close:
            self._close()
        try:
            payload = json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            payload = None
        return Answer(response.status, payload, parse_retry_after(response.getheader("Retry-After")))

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


# ---------------------------------------------------------------- spool


class SpoolItem(NamedTuple):
    seq: int
    kind: str
    path: str
    body: Dict[str, Any]
    key: str  # Idempotency-Key of this item when sent alone
    local_ids: List[int]  # provisional ids this item creates (run or trades)
    group_key: Optional[str]  # set once the item was attempted: the key it went with
    strikes: int = 0  # failures while the server answered its health probe


class Appended(NamedTuple):
    seq: Optional[int]  # None: rejected because the spool is full
    local_ids: List[int]
    ahead: int  # items that were queued before this one
    evicted_kind: Optional[str]  # kind of the older item dropped to make room


class DeadLetter(NamedTuple):
    """One dead-lettered item: what the server refused, why, and its request."""

    id: int
    kind: str
    method: str
    path: str
    body: Dict[str, Any]
    status: Optional[int]  # the last HTTP status (None: no answer, or dead-lettered with another item)
    message: str  # the server's message, or why the client gave up
    reason: str  # refused | failing | dependent | unresolved
    attempts: int
    first_attempt: Optional[float]  # epoch seconds
    last_attempt: Optional[float]
    queued: float  # when the bot queued it
    dead_at: float

    def as_dict(self) -> Dict[str, Any]:
        return self._asdict()


# The items table as the first 2.x clients created it (schema 1), then the
# columns added since, by version. Opening an older spool adds them in place.
ITEM_COLUMNS_V2 = (
    ("attempts", "INTEGER NOT NULL DEFAULT 0"),
    ("strikes", "INTEGER NOT NULL DEFAULT 0"),
    ("first_attempt", "REAL"),
    ("last_attempt", "REAL"),
    ("last_status", "INTEGER"),
    ("last_error", "TEXT"),
)


class Spool:
    """Durable FIFO of requests to deliver, the provisional-id mappings and
    the dead letters (items given up on, kept until retried or purged).

    sqlite3 in WAL mode with synchronous=NORMAL: a commit is a write to the
    WAL without fsync, so it survives a crash (SIGKILL) of the bot and costs
    tens of microseconds. Checkpoints run on a second connection, off the
    callers' path.
    """

    # Never evicted to make room: a run must start and stop.
    LIFECYCLE = (RUN_START, RUN_STOP)
    # Evicted first (oldest first) when the spool is full: periodic snapshots.
    EVICTION_ORDER = (RUN_UPDATE, MARKETS)

    def __init__(self, path: str, max_items: int, dead_letter_max: int = 10000):
        self.path = path
        self.max_items = max_items
        self.dead_letter_max = dead_letter_max
        self.dropped: "collections.Counter[str]" = collections.Counter()  # per kind, this process
        self._lock = threading.Lock()
        self._db = self._connect(path)
        self._db.executescript(
            """
            CREATE TABLE IF NOT EXISTS items (
                seq INTEGER PRIMARY KEY,
                kind TEXT NOT NULL,
                path TEXT NOT NULL,
                body TEXT NOT NULL,
                idem_key TEXT NOT NULL,
                local_ids TEXT NOT NULL,
                group_key TEXT,
                created REAL NOT NULL
            );
            CREATE TABLE IF NOT EXISTS ids (
                local_id INTEGER PRIMARY KEY,
                server_id INTEGER,
                created REAL NOT NULL
            );
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
            INSERT OR IGNORE INTO meta VALUES ('next_local_id', -1);
            """
        )
        self._migrate()
        with self._db:
            self._db.execute("DELETE FROM ids WHERE created < ? AND dead_at IS NULL",
                             (time.time() - MAPPING_RETENTION_S,))
        self.pending = self._db.execute("SELECT COUNT(*) FROM items").fetchone()[0]
        self.dead = self._db.execute("SELECT COUNT(*) FROM dead_letters").fetchone()[0]
        self._checkpointer = self._connect(path) if path != ":memory:" else None

    def _migrate(self) -> None:
        """Bring a spool written by an older client to the current schema, in place."""
        with self._db:
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(items)")}
            for name, declaration in ITEM_COLUMNS_V2:
                if name not in columns:
                    self._db.execute("ALTER TABLE items ADD COLUMN %s %s" % (name, declaration))
            if "dead_at" not in {row[1] for row in self._db.execute("PRAGMA table_info(ids)")}:
                # set when the item creating this provisional id was dead-lettered
                self._db.execute("ALTER TABLE ids ADD COLUMN dead_at REAL")
            self._db.execute(
                """
                CREATE TABLE IF NOT EXISTS dead_letters (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    seq INTEGER NOT NULL,
                    kind TEXT NOT NULL,
                    method TEXT NOT NULL,
                    path TEXT NOT NULL,
                    body TEXT NOT NULL,
                    idem_key TEXT NOT NULL,
                    local_ids TEXT NOT NULL,
                    status INTEGER,
                    message TEXT NOT NULL,
                    reason TEXT NOT NULL,
                    attempts INTEGER NOT NULL,
                    first_attempt REAL,
                    last_attempt REAL,
                    created REAL NOT NULL,
                    dead_at REAL NOT NULL
                )
                """
            )
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))

    @staticmethod
    def _connect(path: str) -> sqlite3.Connection:
        # Default isolation: DML opens a transaction, ``with db:`` commits it.
        db = sqlite3.connect(path, timeout=5, check_same_thread=False)
        if path != ":memory:":
            db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA wal_autocheckpoint=0")
        db.execute("PRAGMA journal_size_limit=%d" % (4 << 20))  # shrink the WAL after a backlog
        return db

    def append(self, kind: str, path: str, body: str, key: str, creates: int = 0) -> Appended:
        """Queue one request; allocate ``creates`` provisional ids for it."""
        now = time.time()
        with self._lock, self._db:
            ahead = self.pending
            evicted = None
            if ahead >= self.max_items and kind not in self.LIFECYCLE:
                evicted = self._evict_one()
                if evicted is None:
                    self.dropped[kind] += 1
                    return Appended(None, [], ahead, None)
            local_ids = self._allocate_ids(creates, now)
            cursor = self._db.execute(
                "INSERT INTO items (kind, path, body, idem_key, local_ids, created) VALUES (?, ?, ?, ?, ?, ?)",
                (kind, path, body, key, json.dumps(local_ids), now),
            )
            self.pending += 1
            return Appended(cursor.lastrowid, local_ids, ahead, evicted)

    def _evict_one(self) -> Optional[str]:
        for kind in self.EVICTION_ORDER:
            row = self._db.execute(
                "SELECT seq FROM items WHERE kind = ? AND group_key IS NULL ORDER BY seq LIMIT 1", (kind,)
            ).fetchone()
            if row:
                self._db.execute("DELETE FROM items WHERE seq = ?", row)
                self.pending -= 1
                self.dropped[kind] += 1
                return kind
        return None

    def _allocate_ids(self, count: int, now: float) -> List[int]:
        if not count:
            return []
        first = self._db.execute("SELECT value FROM meta WHERE key = 'next_local_id'").fetchone()[0]
        local_ids = list(range(first, first - count, -1))
        self._db.execute("UPDATE meta SET value = ? WHERE key = 'next_local_id'", (first - count,))
        self._db.executemany("INSERT INTO ids (local_id, created) VALUES (?, ?)", [(i, now) for i in local_ids])
        return local_ids

    def next_group(self) -> List[SpoolItem]:
        """The next request to send, as the list of items it carries.

        A group is frozen (``group_key`` stored) before its first attempt, so
        a retry resends exactly the same body under the same Idempotency-Key.
        Consecutive trades not yet attempted travel together as one batch.
        """
        with self._lock, self._db:
            rows = self._db.execute(
                "SELECT seq, kind, path, body, idem_key, local_ids, group_key, strikes FROM items ORDER BY seq LIMIT ?",
                (MAX_TRADES_PER_BATCH,),
            ).fetchall()
            items = [self._item(row) for row in rows]
            if not items:
                return []
            head = items[0]
            if head.group_key is not None:
                return [item for item in items if item.group_key == head.group_key]
            group = [head]
            if head.kind == TRADE:
                for item in items[1:]:
                    if item.kind != TRADE or item.group_key is not None:
                        break
                    group.append(item)
            group_key = head.key if len(group) == 1 else str(uuid.uuid4())
            self._set_group(group, group_key)
            return [item._replace(group_key=group_key) for item in group]

    def ungroup(self, group: List[SpoolItem], reset_strikes: bool = False) -> None:
        """After a batch was refused as a whole (or kept failing): send its items one by one."""
        with self._lock, self._db:
            self._db.executemany(
                "UPDATE items SET group_key = idem_key%s WHERE seq = ?" % (", strikes = 0" if reset_strikes else ""),
                [(i.seq,) for i in group],
            )

    def record_attempt(self, group: List[SpoolItem], status: Optional[int], error: str, strike: bool) -> int:
        """Note a failed attempt of a group; return its strikes (failures while the server was healthy)."""
        now = time.time()
        with self._lock, self._db:
            self._db.executemany(
                "UPDATE items SET attempts = attempts + 1, strikes = strikes + ?, "
                "first_attempt = COALESCE(first_attempt, ?), last_attempt = ?, last_status = ?, last_error = ? "
                "WHERE seq = ?",
                [(1 if strike else 0, now, now, status, error, item.seq) for item in group],
            )
            row = self._db.execute("SELECT MAX(strikes) FROM items WHERE seq IN (%s)" % ",".join(
                str(int(item.seq)) for item in group)).fetchone()
        return int(row[0] or 0)

    def complete(self, group: List[SpoolItem], mapped: List[Tuple[int, int]]) -> None:
        """Forget the delivered items; record local id -> server id."""
        with self._lock, self._db:
            self._db.executemany("UPDATE ids SET server_id = ? WHERE local_id = ?", [(s, l) for l, s in mapped])
            self._delete(group)

    def drop(self, group: List[SpoolItem]) -> None:
        """Forget items for good; count them as dropped."""
        with self._lock, self._db:
            self._delete(group)
            self.dropped.update(item.kind for item in group)

    def dead_letter(self, item: SpoolItem, status: Optional[int], message: str, reason: str) -> int:
        """Move one item to the dead letters (its provisional ids die with it); return its dead-letter id.

        The request is kept as it was queued (with its Idempotency-Key), so a
        retry of it later can never create a duplicate.
        """
        now = time.time()
        with self._lock, self._db:
            row = self._db.execute(
                "SELECT seq, kind, path, body, idem_key, local_ids, attempts, first_attempt, last_attempt, created "
                "FROM items WHERE seq = ?", (item.seq,)
            ).fetchone()
            if row is None:
                return 0
            seq, kind, path, body, key, local_ids, attempts, first_attempt, last_attempt, created = row
            cursor = self._db.execute(
                "INSERT INTO dead_letters (seq, kind, method, path, body, idem_key, local_ids, status, message, "
                "reason, attempts, first_attempt, last_attempt, created, dead_at) "
                "VALUES (?, ?, 'POST', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (seq, kind, path, body, key, local_ids, status, message, reason, attempts, first_attempt,
                 last_attempt, created, now),
            )
            self._db.executemany("UPDATE ids SET dead_at = ? WHERE local_id = ? AND server_id IS NULL",
                                 [(now, local_id) for local_id in json.loads(local_ids)])
            self._delete([item])
            self.dead += 1
            if self.dead > self.dead_letter_max:
                self._prune_dead_letters()
            return cursor.lastrowid

    def _prune_dead_letters(self) -> None:
        excess = self.dead - self.dead_letter_max
        rows = self._db.execute("SELECT local_ids, id FROM dead_letters ORDER BY id LIMIT ?", (excess,)).fetchall()
        self._forget_dead(rows)
        self.dropped["dead_letter"] += len(rows)
        logger.warning("Command Center: more than %d dead letters; the %d oldest were deleted",
                       self.dead_letter_max, len(rows))

    def lookup(self, local_id: int) -> Tuple[Optional[int], bool]:
        """(server id or None, whether the item creating this provisional id was dead-lettered)."""
        with self._lock:
            row = self._db.execute("SELECT server_id, dead_at FROM ids WHERE local_id = ?", (local_id,)).fetchone()
        return (row[0], row[0] is None and row[1] is not None) if row else (None, False)

    def server_id(self, local_id: int) -> Optional[int]:
        return self.lookup(local_id)[0]

    def kinds(self) -> Dict[str, int]:
        """Pending items per kind."""
        with self._lock:
            return dict(self._db.execute("SELECT kind, COUNT(*) FROM items GROUP BY kind").fetchall())

    def dead_letters(self, limit: int = 100, newest_first: bool = True) -> List[DeadLetter]:
        with self._lock:
            return self._dead_letters(limit, newest_first)

    def _dead_letters(self, limit: int, newest_first: bool) -> List[DeadLetter]:
        rows = self._db.execute(
            "SELECT id, kind, method, path, body, status, message, reason, attempts, first_attempt, last_attempt, "
            "created, dead_at FROM dead_letters ORDER BY id %s LIMIT ?" % ("DESC" if newest_first else "ASC"),
            (limit,),
        ).fetchall()
        return [DeadLetter(*(row[:4] + (json.loads(row[4]),) + row[5:])) for row in rows]

    def status(self) -> Dict[str, Any]:
        """Counts and the latest dead letters, for ``spool_status()``."""
        now = time.time()
        with self._lock:
            by_kind = dict(self._db.execute("SELECT kind, COUNT(*) FROM items GROUP BY kind").fetchall())
            head = self._db.execute(
                "SELECT created, attempts, last_status, last_error, last_attempt FROM items ORDER BY seq LIMIT 1"
            ).fetchone()
            oldest = self._db.execute("SELECT MIN(created) FROM items").fetchone()[0]
            dead_by_kind = dict(self._db.execute("SELECT kind, COUNT(*) FROM dead_letters GROUP BY kind").fetchall())
            latest = self._dead_letters(LATEST_DEAD_LETTERS, newest_first=True)
        return {
            "pending": sum(by_kind.values()),
            "pending_by_kind": by_kind,
            "oldest_pending_age_s": None if oldest is None else max(0.0, now - oldest),
            "head_attempts": head[1] if head else 0,
            "head_last_error": head[3] if head and head[3] else None,
            "dead_letters": sum(dead_by_kind.values()),
            "dead_letters_by_kind": dead_by_kind,
            "latest_dead_letters": [letter.as_dict() for letter in latest],
        }

    def requeue_dead_letters(self, ids: Optional[List[int]] = None) -> int:
        """Put dead letters back at the head of the queue, in their original order.

        Each goes alone under its own Idempotency-Key (never in a new batch): if
        the server did store it once, the retry gets the stored answer back.
        """
        with self._lock, self._db:
            rows = self._select_dead(ids, "seq, kind, path, body, idem_key, local_ids, created, id")
            if not rows:
                return 0
            head = self._db.execute("SELECT MIN(seq) FROM items").fetchone()[0]
            first = (head if head is not None else 1) - len(rows)
            self._db.executemany(
                "INSERT INTO items (seq, kind, path, body, idem_key, local_ids, created, group_key) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [(first + index,) + tuple(row[1:7]) + (row[4],) for index, row in enumerate(rows)],
            )
            revived = [(local_id,) for row in rows for local_id in json.loads(row[5])]
            self._db.executemany("UPDATE ids SET dead_at = NULL WHERE local_id = ?", revived)
            self._db.executemany("DELETE FROM dead_letters WHERE id = ?", [(row[7],) for row in rows])
            self.pending += len(rows)
            self.dead -= len(rows)
            return len(rows)

    def purge_dead_letters(self, ids: Optional[List[int]] = None) -> int:
        """Delete dead letters for good."""
        with self._lock, self._db:
            rows = self._select_dead(ids, "local_ids, id")
            self._forget_dead(rows)
            return len(rows)

    def _forget_dead(self, rows: List[tuple]) -> None:
        """Delete dead letters given as (local_ids, id) rows, with their provisional ids."""
        self._db.executemany("DELETE FROM dead_letters WHERE id = ?", [(row[1],) for row in rows])
        self._db.executemany("DELETE FROM ids WHERE local_id = ? AND server_id IS NULL",
                             [(local_id,) for row in rows for local_id in json.loads(row[0])])
        self.dead -= len(rows)

    def _select_dead(self, ids: Optional[List[int]], columns: str) -> List[tuple]:
        rows = self._db.execute("SELECT %s FROM dead_letters ORDER BY id" % columns).fetchall()
        if ids is None:
            return rows
        wanted = {int(i) for i in ids}
        return [row for row in rows if row[-1] in wanted]

    def checkpoint(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def close(self) -> None:
        with self._lock:
            self._db.close()
            if self._checkpointer is not None:
                self._checkpointer.close()

    def _set_group(self, group: List[SpoolItem], group_key: str) -> None:
        self._db.executemany("UPDATE items SET group_key = ? WHERE seq = ?", [(group_key, i.seq) for i in group])

    def _delete(self, group: List[SpoolItem]) -> None:
        deleted = 0
        for item in group:
            deleted += self._db.execute("DELETE FROM items WHERE seq = ?", (item.seq,)).rowcount
        self.pending -= deleted

    @staticmethod
    def _item(row: tuple) -> SpoolItem:
        seq, kind, path, body, key, local_ids, group_key, strikes = row
        return SpoolItem(seq, kind, path, json.loads(body), key, json.loads(local_ids), group_key, strikes)


class SpoolLock:
    """An exclusive lock file that gives each live process its own spool.

    Two bots on one machine talking to one Command Center must not share a
    spool (both would send the same items and hand out the same provisional
    ids). The first process takes ``path``, the next ``<root>.1<ext>`` and so
    on; a crashed process's lock is released by the kernel, so its successor
    takes over its spool and delivers what was left.
    """

    def __init__(self, base_path: str):
        self.path = base_path
        self._fd: Optional[int] = None
        if fcntl is None or base_path == ":memory:":
            return
        root, ext = os.path.splitext(base_path)
        for index in range(100):
            candidate = base_path if index == 0 else "%s.%d%s" % (root, index, ext)
            fd = os.open(candidate + ".lock", os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue
            self.path, self._fd = candidate, fd
            if index:
                logger.info("Spool %s is in use by another process; using %s", base_path, candidate)
            return
        raise OSError("no free spool next to %s" % base_path)

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the flock
            self._fd = None


# ---------------------------------------------------------------- sender


class Delivery(NamedTuple):
    """What the server answered for one item."""

    response: Dict[str, Any]
    server_ids: List[int]


REJECTED = "rejected"  # the server refused the item for good


class Ticket:
    """Lets a caller wait (bounded) for the outcome of one spooled item."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self.outcome: Any = None  # None (not tried yet / will retry), Delivery or REJECTED
        self.attempts = 0

    def report(self, outcome: Any) -> None:
        with self._cond:
            self.outcome = outcome
            self.attempts += 1
            self._cond.notify_all()

    def wait(self, timeout: float, until_final: bool) -> Any:
        """Wait for the first attempt (or for a final outcome); return the outcome."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                if self.outcome is not None or (self.attempts and not until_final):
                    return self.outcome
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)


class Unresolved(Exception):
    """An item refers to a provisional id the server never gave an id for."""

    def __init__(self, message: str, local_id: int, dead: bool):
        super().__init__(message)
        self.local_id = local_id
        self.dead = dead  # True: the item that creates it was dead-lettered


class Backoff:
    """Exponential backoff with jitter: 0.5 s, 1 s, 2 s ... capped."""

    def __init__(self, cap: float, base: float = 0.5):
        self.cap = cap
        self.base = base
        self.failures = 0

    def next_delay(self) -> float:
        delay = min(self.cap, self.base * (2 ** min(self.failures, 30)))
        self.failures += 1
        return random.uniform(delay / 2, delay)

    def reset(self) -> None:
        self.failures = 0


# How the server's Idempotency-Key machinery says "the first attempt with this
# key is still running": a 409 to retry, unlike a 409 about the data.
IN_PROGRESS_MARKERS = ("still being processed", "in progress")


def is_in_progress(answer: Answer) -> bool:
    if answer.status != 409:
        return False
    if answer.retry_after is not None:
        return True
    message = _error_message(answer.payload, answer.status).lower()
    return any(marker in message for marker in IN_PROGRESS_MARKERS)


ID_FIELDS = (("runId", "run"), ("tradeId", "trade"))


class Sender(threading.Thread):
    """Daemon thread: delivers the spool in order.

    A deterministic 4xx dead-letters the item at once. 5xx, 408, a 409 "still
    being processed" and network errors are retried with backoff; after each
    such failure the sender asks ``GET /status``, and an item that failed
    ``max_attempts`` times while that probe succeeded is dead-lettered (during a
    real outage the probe fails too, and nothing is). 401/403 hold the spool
    until the key is accepted; 429 and 503 wait ``Retry-After``. Neither counts
    against the item.
    """

    IDLE_POLL_S = 1.0

    def __init__(
        self,
        spool: Spool,
        transport: Transport,
        retry_max_s: float,
        on_mapped: Callable[[List[Tuple[int, int]]], None],
        max_attempts: int = 8,
    ):
        super().__init__(name="polymaker-sender", daemon=True)
        self.spool = spool
        self.transport = transport
        self.max_attempts = max_attempts
        self.healthy: Optional[bool] = None  # None until the first answer
        self.held: Optional[str] = None  # set while the server refuses the API key
        self.last_error: Optional[Tuple[float, str]] = None  # (epoch seconds, what happened)
        self._backoff = Backoff(retry_max_s)
        self._on_mapped = on_mapped
        self._wake = threading.Event()
        self._retry_now = False
        self._not_before = 0.0  # monotonic time before which Retry-After forbids a retry
        self._stopping = False
        self._busy = False
        self._tickets: Dict[str, Ticket] = {}
        self._tickets_lock = threading.Lock()
        self._dead_roots: Dict[int, int] = {}  # provisional id -> the dead-lettered id it died with
        self._logged_roots: set = set()

    # -- called from other threads

    def wake(self) -> None:
        self._wake.set()

    def retry_now(self) -> None:
        """Cut the current backoff short (not a Retry-After). Lock-free, so safe in a signal handler."""
        self._retry_now = True

    def drained(self) -> bool:
        """Nothing left to deliver. Lock-free, so safe in a signal handler."""
        return self.spool.pending == 0 and not self._busy

    def watch(self, key: str) -> Ticket:
        ticket = Ticket()
        with self._tickets_lock:
            self._tickets[key] = ticket
        return ticket

    def unwatch(self, key: str) -> None:
        with self._tickets_lock:
            self._tickets.pop(key, None)

    def stop(self, timeout: float) -> None:
        self._stopping = True
        self._wake.set()
        self.join(timeout)

    # -- the thread

    def run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                group = self.spool.next_group()
                if not group:
                    self.spool.checkpoint()
                    self._wake.wait(self.IDLE_POLL_S)
                    continue
                self._busy = True
                delay = self._deliver(group)
            except Exception:  # a bug or a broken spool must not kill delivery for good
                logger.exception("Command Center sender error; retrying")
                delay = self._backoff.next_delay()
            finally:
                self._busy = False
            if delay > 0:
                self._sleep(delay)

    def _deliver(self, group: List[SpoolItem]) -> float:
        """Send one group; return how long to wait before the next attempt (0: go on)."""
        try:
            path, body = self._request_for(group)
        except Unresolved as exc:
            if len(group) > 1:  # let the items that can go, go
                self.spool.ungroup(group)
                return 0
            self._dead_letter(group[0], None, str(exc), "dependent" if exc.dead else "unresolved",
                              root=exc.local_id if exc.dead else None)
            return 0
        data = json.dumps(body, separators=(",", ":")).encode("utf-8")
        try:
            answer = self.transport.exchange("POST", path, data, group[0].group_key)
        except (OSError, http.client.HTTPException) as exc:
            return self._failed(group, None, "unreachable (%s)" % (str(exc) or type(exc).__name__))
        status, payload = answer.status, answer.payload
        message = _error_message(payload, status)
        if 200 <= status < 300 and isinstance(payload, dict):
            self._succeeded(group, payload)
            return 0
        if status in AUTH_STATUSES:
            return self._hold(group, status, message)
        if status in THROTTLE_STATUSES:
            return self._throttled(group, status, message, answer.retry_after)
        if status < 400 or status >= 500 or status == 408 or is_in_progress(answer):
            return self._failed(group, status, "answered %d: %s" % (status, message))
        if len(group) > 1:
            logger.warning("Command Center refused a batch of %d trades (%d: %s); sending them one by one",
                           len(group), status, message)
            self.spool.ungroup(group)
            return 0
        self._server_answers()
        self.spool.record_attempt(group, status, "answered %d: %s" % (status, message), strike=False)
        self._dead_letter(group[0], status, message, "refused",
                          detail="POST %s answered %d: %s" % (path, status, message))
        return 0

    def _request_for(self, group: List[SpoolItem]) -> Tuple[str, Dict[str, Any]]:
        if len(group) == 1:
            return group[0].path, self._resolve(group[0].body)
        return "/trade/batch", {"trades": [self._resolve(item.body) for item in group]}

    def _resolve(self, body: Dict[str, Any]) -> Dict[str, Any]:
        """Replace provisional (negative) run and trade ids by the server's."""
        resolved = dict(body)
        for field, noun in ID_FIELDS:
            value = resolved.get(field)
            if isinstance(value, int) and not isinstance(value, bool) and value < 0:
                server_id, dead = self.spool.lookup(value)
                if server_id is None:
                    if dead:
                        raise Unresolved("its %s #%d was dead-lettered, so it cannot be delivered" % (noun, value),
                                         value, True)
                    raise Unresolved("%s %d was never created on the server" % (field, value), value, False)
                resolved[field] = server_id
        if isinstance(resolved.get("trades"), list):
            resolved["trades"] = [self._resolve(t) if isinstance(t, dict) else t for t in resolved["trades"]]
        return resolved

    def _succeeded(self, group: List[SpoolItem], payload: Dict[str, Any]) -> None:
        created_ids = self._created_ids(group, payload)
        expected = sum(len(item.local_ids) for item in group)
        if len(created_ids) != expected:
            logger.warning("Command Center answered %d ids for %d created items (%r); updates of the items "
                           "without an id will be dead-lettered", len(created_ids), expected, payload)
        created = iter(created_ids)
        per_item = [(item, [server_id for _, server_id in zip(item.local_ids, created)]) for item in group]
        mapped = [pair for item, server_ids in per_item for pair in zip(item.local_ids, server_ids)]
        self.spool.complete(group, mapped)
        if self.held is not None:
            logger.warning("Command Center accepts the API key again; delivering %d spooled items",
                           self.spool.pending)
        elif self.healthy is False:
            logger.info("Command Center reachable again; delivering %d spooled items", self.spool.pending)
        self._server_answers()
        if mapped:
            self._on_mapped(mapped)
        for item, server_ids in per_item:
            self._report(item.key, Delivery(payload, server_ids), final=True)

    def _server_answers(self) -> None:
        self.healthy = True
        self.held = None
        self._backoff.reset()

    @staticmethod
    def _created_ids(group: List[SpoolItem], payload: Dict[str, Any]) -> List[int]:
        if len(group) > 1 or group[0].kind == TRADE_BATCH:
            return list(payload.get("tradeIds") or [])
        field = {RUN_START: "runId", TRADE: "tradeId"}.get(group[0].kind)
        return [payload[field]] if field and field in payload else []

    def _failed(self, group: List[SpoolItem], status: Optional[int], reason: str) -> float:
        """A failure that may be the item's or the server's: the health probe tells them apart."""
        answering = self._probe()
        strikes = self.spool.record_attempt(group, status, reason, strike=answering)
        self.last_error = (time.time(), reason)
        if answering and strikes >= self.max_attempts:
            if len(group) > 1:
                logger.warning("Command Center: a batch of %d trades failed %d times while the server answered "
                               "(%s); sending them one by one", len(group), strikes, reason)
                self.spool.ungroup(group, reset_strikes=True)
                return 0
            self._dead_letter(group[0], status, "failed %d times while the server answered other requests; "
                                                "last: %s" % (strikes, reason), "failing")
            self._server_answers()
            return 0
        self._transient(group, reason)
        return self._backoff.next_delay()

    def _probe(self) -> bool:
        """Does the server answer a cheap request right now?"""
        try:
            return 200 <= self.transport.exchange("GET", "/status").status < 300
        except (OSError, http.client.HTTPException):
            return False

    def _hold(self, group: List[SpoolItem], status: int, message: str) -> float:
        """The key is refused: keep everything, nothing counts against the items."""
        reason = "refused the API key (%d: %s)" % (status, message)
        if self.held is None:
            logger.error("Command Center %s: holding %d spooled items until the key is accepted; "
                         "nothing is dropped or dead-lettered", reason, self.spool.pending)
        self.held = reason
        self.healthy = False
        self.spool.record_attempt(group, status, reason, strike=False)
        self.last_error = (time.time(), reason)
        for item in group:
            self._report(item.key, None, final=False)
        return self._backoff.next_delay()

    def _throttled(self, group: List[SpoolItem], status: int, message: str, retry_after: Optional[float]) -> float:
        """429 / 503: the server asks to wait; honour Retry-After, never count it against the item."""
        reason = "answered %d: %s" % (status, message)
        if retry_after is not None:
            reason += " (Retry-After %gs)" % retry_after
        self.spool.record_attempt(group, status, reason, strike=False)
        self.last_error = (time.time(), reason)
        self._transient(group, reason)
        if retry_after:
            self._not_before = time.monotonic() + retry_after
            return retry_after
        return self._backoff.next_delay()

    def _transient(self, group: List[SpoolItem], reason: str) -> None:
        if self.healthy is not False:
            logger.warning("Command Center %s; %d items spooled, retrying in the background",
                           reason, self.spool.pending)
        else:
            logger.debug("Command Center still %s", reason)
        self.healthy = False
        for item in group:
            self._report(item.key, None, final=False)

    def _dead_letter(self, item: SpoolItem, status: Optional[int], message: str, reason: str,
                     root: Optional[int] = None, detail: Optional[str] = None) -> None:
        """Move one item to the dead letters and log it once (a cascade once per root)."""
        letter_id = self.spool.dead_letter(item, status, message, reason)
        self.last_error = (time.time(), "dead-lettered %s: %s" % (item.kind, detail or message))
        self._report(item.key, REJECTED, final=True)
        if root is None:
            for local_id in item.local_ids:
                self._dead_roots[local_id] = local_id
            logger.warning("Command Center: dead-lettered %s (%s): %s. Kept in the spool as dead letter %d "
                           "(%d in all, see cc.spool_status()); the rest is delivered", item.kind, reason,
                           detail or message, letter_id, self.spool.dead)
            return
        root = self._dead_roots.get(root, root)
        if len(self._dead_roots) > 100000:  # only for logging once per cascade: forgetting is harmless
            self._dead_roots.clear()
        for local_id in item.local_ids:
            self._dead_roots[local_id] = root
        if root not in self._logged_roots:
            self._logged_roots.add(root)
            logger.warning("Command Center: dead-lettered %s: %s (dead letter %d). Later items that depend on "
                           "it are dead-lettered too, counted in cc.spool_status(), not logged each",
                           item.kind, message, letter_id)
        else:
            logger.debug("Command Center: dead-lettered %s: %s (dead letter %d)", item.kind, message, letter_id)

    def _report(self, key: str, outcome: Any, final: bool) -> None:
        with self._tickets_lock:
            ticket = self._tickets.pop(key, None) if final else self._tickets.get(key)
        if ticket is not None:
            ticket.report(outcome)

    def _sleep(self, delay: float) -> None:
        deadline = time.monotonic() + delay
        while not self._stopping:
            now = time.monotonic()
            if now >= deadline or (self._retry_now and now >= self._not_before):
                break
            time.sleep(min(deadline - now, 0.05))
        self._retry_now = False


# ---------------------------------------------------------------- client


class Queued(NamedTuple):
    key: str
    local_ids: List[int]
    outcome: Any  # None (still queued), Delivery or REJECTED


class PolyMakerClient:
    """Client for the PolyMaker Command Center bot API (``/api/bot``)."""

    def __init__(self, env: Optional[Mapping[str, str]] = None, install_signal_handler: bool = True):
        """Configure from environment variables (``env`` defaults to ``os.environ``).

        POLYMAKER_URL, POLYMAKER_API_KEY, POLYMAKER_ENABLED, POLYMAKER_TIMEOUT as
        in the original client, plus POLYMAKER_SPOOL_PATH, POLYMAKER_SPOOL_MAX_ITEMS,
        POLYMAKER_ID_WAIT_MS, POLYMAKER_FLUSH_TIMEOUT, POLYMAKER_RETRY_MAX_SECONDS,
        POLYMAKER_MAX_ATTEMPTS, POLYMAKER_DEAD_LETTER_MAX.
        """
        self.settings = Settings.from_env(os.environ if env is None else env)
        self.base_url = self.settings.base_url
        self.api_key = self.settings.api_key
        self.enabled = self.settings.enabled
        self.timeout = self.settings.timeout

        self.current_run_id: Optional[int] = None
        self.run_start_time: Optional[float] = None
        self.cycle_count = 0
        self.total_orders = 0
        self.total_fills = 0
        self.win_count = 0
        self.loss_count = 0
        self.total_pnl: float = 0
        self._last_stopped_run_id: Optional[int] = None
        self._last_metrics_push = 0.0
        self._metrics_push_interval = 30.0
        self._last_config: Optional[Dict[str, Any]] = None

        self._spool: Optional[Spool] = None
        self._sender: Optional[Sender] = None
        self._spool_lock: Optional[SpoolLock] = None

        if self.enabled and self.base_url and self.api_key:
            self._start(install_signal_handler)
            logger.info("PolyMaker Command Center client initialized: %s (spool %s)", self.base_url, self._spool.path)
        elif self.enabled:
            logger.warning(
                "PolyMaker Command Center: POLYMAKER_URL or POLYMAKER_API_KEY not set. "
                "Trade logging to Command Center is disabled. Set these in your .env file to enable."
            )
            self.enabled = False
        else:
            logger.info("PolyMaker Command Center client disabled (POLYMAKER_ENABLED=false)")

    def _start(self, install_signal_handler: bool) -> None:
        self._sync = Transport(self.base_url, self.api_key, self.timeout)
        self._spool = self._open_spool()
        self._sender = Sender(
            self._spool,
            Transport(self.base_url, self.api_key, self.timeout),
            self.settings.retry_max_s,
            self._on_mapped,
            self.settings.max_attempts,
        )
        self._sender.start()
        if self._spool.pending:
            logger.info("Command Center: %d items left by a previous process; delivering them first",
                        self._spool.pending)
        if self._spool.dead:
            logger.warning("Command Center: %d dead letters in %s (see cc.spool_status(); "
                           "cc.retry_dead_letters() queues them again)", self._spool.dead, self._spool.path)
        atexit.register(self._flush_at_exit)
        if install_signal_handler:
            self._install_sigterm_handler()

    def _open_spool(self) -> Spool:
        try:
            os.makedirs(os.path.dirname(os.path.abspath(self.settings.spool_path)), mode=0o700, exist_ok=True)
            self._spool_lock = SpoolLock(self.settings.spool_path)
            return Spool(self._spool_lock.path, self.settings.spool_max_items, self.settings.dead_letter_max)
        except (OSError, sqlite3.Error) as exc:
            if self._spool_lock is not None:
                self._spool_lock.release()
                self._spool_lock = None
            logger.warning("Command Center spool %s unusable (%s); queueing in memory only: "
                           "data queued while the server is down is lost if the bot dies",
                           self.settings.spool_path, exc)
            return Spool(":memory:", self.settings.spool_max_items, self.settings.dead_letter_max)

    def _is_ready(self) -> bool:
        """Check if the client is configured and enabled."""
        return self.enabled and bool(self.base_url) and bool(self.api_key) and self._sender is not None

    # ========== Status & Config (synchronous, like the original) ==========

    def check_status(self) -> Optional[Dict[str, Any]]:
        """Check Command Center health and get active config/run info."""
        payload, _reachable = self._get("/status")
        return payload

    def get_config(self) -> Optional[Dict[str, Any]]:
        """Fetch the active bot configuration (one flat dict with ``id``).

        None when the server has no active config. When the server cannot be
        reached, the last config it gave is returned with ``"_cached": True``.
        """
        payload, reachable = self._get("/config")
        if payload is not None:
            self._save_config(payload)
            return payload
        if reachable:
            return None
        cached = self._load_config()
        if cached is not None:
            logger.warning("Command Center unreachable: using the config cached at %s",
                           config_cache_path(self.settings.spool_path))
            return dict(cached, _cached=True)
        return None

    def _get(self, path: str) -> Tuple[Optional[Dict[str, Any]], bool]:
        """GET; return (JSON object or None, whether the server answered at all)."""
        if not self._is_ready():
            return None, False
        try:
            status, payload = self._sync.request("GET", path)
        except socket.timeout:
            logger.warning("Command Center timeout: GET %s", path)
            return None, False
        except (OSError, http.client.HTTPException) as exc:
            logger.warning("Command Center unreachable: GET %s (%s)", path, exc)
            return None, False
        if 200 <= status < 300 and isinstance(payload, dict):
            return payload, True
        logger.warning("Command Center error: GET %s answered %d: %s", path, status, _error_message(payload, status))
        return None, status < 500

    def _save_config(self, config: Dict[str, Any]) -> None:
        if config == self._last_config:
            return
        self._last_config = config
        path = config_cache_path(self.settings.spool_path)
        try:
            tmp = "%s.%d.tmp" % (path, os.getpid())
            with open(tmp, "w", encoding="utf-8") as handle:
                json.dump(config, handle)
            os.replace(tmp, path)
        except OSError as exc:
            logger.warning("Could not cache the Command Center config at %s: %s", path, exc)

    def _load_config(self) -> Optional[Dict[str, Any]]:
        if self._last_config is not None:
            return self._last_config
        try:
            with open(config_cache_path(self.settings.spool_path), encoding="utf-8") as handle:
                config = json.load(handle)
        except (OSError, ValueError):
            return None
        return config if isinstance(config, dict) else None

    # ========== Run Lifecycle ==========

    def start_run(self, config_id: int, mode: str = "dry_run", bankroll: float = 0) -> Optional[int]:
        """Start a run. Returns the run id: the server's, or a provisional negative
        id when the server did not answer within POLYMAKER_ID_WAIT_MS (the run is
        created when the spool is delivered). None if the server refused it."""
        if not self._is_ready():
            return None
        body = {"configId": config_id, "mode": mode, "startingBankroll": bankroll}
        queued = self._enqueue(RUN_START, "/run/start", body, creates=1, wait_s=self.settings.id_wait_s)
        if queued is None or queued.outcome == REJECTED:
            return None
        run_id = self._created_id(queued)
        self.current_run_id = run_id
        self.run_start_time = time.time()
        self.cycle_count = 0
        self.total_orders = 0
        self.total_fills = 0
        self.win_count = 0
        self.loss_count = 0
        self.total_pnl = 0
        logger.info("Command Center run started: #%s (%s)%s", run_id, mode,
                    "" if run_id > 0 else " [provisional id, server not answering yet]")
        return run_id

    def update_run(self, run_id: Optional[int] = None, **metrics: Any) -> bool:
        """Queue a metrics point for the run (default: the current run). True when queued."""
        rid = run_id or self.current_run_id
        if not self._is_ready() or not rid:
            return False
        if "total_pnl" in metrics:
            self.total_pnl = metrics["total_pnl"]
        body = {"runId": rid}
        body.update(metrics_to_wire(metrics))
        return self._enqueue(RUN_UPDATE, "/run/update", body) is not None

    def stop_run(
        self,
        run_id: Optional[int] = None,
        status: str = "completed",
        error_message: Optional[str] = None,
        **final_metrics: Any,
    ) -> Optional[Dict[str, Any]]:
        """Stop a run (default: the current one, else the last one stopped) and
        flush the spool for up to POLYMAKER_FLUSH_TIMEOUT seconds.

        Returns the server's answer (with ``analysis``) when delivered in time,
        else ``{"queued": True, "runId": ..., "status": ...}``; None if the
        server refused the stop or there is no run to stop.
        """
        rid = run_id or self.current_run_id or self._last_stopped_run_id
        if not self._is_ready() or not rid:
            return None
        body: Dict[str, Any] = {"runId": rid, "status": status}
        if error_message:
            body["errorMessage"] = error_message
        body.update(metrics_to_wire(final_metrics))
        queued = self._enqueue(RUN_STOP, "/run/stop", body, wait_s=self.settings.flush_timeout_s,
                               until_final=True)
        self.current_run_id = None
        self.run_start_time = None
        self._last_stopped_run_id = rid
        if queued is None or queued.outcome == REJECTED:
            return None
        if isinstance(queued.outcome, Delivery):
            result = queued.outcome.response
            logger.info("Command Center run #%s stopped (%s)", body["runId"], status)
            if isinstance(result.get("analysis"), dict):
                logger.info("  Analysis score: %s/100", result["analysis"].get("overallScore", "N/A"))
            return result
        server_id = self._spool.server_id(rid) if rid < 0 else rid
        logger.warning("Command Center run #%s stop queued (server not answering); it will be delivered "
                       "from the spool %s", server_id or rid, self._spool.path)
        return {"queued": True, "runId": server_id or rid, "status": status}

    # ========== Trade Logging ==========

    def log_trade(
        self,
        run_id: Optional[int] = None,
        cycle: int = 0,
        asset: str = "",
        window: str = "15m",
        side: str = "buy",
        outcome: str = "",
        price: float = 0,
        size: float = 0,
        condition_id: Optional[str] = None,
        token_id: Optional[str] = None,
        strategy: str = "MM",
    ) -> Optional[int]:
        """Log a placed order. Returns its trade id (the server's, or a provisional
        negative id that ``update_trade`` accepts); None if not queued or refused."""
        rid = run_id or self.current_run_id
        if not self._is_ready() or not rid:
            return None
        body: Dict[str, Any] = {
            "runId": rid,
            "cycle": cycle,
            "asset": asset,
            "windowDuration": window,
            "side": side,
            "outcome": outcome,
            "price": price,
            "size": size,
            "strategy": strategy,
        }
        if condition_id:
            body["conditionId"] = condition_id
        if token_id:
            body["tokenId"] = str(token_id)
        queued = self._enqueue(TRADE, "/trade", body, creates=1, wait_s=self.settings.id_wait_s)
        if queued is None or queued.outcome == REJECTED:
            return None
        self.total_orders += 1
        return self._created_id(queued)

    def update_trade(self, trade_id: int, **updates: Any) -> bool:
        """Queue a status / fill update for a trade (server or provisional id)."""
        if not self._is_ready() or trade_id is None:
            return False
        body = {"tradeId": trade_id}
        body.update(trade_updates_to_wire(updates))
        if self._enqueue(TRADE_UPDATE, "/trade/update", body) is None:
            return False
        if updates.get("status") == "filled":
            self.total_fills += 1
        return True

    def log_trades_batch(self, trades: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
        """Log several trades (wire field names) in one request. Returns the server's
        answer when it came in time, else ``{"tradeIds": [provisional ids], "queued": True}``."""
        if not self._is_ready():
            return None
        queued = self._enqueue(TRADE_BATCH, "/trade/batch", {"trades": trades}, creates=len(trades),
                               wait_s=self.settings.id_wait_s)
        if queued is None or queued.outcome == REJECTED:
            return None
        if isinstance(queued.outcome, Delivery):
            return queued.outcome.response
        return {"tradeIds": queued.local_ids, "queued": True}

    # ========== Market Reporting ==========

    def report_markets(self, markets: List[Dict[str, Any]]) -> bool:
        """Queue the active markets for the Markets page watchlist."""
        if not self._is_ready():
            return False
        return self._enqueue(MARKETS, "/markets/report", {"markets": markets}) is not None

    # ========== Convenience Methods ==========

    def increment_cycle(self) -> None:
        """Increment the cycle counter. Call this at the start of each trading cycle."""
        self.cycle_count += 1

    def record_win(self) -> None:
        """Record a winning trade."""
        self.win_count += 1

    def record_loss(self) -> None:
        """Record a losing trade."""
        self.loss_count += 1

    def push_metrics_if_due(
        self,
        total_pnl: float = 0,
        ending_bankroll: float = 0,
        max_capital: float = 0,
        avg_spread: float = 0,
        avg_fill_rate: float = 0,
        **extra_metrics: Any,
    ) -> None:
        """Push the counters and the given metrics, at most every 30 seconds."""
        now = time.time()
        if now - self._last_metrics_push < self._metrics_push_interval or not self.current_run_id:
            return
        self._last_metrics_push = now
        self.update_run(
            total_cycles=self.cycle_count,
            total_orders=self.total_orders,
            total_fills=self.total_fills,
            total_pnl=total_pnl,
            win_count=self.win_count,
            loss_count=self.loss_count,
            ending_bankroll=ending_bankroll,
            max_capital=max_capital,
            avg_spread=avg_spread,
            avg_fill_rate=avg_fill_rate,
            **extra_metrics,
        )

    def get_run_duration_str(self) -> str:
        """How long the current run has been active, e.g. ``1h 2m 3s``."""
        if not self.run_start_time:
            return "0s"
        elapsed = time.time() - self.run_start_time
        hours, minutes, seconds = int(elapsed // 3600), int((elapsed % 3600) // 60), int(elapsed % 60)
        if hours > 0:
            return "%dh %dm %ds" % (hours, minutes, seconds)
        if minutes > 0:
            return "%dm %ds" % (minutes, seconds)
        return "%ds" % seconds

    # ========== Delivery ==========

    @property
    def spool_path(self) -> Optional[str]:
        """The spool file in use (None when disabled)."""
        return self._spool.path if self._spool else None

    def pending_count(self) -> int:
        """Items spooled and not yet delivered."""
        return self._spool.pending if self._spool else 0

    def pending_by_kind(self) -> Dict[str, int]:
        """Undelivered items per kind: run_start, trade, trade_update, run_update, markets, ..."""
        return self._spool.kinds() if self._spool else {}

    @property
    def dropped(self) -> "collections.Counter[str]":
        """Items lost by this process, per kind: evicted or refused because the spool was full
        (``dead_letter``: old dead letters deleted past POLYMAKER_DEAD_LETTER_MAX). Items the
        server refused are not lost: they are dead letters, see ``spool_status()``."""
        return collections.Counter(self._spool.dropped) if self._spool else collections.Counter()

    def spool_status(self) -> Dict[str, Any]:
        """What is waiting and what was given up on, as a plain dict. Never waits for the network.

        Keys: ``enabled``, ``spool_path``, ``pending``, ``pending_by_kind``,
        ``oldest_pending_age_s`` (None when empty), ``head_attempts`` and
        ``head_last_error`` (the item being delivered), ``dead_letters``,
        ``dead_letters_by_kind``, ``latest_dead_letters`` (the newest few, each
        with its request, status, the server's message, reason, attempts and
        times), ``server`` (``"ok"``, ``"failing"``, ``"key refused"`` or
        ``"unknown"``), ``key_refused`` (the server's message while it refuses
        the key, else None), ``last_error`` (``{"at": epoch, "message": ...}``)
        and ``dropped`` (see ``dropped``).
        """
        if self._spool is None or self._sender is None:
            return {"enabled": False, "spool_path": None, "pending": 0, "pending_by_kind": {},
                    "oldest_pending_age_s": None, "head_attempts": 0, "head_last_error": None,
                    "dead_letters": 0, "dead_letters_by_kind": {}, "latest_dead_letters": [],
                    "server": "unknown", "key_refused": None, "last_error": None, "dropped": {}}
        status = self._spool.status()
        sender = self._sender
        last_error = sender.last_error
        status.update(
            enabled=True,
            spool_path=self._spool.path,
            server="key refused" if sender.held else {None: "unknown", True: "ok", False: "failing"}[sender.healthy],
            key_refused=sender.held,
            last_error=None if last_error is None else {"at": last_error[0], "message": last_error[1]},
            dropped=dict(self._spool.dropped),
        )
        return status

    def dead_letters(self, limit: int = 100) -> List[Dict[str, Any]]:
        """The dead letters, newest first (each as in ``spool_status()["latest_dead_letters"]``)."""
        return [letter.as_dict() for letter in self._spool.dead_letters(limit)] if self._spool else []

    def retry_dead_letters(self, ids: Optional[List[int]] = None) -> int:
        """Queue dead letters again (all, or those with the given ids), at the head of the
        spool in their original order and with their original Idempotency-Keys. Returns how
        many were queued. Use it once the cause is fixed (e.g. the server was upgraded)."""
        if self._spool is None or self._sender is None:
            return 0
        count = self._spool.requeue_dead_letters(ids)
        if count:
            logger.info("Command Center: %d dead letters queued again", count)
            self._sender.wake()
            self._sender.retry_now()
        return count

    def purge_dead_letters(self, ids: Optional[List[int]] = None) -> int:
        """Delete dead letters for good (all, or those with the given ids). Returns how many."""
        if self._spool is None:
            return 0
        count = self._spool.purge_dead_letters(ids)
        if count:
            logger.info("Command Center: %d dead letters deleted", count)
        return count

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Wait (bounded) until everything spooled is delivered. True when drained.

        Takes no lock, so it is safe to call from a signal handler.
        """
        if self._sender is None:
            return True
        self._sender.retry_now()
        deadline = time.monotonic() + (self.settings.flush_timeout_s if timeout is None else timeout)
        while not self._sender.drained():
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True

    def close(self, timeout: Optional[float] = None) -> bool:
        """Flush (bounded), then stop the sender and release the spool. True when drained."""
        if self._sender is None:
            return True
        drained = self.flush(timeout)
        self._sender.stop(timeout=self.timeout)
        self._sender.transport.close()
        self._sync.close()
        if not self._sender.is_alive():  # else it is stuck in a request: leave it its spool
            self._spool.close()
            if self._spool_lock is not None:
                self._spool_lock.release()
        atexit.unregister(self._flush_at_exit)
        self._sender = None
        return drained

    def _enqueue(
        self, kind: str, path: str, body: Dict[str, Any], creates: int = 0, wait_s: float = 0,
        until_final: bool = False,
    ) -> Optional[Queued]:
        """Spool one request and wake the sender; never touches the network.

        With ``wait_s``, wait that long for the server's answer, but only if
        nothing else is queued and the server is not known to be down (a stop
        waits in any case: it is the flush).
        """
        try:
            data = json.dumps(body, default=_json_default, allow_nan=False)
        except (TypeError, ValueError) as exc:
            logger.warning("Command Center: cannot encode POST %s: %s", path, exc)
            return None
        key = str(uuid.uuid4())
        ticket = self._sender.watch(key) if wait_s else None
        try:
            appended = self._spool.append(kind, path, data, key, creates)
        except sqlite3.Error as exc:
            self._sender.unwatch(key)
            logger.warning("Command Center: cannot spool POST %s: %s", path, exc)
            return None
        if appended.evicted_kind or appended.seq is None:
            self._log_spool_full(appended.evicted_kind or kind)
        if appended.seq is None:
            self._sender.unwatch(key)
            return None
        self._sender.wake()
        outcome = None
        if ticket is not None:
            if until_final:
                self._sender.retry_now()
                outcome = ticket.wait(wait_s, until_final=True)
            elif appended.ahead == 0 and self._sender.healthy is not False:
                outcome = ticket.wait(wait_s, until_final=False)
            self._sender.unwatch(key)
        return Queued(key, appended.local_ids, outcome)

    @staticmethod
    def _created_id(queued: Queued) -> int:
        if isinstance(queued.outcome, Delivery) and queued.outcome.server_ids:
            return queued.outcome.server_ids[0]
        return queued.local_ids[0]

    def _on_mapped(self, mapped: List[Tuple[int, int]]) -> None:
        """Sender callback: provisional ids got their server ids."""
        for local_id, server_id in mapped:
            if self.current_run_id == local_id:
                self.current_run_id = server_id
                logger.info("Command Center run #%d created (was provisional #%d)", server_id, local_id)
            if self._last_stopped_run_id == local_id:
                self._last_stopped_run_id = server_id

    def _log_spool_full(self, dropped_kind: str) -> None:
        logger.warning("Command Center spool full (%d items): dropped one %s item (%d dropped so far)",
                       self.settings.spool_max_items, dropped_kind, self._spool.dropped[dropped_kind])

    # ========== Shutdown ==========

    def _flush_at_exit(self) -> None:
        if self._sender is None or self._sender.drained():
            return
        if not self.flush():
            logger.warning("Command Center: %d items not delivered at exit; they stay in %s and are "
                           "delivered by the next start", self._spool.pending, self._spool.path)

    def _install_sigterm_handler(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        previous = signal.getsignal(signal.SIGTERM)
        if previous is None:  # installed outside Python: cannot be chained
            return

        def on_sigterm(signum: int, frame: Any) -> None:
            self._flush_at_exit()
            if callable(previous):
                previous(signum, frame)
            elif previous == signal.SIG_DFL:
                signal.signal(signum, signal.SIG_DFL)
                os.kill(os.getpid(), signum)

        signal.signal(signal.SIGTERM, on_sigterm)


# ========== Singleton Instance ==========
# Import this in other modules: `from polymaker_client import cc`
cc = PolyMakerClient()
