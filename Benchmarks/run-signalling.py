#!/usr/bin/env python3
"""Signalling capacity (issue 9): one release `ferry serve` on 127.0.0.1 holds PEERS signalling
sockets (default 10,000) in rooms of ROOM_SIZE (default 100), and we measure

- memory: server RSS per connected peer = (RSS with every peer connected − RSS idle) / PEERS,
  "idle" being the same server after the accounts and devices were made, before any socket;
- presence fan-out latency: a further peer joins a room (sends `hello` on an open socket), and
  later leaves it (sends a close frame); for each of the ROOM_SIZE peers already in the room, the
  time from that `hello` (or close) to the moment the peer has its `peer-joined` (`peer-left`) for
  the team room. p50 / p99 / max over JOINS joins and as many leaves, all while every peer is
  connected. Each event is also sent for the room's same-network room (every socket comes from
  127.0.0.1), reported on its own line.

What a peer is: one signalling socket (one browser tab) that said `hello` with its own registered
device. Each room is a team with one member, who has ROOM_SIZE + 1 devices (the last one is the
joiner's) and an API token (scopes read, write) the sockets authenticate with — the CLI's way in.
Teams of distinct users would be the same to presence (rooms are keyed by team); making 10,000
users would cost 10,000 password hashes.

The load generator is WORKERS processes of Python `websockets` (asyncio), each holding an equal
share of every room, so one event's ROOM_SIZE deliveries are read in parallel. To show it is not
the bottleneck, each worker measures its own event-loop lag (how late a 5 ms timer fires) during
the measurement and its CPU time is reported beside the server's.

Limits raised for the run, by their options (never by changing a default): `ulimit -n` (soft, to
the hard limit's allowance) and `ferry serve --max-connections` (PEERS + 1,000).

Environment knobs: PEERS (10000), ROOM_SIZE (100), JOINS (200), JOIN_GAP_MS (150, the wait after
each join and each leave), WORKERS (4), CONNECT_CONCURRENCY (32 handshakes in flight per worker), RETRIES (3: a peer
whose hello the busy generator sent after the server's 10 s timeout connects again),
MAX_SECONDS (1200, the whole run), FERRY_BIN (skip the release build), SKIP_BUILD=1.
Results: Benchmarks/results/signalling-<UTC>.md and .json. Only 127.0.0.1 is used; everything
started is stopped at the end, on error and on Ctrl-C.
"""

from __future__ import annotations

import asyncio
import base64
import http.client
import json
import multiprocessing
import os
import secrets
import signal
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))
import benchlib  # noqa: E402

PEERS = int(os.environ.get("PEERS", "10000"))
ROOM_SIZE = int(os.environ.get("ROOM_SIZE", "100"))
JOINS = int(os.environ.get("JOINS", "200"))
JOIN_GAP_S = int(os.environ.get("JOIN_GAP_MS", "150")) / 1000
WORKERS = int(os.environ.get("WORKERS", "4"))
CONNECT_CONCURRENCY = int(os.environ.get("CONNECT_CONCURRENCY", "32"))
RETRIES = int(os.environ.get("RETRIES", "3"))
MAX_SECONDS = int(os.environ.get("MAX_SECONDS", "1200"))
ROOMS = PEERS // ROOM_SIZE
SUBPROTOCOL = "ferry-signal.1"
PASSWORD = "correct horse battery staple"
TAG = "signalling"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_keys(count: int) -> list[str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    keys = []
    for _ in range(count):
        key = ec.generate_private_key(ec.SECP256R1()).public_key()
        keys.append(b64url(key.public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)))
    return keys


