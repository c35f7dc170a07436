"""RFC 6455 on the wire against the real binary: the signalling socket's handshake byte by byte,
and hand-built frames that break the protocol, each answered with the right close code
(docs/SIGNALLING.md, "Frames"). Plain sockets on 127.0.0.1, no WebSocket library in between.

Tests/FerryWebTests/WebSocket/WebSocketSessionTests.swift checks the same rules over an in-memory
tunnel; these check that they hold through the real HTTP/1.1 engine, the upgrade and the hub."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import socket
import struct
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import pytest
from conftest import PASSWORD, SUBPROTOCOL, Ferry, Person, Server

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, BINARY, CLOSE, PING, PONG, CONTINUATION = 0x1, 0x2, 0x8, 0x9, 0xA, 0x0
# The server's defaults (WebSocketConfiguration, SignallingConfiguration).
MAX_FRAME = 256 * 1024 + 16
MAX_PINGS_PER_INTERVAL = 50
MAX_QUEUED_OUTBOUND = 4 * 1024 * 1024
SIGNAL_BURST = 40
SIGNALS_PER_SECOND = 20
WAIT_S = 10


# -- frames ------------------------------------------------------------------------------------


def frame(opcode: int, payload: bytes = b"", fin: bool = True, mask: bool = True, rsv: int = 0,
          length: int | None = None) -> bytes:
    """One client frame; `length` overrides the announced payload length (to announce more than
    is sent)."""
    length = len(payload) if length is None else length
    head = bytes([(0x80 if fin else 0) | (rsv << 4) | opcode])
    mask_bit = 0x80 if mask else 0
    if length < 126:
        head += bytes([mask_bit | length])
    elif length < 65536:
        head += bytes([mask_bit | 126]) + struct.pack("!H", length)
    else:
        head += bytes([mask_bit | 127]) + struct.pack("!Q", length)
    if not mask:
        return head + payload
    key = secrets.token_bytes(4)
    return head + key + bytes(byte ^ key[index % 4] for index, byte in enumerate(payload))


def text(message: dict | str, **options) -> bytes:
    data = message if isinstance(message, str) else json.dumps(message)
    return frame(TEXT, data.encode(), **options)


def close_payload(code: int, reason: bytes = b"") -> bytes:
    return struct.pack("!H", code) + reason


@dataclass
class ServerFrame:
    fin: bool
    opcode: int
    payload: bytes

    @property
    def close_code(self) -> int | None:
        assert self.opcode == CLOSE, self
        return struct.unpack("!H", self.payload[:2])[0] if len(self.payload) >= 2 else None

    def json(self) -> dict:
        assert self.opcode == TEXT, self
        return json.loads(self.payload.decode())


class RawSocket:
    """A WebSocket client made of a TCP socket and these helpers."""

    def __init__(self, sock: socket.socket, buffered: bytes = b"") -> None:
        self.sock = sock
        self.buffer = bytearray(buffered)
        self.closed = False

    def send(self, *frames: bytes) -> None:
        self.sock.sendall(b"".join(frames))

    def _fill(self, count: int, deadline: float) -> None:
        while len(self.buffer) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no frame within {WAIT_S} s")
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                self.closed = True
                raise EOFError("connection closed")
            self.buffer += chunk

    def next_frame(self, timeout: float = WAIT_S) -> ServerFrame:
        """The next whole frame; on a timeout nothing is consumed."""
        deadline = time.monotonic() + timeout
        self._fill(2, deadline)
        first, second = self.buffer[0], self.buffer[1]
        assert second & 0x80 == 0, "a server frame must not be masked"
        assert first & 0x70 == 0, "no extension was agreed: reserved bits must be zero"
        header, length = 2, second & 0x7F
        if length == 126:
            self._fill(4, deadline)
            header, length = 4, struct.unpack("!H", self.buffer[2:4])[0]
        elif length == 127:
            self._fill(10, deadline)
            header, length = 10, struct.unpack("!Q", self.buffer[2:10])[0]
        self._fill(header + length, deadline)
        payload = bytes(self.buffer[header:header + length])
        del self.buffer[:header + length]
        return ServerFrame(bool(first & 0x80), first & 0x0F, payload)

    def next_message(self, timeout: float = WAIT_S) -> dict:
        """The next text message, skipping pings."""
        while True:
            got = self.next_frame(timeout)
            if got.opcode != PING:
                return got.json()

    def expect_close(self, code: int) -> ServerFrame:
        """Reads up to the server's close frame (skipping what came before it), checks its code,
        and checks that the server then ends the connection."""
        while True:
            got = self.next_frame()
            if got.opcode == CLOSE:
                break
        assert got.close_code == code, (got.close_code, got.payload)
        self.expect_eof()
        return got

    def expect_eof(self) -> None:
        deadline = time.monotonic() + WAIT_S
        while not self.closed:
            try:
                self._fill(len(self.buffer) + 1, deadline)
            except EOFError:
                return
            del self.buffer[:]

    def close(self) -> None:
        self.sock.close()


# -- the handshake -------------------------------------------------------------------------------


def accept_key(key: str) -> str:
    return base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()


def handshake_request(ferry: Ferry, cookie: str, key: str) -> bytes:
    host = urlsplit(ferry.url).netloc
    return (f"GET /api/v1/signal HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
            f"Sec-WebSocket-Protocol: {SUBPROTOCOL}\r\nOrigin: {ferry.url}\r\nCookie: {cookie}\r\n\r\n").encode()


def open_socket(ferry: Ferry, person: Person, key: str | None = None, along: bytes = b"",
                receive_buffer: int | None = None) -> tuple[RawSocket, bytes]:
    """Opens the signalling socket by hand; `along` goes in the same send as the handshake.
    Returns the socket and the response head (status line and fields, without the blank line)."""
    key = key or base64.b64encode(secrets.token_bytes(16)).decode()
    address = urlsplit(ferry.url)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if receive_buffer is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)  # before connect: the window
    sock.settimeout(WAIT_S)
    sock.connect((address.hostname, address.port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.sendall(handshake_request(ferry, person.cookie, key) + along)
    received = b""
    deadline = time.monotonic() + WAIT_S
    while b"\r\n\r\n" not in received:
        assert time.monotonic() < deadline, received
        chunk = sock.recv(65536)
        assert chunk, f"closed during the handshake: {received!r}"
        received += chunk
    head, rest = received.split(b"\r\n\r\n", 1)
    return RawSocket(sock, rest), head


def hello(raw: RawSocket, device: str) -> dict:
    raw.send(text({"type": "hello", "v": 1, "device": device}))
    welcome = raw.next_message()
    assert welcome["type"] == "welcome", welcome
    return welcome


# -- fixtures ------------------------------------------------------------------------------------


@dataclass
class Site:
    ferry: Ferry
    ann: Person
    bob: Person


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """One server on SQLite for the whole module (the frame rules do not touch the store): Ann and
    Bob in team Design, signed in, each with a device."""
    server = Server(tmp_path_factory.mktemp("data"), None)
    try:
        ferry = Ferry(server)
        ferry.cli("admin", "create", "--email", "ann@example.org", "--name", "Ann", "--team", "Design",
                  password=PASSWORD)
        ferry.cli("user", "add", "--email", "bob@example.org", "--name", "Bob", password=PASSWORD)
        ferry.cli("team", "add-member", "Design", "bob@example.org")
        ann, bob = ferry.sign_in("ann@example.org"), ferry.sign_in("bob@example.org")
        ferry.register_device(ann, "Ann's laptop")
        ferry.register_device(bob, "Bob's laptop")
        yield Site(ferry, ann, bob)
    finally:
        server.stop()
        assert server.process.returncode in (0, -15), "".join(server.output)[-4000:]


@pytest.fixture
def raw(site: Site) -> Iterator[RawSocket]:
    """Ann's socket, opened by hand, before hello."""
    opened, head = open_socket(site.ferry, site.ann)
    assert head.startswith(b"HTTP/1.1 101 "), head
    yield opened
    opened.close()


