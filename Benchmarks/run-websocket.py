#!/usr/bin/env python3
"""WebSocket echo, Ferry against Hummingbird (issue 9), in one interleaved run on 127.0.0.1.

The two servers are peers built in release: Benchmarks/peers/ferry-websocket-bench (Ferry's
engine and FerryWeb's WebSocket API: `WebSocketHandshake`, `WebSocketHandler`, `WebSocket`, with
their default limits) and Benchmarks/peers/hummingbird-websocket-bench (Hummingbird 2.28.1 +
hummingbird-websocket 2.8.1, `router.ws`). Both serve `GET /echo`, which sends every message back.

Measured:
- memory per idle connection: each server's RSS with IDLE_CONNECTIONS open WebSockets (Python
  `websockets`, no traffic) minus its RSS before, divided by IDLE_CONNECTIONS;
- echo throughput: Benchmarks/tools/websocket-load (SwiftNIO, prebuilt masked frames, server
  frames skipped in place) keeps DEPTH messages in flight on each of CONNECTIONS connections and
  counts the echoes over SECONDS, after a warm-up: small text messages (TEXT_SIZE bytes) and
  binary messages of BINARY_SIZE bytes. Messages/s and MiB/s (payload) per server, the server's
  CPU seconds and the load generator's, ROUNDS rounds with the servers' order alternating;
  medians are reported with Ferry/Hummingbird ratios (target ≥ 1.5×).

Environment knobs: ROUNDS (3), SECONDS (5), WARMUP (1), CONNECTIONS (16), TEXT_SIZE (64),
TEXT_DEPTH (16), BINARY_SIZE (65536), BINARY_DEPTH (4), LOAD_THREADS (1), IDLE_CONNECTIONS (5000),
MAX_SECONDS (900, the whole run), SKIP_BUILD=1 (use the release builds as they are).
Results: Benchmarks/results/websocket-<UTC>.md and .json. Everything started is stopped at the
end, on error and on Ctrl-C.
"""

from __future__ import annotations

import asyncio
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))
import benchlib  # noqa: E402

ROUNDS = int(os.environ.get("ROUNDS", "3"))
SECONDS = float(os.environ.get("SECONDS", "5"))
WARMUP = float(os.environ.get("WARMUP", "1"))
CONNECTIONS = int(os.environ.get("CONNECTIONS", "16"))
TEXT_SIZE = int(os.environ.get("TEXT_SIZE", "64"))
TEXT_DEPTH = int(os.environ.get("TEXT_DEPTH", "16"))
BINARY_SIZE = int(os.environ.get("BINARY_SIZE", "65536"))
BINARY_DEPTH = int(os.environ.get("BINARY_DEPTH", "4"))
LOAD_THREADS = int(os.environ.get("LOAD_THREADS", "1"))
IDLE_CONNECTIONS = int(os.environ.get("IDLE_CONNECTIONS", "5000"))
MAX_SECONDS = int(os.environ.get("MAX_SECONDS", "900"))
TAG = "websocket"
PEERS = benchlib.BENCH_DIR / "peers"
SERVERS = {
    "ferry": (PEERS / "ferry-websocket-bench", "FerryWebSocketBench"),
    "hummingbird": (PEERS / "hummingbird-websocket-bench", "HummingbirdWebSocketBench"),
}
SCENARIOS = [
    {"name": f"text {TEXT_SIZE} B", "size": TEXT_SIZE, "binary": False, "depth": TEXT_DEPTH},
    {"name": f"binary {BINARY_SIZE // 1024} KiB", "size": BINARY_SIZE, "binary": True, "depth": BINARY_DEPTH},
]


