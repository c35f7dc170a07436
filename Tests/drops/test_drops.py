"""Drops over the JSON API (docs/DROPS.md, "Downloads" and "JSON API"): creating a drop from
finished uploads and what the server checks of it (not the sealed metadata's shape), the owner's
list, the public information, opening with the proof (tickets and their lifetime, exact counting
under concurrency, the wrong-proof limit), downloading ciphertext with ranges and conditional
requests, revocation, deletion, extension, text drops, the sweeper, the audit log, and a secrecy
scan: no drop id, proof, ticket or
Upload-Metadata value in the server's output, and no proof, ticket or metadata value in its data
folder."""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import socket
import threading
import urllib.parse
from datetime import timedelta
from pathlib import Path

import pytest

from conftest import (PASSWORD, KiB, Drop, Drops, Ferry, Person, assert_problem, b64url, b64url_decode, exchange, now,
                      rfc3339, sealed_metadata, tus_metadata, wait_until)

DOCUMENT_KEYS = {"id", "createdAt", "expiresAt", "maxDownloads", "downloads", "size", "fileCount", "state", "hasPassword"}
PUBLIC_KEYS = {"id", "password", "fileCount", "size", "expiresAt", "downloadsLeft"}
DAY = 24 * 3600


def new_drop(person: Person, sizes: tuple[int, ...] = (5 * KiB, 70 * KiB + 3), **fields: object) -> Drop:
    return person.drops.new([os.urandom(size) for size in sizes], **fields)


def download(person: Person, drop: Drop, index: int, ticket: str, headers: dict[str, str] | None = None):
    return person.drops.file(drop.id, index, drop.proof, ticket, headers)


# --- creating ------------------------------------------------------------------------------------

def test_create_a_drop_from_finished_uploads(ann: Person) -> None:
    contents = [os.urandom(5 * KiB), os.urandom(70 * KiB + 3)]
    ids = [ann.tus.upload(content) for content in contents]
    answer, _, _ = ann.drops.create(ids, maxDownloads=3)
    assert answer.status == 201, answer
    document = answer.json()
    assert set(document) == DOCUMENT_KEYS, document
    assert document["state"] == "active" and document["downloads"] == 0 and document["maxDownloads"] == 3
    assert document["fileCount"] == 2 and document["size"] == sum(map(len, contents)), document
    assert document["hasPassword"] is False
    created, expires = rfc3339(document["createdAt"]), rfc3339(document["expiresAt"])
    assert abs(created - now()) < timedelta(minutes=5)
    # defaultDropLifetime is 7 days.
    assert abs(expires - created - timedelta(days=7)) < timedelta(minutes=1), document
    # Creating consumed the uploads.
    assert ann.tus.head(f"/api/v1/uploads/{ids[0]}").status == 404


def test_the_owner_lists_drops_newest_first(ann: Person, bob: Person) -> None:
    older = new_drop(ann, (100,))
    newer = new_drop(ann, (200,), maxDownloads=2)
    listing = ann.drops.listing()
    ids = [drop["id"] for drop in listing]
    assert ids.index(newer.id) < ids.index(older.id), ids
    entry = listing[ids.index(newer.id)]
    assert entry["size"] == 200 and entry["downloads"] == 0 and entry["maxDownloads"] == 2, entry
    assert entry["fileCount"] == 1 and entry["state"] == "active" and "expiresAt" in entry, entry
    assert newer.id not in [drop["id"] for drop in bob.drops.listing()]


