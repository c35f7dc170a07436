"""The discovery server against the real binary: handshake security, presence in rooms, signals
between peers, the message rules, identity changes reaching open sockets, relays and guests."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
import urllib.error
import urllib.request

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from conftest import (GUEST_GRACE_S, PASSWORD, SUBPROTOCOL, Ferry, Server, World, b64url, new_device_id,
                      new_public_key, receive)


def refused_status(open_socket) -> int:
    with pytest.raises(InvalidStatus) as refused:
        open_socket()
    return refused.value.response.status_code


def test_handshake_is_refused_without_identity_origin_or_subprotocol(world: World) -> None:
    ferry = world.ferry
    assert refused_status(lambda: ferry.socket()) == 401
    assert refused_status(lambda: ferry.socket(cookie=world.ann.cookie, origin="http://evil.example")) == 403
    assert refused_status(lambda: ferry.socket(cookie=world.ann.cookie, origin=None)) == 403
    assert refused_status(lambda: ferry.socket(cookie=world.ann.cookie, subprotocols=[])) == 400
    assert refused_status(lambda: ferry.socket(cookie=world.ann.cookie, subprotocols=["ferry-signal.2"])) == 400
    # A token may come without an Origin (a script), but a revoked one is refused.
    token = ferry.cli("token", "create", "--user", "bob@example.org", "--name", "cli", "--scopes", "read").split()[-1]
    connection = ferry.socket(token=token, origin=None)
    assert connection.subprotocol == SUBPROTOCOL
    connection.close()
    status, tokens, _ = ferry.request("GET", "/me/tokens", cookie=world.bob.cookie)
    ferry.request("DELETE", f"/me/tokens/{tokens['tokens'][0]['id']}", cookie=world.bob.cookie)
    assert refused_status(lambda: ferry.socket(token=token, origin=None)) == 401


def test_members_see_each_other_and_signals_are_stamped_by_the_server(world: World) -> None:
    ferry = world.ferry
    ann = ferry.peer(world.ann)
    assert ann.room("team")["id"] == f"team:{world.design_id}"
    assert ann.room("team")["peers"] == []
    bob = ferry.peer(world.bob)
    assert [peer["id"] for peer in bob.room("team")["peers"]] == [ann.id]
    joined = ann.next("peer-joined")
    assert joined["room"] == f"team:{world.design_id}"
    assert joined["peer"]["id"] == bob.id
    assert joined["peer"]["user"]["name"] == "Bob"
    assert joined["peer"]["guest"] is False
    # Same client address: the same-network room holds them too.
    assert [peer["id"] for peer in bob.room("network")["peers"]] == [ann.id]

    bob.send({"type": "signal", "to": ann.id, "data": {"kind": "offer", "sdp": "v=0"}})
    signal = ann.next("signal")
    assert signal == {"type": "signal", "from": bob.id, "data": {"kind": "offer", "sdp": "v=0"}}
    # A claimed sender is refused, never forwarded.
    bob.send({"type": "signal", "to": ann.id, "from": ann.id, "data": {}, "ref": "r1"})
    error = bob.next("error")
    assert (error["code"], error["ref"]) == ("bad-message", "r1")

    bob.send({"type": "rename", "name": "Bob's phone"})
    updated = ann.next("peer-updated")
    assert updated["peer"]["device"]["name"] == "Bob's phone"

    bob.connection.close()
    left = ann.next("peer-left")
    assert left["peer"] == bob.id
    ann.connection.close()


def test_a_member_of_another_team_sees_neither_peer_nor_signal(world: World) -> None:
    ferry = world.ferry
    ann = ferry.peer(world.ann)
    carol = ferry.peer(world.carol)
    assert all(room["peers"] == [] for room in carol.welcome["rooms"] if room["kind"] == "team")
    carol.send({"type": "signal", "to": ann.id, "data": {"kind": "offer"}})
    assert carol.next("error")["code"] == "unknown-peer"
    carol.send({"type": "relay-open", "to": ann.id, "relay": "0123456789abcdef"})
    assert carol.next("error")["code"] == "unknown-peer"
    with pytest.raises(TimeoutError):
        ann.next("signal", timeout=0.5)
    ann.connection.close()
    carol.connection.close()


@pytest.mark.parametrize("message, code", [
    ("not json", "bad-json"),
    ("[1, 2]", "bad-json"),
    (json.dumps({"type": "shout"}), "unknown-type"),
    (json.dumps({"kind": "signal"}), "bad-message"),
    (json.dumps({"type": "signal", "to": "p_short", "data": {}}), "bad-message"),
    (json.dumps({"type": "signal", "to": "p_" + "A" * 22, "data": "text"}), "bad-message"),
    (json.dumps({"type": "rename", "name": ""}), "bad-message"),
    (json.dumps({"type": "rename", "name": "x" * 65}), "bad-message"),
    (json.dumps({"type": "rename", "name": "evil\u202e"}), "bad-message"),
    (json.dumps({"type": "relay-open", "to": "p_" + "A" * 22, "relay": "XYZ"}), "bad-message"),
    (json.dumps({"type": "hello", "v": 1, "device": "A" * 22}), "hello-repeated"),
    (json.dumps({"type": "signal", "to": "p_" + "A" * 22, "data": {}}), "unknown-peer"),
], ids=lambda value: value[:40] if isinstance(value, str) else None)
def test_bad_messages_get_precise_errors_and_the_socket_stays(world: World, message: str, code: str) -> None:
    peer = world.ferry.peer(world.ann)
    peer.connection.send(message)
    assert peer.next("error")["code"] == code
    peer.send({"type": "rename", "name": "still here"})  # the socket goes on
    peer.connection.close()


def test_a_message_over_the_limit_closes_with_1009(world: World) -> None:
    peer = world.ferry.peer(world.ann)
    peer.send({"type": "signal", "to": "p_" + "A" * 22, "data": {"pad": "x" * 70_000}})
    with pytest.raises(ConnectionClosed) as closed:
        peer.next(timeout=5)
    assert closed.value.rcvd.code == 1009


def test_messages_before_hello_and_repeated_offences(world: World) -> None:
    connection = world.ferry.socket(cookie=world.ann.cookie)
    connection.send(json.dumps({"type": "rename", "name": "x"}))
    assert receive(connection)["code"] == "hello-required"
    connection.send(json.dumps({"type": "hello", "v": 1, "device": new_device_id()}))
    assert receive(connection)["code"] == "unknown-device"
    for _ in range(9):
        connection.send("nonsense")
        assert receive(connection)["code"] == "bad-json"
    with pytest.raises(ConnectionClosed) as closed:
        for _ in range(5):
            connection.send("nonsense")
            receive(connection)
    assert closed.value.rcvd.code == 1008


def test_a_disabled_user_is_disconnected_within_two_seconds(world: World) -> None:
    ferry = world.ferry
    ann = ferry.peer(world.ann)
    bob = ferry.peer(world.bob)
    ann.next("peer-joined")
    ferry.cli("user", "disable", "bob@example.org")
    started = time.monotonic()
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            bob.next(timeout=3)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
    assert time.monotonic() - started < 2.5
    assert ann.next("peer-left")["peer"] == bob.id
    ann.connection.close()


def test_a_socket_ends_when_its_session_or_token_runs_out(tmp_path) -> None:
    """Nothing in the store changes when a session or a token reaches its end, yet its open
    sockets must not outlive it. (SQLite only: the test sets the ends in the file itself, while
    the server is stopped, so that no cached copy of the session hides them.)"""
    server = Server(tmp_path / "data", None, [])
    try:
        ferry = Ferry(server)
        ferry.cli("admin", "create", "--email", "ann@example.org", "--name", "Ann", "--team", "Design",
                  password=PASSWORD)
        token = ferry.cli("token", "create", "--user", "ann@example.org", "--name", "short").strip()
        ann = ferry.sign_in("ann@example.org")
        device = ferry.register_device(ann)
    finally:
        server.stop()
    ends_at = int((time.time() + 6) * 1000)
    with sqlite3.connect(server.data / "ferry.sqlite") as database:
        assert database.execute("UPDATE api_tokens SET expires_at = ?", (ends_at,)).rowcount == 1
        assert database.execute("UPDATE sessions SET expires_at = ?", (ends_at,)).rowcount == 1
    server = Server(server.data, None, [])
    try:
        ferry = Ferry(server)
        sockets = [ferry.socket(cookie=ann.cookie), ferry.socket(token=token)]
        for connection in sockets:
            connection.send(json.dumps({"type": "hello", "v": 1, "device": device}))
            assert receive(connection)["type"] == "welcome"
        time.sleep(max(0.0, ends_at / 1000 - time.time() - 1))
        for connection in sockets:
            connection.ping().wait(2)  # still open a second before the end
        for connection in sockets:
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    connection.recv(timeout=4)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
        assert time.time() * 1000 - ends_at < 2500, "closed within about a second of the end"
    finally:
        server.stop()


def test_a_device_key_never_changes(world: World) -> None:
    ferry = world.ferry
    device = ferry.register_device(world.ann)
    key = ferry.request("GET", "/devices", cookie=world.ann.cookie)[1]["devices"][0]["publicKey"]
    status, body, _ = ferry.request("PUT", f"/devices/{device}", {"name": "Renamed", "publicKey": key},
                                    cookie=world.ann.cookie)
    assert (status, body["name"]) == (200, "Renamed")
    status, body, _ = ferry.request("PUT", f"/devices/{device}", {"name": "Laptop", "publicKey": new_public_key()},
                                    cookie=world.ann.cookie)
    assert (status, body["type"]) == (409, "/problems/device-key-changed")
    # Bob cannot take Ann's device id either.
    status, _, _ = ferry.request("PUT", f"/devices/{device}", {"name": "Mine", "publicKey": key},
                                 cookie=world.bob.cookie)
    assert status == 409
    status, body, _ = ferry.request("PUT", f"/devices/{device}", {"name": "Laptop", "publicKey": "AAAA"},
                                    cookie=world.ann.cookie)
    assert status == 400 and body["errors"][0]["pointer"] == "/publicKey"


def open_relay(ann, bob, relay: str) -> None:
    """Both ends ask for the relay; both are told it is open."""
    ann.send({"type": "relay-open", "to": bob.id, "relay": relay})
    bob.send({"type": "relay-open", "to": ann.id, "relay": relay})
    assert ann.next("relay-opened") == {"type": "relay-opened", "relay": relay, "peer": bob.id}
    assert bob.next("relay-opened") == {"type": "relay-opened", "relay": relay, "peer": ann.id}


def test_a_relay_forwards_opaque_frames_between_its_two_ends_only(world: World) -> None:
    ferry = world.ferry
    ann = ferry.peer(world.ann)
    bob = ferry.peer(world.bob)
    relay = "00112233aabbccdd"
    open_relay(ann, bob, relay)
    payload = bytes.fromhex(relay) + os.urandom(200_000)
    ann.connection.send(payload)
    assert bob.connection.recv(timeout=5) == payload
    # An unknown relay id is refused; a closed relay passes nothing more.
    ann.connection.send(bytes.fromhex("ffffffffffffffff") + b"x")
    assert ann.next("error")["code"] == "unknown-relay"
    bob.send({"type": "relay-close", "relay": relay})
    assert ann.next("relay-closed") == {"type": "relay-closed", "relay": relay, "reason": "closed"}
    # Frames an end had on the way when it closed are dropped quietly, not counted as offences
    # (more than the ten that would close the socket); for anyone else the id is unknown.
    for _ in range(12):
        ann.connection.send(payload)
    ann.send({"type": "nonsense", "ref": "after"})
    error = ann.next("error")
    assert (error["code"], error["ref"]) == ("unknown-type", "after"), error
    carol = ferry.peer(world.carol)
    carol.connection.send(payload)
    assert carol.next("error")["code"] == "unknown-relay"
    with pytest.raises(TimeoutError):
        receive(bob.connection, 0.5)
    ann.connection.close()
    bob.connection.close()
    carol.connection.close()


def test_a_relay_goes_at_its_receivers_pace(world: World) -> None:
    """Ann sends four times the socket's outbound limit (4 MiB) through a relay to Bob, who reads
    nothing for two seconds: the server stops reading Ann instead of queueing for Bob, so Bob is
    not dropped as a slow consumer and gets every frame, in order."""
    ferry = world.ferry
    ann = ferry.peer(world.ann)
    bob = ferry.peer(world.bob)
    relay = "0badc0ffee000001"
    open_relay(ann, bob, relay)
    frames = [bytes.fromhex(relay) + bytes([index]) * (256 * 1024) for index in range(64)]
    sender = threading.Thread(target=lambda: [ann.connection.send(frame) for frame in frames])
    sender.start()
    time.sleep(2)
    for index, frame in enumerate(frames):
        got = bob.connection.recv(timeout=10)
        assert isinstance(got, bytes) and got[8] == index and got == frame, index
    sender.join(timeout=10)
    ann.send({"type": "nonsense", "ref": "served"})
    assert ann.next("error")["ref"] == "served"
    ann.connection.close()
    bob.connection.close()


def test_a_guest_paired_by_code_sees_only_that_member(world: World) -> None:
    ferry = world.ferry
    ann = ferry.peer(world.ann)
    bob = ferry.peer(world.bob)
    status, pairing, _ = ferry.request("POST", "/pairings", {}, cookie=world.ann.cookie)
    assert status == 201
    device = {"id": new_device_id(), "name": "Visitor", "publicKey": new_public_key()}
    status, body, _ = ferry.request("POST", "/pairings/claim", {"code": "ZZZZ-ZZZZ", "device": device})
    assert (status, body["type"]) == (404, "/problems/pairing-invalid")
    status, guest, headers = ferry.request("POST", "/pairings/claim", {"code": pairing["code"].lower(), "device": device})
    assert status == 201 and guest["member"]["name"] == "Ann"
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    assert cookie.startswith("ferry_guest=")
    # Single use.
    status, _, _ = ferry.request("POST", "/pairings/claim", {"code": pairing["code"], "device": device})
    assert status == 404

    connection = ferry.socket(cookie=cookie)
    connection.send(json.dumps({"type": "hello", "v": 1, "device": device["id"]}))
    welcome = receive(connection)
    assert [room["kind"] for room in welcome["rooms"]] == ["pairing"]
    assert [peer["id"] for peer in welcome["rooms"][0]["peers"]] == [ann.id]
    assert welcome["you"]["guest"] is True and welcome["you"]["user"] is None
    joined = ann.next("room-joined")
    assert joined["room"]["kind"] == "pairing"
    guest_id = welcome["you"]["id"]
    arrived = ann.next("peer-joined")
    assert (arrived["room"], arrived["peer"]["id"]) == (joined["room"]["id"], guest_id)
    assert arrived["peer"]["device"]["name"] == "Visitor" and arrived["peer"]["guest"] is True
    assert "label" not in joined["room"] and joined["room"]["name"] == "Guest · Visitor"
    # Bob, in Ann's team but not paired, cannot reach the guest.
    bob.send({"type": "signal", "to": guest_id, "data": {}})
    assert bob.next("error")["code"] == "unknown-peer"
    ann.send({"type": "signal", "to": guest_id, "data": {"kind": "hi"}})
    assert receive(connection) == {"type": "signal", "from": ann.id, "data": {"kind": "hi"}}
    # A guest has no account: the member routes stay closed.
    assert ferry.request("GET", "/me", cookie=cookie)[0] == 401
    assert ferry.request("GET", "/ice", cookie=cookie)[0] == 200
    # The guest page knows the pairing (and connects without a code); a signed-in member with a
    # guest cookie left over is a member there, as everywhere.
    assert 'data-paired-with="Ann"' in page(ferry, "/pair", cookie)
    assert 'data-paired-with=""' in page(ferry, "/pair", f"{cookie}; {world.bob.cookie}")

    # A reload: the socket closes and another opens with the same cookie. The pairing stays, the
    # member's pairing room with it; only the guest's peer (per socket) changes.
    connection.close()
    assert ann.next("peer-left")["peer"] == guest_id
    connection = ferry.socket(cookie=cookie)
    connection.send(json.dumps({"type": "hello", "v": 1, "device": device["id"]}))
    again = receive(connection)
    assert [room["id"] for room in again["rooms"]] == [joined["room"]["id"]]
    assert [peer["id"] for peer in again["rooms"][0]["peers"]] == [ann.id]
    back = ann.next()
    assert (back["type"], back["room"], back["peer"]["id"]) == ("peer-joined", joined["room"]["id"], again["you"]["id"])

    # Gone for longer than the grace: the pass ends, the member leaves the room, the cookie opens
    # nothing any more.
    connection.close()
    closed_at = time.monotonic()
    assert ann.next("room-left", timeout=GUEST_GRACE_S + 10)["room"] == joined["room"]["id"]
    assert time.monotonic() - closed_at >= GUEST_GRACE_S - 0.5
    assert refused_status(lambda: ferry.socket(cookie=cookie)) == 401
    assert ferry.request("GET", "/ice", cookie=cookie)[0] == 401
    ann.connection.close()
    bob.connection.close()


def page(ferry: Ferry, path: str, cookie: str) -> str:
    import urllib.request
    with urllib.request.urlopen(urllib.request.Request(ferry.url + path, headers={"Cookie": cookie}), timeout=30) as answer:
        return answer.read().decode()


def test_a_member_who_loses_access_takes_their_guests_along(world: World) -> None:
    ferry = world.ferry
    cookie, _, connection, _ = pair_guest(ferry, world.bob)
    _, unused, _ = ferry.request("POST", "/pairings", {}, cookie=world.bob.cookie)
    ferry.cli("user", "disable", "bob@example.org")
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            connection.recv(timeout=5)
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1008, "pairing revoked")
    assert ferry.request("GET", "/ice", cookie=cookie)[0] == 401
    assert 'data-paired-with=""' in page(ferry, "/pair", cookie)
    # Nor does a code Bob made before.
    device = {"id": new_device_id(), "name": "Late", "publicKey": new_public_key()}
    status, body, _ = ferry.request("POST", "/pairings/claim", {"code": unused["code"], "device": device})
    assert (status, body["type"]) == (404, "/problems/pairing-invalid")


def pair_guest(ferry: Ferry, member, pairing_body: dict | None = None) -> tuple[str, dict, object, dict]:
    """A guest paired with `member` and connected: its cookie, device, socket and welcome."""
    status, pairing, _ = ferry.request("POST", "/pairings", pairing_body or {}, cookie=member.cookie)
    assert status == 201, pairing
    device = {"id": new_device_id(), "name": "Visitor", "publicKey": new_public_key()}
    status, _, headers = ferry.request("POST", "/pairings/claim", {"code": pairing["code"], "device": device})
    assert status == 201
    cookie = headers["Set-Cookie"].split(";", 1)[0]
    connection = ferry.socket(cookie=cookie)
    connection.send(json.dumps({"type": "hello", "v": 1, "device": device["id"]}))
    welcome = receive(connection)
    assert welcome["type"] == "welcome", welcome
    return cookie, device, connection, welcome


def test_a_pairing_code_can_say_who_it_is_for(world: World) -> None:
    """The member's label is on the member's pairing room (kept with the pass), never on the
    guest's peer: the guest's own tabs see that, and the guest cannot change the label."""
    ferry = world.ferry
    for bad in ["", "   ", "x" * 65, "Alice\u202e", 7]:
        status, body, _ = ferry.request("POST", "/pairings", {"label": bad}, cookie=world.ann.cookie)
        assert status == 400 and body["errors"][0]["pointer"] == "/label", (bad, body)
    # The body is optional: none at all, or an empty one whatever its type says, makes a code
    # without a label; a body that is not JSON is refused.
    assert ferry.request("POST", "/pairings", None, cookie=world.ann.cookie)[0] == 201
    for headers, data, expected in [({"Content-Type": "application/json"}, b"", 201),
                                    ({"Content-Type": "text/plain"}, b"label=x", 415)]:
        request = urllib.request.Request(ferry.url + "/api/v1/pairings", data=data, method="POST",
                                         headers={"Origin": ferry.url, "Cookie": world.ann.cookie, **headers})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status = answer.status
        except urllib.error.HTTPError as error:
            status = error.code
        assert status == expected, (headers, status)
    ann = ferry.peer(world.ann)
    cookie, device, connection, welcome = pair_guest(ferry, world.ann, {"label": "  Alice Cafe\u0301 "})
    joined = ann.next("room-joined")
    assert joined["room"]["label"] == "Alice Café" and joined["room"]["name"] == "Guest · Visitor"  # trimmed, NFC
    arrived = ann.next("peer-joined")
    assert "label" not in arrived["peer"] and arrived["peer"]["device"]["name"] == "Visitor"
    # The guest learns nothing of it: not on itself, not on its room.
    assert "label" not in welcome["you"] and all("label" not in room for room in welcome["rooms"]), welcome
    second = ferry.socket(cookie=cookie)
    second.send(json.dumps({"type": "hello", "v": 1, "device": device["id"]}))
    other_tab = receive(second)
    assert "Alice" not in json.dumps(other_tab), other_tab
    assert "Alice" not in json.dumps(receive(connection)), "the guest's first tab told of its second"
    second.close()
    assert ferry.request("DELETE", "/pairings/current", cookie=cookie)[0] == 204
    connection.close()
    ann.connection.close()


def test_a_guest_ends_its_pairing(world: World) -> None:
    ferry = world.ferry
    ann = ferry.peer(world.ann)
    cookie, _, connection, welcome = pair_guest(ferry, world.ann)
    room = welcome["rooms"][0]["id"]
    assert ann.next("room-joined")["room"]["id"] == room
    # Not from another site (the guest cookie would be sent along), not by a member.
    status, body, _ = ferry.request("DELETE", "/pairings/current", cookie=cookie, origin="http://evil.example")
    assert (status, body["type"]) == (403, "/problems/csrf")
    # Nor from a request that does not say where it comes from.
    status, body, _ = ferry.request("DELETE", "/pairings/current", cookie=cookie, origin=None)
    assert (status, body["type"]) == (403, "/problems/csrf")
    status, body, _ = ferry.request("DELETE", "/pairings/current", cookie=world.ann.cookie)
    assert (status, body["type"]) == (404, "/problems/not-paired")
    assert ferry.request("DELETE", "/pairings/current")[0] == 401

    status, _, headers = ferry.request("DELETE", "/pairings/current", cookie=cookie)
    assert status == 204
    assert headers["Set-Cookie"].startswith("ferry_guest=;") and "Max-Age=0" in headers["Set-Cookie"]
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            connection.recv(timeout=5)
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1008, "pairing ended")
    assert ann.next("room-left")["room"] == room
    assert refused_status(lambda: ferry.socket(cookie=cookie)) == 401
    assert ferry.request("DELETE", "/pairings/current", cookie=cookie)[0] == 401

    # The member may end a guest's pairing too; nobody else may.
    cookie, _, connection, welcome = pair_guest(ferry, world.ann)
    pairing = welcome["rooms"][0]["id"].removeprefix("pairing:")
    assert ann.next("room-joined")["room"]["id"] == f"pairing:{pairing}"
    status, body, _ = ferry.request("DELETE", f"/pairings/{pairing}", cookie=world.bob.cookie)
    assert (status, body["type"]) == (404, "/problems/not-found")
    status, body, _ = ferry.request("DELETE", f"/pairings/{pairing}", cookie=world.ann.cookie, origin="http://evil.example")
    assert (status, body["type"]) == (403, "/problems/csrf")
    assert ferry.request("DELETE", f"/pairings/{pairing}", cookie=cookie)[0] == 401, "a guest is no member"
    assert ferry.request("DELETE", f"/pairings/{pairing}", cookie=world.ann.cookie)[0] == 204
    with pytest.raises(ConnectionClosed) as closed:
        while True:
            connection.recv(timeout=5)
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (1008, "pairing ended by member")
    assert ann.next("room-left")["room"] == f"pairing:{pairing}"
    assert ferry.request("DELETE", f"/pairings/{pairing}", cookie=world.ann.cookie)[0] == 404
    ann.connection.close()


def test_pairing_claims_are_rate_limited_per_address(world: World) -> None:
    """Wrong codes are limited per address; guests who pair, and malformed requests, are not
    counted: an office behind one address pairs as many guests as it likes, and nobody can lock
    pairing with requests that guess nothing."""
    ferry = world.ferry
    for _ in range(12):
        pair_guest(ferry, world.ann)[2].close()
    device = {"id": new_device_id(), "name": "Visitor", "publicKey": new_public_key()}
    malformed = [ferry.request("POST", "/pairings/claim", {"code": "ABC", "device": device})[0] for _ in range(12)]
    assert malformed == [400] * 12
    statuses = [ferry.request("POST", "/pairings/claim", {"code": "ABCD-EFGH", "device": device})[0]
                for _ in range(11)]
    assert statuses == [404] * 10 + [429]
    # Blocked now, a right code too (the limit is what stops guessing).
    _, pairing, _ = ferry.request("POST", "/pairings", {}, cookie=world.ann.cookie)
    assert ferry.request("POST", "/pairings/claim", {"code": pairing["code"], "device": device})[0] == 429


def test_ice_configuration(world: World) -> None:
    status, body, headers = world.ferry.request("GET", "/ice", cookie=world.ann.cookie)
    assert status == 200 and body["iceServers"] == [] and "expiresAt" in body
    assert world.ferry.request("GET", "/ice")[0] == 401


def test_ice_hands_out_stun_and_time_limited_turn_credentials(tmp_path) -> None:
    import base64
    import hashlib
    import hmac

    from conftest import Server

    server = Server(tmp_path, None, ["--stun", "stun:127.0.0.1:3478", "--turn", "turn:127.0.0.1:3478",
                                     "--turn-secret", "s3cret"])
    try:
        ferry = Ferry(server)
        ferry.cli("admin", "create", "--email", "ann@example.org", "--name", "Ann", "--team", "Design",
                  password=PASSWORD)
        ann = ferry.sign_in("ann@example.org")
        status, body, headers = ferry.request("GET", "/ice", cookie=ann.cookie)
        assert status == 200 and headers["Cache-Control"] == "no-store"
        stun, turn = body["iceServers"]
        assert stun == {"urls": ["stun:127.0.0.1:3478"]}
        assert turn["urls"] == ["turn:127.0.0.1:3478"]
        expiry, name = turn["username"].split(":")
        assert 3500 < int(expiry) - time.time() <= 3600 and len(name) == 36
        expected = base64.b64encode(hmac.new(b"s3cret", turn["username"].encode(), hashlib.sha1).digest()).decode()
        assert turn["credential"] == expected
    finally:
        server.stop()


def test_a_refused_relay_is_told_to_both_ends(world: World) -> None:
    ferry = world.ferry
    ann = ferry.peer(world.ann)
    bob = ferry.peer(world.bob)
    # Four relays per peer: with four open, the fifth Ann asks for is refused, and Bob hears of it.
    for index in range(4):
        open_relay(ann, bob, f"{index:016x}")
    ann.send({"type": "relay-open", "to": bob.id, "relay": "00000000000000ff", "ref": "fifth"})
    error = ann.next("error")
    assert (error["code"], error["ref"]) == ("relay-refused", "fifth")
    assert bob.next("relay-closed") == {"type": "relay-closed", "relay": "00000000000000ff", "reason": "refused"}
    ann.connection.close()
    bob.connection.close()


def test_an_id_of_another_relay_is_refused_without_disturbing_it(world: World) -> None:
    ferry = world.ferry
    ann = ferry.peer(world.ann)
    bob = ferry.peer(world.bob)
    relay = "0a0b0c0d0e0f1011"
    open_relay(ann, bob, relay)
    # Another tab of Bob's, not an end of the relay, asks Ann for it: refused to that tab alone;
    # Ann is not told to close a relay that goes on.
    other_tab = ferry.peer(world.bob)
    other_tab.send({"type": "relay-open", "to": ann.id, "relay": relay, "ref": "mine?"})
    error = other_tab.next("error")
    assert (error["code"], error["ref"]) == ("relay-refused", "mine?")
    payload = bytes.fromhex(relay) + os.urandom(1000)
    bob.connection.send(payload)
    frame = ann.connection.recv(timeout=5)
    while isinstance(frame, str):  # presence news of the new tab, not a relay-closed
        assert json.loads(frame)["type"] != "relay-closed", frame
        frame = ann.connection.recv(timeout=5)
    assert frame == payload
    for peer in (ann, bob, other_tab):
        peer.connection.close()


def test_a_relay_closes_when_its_ends_no_longer_share_a_room(world: World) -> None:
    ferry = world.ferry
    ann = ferry.peer(world.ann)
    bob = ferry.peer(world.bob)
    relay = "1122334455667788"
    open_relay(ann, bob, relay)
    # Ann removes Bob from Design, their one shared room: the relay ends for both at once.
    _, bob_me, _ = ferry.request("GET", "/me", cookie=world.bob.cookie)
    status, _, _ = ferry.request("DELETE", f"/teams/{world.design_id}/members/{bob_me['user']['id']}",
                                 cookie=world.ann.cookie)
    assert status == 204
    assert bob.next("relay-closed", timeout=3) == {"type": "relay-closed", "relay": relay, "reason": "peer-left"}
    assert ann.next("relay-closed", timeout=3) == {"type": "relay-closed", "relay": relay, "reason": "peer-left"}
    # Frames Bob had on the way are dropped, not delivered.
    bob.connection.send(bytes.fromhex(relay) + b"after")
    with pytest.raises(TimeoutError):
        while True:
            frame = ann.connection.recv(timeout=1)
            assert isinstance(frame, str), "a relay frame reached Ann after the room was left"
    ann.connection.close()
    bob.connection.close()


def test_a_pairing_outlives_a_restart_of_the_server(world: World) -> None:
    """Passes are kept in the store: after a restart the guest's cookie works, its page reconnects
    without a code into the same pairing room, and a pairing that had ended stays ended."""
    old = world.ferry
    cookie, device, connection, welcome = pair_guest(old, world.ann, {"label": "Alice"})
    room = welcome["rooms"][0]["id"]
    ended_cookie, _, ended_connection, _ = pair_guest(old, world.ann)
    assert old.request("DELETE", "/pairings/current", cookie=ended_cookie)[0] == 204
    ended_connection.close()

    old.server.stop()
    server = Server(old.server.data, old.server.database, ["--guest-reconnect-grace", str(GUEST_GRACE_S)])
    try:
        ferry = Ferry(server)
        assert ferry.request("GET", "/ice", cookie=cookie)[0] == 200
        assert 'data-paired-with="Ann"' in page(ferry, "/pair", cookie)
        again = ferry.socket(cookie=cookie)
        again.send(json.dumps({"type": "hello", "v": 1, "device": device["id"]}))
        back = receive(again)
        assert back["type"] == "welcome", back
        assert [r["id"] for r in back["rooms"]] == [room]
        # Ann (her session is in the store too) finds the pairing room with the guest in it.
        ann = ferry.peer(world.ann)
        pairing = next(r for r in ann.welcome["rooms"] if r["id"] == room)
        assert [p["device"]["name"] for p in pairing["peers"]] == ["Visitor"], pairing
        assert pairing["label"] == "Alice", pairing  # kept in the store
        # The pairing ended before the restart did not come back.
        assert ferry.request("GET", "/ice", cookie=ended_cookie)[0] == 401
        assert refused_status(lambda: ferry.socket(cookie=ended_cookie)) == 401
        again.close()
        ann.connection.close()
    finally:
        server.stop()
        connection.close()
