"""The tus 1.0 upload endpoint `/api/v1/uploads` (docs/DROPS.md, "Uploading: tus 1.0" and
"Quotas and limits"): discovery, versions, creation (with upload), HEAD, PATCH with its offset,
content-type, length and checksum rules, termination, concatenation, expiration by the sweeper,
chunks cut short by a lost connection, kill -9 of the server mid-upload and resume after a
restart, a full disk (a small tmpfs as --blobs) and the size limit and quotas at their
boundaries."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import subprocess
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Iterator

import pytest

from conftest import (HTTP_DATE, KiB, MAX_DROP_SIZE, MiB, OFFSET_STREAM, PASSWORD, TUS_VERSION, UPLOADS, Drop, Drops,
                      Ferry, Person, StreamingRequest, Tus, assert_problem, b64url, backends, http_date, now, rfc3339,
                      sha256, start_ferry, upload_id, wait_until)

EXTENSIONS = {"creation", "creation-with-upload", "expiration", "checksum", "termination", "concatenation"}


def tus_list(value: str | None) -> list[str]:
    assert value is not None
    return [item.strip() for item in value.split(",") if item.strip()]


def download_all(person: Person, drop: Drop) -> list[bytes]:
    opened = person.drops.open_ok(drop)
    files = []
    for index in range(len(opened["files"])):
        answer = person.drops.file(drop.id, index, drop.proof, opened["ticket"])
        assert answer.status == 200, answer
        files.append(answer.body)
    return files


def drop_of(person: Person, ids: list[str], contents: list[bytes]) -> Drop:
    answer, proof, metadata = person.drops.create(ids)
    assert answer.status == 201, answer
    return Drop(answer.json()["id"], proof, metadata, contents, answer.json())


# --- discovery and versions ----------------------------------------------------------------------

def test_options_discovery_is_public(ferry: Ferry) -> None:
    answer = Tus(ferry).request("OPTIONS", UPLOADS, tus=False)
    assert answer.status == 204, answer
    assert TUS_VERSION in tus_list(answer.header("Tus-Version"))
    assert set(tus_list(answer.header("Tus-Extension"))) == EXTENSIONS, answer
    assert "sha256" in tus_list(answer.header("Tus-Checksum-Algorithm")), answer
    assert int(answer.header("Tus-Max-Size") or -1) == MAX_DROP_SIZE, answer
    assert answer.header("Tus-Resumable") == TUS_VERSION, answer


@pytest.mark.parametrize("version", [None, "0.2.2"], ids=["missing", "wrong"])
def test_requests_without_tus_resumable_1_0_0_are_412(ann: Person, version: str | None) -> None:
    path = ann.tus.create_ok(100, b"x" * 10)
    headers = {"Tus-Resumable": version} if version else {}
    answers = [
        ann.tus.create(100, tus=False, headers=headers),
        ann.tus.request("HEAD", path, headers, tus=False),
        ann.tus.patch(path, 10, b"y" * 10, tus=False, headers=headers),
        ann.tus.request("DELETE", path, headers, tus=False),
    ]
    for answer in answers:
        assert answer.status == 412, answer
        assert TUS_VERSION in tus_list(answer.header("Tus-Version")), answer
    assert ann.tus.offset(path) == 10


def test_every_answer_carries_tus_resumable(ann: Person, bob: Person, ferry: Ferry) -> None:
    path = ann.tus.create_ok(100, b"a" * 10)
    data = b"b" * 10
    answers = [
        (200, ann.tus.head(path)),
        (204, ann.tus.patch(path, 10, data)),
        (409, ann.tus.patch(path, 0, data)),
        (415, ann.tus.patch(path, 20, data, content_type="text/plain")),
        (460, ann.tus.patch(path, 20, data, checksum=sha256(b"other"))),
        (413, ann.tus.patch(path, 20, b"c" * 81)),
        (404, bob.tus.head(path)),
        (401, Tus(ferry).create(10)),
        (412, ann.tus.create(10, tus=False)),
        (204, ann.tus.delete(path)),
    ]
    assert [answer.status for _, answer in answers] == [status for status, _ in answers], answers
    missing = [answer.request + f" {answer.status}" for _, answer in answers
               if answer.header("Tus-Resumable") != TUS_VERSION]
    assert not missing, f"answers without Tus-Resumable: 1.0.0: {missing}"


# --- creation, HEAD, PATCH ---------------------------------------------------------------------

def test_creation_answers_location_and_expiry(ann: Person) -> None:
    answer = ann.tus.create(1000)
    assert answer.status == 201, answer
    assert answer.header("Tus-Resumable") == TUS_VERSION, answer
    location = answer.header("Location") or ""
    assert location.startswith(UPLOADS + "/") and len(upload_id(location)) > 0, answer
    expires = answer.header("Upload-Expires")
    assert expires and HTTP_DATE.match(expires), answer
    # uploadLifetime is 24 hours by default.
    assert abs(http_date(expires) - (now() + timedelta(hours=24))) < timedelta(minutes=5), expires

    status = ann.tus.head(location)
    assert status.status in (200, 204), status
    assert status.offset == 0 and int(status.header("Upload-Length") or -1) == 1000, status
    assert "no-store" in (status.header("Cache-Control") or ""), status
    assert status.header("Upload-Expires"), status
    assert status.header("Tus-Resumable") == TUS_VERSION, status
    assert status.body == b""


def test_creation_needs_an_upload_length(ann: Person) -> None:
    assert_problem(ann.tus.create(None), 400)
    # creation-defer-length is not offered.
    assert_problem(ann.tus.create(None, headers={"Upload-Defer-Length": "1"}), 400)


def test_creation_with_upload_stores_the_first_chunk(ann: Person) -> None:
    data = os.urandom(300 * KiB)
    answer = ann.tus.create(len(data), data[:100 * KiB])
    assert answer.status == 201, answer
    assert answer.offset == 100 * KiB
    path = answer.header("Location") or ""
    assert ann.tus.offset(path) == 100 * KiB
    ann.tus.send_rest(path, data, 100 * KiB)
    drop = drop_of(ann, [upload_id(path)], [data])
    assert download_all(ann, drop) == [data]


def test_patch_appends_and_acknowledges_the_new_offset(ann: Person) -> None:
    data = os.urandom(200 * KiB)
    path = ann.tus.create_ok(len(data))
    answer = ann.tus.patch(path, 0, data[:70 * KiB])
    assert answer.status == 204, answer
    assert answer.offset == 70 * KiB and answer.header("Tus-Resumable") == TUS_VERSION, answer
    assert ann.tus.offset(path) == 70 * KiB
    assert ann.tus.patch_ok(path, 70 * KiB, data[70 * KiB:]) == len(data)
    status = ann.tus.head(path)
    assert status.offset == len(data) and int(status.header("Upload-Length") or -1) == len(data), status
    drop = drop_of(ann, [upload_id(path)], [data])
    assert download_all(ann, drop) == [data]


def test_offset_mismatch_is_409(ann: Person) -> None:
    path = ann.tus.create_ok(1000, b"a" * 100)
    assert_problem(ann.tus.patch(path, 0, b"b" * 10), 409, "upload-offset-mismatch")
    assert_problem(ann.tus.patch(path, 150, b"b" * 10), 409, "upload-offset-mismatch")
    assert ann.tus.offset(path) == 100


def test_wrong_content_type_is_415(ann: Person) -> None:
    path = ann.tus.create_ok(1000, b"a" * 100)
    assert_problem(ann.tus.patch(path, 100, b"b" * 10, content_type="application/octet-stream"), 415)
    assert ann.tus.offset(path) == 100


def test_bytes_past_the_upload_length_are_413_and_not_stored(ann: Person, ferry: Ferry) -> None:
    path = ann.tus.create_ok(100)
    assert_problem(ann.tus.patch(path, 0, os.urandom(101)), 413)
    assert ann.tus.offset(path) == 0
    ann.tus.patch_ok(path, 0, b"a" * 60)
    assert_problem(ann.tus.patch(path, 60, os.urandom(41)), 413)
    assert ann.tus.offset(path) == 60
    assert_problem(ann.tus.create(10, os.urandom(11)), 413)


def test_upload_length_above_max_drop_size_is_413(ann: Person, ferry: Ferry) -> None:
    before = ferry.blob_files()
    assert_problem(ann.tus.create(MAX_DROP_SIZE + 1), 413, "drop-too-large")
    assert_problem(ann.tus.create(MAX_DROP_SIZE + 1, os.urandom(64 * KiB)), 413, "drop-too-large")
    assert ferry.written_since(before) == {}
    exactly = ann.tus.create_ok(MAX_DROP_SIZE)
    assert ann.tus.delete(exactly).status == 204


def test_checksum_mismatch_is_460_and_the_offset_stays(ann: Person) -> None:
    data = os.urandom(64 * KiB)
    path = ann.tus.create_ok(len(data) * 2)
    assert_problem(ann.tus.patch(path, 0, data, checksum=sha256(b"something else")), 460, "checksum-mismatch")
    assert ann.tus.offset(path) == 0
    assert ann.tus.patch(path, 0, data, checksum=sha256(data)).status == 204
    assert ann.tus.offset(path) == len(data)
    # Only sha256 is offered: another algorithm is a bad request (tus 1.0, checksum extension).
    md5 = "md5 " + base64.b64encode(hashlib.md5(data).digest()).decode()
    assert_problem(ann.tus.patch(path, len(data), data, checksum=md5), 400)
    assert ann.tus.offset(path) == len(data)
    # creation-with-upload takes a checksum too; a refused first chunk leaves the upload, at 0.
    refused = ann.tus.create(len(data), data, checksum=sha256(b"else"))
    assert_problem(refused, 460, "checksum-mismatch")
    assert refused.offset == 0 and (refused.header("Location") or "").startswith(UPLOADS + "/"), refused
    assert ann.tus.patch_ok(refused.header("Location") or "", 0, data) == len(data)
    answer = ann.tus.create(len(data), data, checksum=sha256(data))
    assert answer.status == 201 and answer.offset == len(data), answer


def test_termination_deletes_the_bytes_at_once(ann: Person, ferry: Ferry) -> None:
    before = set(ferry.blob_files())
    path = ann.tus.create_ok(500 * KiB, os.urandom(200 * KiB))
    assert set(ferry.blob_files()) - before, "the first chunk should be on disk"
    answer = ann.tus.delete(path)
    assert answer.status == 204 and answer.header("Tus-Resumable") == TUS_VERSION, answer
    assert set(ferry.blob_files()) - before == set()
    assert ann.tus.head(path).status == 404
    assert_problem(ann.tus.patch(path, 200 * KiB, b"x"), 404)
    assert_problem(ann.tus.delete(path), 404)


def test_another_members_upload_is_404(ann: Person, bob: Person) -> None:
    path = ann.tus.create_ok(1000, b"a" * 100)
    assert bob.tus.head(path).status == 404
    assert_problem(bob.tus.patch(path, 100, b"b" * 10), 404)
    assert_problem(bob.tus.delete(path), 404)
    assert ann.tus.offset(path) == 100


def test_unauthenticated_requests_are_401(ann: Person, ferry: Ferry) -> None:
    path = ann.tus.create_ok(1000)
    anonymous = Tus(ferry)
    assert_problem(anonymous.create(1000), 401)
    assert anonymous.head(path).status == 401
    assert_problem(anonymous.patch(path, 0, b"x"), 401)
    assert_problem(anonymous.delete(path), 401)
    assert_problem(Tus(ferry, token="ferry_" + "A" * 43).create(1000), 401)
    assert ann.tus.offset(path) == 0


def test_a_read_token_cannot_upload_and_a_session_can(ferry: Ferry, ann: Person) -> None:
    reader = Tus(ferry, ferry.token("ann@example.org", "read"))
    assert_problem(reader.create(1000), 403)
    signed_in = ann.drops.api("POST", "/session", {"email": ann.email, "password": PASSWORD},
                              headers={"Origin": ferry.url}, auth=False)
    assert signed_in.status == 200, signed_in
    cookie = (signed_in.header("Set-Cookie") or "").split(";", 1)[0]
    session = Tus(ferry, cookie=cookie)
    path = session.create_ok(10, b"0123456789")
    assert session.offset(path) == 10


# --- one PATCH at a time, and chunks cut short ---------------------------------------------------

def test_one_patch_at_a_time(ann: Person, ferry: Ferry) -> None:
    data = os.urandom(2 * MiB)
    path = ann.tus.create_ok(len(data))
    parts = ferry.part_files()
    first = ann.tus.start_patch(path, 0, len(data))
    try:
        first.send(data[:MiB])
        # The first PATCH is under way (its bytes reach a .part file) before the second comes.
        with contextlib.suppress(AssertionError):
            wait_until(lambda: any(size > parts.get(name, 0) for name, size in ferry.part_files().items()), 2,
                       "the first chunk to reach the disk")
        assert_problem(ann.tus.patch(path, 0, b"x" * 10), 409, "upload-busy")
        first.send(data[MiB:])
        answer = first.answer()
    finally:
        first.cut()
    assert answer.status == 204 and answer.offset == len(data), answer


def test_a_chunk_cut_short_keeps_what_arrived(ann: Person) -> None:
    data = os.urandom(3 * MiB)
    path = ann.tus.create_ok(len(data))
    acked = ann.tus.patch_ok(path, 0, data[:MiB])
    cut = ann.tus.start_patch(path, acked, 2 * MiB)
    cut.send(data[acked:acked + 1200 * KiB])
    cut.cut()
    offset = wait_until(lambda: max(ann.tus.offset(path) - acked, 0), 10,
                        "the server to keep the bytes of the cut chunk") + acked
    assert acked < offset <= acked + 1200 * KiB
    ann.tus.send_rest(path, data, offset)
    drop = drop_of(ann, [upload_id(path)], [data])
    assert sha256(download_all(ann, drop)[0]) == sha256(data)


def test_a_checksummed_chunk_cut_short_is_not_kept(ann: Person) -> None:
    data = os.urandom(2 * MiB)
    path = ann.tus.create_ok(len(data))
    headers = ann.tus.headers({"Upload-Offset": "0", "Content-Type": OFFSET_STREAM,
                               "Upload-Checksum": "sha256 " + base64.b64encode(sha256(data)).decode()})
    cut = StreamingRequest(ann.tus.ferry.url, "PATCH", path, headers, len(data))
    cut.send(data[:MiB])
    cut.cut()
    # All or nothing: once the server is done with the cut request (409 upload-busy until then),
    # the offset is still 0.
    def resumed() -> bool:
        answer = ann.tus.patch(path, 0, data[:10], checksum=sha256(data[:10]))
        if answer.status == 409 and answer.json().get("type", "").endswith("/upload-busy"):
            return False
        assert answer.status == 204, answer
        return True

    wait_until(resumed, 10, "the cut PATCH to end", interval=0.1)
    assert ann.tus.offset(path) == 10


# --- concatenation -------------------------------------------------------------------------------

def test_concatenation_joins_finished_parts_in_order(ann: Person, ferry: Ferry) -> None:
    first, second = os.urandom(300 * KiB + 7), os.urandom(200 * KiB + 3)
    part_a = ann.tus.create_ok(len(first), first, concat="partial")
    part_b = ann.tus.create_ok(len(second), concat="partial")
    ann.tus.send_rest(part_b, second, 0, chunk=64 * KiB)
    assert (ann.tus.head(part_a).header("Upload-Concat") or "").strip() == "partial"
    # A part cannot make a drop on its own.
    assert_problem(ann.drops.create([upload_id(part_a)])[0], 409, "upload-not-ready")

    answer = ann.tus.create(None, concat=f"final;{part_a} {part_b}")
    assert answer.status == 201, answer
    final = answer.header("Location") or ""
    status = ann.tus.head(final)
    assert status.offset == len(first) + len(second), status
    assert int(status.header("Upload-Length") or -1) == len(first) + len(second), status
    assert ann.tus.head(part_a).status == 404 and ann.tus.head(part_b).status == 404
    # tus 1.0 (concatenation): HEAD of a final upload carries Upload-Concat "as received in the
    # upload creation request".
    assert status.header("Upload-Concat") == f"final;{part_a} {part_b}", status

    drop = drop_of(ann, [upload_id(final)], [first + second])
    assert download_all(ann, drop) == [first + second]


def test_concatenation_refuses_unfinished_foreign_and_plain_parts(ann: Person, bob: Person) -> None:
    done = ann.tus.create_ok(10, b"0123456789", concat="partial")
    unfinished = ann.tus.create_ok(10, b"01234", concat="partial")
    foreign = bob.tus.create_ok(10, b"0123456789", concat="partial")
    plain = ann.tus.create_ok(10, b"0123456789")
    missing = f"{UPLOADS}/{b64url(os.urandom(16))}"
    # Not finished, or not made as a part: 409.
    for parts in ([done, unfinished], [done, plain]):
        assert_problem(ann.tus.create(None, concat="final;" + " ".join(parts)), 409, "upload-concat-invalid")
    # Someone else's, or none at all: 404.
    for parts in ([done, foreign], [done, missing]):
        assert_problem(ann.tus.create(None, concat="final;" + " ".join(parts)), 404)
    # Nothing was consumed by the refused joins.
    assert ann.tus.offset(done) == 10 and bob.tus.offset(foreign) == 10 and ann.tus.offset(plain) == 10


# --- expiration ----------------------------------------------------------------------------------

def test_uploads_expire_after_their_lifetime_and_the_sweeper_removes_them(make_ferry) -> None:
    # 3 s: time enough to make a drop of an upload on a busy machine, short enough to wait for.
    ferry = make_ferry(extra=["--upload-lifetime", "3", "--sweep-interval", "1"], people="ann")
    ann = ferry.people["ann"]
    before = set(ferry.blob_files())
    unfinished = ann.tus.create(100 * KiB, os.urandom(50 * KiB))
    assert unfinished.status == 201, unfinished
    assert http_date(unfinished.header("Upload-Expires")) - now() < timedelta(seconds=10), unfinished
    unfinished_path = unfinished.header("Location") or ""
    unfinished_files = set(ferry.blob_files()) - before
    unused = ann.tus.create_ok(20 * KiB, os.urandom(20 * KiB))
    unused_files = set(ferry.blob_files()) - before - unfinished_files
    assert unfinished_files and unused_files, ferry.blob_files()
    # An upload a drop used within its lifetime is not swept with the others.
    used_bytes = os.urandom(30 * KiB)
    drop = drop_of(ann, [ann.tus.upload(used_bytes)], [used_bytes])

    seen: list[int] = []

    def gone() -> bool:
        answers = [ann.tus.head(unfinished_path), ann.tus.head(unused)]
        seen.extend(answer.status for answer in answers)
        return all(answer.status == 404 for answer in answers)

    wait_until(gone, 12, "the expired uploads to be swept", interval=0.2)
    assert set(seen) <= {200, 204, 410, 404}, seen
    assert ann.tus.patch(unfinished_path, 50 * KiB, b"x").status == 404
    assert not (unfinished_files | unused_files) & set(ferry.blob_files()), ferry.blob_files()
    assert download_all(ann, drop) == [used_bytes]


def test_an_expired_upload_answers_410_until_swept_and_a_write_extends_the_lifetime(make_ferry) -> None:
    # A sweeper that does not run again during the test: the expired upload answers 410.
    ferry = make_ferry(extra=["--upload-lifetime", "3", "--sweep-interval", "3600"], people="ann")
    ann = ferry.people["ann"]
    idle = ann.tus.create(1000, b"a" * 10)
    written = ann.tus.create(1000, b"a" * 10)
    assert idle.status == 201 and written.status == 201, (idle, written)
    idle_path, written_path = idle.header("Location") or "", written.header("Location") or ""
    time.sleep(1.5)
    later = ann.tus.patch(written_path, 10, b"b" * 10)
    assert later.status == 204, later
    assert http_date(later.header("Upload-Expires")) > http_date(idle.header("Upload-Expires")), later

    def expired() -> int | None:
        status = ann.tus.head(idle_path).status
        return None if status in (200, 204) else status

    assert wait_until(expired, 6, "the upload to expire", interval=0.1) == 410
    assert_problem(ann.tus.patch(idle_path, 10, b"b"), 410, "upload-expired")
    # The lifetime counts from the last write.
    assert ann.tus.offset(written_path) == 20


# --- kill -9 and resume --------------------------------------------------------------------------

@pytest.mark.parametrize("backend", backends())
def test_kill_9_mid_upload_then_resume_after_restart(make_ferry, backend: str) -> None:
    source = os.urandom(64 * MiB)
    chunk = 8 * MiB
    ferry = make_ferry(backend, people="ann")
    ann = ferry.people["ann"]
    path = ann.tus.create_ok(len(source))
    offset = 0

    def check_resumes_from(acked: int) -> int:
        ferry.restart()
        status = ann.tus.head(path)
        assert status.status in (200, 204), status
        assert status.offset == acked, f"resumed at {status.offset}, last acknowledged {acked}"
        # Bytes written after the last acknowledgement are cut off: the next chunk goes right after
        # the acknowledged ones (the final SHA-256 checks their place too).
        offset = ann.tus.patch_ok(path, acked, source[acked:acked + chunk])
        parts = ferry.part_files()
        assert list(parts.values()) == [offset], parts
        return offset

    # 1: killed while a PATCH body is streaming (half of the chunk sent).
    offset = ann.tus.patch_ok(path, offset, source[offset:offset + chunk])
    streaming = ann.tus.start_patch(path, offset, chunk)
    streaming.send(source[offset:offset + chunk // 2])
    with contextlib.suppress(AssertionError):
        wait_until(lambda: any(size > offset for size in ferry.part_files().values()), 3,
                   "unacknowledged bytes on disk")
    ferry.kill()
    streaming.cut()
    offset = check_resumes_from(offset)

    # 2: killed right after an acknowledgement.
    offset = ann.tus.patch_ok(path, offset, source[offset:offset + chunk])
    offset = ann.tus.patch_ok(path, offset, source[offset:offset + chunk])
    ferry.kill()
    offset = check_resumes_from(offset)

    # 3: killed mid-chunk again, with almost all of the chunk sent.
    streaming = ann.tus.start_patch(path, offset, chunk)
    streaming.send(source[offset:offset + chunk - 1])
    with contextlib.suppress(AssertionError):
        wait_until(lambda: any(size > offset for size in ferry.part_files().values()), 3,
                   "unacknowledged bytes on disk")
    ferry.kill()
    streaming.cut()
    offset = check_resumes_from(offset)

    ann.tus.send_rest(path, source, offset, chunk)
    assert ferry.part_files() == {}
    drop = drop_of(ann, [upload_id(path)], [source])
    assert sha256(download_all(ann, drop)[0]) == sha256(source)


# --- a full disk ---------------------------------------------------------------------------------

@contextlib.contextmanager
def tmpfs(size: str) -> Iterator[Path]:
    """A tmpfs of `size` (we run as root), unmounted afterwards."""
    directory = Path(tempfile.mkdtemp(prefix="ferry-blobs-"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(directory)], check=True)
    try:
        yield directory
    finally:
        subprocess.run(["umount", "-l", str(directory)], check=False)
        with contextlib.suppress(OSError):
            directory.rmdir()


@pytest.mark.parametrize("backend", backends())
def test_a_full_disk_is_507_and_the_upload_resumes_after_space_is_freed(make_ferry, backend: str) -> None:
    with tmpfs("32m") as blobs:
        ferry = make_ferry(backend, people="ann", blobs=blobs)
        try:
            fill_the_disk_then_free_it(ferry)
        finally:
            ferry.stop()


def fill_the_disk_then_free_it(ferry: Ferry) -> None:
    ann = ferry.people["ann"]
    small = os.urandom(4 * KiB)
    small_drop = drop_of(ann, [ann.tus.upload(small)], [small])
    other = ann.tus.create_ok(12 * MiB + 1)
    ann.tus.send_rest(other, os.urandom(12 * MiB), 0, chunk=MiB)

    source = os.urandom(24 * MiB)
    path = ann.tus.create_ok(len(source))
    offset, refused = 0, None
    while offset < len(source):
        answer = ann.tus.patch(path, offset, source[offset:offset + MiB])
        if answer.status != 204:
            refused = answer
            break
        offset = answer.offset
    assert refused is not None, "32 MiB of tmpfs took 36 MiB"
    assert_problem(refused, 507, "storage-full")

    # What was acknowledged stays; the upload answers; the rest of the API works.
    status = ann.tus.head(path)
    assert status.status in (200, 204) and status.offset >= offset, status
    listing = ann.drops.api("GET", "/drops")
    assert listing.status == 200, listing
    assert download_all(ann, small_drop) == [small]
    # A new upload's first chunk meets the full disk too: the upload exists all the same.
    late_source = os.urandom(2 * MiB)
    late = ann.tus.create(len(late_source), late_source)
    assert_problem(late, 507, "storage-full")
    late_path = late.header("Location") or ""
    assert late_path.startswith(UPLOADS + "/") and ann.tus.offset(late_path) == late.offset, late

    assert ann.tus.delete(other).status == 204
    ann.tus.send_rest(path, source, status.offset, chunk=MiB)
    ann.tus.send_rest(late_path, late_source, late.offset, chunk=MiB)
    drop = drop_of(ann, [upload_id(path), upload_id(late_path)], [source, late_source])
    assert [sha256(file) for file in download_all(ann, drop)] == [sha256(source), sha256(late_source)]


# --- size limit and quotas at their boundaries ---------------------------------------------------

LIMIT = 1000
USER_QUOTA = 2000
TEAM_QUOTA = 3000
METADATA_LIMIT = 1500  # a default sealed metadata (1052 bytes) fits; with a file of the limit, the user quota too
FILES_LIMIT = 3
LIFETIME_LIMIT = 2 * 3600  # below the default lifetime (7 days), which it then becomes


@pytest.fixture(scope="module", params=backends())
def quota_ferry(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    running = start_ferry(tmp_path_factory.mktemp("data"), request.param,
                          ["--max-drop-size", str(LIMIT), "--user-quota", str(USER_QUOTA),
                           "--team-quota", str(TEAM_QUOTA), "--max-metadata-size", str(METADATA_LIMIT),
                           "--max-drop-files", str(FILES_LIMIT), "--max-drop-lifetime", str(LIFETIME_LIMIT)],
                          people="none")
    yield running
    running.server.stop(check=True)


def fill(person: Person, length: int) -> str:
    """A finished upload of `length` bytes (so the quota counts it whichever way it counts)."""
    return upload_id(person.tus.create_ok(length, os.urandom(length)))


def refused_without_writing(ferry: Ferry, person: Person, length: int, status: int, slug: str) -> None:
    before = ferry.blob_files()
    assert_problem(person.tus.create(length), status, slug)
    assert_problem(person.tus.create(length, os.urandom(length)), status, slug)
    assert ferry.written_since(before) == {}, "a refused upload wrote to the blobs folder"


def test_limits_say_what_the_server_holds_to(quota_ferry: Ferry) -> None:
    person = quota_ferry.person("limits@example.org", "Limits", new_team="Limits")
    answer = person.drops.api("GET", "/drops/limits")
    assert answer.status == 200, answer
    assert answer.header("Cache-Control") == "no-store", answer
    assert answer.json() == {
        "maxDropSize": LIMIT, "maxDropFiles": FILES_LIMIT, "maxMetadataSize": METADATA_LIMIT,
        "expiresIn": {"min": 60, "default": LIFETIME_LIMIT, "max": LIFETIME_LIMIT},
        "maxDownloads": {"min": 1, "max": 1_000_000},
    }
    assert_problem(Drops(quota_ferry, None).api("GET", "/drops/limits"), 401)
    # The limits are the ones creating a drop checks: the longest expiry is a drop, a second more
    # is not, and a drop made without one gets the default.
    upload = fill(person, 10)
    answer, _, _ = person.drops.create([upload], expiresIn=LIFETIME_LIMIT + 1)
    assert_problem(answer, 400)
    answer, _, _ = person.drops.create([fill(person, 10)], expiresIn=LIFETIME_LIMIT)
    assert answer.status == 201, answer
    assert person.drops.delete(answer.json()["id"]).status == 204
    answer, _, _ = person.drops.create([upload])
    assert answer.status == 201, answer
    document = answer.json()
    lifetime = rfc3339(document["expiresAt"]) - rfc3339(document["createdAt"])
    assert abs(lifetime.total_seconds() - LIFETIME_LIMIT) < 5, document
    assert person.drops.delete(document["id"]).status == 204


def test_max_drop_size_at_its_boundary(quota_ferry: Ferry) -> None:
    person = quota_ferry.person("size@example.org", "Size", new_team="Size")
    exactly = fill(person, LIMIT)
    refused_without_writing(quota_ferry, person, LIMIT + 1, 413, "drop-too-large")
    # The sum of a drop's files is limited too: exactly the limit is a drop, one byte more is not.
    answer, _, _ = person.drops.create([exactly], metadata=os.urandom(100))
    assert answer.status == 201, answer
    assert person.drops.delete(answer.json()["id"]).status == 204
    answer, _, _ = person.drops.create([fill(person, 600), fill(person, 401)])
    assert_problem(answer, 413, "drop-too-large")


def test_max_metadata_size_at_its_boundary(quota_ferry: Ferry) -> None:
    person = quota_ferry.person("meta@example.org", "Meta", new_team="Meta")
    upload = fill(person, 10)
    before = quota_ferry.blob_files()
    answer, _, _ = person.drops.create([upload], metadata=os.urandom(METADATA_LIMIT + 1))
    assert_problem(answer, 413)
    assert quota_ferry.written_since(before) == {}, "a refused drop wrote its metadata"
    answer, _, _ = person.drops.create([upload], metadata=os.urandom(METADATA_LIMIT))
    assert answer.status == 201, answer


def test_max_drop_files_at_its_boundary(quota_ferry: Ferry) -> None:
    person = quota_ferry.person("files@example.org", "Files", new_team="Files")
    uploads = [fill(person, 10) for _ in range(FILES_LIMIT + 1)]
    answer, _, _ = person.drops.create(uploads)
    assert answer.status in (400, 413), answer
    assert_problem(answer, answer.status)
    answer, _, _ = person.drops.create(uploads[:FILES_LIMIT])
    assert answer.status == 201 and answer.json()["fileCount"] == FILES_LIMIT, answer


def test_user_quota_at_its_boundary(quota_ferry: Ferry) -> None:
    person = quota_ferry.person("quota@example.org", "Quota", new_team="Quota")
    first = fill(person, LIMIT)
    second = person.tus.create_ok(LIMIT, os.urandom(LIMIT - 1))
    refused_without_writing(quota_ferry, person, 1, 507, "quota-exceeded")
    # Termination gives the bytes back.
    assert person.tus.delete(second).status == 204
    fill(person, LIMIT)
    refused_without_writing(quota_ferry, person, 1, 507, "quota-exceeded")
    # A drop holds its bytes until it is deleted, and its sealed metadata counts as well: at the
    # quota, not even a drop of what is uploaded already fits.
    answer, _, _ = person.drops.create([first], metadata=os.urandom(1))
    assert_problem(answer, 507, "quota-exceeded")
    answer, _, _ = person.drops.create([first], metadata=b"")
    assert answer.status == 201, answer
    refused_without_writing(quota_ferry, person, 1, 507, "quota-exceeded")
    assert person.drops.delete(answer.json()["id"]).status == 204
    fill(person, LIMIT)


def test_text_drops_count_against_the_quota(quota_ferry: Ferry) -> None:
    person = quota_ferry.person("texts@example.org", "Texts", new_team="Texts")
    # A text drop has no files: it is all sealed metadata, and many of them must not fill the disk.
    made = []
    for _ in range(3):
        answer, _, _ = person.drops.create([], metadata=os.urandom(600))
        assert answer.status == 201, answer
        made.append(answer.json()["id"])
    left = USER_QUOTA - 3 * 600
    before = quota_ferry.blob_files()
    answer, _, _ = person.drops.create([], metadata=os.urandom(left + 1))
    assert_problem(answer, 507, "quota-exceeded")
    # What was left and of what, so the user knows how much to delete.
    assert f"{left} B of 2.0 KiB" in answer.json()["detail"], answer.json()
    assert quota_ferry.written_since(before) == {}, "a refused drop left its metadata"
    answer, _, _ = person.drops.create([], metadata=os.urandom(left))
    assert answer.status == 201, answer
    refused_without_writing(quota_ferry, person, 1, 507, "quota-exceeded")
    # Deleting one gives its bytes back.
    assert person.drops.delete(made[0]).status == 204
    fill(person, 600)


def test_team_quota_at_its_boundary(quota_ferry: Ferry) -> None:
    ruth = quota_ferry.person("ruth@example.org", "Ruth", new_team="Blue")
    sam = quota_ferry.person("sam@example.org", "Sam", team="Blue")
    uma = quota_ferry.person("uma@example.org", "Uma", new_team="Green")
    vic = quota_ferry.person("vic@example.org", "Vic", team="Green")
    quota_ferry.cli("team", "add-member", "Blue", "vic@example.org")
    fill(ruth, LIMIT)
    fill(ruth, LIMIT)
    fill(sam, LIMIT)  # Blue holds exactly its quota; Sam holds half of his.
    refused_without_writing(quota_ferry, sam, 1, 507, "quota-exceeded")
    # Green has room, but Vic is in Blue too and counts in both.
    refused_without_writing(quota_ferry, vic, 1, 507, "quota-exceeded")
    fill(uma, LIMIT)