def test_the_public_information_of_a_drop(ann: Person, ferry: Ferry) -> None:
    plain = new_drop(ann, (1000, 24), maxDownloads=4)
    answer = ann.drops.info(plain.id)
    assert answer.status == 200, answer
    info = answer.json()
    assert set(info) == PUBLIC_KEYS, info
    assert info["id"] == plain.id and info["password"] is None and info["fileCount"] == 2
    assert info["size"] == 1024 and info["downloadsLeft"] == 4, info
    assert rfc3339(info["expiresAt"]) == rfc3339(plain.document["expiresAt"])

    salt = os.urandom(16)
    protected = new_drop(ann, (10,), password={"salt": b64url(salt), "iterations": 600_000})
    info = ann.drops.info(protected.id).json()
    assert info["password"] == {"salt": b64url(salt), "iterations": 600_000}, info
    assert info["downloadsLeft"] is None, info  # no limit
    # The owner's view says there is a password, never what protects it.
    assert protected.document["hasPassword"] is True and plain.document["hasPassword"] is False

    assert_problem(ann.drops.info("no-such-drop"), 404)


@pytest.mark.parametrize("size", [1, 1023, 1052, 5000])
def test_sealed_metadata_is_not_checked_beyond_its_size(ann: Person, size: int) -> None:
    # The server has no key: any length up to maxMetadataSize is taken (the limit: test_tus.py).
    answer, proof, metadata = ann.drops.create([ann.tus.upload(b"x")], metadata=os.urandom(size))
    assert answer.status == 201, answer
    opened = ann.drops.open(answer.json()["id"], proof)
    assert opened.status == 200 and b64url_decode(opened.json()["metadata"]) == metadata, opened


def test_uploads_that_are_not_ready_are_refused(ann: Person, bob: Person) -> None:
    ready = ann.tus.upload(b"ready")
    unfinished = ann.tus.create_ok(10, b"01234").rsplit("/", 1)[1]
    part = ann.tus.create_ok(5, b"01234", concat="partial").rsplit("/", 1)[1]
    foreign = bob.tus.upload(b"bob's")
    used = ann.tus.upload(b"used")
    assert ann.drops.create([used])[0].status == 201
    # Not finished, or a part: 409.
    for bad in (unfinished, part):
        assert_problem(ann.drops.create([ready, bad])[0], 409, "upload-not-ready")
    # Someone else's, used by another drop, or none at all: 404.
    for bad in (foreign, used, b64url(os.urandom(16))):
        assert_problem(ann.drops.create([ready, bad])[0], 404)
    # The same upload twice in one drop is refused too.
    assert ann.drops.create([ready, ready])[0].status in (400, 404, 409)
    # The refused drops consumed nothing.
    assert ann.drops.create([ready])[0].status == 201
    assert bob.drops.create([foreign])[0].status == 201


@pytest.mark.parametrize("fields", [
    {"verifier": b64url(os.urandom(31))},
    {"verifier": b64url(os.urandom(33))},
    {"password": {"salt": b64url(os.urandom(15)), "iterations": 600_000}},
    {"password": {"salt": b64url(os.urandom(16)), "iterations": 599_999}},
    {"password": {"salt": b64url(os.urandom(16)), "iterations": 10_000_001}},
    {"expiresIn": 59},
    {"expiresIn": 30 * DAY + 1},
    {"maxDownloads": 0},
    {"maxDownloads": 1_000_001},
    {"metadata": "not base64url!"},
    {"files": "not a list"},
], ids=["verifier-31", "verifier-33", "salt-15", "iterations-low", "iterations-high", "expires-59s",
        "expires-past-max", "downloads-0", "downloads-too-many", "metadata-not-base64url", "files-not-a-list"])
def test_invalid_drop_fields_are_400(ann: Person, fields: dict) -> None:
    upload = ann.tus.upload(b"abc")
    body = {"verifier": b64url(os.urandom(32)), "metadata": b64url(sealed_metadata()), "files": [upload], **fields}
    assert_problem(ann.drops.api("POST", "/drops", body), 400)


