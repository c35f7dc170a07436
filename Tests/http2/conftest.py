"""Starts the real `ferry` binary on an ephemeral port with a small Public/ for the HTTP/2 tests."""
import base64
import os
import secrets
import sys
import tempfile

import pytest

sys.path.insert(0, os.path.dirname(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "support"))

from ferry_server import ROOT, Server, binary  # noqa: E402

FERRY_BIN = str(binary())

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


def start_server(public, extra_args=(), env_extra=None):
    """`ferry serve` on `public` through the shared launcher, with a fresh data folder."""
    return Server(tempfile.mkdtemp(prefix="ferry-h2-data-"), public=public, extra=list(extra_args),
                  env={"FERRY_ACCESS_LOG": "off", **(env_extra or {})}, log_level="error")


def create_api_token(server):
    """A user in the server's store and an API token with the write scope, made with the CLI."""
    server.cli("admin", "create", "--email", "h2@example.org", "--name", "H2", password=PASSWORD)
    return server.cli("token", "create", "--user", "h2@example.org", "--name", "h2", "--scopes", "write").split()[-1]


def stop_server(server):
    server.stop(check=True)


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
    running.token = create_api_token(running)
    yield running
    stop_server(running)


@pytest.fixture(scope="session")
def tight_server(public_dir):
    """A server with a 1000-byte stream window and 4 concurrent streams, for flow-control and
    concurrency limits that the defaults make slow to reach."""
    running = start_server(public_dir, ["--http2-window", "1000", "--http2-max-streams", "4"])
    running.token = create_api_token(running)
    yield running
    stop_server(running)
