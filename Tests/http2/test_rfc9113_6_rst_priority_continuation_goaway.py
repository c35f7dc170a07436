"""RFC 9113 §6.3 (PRIORITY), §6.4 (RST_STREAM), §6.8 (GOAWAY), §6.10 (CONTINUATION)."""
import time

from conftest import SMALL, device_request
from h2raw import (
    PROTOCOL_ERROR,
    ContinuationFrame,
    GoAwayFrame,
    HeadersFrame,
    RawH2,
    raw_frame,
)

# A JSON PUT whose body has not come (device_request): the handler waits for it, so the stream
# stays open.


def test_rst_stream_on_an_idle_stream_is_a_protocol_error(server):
    with RawH2(server.port) as conn:
        conn.send(raw_frame(0x3, 0x0, 1, (8).to_bytes(4, "big")))
        conn.expect_goaway(PROTOCOL_ERROR)


def test_rst_stream_on_stream_zero_is_a_protocol_error(server):
    with RawH2(server.port) as conn:
        conn.send(raw_frame(0x3, 0x0, 0, (8).to_bytes(4, "big")))
        conn.expect_goaway(PROTOCOL_ERROR)


def test_a_reset_stream_does_not_disturb_the_others(server):
    with RawH2(server.port) as conn:
        conn.send(conn.headers(1, device_request(server), end_stream=False))
        conn.send(raw_frame(0x3, 0x0, 1, (8).to_bytes(4, "big")))  # CANCEL
        conn.send(conn.headers(3, RawH2.request()))
        status, _, body = conn.response(3)
        assert status == 200 and body == SMALL


def test_priority_frames_are_accepted_and_ignored(server):
    with RawH2(server.port) as conn:
        # Exclusive dependency on stream 0, weight 200, for an idle stream and for a later one.
        conn.send(raw_frame(0x2, 0x0, 7, (0x80000000).to_bytes(4, "big") + bytes([200])))
        conn.send(conn.headers(1, RawH2.request()))
        assert conn.response(1)[0] == 200


def test_priority_on_stream_zero_is_a_protocol_error(server):
    """RFC 9113 §6.3: still refused with RFC 7540 priorities off."""
    with RawH2(server.port) as conn:
        conn.send(raw_frame(0x2, 0x0, 0, (1).to_bytes(4, "big") + bytes([16])))
        conn.expect_goaway(PROTOCOL_ERROR)


def test_priority_on_stream_zero_split_across_reads_is_a_protocol_error(server):
    with RawH2(server.port) as conn:
        frame = raw_frame(0x2, 0x0, 0, (1).to_bytes(4, "big") + bytes([16]))
        conn.send(frame[:4])
        time.sleep(0.1)
        conn.send(frame[4:])
        conn.expect_goaway(PROTOCOL_ERROR)


def test_priority_making_an_idle_stream_depend_on_itself_is_a_stream_error(server):
    """RFC 9113 §5.3.1: a stream cannot depend on itself (stream error PROTOCOL_ERROR)."""
    with RawH2(server.port) as conn:
        conn.send(raw_frame(0x2, 0x0, 5, (5).to_bytes(4, "big") + bytes([16])))
        conn.expect_rst(5, PROTOCOL_ERROR)
        conn.send(conn.headers(1, RawH2.request()))
        status, _, body = conn.response(1)
        assert status == 200 and body == SMALL


def test_priority_making_an_open_stream_depend_on_itself_is_a_stream_error(server):
    with RawH2(server.port) as conn:
        conn.send(conn.headers(1, device_request(server), end_stream=False))
        # Exclusive flag set: the stream id is still compared without it.
        conn.send(raw_frame(0x2, 0x0, 1, (0x80000001).to_bytes(4, "big") + bytes([16])))
        conn.expect_rst(1, PROTOCOL_ERROR)
        conn.send(conn.headers(3, RawH2.request()))
        assert conn.response(3)[0] == 200


def test_headers_making_its_stream_depend_on_itself_is_refused(server):
    """RFC 9113 §5.3.1 also for the priority block of HEADERS; nghttp2 checks this one itself,
    with priorities off too, as a connection error (which §5.4.1 allows for a stream error)."""
    with RawH2(server.port) as conn:
        frame = conn.headers(1, RawH2.request())
        frame.flags.add("PRIORITY")
        frame.depends_on = 1
        frame.stream_weight = 16
        conn.send(frame)
        frames = conn.frames(timeout=3)
        errors = [(type(f).__name__, f.error_code) for f in frames if hasattr(f, "error_code")]
        assert errors in ([("GoAwayFrame", PROTOCOL_ERROR)], [("RstStreamFrame", PROTOCOL_ERROR)]), errors
        assert not any(isinstance(f, HeadersFrame) for f in frames)


def test_priority_of_wrong_length_is_a_frame_size_error(server):
    with RawH2(server.port) as conn:
        conn.send(raw_frame(0x2, 0x0, 1, b"\x00\x00\x00\x00"))
        frames = conn.frames(timeout=3)
        codes = [f.error_code for f in frames if hasattr(f, "error_code")]
        assert 0x6 in codes  # FRAME_SIZE_ERROR, as a stream or connection error


def test_continuation_completes_a_header_block(server):
    with RawH2(server.port) as conn:
        block = conn.header_block(RawH2.request())
        first = HeadersFrame(1, block[:5])
        first.flags.add("END_STREAM")
        second = ContinuationFrame(1, block[5:])
        second.flags.add("END_HEADERS")
        conn.send(first, second)
        status, _, body = conn.response(1)
        assert status == 200 and body == SMALL


def test_continuation_without_headers_is_a_protocol_error(server):
    with RawH2(server.port) as conn:
        conn.send(raw_frame(0x9, 0x4, 1, conn.header_block(RawH2.request())))
        conn.expect_goaway(PROTOCOL_ERROR)


def test_other_frame_inside_a_header_block_is_a_protocol_error(server):
    with RawH2(server.port) as conn:
        block = conn.header_block(RawH2.request())
        first = HeadersFrame(1, block[:5])
        conn.send(first, raw_frame(0x6, 0x0, 0, b"12345678"))
        conn.expect_goaway(PROTOCOL_ERROR)


def test_continuation_flood_closes_the_connection(server):
    with RawH2(server.port) as conn:
        conn.send(HeadersFrame(1, conn.header_block(RawH2.request())[:3]))
        try:
            for _ in range(200):
                conn.send(raw_frame(0x9, 0x0, 1, b"\x00" * 16))
        except OSError:
            pass
        frames = conn.frames(timeout=5)
        assert conn.closed
        assert not any(isinstance(f, HeadersFrame) for f in frames)


def test_goaway_from_the_client_lets_open_streams_finish(server):
    with RawH2(server.port) as conn:
        conn.send(conn.headers(1, RawH2.request()))
        conn.send(GoAwayFrame(0, last_stream_id=0, error_code=0))
        status, _, body = conn.response(1)
        assert status == 200 and body == SMALL


def test_goaway_on_a_stream_is_a_protocol_error(server):
    with RawH2(server.port) as conn:
        conn.send(raw_frame(0x7, 0x0, 1, (0).to_bytes(4, "big") + (0).to_bytes(4, "big")))
        conn.expect_goaway(PROTOCOL_ERROR)
