"""RFC 8441: extended CONNECT (WebSockets over HTTP/2). The real binary has no tunnel route on this
branch; tunnels themselves are tested in Swift (LiveHTTP2TunnelTests) with a tunnel responder."""
import pytest
from h2raw import PROTOCOL_ERROR, RawH2, SettingsFrame

SETTINGS_ENABLE_CONNECT_PROTOCOL = 0x8

SMALL_GET = [(":method", "GET"), (":scheme", "http"), (":authority", "localhost"), (":path", "/small.txt")]


def extended_connect(path, protocol="websocket"):
    return [
        (":method", "CONNECT"),
        (":protocol", protocol),
        (":scheme", "http"),
        (":authority", "localhost"),
        (":path", path),
    ]


def test_settings_announce_extended_connect(server):
    with RawH2(server.port, handshake=False) as conn:
        first = conn.next_frame()
        assert isinstance(first, SettingsFrame) and "ACK" not in first.flags
        assert first.settings[SETTINGS_ENABLE_CONNECT_PROTOCOL] == 1


@pytest.mark.parametrize("path", ["/api/v1/health", "/small.txt", "/no/such/route"])
def test_extended_connect_to_a_route_that_is_not_a_tunnel_gets_its_normal_answer(server, path):
    with RawH2(server.port) as conn:
        conn.send(conn.headers(1, extended_connect(path), end_stream=False))
        status, _, _ = conn.response(1)
        assert status in (404, 405), status
        # The stream ended (the server ends the unread upload with RST_STREAM NO_ERROR, RFC 9113
        # §8.1); the connection goes on.
        conn.send(conn.headers(3, SMALL_GET))
        assert conn.response(3)[0] == 200


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_protocol_pseudo_header_without_connect_is_a_stream_error(server, method):
    """RFC 8441 §4: `:protocol` belongs to CONNECT only; a request with it is malformed."""
    with RawH2(server.port) as conn:
        headers = [(":method", method), (":protocol", "websocket")] + SMALL_GET[1:]
        conn.send(conn.headers(1, headers))
        conn.expect_rst(1, PROTOCOL_ERROR)
        conn.send(conn.headers(3, SMALL_GET))
        assert conn.response(3)[0] == 200


@pytest.mark.parametrize("missing", [":path", ":scheme"])
def test_extended_connect_without_path_or_scheme_is_a_stream_error(server, missing):
    """RFC 8441 §4: an extended CONNECT carries :scheme and :path."""
    with RawH2(server.port) as conn:
        headers = [field for field in extended_connect("/x") if field[0] != missing]
        conn.send(conn.headers(1, headers, end_stream=False))
        conn.expect_rst(1, PROTOCOL_ERROR)


def test_plain_connect_with_a_path_is_a_stream_error(server):
    """RFC 9113 §8.5: a CONNECT without :protocol has no :scheme or :path."""
    with RawH2(server.port) as conn:
        conn.send(conn.headers(1, [(":method", "CONNECT"), (":authority", "localhost:443"), (":path", "/")]))
        conn.expect_rst(1, PROTOCOL_ERROR)


def test_plain_connect_is_refused(server):
    """A well-formed plain CONNECT asks an origin server to be a proxy: it is refused (400)."""
    with RawH2(server.port) as conn:
        conn.send(conn.headers(1, [(":method", "CONNECT"), (":authority", "localhost:443")], end_stream=False))
        status, _, _ = conn.response(1)
        assert status == 400
        conn.send(conn.headers(3, SMALL_GET))
        assert conn.response(3)[0] == 200
