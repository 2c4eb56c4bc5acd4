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
import signal
import socket
import subprocess
import sys
import tempfile
import time
from typing import Any, Callable, Dict, List, Optional

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
    """The real API, started with PM_TEST_API_CMD on a fixed port and database."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log = tempfile.NamedTemporaryFile(prefix="pm-api-", suffix=".log", delete=False)
        self._proc: Optional[subprocess.Popen] = None

    def start(self, timeout: float = 90) -> None:
        env = dict(os.environ, PORT=str(self.port), BOT_API_KEY=BOT_KEY, ADMIN_API_KEY=ADMIN_KEY)
        if DATABASE_URL:
            env["DATABASE_URL"] = DATABASE_URL
        self._proc = subprocess.Popen(API_CMD, shell=True, env=env, start_new_session=True,
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
