"""Fixtures for the discovery-server tests: a real `ferry serve`, people in teams, their devices,
and signalling sockets opened with the `websockets` client (HTTP/1.1 upgrade)."""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from websockets.sync.client import ClientConnection, connect

# One launcher for every suite that runs the real binary.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
from ferry_server import ROOT, Server, backends, binary, database_url  # noqa: E402, F401

PASSWORD = "correct horse battery staple"
SUBPROTOCOL = "ferry-signal.1"
GUEST_GRACE_S = 2


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def new_device_id() -> str:
    return b64url(secrets.token_bytes(16))


def new_public_key() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    spki = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return b64url(spki)


@dataclass
class Person:
    email: str
    cookie: str
    devices: list[str] = field(default_factory=list)


class Ferry:
    """A running server and the requests tests make to it."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.url = server.url
        self.ws_url = server.url.replace("http://", "ws://") + "/api/v1/signal"

    def cli(self, *args: str, password: str | None = None) -> str:
        return self.server.cli(*args, password=password)

    def request(self, method: str, path: str, body: object | None = None, cookie: str | None = None,
                token: str | None = None, origin: str | None = "same") -> tuple[int, dict, dict]:
        headers = {} if origin is None else {"Origin": self.url if origin == "same" else origin}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if cookie:
            headers["Cookie"] = cookie
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(self.url + "/api/v1" + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                text = response.read()
                return response.status, (json.loads(text) if text else {}), dict(response.headers)
        except urllib.error.HTTPError as error:
            text = error.read()
            return error.code, (json.loads(text) if text else {}), dict(error.headers)

    def sign_in(self, email: str) -> Person:
        status, _, headers = self.request("POST", "/session", {"email": email, "password": PASSWORD})
        assert status == 200
        cookie = headers["Set-Cookie"].split(";", 1)[0]
        return Person(email=email, cookie=cookie)

    def register_device(self, person: Person, name: str = "Laptop") -> str:
        device = new_device_id()
        status, body, _ = self.request("PUT", f"/devices/{device}", {"name": name, "publicKey": new_public_key()},
                                       cookie=person.cookie)
        assert status == 201, body
        person.devices.append(device)
        return device

    def socket(self, cookie: str | None = None, token: str | None = None, origin: str | None = "same",
               subprotocols: list[str] | None = None) -> ClientConnection:
        headers = {}
        if cookie:
            headers["Cookie"] = cookie
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return connect(self.ws_url, additional_headers=headers,
                       origin=self.url if origin == "same" else origin,
                       subprotocols=subprotocols if subprotocols is not None else [SUBPROTOCOL],
                       open_timeout=10, max_size=2**20)

    def peer(self, person: Person, device: str | None = None) -> "Peer":
        device = device or (person.devices[0] if person.devices else self.register_device(person))
        connection = self.socket(cookie=person.cookie)
        connection.send(json.dumps({"type": "hello", "v": 1, "device": device}))
        welcome = receive(connection)
        assert welcome["type"] == "welcome", welcome
        return Peer(connection, welcome)


@dataclass
class Peer:
    connection: ClientConnection
    welcome: dict

    @property
    def id(self) -> str:
        return self.welcome["you"]["id"]

    def send(self, message: dict) -> None:
        self.connection.send(json.dumps(message))

    def next(self, type_: str | None = None, timeout: float = 5) -> dict:
        """The next message (of a type, skipping others)."""
        while True:
            message = receive(self.connection, timeout)
            if type_ is None or message["type"] == type_:
                return message

    def room(self, kind: str) -> dict:
        return next(room for room in self.welcome["rooms"] if room["kind"] == kind)


def receive(connection: ClientConnection, timeout: float = 5) -> dict:
    frame = connection.recv(timeout=timeout)
    assert isinstance(frame, str), frame
    return json.loads(frame)


@dataclass
class World:
    """Ann (admin, owner of Design) and Bob in Design; Carol alone in Ops."""
    ferry: Ferry
    ann: Person
    bob: Person
    carol: Person
    design_id: str


@pytest.fixture(params=backends())
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    # A short grace for guests, so the tests see a pass end when its page stays away.
    server = Server(tmp_path_factory.mktemp("data"), database_url(request.param),
                    ["--guest-reconnect-grace", str(GUEST_GRACE_S)])
    try:
        ferry = Ferry(server)
        ferry.cli("admin", "create", "--email", "ann@example.org", "--name", "Ann", "--team", "Design",
                  password=PASSWORD)
        ferry.cli("user", "add", "--email", "bob@example.org", "--name", "Bob", password=PASSWORD)
        ferry.cli("team", "add-member", "Design", "bob@example.org")
        ferry.cli("user", "add", "--email", "carol@example.org", "--name", "Carol", password=PASSWORD)
        ferry.cli("team", "add", "Ops", "--owner", "carol@example.org")
        ann = ferry.sign_in("ann@example.org")
        _, me, _ = ferry.request("GET", "/me", cookie=ann.cookie)
        design = next(team["id"] for team in me["teams"] if team["name"] == "Design")
        yield World(ferry, ann, ferry.sign_in("bob@example.org"), ferry.sign_in("carol@example.org"), design)
    finally:
        server.stop()
