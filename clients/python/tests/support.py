"""Helpers shared by the tests: the real API server, admin read-back, clients.

Importing this module puts the repository's ``polymaker_client`` first on
``sys.path`` and removes POLYMAKER_* variables from the environment, so that
importing the module under test never starts a client on the developer's own
spool.
"""

import http.client
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT_DIR = os.path.dirname(HERE)
REPO_ROOT = os.path.dirname(os.path.dirname(CLIENT_DIR))
PLAY_SESSION = os.path.join(REPO_ROOT, "tools", "bot-session", "play_session.py")
BOT_CHILD = os.path.join(HERE, "bot_child.py")

for _name in [n for n in os.environ if n.startswith("POLYMAKER_")]:
    del os.environ[_name]
sys.path.insert(0, CLIENT_DIR)

if not os.environ.get("PM_TEST_CLIENT_LOG"):  # set it to see the client's log while testing
    logging.getLogger("polymaker_client").addHandler(logging.NullHandler())

import polymaker_client  # noqa: E402  (after the path, environment and logging set-up)

API_CMD = os.environ.get("PM_TEST_API_CMD")
DATABASE_URL = os.environ.get("PM_TEST_DATABASE_URL")
SKIP_REASON = ("PM_TEST_API_CMD is not set: tests against the real Command Center API are skipped "
               "(set PM_TEST_API_CMD and PM_TEST_DATABASE_URL to run them)")

BOT_KEY = "pm-test-bot-key-0123456789abcdef"
ADMIN_KEY = "pm-test-admin-key-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate: Callable[[], bool], timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


def http_json(url: str, path: str, key: Optional[str] = None, timeout: float = 10) -> Any:
    """GET a JSON document; raises AssertionError on a non-2xx answer."""
    host, port = url.replace("http://", "").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request("GET", path, headers={"X-Api-Key": key} if key else {})
        response = conn.getresponse()
        raw = response.read()
    finally:
        conn.close()
    if not 200 <= response.status < 300:
        raise AssertionError("GET %s answered %d: %s" % (path, response.status, raw[:500]))
    return json.loads(raw.decode("utf-8"))