class API:
    """JSON requests on one keep-alive connection per thread."""

    def __init__(self, url: str) -> None:
        self.url = url
        parsed = urlparse(url)
        self.host, self.port = parsed.hostname, parsed.port
        self.local = __import__("threading").local()

    def request(self, method: str, path: str, body: object, token: str) -> tuple[int, dict]:
        connection = getattr(self.local, "connection", None)
        if connection is None:
            connection = self.local.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        headers = {"Authorization": f"Bearer {token}", "Origin": self.url, "Content-Type": "application/json"}
        connection.request(method, "/api/v1" + path, body=json.dumps(body), headers=headers)
        answer = connection.getresponse()
        text = answer.read()
        return answer.status, (json.loads(text) if text else {})


def make_rooms(server: benchlib.ferry_server.Server) -> list[dict]:
    """ROOMS teams, each with one member, their token and ROOM_SIZE + 1 registered devices."""
    server.cli("admin", "create", "--email", "admin@bench.test", "--name", "Admin", password=PASSWORD)
    admin = server.cli("token", "create", "--user", "admin@bench.test", "--name", "bench",
                       "--scopes", "admin").strip()
    api = API(server.url)

    def make_team(index: int) -> dict:
        email = f"member{index:03}@bench.test"
        status, user = api.request("POST", "/users", {"email": email, "displayName": f"Member {index}",
                                                      "password": PASSWORD}, admin)
        assert status == 201, (status, user)
        status, team = api.request("POST", "/teams", {"name": f"Room {index:03}", "ownerID": user["id"]}, admin)
        assert status == 201, (status, team)
        token = server.cli("token", "create", "--user", email, "--name", "bench", "--scopes", "read", "write").strip()
        return {"index": index, "team": team["id"], "token": token}

    with ThreadPoolExecutor(4) as pool:
        rooms = list(pool.map(make_team, range(ROOMS)))
    keys = public_keys(64)

    def register(job: tuple[dict, int]) -> str:
        room, number = job
        device = b64url(secrets.token_bytes(16))
        status, body = api.request("PUT", f"/devices/{device}",
                                   {"name": f"Tab {number}", "publicKey": keys[number % len(keys)]}, room["token"])
        assert status == 201, (status, body)
        return device

    jobs = [(room, number) for room in rooms for number in range(ROOM_SIZE + 1)]
    with ThreadPoolExecutor(8) as pool:
        devices = list(pool.map(register, jobs))
    for room in rooms:
        room["devices"] = devices[room["index"] * (ROOM_SIZE + 1):(room["index"] + 1) * (ROOM_SIZE + 1)]
    return rooms


async def open_peer(ws_url: str, token: str, device: str):
    from websockets.asyncio.client import connect

    socket = await connect(ws_url, additional_headers={"Authorization": f"Bearer {token}"},
                           subprotocols=[SUBPROTOCOL], compression=None, ping_interval=None,
                           open_timeout=60, close_timeout=5, max_size=2**22)
    return socket


async def say_hello(socket, device: str) -> dict:
    await socket.send(json.dumps({"type": "hello", "v": 1, "device": device}))
    while True:
        message = json.loads(await socket.recv())
        if message["type"] == "welcome":
            return message
        if message["type"] == "error":
            raise RuntimeError(f"hello refused: {message}")