# -- the handshake -------------------------------------------------------------------------------


def test_handshake_answer_is_exact(site):
    # The key of RFC 6455 §1.3, whose accept value the RFC spells out.
    opened, head = open_socket(site.ferry, site.ann, key="dGhlIHNhbXBsZSBub25jZQ==")
    try:
        lines = head.decode("latin-1").split("\r\n")
        assert lines[0].startswith("HTTP/1.1 101 "), lines
        fields = lines[1:]
        assert "Upgrade: websocket" in fields
        assert "Connection: Upgrade" in fields
        assert "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" in fields
        assert f"Sec-WebSocket-Protocol: {SUBPROTOCOL}" in fields
        # No extension is agreed, and a 101 has no body.
        assert not [f for f in fields if f.lower().startswith(("sec-websocket-extensions:", "content-length:"))]
        assert len([f for f in fields if f.lower().startswith("sec-websocket-accept:")]) == 1
    finally:
        opened.close()


def test_handshake_accept_key_matches_any_sent_key(site):
    key = base64.b64encode(os.urandom(16)).decode()
    opened, head = open_socket(site.ferry, site.ann, key=key)
    try:
        assert f"Sec-WebSocket-Accept: {accept_key(key)}".encode() in head.split(b"\r\n")
    finally:
        opened.close()


