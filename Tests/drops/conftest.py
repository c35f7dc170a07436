"""Fixtures and helpers for the drops suite: the server's side of drops as docs/DROPS.md fixes it
("The server's side" and "JSON API"), tested against the real `ferry serve` binary.

- `exchange` is the one HTTP/1.1 client of the suite (raw sockets, `Connection: close`), so a test
  controls exactly what is sent: a body cut short, a chunk still streaming while the server is
  killed, an answer that comes before the whole body was read.
- `Tus` is the one tus 1.0 client (creation, creation-with-upload, HEAD, PATCH, DELETE,
  concatenation, checksums) and `Drops` the one client of the drops JSON API (owner routes with a
  token, public routes with the proof and the ticket).
- `Ferry` is a running server with its people (API tokens made with the CLI), its blobs folder and
  a kill -9 / restart on the same data folder and database.

Every wait is bounded; everything listens on 127.0.0.1 only."""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import re
import secrets
import signal
import socket
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Callable, Iterator

import pytest

# One launcher for every suite that runs the real binary.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from ferry_server import Server, backends, database_url  # noqa: E402

PASSWORD = "correct horse battery staple"
TUS_VERSION = "1.0.0"
OFFSET_STREAM = "application/offset+octet-stream"
UPLOADS = "/api/v1/uploads"
KiB = 1024
MiB = 1024 * 1024
# The main server's --max-drop-size: small enough to test its 413 without sending gigabytes.
MAX_DROP_SIZE = 32 * MiB
# Sealed metadata is 28 bytes (nonce and tag) plus a power of two of at least 1,024.
METADATA_OVERHEAD = 28
REQUEST_TIMEOUT_S = 30


# --- bytes and encodings -----------------------------------------------------------------------

def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def sealed_metadata(padded: int = 1024) -> bytes:
    """Bytes shaped like sealed metadata (the server can only check the length): random, 28 + padded."""
    return os.urandom(METADATA_OVERHEAD + padded)


