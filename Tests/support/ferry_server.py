"""The one launcher of the real `ferry serve` binary, shared by every Python suite (browser, CLI,
signalling, HTTP/2) and by the benchmarks: SQLite in a data folder, or a fresh database of the
throw-away PostgreSQL server that scripts/test starts (FERRY_TEST_POSTGRES_URL).

Suites put this folder on `sys.path` (their conftest does) and `from ferry_server import …`."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60
URL_PATTERN = re.compile(r"https?://127\.0\.0\.1:(\d+)")
SETUP_PATTERN = re.compile(r"https?://\S+/setup/[A-Za-z0-9_-]+")


class LaunchError(RuntimeError):
    """The server did not come up (the message carries its output)."""


def binary() -> Path:
    """The `ferry` binary under test: FERRY_BIN, else the debug build."""
    path = Path(os.environ.get("FERRY_BIN", ".build/debug/ferry"))
    if not path.is_absolute():
        path = ROOT / path
    if not path.exists():
        raise LaunchError(f"server binary {path} not found: build it first or set FERRY_BIN")
    return path


def backends() -> list[str]:
    """SQLite always; PostgreSQL when the test command started a server."""
    return ["sqlite", "postgres"] if os.environ.get("FERRY_TEST_POSTGRES_URL") else ["sqlite"]


def database_url(backend: str) -> str | None:
    """A new, empty database for one server (None: the SQLite file in --data)."""
    if backend == "sqlite":
        return None
    base = os.environ["FERRY_TEST_POSTGRES_URL"]
    name = "ferry_py_" + uuid.uuid4().hex
    subprocess.run(["psql", base, "-q", "-c", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    return base.rsplit("/", 1)[0] + "/" + name


class Server:
    """A running `ferry serve` on 127.0.0.1 and an ephemeral port: its URL and port, the one-time
    set-up link it printed, and everything it printed (drained all the time, so the server never
    blocks on a full pipe)."""

    def __init__(self, data: Path | str | None = None, database: str | None = None, extra: list[str] | None = None,
                 *, public: Path | str = "Public", env: dict[str, str] | None = None,
                 log_level: str | None = None, access_log: bool = False) -> None:
        self.data = Path(data) if data is not None else Path(tempfile.mkdtemp(prefix="ferry-data-"))
        self.database = database
        self.public = str(public)
        args = [str(binary()), "serve", "--host", "127.0.0.1", "--port", "0", "--public", self.public,
                "--templates", "Templates", "--data", str(self.data), *(extra or [])]
        if not access_log:
            args += ["--access-log", "off"]
        if log_level:
            args += ["--log-level", log_level]
        if database:
            args += ["--database", database]
        self.process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                        start_new_session=True, env=dict(os.environ, **(env or {})))
        self.output: list[str] = []
        lines: queue.Queue[str | None] = queue.Queue()

        def pump() -> None:
            assert self.process.stdout is not None
            for line in self.process.stdout:
                self.output.append(line)
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        self.url: str | None = None
        self.port = 0
        self.setup_link: str | None = None
        try:
            while self.url is None:
                line = lines.get(timeout=START_TIMEOUT_S)
                if line is None:
                    raise LaunchError("server exited before listening:\n" + self.log())
                if match := URL_PATTERN.search(line):
                    self.url, self.port = match.group(0), int(match.group(1))
        except queue.Empty:
            self.stop()
            raise LaunchError("server printed no URL:\n" + self.log()) from None
        # The set-up link, if any, is printed together with the listening line.
        try:
            while self.setup_link is None:
                line = lines.get(timeout=2)
                if line is None:
                    break
                if match := SETUP_PATTERN.search(line):
                    self.setup_link = match.group(0)
        except queue.Empty:
            pass

    def log(self) -> str:
        return "".join(self.output)

    def wait_for(self, pattern: str, timeout: float = 10) -> re.Match[str]:
        """The first match of `pattern` in what the server printed, waiting up to `timeout` s."""
        deadline = time.monotonic() + timeout
        while True:
            if match := re.search(pattern, self.log()):
                return match
            if time.monotonic() > deadline:
                raise AssertionError(f"the server never printed {pattern!r}:\n" + self.log()[-3000:])
            time.sleep(0.05)

    def metrics(self) -> dict[str, float]:
        """The unlabelled samples of `GET /metrics` (e.g. `ferry_network_sent_bytes_total`), by name.
        The scrape counts its own request in the byte counters, not its own response."""
        assert self.url
        with urllib.request.urlopen(self.url + "/metrics", timeout=30) as answer:
            text = answer.read().decode()
        samples: dict[str, float] = {}
        for line in text.splitlines():
            name, _, value = line.partition(" ")
            if line and not line.startswith("#") and "{" not in name:
                samples[name] = float(value)
        return samples

    def store_args(self) -> list[str]:
        """The options that point a CLI command at this server's store."""
        return ["--data", str(self.data)] + (["--database", self.database] if self.database else [])

    def cli(self, *args: str, password: str | None = None, timeout: float = 60) -> str:
        """Runs `ferry ARGS` against this server's store; fails on a non-zero exit; returns stdout."""
        command = [str(binary()), *args, *self.store_args()]
        if password is not None:
            command.append("--password-stdin")
        result = subprocess.run(command, cwd=ROOT, input=(password + "\n") if password is not None else None,
                                capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            raise AssertionError(f"ferry {' '.join(args)} failed: {result.stderr}")
        return result.stdout

    def stop(self, check: bool = False) -> None:
        """SIGTERM (the graceful drain), SIGKILL after 20 s. `check`: fail if it had died before."""
        crashed = self.process.poll() is not None
        if not crashed:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        if check and crashed:
            raise AssertionError("the server died during the tests:\n" + self.log()[-6000:])
