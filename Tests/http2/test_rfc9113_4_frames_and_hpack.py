"""RFC 9113 §4 (frame format and size, header compression) and §6.7 (PING)."""
from conftest import device_request
from h2raw import (
    COMPRESSION_ERROR,
    FRAME_SIZE_ERROR,
    PROTOCOL_ERROR,
    HeadersFrame,
    PingFrame,
    RawH2,
    raw_frame,
)


def test_frame_larger_than_max_frame_size_is_a_frame_size_error(server):
    with RawH2(server.port) as conn:
        headers = conn.headers(1, device_request(server), end_stream=False)
        conn.send(headers, raw_frame(0x0, 0x0, 1, b"x" * 16385))
        conn.expect_goaway(FRAME_SIZE_ERROR)


def test_ping_is_answered_with_the_same_payload(server):
    with RawH2(server.port) as conn:
        ack = conn.ping(b"ferry-42")
        assert ack.opaque_data == b"ferry-42"


def test_ping_of_wrong_length_is_a_frame_size_error(server):
    with RawH2(server.port) as conn:
        conn.send(raw_frame(0x6, 0x0, 0, b"1234567"))
        conn.expect_goaway(FRAME_SIZE_ERROR)


def test_ping_on_a_stream_is_a_protocol_error(server):
    with RawH2(server.port) as conn:
        conn.send(raw_frame(0x6, 0x0, 1, b"12345678"))
        conn.expect_goaway(PROTOCOL_ERROR)


def test_undecodable_header_block_is_a_compression_error(server):
    with RawH2(server.port) as conn:
        # 0xFF... is an indexed field with an index far past the tables.
        conn.send(raw_frame(0x1, 0x5, 1, b"\xff\xff\xff\xff\x0f"))
        conn.expect_goaway(COMPRESSION_ERROR)


def test_unknown_frame_types_are_ignored(server):
    with RawH2(server.port) as conn:
        conn.send(raw_frame(0xEE, 0x0, 0, b"whatever"))
        conn.send(conn.headers(1, RawH2.request()))
        status, _, _ = conn.response(1)
        assert status == 200


def test_window_update_of_wrong_length_is_a_frame_size_error(server):
    with RawH2(server.port) as conn:
        conn.send(raw_frame(0x8, 0x0, 0, b"\x00\x00\x01"))
        conn.expect_goaway(FRAME_SIZE_ERROR)


def test_rst_stream_of_wrong_length_is_a_frame_size_error(server):
    with RawH2(server.port) as conn:
        conn.send(conn.headers(1, RawH2.request(), end_stream=False))
        conn.send(raw_frame(0x3, 0x0, 1, b"\x00\x00\x00"))
        conn.expect_goaway(FRAME_SIZE_ERROR)


def test_headers_with_padding_longer_than_the_payload_is_a_protocol_error(server):
    with RawH2(server.port) as conn:
        block = conn.header_block(RawH2.request())
        conn.send(raw_frame(0x1, 0x5 | 0x8, 1, bytes([len(block) + 5]) + block))
        conn.expect_goaway(PROTOCOL_ERROR)


def test_headers_frame_type_is_understood(server):
    # Sanity check of the helper against the server: a plain request works.
    with RawH2(server.port) as conn:
        frame = conn.headers(1, RawH2.request())
        assert isinstance(frame, HeadersFrame)
        conn.send(frame)
        assert conn.response(1)[0] == 200
