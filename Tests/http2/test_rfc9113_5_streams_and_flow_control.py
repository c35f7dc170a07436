"""RFC 9113 §5.1 (stream states and identifiers), §5.2 and §6.9 (flow control)."""
import pytest
from conftest import DEVICE_LIMIT, SMALL, device_request
from h2raw import (
    CANCEL,
    FLOW_CONTROL_ERROR,
    NO_ERROR,
    PROTOCOL_ERROR,
    REFUSED_STREAM,
    STREAM_CLOSED,
    DataFrame,
    GoAwayFrame,
    HeadersFrame,
    RawH2,
    RstStreamFrame,
    SettingsFrame,
    WindowUpdateFrame,
    raw_frame,
)

# A JSON PUT whose body has not come (device_request): the handler waits for it, so the stream
# stays open.


def test_data_on_an_idle_stream_is_a_protocol_error(server):
    with RawH2(server.port) as conn:
        conn.send(raw_frame(0x0, 0x1, 1, b"hello"))
        conn.expect_goaway(PROTOCOL_ERROR)


def test_even_stream_id_from_a_client_is_a_protocol_error(server):
    with RawH2(server.port) as conn:
        conn.send(conn.headers(2, RawH2.request()))
        conn.expect_goaway(PROTOCOL_ERROR)


def test_stream_ids_must_increase(server):
    with RawH2(server.port) as conn:
        conn.send(conn.headers(5, RawH2.request()))
        assert conn.response(5)[0] == 200
        conn.send(conn.headers(3, RawH2.request()))
        conn.expect_goaway(PROTOCOL_ERROR)


def test_headers_on_stream_zero_is_a_protocol_error(server):
    with RawH2(server.port) as conn:
        conn.send(raw_frame(0x1, 0x5, 0, conn.header_block(RawH2.request())))
        conn.expect_goaway(PROTOCOL_ERROR)


def test_data_after_end_stream_is_stream_closed(server):
    with RawH2(server.port) as conn:
        conn.send(conn.headers(1, RawH2.request("/small.txt")))
        conn.response(1)
        conn.send(conn.headers(3, device_request(server), end_stream=False))
        conn.send(DataFrame(3, b"{}", flags=["END_STREAM"]))
        conn.send(DataFrame(3, b"more"))
        frame, _ = conn.wait_for(lambda f: isinstance(f, RstStreamFrame) or f.__class__.__name__ == "GoAwayFrame")
        assert frame.error_code == STREAM_CLOSED


def test_streams_beyond_the_concurrency_limit_are_refused(tight_server):
    with RawH2(tight_server.port) as conn:
        limit = 4
        frames = [conn.headers(1 + 2 * i, device_request(tight_server), end_stream=False)
                  for i in range(limit + 1)]
        conn.send(*frames)
        # A stream error by §5.1.2. Once the client has acknowledged the limit, nghttp2 treats a
        # breach as a connection error (PROTOCOL_ERROR), which §5.4.1 allows.
        errors = [(type(f).__name__, f.stream_id, f.error_code) for f in conn.frames(timeout=3)
                  if hasattr(f, "error_code")]
        assert ("RstStreamFrame", 1 + 2 * limit, REFUSED_STREAM) in errors or (
            "GoAwayFrame", 0, PROTOCOL_ERROR) in errors, errors


def test_zero_window_increment_on_a_stream_is_a_protocol_error(server):
    # A stream error by §6.9; nghttp2 ends the connection instead, which §5.4.1 allows.
    with RawH2(server.port) as conn:
        conn.send(conn.headers(1, device_request(server), end_stream=False))
        conn.send(raw_frame(0x8, 0x0, 1, (0).to_bytes(4, "big")))
        frames = conn.frames(timeout=3)
        errors = [(type(f).__name__, f.error_code) for f in frames if hasattr(f, "error_code")]
        assert ("RstStreamFrame", PROTOCOL_ERROR) in errors or ("GoAwayFrame", PROTOCOL_ERROR) in errors


