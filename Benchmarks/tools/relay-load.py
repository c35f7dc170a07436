#!/usr/bin/env python3
"""Relay load: the server's CPU per GiB relayed, without browsers (issue 9).

A release `ferry serve` (SQLite, the shared launcher), Ann and Bob of one team each with an API
token and a registered device, two signalling sockets (Python `websockets`, HTTP/1.1 upgrade,
like Chromium on a cleartext origin), a relay opened between them, and MIB MiB sent through it at
full speed: binary messages of the relay id's 8 bytes plus FRAME bytes (the browser's 256 KiB
relay frame), each sent in fragments of FRAGMENT bytes as Chromium sends a large message (0: one
frame per message). The receiver reads as fast as it can and checks every byte count; the server's
flow control (docs/SIGNALLING.md, "Flow") and the relay's bandwidth bucket (32 MiB/s) apply as for
browsers. Reported: the server's CPU (user + system, /proc) over the relay, per GiB, and MiB/s.

With `--idle SECONDS` nothing is relayed: both sockets stay open and quiet for that long, and the
server's CPU over it is reported (what connected peers cost a server doing nothing, which a
direct transfer's server-CPU figure includes for its whole length).

Not a results-file benchmark: a quick, repeatable measurement while working on the relay path
(the real one is `run-transfer.py --phases relay`). With `--perf FILE` it also records
`perf record -g` of the server over the relay (read it with `perf report` or `tools/callees.py`).

Usage: FERRY_BIN=.build/release/ferry flock /tmp/ferry-bench.lock Benchmarks/tools/relay-load.py [--mib 256] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
import benchlib  # noqa: E402

PASSWORD = "correct horse battery staple"
SUBPROTOCOL = "ferry-signal.1"
RELAY = "00112233aabbccdd"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_key() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    return b64url(key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))


def counters(pid: int) -> dict[str, int]:
    """Read and write system calls (/proc/PID/io) and context switches of all threads so far."""
    io = dict(line.split(": ") for line in Path(f"/proc/{pid}/io").read_text().splitlines())
    switches = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            for line in Path(f"/proc/{pid}/task/{task}/status").read_text().splitlines():
                if "ctxt_switches:" in line:
                    switches += int(line.split()[1])
        except OSError:
            pass
    return {"read_calls": int(io["syscr"]), "write_calls": int(io["syscw"]), "context_switches": switches}


def member(server: benchlib.ferry_server.Server, email: str) -> tuple[str, str]:
    """An API token of `email` and a device registered with it."""
    token = server.cli("token", "create", "--user", email, "--name", "relay", "--scopes", "read", "write").strip()
    device = b64url(secrets.token_bytes(16))
    request = urllib.request.Request(
        f"{server.url}/api/v1/devices/{device}", method="PUT",
        data=json.dumps({"name": email.split("@")[0], "publicKey": public_key()}).encode(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", "Origin": server.url})
    with urllib.request.urlopen(request, timeout=30) as answer:
        assert answer.status == 201, answer.status
    return token, device


async def peer(ws_url: str, token: str, device: str):
    from websockets.asyncio.client import connect

    socket = await connect(ws_url, additional_headers={"Authorization": f"Bearer {token}"},
                           subprotocols=[SUBPROTOCOL], compression=None, ping_interval=None,
                           open_timeout=30, close_timeout=5, max_size=2**20, write_limit=2**20)
    await socket.send(json.dumps({"type": "hello", "v": 1, "device": device}))
    welcome = await next_message(socket, "welcome")
    return socket, welcome["you"]["id"]


async def next_message(socket, kind: str) -> dict:
    while True:
        message = await socket.recv()
        if isinstance(message, str):
            parsed = json.loads(message)
            if parsed["type"] == kind:
                return parsed
            if parsed["type"] == "error":
                raise RuntimeError(f"refused: {parsed}")


async def relay_once(ws_url: str, ann: tuple[str, str], bob: tuple[str, str], total: int, frame: int,
                     fragment: int, rate: float, pid: int, perf: str | None, loops: str) -> dict:
    sender, ann_id = await peer(ws_url, *ann)
    if loops == "same":
        # The server hands accepted connections to its event loops in turn (two on this machine):
        # one connection in between puts the receiver's on the sender's loop.
        host, port = ws_url.split("//")[1].split("/")[0].rsplit(":", 1)
        socket.create_connection((host, int(port)), timeout=5).close()
    receiver, bob_id = await peer(ws_url, *bob)
    relay = f"{secrets.randbits(64):016x}"
    await sender.send(json.dumps({"type": "relay-open", "to": bob_id, "relay": relay}))
    await receiver.send(json.dumps({"type": "relay-open", "to": ann_id, "relay": relay}))
    await next_message(sender, "relay-opened")
    await next_message(receiver, "relay-opened")
    message = bytes.fromhex(relay) + os.urandom(frame)
    count = -(-total // frame)

    async def send() -> None:
        start = time.monotonic()
        for index in range(count):
            if rate:
                # Paced like a browser sender, which seals and sends at its own speed.
                ahead = start + index * len(message) / (rate * (1 << 20)) - time.monotonic()
                if ahead > 0:
                    await asyncio.sleep(ahead)
            if fragment:
                await sender.send([message[at:at + fragment] for at in range(0, len(message), fragment)])
            else:
                await sender.send(message)

    async def receive() -> int:
        got = 0
        for _ in range(count):
            data = await receiver.recv()
            if isinstance(data, str):
                raise RuntimeError(f"unexpected text during the relay: {data}")
            assert len(data) == len(message), len(data)
            got += len(data)
        return got

    recorder = None
    if perf:
        recorder = subprocess.Popen(["perf", "record", "-g", "-q", "-o", perf, "-p", str(pid)],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        await asyncio.sleep(0.5)
    calls = counters(pid)
    cpu, threads, wall = benchlib.cpu_seconds(pid), benchlib.threads_cpu(pid), time.monotonic()
    _, got = await asyncio.gather(send(), receive())
    cpu, wall = benchlib.cpu_seconds(pid) - cpu, time.monotonic() - wall
    threads = benchlib.delta(threads, benchlib.threads_cpu(pid), floor=0.01)
    calls = {key: value - calls[key] for key, value in counters(pid).items()}
    if recorder:
        recorder.send_signal(2)
        recorder.wait(timeout=60)
    await sender.close()
    await receiver.close()
    gib = got / (1 << 30)
    return {"bytes": got, "seconds": wall, "mib_per_s": got / wall / (1 << 20), "server_cpu_s": cpu,
            "server_cpu_s_per_gib": cpu / gib, "per_message": {key: round(value / count, 2) for key, value in calls.items()},
            "threads": threads}


async def idle_once(ws_url: str, ann: tuple[str, str], bob: tuple[str, str], seconds: float, pid: int) -> dict:
    first, _ = await peer(ws_url, *ann)
    second, _ = await peer(ws_url, *bob)
    await asyncio.sleep(2)  # the welcome and presence notices are done
    ticks, exact, wall = benchlib.cpu_seconds(pid), benchlib.run_ns(pid), time.monotonic()
    await asyncio.sleep(seconds)
    exact, ticks = benchlib.run_ns_since(exact, pid), benchlib.cpu_seconds(pid) - ticks
    wall = time.monotonic() - wall
    await first.close()
    await second.close()
    return {"seconds": wall, "server_cpu_ms": exact / 1e6, "server_cpu_ms_ticks": ticks * 1000,
            "ms_per_s": exact / 1e6 / wall}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mib", type=int, default=int(os.environ.get("MIB", "256")), help="MiB relayed per round")
    parser.add_argument("--frame", type=int, default=256 * 1024, help="relay payload bytes per message (after the id)")
    parser.add_argument("--fragment", type=int, default=int(os.environ.get("FRAGMENT", "65536")),
                        help="WebSocket fragment size (0: one frame per message)")
    parser.add_argument("--rate", type=float, default=float(os.environ.get("RATE", "28")),
                        help="MiB/s the sender keeps to (28: what two browsers relayed; 0: as fast as the server takes)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--idle", type=float, default=0,
                        help="relay nothing: hold both sockets open this many seconds and report the server's CPU")
    parser.add_argument("--perf", help="perf record -g of the server over the last round into this file")
    parser.add_argument("--loops", choices=("same", "different"), default="different",
                        help="the two sockets on one of the server's event loops, or on two (NIO's turn order)")
    options = parser.parse_args()
    benchlib.ferry_release()
    with tempfile.TemporaryDirectory(prefix="ferry-relay-load-") as folder:
        server = benchlib.ferry_server.Server(Path(folder), None, log_level="error")
        try:
            server.cli("admin", "create", "--email", "ann@example.org", "--name", "Ann", "--team", "Design",
                       password=PASSWORD)
            server.cli("user", "add", "--email", "bob@example.org", "--name", "Bob", password=PASSWORD)
            server.cli("team", "add-member", "Design", "bob@example.org")
            ann, bob = member(server, "ann@example.org"), member(server, "bob@example.org")
            ws_url = server.url.replace("http://", "ws://") + "/api/v1/signal"
            pid = server.process.pid
            results = []
            for round_ in range(options.rounds if options.idle else 0):
                result = asyncio.run(idle_once(ws_url, ann, bob, options.idle, pid))
                results.append(result)
                benchlib.log("relay-load", f"idle round {round_ + 1}: server {result['server_cpu_ms']:.1f} ms CPU "
                             f"in {result['seconds']:.0f} s ({result['ms_per_s']:.2f} ms/s; "
                             f"{result['server_cpu_ms_ticks']:.0f} ms in ticks)")
            for round_ in range(0 if options.idle else options.rounds):
                perf = options.perf if round_ == options.rounds - 1 else None
                result = asyncio.run(relay_once(ws_url, ann, bob, options.mib << 20, options.frame,
                                                options.fragment, options.rate, pid, perf, options.loops))
                results.append(result)
                benchlib.log("relay-load", f"round {round_ + 1}: {result['mib_per_s']:.1f} MiB/s, server "
                             f"{result['server_cpu_s']:.3f} s CPU = {result['server_cpu_s_per_gib']:.2f} s per GiB; "
                             f"per message {result['per_message']}; "
                             f"threads {result['threads']}")
        finally:
            server.stop()
    if options.idle:
        per_second = sorted(r["ms_per_s"] for r in results)
        print(json.dumps({"idle_s": options.idle, "median_server_cpu_ms_per_s": round(per_second[len(per_second) // 2], 3),
                          "rounds": results}, indent=2))
        return 0
    per_gib = sorted(r["server_cpu_s_per_gib"] for r in results)
    print(json.dumps({"mib": options.mib, "frame": options.frame, "fragment": options.fragment, "rate": options.rate,
                      "median_server_cpu_s_per_gib": round(per_gib[len(per_gib) // 2], 3),
                      "rounds": [{k: (round(v, 3) if isinstance(v, float) else v) for k, v in r.items()}
                                 for r in results]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
