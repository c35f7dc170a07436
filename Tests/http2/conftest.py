"""Starts the real `ferry` binary on an ephemeral port with a small Public/ for the HTTP/2 tests."""
import base64
import os
import re
import secrets
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

# The route the tests use when they need one that reads a JSON body: PUT /api/v1/devices/{id}
# (signed in: an API token with the write scope; JSON {name, publicKey}; a 16 KiB body limit;
# 201 with the device for a valid registration, 400 with JSON Pointers for bad members).
DEVICE_LIMIT = 16 * 1024
# An ECDSA P-256 public key as SubjectPublicKeyInfo in base64url, as browsers export it.
PUBLIC_KEY = ("MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEhWXmDnEAcJkEndJ-MOI6At4iSPMzTbG64NmkKMB6MvhhBLHlo0Z4"
              "86-hZjB9EdqTCSGFfS4RCq8hlMxuea9DHA")
PASSWORD = "correct horse battery staple"


def device_request(server, device=None, extra=()):
    """The header list of PUT /api/v1/devices/{device} with the server's API token and a JSON body
    to come (the caller decides when, if ever, to end the stream)."""
    device = device or base64.urlsafe_b64encode(secrets.token_bytes(16)).rstrip(b"=").decode()
    return [(":method", "PUT"), (":scheme", "http"), (":authority", "localhost"),
            (":path", f"/api/v1/devices/{device}"), ("authorization", f"Bearer {server.token}"),
            ("content-type", "application/json"), *extra]


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


def create_api_token(data):
    """A user in the server's store and an API token with the write scope, made with the CLI."""
    store = ["--data", data]

    def ferry(*args, password=None):
        result = subprocess.run([FERRY_BIN, *args, *store], cwd=ROOT, input=password, capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 0, result.stderr
        return result.stdout

    ferry("admin", "create", "--email", "h2@example.org", "--name", "H2", "--password-stdin",
          password=PASSWORD + "\n")
    return ferry("token", "create", "--user", "h2@example.org", "--name", "h2", "--scopes", "write").split()[-1]


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
    running.token = create_api_token(running.data)
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
def tight_server(public_dir):
    """A server with a 1000-byte stream window and 4 concurrent streams, for flow-control and
    concurrency limits that the defaults make slow to reach."""
    running = start_server(public_dir, ["--http2-window", "1000", "--http2-max-streams", "4"])
    running.token = create_api_token(running.data)
    yield running
    stop_server(running)