def wait_until(predicate: Callable[[], object], timeout: float, what: str, interval: float = 0.05) -> object:
    """Polls `predicate` until it returns something truthy; fails after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


# An IMF-fixdate (RFC 9110 §5.6.7), the form of Upload-Expires (tus 1.0, expiration).
HTTP_DATE = re.compile(r"^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$")


def http_date(text: str | None) -> datetime:
    assert text, "missing HTTP date"
    return parsedate_to_datetime(text)


def rfc3339(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert moment.tzinfo is not None, f"{text!r} has no time zone"
    return moment


def now() -> datetime:
    return datetime.now(timezone.utc)


# --- HTTP --------------------------------------------------------------------------------------

@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    request: str = ""

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def json(self) -> dict:
        assert self.body, f"{self.request}: empty body (status {self.status})"
        return json.loads(self.body)

    @property
    def offset(self) -> int:
        value = self.header("Upload-Offset")
        assert value is not None, f"{self.request}: no Upload-Offset (status {self.status}, {self.body[:300]!r})"
        return int(value)

    def __repr__(self) -> str:
        return f"<{self.request} → {self.status} {dict(self.headers)} {self.body[:400]!r}>"


def assert_problem(answer: Answer, status: int, slug: str | None = None) -> dict:
    """An RFC 9457 problem answer (docs/IDENTITY.md: `type` is `/problems/SLUG`)."""
    assert answer.status == status, answer
    content_type = answer.header("Content-Type") or ""
    assert content_type.startswith("application/problem+json"), answer
    problem = answer.json()
    assert problem.get("status") == status, problem
    if slug is not None:
        assert str(problem.get("type", "")).endswith(f"/problems/{slug}"), problem
    return problem


def _head(method: str, path: str, host: str, headers: dict[str, str], length: int | None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _connect(base: str, timeout: float) -> tuple[socket.socket, str]:
    parts = urllib.parse.urlsplit(base)
    assert parts.hostname == "127.0.0.1", base
    sock = socket.create_connection((parts.hostname, parts.port), timeout=timeout)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock, parts.netloc


def _read_answer(sock: socket.socket, method: str, request: str, send_error: BaseException | None) -> Answer:
    response = http.client.HTTPResponse(sock, method=method)
    try:
        response.begin()
        body = response.read()
    except (ConnectionError, http.client.HTTPException) as error:
        raise AssertionError(f"{request}: no answer ({error!r}; while sending: {send_error!r})") from error
    return Answer(response.status, response.headers, body, request)


def exchange(base: str, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | None = None,
             timeout: float = REQUEST_TIMEOUT_S) -> Answer:
    """One request on a fresh connection. A body the server stops reading (it answered early) is
    not an error here: its answer is what counts."""
    sock, host = _connect(base, timeout)
    request = f"{method} {path}"
    try:
        length = len(body) if body is not None else (0 if method in ("POST", "PATCH", "PUT") else None)
        send_error = None
        try:
            sock.sendall(_head(method, path, host, headers or {}, length))
            if body:
                sock.sendall(body)
        except (BrokenPipeError, ConnectionResetError) as error:
            send_error = error
        return _read_answer(sock, method, request, send_error)
    finally:
        sock.close()


class StreamingRequest:
    """A request whose body is sent piece by piece (a PATCH streaming while the test kills the
    server, or cut short by closing the socket)."""

    def __init__(self, base: str, method: str, path: str, headers: dict[str, str], length: int,
                 timeout: float = REQUEST_TIMEOUT_S) -> None:
        self.method, self.request = method, f"{method} {path}"
        self.sock, host = _connect(base, timeout)
        self.sock.sendall(_head(method, path, host, headers, length))
        self.sent = 0

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)
        self.sent += len(data)

    def answer(self) -> Answer:
        try:
            return _read_answer(self.sock, self.method, self.request, None)
        finally:
            self.sock.close()

    def cut(self) -> None:
        """Closes the connection mid-body (a lost connection)."""
        self.sock.close()


# --- tus ---------------------------------------------------------------------------------------

def upload_id(location: str) -> str:
    return location.rstrip("/").rsplit("/", 1)[1]


def tus_metadata(pairs: dict[str, str]) -> str:
    return ",".join(f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in pairs.items())


class Tus:
    """A tus 1.0 client for one member (an API token, or a session cookie with its Origin)."""

    def __init__(self, ferry: "Ferry", token: str | None = None, cookie: str | None = None) -> None:
        self.ferry, self.token, self.cookie = ferry, token, cookie

    def headers(self, extra: dict[str, str] | None = None, tus: bool = True) -> dict[str, str]:
        headers: dict[str, str] = {"Tus-Resumable": TUS_VERSION} if tus else {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.cookie:
            headers["Cookie"] = self.cookie
            headers["Origin"] = self.ferry.url
        headers.update(extra or {})
        return headers

    def request(self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes | None = None,
                tus: bool = True) -> Answer:
        return exchange(self.ferry.url, method, path, self.headers(headers, tus), body)

    def create(self, length: int | None, body: bytes | None = None, *, metadata: str | None = None,
               concat: str | None = None, checksum: bytes | None = None, headers: dict[str, str] | None = None,
               tus: bool = True) -> Answer:
        extra: dict[str, str] = {}
        if length is not None:
            extra["Upload-Length"] = str(length)
        if metadata is not None:
            extra["Upload-Metadata"] = metadata
        if concat is not None:
            extra["Upload-Concat"] = concat
        if body is not None:
            extra["Content-Type"] = OFFSET_STREAM
            if checksum is not None:
                extra["Upload-Checksum"] = "sha256 " + base64.b64encode(checksum).decode()
        extra.update(headers or {})
        return self.request("POST", UPLOADS, extra, body, tus)

    def create_ok(self, length: int, body: bytes | None = None, **options) -> str:
        """Creates an upload (asserting 201) and returns its path."""
        answer = self.create(length, body, **options)
        assert answer.status == 201, answer
        location = answer.header("Location")
        assert location, answer
        return urllib.parse.urlsplit(location).path

    def head(self, path: str, tus: bool = True) -> Answer:
        return self.request("HEAD", path, tus=tus)

    def offset(self, path: str) -> int:
        answer = self.head(path)
        assert answer.status in (200, 204), answer
        return answer.offset

    def patch(self, path: str, offset: int, data: bytes, *, checksum: str | bytes | None = None,
              content_type: str = OFFSET_STREAM, headers: dict[str, str] | None = None, tus: bool = True) -> Answer:
        extra = {"Upload-Offset": str(offset), "Content-Type": content_type}
        if isinstance(checksum, bytes):
            extra["Upload-Checksum"] = "sha256 " + base64.b64encode(checksum).decode()
        elif checksum is not None:
            extra["Upload-Checksum"] = checksum
        extra.update(headers or {})
        return self.request("PATCH", path, extra, data, tus)

    def patch_ok(self, path: str, offset: int, data: bytes) -> int:
        answer = self.patch(path, offset, data)
        assert answer.status == 204, answer
        assert answer.offset == offset + len(data), answer
        return answer.offset

    def start_patch(self, path: str, offset: int, length: int) -> StreamingRequest:
        headers = self.headers({"Upload-Offset": str(offset), "Content-Type": OFFSET_STREAM})
        return StreamingRequest(self.ferry.url, "PATCH", path, headers, length)

    def delete(self, path: str) -> Answer:
        return self.request("DELETE", path)

    def send_rest(self, path: str, data: bytes, offset: int, chunk: int = 4 * MiB) -> None:
        while offset < len(data):
            offset = self.patch_ok(path, offset, data[offset:offset + chunk])

    def upload(self, data: bytes, chunk: int = 4 * MiB, **options) -> str:
        """A finished upload of `data` (creation-with-upload, then PATCHes); returns its id."""
        path = self.create_ok(len(data), data[:chunk], **options)
        self.send_rest(path, data, min(len(data), chunk), chunk)
        return upload_id(path)


# --- drops -------------------------------------------------------------------------------------

@dataclass
class Drop:
    """A drop as its creator knows it: the id, the proof token (base64url), what was stored."""
    id: str
    proof: str
    metadata: bytes
    files: list[bytes]
    document: dict


class Drops:
    """The drops JSON API: owner routes with a member's token, public routes with the proof."""

    def __init__(self, ferry: "Ferry", token: str | None) -> None:
        self.ferry, self.token = ferry, token

    def api(self, method: str, path: str, body: object | None = None, headers: dict[str, str] | None = None,
            auth: bool = True) -> Answer:
        extra: dict[str, str] = {}
        if auth and self.token:
            extra["Authorization"] = f"Bearer {self.token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            extra["Content-Type"] = "application/json"
        extra.update(headers or {})
        return exchange(self.ferry.url, method, "/api/v1" + path, extra, data)

    def create(self, upload_ids: list[str], *, proof: bytes | None = None, metadata: bytes | None = None,
               **fields: object) -> tuple[Answer, str, bytes]:
        """POST /drops; returns the answer, the proof token (base64url) and the metadata sent."""
        proof = proof if proof is not None else secrets.token_bytes(32)
        metadata = metadata if metadata is not None else sealed_metadata()
        body = {"verifier": b64url(sha256(proof)), "metadata": b64url(metadata), "files": upload_ids, **fields}
        return self.api("POST", "/drops", body), b64url(proof), metadata

    def new(self, contents: list[bytes], tus: Tus | None = None, **fields: object) -> Drop:
        """Uploads `contents` and makes a drop of them (asserting 201)."""
        tus = tus or Tus(self.ferry, self.token)
        ids = [tus.upload(content) for content in contents]
        answer, proof, metadata = self.create(ids, **fields)
        assert answer.status == 201, answer
        document = answer.json()
        return Drop(document["id"], proof, metadata, contents, document)

    def listing(self) -> list[dict]:
        answer = self.api("GET", "/drops")
        assert answer.status == 200, answer
        body = answer.json()
        return body["drops"] if isinstance(body, dict) else body

    def owned(self, drop_id: str) -> dict | None:
        return next((drop for drop in self.listing() if drop["id"] == drop_id), None)

    def info(self, drop_id: str) -> Answer:
        return self.api("GET", f"/drops/{drop_id}", auth=False)

    def open(self, drop_id: str, proof: str | None, ticket: str | None = None) -> Answer:
        headers = {}
        if proof is not None:
            headers["Ferry-Drop-Proof"] = proof
        if ticket is not None:
            headers["Ferry-Drop-Ticket"] = ticket
        return self.api("POST", f"/drops/{drop_id}/open", headers=headers, auth=False)

    def check(self, drop_id: str, proof: str | None) -> Answer:
        """POST /drops/{id}/check: whether the proof opens the drop, counting nothing."""
        headers = {} if proof is None else {"Ferry-Drop-Proof": proof}
        return self.api("POST", f"/drops/{drop_id}/check", headers=headers, auth=False)

    def open_ok(self, drop: Drop) -> dict:
        answer = self.open(drop.id, drop.proof)
        assert answer.status == 200, answer
        return answer.json()

    def file(self, drop_id: str, index: int, proof: str | None, ticket: str | None,
             headers: dict[str, str] | None = None) -> Answer:
        extra = {}
        if proof is not None:
            extra["Ferry-Drop-Proof"] = proof
        if ticket is not None:
            extra["Ferry-Drop-Ticket"] = ticket
        extra.update(headers or {})
        return self.api("GET", f"/drops/{drop_id}/files/{index}", headers=extra, auth=False)

    def revoke(self, drop_id: str) -> Answer:
        return self.api("POST", f"/drops/{drop_id}/revoke")

    def delete(self, drop_id: str) -> Answer:
        return self.api("DELETE", f"/drops/{drop_id}")

    def extend(self, drop_id: str, **fields: object) -> Answer:
        return self.api("PATCH", f"/drops/{drop_id}", fields)