def test_zero_window_increment_on_the_connection_is_a_connection_error(server):
    with RawH2(server.port) as conn:
        conn.send(raw_frame(0x8, 0x0, 0, (0).to_bytes(4, "big")))
        conn.expect_goaway(PROTOCOL_ERROR)


def test_connection_window_overflow_is_a_flow_control_error(server):
    with RawH2(server.port) as conn:
        conn.send(WindowUpdateFrame(0, 2**31 - 1))
        conn.expect_goaway(FLOW_CONTROL_ERROR)


def test_stream_window_overflow_is_a_stream_flow_control_error(server):
    with RawH2(server.port) as conn:
        # A JSON PUT whose body has not come yet: the handler waits, the stream stays open.
        conn.send(conn.headers(1, device_request(server), end_stream=False))
        conn.send(WindowUpdateFrame(1, 2**31 - 1))
        conn.expect_rst(1, FLOW_CONTROL_ERROR)


def test_data_beyond_the_announced_window_is_a_flow_control_error(tight_server):
    with RawH2(tight_server.port) as conn:
        request = device_request(tight_server)
        # The announced window applies once the client acknowledged the server's SETTINGS.
        # 1000-byte stream window; one frame of 1001 bytes exceeds it before any handler runs.
        conn.send(conn.headers(1, request, end_stream=False), DataFrame(1, b" " * 1001))
        frames = conn.frames(timeout=5)
        errors = [f.error_code for f in frames if hasattr(f, "error_code")]
        assert FLOW_CONTROL_ERROR in errors


def test_a_slow_handler_window_is_reopened_as_it_reads(tight_server):
    """With a 1000-byte window, a 16 KiB JSON body only arrives if the server sends WINDOW_UPDATE
    as the handler reads: the server's credit is what the handler consumed."""
    body = b'{"name":"Laptop"' + b" " * (DEVICE_LIMIT - 17) + b"}"
    assert len(body) == DEVICE_LIMIT
    with RawH2(tight_server.port) as conn:
        conn.send(conn.headers(1, device_request(tight_server), end_stream=False))
        window, sent, updates = 1000, 0, 0
        while sent < len(body):
            while window <= 0:
                frame = conn.next_frame()
                if isinstance(frame, WindowUpdateFrame) and frame.stream_id == 1:
                    window += frame.window_increment
                    updates += 1
            piece = body[sent:sent + min(window, 16384)]
            conn.send(DataFrame(1, piece))
            sent += len(piece)
            window -= len(piece)
        conn.send(DataFrame(1, b"", flags=["END_STREAM"]))
        status, _, _ = conn.response(1)
        assert status == 400  # read and parsed: a device without a public key is invalid
        assert updates >= 12


def test_the_server_respects_the_client_stream_window(server):
    with RawH2(server.port, settings={SettingsFrame.INITIAL_WINDOW_SIZE: 100}) as conn:
        conn.send(conn.headers(1, RawH2.request("/small.txt")))
        received = 0
        try:
            while True:
                frame = conn.next_frame(timeout=1.0)
                if isinstance(frame, DataFrame):
                    received += len(frame.data)
        except TimeoutError:
            pass
        assert received == 100  # the rest waits for WINDOW_UPDATE
        conn.send(WindowUpdateFrame(1, len(SMALL)), WindowUpdateFrame(0, len(SMALL)))
        while received < len(SMALL):
            frame = conn.next_frame()
            if isinstance(frame, DataFrame):
                received += len(frame.data)
        assert received == len(SMALL)


