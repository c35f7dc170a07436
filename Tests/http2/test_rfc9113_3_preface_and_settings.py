"""RFC 9113 §3.4 (connection preface) and §6.5 (SETTINGS)."""
import pytest
from conftest import SMALL
from h2raw import (
    FLOW_CONTROL_ERROR,
    FRAME_SIZE_ERROR,
    PROTOCOL_ERROR,
    PingFrame,
    RawH2,
    SettingsFrame,
    raw_frame,
)


def test_server_preface_is_settings_with_the_announced_limits(server):
    with RawH2(server.port, handshake=False) as conn:
        first = conn.next_frame()
        assert isinstance(first, SettingsFrame) and "ACK" not in first.flags
        assert first.settings[SettingsFrame.MAX_CONCURRENT_STREAMS] == 128
        assert first.settings[SettingsFrame.INITIAL_WINDOW_SIZE] == 1024 * 1024
        assert first.settings[SettingsFrame.MAX_HEADER_LIST_SIZE] == 32 * 1024
        assert first.settings[0x9] == 1  # SETTINGS_NO_RFC7540_PRIORITIES (RFC 9218 §2.1)


def test_client_settings_are_acknowledged(server):
    with RawH2(server.port) as conn:
        frame, _ = conn.wait_for(lambda f: isinstance(f, SettingsFrame) and "ACK" in f.flags)
        assert frame.settings == {}


def test_preface_not_followed_by_settings_is_a_protocol_error(server):
    with RawH2(server.port, preface=False) as conn:
        conn.sock.sendall(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")
        conn.send(PingFrame(0, b"abcdefgh"))
        conn.expect_goaway(PROTOCOL_ERROR)


def test_settings_ack_with_payload_is_a_frame_size_error(server):
    with RawH2(server.port) as conn:
        conn.send(raw_frame(0x4, 0x1, 0, b"\x00\x03\x00\x00\x00\x64"))
        conn.expect_goaway(FRAME_SIZE_ERROR)


def test_settings_length_not_a_multiple_of_six_is_a_frame_size_error(server):
    with RawH2(server.port) as conn:
        conn.send(raw_frame(0x4, 0x0, 0, b"\x00\x03\x00\x00\x00"))
        conn.expect_goaway(FRAME_SIZE_ERROR)


def test_settings_on_a_stream_is_a_protocol_error(server):
    with RawH2(server.port) as conn:
        conn.send(raw_frame(0x4, 0x0, 1, b""))
        conn.expect_goaway(PROTOCOL_ERROR)


@pytest.mark.parametrize(
    "identifier, value, error",
    [
        (0x2, 2, PROTOCOL_ERROR),  # ENABLE_PUSH other than 0 or 1
        (0x4, 2**31, FLOW_CONTROL_ERROR),  # INITIAL_WINDOW_SIZE above 2^31-1
        (0x5, 16383, PROTOCOL_ERROR),  # MAX_FRAME_SIZE below 2^14
        (0x5, 2**24, PROTOCOL_ERROR),  # MAX_FRAME_SIZE above 2^24-1
    ],
)
def test_invalid_setting_values(server, identifier, value, error):
    with RawH2(server.port) as conn:
        conn.send(raw_frame(0x4, 0x0, 0, identifier.to_bytes(2, "big") + value.to_bytes(4, "big")))
        conn.expect_goaway(error)


def test_unknown_settings_are_ignored(server):
    with RawH2(server.port) as conn:
        conn.send(raw_frame(0x4, 0x0, 0, (0x7777).to_bytes(2, "big") + (5).to_bytes(4, "big")))
        conn.send(conn.headers(1, RawH2.request()))
        status, _, body = conn.response(1)
        assert status == 200 and body == SMALL


def test_invalid_preface_gets_goaway_protocol_error(server):
    """RFC 9113 §3.4: a wrong preface is a connection error PROTOCOL_ERROR, answered with GOAWAY
    even though nghttp2 itself only reports it."""
    with RawH2(server.port, preface=False) as conn:
        conn.sock.sendall(b"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n" + SettingsFrame(0).serialize())
        conn.expect_goaway(PROTOCOL_ERROR)


def test_invalid_preface_after_an_h2c_upgrade_gets_goaway_protocol_error(server):
    with RawH2(server.port, preface=False) as conn:
        conn.sock.sendall(
            b"GET /small.txt HTTP/1.1\r\nHost: localhost\r\nConnection: Upgrade, HTTP2-Settings\r\n"
            b"Upgrade: h2c\r\nHTTP2-Settings: \r\n\r\n"
        )
        while b"\r\n\r\n" not in conn.buffer:
            conn.buffer += conn.sock.recv(65536)
        head, conn.buffer = conn.buffer.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 101")
        conn.sock.sendall(b"this is not the HTTP/2 preface!!")
        conn.expect_goaway(PROTOCOL_ERROR)
