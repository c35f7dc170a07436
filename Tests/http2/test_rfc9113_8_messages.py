"""RFC 9113 §8: message framing, pseudo-header fields, connection-specific fields, and the
responses Ferry's handlers produce over HTTP/2 (static files, ranges, conditionals, JSON, errors)."""
import hashlib
import json

import pytest
from conftest import LARGE, PUBLIC_KEY, SMALL, device_request
from h2raw import PROTOCOL_ERROR, DataFrame, RawH2

BASE = [(":method", "GET"), (":scheme", "http"), (":authority", "localhost"), (":path", "/small.txt")]


@pytest.mark.parametrize(
    "headers",
    [
        [h for h in BASE if h[0] != ":method"],
        [h for h in BASE if h[0] != ":path"],
        [h for h in BASE if h[0] != ":scheme"],
        BASE + [(":path", "/again")],  # duplicate pseudo-field
        [(":method", "GET"), (":scheme", "http"), ("accept", "*/*"), (":path", "/small.txt")],  # after a field
        BASE + [(":status", "200")],  # a response pseudo-field in a request
        BASE + [(":unknown", "x")],
        [(":method", "GET"), (":scheme", "http"), (":authority", "localhost"), (":path", "")],
        BASE + [("Accept", "*/*")],  # upper case name
        BASE + [("connection", "keep-alive")],  # connection-specific (§8.2.2)
        BASE + [("keep-alive", "timeout=5")],
        BASE + [("transfer-encoding", "chunked")],
        BASE + [("upgrade", "websocket")],
        BASE + [("te", "gzip")],
    ],
    ids=[
        "no-method", "no-path", "no-scheme", "duplicate-path", "pseudo-after-regular", "status-in-request",
        "unknown-pseudo", "empty-path", "uppercase-name", "connection", "keep-alive", "transfer-encoding",
        "upgrade", "te-not-trailers",
    ],
)
def test_malformed_requests_are_stream_errors(server, headers):
    with RawH2(server.port) as conn:
        conn.send(conn.headers(1, headers))
        conn.expect_rst(1, PROTOCOL_ERROR)
        # The connection survives a malformed request.
        conn.send(conn.headers(3, BASE))
        assert conn.response(3)[0] == 200


def test_te_trailers_is_allowed(server):
    with RawH2(server.port) as conn:
        conn.send(conn.headers(1, BASE + [("te", "trailers")]))
        assert conn.response(1)[0] == 200


def test_content_length_that_disagrees_with_the_data_is_a_protocol_error(server):
    with RawH2(server.port) as conn:
        request = device_request(server, extra=[("content-length", "10")])
        conn.send(conn.headers(1, request, end_stream=False), DataFrame(1, b"12345", flags=["END_STREAM"]))
        conn.expect_rst(1, PROTOCOL_ERROR)


def test_responses_carry_no_connection_specific_fields(server):
    with RawH2(server.port) as conn:
        for stream, path in [(1, "/small.txt"), (3, "/"), (5, "/api/v1/version"), (7, "/missing"), (9, "/api/x")]:
            conn.send(conn.headers(stream, RawH2.request(path)))
            _, headers, _ = conn.response(stream)
            names = [name for name, _ in headers]
            assert all(name == name.lower() for name in names)
            for forbidden in ("connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection"):
                assert forbidden not in names
            assert names[0] == ":status"
            assert "date" in names


def test_static_file_with_validators_and_conditional_revalidation(server):
    with RawH2(server.port) as conn:
        conn.send(conn.headers(1, RawH2.request("/small.txt")))
        status, headers, body = conn.response(1)
        fields = dict(headers)
        assert status == 200 and body == SMALL
        assert fields["content-length"] == str(len(SMALL))
        etag = fields["etag"]
        conn.send(conn.headers(3, RawH2.request("/small.txt", extra=[("if-none-match", etag)])))
        status, headers, body = conn.response(3)
        assert status == 304 and body == b""