@pytest.mark.parametrize("fields", [
    {"password": {"salt": b64url(os.urandom(16)), "iterations": 10_000_000}},
    {"expiresIn": 60},
    {"expiresIn": 30 * DAY},
    {"maxDownloads": 1},
    {"maxDownloads": 1_000_000},
], ids=["iterations-max", "expires-60s", "expires-max", "downloads-1", "downloads-max"])
def test_drop_fields_at_their_limits_are_accepted(ann: Person, fields: dict) -> None:
    answer, _, _ = ann.drops.create([ann.tus.upload(b"abc")], **fields)
    assert answer.status == 201, answer
    if "expiresIn" in fields:
        document = answer.json()
        lifetime = rfc3339(document["expiresAt"]) - rfc3339(document["createdAt"])
        assert abs(lifetime - timedelta(seconds=fields["expiresIn"])) < timedelta(seconds=5), document


def test_creating_drops_needs_a_member_with_the_write_scope(ferry: Ferry, ann: Person) -> None:
    assert_problem(Drops(ferry, None).create([])[0], 401)
    assert_problem(Drops(ferry, None).api("GET", "/drops"), 401)
    reader = Drops(ferry, ferry.token(ann.email, "read"))
    assert reader.api("GET", "/drops").status == 200
    assert_problem(reader.create([])[0], 403)
    drop = new_drop(ann, (10,))
    assert_problem(reader.revoke(drop.id), 403)
    assert_problem(reader.delete(drop.id), 403)
    assert ann.drops.owned(drop.id)["state"] == "active"


# --- opening and downloading ---------------------------------------------------------------------

def test_open_with_the_proof_then_download_the_exact_bytes(ann: Person) -> None:
    drop = new_drop(ann)
    answer = ann.drops.open(drop.id, drop.proof)
    assert answer.status == 200, answer
    opened = answer.json()
    assert set(opened) >= {"ticket", "ticketExpiresAt", "metadata", "files"}, opened
    assert b64url_decode(opened["metadata"]) == drop.metadata
    assert opened["files"] == [{"size": len(content)} for content in drop.files], opened
    # downloadTicketLifetime is 24 hours.
    assert abs(rfc3339(opened["ticketExpiresAt"]) - now() - timedelta(hours=24)) < timedelta(minutes=5)
    for index, content in enumerate(drop.files):
        file = download(ann, drop, index, opened["ticket"])
        assert file.status == 200, file
        assert file.body == content
        assert int(file.header("Content-Length") or -1) == len(content)
    assert ann.drops.owned(drop.id)["downloads"] == 1
    assert ann.drops.info(drop.id).json()["downloadsLeft"] is None


def test_ranges_and_conditional_requests(ann: Person) -> None:
    drop = new_drop(ann, (70 * KiB + 3,))
    content = drop.files[0]
    ticket = ann.drops.open_ok(drop)["ticket"]
    full = download(ann, drop, 0, ticket)
    etag = full.header("ETag")
    assert full.status == 200 and etag, full

    part = download(ann, drop, 0, ticket, {"Range": "bytes=1000-65535"})
    assert part.status == 206, part
    assert part.body == content[1000:65536]
    assert part.header("Content-Range") == f"bytes 1000-65535/{len(content)}", part
    tail = download(ann, drop, 0, ticket, {"Range": "bytes=-100"})
    assert tail.status == 206 and tail.body == content[-100:], tail

    assert download(ann, drop, 0, ticket, {"If-None-Match": etag}).status == 304
    matching = download(ann, drop, 0, ticket, {"Range": "bytes=0-9", "If-Range": etag})
    assert matching.status == 206 and matching.body == content[:10], matching
    stale = download(ann, drop, 0, ticket, {"Range": "bytes=0-9", "If-Range": '"not-the-etag"'})
    assert stale.status == 200 and stale.body == content, stale
    assert download(ann, drop, 0, ticket, {"Range": f"bytes={len(content)}-"}).status == 416
    # Ranges and conditional requests count nothing.
    assert ann.drops.owned(drop.id)["downloads"] == 1


