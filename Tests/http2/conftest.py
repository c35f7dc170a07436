"""Starts the real `ferry` binary on an ephemeral port with a small Public/ for the HTTP/2 tests."""
import os
import re
import subprocess
import sys
import tempfile
import time

import pytest

sys.path.insert(0, os.path.dirname(__file__))

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FERRY_BIN = os.environ.get("FERRY_BIN", os.path.join(ROOT, ".build", "debug", "ferry"))

SMALL = bytes(range(256)) * 4  # 1 KiB
LARGE = os.urandom(3 * 1024 * 1024 + 123)


class Server:
    def __init__(self, port, public, process):
        self.port = port
        self.public = public
        self.process = process


def start_server(public, extra_args=(), env_extra=None):
    data = tempfile.mkdtemp(prefix="ferry-h2-data-")
    env = dict(os.environ, FERRY_ACCESS_LOG="off", **(env_extra or {}))
    log = open(os.path.join(data, "stderr.log"), "w+")
    process = subprocess.Popen(
        [FERRY_BIN, "serve", "--port", "0", "--public", public, "--data", data, "--log-level", "error", *extra_args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
    )
    deadline = time.time() + 30
    while time.time() < deadline:
        line = process.stdout.readline()
        match = re.search(r"https?://127\.0\.0\.1:(\d+)", line)
        if match:
            server = Server(int(match.group(1)), public, process)
            server.log = log
            server.data = data
            return server
        if process.poll() is not None:
            break
    process.kill()
    log.seek(0)
    raise RuntimeError(f"ferry did not start: {log.read()}")


def stop_server(server):
    crashed = server.process.poll() is not None
    server.process.terminate()
    try:
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.process.kill()
    if crashed:
        server.log.seek(0)
        raise AssertionError("the server died during the tests:\n" + server.log.read()[-6000:])


@pytest.fixture(scope="session")
def public_dir():
    with tempfile.TemporaryDirectory(prefix="ferry-h2-public-") as public:
        with open(os.path.join(public, "small.txt"), "wb") as f:
            f.write(SMALL)
        with open(os.path.join(public, "large.bin"), "wb") as f:
            f.write(LARGE)
        with open(os.path.join(public, "index.html"), "w") as f:
            f.write("<!doctype html><title>h2</title><p>hello</p>")
        yield public


@pytest.fixture(scope="session")
def server(public_dir):
    running = start_server(public_dir)
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
def tight_server(public_dir):
    """A server with a 1000-byte stream window and 4 concurrent streams, for flow-control and
    concurrency limits that the defaults make slow to reach."""
    running = start_server(public_dir, ["--http2-window", "1000", "--http2-max-streams", "4"])
    yield running
    stop_server(running)