# --- the server and its people -----------------------------------------------------------------

@dataclass
class Person:
    email: str
    token: str
    tus: Tus
    drops: Drops


@dataclass
class Ferry:
    """A running `ferry serve` (through the shared launcher) and the people in its store."""
    server: Server
    extra: list[str]
    options: dict
    blobs: Path
    people: dict[str, Person] = field(default_factory=dict)

    @property
    def url(self) -> str:
        assert self.server.url
        return self.server.url

    def cli(self, *args: str, password: str | None = None) -> str:
        return self.server.cli(*args, password=password)

    def person(self, email: str, name: str, *, admin: bool = False, team: str | None = None,
               new_team: str | None = None, scopes: str = "write") -> Person:
        """A user (with the CLI), in a team, with an API token."""
        if admin:
            self.cli("admin", "create", "--email", email, "--name", name,
                     *(["--team", new_team] if new_team else []), password=PASSWORD)
        else:
            self.cli("user", "add", "--email", email, "--name", name, password=PASSWORD)
            if new_team:
                self.cli("team", "add", new_team, "--owner", email)
        if team:
            self.cli("team", "add-member", team, email)
        token = self.token(email, scopes)
        person = Person(email, token, Tus(self, token), Drops(self, token))
        self.people[email.split("@")[0]] = person
        return person

    def token(self, email: str, scopes: str = "write") -> str:
        return self.cli("token", "create", "--user", email, "--name", "drops-" + secrets.token_hex(4),
                        "--scopes", scopes).split()[-1]

    def blob_files(self) -> dict[str, int]:
        """Every file under the blobs folder, with its size."""
        if not self.blobs.exists():
            return {}
        return {str(path.relative_to(self.blobs)): path.stat().st_size
                for path in self.blobs.rglob("*") if path.is_file()}

    def written_since(self, before: dict[str, int]) -> dict[str, int]:
        """Blob files made or grown since the snapshot `before`. Files gone since are not counted: the
        shared server's sweeper removes other tests' expired drops at any moment."""
        return {name: size for name, size in self.blob_files().items() if size > before.get(name, -1)}

    def part_files(self) -> dict[str, int]:
        return {name: size for name, size in self.blob_files().items() if name.endswith(".part")}

    def kill(self) -> None:
        """kill -9 of the server's whole process group (the launcher starts it in its own session)."""
        os.killpg(self.server.process.pid, signal.SIGKILL)
        self.server.process.wait(timeout=10)

    def restart(self) -> None:
        """A new server on the same data folder, database and options (after a kill)."""
        self.server = Server(self.server.data, self.server.database, self.extra, **self.options)

    def stop(self) -> None:
        self.server.stop()