def test_bytes_in_the_handshakes_segment_reach_the_session(site):
    """A client may send its first frames right behind the handshake, in the same TCP segment:
    they must not be lost in the HTTP engine's buffer across the upgrade."""
    device = site.ann.devices[0]
    along = text({"type": "hello", "v": 1, "device": device}) + text({"type": "nonsense", "ref": "along"})
    opened, head = open_socket(site.ferry, site.ann, along=along)
    try:
        assert head.startswith(b"HTTP/1.1 101 "), head
        welcome = opened.next_message()
        assert welcome["type"] == "welcome" and welcome["you"]["device"]["id"] == device, welcome
        error = opened.next_message()
        assert error["type"] == "error" and error["ref"] == "along", error
    finally:
        opened.close()


# -- frames that break the protocol --------------------------------------------------------------


@pytest.mark.parametrize(
    "bad, code",
    [
        (text({"type": "hello"}, mask=False), 1002),
        (text({"type": "hello"}, rsv=0b100), 1002),
        (text({"type": "hello"}, rsv=0b001), 1002),
        (frame(0x3, b"x"), 1002),  # a reserved data opcode
        (frame(0xB, b"x"), 1002),  # a reserved control opcode
        (frame(PING, b"x", fin=False), 1002),  # a fragmented control frame
        (frame(PING, b"x" * 126), 1002),  # a control frame over 125 bytes
        (frame(CLOSE, close_payload(1000, b"x" * 124)), 1002),  # 126 bytes
        (frame(CONTINUATION, b"x"), 1002),  # a continuation with no message started
        (frame(CONTINUATION, b"x", fin=False), 1002),
        (frame(TEXT, b"{\"type\":\"\xff\xfe\"}"), 1007),  # invalid UTF-8
        (frame(TEXT, b"\xed\xa0\x80"), 1007),  # a UTF-16 surrogate in UTF-8
        (frame(TEXT, b"\xc0\xaf"), 1007),  # an overlong encoding
        (frame(CLOSE, close_payload(1005)), 1002),  # codes that must never be on the wire
        (frame(CLOSE, close_payload(1006)), 1002),
        (frame(CLOSE, close_payload(1015)), 1002),
        (frame(CLOSE, close_payload(999)), 1002),
        (frame(CLOSE, close_payload(5000)), 1002),
        (frame(CLOSE, b"\x03"), 1002),  # a 1-byte close payload
        (frame(BINARY, length=MAX_FRAME + 1), 1009),  # announced over the frame limit
    ],
    ids=[
        "unmasked", "rsv1", "rsv3", "opcode-3", "opcode-b", "fragmented-ping", "ping-126-bytes",
        "close-126-bytes", "continuation-first", "continuation-first-unfinished", "invalid-utf8",
        "utf8-surrogate", "utf8-overlong", "close-1005", "close-1006", "close-1015", "close-999",
        "close-5000", "close-1-byte", "frame-over-limit",
    ],
)
def test_protocol_violations_close_with_the_right_code(raw, bad, code):
    raw.send(bad)
    raw.expect_close(code)


def test_a_continuation_of_a_finished_message_is_a_protocol_error(raw):
    raw.send(frame(TEXT, b"{}"), frame(CONTINUATION, b"x"))
    raw.expect_close(1002)