@pytest.mark.parametrize("size", [0, 1, DEVICE_LIMIT, DEVICE_LIMIT + 1, 65535, 2 * 1024 * 1024])
def test_request_bodies_reopen_the_windows_as_the_handler_reads(server, size):
    body = b"{}" if size == 0 else b" " * size
    with RawH2(server.port) as conn:
        conn.send(conn.headers(1, device_request(server), end_stream=False))
        conn.send_body(1, body)
        status, _, _ = conn.response(1)
        # The device route reads up to 16 KiB: smaller bodies are answered 400 (invalid), larger 413.
        assert status == (400 if size <= DEVICE_LIMIT else 413)
        # Whatever the route did with the body, the connection window is usable again.
        conn.send(conn.headers(3, RawH2.request("/small.txt")))
        assert conn.response(3)[2] == SMALL


def test_refused_uploads_do_not_leak_the_connection_window(server):
    """Five 2 MiB uploads refused with 413 add up to more than the 8 MiB connection window: the
    bytes the server never reads must still be returned to the window."""
    with RawH2(server.port) as conn:
        for index in range(5):
            stream = 1 + 2 * index
            conn.send(conn.headers(stream, device_request(server), end_stream=False))
            conn.send_body(stream, b" " * (2 * 1024 * 1024))
            status, _, _ = conn.response(stream, timeout=20)
            assert status == 413
        conn.send(conn.headers(11, RawH2.request("/small.txt")))
        assert conn.response(11)[2] == SMALL


# RFC 9113 §5.1, "closed": nghttp2 forgets closed streams when RFC 7540 priorities are off; the
# glue remembers how recent ones ended.


@pytest.mark.parametrize("late_frame", ["data", "headers"])
def test_frames_after_the_clients_rst_stream_are_a_stream_error_stream_closed(server, late_frame):
    with RawH2(server.port) as conn:
        conn.send(conn.headers(1, device_request(server), end_stream=False))
        conn.send(RstStreamFrame(1, error_code=CANCEL))
        if late_frame == "data":
            conn.send(DataFrame(1, b"late", flags=["END_STREAM"]))
        else:
            conn.send(conn.headers(1, [("x-trailer", "late")]))
        conn.expect_rst(1, STREAM_CLOSED)
        # A stream error: the connection goes on.
        conn.send(conn.headers(3, RawH2.request()))
        status, _, body = conn.response(3)
        assert status == 200 and body == SMALL


@pytest.mark.parametrize("late_frame", ["data", "headers"])
def test_frames_on_a_stream_closed_after_end_stream_are_a_connection_error_stream_closed(server, late_frame):
    with RawH2(server.port) as conn:
        conn.send(conn.headers(1, RawH2.request()))
        assert conn.response(1)[0] == 200  # both sides sent END_STREAM: the stream is closed
        if late_frame == "data":
            conn.send(DataFrame(1, b"late"))
        else:
            conn.send(conn.headers(1, RawH2.request()))
        conn.expect_goaway(STREAM_CLOSED)


def test_frames_after_the_servers_rst_stream_are_ignored(server):
    """RFC 9113 §5.1: frames the client sent before it saw our RST_STREAM must be ignored."""
    with RawH2(server.port) as conn:
        # A response complete before the request body: the server ends the upload with
        # RST_STREAM(NO_ERROR) (§8.1).
        conn.send(conn.headers(1, RawH2.request("/small.txt", "POST"), end_stream=False))
        frame, _ = conn.wait_for(lambda f: isinstance(f, (RstStreamFrame, GoAwayFrame)) and f.stream_id in (0, 1))
        assert isinstance(frame, RstStreamFrame) and frame.error_code == NO_ERROR
        conn.send(DataFrame(1, b"late"), DataFrame(1, b"", flags=["END_STREAM"]))
        conn.send(conn.headers(3, RawH2.request()))
        _, seen = conn.wait_for(lambda f: isinstance(f, DataFrame) and f.stream_id == 3 and "END_STREAM" in f.flags)
        assert not [f for f in seen if isinstance(f, (RstStreamFrame, GoAwayFrame))], seen
        assert any(isinstance(f, HeadersFrame) and f.stream_id == 3 for f in seen)