class Peer:
    """One echo server, started on a free port in its own process group."""

    def __init__(self, name: str, binary: Path) -> None:
        self.name = name
        self.port = benchlib.free_port()
        self.process = subprocess.Popen([str(binary), "--host", "127.0.0.1", "--port", str(self.port)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)
        benchlib.wait_for_port(self.port)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def idle_memory(peer: Peer) -> dict:
    """RSS before and with IDLE_CONNECTIONS open, quiet WebSockets."""
    from websockets.asyncio.client import connect

    async def hold() -> int:
        before = benchlib.rss_bytes(peer.process.pid)
        gate = asyncio.Semaphore(64)
        sockets = []

        async def one() -> None:
            async with gate:
                sockets.append(await connect(f"ws://127.0.0.1:{peer.port}/echo", compression=None,
                                             ping_interval=None, open_timeout=60))

        await asyncio.gather(*(one() for _ in range(IDLE_CONNECTIONS)))
        # One message each way on every socket, so that both servers have set up their sessions
        # all the way (and then let them be quiet).
        for socket in sockets:
            await socket.send("x")
        for socket in sockets:
            await socket.recv()
        await asyncio.sleep(3)
        during = benchlib.rss_bytes(peer.process.pid)
        for socket in sockets:
            socket.transport.abort()
        return before, during

    before, during = asyncio.run(hold())
    return {"before": before, "during": during, "per_connection": (during - before) / IDLE_CONNECTIONS}


def throughput(peer: Peer, load: Path, scenario: dict) -> dict:
    command = [str(load), "--port", str(peer.port), "--path", "/echo", "--connections", str(CONNECTIONS),
               "--depth", str(scenario["depth"]), "--size", str(scenario["size"]), "--warmup", str(WARMUP),
               "--seconds", str(SECONDS), "--threads", str(LOAD_THREADS)] + (["--binary"] if scenario["binary"] else [])
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_before = benchlib.cpu_seconds(peer.process.pid)
    result = subprocess.run(command, capture_output=True, text=True, timeout=SECONDS + WARMUP + 60)
    server_cpu = benchlib.cpu_seconds(peer.process.pid) - server_before
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"websocket-load failed against {peer.name}: {result.stderr}")
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    if figures["failed"] or figures["open"] != CONNECTIONS:
        raise SystemExit(f"{peer.name} {scenario['name']}: connections failed: {figures}")
    seconds = figures["seconds"]
    whole = seconds + WARMUP
    return {
        "messages_per_s": figures["messages"] / seconds,
        "mib_per_s": figures["bytes"] / seconds / (1024 * 1024),
        # CPU over the whole load run (warm-up included), per second of it.
        "server_cpu_per_s": server_cpu / whole,
        "load_cpu_per_s": (children.ru_utime + children.ru_stime - children_before.ru_utime
                           - children_before.ru_stime) / whole,
    }


def run() -> None:
    benchlib.raise_open_files(IDLE_CONNECTIONS + 2048)
    binaries = {name: benchlib.swift_release(package, product) / product for name, (package, product) in SERVERS.items()}
    load = benchlib.swift_release(benchlib.BENCH_DIR / "tools" / "websocket-load", "WebSocketLoad") / "WebSocketLoad"
    peers: dict[str, Peer] = {}
    try:
        for name, binary in binaries.items():
            peers[name] = Peer(name, binary)
        time.sleep(1)
        memory = {}
        for name in ("ferry", "hummingbird"):
            memory[name] = idle_memory(peers[name])
            benchlib.log(TAG, name, f"{memory[name]['per_connection'] / 1024:.1f} KiB per idle connection")
        runs: dict[str, dict[str, list[dict]]] = {s["name"]: {"ferry": [], "hummingbird": []} for s in SCENARIOS}
        for round_number in range(ROUNDS):
            order = ["ferry", "hummingbird"] if round_number % 2 == 0 else ["hummingbird", "ferry"]
            for scenario in SCENARIOS:
                for name in order:
                    figures = throughput(peers[name], load, scenario)
                    runs[scenario["name"]][name].append(figures)
                    benchlib.log(TAG, f"round {round_number + 1}", scenario["name"], name,
                                 f"{figures['messages_per_s']:.0f} msg/s {figures['mib_per_s']:.1f} MiB/s")
        write(memory, runs)
    finally:
        for peer in peers.values():
            peer.stop()


