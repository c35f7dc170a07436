"""Many streams on one connection with one slow reader, and graceful shutdown with streams in
flight (RFC 9113 §5.2 flow control per stream, §6.8 GOAWAY)."""
import signal

from conftest import LARGE, SMALL, start_server, stop_server
from h2raw import (
    NO_ERROR,
    DataFrame,
    GoAwayFrame,
    HeadersFrame,
    RawH2,
    WindowUpdateFrame,
)


def test_a_slow_reader_on_one_stream_does_not_hold_up_the_others(server):
    with RawH2(server.port) as conn:
        conn.send(conn.headers(1, RawH2.request("/large.bin")))  # stalls at the 65,535-byte window
        others = [3 + 2 * i for i in range(40)]
        conn.send(*[conn.headers(stream, RawH2.request()) for stream in others])
        bodies = {stream: b"" for stream in others}
        done = set()
        large = 0
        while done != set(others):
            frame = conn.next_frame(timeout=10)
            if isinstance(frame, DataFrame):
                conn.send(WindowUpdateFrame(0, frame.flow_controlled_length))  # connection credit only
                if frame.stream_id == 1:
                    large += len(frame.data)
                else:
                    bodies[frame.stream_id] += frame.data
                    conn.send(WindowUpdateFrame(frame.stream_id, max(1, frame.flow_controlled_length)))
                if "END_STREAM" in frame.flags and frame.stream_id != 1:
                    done.add(frame.stream_id)
        assert all(body == SMALL for body in bodies.values())
        assert large <= 65535  # the slow stream got only its window
        # Now the slow reader catches up and gets the whole file.
        body = b""
        conn.send(WindowUpdateFrame(1, 16 * 1024 * 1024))
        while True:
            frame = conn.next_frame(timeout=10)
            if isinstance(frame, DataFrame) and frame.stream_id == 1:
                body += frame.data
                conn.send(WindowUpdateFrame(0, frame.flow_controlled_length))
                if "END_STREAM" in frame.flags:
                    break
        assert large + len(body) == len(LARGE)


def test_shutdown_finishes_streams_in_flight_and_refuses_new_ones(public_dir):
    running = start_server(public_dir, ["--shutdown-drain", "10"])
    try:
        with RawH2(running.port) as conn:
            conn.send(conn.headers(1, RawH2.request("/large.bin")))  # in flight: stalls on flow control
            first, _ = conn.wait_for(lambda f: isinstance(f, DataFrame) and f.stream_id == 1)
            received = len(first.data)
            conn.send(WindowUpdateFrame(0, first.flow_controlled_length))
            running.process.send_signal(signal.SIGTERM)
            # Shutdown notice first (last stream id 2^31-1), then the final GOAWAY naming stream 1.
            goaways = []
            while len(goaways) < 2:
                frame = conn.next_frame(timeout=10)
                if isinstance(frame, DataFrame) and frame.stream_id == 1:
                    received += len(frame.data)
                    conn.send(WindowUpdateFrame(0, frame.flow_controlled_length))
                if isinstance(frame, GoAwayFrame):
                    goaways.append(frame)
            assert goaways[0].last_stream_id == 2**31 - 1 and goaways[0].error_code == NO_ERROR
            assert goaways[1].last_stream_id == 1 and goaways[1].error_code == NO_ERROR
            # A stream opened after the final GOAWAY is above its last stream id: never processed
            # (RFC 9113 §6.8; the client may retry it on a new connection).
            conn.send(conn.headers(3, RawH2.request()))
            # The stream in flight completes once the client reads.
            conn.send(WindowUpdateFrame(1, 16 * 1024 * 1024))
            got_headers_for_3 = False
            while True:
                frame = conn.next_frame(timeout=10)
                if isinstance(frame, DataFrame) and frame.stream_id == 1:
                    received += len(frame.data)
                    conn.send(WindowUpdateFrame(0, frame.flow_controlled_length))
                    if "END_STREAM" in frame.flags:
                        break
                if isinstance(frame, HeadersFrame) and frame.stream_id == 3:
                    got_headers_for_3 = True
            assert received == len(LARGE)
            assert not got_headers_for_3
            frames = conn.frames(timeout=10)
            assert not any(isinstance(f, HeadersFrame) and f.stream_id == 3 for f in frames)
            assert conn.closed
        assert running.process.wait(timeout=20) == 0
    finally:
        if running.process.poll() is None:
            stop_server(running)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def test_many_large_responses_with_huge_windows_keep_server_memory_bounded(public_dir):
    """40 streams of 3 MiB with the windows wide open: the server must not read and queue all
    120 MiB at once, but serialise a bounded amount per write."""
    running = start_server(public_dir)
    try:
        with RawH2(running.port, settings={0x4: 2**31 - 1}) as conn:  # INITIAL_WINDOW_SIZE
            conn.send(WindowUpdateFrame(0, 2**31 - 1 - 65535))
            before = rss_kib(running.process.pid)
            streams = [1 + 2 * i for i in range(40)]
            conn.send(*[conn.headers(stream, RawH2.request("/large.bin")) for stream in streams])
            received = {stream: 0 for stream in streams}
            finished = set()
            peak = before
            frames = 0
            while finished != set(streams):
                frame = conn.next_frame(timeout=30)
                if isinstance(frame, DataFrame):
                    received[frame.stream_id] += len(frame.data)
                    if "END_STREAM" in frame.flags:
                        finished.add(frame.stream_id)
                    frames += 1
                    if frames % 50 == 0:
                        peak = max(peak, rss_kib(running.process.pid))
            assert all(count == len(LARGE) for count in received.values())
            assert peak - before < 48 * 1024, f"server grew by {(peak - before) // 1024} MiB"
    finally:
        stop_server(running)
