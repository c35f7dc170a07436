"""RFC 9113 §10.5 (denial of service): floods are answered with GOAWAY and the connection closes,
while the server goes on serving other connections."""
from conftest import SMALL, device_request
from h2raw import (
    ENHANCE_YOUR_CALM,
    DataFrame,
    GoAwayFrame,
    PingFrame,
    RawH2,
    SettingsFrame,
    raw_frame,
)


def assert_server_still_serves(server):
    with RawH2(server.port) as conn:
        conn.send(conn.headers(1, RawH2.request()))
        status, _, body = conn.response(1)
        assert status == 200 and body == SMALL


def test_rapid_reset_gets_goaway(server):
    """CVE-2023-44487: streams opened and reset at once, thousands of times."""
    with RawH2(server.port) as conn:
        batch = []
        for index in range(3000):
            stream = 1 + 2 * index
            batch.append(conn.headers(stream, RawH2.request()))
            batch.append(raw_frame(0x3, 0x0, stream, (8).to_bytes(4, "big")))  # RST_STREAM CANCEL
        try:
            conn.send(*batch)
        except OSError:
            pass
        frames = conn.frames(timeout=10)
        goaways = [f for f in frames if isinstance(f, GoAwayFrame)]
        assert goaways and goaways[-1].error_code != 0
        assert conn.closed
    assert_server_still_serves(server)


def test_empty_data_flood_gets_enhance_your_calm(server):
    with RawH2(server.port) as conn:
        conn.send(conn.headers(1, device_request(server), end_stream=False))
        try:
            conn.send(*[DataFrame(1, b"") for _ in range(500)])
        except OSError:
            pass
        conn.expect_goaway(ENHANCE_YOUR_CALM)
    assert_server_still_serves(server)


def flood(conn, frame, batches=200, per_batch=1000):
    """Sends `frame` batches × per_batch times without reading, as fast as the socket takes it.

    Serialised once: building 200,000 frame objects in Python took 0.4 s quiet and over 2 s on a
    loaded machine, longer than the server drains input after its GOAWAY (`lingerTime`); a client
    still sending then gets an RST, which destroys the GOAWAY it has not read yet. A real flood
    is as fast as the network."""
    batch = frame.serialize() * per_batch
    try:
        for _ in range(batches):
            conn.send(batch)
    except OSError:
        pass


def test_ping_flood_without_reading_gets_goaway(server):
    """PINGs whose ACKs the client never reads pile up in the server: past the limit, GOAWAY."""
    with RawH2(server.port, receive_buffer=4096) as conn:
        flood(conn, PingFrame(0, b"floodme!"))
        frames = conn.frames(timeout=20)
        goaways = [f for f in frames if isinstance(f, GoAwayFrame)]
        assert goaways and goaways[-1].error_code == ENHANCE_YOUR_CALM
        assert conn.closed
    assert_server_still_serves(server)


def test_settings_flood_without_reading_gets_goaway(server):
    with RawH2(server.port, receive_buffer=4096) as conn:
        flood(conn, SettingsFrame(0))
        frames = conn.frames(timeout=10)
        goaways = [f for f in frames if isinstance(f, GoAwayFrame)]
        assert goaways and goaways[-1].error_code == ENHANCE_YOUR_CALM
    assert_server_still_serves(server)


def test_too_many_settings_entries_gets_goaway(server):
    with RawH2(server.port) as conn:
        entry = (0x3).to_bytes(2, "big") + (100).to_bytes(4, "big")
        conn.send(raw_frame(0x4, 0x0, 0, entry * 40))
        frames = conn.frames(timeout=5)
        goaways = [f for f in frames if isinstance(f, GoAwayFrame)]
        assert goaways and goaways[-1].error_code == ENHANCE_YOUR_CALM
    assert_server_still_serves(server)