def test_a_new_message_before_the_last_one_ended_is_a_protocol_error(raw):
    raw.send(frame(TEXT, b"{", fin=False), frame(TEXT, b"}"))
    raw.expect_close(1002)


def test_invalid_utf8_split_across_fragments_is_1007(raw):
    # Each fragment alone could be the start or end of a character; together they are not UTF-8.
    raw.send(frame(TEXT, b"\"\xe2\x82", fin=False), frame(CONTINUATION, b"\"\xac"))
    raw.expect_close(1007)


def test_a_message_over_the_text_limit_is_1009(raw):
    raw.send(frame(TEXT, b" " * (64 * 1024), fin=False), frame(CONTINUATION, b" "))
    raw.expect_close(1009)


@pytest.mark.parametrize("code", [1000, 1001, 3000, 4999])
def test_a_valid_close_is_echoed(raw, code):
    raw.send(frame(CLOSE, close_payload(code, "bye ✓".encode())))
    raw.expect_close(code)


def test_an_empty_close_is_answered_1000(raw):
    raw.send(frame(CLOSE))
    raw.expect_close(1000)


def test_a_close_reason_in_invalid_utf8_is_1007(raw):
    raw.send(frame(CLOSE, close_payload(1000, b"\xff")))
    raw.expect_close(1007)


def test_a_violation_after_a_working_exchange_still_closes(site, raw):
    """A socket that has said hello, been pinged and had a message answered is closed just the same
    by a broken frame."""
    hello(raw, site.ann.devices[0])
    raw.send(frame(PING, b"before"), text({"type": "nonsense", "ref": "r1"}))
    got = raw.next_frame()
    assert (got.opcode, got.payload) == (PONG, b"before")
    error = raw.next_message()
    assert error["type"] == "error" and error["ref"] == "r1", error
    raw.send(frame(PING, b"x", fin=False))
    raw.expect_close(1002)


# -- fragments, control frames in between, floods ------------------------------------------------


def test_fragments_interleaved_with_a_ping(site, raw):
    """Control frames may come between the fragments of a message (RFC 6455 §5.4): the ping is
    answered at once and the message, reassembled, is delivered (its error answer proves it)."""
    hello(raw, site.ann.devices[0])
    message = json.dumps({"type": "nonsense", "ref": "frag-1", "pad": "ü" * 40}, ensure_ascii=False).encode()
    cut = message.index("ü".encode()) + 1  # inside a two-byte character
    thirds = [message[:10], message[10:cut], message[cut:]]
    raw.send(frame(TEXT, thirds[0], fin=False), frame(PING, b"in the middle"),
             frame(CONTINUATION, thirds[1], fin=False), frame(PONG, b"unsolicited"),
             frame(CONTINUATION, thirds[2]))
    seen = [raw.next_frame(), raw.next_frame()]
    pongs = [f for f in seen if f.opcode == PONG]
    texts = [f.json() for f in seen if f.opcode == TEXT]
    assert [p.payload for p in pongs] == [b"in the middle"], seen
    assert len(texts) == 1 and texts[0]["type"] == "error" and texts[0]["ref"] == "frag-1", texts
    assert texts[0]["code"] == "unknown-type", texts
    # The socket goes on: a whole message after the fragmented one is delivered too.
    raw.send(text({"type": "nonsense", "ref": "after"}))
    assert raw.next_message()["ref"] == "after"


def test_a_signal_in_fragments_reaches_the_other_peer(site):
    ann, _ = open_socket(site.ferry, site.ann)
    bob, _ = open_socket(site.ferry, site.bob)
    try:
        hello(ann, site.ann.devices[0])
        bob_id = hello(bob, site.bob.devices[0])["you"]["id"]
        message = json.dumps({"type": "signal", "to": bob_id, "data": {"sdp": "v=0 " * 50}}).encode()
        ann.send(frame(TEXT, message[:7], fin=False), frame(PING, b"p"), frame(CONTINUATION, message[7:]))
        while True:
            got = bob.next_message()
            if got["type"] == "signal":
                break
        assert got["data"] == {"sdp": "v=0 " * 50}
    finally:
        ann.close()
        bob.close()