def test_file_requests_need_the_proof_and_a_ticket(ann: Person) -> None:
    drop = new_drop(ann, (2000,))
    other = new_drop(ann, (2000,))
    ticket = ann.drops.open_ok(drop)["ticket"]
    other_ticket = ann.drops.open_ok(other)["ticket"]
    wrong = b64url(os.urandom(32))
    assert_problem(ann.drops.file(drop.id, 0, drop.proof, None), 403)
    assert_problem(ann.drops.file(drop.id, 0, None, ticket), 403)
    assert_problem(ann.drops.file(drop.id, 0, wrong, ticket), 403, "drop-proof-refused")
    assert_problem(ann.drops.file(drop.id, 0, drop.proof, other_ticket), 403)
    assert_problem(ann.drops.file(drop.id, 0, drop.proof, b64url(os.urandom(32))), 403)
    assert_problem(ann.drops.file(drop.id, 1, drop.proof, ticket), 404)
    assert_problem(ann.drops.open(drop.id, None), 403)
    assert download(ann, drop, 0, ticket).body == drop.files[0]


def test_wrong_proofs_are_refused_then_limited(ann: Person) -> None:
    drop = new_drop(ann, (100,))
    for _ in range(10):
        assert_problem(ann.drops.open(drop.id, b64url(os.urandom(32))), 403, "drop-proof-refused")
    assert_problem(ann.drops.open(drop.id, b64url(os.urandom(32))), 429)
    # Limited means limited: the right proof does not get through either (or guessing would go on).
    assert ann.drops.open(drop.id, drop.proof).status == 429
    assert ann.drops.owned(drop.id)["downloads"] == 0
    # The limit is per drop.
    other = new_drop(ann, (100,))
    assert ann.drops.open(other.id, other.proof).status == 200


def test_a_proof_is_checked_without_counting_a_download(ann: Person) -> None:
    drop = new_drop(ann, (100,), maxDownloads=1)
    # The right proof: yes, and nothing is counted or handed out (a page asks before it offers
    # to spend the one download).
    for _ in range(3):
        answer = ann.drops.check(drop.id, drop.proof)
        assert answer.status == 204 and answer.body == b"", answer
    assert ann.drops.owned(drop.id)["downloads"] == 0
    assert ann.drops.info(drop.id).json()["downloadsLeft"] == 1
    assert_problem(ann.drops.check(drop.id, b64url(os.urandom(32))), 403, "drop-proof-refused")
    assert_problem(ann.drops.check(drop.id, None), 403)
    assert_problem(ann.drops.check("A" * 22, drop.proof), 404)
    # Used up: the proof still checks (a reader holding a ticket goes on; one without is told
    # at opening); revoked: said as opening would say it.
    ann.drops.open_ok(drop)
    assert ann.drops.check(drop.id, drop.proof).status == 204
    assert_problem(ann.drops.open(drop.id, drop.proof), 410, "drop-exhausted")
    other = new_drop(ann, (100,))
    assert ann.drops.revoke(other.id).status == 200
    assert_problem(ann.drops.check(other.id, other.proof), 410, "drop-revoked")
    # Wrong proofs count against the one limit of opening and checking.
    guarded = new_drop(ann, (100,))
    for index in range(10):
        attempt = ann.drops.check if index % 2 else ann.drops.open
        assert_problem(attempt(guarded.id, b64url(os.urandom(32))), 403, "drop-proof-refused")
    assert_problem(ann.drops.check(guarded.id, guarded.proof), 429)