def start_ferry(data: Path, backend: str, extra: list[str] | None = None, *, blobs: Path | None = None,
                people: str = "full", **options) -> Ferry:
    """A server and its people. "full": Ann (admin, owner of Design), Bob (Design) and Carol (owner
    of Ops); "ann": Ann alone; "none": nobody yet."""
    extra = list(extra or [])
    if blobs is not None:
        extra += ["--blobs", str(blobs)]
    server = Server(data, database_url(backend), extra, **options)
    ferry = Ferry(server, extra, options, blobs if blobs is not None else Path(server.data) / "blobs")
    try:
        if people in ("full", "ann"):
            ferry.person("ann@example.org", "Ann", admin=True, new_team="Design", scopes="admin")
        if people == "full":
            ferry.person("bob@example.org", "Bob", team="Design")
            ferry.person("carol@example.org", "Carol", new_team="Ops")
    except BaseException:
        server.stop()
        raise
    return ferry


@pytest.fixture(scope="session", params=backends())
def ferry(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Ferry]:
    """The shared server of the protocol tests (one per store): --max-drop-size 32 MiB and a
    sweeper every second."""
    running = start_ferry(tmp_path_factory.mktemp("data"), request.param,
                          ["--max-drop-size", str(MAX_DROP_SIZE), "--sweep-interval", "1"])
    yield running
    running.server.stop(check=True)


@pytest.fixture
def ann(ferry: Ferry) -> Person:
    return ferry.people["ann"]


@pytest.fixture
def bob(ferry: Ferry) -> Person:
    return ferry.people["bob"]


@pytest.fixture
def make_ferry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Ferry]]:
    """Starts servers with their own options for one test; stops them afterwards."""
    started: list[Ferry] = []

    def make(backend: str = "sqlite", extra: list[str] | None = None, **options) -> Ferry:
        running = start_ferry(tmp_path_factory.mktemp("data"), backend, extra, **options)
        started.append(running)
        return running

    yield make
    for running in started:
        running.stop()