class ApiServer:
    """The real API, started with PM_TEST_API_CMD on a fixed port and database.

    ``database_url=None`` starts it without DATABASE_URL: it runs its own
    embedded PostgreSQL under DATA_DIR (pass one in ``env``).
    """

    def __init__(self, database_url: Optional[str] = DATABASE_URL, env: Optional[Dict[str, str]] = None) -> None:
        self.database_url = database_url
        self.env = dict(env or {})
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log = tempfile.NamedTemporaryFile(prefix="pm-api-", suffix=".log", delete=False)
        self._proc: Optional[subprocess.Popen] = None

    def start(self, timeout: float = 90) -> None:
        env = dict(os.environ, PORT=str(self.port), BOT_API_KEY=BOT_KEY, ADMIN_API_KEY=ADMIN_KEY, **self.env)
        env.pop("DATABASE_URL", None)
        if self.database_url:
            env["DATABASE_URL"] = self.database_url
        # exec: the shell becomes the API process, so stop() waits for the API itself to exit (a shell
        # killed by the group's SIGTERM returned at once, while the API still answered during its shutdown)
        self._proc = subprocess.Popen("exec " + API_CMD, shell=True, env=env, start_new_session=True,
                                      stdout=self.log, stderr=subprocess.STDOUT)
        if not wait_until(self.healthy, timeout, interval=0.2):
            self.kill()
            raise RuntimeError("the API did not answer GET /health within %ss; its log: %s" % (timeout, self.log.name))

    def healthy(self) -> bool:
        if self._proc is not None and self._proc.poll() is not None:
            raise RuntimeError("the API exited with %s; its log: %s" % (self._proc.returncode, self.log.name))
        try:
            return isinstance(http_json(self.url, "/health", timeout=2), dict)
        except (OSError, AssertionError, ValueError):
            return False

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def ensure_up(self) -> None:
        if not self.running:
            self.start()

    def stop(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def _signal(self, sig: int) -> None:
        if not self.running:
            return
        try:
            os.killpg(self._proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            self._proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(self._proc.pid, signal.SIGKILL)
            self._proc.wait(15)
        self._proc = None


class Admin:
    """What a user sees through the admin API."""

    def __init__(self, url: str) -> None:
        self.url = url

    def get(self, path: str) -> Any:
        return http_json(self.url, path, ADMIN_KEY)

    def runs(self) -> List[Dict[str, Any]]:
        return self.get("/api/v1/runs?limit=100")["items"]

    def max_run_id(self) -> int:
        return max([run["id"] for run in self.runs()] or [0])

    def runs_after(self, run_id: int) -> List[Dict[str, Any]]:
        return sorted((run for run in self.runs() if run["id"] > run_id), key=lambda run: run["id"])

    def run(self, run_id: int) -> Dict[str, Any]:
        return self.get("/api/v1/runs/%d" % run_id)

    def trades(self, run_id: int) -> List[Dict[str, Any]]:
        return self.get("/api/v1/trades?runId=%d&limit=1000" % run_id)["items"]

    def metrics(self, run_id: int) -> List[Dict[str, Any]]:
        return self.get("/api/v1/runs/%d/metrics" % run_id)["items"]


def client_env(url: str, spool_dir: str, **overrides: Any) -> Dict[str, str]:
    env = {
        "POLYMAKER_URL": url,
        "POLYMAKER_API_KEY": BOT_KEY,
        "POLYMAKER_SPOOL_PATH": os.path.join(spool_dir, "spool.sqlite3"),
        "POLYMAKER_RETRY_MAX_SECONDS": "1",
        "POLYMAKER_TIMEOUT": "5",
    }
    env.update({key: str(value) for key, value in overrides.items()})
    return env


def make_client(url: str, spool_dir: str, **overrides: Any) -> "polymaker_client.PolyMakerClient":
    return polymaker_client.PolyMakerClient(env=client_env(url, spool_dir, **overrides),
                                            install_signal_handler=False)


def dead_url() -> str:
    """A local URL where nothing listens: the server is down."""
    return "http://127.0.0.1:%d" % free_port()


def percentile(samples: List[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Seen(NamedTuple):
    """One request the proxy saw, and what it answered."""

    method: str
    path: str  # without the /api/bot prefix
    key: Optional[str]  # Idempotency-Key
    body: Any  # parsed JSON (None for a GET)
    status: int  # what the client got
    injected: bool  # answered by the proxy, not the API
    retry_after: Optional[str] = None  # the Retry-After header of the answer


# (method, path, body) -> None to forward to the API, or (status, headers, JSON body) to answer instead
Rule = Callable[[str, str, Any], Optional[Tuple[int, Dict[str, str], Any]]]


class FaultProxy:
    """A loopback HTTP proxy in front of the real API that injects faults at the edge.

    It forwards every request unchanged unless ``rule`` answers it instead
    (without forwarding: the API never sees an injected failure). ``down``
    makes it answer 502 to everything, like a reverse proxy whose API is gone.
    Every request is recorded in ``seen``.
    """

    def __init__(self, upstream_url: str, rule: Optional[Rule] = None) -> None:
        self.upstream = upstream_url.replace("http://", "").split(":")
        self.rule = rule
        self.down = False
        self.seen: List[Seen] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                proxy._handle(self)

            def do_POST(self) -> None:
                proxy._handle(self)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = "http://127.0.0.1:%d" % self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="fault-proxy", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def posts(self, path: Optional[str] = None) -> List[Seen]:
        with self._lock:
            return [s for s in self.seen if s.method == "POST" and (path is None or s.path == path)]

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        raw = handler.rfile.read(length) if length else b""
        try:
            body = json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            body = None
        path = handler.path[len("/api/bot"):] if handler.path.startswith("/api/bot") else handler.path
        rule = self.rule
        injected = (502, {}, {"statusCode": 502, "message": "Bad gateway: the API is down"}) if self.down else (
            rule(handler.command, path, body) if rule else None)
        if injected is None:
            status, headers, payload = self._forward(handler, raw)
        else:
            status, headers, data = injected
            payload = json.dumps(data).encode("utf-8")
        with self._lock:
            self.seen.append(Seen(handler.command, path, handler.headers.get("Idempotency-Key"), body, status,
                                  injected is not None,
                                  next((v for k, v in headers.items() if k.lower() == "retry-after"), None)))
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def _forward(self, handler: BaseHTTPRequestHandler, raw: bytes) -> Tuple[int, Dict[str, str], bytes]:
        conn = http.client.HTTPConnection(self.upstream[0], int(self.upstream[1]), timeout=30)
        try:
            headers = {k: v for k, v in handler.headers.items() if k.lower() not in ("host", "connection")}
            conn.request(handler.command, handler.path, body=raw or None, headers=headers)
            response = conn.getresponse()
            data = response.read()
            kept = {k: v for k, v in response.getheaders() if k.lower() in ("retry-after", "idempotent-replayed")}
            return response.status, kept, data
        except OSError:
            return 502, {}, b'{"statusCode":502,"message":"Bad gateway: the API is down"}'
        finally:
            conn.close()


def carries_cycle(body: Any, cycle: int) -> bool:
    """Is this a trade (or a batch with a trade) of the given cycle?"""
    if not isinstance(body, dict):
        return False
    trades = body.get("trades") if isinstance(body.get("trades"), list) else [body]
    return any(isinstance(t, dict) and t.get("cycle") == cycle for t in trades)


class RealApiTestCase:
    """Set-up shared by the suites that talk to a real API process: one server per class, the
    admin client, the served config id, a temporary spool directory per test and the last run id
    before it (so a test reads only the runs it made). Mixed into unittest.TestCase."""

    server: "ApiServer"
    admin: "Admin"
    config_id: int

    @classmethod
    def setUpClass(cls):
        cls.server = ApiServer()
        cls.server.start()
        cls.admin = Admin(cls.server.url)
        cls.config_id = http_json(cls.server.url, "/api/bot/config", BOT_KEY)["id"]

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.server.ensure_up()
        self.dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.dir)  # type: ignore[attr-defined]
        self.last_run_before = self.admin.max_run_id()