def worker(number: int, ws_url: str, peers: list[tuple[str, str]], pipe) -> None:
    """Holds `peers` (token, device) open; records every peer-joined/peer-left with the time it
    was read; answers the parent's commands: "records" → its records, lag and CPU; "stop"."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops us
    records: list[tuple[float, str, str, str]] = []
    lags: list[float] = []
    measuring = False

    async def read(socket) -> None:
        try:
            async for frame in socket:
                received = time.monotonic()
                # Joins while the rooms fill are not measured (and not parsed: a million of them).
                if measuring and ('"peer-joined"' in frame or '"peer-left"' in frame):
                    message = json.loads(frame)
                    peer = message["peer"] if message["type"] == "peer-left" else message["peer"]["id"]
                    records.append((received, message["type"], message["room"], peer))
        except Exception:
            pass

    async def lag_probe() -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(0.005)
            if measuring:
                lags.append(time.monotonic() - before - 0.005)

    async def main() -> None:
        nonlocal measuring
        gate = asyncio.Semaphore(CONNECT_CONCURRENCY)
        sockets = []
        retried = [0]

        async def one(token: str, device: str) -> None:
            # On a loaded machine a worker may take longer than the server's 10 s `hello` timeout
            # between the handshake and its hello (its loop busy reading the fill's presence
            # notices); that is the generator's delay, so the peer tries again.
            for attempt in range(RETRIES + 1):
                try:
                    async with gate:
                        socket = await open_peer(ws_url, token, device)
                        await say_hello(socket, device)
                    break
                except Exception:
                    if attempt == RETRIES:
                        raise
                    retried[0] += 1
            sockets.append(socket)
            asyncio.get_running_loop().create_task(read(socket))

        try:
            await asyncio.gather(*(one(token, device) for token, device in peers))
        except Exception as error:  # noqa: BLE001 (reported to the parent as is)
            pipe.send(("failed", repr(error)))
            return
        pipe.send(("ready", (len(sockets), retried[0])))
        asyncio.get_running_loop().create_task(lag_probe())
        loop = asyncio.get_running_loop()
        while True:
            command = await loop.run_in_executor(None, pipe.recv)
            if command == "measure":
                records.clear()
                measuring = True
                start_cpu = benchlib.cpu_seconds(os.getpid())
            elif command == "records":
                measuring = False
                pipe.send(("records", records, lags, benchlib.cpu_seconds(os.getpid()) - start_cpu))
            elif command == "stop":
                break
        for socket in sockets:
            socket.transport.abort()

    asyncio.run(main())


def latencies(events: list[dict], records: list[tuple[float, str, str, str]], prefix: str,
              rooms: list[dict]) -> dict:
    """Per (event, resident) latency in ms for rooms whose id starts with `prefix`."""
    arrivals: dict[tuple[str, str, str], list[float]] = {}
    for received, kind, room, peer in records:
        if room.startswith(prefix):
            arrivals.setdefault((kind, room.split(":", 1)[1], peer), []).append(received)
    samples: dict[str, list[float]] = {"peer-joined": [], "peer-left": []}
    # Per event: when the first peer had it (the server's handling before the fan-out, and any
    # stall) and how long the rest took after the first (the fan-out itself).
    first: list[float] = []
    spread: list[float] = []
    missing = 0
    for event in events:
        team = rooms[event["room"]]["team"]
        times = arrivals.get((event["kind"], team, event["peer"]), [])
        missing += ROOM_SIZE - len(times)
        samples[event["kind"]] += [(t - event["at"]) * 1000 for t in times]
        if times:
            first.append((min(times) - event["at"]) * 1000)
            spread.append((max(times) - min(times)) * 1000)
    return {"samples": samples, "missing": missing, "first": first, "spread": spread}


def summary(values: list[float]) -> dict:
    return {"count": len(values), "p50": benchlib.percentile(values, 0.5),
            "p99": benchlib.percentile(values, 0.99), "max": max(values) if values else float("nan")}


async def drive(ws_url: str, rooms: list[dict]) -> list[dict]:
    """JOINS joins and as many leaves, one at a time, round-robin over the rooms."""
    events = []
    for number in range(JOINS):
        room = rooms[number % len(rooms)]
        socket = await open_peer(ws_url, room["token"], room["devices"][ROOM_SIZE])
        joined_at = time.monotonic()
        welcome = await say_hello(socket, room["devices"][ROOM_SIZE])
        peer = welcome["you"]["id"]
        events.append({"kind": "peer-joined", "room": room["index"], "peer": peer, "at": joined_at})
        await asyncio.sleep(JOIN_GAP_S)
        left_at = time.monotonic()
        await socket.close()
        events.append({"kind": "peer-left", "room": room["index"], "peer": peer, "at": left_at})
        await asyncio.sleep(JOIN_GAP_S)
    return events


def run() -> None:
    needed = PEERS + 2048
    limit = benchlib.raise_open_files(needed)
    benchlib.log(TAG, f"open files: soft limit {limit}")
    benchlib.ferry_release()
    data = Path(tempfile.mkdtemp(prefix="ferry-signalling-"))
    server = benchlib.ferry_server.Server(data, extra=["--max-connections", str(PEERS + 1000)],
                                          log_level="warning")
    processes: list[multiprocessing.Process] = []
    try:
        started = time.monotonic()
        rooms = make_rooms(server)
        benchlib.log(TAG, f"{ROOMS} teams, {ROOMS * (ROOM_SIZE + 1)} devices in {time.monotonic() - started:.1f} s")
        time.sleep(2)
        pid = server.process.pid
        idle_rss = benchlib.rss_bytes(pid)
        ws_url = server.url.replace("http://", "ws://") + "/api/v1/signal"

        shares: list[list[tuple[str, str]]] = [[] for _ in range(WORKERS)]
        for room in rooms:
            for slot in range(ROOM_SIZE):
                shares[slot % WORKERS].append((room["token"], room["devices"][slot]))
        pipes = []
        context = multiprocessing.get_context("fork")
        connect_start = time.monotonic()
        for number, share in enumerate(shares):
            parent, child = context.Pipe()
            process = context.Process(target=worker, args=(number, ws_url, share, child), daemon=True)
            process.start()
            processes.append(process)
            pipes.append(parent)
        connected = 0
        retries = 0
        for pipe in pipes:
            if not pipe.poll(MAX_SECONDS / 2):
                raise SystemExit("a load worker never reported")
            state, value = pipe.recv()
            if state != "ready":
                raise SystemExit(f"a load worker failed: {value}\n{server.log()[-3000:]}")
            connected += value[0]
            retries += value[1]
        connect_seconds = time.monotonic() - connect_start
        benchlib.log(TAG, f"{connected} peers said hello in {connect_seconds:.1f} s ({retries} retried)")
        time.sleep(3)
        full_rss = benchlib.rss_bytes(pid)
        peers_metric = {k: v for k, v in benchlib.metrics(server.url).items() if "signal" in k or "peers" in k}

        for pipe in pipes:
            pipe.send("measure")
        with benchlib.Stopwatch(pid) as watch:
            events = asyncio.run(drive(ws_url, rooms))
            time.sleep(1)
        records: list = []
        lags: list[float] = []
        worker_cpu = []
        for pipe in pipes:
            pipe.send("records")
            _, part, lag, cpu = pipe.recv()
            records += part
            lags += lag
            worker_cpu.append(cpu)
        for pipe in pipes:
            pipe.send("stop")
        still_rss = benchlib.rss_bytes(pid)

        team = latencies(events, records, "team:", rooms)
        network = latencies(events, records, "network:", rooms)
        figures = {
            "peers": connected, "rooms": ROOMS, "room_size": ROOM_SIZE, "joins": JOINS,
            "join_gap_s": JOIN_GAP_S, "workers": WORKERS,
            "idle_rss_bytes": idle_rss, "full_rss_bytes": full_rss, "after_rss_bytes": still_rss,
            "rss_per_peer_bytes": (full_rss - idle_rss) / max(connected, 1),
            "connect_seconds": connect_seconds, "connect_retries": retries,
            "team": {kind: summary(values) for kind, values in team["samples"].items()},
            "network": {kind: summary(values) for kind, values in network["samples"].items()},
            "missing_deliveries": {"team": team["missing"], "network": network["missing"]},
            "team_first_delivery_ms": summary(team["first"]), "team_fanout_spread_ms": summary(team["spread"]),
            "server_cpu_s": watch.cpu, "measure_wall_s": watch.wall,
            "worker_cpu_s": worker_cpu, "worker_loop_lag_ms": summary([lag * 1000 for lag in lags]),
            "metrics": peers_metric,
        }
        write(figures)
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(5)
            if process.is_alive():
                process.kill()
        server.stop()


def write(f: dict) -> None:
    mib = 1024 * 1024
    ms = lambda v: f"{v:.1f}"  # noqa: E731
    rows = []
    for room_kind, label in (("team", "team room"), ("network", "same-network room")):
        for kind in ("peer-joined", "peer-left"):
            s = f[room_kind][kind]
            rows.append([f"{kind} ({label})", s["count"], ms(s["p50"]), ms(s["p99"]), ms(s["max"])])
    lag = f["worker_loop_lag_ms"]
    worker_cpu = sum(f["worker_cpu_s"])
    target = "met" if f["team"]["peer-joined"]["p99"] <= 50 and f["team"]["peer-left"]["p99"] <= 50 else "MISSED"
    markdown = f"""# Signalling capacity — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}