def test_downloads_are_counted_exactly_under_concurrency(ann: Person) -> None:
    drop = new_drop(ann, (3000,), maxDownloads=5)
    openers = 20
    barrier = threading.Barrier(openers)
    answers: list = [None] * openers

    def open_once(index: int) -> None:
        barrier.wait(timeout=10)
        answers[index] = ann.drops.open(drop.id, drop.proof)

    threads = [threading.Thread(target=open_once, args=(index,)) for index in range(openers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert all(answer is not None for answer in answers), "an opener did not finish"
    opened = [answer for answer in answers if answer.status == 200]
    refused = [answer for answer in answers if answer.status != 200]
    assert len(opened) == 5, [answer.status for answer in answers]
    for answer in refused:
        assert_problem(answer, 410, "drop-exhausted")
    tickets = {answer.json()["ticket"] for answer in opened}
    assert len(tickets) == 5
    assert ann.drops.info(drop.id).json()["downloadsLeft"] == 0
    owned = ann.drops.owned(drop.id)
    assert owned["downloads"] == 5 and owned["state"] == "exhausted", owned
    # An exhausted drop still serves the tickets it gave.
    for ticket in tickets:
        assert download(ann, drop, 0, ticket).body == drop.files[0]


def test_opening_again_with_a_valid_ticket_does_not_count(ann: Person) -> None:
    drop = new_drop(ann, (100,), maxDownloads=2)
    first = ann.drops.open_ok(drop)
    again = ann.drops.open(drop.id, drop.proof, first["ticket"])
    assert again.status == 200, again
    assert again.json()["ticket"] == first["ticket"]
    assert ann.drops.info(drop.id).json()["downloadsLeft"] == 1
    second = ann.drops.open_ok(drop)
    assert second["ticket"] != first["ticket"]
    assert ann.drops.owned(drop.id)["downloads"] == 2
    # Exhausted now, and the tickets still reopen it without counting.
    assert_problem(ann.drops.open(drop.id, drop.proof), 410, "drop-exhausted")
    assert ann.drops.open(drop.id, drop.proof, first["ticket"]).json()["ticket"] == first["ticket"]
    # A ticket does not replace the proof.
    assert_problem(ann.drops.open(drop.id, b64url(os.urandom(32)), first["ticket"]), 403, "drop-proof-refused")
    assert ann.drops.owned(drop.id)["downloads"] == 2


def test_an_expired_ticket_no_longer_downloads_and_opening_counts_again(make_ferry) -> None:
    ferry = make_ferry(extra=["--download-ticket-lifetime", "3"], people="ann")
    ann = ferry.people["ann"]
    drop = new_drop(ann, (100,))
    opened = ann.drops.open_ok(drop)
    assert rfc3339(opened["ticketExpiresAt"]) - now() < timedelta(seconds=10), opened
    ticket = opened["ticket"]
    assert download(ann, drop, 0, ticket).status == 200
    wait_until(lambda: download(ann, drop, 0, ticket).status != 200, 8, "the ticket to expire", interval=0.2)
    refused = download(ann, drop, 0, ticket)
    assert refused.status in (403, 410) and refused.body != drop.files[0], refused
    again = ann.drops.open(drop.id, drop.proof, ticket)
    assert again.status == 200 and again.json()["ticket"] != ticket, again
    assert ann.drops.owned(drop.id)["downloads"] == 2


def test_revocation_stops_the_next_range_and_the_sweeper_removes_the_bytes(ann: Person, bob: Person,
                                                                          ferry: Ferry) -> None:
    before = set(ferry.blob_files())
    drop = new_drop(ann, (300 * KiB,))
    mine = set(ferry.blob_files()) - before
    assert mine
    ticket = ann.drops.open_ok(drop)["ticket"]
    first = download(ann, drop, 0, ticket, {"Range": "bytes=0-65535"})
    assert first.status == 206 and first.body == drop.files[0][:65536]

    # Only the owner may revoke.
    assert bob.drops.revoke(drop.id).status in (403, 404)
    assert download(ann, drop, 0, ticket, {"Range": "bytes=65536-131071"}).status == 206

    answer = ann.drops.revoke(drop.id)
    assert answer.status in (200, 204), answer
    assert_problem(download(ann, drop, 0, ticket, {"Range": "bytes=131072-196607"}), 410, "drop-revoked")
    assert_problem(ann.drops.open(drop.id, drop.proof), 410, "drop-revoked")
    assert ann.drops.owned(drop.id)["state"] == "revoked"
    # A revoked drop stays revoked.
    assert_problem(ann.drops.extend(drop.id, maxDownloads=10), 409, "drop-revoked")
    wait_until(lambda: not mine & set(ferry.blob_files()), 6, "the sweeper to remove a revoked drop's bytes",
               interval=0.2)


def _start_download(ferry: Ferry, drop: Drop, ticket: str) -> socket.socket:
    """A GET of a drop's first file on a connection with a small receive buffer, so the server
    cannot push the whole file into socket buffers before the test acts."""
    parts = urllib.parse.urlsplit(ferry.url)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * KiB)
    sock.settimeout(10)
    sock.connect((parts.hostname, parts.port))
    sock.sendall((f"GET /api/v1/drops/{drop.id}/files/0 HTTP/1.1\r\nHost: {parts.netloc}\r\n"
                  f"Ferry-Drop-Proof: {drop.proof}\r\nFerry-Drop-Ticket: {ticket}\r\n\r\n").encode())
    return sock


def _read_head_and(sock: socket.socket, count: int) -> tuple[int, bytes]:
    """The answer's status and the first `count` bytes of its body."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, body = data.split(b"\r\n\r\n", 1)
    while len(body) < count:
        body += sock.recv(65536)
    return int(head.split()[1]), body


def _read_body_rest(sock: socket.socket, have: int, length: int) -> bytes:
    """What follows of a body of `length` bytes of which `have` arrived: up to the connection's
    end (the server cut it) or the whole body (it did not; the connection stays open then)."""
    chunks = []
    try:
        while have < length and (chunk := sock.recv(1 << 20)):
            chunks.append(chunk)
            have += len(chunk)
    except ConnectionResetError:
        pass
    return b"".join(chunks)


@pytest.mark.parametrize("ending", ["revoke", "delete"])
def test_revoking_or_deleting_a_drop_cuts_a_download_under_way(ann: Person, ferry: Ferry, ending: str) -> None:
    """The check is not only per request: a response already streaming stops within a slice
    (docs/DROPS.md, "Downloads"), and what did arrive is an exact prefix of the ciphertext."""
    size = 24 * 1024 * KiB  # the test server's largest drop is 32 MiB
    drop = new_drop(ann, (size,))
    ticket = ann.drops.open_ok(drop)["ticket"]
    sock = _start_download(ferry, drop, ticket)
    try:
        status, body = _read_head_and(sock, 1024 * KiB)
        assert status == 200
        answer = ann.drops.revoke(drop.id) if ending == "revoke" else ann.drops.delete(drop.id)
        assert answer.status in (200, 204), answer
        body += _read_body_rest(sock, len(body), size)
    finally:
        sock.close()
    assert len(body) < size // 2, f"{len(body)} of {size} bytes arrived after the drop ended"
    assert body == drop.files[0][:len(body)]
    gone = download(ann, drop, 0, ticket, {"Range": "bytes=0-0"})
    assert gone.status in (404, 410), gone


def test_deletion_removes_the_bytes_at_once(ann: Person, bob: Person, ferry: Ferry) -> None:
    before = set(ferry.blob_files())
    drop = new_drop(ann, (200 * KiB, 10))
    mine = set(ferry.blob_files()) - before
    assert len(mine) >= 2, mine
    ticket = ann.drops.open_ok(drop)["ticket"]
    assert bob.drops.delete(drop.id).status in (403, 404)
    assert download(ann, drop, 0, ticket).status == 200

    answer = ann.drops.delete(drop.id)
    assert answer.status == 204, answer
    assert not mine & set(ferry.blob_files()), "the drop's blobs are still on disk"
    assert_problem(ann.drops.info(drop.id), 404)
    assert_problem(ann.drops.open(drop.id, drop.proof), 404)
    assert_problem(download(ann, drop, 0, ticket), 404)
    assert ann.drops.owned(drop.id) is None
    assert_problem(ann.drops.delete(drop.id), 404)


def test_the_owner_extends_a_drop(ann: Person, bob: Person) -> None:
    drop = new_drop(ann, (100,), maxDownloads=1, expiresIn=3600)
    ann.drops.open_ok(drop)
    assert_problem(ann.drops.open(drop.id, drop.proof), 410, "drop-exhausted")
    assert bob.drops.extend(drop.id, maxDownloads=5).status in (403, 404)

    answer = ann.drops.extend(drop.id, maxDownloads=3)
    assert answer.status == 200, answer
    document = answer.json()
    assert document["maxDownloads"] == 3 and document["downloads"] == 1 and document["state"] == "active", document
    assert ann.drops.info(drop.id).json()["downloadsLeft"] == 2
    ann.drops.open_ok(drop)

    answer = ann.drops.extend(drop.id, expiresIn=10 * DAY)
    assert answer.status == 200, answer
    assert abs(rfc3339(answer.json()["expiresAt"]) - now() - timedelta(days=10)) < timedelta(minutes=5)
    assert_problem(ann.drops.extend(drop.id, maxDownloads=0), 400)


def test_a_text_drop_has_no_files(ann: Person) -> None:
    answer, proof, metadata = ann.drops.create([])
    assert answer.status == 201, answer
    document = answer.json()
    assert document["fileCount"] == 0 and document["size"] == 0, document
    assert ann.drops.info(document["id"]).json()["fileCount"] == 0
    opened = ann.drops.open(document["id"], proof)
    assert opened.status == 200, opened
    assert opened.json()["files"] == [] and b64url_decode(opened.json()["metadata"]) == metadata
    assert_problem(ann.drops.file(document["id"], 0, proof, opened.json()["ticket"]), 404)


def test_the_audit_log_records_drops_without_proofs(ann: Person) -> None:
    kept, revoked, deleted = new_drop(ann, (10,)), new_drop(ann, (10,)), new_drop(ann, (10,))
    assert ann.drops.revoke(revoked.id).status in (200, 204)
    assert ann.drops.delete(deleted.id).status == 204
    answer = ann.drops.api("GET", "/audit")
    assert answer.status == 200, answer
    events = answer.json()["events"]

    def recorded(action: str, drop: Drop) -> bool:
        return any(event["action"] == action and drop.id in json.dumps(event) for event in events)

    assert recorded("drop.create", kept) and recorded("drop.revoke", revoked) and recorded("drop.delete", deleted)
    text = answer.body.decode()
    for drop in (kept, revoked, deleted):
        assert drop.proof not in text


# --- secrecy -------------------------------------------------------------------------------------

def forms(secret: str, binary: bool) -> set[bytes]:
    """A secret as it could appear in a file: as sent, in base64; for a binary one (a token in
    base64url) also its raw bytes, hex and base64."""
    variants = {secret.encode(), base64.b64encode(secret.encode()).rstrip(b"=")}
    if binary:
        try:
            raw = b64url_decode(secret)
        except ValueError:  # not base64url (a ticket may have another form): as sent only
            raw = b""
        if len(raw) >= 16:
            variants |= {raw, raw.hex().encode(), base64.b64encode(raw).rstrip(b"=")}
    return variants


def test_no_secret_reaches_the_logs_or_the_data_folder(make_ferry) -> None:
    ferry = make_ferry(people="ann", access_log=True, log_level="debug")
    ann = ferry.people["ann"]
    marker = "ferry-marker-" + secrets.token_hex(8)
    metadata = tus_metadata({"filename": marker + "-name.txt", marker + "-key": marker + "-value",
                             "filetype": "text/" + marker})
    content = os.urandom(100 * KiB)
    path = ann.tus.create_ok(len(content), content[:10 * KiB], metadata=metadata)
    upload = path.rsplit("/", 1)[1]
    ann.tus.head(path)
    ann.tus.patch(path, 0, b"wrong offset")
    ann.tus.send_rest(path, content, 10 * KiB, chunk=30 * KiB)
    part = ann.tus.create_ok(5, b"12345", metadata=metadata, concat="partial")
    final = ann.tus.create(None, concat=f"final;{part}", metadata=metadata).header("Location") or ""

    salt = os.urandom(16)
    answer, proof, _ = ann.drops.create([upload, final.rsplit("/", 1)[1]],
                                        password={"salt": b64url(salt), "iterations": 600_000}, maxDownloads=5)
    assert answer.status == 201, answer
    drop = Drop(answer.json()["id"], proof, b"", [content, b"12345"], answer.json())
    assert ann.drops.info(drop.id).status == 200
    opened = ann.drops.open_ok(drop)
    ticket = opened["ticket"]
    assert ann.drops.open(drop.id, drop.proof, ticket).status == 200
    assert download(ann, drop, 0, ticket, {"Range": "bytes=0-999"}).status == 206
    assert download(ann, drop, 1, ticket).body == b"12345"
    assert ann.drops.open(drop.id, b64url(os.urandom(32))).status == 403
    assert ann.drops.extend(drop.id, maxDownloads=6).status == 200
    assert ann.drops.revoke(drop.id).status in (200, 204)
    assert download(ann, drop, 0, ticket).status == 410
    # The link's page (whatever it answers) is logged masked too.
    exchange(ferry.url, "GET", f"/d/{drop.id}")
    ferry.stop()

    output = ferry.server.log()
    access = [line for line in output.splitlines() if "ferry.access" in line]
    # The access log was on, and masked the paths of drops and uploads.
    for prefix in ("/api/v1/drops/", "/api/v1/uploads/", "/d/"):
        assert any(prefix in line for line in access), f"no {prefix} request in the access log"
    for line in access:
        for prefix in ("/api/v1/drops/", "/api/v1/uploads/", "/d/"):
            if prefix in line:
                assert line.split(prefix, 1)[1].startswith("…"), line

    ids = [drop.id, upload, part.rsplit("/", 1)[1], final.rsplit("/", 1)[1]]
    values = [marker + "-name.txt", marker + "-value", "text/" + marker]
    in_logs = [(f"id {name}", name, False) for name in ids] + [
        ("proof", drop.proof, True), ("ticket", ticket, True), ("metadata marker", marker, False)]
    in_logs += [("metadata value", value, False) for value in values]
    for name, secret, binary in in_logs:
        for form in forms(secret, binary):
            assert form.decode("latin-1") not in output, f"the {name} ({form!r}) is in the server's output"

    # The store keeps the drop's id (its name) and the verifier; never these.
    in_files = [(name, secret, binary) for name, secret, binary in in_logs if not name.startswith("id ")]
    for file in Path(ferry.server.data).rglob("*"):
        if not file.is_file():
            continue
        data = file.read_bytes()
        for name, secret, binary in in_files:
            for form in forms(secret, binary):
                assert form not in data, f"the {name} ({form!r}) is in {file}"


def test_the_drops_page_offers_the_expiries_the_server_allows(make_ferry) -> None:
    """A server whose drops live at most 3 days offers no longer expiry, offers the 3 days, selects
    the default (capped to the limit), and tells the owner list the limit."""
    ferry = make_ferry(extra=["--max-drop-lifetime", str(3 * DAY)], people="ann")
    signed_in = exchange(ferry.url, "POST", "/api/v1/session", {"Content-Type": "application/json", "Origin": ferry.url},
                         json.dumps({"email": "ann@example.org", "password": PASSWORD}).encode())
    assert signed_in.status == 200, signed_in
    cookie = (signed_in.header("Set-Cookie") or "").split(";", 1)[0]
    page = exchange(ferry.url, "GET", "/drops", {"Cookie": cookie})
    assert page.status == 200, page
    html = page.body.decode()
    options = re.findall(r'<option value="(\d+)"( selected)?>([^<]+)</option>', html)
    assert options == [("3600", "", "1 hour"), ("86400", "", "1 day"), (str(3 * DAY), " selected", "3 days")]
    assert f'data-max-lifetime="{3 * DAY}"' in html
    # Each choice is one the server accepts.
    ann = ferry.people["ann"]
    for seconds, _, _ in options:
        drop = ann.drops.new([b"x"], expiresIn=int(seconds))
        assert ann.drops.owned(drop.id) is not None
