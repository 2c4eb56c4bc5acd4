#!/usr/bin/env python3
"""Play one whole recorded bot session against a Command Center and check it.

Replays recorded-session.jsonl request by request over real HTTP (same method,
path, headers and JSON bodies as the field client sent), with the ids the
server hands out put in place of the recorded ones, checks every answer
against the wire contract, then reads everything back through the admin API
and checks it was stored as sent.

    python3 play_session.py --url http://127.0.0.1:3000 --bot-key KEY --admin-key KEY [--idempotency]

Environment fallbacks: POLYMAKER_URL, POLYMAKER_API_KEY, POLYMAKER_ADMIN_KEY.
Exit status 0 when everything matches, 1 on the first mismatch, 2 on usage errors.
Standard library only.
"""

import argparse
import copy
import gzip
import http.client
import json
import os
import sys
import uuid
import zlib
from datetime import datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Dict, List, Optional, Tuple
from urllib.parse import quote, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SESSION = os.path.join(HERE, "recorded-session.jsonl")
KEY_PLACEHOLDER = "<POLYMAKER_API_KEY>"


class Mismatch(Exception):
    """The server did not do what the contract says."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise Mismatch(message)


# ------------------------------------------------------------------ HTTP


class Response:
    def __init__(self, status: int, raw: bytes):
        self.status = status
        self.raw = raw
        try:
            self.json: Any = json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            self.json = None

    def describe(self) -> str:
        return "%d %s" % (self.status, self.raw[:300].decode("utf-8", "replace"))


class Http:
    """A keep-alive connection, like the requests session of the field client."""

    def __init__(self, base_url: str, timeout: float = 30):
        parts = urlsplit(base_url)
        conn_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
        self._conn = conn_class(parts.hostname or "localhost", parts.port, timeout=timeout)
        self._prefix = parts.path.rstrip("/")

    def request(self, method: str, path: str, headers: Dict[str, str], body: Any = None) -> Response:
        data = None if body is None else json.dumps(body).encode("utf-8")
        try:
            self._conn.request(method, self._prefix + path, body=data, headers=headers)
            response = self._conn.getresponse()
            raw = response.read()
        except (OSError, http.client.HTTPException) as exc:
            self._conn.close()
            raise Mismatch("%s %s: no answer (%s)" % (method, path, exc)) from exc
        encoding = (response.getheader("Content-Encoding") or "").lower()
        if encoding == "gzip":
            raw = gzip.decompress(raw)
        elif encoding == "deflate":
            raw = zlib.decompress(raw)
        if response.will_close:
            self._conn.close()
        return Response(response.status, raw)


class Admin:
    """Read-back through the admin REST API."""

    def __init__(self, http: Http, admin_key: str):
        self._http = http
        self._headers = {"X-Api-Key": admin_key, "Accept": "application/json"}

    def get(self, path: str) -> Any:
        response = self._http.request("GET", path, self._headers)
        check(200 <= response.status < 300 and response.json is not None,
              "admin GET %s answered %s" % (path, response.describe()))
        return response.json


# ------------------------------------------------------------------ comparing


def as_decimal(value: Any) -> Optional[Decimal]:
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def same(expected: Any, actual: Any) -> bool:
    """Equal as the contract means it: numbers as decimals, objects key by key."""
    if isinstance(expected, (int, float)) and not isinstance(expected, bool):
        return as_decimal(actual) is not None and as_decimal(expected) == as_decimal(actual)
    if isinstance(expected, dict):
        return isinstance(actual, dict) and set(expected) == set(actual) and all(
            same(value, actual[key]) for key, value in expected.items())
    if isinstance(expected, list):
        return isinstance(actual, list) and len(expected) == len(actual) and all(
            same(e, a) for e, a in zip(expected, actual))
    return expected == actual


def same_instant(expected: str, actual: Any) -> bool:
    try:
        return datetime.fromisoformat(expected) == datetime.fromisoformat(str(actual).replace("Z", "+00:00"))
    except ValueError:
        return False


def expect_field(what: str, record: Dict[str, Any], field: str, expected: Any) -> None:
    actual = record.get(field)
    if field == "fillTimestamp" and expected is not None:
        check(same_instant(expected, actual), "%s: %s is %r, sent %r" % (what, field, actual, expected))
        return
    check(same(expected, actual), "%s: %s is %r, sent %r" % (what, field, actual, expected))


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# ------------------------------------------------------------------ the session


class Session:
    """Replays the recording and remembers what the server answered."""

    def __init__(self, http: Http, bot_key: str, idempotency: bool, log):
        self.http = http
        self.bot_key = bot_key
        self.idempotency = idempotency
        self.log = log
        self.config_id: Optional[int] = None
        self.run_id: Optional[int] = None
        self.trade_ids: List[int] = []
        self.trades_sent: List[Dict[str, Any]] = []  # bodies as sent, in trade id order
        self.trade_updates: List[Dict[str, Any]] = []
        self.metrics_sent: List[Dict[str, Any]] = []
        self.markets_sent: List[Dict[str, Any]] = []
        self.stops: List[Dict[str, Any]] = []
        self.requests = 0

    def play(self, recording: List[Dict[str, Any]]) -> None:
        for number, entry in enumerate(recording, 1):
            method, path = entry["method"], entry["path"]
            body = self.substitute(entry.get("body"))
            headers = {k: v.replace(KEY_PLACEHOLDER, self.bot_key) for k, v in entry["headers"].items()}
            if method == "POST" and self.idempotency:
                headers["Idempotency-Key"] = str(uuid.uuid4())
            response = self.send(number, method, path, headers, body)
            if method == "POST" and self.idempotency:
                replay = self.send(number, method, path, headers, body)
                check(replay.status == response.status and replay.json == response.json,
                      "#%d %s %s replayed with the same Idempotency-Key answered %s, first answer was %s"
                      % (number, method, path, replay.describe(), response.describe()))
            self.absorb(number, path, body, response.json)

    def send(self, number: int, method: str, path: str, headers: Dict[str, str], body: Any) -> Response:
        response = self.http.request(method, path, headers, body)
        self.requests += 1
        check(200 <= response.status < 300, "#%d %s %s answered %s" % (number, method, path, response.describe()))
        check(isinstance(response.json, dict),
              "#%d %s %s: a success must be a JSON object, got %s" % (number, method, path, response.describe()))
        self.log("  #%-2d %-4s %-22s -> %d" % (number, method, path, response.status))
        return response

    def substitute(self, body: Any) -> Any:
        """Put the ids this server gave in place of the recorded ones."""
        if not isinstance(body, dict):
            return body
        body = copy.deepcopy(body)
        if "configId" in body:
            check(self.config_id is not None, "run/start before GET /config gave a config id")
            body["configId"] = self.config_id
        if "runId" in body:
            body["runId"] = self.run_id
        if "tradeId" in body:
            index = body["tradeId"] - 1  # recorded trade id N = the N-th trade the server created
            check(0 <= index < len(self.trade_ids), "recording refers to trade %s before it exists" % body["tradeId"])
            body["tradeId"] = self.trade_ids[index]
        if isinstance(body.get("trades"), list):
            body["trades"] = [self.substitute(trade) for trade in body["trades"]]
        return body

    def absorb(self, number: int, path: str, body: Any, answer: Dict[str, Any]) -> None:
        where = "#%d %s" % (number, path)
        if path == "/api/bot/config":
            check(is_int(answer.get("id")), "%s: the config must include an integer id, got %r" % (where, answer))
            self.config_id = answer["id"]
        elif path == "/api/bot/run/start":
            check(is_int(answer.get("runId")), "%s: runId must be an integer, got %r" % (where, answer))
            self.run_id = answer["runId"]
        elif path == "/api/bot/trade":
            check(is_int(answer.get("tradeId")), "%s: tradeId must be an integer, got %r" % (where, answer))
            self.trade_ids.append(answer["tradeId"])
            self.trades_sent.append(body)
        elif path == "/api/bot/trade/batch":
            ids = answer.get("tradeIds")
            check(isinstance(ids, list) and len(ids) == len(body["trades"]) and all(map(is_int, ids)),
                  "%s: tradeIds must be %d integers in input order, got %r" % (where, len(body["trades"]), answer))
            self.trade_ids.extend(ids)
            self.trades_sent.extend(body["trades"])
        elif path == "/api/bot/trade/update":
            self.trade_updates.append(body)
        elif path == "/api/bot/run/update":
            self.metrics_sent.append(body)
        elif path == "/api/bot/markets/report":
            self.markets_sent.extend(body["markets"])
        elif path == "/api/bot/run/stop":
            analysis = answer.get("analysis")
            check(isinstance(analysis, dict), "%s: the stop answer has no analysis object: %r" % (where, answer))
            score = analysis.get("overallScore")
            check(isinstance(score, (int, float)) and not isinstance(score, bool) and 0 <= score <= 100,
                  "%s: analysis.overallScore must be a number in 0..100, got %r" % (where, score))
            self.stops.append(analysis)


# ------------------------------------------------------------------ read-back


def verify_stops(session: Session) -> None:
    check(len(session.stops) >= 2, "the recording should stop the run twice")
    first = session.stops[0]
    for analysis in session.stops[1:]:
        check(analysis == first, "a second run/stop must return the first stop's analysis: %r vs %r" % (analysis, first))


def verify_run(admin: Admin, session: Session, start_body: Dict[str, Any]) -> Dict[str, Any]:
    run = admin.get("/api/v1/runs/%d" % session.run_id)
    what = "run %d" % session.run_id
    check(run.get("id") == session.run_id, "%s: admin API returned id %r" % (what, run.get("id")))
    check(run.get("status") == "completed", "%s: status is %r, expected 'completed'" % (what, run.get("status")))
    check(run.get("mode") == start_body["mode"], "%s: mode is %r, sent %r" % (what, run.get("mode"), start_body["mode"]))
    expect_field(what, run, "startingBankroll", start_body["startingBankroll"])
    if "configId" in run:
        expect_field(what, run, "configId", session.config_id)
    return run


def verify_trades(admin: Admin, session: Session) -> List[Dict[str, Any]]:
    listing = admin.get("/api/v1/trades?runId=%d&limit=1000" % session.run_id)
    items = listing.get("items") if isinstance(listing, dict) else None
    check(isinstance(items, list), "GET /api/v1/trades: expected {items: [...]}, got %r" % (listing,))
    check(len(items) == len(session.trades_sent),
          "run %d has %d trades, %d were sent (duplicates or losses)" % (session.run_id, len(items), len(session.trades_sent)))
    stored = {item.get("id"): item for item in items}
    check(set(stored) == set(session.trade_ids),
          "trade ids stored %s differ from the ids answered %s" % (sorted(stored, key=str), sorted(session.trade_ids)))
    updates: Dict[int, Dict[str, Any]] = {}
    for update in session.trade_updates:
        updates.setdefault(update["tradeId"], {}).update({k: v for k, v in update.items() if k != "tradeId"})
    for trade_id, sent in zip(session.trade_ids, session.trades_sent):
        trade, what = stored[trade_id], "trade %d" % trade_id
        expect_field(what, trade, "runId", session.run_id)
        for field in ("cycle", "asset", "windowDuration", "outcome", "price", "size", "strategy"):
            expect_field(what, trade, field, sent[field])
        expect_field(what, trade, "side", sent["side"].lower())
        for field in ("tokenId", "conditionId"):
            expect_field(what, trade, field, sent.get(field))
        update = updates.get(trade_id, {})
        expect_field(what, trade, "status", update.get("status", "placed"))
        for field, value in update.items():
            if field != "status":
                expect_field(what, trade, field, value)
    return items


def metric_value(point: Dict[str, Any], key: str) -> Tuple[bool, Any]:
    """A metric is a column of the point or kept among its extra keys."""
    extra = point.get("extra") if isinstance(point.get("extra"), dict) else {}
    if key in point:
        return True, point[key]
    if key in extra:
        return True, extra[key]
    return False, None


def metric_mismatch(point: Dict[str, Any], sent: Dict[str, Any]) -> Optional[str]:
    """Why a stored metric point is not the one sent (None: it is)."""
    for key, value in sent.items():
        found, actual = metric_value(point, key)
        if value is None and not found:
            continue  # a null metric may be stored as absent
        if not found:
            return "%s=%r is not stored" % (key, value)
        if not same(value, actual):
            return "%s is %r, sent %r" % (key, actual, value)
    return None


def verify_metrics(admin: Admin, session: Session) -> int:
    listing = admin.get("/api/v1/runs/%d/metrics" % session.run_id)
    points = listing.get("items") if isinstance(listing, dict) else None
    check(isinstance(points, list),
          "GET /api/v1/runs/%d/metrics: expected {items: [...]}, got %r" % (session.run_id, listing))
    for sent in session.metrics_sent:
        sent = {k: v for k, v in sent.items() if k != "runId"}
        reasons = [metric_mismatch(point, sent) for point in points]
        check(reasons.count(None) == 1, "expected exactly one metric point as sent, found %d; %s"
              % (reasons.count(None), "; ".join("point %d: %s" % (i, r) for i, r in enumerate(reasons) if r)))
    return len(points)


def verify_markets(admin: Admin, session: Session) -> None:
    for sent in session.markets_sent:
        # The recorded market expired long ago: ask for expired ones too (listed after the live ones),
        # narrowed by its slug so it is on the first page whatever else the watchlist holds.
        query = "includeExpired=true&limit=1000"
        if sent.get("windowId"):
            query += "&search=" + quote(str(sent["windowId"]), safe="")
        listing = admin.get("/api/v1/markets?" + query)
        items = listing.get("items") if isinstance(listing, dict) else None
        check(isinstance(items, list), "GET /api/v1/markets: expected {items: [...]}, got %r" % (listing,))
        found = [m for m in items if isinstance(m, dict) and m.get("tokenId") == sent["tokenId"]]
        check(len(found) == 1, "market %s (%s) should be in the watchlist once, found %d"
              % (sent["tokenId"], sent.get("windowId"), len(found)))
        what = "market %s" % sent["tokenId"]
        for field in ("asset", "window", "windowId", "tokenIdDown", "conditionId"):
            expect_field(what, found[0], field, sent.get(field))
        if sent.get("expiresAt"):
            expected = sent["expiresAt"]
            if expected.isdigit():  # unix seconds
                expected = datetime.fromtimestamp(int(expected), timezone.utc).isoformat()
            check(same_instant(expected, found[0].get("expiresAt")),
                  "%s: expiresAt is %r, sent %r" % (what, found[0].get("expiresAt"), sent["expiresAt"]))


def count_runs(admin: Admin) -> int:
    listing = admin.get("/api/v1/runs?limit=1")
    check(isinstance(listing, dict) and is_int(listing.get("total")),
          "GET /api/v1/runs: expected {items, total}, got %r" % (listing,))
    return listing["total"]


# ------------------------------------------------------------------ main


def load_recording(path: str) -> List[Dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def play(url: str, bot_key: str, admin_key: str, session_path: str, idempotency: bool, quiet: bool) -> None:
    log = (lambda *_: None) if quiet else print
    recording = load_recording(session_path)
    http = Http(url)
    admin = Admin(http, admin_key)
    runs_before = count_runs(admin)

    log("Playing %d recorded requests against %s%s" % (len(recording), url,
                                                        " (each POST twice, same Idempotency-Key)" if idempotency else ""))
    session = Session(http, bot_key, idempotency, log)
    session.play(recording)
    verify_stops(session)

    start_body = next(session.substitute(e["body"]) for e in recording if e["path"] == "/api/bot/run/start")
    verify_run(admin, session, start_body)
    trades = verify_trades(admin, session)
    points = verify_metrics(admin, session)
    verify_markets(admin, session)
    runs_after = count_runs(admin)
    check(runs_after == runs_before + 1,
          "the session created %d runs, expected exactly 1" % (runs_after - runs_before))

    print("OK: %d requests; config %d, run %d (completed, score %s), %d trades %s, %d metric point(s), "
          "%d market(s) checked through the admin API"
          % (session.requests, session.config_id, session.run_id, session.stops[0]["overallScore"],
             len(trades), session.trade_ids, points, len(session.markets_sent)))


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("POLYMAKER_URL"), help="Command Center base URL")
    parser.add_argument("--bot-key", default=os.environ.get("POLYMAKER_API_KEY"), help="API key with bot scope")
    parser.add_argument("--admin-key", default=os.environ.get("POLYMAKER_ADMIN_KEY"), help="API key with admin scope")
    parser.add_argument("--session", default=DEFAULT_SESSION, help="recorded session (JSON lines)")
    parser.add_argument("--idempotency", action="store_true",
                        help="send an Idempotency-Key on every POST and replay each POST once more")
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    args = parser.parse_args(argv)
    missing = [flag for flag, value in (("--url", args.url), ("--bot-key", args.bot_key),
                                        ("--admin-key", args.admin_key)) if not value]
    if missing:
        parser.error("missing %s (or POLYMAKER_URL / POLYMAKER_API_KEY / POLYMAKER_ADMIN_KEY)" % ", ".join(missing))
    url = args.url[:-1] if args.url.endswith("/") else args.url
    try:
        play(url, args.bot_key, args.admin_key, args.session, args.idempotency, args.quiet)
    except Mismatch as exc:
        print("FAIL: %s" % exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
