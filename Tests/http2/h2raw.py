"""A frame-level HTTP/2 client for conformance tests: it sends exactly the frames a test builds
(valid or not) and reads the server's frames back, acknowledging SETTINGS like a real client."""
import socket
import time

import hpack
from hyperframe.frame import (
    ContinuationFrame,
    DataFrame,
    Frame,
    GoAwayFrame,
    HeadersFrame,
    PingFrame,
    RstStreamFrame,
    SettingsFrame,
    WindowUpdateFrame,
)

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"

# RFC 9113 §7 error codes
NO_ERROR = 0x0
PROTOCOL_ERROR = 0x1
INTERNAL_ERROR = 0x2
FLOW_CONTROL_ERROR = 0x3
SETTINGS_TIMEOUT = 0x4
STREAM_CLOSED = 0x5
FRAME_SIZE_ERROR = 0x6
REFUSED_STREAM = 0x7
CANCEL = 0x8
COMPRESSION_ERROR = 0x9
ENHANCE_YOUR_CALM = 0xB


def raw_frame(frame_type, flags, stream_id, payload):
    """A frame with any header and payload, for the malformed cases hyperframe will not build."""
    return len(payload).to_bytes(3, "big") + bytes([frame_type, flags]) + stream_id.to_bytes(4, "big") + payload


class Closed(Exception):
    pass