Machine: {benchlib.machine()}. Ferry release build, one instance on 127.0.0.1; {f['peers']} peers
(signalling sockets that said `hello`, one registered device each) in {f['rooms']} teams of
{f['room_size']}; each team is one member with {f['room_size'] + 1} devices and an API token.
Load generator: {f['workers']} Python `websockets` processes, each with an equal share of every room.

## Memory

{benchlib.markdown_table(["", "server RSS"], [
    ["idle (accounts and devices made, no socket)", f"{f['idle_rss_bytes'] / mib:.1f} MiB"],
    [f"{f['peers']} peers connected", f"{f['full_rss_bytes'] / mib:.1f} MiB"],
    ["after the joins and leaves", f"{f['after_rss_bytes'] / mib:.1f} MiB"],
    ["**per peer**", f"**{f['rss_per_peer_bytes'] / 1024:.1f} KiB**"],
])}

{f['peers']} sockets opened and said hello in {f['connect_seconds']:.1f} s ({f['connect_retries']} retried after the
generator missed the server's 10 s `hello` timeout).

## Presence fan-out latency (ms), all {f['peers']} peers connected

From the joiner's `hello` (its close frame, for a leave) to each of the {f['room_size']} peers in the
room reading its `peer-joined` (`peer-left`); {f['joins']} joins and {f['joins']} leaves, one at a
time, {f['join_gap_s'] * 1000:.0f} ms apart, round-robin over the rooms. Target p99 ≤ 50 ms: **{target}**.

{benchlib.markdown_table(["event", "deliveries", "p50", "p99", "max"], rows)}

Deliveries missing: {f['missing_deliveries']['team']} (team), {f['missing_deliveries']['network']} (same network).

Split per event (team room, joins and leaves): the first peer had it after p50
{f['team_first_delivery_ms']['p50']:.1f} / p99 {f['team_first_delivery_ms']['p99']:.1f} / max
{f['team_first_delivery_ms']['max']:.1f} ms (the server's handling before the fan-out, and stalls);
the last had it p50 {f['team_fanout_spread_ms']['p50']:.1f} / p99 {f['team_fanout_spread_ms']['p99']:.1f} / max
{f['team_fanout_spread_ms']['max']:.1f} ms after the first (the fan-out to the room).

## Is the load generator the bottleneck?

Over the measurement ({f['measure_wall_s']:.1f} s): server CPU {f['server_cpu_s']:.2f} s; load
workers' CPU {worker_cpu:.2f} s in all ({', '.join(f'{c:.2f}' for c in f['worker_cpu_s'])}).
Workers' event-loop lag (a 5 ms timer firing late), p50 {lag['p50']:.2f} ms, p99 {lag['p99']:.2f} ms,
max {lag['max']:.2f} ms over {lag['count']} ticks: what the generator adds to a latency above is at
most about this much.
"""
    benchlib.write_results("signalling", markdown, f)


if __name__ == "__main__":
    benchlib.run_bounded(TAG, run, MAX_SECONDS)
