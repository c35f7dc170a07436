"""Fixtures for the `ferry send` / `ferry get` tests: a real `ferry serve`, a member with an API
token (write scope) made with the CLI, and helpers that run the two commands as subprocesses with
their own cache folder (the resume state)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from ferry_server import ROOT, Server, binary  # noqa: E402

PASSWORD = "correct horse battery staple"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def make_file(path: Path, size: int, seed: int = 0) -> Path:
    """A file of `size` pseudo-random bytes (fast: a 1 MiB block repeated with a counter)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    block = hashlib.sha256(str(seed).encode()).digest() * (1 << 15)  # 1 MiB
    with open(path, "wb") as file:
        written = 0
        counter = 0
        while written < size:
            piece = counter.to_bytes(8, "big") + block[8:]
            piece = piece[: size - written]
            file.write(piece)
            written += len(piece)
            counter += 1
    return path


@dataclass
class Cli:
    """`ferry send` and `ferry get` against one server, with one cache folder."""
    server: Server
    token: str
    cache: Path

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ, FERRY_SERVER=self.server.url or "", FERRY_TOKEN=self.token,
                   XDG_CACHE_HOME=str(self.cache))
        env.pop("FERRY_DROP_PASSWORD", None)
        env.update(extra)
        return env

    def run(self, *args: str, input: bytes | None = None, env: dict[str, str] | None = None,
            cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([str(binary()), *args], input=input, capture_output=True, timeout=timeout,
                              env=env or self.env(), cwd=cwd or ROOT)

    def popen(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        return subprocess.Popen([str(binary()), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                env=env or self.env(), cwd=ROOT)

    def send(self, *args: str, input: bytes | None = None, env: dict[str, str] | None = None) -> str:
        result = self.run("send", *args, input=input, env=env)
        assert result.returncode == 0, result.stderr.decode()
        link = result.stdout.decode().strip()
        assert "/d/" in link and "#" in link, link
        return link

    def get(self, link: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
        return self.run("get", link, *args, env=env)

    def state_files(self) -> list[Path]:
        return sorted((self.cache / "ferry").glob("*.json")) if (self.cache / "ferry").exists() else []

    def unfinished_states(self) -> list[Path]:
        """State files of runs that did not finish (a finished get keeps a note of where it wrote,
        so that the same command again says it is done instead of counting a download)."""
        return [path for path in self.state_files() if "finished" not in json.loads(path.read_text())]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = Server(tmp_path_factory.mktemp("data"))
    try:
        server.cli("admin", "create", "--email", "ann@example.org", "--name", "Ann", "--team", "Design",
                   password=PASSWORD)
        yield server
    finally:
        server.stop(check=True)


@pytest.fixture(scope="module")
def token(server: Server) -> str:
    return server.cli("token", "create", "--user", "ann@example.org", "--name", "cli tests",
                      "--scopes", "read", "write").strip()


@pytest.fixture
def cli(server: Server, token: str, tmp_path: Path) -> Cli:
    return Cli(server, token, tmp_path / "cache")