class RawH2:
    def __init__(self, port, preface=True, settings=None, timeout=5.0, handshake=True, receive_buffer=None):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if receive_buffer:
            # A small receive buffer makes a client that does not read felt by the server at once.
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(timeout)
        self.sock.connect(("127.0.0.1", port))
        self.buffer = b""
        self.encoder = hpack.Encoder()
        self.decoder = hpack.Decoder()
        self.server_settings = {}
        self.closed = False
        # Connection window credit beyond the initial 65,535, as the server granted it.
        self.extra_connection_window = 0
        self.pushback = []
        if preface:
            self.sock.sendall(PREFACE)
            frame = SettingsFrame(0)
            for key, value in (settings or {}).items():
                frame.settings[key] = value
            self.send(frame)
            if handshake:
                # Read (and acknowledge) the server's SETTINGS, so its window applies from here.
                self.wait_for(lambda f: isinstance(f, SettingsFrame) and "ACK" not in f.flags)

    def close(self):
        self.sock.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- sending -------------------------------------------------------------------------------
    def send(self, *frames):
        self.sock.sendall(b"".join(f if isinstance(f, bytes) else f.serialize() for f in frames))

    def header_block(self, headers):
        return self.encoder.encode(headers)

    def headers(self, stream_id, headers, end_stream=True, end_headers=True):
        frame = HeadersFrame(stream_id, self.header_block(headers))
        if end_stream:
            frame.flags.add("END_STREAM")
        if end_headers:
            frame.flags.add("END_HEADERS")
        return frame

    def header_frames(self, stream_id, headers, end_stream=True, max_frame=16384):
        """HEADERS plus as many CONTINUATION frames as the block needs."""
        block = self.header_block(headers)
        pieces = [block[i:i + max_frame] for i in range(0, len(block), max_frame)] or [b""]
        first = HeadersFrame(stream_id, pieces[0])
        if end_stream:
            first.flags.add("END_STREAM")
        frames = [first] + [ContinuationFrame(stream_id, piece) for piece in pieces[1:]]
        frames[-1].flags.add("END_HEADERS")
        return frames

    def send_body(self, stream_id, body, end_stream=True, timeout=20.0):
        """Sends a request body as a well-behaved client: never past the stream or connection
        window, and stopping if the server resets the stream (it answered early). Returns the
        frames read while sending (a response may be among them)."""
        seen = []
        stream_window = self.server_settings.get(SettingsFrame.INITIAL_WINDOW_SIZE, 65535)
        connection_window = 65535 + self.extra_connection_window
        sent = 0
        deadline = time.monotonic() + timeout
        while sent < len(body):
            if min(stream_window, connection_window) <= 0:
                frame = self.next_frame(max(0.01, deadline - time.monotonic()))
                seen.append(frame)
                if isinstance(frame, WindowUpdateFrame):
                    if frame.stream_id == 0:
                        connection_window += frame.window_increment  # next_frame counted it too
                    elif frame.stream_id == stream_id:
                        stream_window += frame.window_increment
                if isinstance(frame, RstStreamFrame) and frame.stream_id == stream_id:
                    self.pushback.extend(f for f in seen if not isinstance(f, WindowUpdateFrame))
                    return seen
                continue
            size = min(16384, stream_window, connection_window, len(body) - sent)
            self.send(DataFrame(stream_id, body[sent:sent + size]))
            sent += size
            stream_window -= size
            connection_window -= size
            self.extra_connection_window -= size
        if end_stream:
            self.send(DataFrame(stream_id, b"", flags=["END_STREAM"]))
        self.pushback.extend(f for f in seen if not isinstance(f, WindowUpdateFrame))
        return seen

    @staticmethod
    def request(path="/small.txt", method="GET", extra=()):
        return [(":method", method), (":scheme", "http"), (":authority", "localhost"), (":path", path), *extra]

    # -- receiving -----------------------------------------------------------------------------
    def _read(self, count, deadline):
        while len(self.buffer) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no frame in time")
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                self.closed = True
                raise Closed()
            self.buffer += chunk
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def next_frame(self, timeout=5.0):
        """The next frame, SETTINGS acknowledged on the way; raises Closed at end of stream."""
        if self.pushback:
            return self.pushback.pop(0)
        deadline = time.monotonic() + timeout
        header = self._read(9, deadline)
        frame, length = Frame.parse_frame_header(memoryview(header))
        body = self._read(length, deadline)
        frame.parse_body(memoryview(body))
        if isinstance(frame, WindowUpdateFrame) and frame.stream_id == 0:
            self.extra_connection_window += frame.window_increment
        if isinstance(frame, SettingsFrame) and "ACK" not in frame.flags:
            self.server_settings.update(frame.settings)
            ack = SettingsFrame(0)
            ack.flags.add("ACK")
            try:
                self.send(ack)
            except OSError:
                pass
        return frame

    def frames(self, timeout=5.0):
        """Every frame until the connection closes (or the timeout)."""
        result = []
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                result.append(self.next_frame(deadline - time.monotonic()))
        except (Closed, TimeoutError):
            pass
        return result

    def wait_for(self, predicate, timeout=5.0):
        deadline = time.monotonic() + timeout
        seen = []
        while True:
            frame = self.next_frame(max(0.01, deadline - time.monotonic()))
            seen.append(frame)
            if predicate(frame):
                return frame, seen

    def expect_goaway(self, error_code, timeout=5.0):
        """Asserts a GOAWAY with `error_code`, then the connection closing."""
        frames = self.frames(timeout)
        goaways = [f for f in frames if isinstance(f, GoAwayFrame)]
        assert goaways, f"no GOAWAY; got {[type(f).__name__ for f in frames]}"
        assert goaways[-1].error_code == error_code, f"GOAWAY {goaways[-1].error_code}, want {error_code}"
        assert self.closed, "connection still open after GOAWAY"
        return goaways[-1]

    def expect_rst(self, stream_id, error_code, timeout=5.0):
        frame, _ = self.wait_for(lambda f: isinstance(f, (RstStreamFrame, GoAwayFrame)), timeout)
        assert isinstance(frame, RstStreamFrame), f"connection error {getattr(frame, 'error_code', None)} instead"
        assert frame.stream_id == stream_id
        assert frame.error_code == error_code, f"RST_STREAM {frame.error_code}, want {error_code}"
        return frame

    def response(self, stream_id, timeout=10.0, window_updates=True):
        """(status, headers, body) of a stream, reading until END_STREAM and giving back flow
        control credit as a client would."""
        headers, body = None, b""
        deadline = time.monotonic() + timeout
        while True:
            frame = self.next_frame(max(0.01, deadline - time.monotonic()))
            if isinstance(frame, GoAwayFrame) and frame.error_code != NO_ERROR:
                raise AssertionError(f"GOAWAY {frame.error_code}")
            if isinstance(frame, RstStreamFrame) and frame.stream_id == stream_id:
                raise AssertionError(f"RST_STREAM {frame.error_code}")
            if frame.stream_id != stream_id:
                continue
            if isinstance(frame, HeadersFrame):
                decoded = self.decoder.decode(frame.data)
                if headers is None:
                    headers = decoded
            elif isinstance(frame, DataFrame):
                body += frame.data
                if window_updates and frame.flow_controlled_length:
                    self.send(
                        WindowUpdateFrame(0, frame.flow_controlled_length),
                        WindowUpdateFrame(stream_id, frame.flow_controlled_length),
                    )
            if "END_STREAM" in frame.flags:
                status = int(dict(headers)[":status"])
                return status, headers, body

    def ping(self, payload=b"12345678"):
        self.send(PingFrame(0, payload))
        frame, _ = self.wait_for(lambda f: isinstance(f, PingFrame) and "ACK" in f.flags)
        return frame


__all__ = [
    "RawH2",
    "Closed",
    "raw_frame",
    "PREFACE",
    "ContinuationFrame",
    "DataFrame",
    "GoAwayFrame",
    "HeadersFrame",
    "PingFrame",
    "RstStreamFrame",
    "SettingsFrame",
    "WindowUpdateFrame",
]