def test_a_ping_flood_is_closed_1008(raw):
    pings = [frame(PING, b"flood") for _ in range(MAX_PINGS_PER_INTERVAL * 4)]
    try:
        raw.send(*pings)
    except OSError:
        pass  # the server may close before it has read them all
    got = raw.expect_close(1008)
    assert got.payload[2:] == b"too many pings"


def test_pings_within_the_limit_are_all_answered(raw):
    count = MAX_PINGS_PER_INTERVAL // 2
    raw.send(*[frame(PING, str(index).encode()) for index in range(count)])
    answers = [raw.next_frame() for _ in range(count)]
    assert [(f.opcode, f.payload) for f in answers] == [(PONG, str(index).encode()) for index in range(count)]
    raw.send(frame(CLOSE, close_payload(1000)))
    raw.expect_close(1000)


# -- a slow consumer -----------------------------------------------------------------------------


def resident_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_a_slow_consumer_is_dropped_and_the_sender_is_not(site):
    """Bob stops reading while Ann sends him many large signals: once more than the 4 MiB queue is
    waiting for him he is dropped (no close frame: it would wait behind the very bytes he does not
    read), Ann sees him leave and keeps her socket, and the server's memory stays bounded."""
    ferry = site.ferry
    pid = ferry.server.process.pid
    # A small receive window, set before connecting, keeps the kernel from buffering much for Bob.
    bob, _ = open_socket(ferry, site.bob, receive_buffer=16 * 1024)
    ann, _ = open_socket(ferry, site.ann)
    try:
        bob_id = hello(bob, site.bob.devices[0])["you"]["id"]
        welcome = hello(ann, site.ann.devices[0])
        assert any(peer["id"] == bob_id for room in welcome["rooms"] for peer in room["peers"]), welcome
        before = resident_kib(pid)
        data = {"blob": "x" * (60 * 1024)}
        message = text({"type": "signal", "to": bob_id, "data": data})
        # Enough to fill the queue many times over if nothing drops Bob.
        cap = 8 * MAX_QUEUED_OUTBOUND // len(message)
        sent, left = 0, None
        started = time.monotonic()
        while left is None and sent < cap:
            # Within the per-peer signal rate: most of the burst, then a pace under the refill rate.
            allowed = SIGNAL_BURST - 5 + int((time.monotonic() - started) * (SIGNALS_PER_SECOND - 4))
            if sent < allowed:
                ann.send(message)
                sent += 1
            else:
                time.sleep(0.01)
            while left is None:
                try:
                    got = ann.next_frame(timeout=0.001)
                except TimeoutError:
                    break
                if got.opcode == TEXT:
                    event = got.json()
                    assert event["type"] != "error" or event["code"] == "unknown-peer", event
                    if (event["type"] == "peer-left" and event["peer"] == bob_id) or event["type"] == "error":
                        left = event
        assert left is not None, f"Bob was not dropped after {sent} signals of {len(message)} bytes"
        # Dropped once the queue overflowed: a bit over 4 MiB plus what the kernels hold, not the cap.
        assert sent * len(message) > MAX_QUEUED_OUTBOUND
        assert sent < cap
        # Memory: the queue and the sockets' buffers, not everything Ann sent.
        assert resident_kib(pid) - before < 64 * 1024
        # Bob finds the end of the stream without a close frame once he reads what was sent.
        frames = []
        while True:
            try:
                frames.append(bob.next_frame())
            except EOFError:
                break
        assert frames and all(f.opcode in (TEXT, PING) for f in frames), [f.opcode for f in frames[-3:]]
        assert sum(len(f.payload) for f in frames) <= MAX_QUEUED_OUTBOUND + 4 * 1024 * 1024
        # Ann's socket is open and served.
        ann.send(frame(PING, b"still here"), text({"type": "nonsense", "ref": "alive"}))
        got = ann.next_frame()
        # Signals Ann had in flight when Bob was dropped are refused (unknown-peer) before the
        # pong: the server answers her frames in order, and on a loaded machine there can be many.
        while got.opcode == TEXT and (got.json()["type"] != "error" or got.json()["code"] == "unknown-peer"):
            got = ann.next_frame()
        assert (got.opcode, got.payload) == (PONG, b"still here"), got
        assert ann.next_message()["ref"] == "alive"
    finally:
        ann.close()
        bob.close()