@pytest.mark.parametrize(
    "range_header, status, expected",
    [
        ("bytes=0-9", 206, SMALL[0:10]),
        ("bytes=-5", 206, SMALL[-5:]),
        ("bytes=1000-", 206, SMALL[1000:]),
        ("bytes=5000-6000", 416, b""),
    ],
)
def test_ranges(server, range_header, status, expected):
    with RawH2(server.port) as conn:
        conn.send(conn.headers(1, RawH2.request("/small.txt", extra=[("range", range_header)])))
        got_status, headers, body = conn.response(1)
        assert got_status == status
        if status == 206:
            assert body == expected
        else:
            assert dict(headers)["content-range"] == f"bytes */{len(SMALL)}"


def test_multiple_ranges_are_multipart(server):
    with RawH2(server.port) as conn:
        conn.send(conn.headers(1, RawH2.request("/small.txt", extra=[("range", "bytes=0-1,10-11")])))
        status, headers, body = conn.response(1)
        assert status == 206
        assert dict(headers)["content-type"].startswith("multipart/byteranges; boundary=")
        assert SMALL[0:2] in body and SMALL[10:12] in body


def test_large_file_is_sent_whole_under_flow_control(server):
    with RawH2(server.port) as conn:
        conn.send(conn.headers(1, RawH2.request("/large.bin")))
        status, headers, body = conn.response(1, timeout=30)
        assert status == 200
        assert hashlib.sha256(body).digest() == hashlib.sha256(LARGE).digest()


def test_large_file_range_from_disk(server):
    with RawH2(server.port) as conn:
        start, end = 1_000_000, 2_500_000
        conn.send(conn.headers(1, RawH2.request("/large.bin", extra=[("range", f"bytes={start}-{end}")])))
        status, _, body = conn.response(1, timeout=30)
        assert status == 206 and body == LARGE[start:end + 1]


def test_head_has_the_length_and_no_body(server):
    with RawH2(server.port) as conn:
        conn.send(conn.headers(1, RawH2.request("/large.bin", "HEAD")))
        status, headers, body = conn.response(1)
        assert status == 200 and body == b""
        assert dict(headers)["content-length"] == str(len(LARGE))


def test_template_page_and_precompressed_variant(server):
    with RawH2(server.port) as conn:
        conn.send(conn.headers(1, RawH2.request("/sign-in", extra=[("accept", "text/html")])))
        status, headers, body = conn.response(1)
        assert status == 200 and b"<!doctype html>" in body.lower()
        assert "content-security-policy" in dict(headers)


def test_api_errors_are_problem_json(server):
    with RawH2(server.port) as conn:
        conn.send(conn.headers(1, RawH2.request("/api/v1/nothing-here")))
        status, headers, body = conn.response(1)
        assert status == 404
        assert dict(headers)["content-type"] == "application/problem+json"


def test_json_put_with_body(server):
    name = "h2 laptop " + "x" * 40
    payload = json.dumps({"name": name, "publicKey": PUBLIC_KEY}).encode()
    with RawH2(server.port) as conn:
        conn.send(conn.headers(1, device_request(server), end_stream=False), DataFrame(1, payload, flags=["END_STREAM"]))
        status, headers, body = conn.response(1)
        assert status == 201, body
        assert dict(headers)["content-type"] == "application/json"
        assert json.loads(body)["name"] == name


def test_oversized_header_list_is_answered_431(server):
    with RawH2(server.port) as conn:
        conn.send(*conn.header_frames(1, BASE + [("x-big", "v" * 40000)]))
        status, _, _ = conn.response(1)
        assert status == 431


def test_too_many_header_fields_are_answered_431(server):
    with RawH2(server.port) as conn:
        conn.send(*conn.header_frames(1, BASE + [(f"x-field-{i}", "1") for i in range(150)]))
        status, _, _ = conn.response(1)
        assert status == 431


@pytest.mark.parametrize("coding", ["br", "gzip"])
def test_compressed_variant_is_chosen_by_accept_encoding(server, coding):
    with RawH2(server.port) as conn:
        conn.send(conn.headers(1, RawH2.request("/small.txt", extra=[("accept-encoding", coding)])))
        status, headers, body = conn.response(1)
        fields = dict(headers)
        assert status == 200
        assert fields["content-encoding"] == coding
        assert fields["vary"] == "Accept-Encoding"
        assert int(fields["content-length"]) == len(body) < len(SMALL)
        if coding == "gzip":
            import gzip

            assert gzip.decompress(body) == SMALL