def median(values: list[dict], key: str) -> float:
    return statistics.median(value[key] for value in values)


def write(memory: dict, runs: dict) -> None:
    rows = []
    verdicts = []
    for scenario, by_server in runs.items():
        f, h = by_server["ferry"], by_server["hummingbird"]
        for key, unit in (("messages_per_s", "msg/s"), ("mib_per_s", "MiB/s")):
            ours, theirs = median(f, key), median(h, key)
            rows.append([scenario, unit, f"{ours:,.0f}" if unit == "msg/s" else f"{ours:,.1f}",
                         f"{theirs:,.0f}" if unit == "msg/s" else f"{theirs:,.1f}", benchlib.ratio(ours, theirs)])
        verdicts.append(median(f, "messages_per_s") / median(h, "messages_per_s") >= 1.5)
    cpu_rows = []
    for scenario, by_server in runs.items():
        for name in ("ferry", "hummingbird"):
            cpu_rows.append([scenario, name, f"{median(by_server[name], 'server_cpu_per_s'):.2f}",
                             f"{median(by_server[name], 'load_cpu_per_s'):.2f}",
                             f"{median(by_server[name], 'messages_per_s') / max(median(by_server[name], 'server_cpu_per_s'), 1e-9):,.0f}"])
    mib = 1024 * 1024
    per = {name: memory[name]["per_connection"] for name in memory}
    memory_rows = [[name, f"{memory[name]['before'] / mib:.1f} MiB", f"{memory[name]['during'] / mib:.1f} MiB",
                    f"{per[name] / 1024:.1f} KiB"] for name in ("ferry", "hummingbird")]
    markdown = f"""# WebSocket echo: Ferry vs Hummingbird — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}

Machine: {benchlib.machine()}. Release builds on 127.0.0.1: Ferry's engine + FerryWeb WebSocket
(Benchmarks/peers/ferry-websocket-bench) and Hummingbird 2.28.1 + hummingbird-websocket 2.8.1
(Benchmarks/peers/hummingbird-websocket-bench), both echoing on `GET /echo`, run side by side.

## Echo throughput

Benchmarks/tools/websocket-load: {CONNECTIONS} connections, each keeping a fixed number of messages
in flight (text: {TEXT_DEPTH}, binary: {BINARY_DEPTH}), {SECONDS:g} s counted after {WARMUP:g} s of
warm-up; medians of {ROUNDS} rounds, the servers' order alternating. MiB/s counts echoed payload.
Target: Ferry ≥ 1.5× Hummingbird: **{"met" if all(verdicts) else "MISSED"}**.

{benchlib.markdown_table(["messages", "unit", "Ferry", "Hummingbird", "Ferry / Hummingbird"], rows)}

CPU, in cores busy (CPU seconds per second of the run); the load generator has
{LOAD_THREADS} thread(s), and on a 2-core machine it shares the cores with the server:

{benchlib.markdown_table(["messages", "server", "server CPU", "load generator CPU", "messages per server CPU second"], cpu_rows)}

## Memory per idle connection

{IDLE_CONNECTIONS} WebSockets opened (Python `websockets`), one message echoed on each, then quiet for 3 s.

{benchlib.markdown_table(["server", "RSS before", f"RSS with {IDLE_CONNECTIONS}", "per connection"], memory_rows)}

Hummingbird / Ferry memory per connection: {benchlib.ratio(per['hummingbird'], per['ferry'])} (above 1 means Ferry is leaner).
"""
    benchlib.write_results("websocket", markdown, {"memory": memory, "runs": runs, "settings": {
        "rounds": ROUNDS, "seconds": SECONDS, "warmup": WARMUP, "connections": CONNECTIONS, "text_size": TEXT_SIZE,
        "text_depth": TEXT_DEPTH, "binary_size": BINARY_SIZE, "binary_depth": BINARY_DEPTH,
        "load_threads": LOAD_THREADS, "idle_connections": IDLE_CONNECTIONS}})


if __name__ == "__main__":
    benchlib.run_bounded(TAG, run, MAX_SECONDS)
