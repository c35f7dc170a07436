"""Starts the real `ferry serve` binary for browser and CLI tests, on SQLite or on a fresh database
of the throw-away PostgreSQL server that scripts/test starts (FERRY_TEST_POSTGRES_URL)."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import threading
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_S = 60
URL_PATTERN = re.compile(r"http://127\.0\.0\.1:\d+")
SETUP_PATTERN = re.compile(r"http://\S+/setup/[A-Za-z0-9_-]+")


def binary() -> Path:
    path = Path(os.environ.get("FERRY_BIN", ".build/debug/ferry"))
    if not path.is_absolute():
        path = ROOT / path
    if not path.exists():
        pytest.fail(f"server binary {path} not found: build it first or set FERRY_BIN")
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
    """A running `ferry serve`: its URL, the one-time setup link it printed, its output."""

    def __init__(self, data: Path, database: str | None, extra: list[str] | None = None) -> None:
        args = [str(binary()), "serve", "--host", "127.0.0.1", "--port", "0", "--public", "Public",
                "--templates", "Templates", "--data", str(data), "--access-log", "off", *(extra or [])]
        if database:
            args += ["--database", database]
        self.database = database
        self.data = data
        self.process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                        text=True, start_new_session=True)
        self.output: list[str] = []
        lines: queue.Queue[str | None] = queue.Queue()

        def pump() -> None:  # keeps draining so the server never blocks on a full pipe
            assert self.process.stdout is not None
            for line in self.process.stdout:
                self.output.append(line)
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        self.url: str | None = None
        self.setup_link: str | None = None
        try:
            while self.url is None:
                line = lines.get(timeout=START_TIMEOUT_S)
                if line is None:
                    pytest.fail("server exited before listening:\n" + "".join(self.output))
                if match := URL_PATTERN.search(line):
                    self.url = match.group(0)
        except queue.Empty:
            self.stop()
            pytest.fail("server printed no URL:\n" + "".join(self.output))
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

    def store_args(self) -> list[str]:
        """The options that point a CLI command at this server's store."""
        return ["--data", str(self.data)] + (["--database", self.database] if self.database else [])

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
