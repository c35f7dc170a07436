#!/usr/bin/env python3
"""Browser-to-browser transfer throughput on loopback, in headless Chromium (Debian's
/usr/bin/chromium, driven by Playwright; by default one Chromium with a normal profile, the two
sides on two sites), in one run:

- bare:   a bare WebRTC data channel between the two sides (one RTCPeerConnection each,
          one ordered channel, a loop of `send` with flow control on `bufferedAmount` and
          `bufferedAmountLowThreshold`, the same limits and message size as Ferry's sender; no app);
- direct: Ferry, two members of one team signed in in two browser contexts against a real
          release `ferry serve` (SQLite), a random file sent through the page (pick, accept,
          verified, downloaded); receiver-side throughput from the click on Accept to the item
          verified; the server's CPU and bytes over that time; both renderers' peak RSS;
- relay:  the same with ICE made to fail (relay-only policy without TURN servers), so the file
          goes through the server's end-to-end-encrypted relay.

The phases are interleaved (bare, direct, relay, bare, direct, … for ROUNDS rounds) so that load
from other work on the machine hits all of them alike. Every wait is bounded; the server, Chromium
and the temp folder are stopped and removed at the end. See Benchmarks/README.md.

Profiles (`--profile`): `shared` (the default since 2026-12-07) runs both sides in one Chromium with
one normal profile, the sender's pages on http://127.0.0.1:PORT and the receiver's on
http://localhost:PORT (two sites: two renderers, two cookie jars, two origin private file systems
on disk, one browser process and network service: two contexts of one Chromium, as the target was set,
with the files on disk); `persistent` runs each side in a Chromium of its own with a normal
profile (two browser processes and network services on the same two cores); `incognito` runs
both sides as two incognito contexts of one Chromium (the method before 2026-12-06 06:00; an incognito profile keeps the origin
private file system in the browser process's memory). The bare channel runs in the same setting.

Usage: Benchmarks/run-transfer.py [--mib 1024] [--relay-mib 256] [--rounds 1] [--phases bare,direct,relay]
                                  [--profile shared|persistent|incognito] [--before PUBLIC]
       diagnostics: [--send-probe] [--js-profile [FOLDER]] [--bare-pace MIBPS] [--bare-burn MS[@MIB][r],…]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))
import benchlib  # noqa: E402

from playwright.sync_api import BrowserContext, Page, Playwright, expect, sync_playwright  # noqa: E402

CHROMIUM = os.environ.get("FERRY_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "correct horse battery staple"
MARK = f"--ferry-bench-transfer={os.getpid()}"
# No spare renderer kept ready: then the renderer that appears when a page opens is that page's,
# which is how the sender's and the receiver's renderer are told apart.
CHROMIUM_ARGS = ["--disable-features=SpareRendererForSitePerProcess"]
# Ferry's sender limits (Public/js/transfer/sender.js DEFAULTS), used by the bare loop as well.
LOW_WATER = 1024 * 1024
HIGH_WATER = 4 * 1024 * 1024
# The same ICE failure as Tests/browser/test_transfers.py's NO_ICE.
NO_ICE = """
{
  const Real = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Real {
    constructor(config) { super({ ...(config || {}), iceServers: [], iceTransportPolicy: "relay" }); }
  };
}
"""
# At the receiver: when the first and the last chunk-sized message arrived (ms since the epoch),
# so the data phase can be told apart from the setup (answer, ICE, DTLS) and the final check.
CHUNK_CLOCK = """
{
  window.__firstChunk = 0; window.__lastChunk = 0;
  const watch = (channel) => channel.addEventListener("message", (event) => {
    if (!(event.data?.byteLength >= 65536)) return;
    const now = Date.now();
    if (!window.__firstChunk) window.__firstChunk = now;
    window.__lastChunk = now;
  });
  const Real = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Real {
    constructor(...args) { super(...args); this.addEventListener("datachannel", ({ channel }) => watch(channel)); }
    createDataChannel(...args) { const channel = super.createDataChannel(...args); watch(channel); return channel; }
  };
}
"""

# With --send-probe, at the sender: the pauses between chunk-sized `send`s longer than 2 ms, and
# what ended each — a `bufferedamountlow` just before (the channel's own flow control, the pause
# the bare loop has too), a message from the receiver just before (an `ack`, which wakes the
# sender whether its window was full or it waited for the buffer to drain), or neither (the
# sender waited for its reading worker, or its thread was busy) — and
# whether the channel's send buffer had run low meanwhile (under 256 KiB: the network may idle).
# Listeners are added when the channel is made, before the app's, so they see an event first.
SEND_PROBE = """
{
  const probe = { sends: 0, pauses: 0, pauseMs: 0, maxPauseMs: 0, low: 0, lowMs: 0, ack: 0, ackMs: 0,
                  other: 0, otherMs: 0, dry: 0, dryMs: 0 };
  window.__sendProbe = probe;
  let last = 0, lastMessage = -1e9, lastLow = -1e9;
  const watch = (channel) => {
    channel.addEventListener("message", () => { lastMessage = performance.now(); });
    channel.addEventListener("bufferedamountlow", () => { lastLow = performance.now(); });
  };
  const Real = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Real {
    createDataChannel(...args) { const channel = super.createDataChannel(...args); watch(channel); return channel; }
  };
  const send = RTCDataChannel.prototype.send;
  RTCDataChannel.prototype.send = function (data) {
    if ((data?.byteLength ?? 0) >= 32768) {
      const now = performance.now();
      const pause = last ? now - last : 0;
      if (pause > 2) {
        probe.pauses++; probe.pauseMs += pause; probe.maxPauseMs = Math.max(probe.maxPauseMs, pause);
        if (this.bufferedAmount < 262144) { probe.dry++; probe.dryMs += pause; }
        if (now - lastLow < 2) { probe.low++; probe.lowMs += pause; }
        else if (now - lastMessage < 2) { probe.ack++; probe.ackMs += pause; }
        else { probe.other++; probe.otherMs += pause; }
      }
      last = now;
      probe.sends++;
    }
    return send.call(this, data);
  };
}
"""

# Diagnostics of the bare channel (`--bare-burn MS[@MIB][r]`): a worker in each page that burns
# about MS ms per GiB the page moves, in one piece per MIB MiB (4: as Ferry's receiver hands its
# writing worker a 4 MiB batch), copying 64 KiB blocks (`r`: computing in registers, no memory)
# until the piece's wall-clock time is used up (a descheduled worker burns less; its CPU is measured).
# Gives the page's hook, called with each message's bytes.
BURN = """
({ budget, pieceMiB, alu }) => {
  const code = `
    const from = new Uint8Array(1 << 16), to = new Uint8Array(1 << 16);
    let i = 0, x = 1;
    onmessage = ({ data: ms }) => {
      const end = performance.now() + ms;
      if (${alu}) while (performance.now() < end) for (let k = 0; k < 4096; k++) x = (x * 1103515245 + 12345) | 0;
      else while (performance.now() < end) { to.set(from); from[i++ & 0xffff] ^= to[0]; }
      from[0] = x;
    };`;
  const worker = new Worker(URL.createObjectURL(new Blob([code], { type: "text/javascript" })));
  window.__burnWorker = worker;
  const piece = pieceMiB << 20, ms = budget * piece / (1 << 30);
  let bytes = 0;
  return (n) => {
    bytes += n;
    while (bytes >= piece) { bytes -= piece; worker.postMessage(ms); }
  };
}
"""

# The bare channel: both ends made with non-trickle ICE (the SDP carries the candidates), the
# descriptions passed between the two contexts by this script.
BARE_OFFER = """
async () => {
  const pc = new RTCPeerConnection();
  const dc = pc.createDataChannel("bare", { ordered: true });
  dc.binaryType = "arraybuffer";
  window.__pc = pc; window.__dc = dc;
  await pc.setLocalDescription(await pc.createOffer());
  await new Promise((r) => pc.iceGatheringState === "complete" ? r() : pc.addEventListener("icegatheringstatechange", () => pc.iceGatheringState === "complete" && r()));
  return { type: "offer", sdp: pc.localDescription.sdp };
}
"""
BARE_ANSWER = """
async ({ offer, total, burn }) => {
  if (burn) window.__burn = (__BURN__)(burn);
  const pc = new RTCPeerConnection();
  window.__pc = pc;
  window.__got = 0; window.__end = 0;
  pc.addEventListener("datachannel", ({ channel }) => {
    channel.binaryType = "arraybuffer";
    channel.onmessage = (event) => {
      window.__got += event.data.byteLength;
      window.__burn?.(event.data.byteLength);
      if (window.__got >= total && !window.__end) window.__end = Date.now();
    };
  });
  await pc.setRemoteDescription(offer);
  await pc.setLocalDescription(await pc.createAnswer());
  await new Promise((r) => pc.iceGatheringState === "complete" ? r() : pc.addEventListener("icegatheringstatechange", () => pc.iceGatheringState === "complete" && r()));
  return { type: "answer", sdp: pc.localDescription.sdp };
}
"""
BARE_ANSWER = BARE_ANSWER.replace("__BURN__", BURN.strip())
BARE_SEND = """
async ({ answer, total, size, low, high, pace, burn }) => {
  const pc = window.__pc, dc = window.__dc;
  const burner = burn ? (__BURN__)(burn) : null;
  await pc.setRemoteDescription(answer);
  if (dc.readyState !== "open") await new Promise((r) => dc.addEventListener("open", r, { once: true }));
  dc.bufferedAmountLowThreshold = low;
  const message = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(message.subarray(i, i + 65536));
  const started = Date.now();
  for (let sent = 0; sent < total; ) {
    if (dc.bufferedAmount > high) {
      await new Promise((r) => dc.addEventListener("bufferedamountlow", r, { once: true }));
      continue;
    }
    if (pace) {
      const ahead = started + sent / pace - Date.now();
      if (ahead >= 1) { await new Promise((r) => setTimeout(r, ahead)); continue; }
    }
    const piece = total - sent < size ? message.subarray(0, total - sent) : message;
    dc.send(piece);
    sent += piece.length;
    burner?.(piece.length);
  }
  return { started, maxMessageSize: pc.sctp.maxMessageSize };
}
""".replace("__BURN__", BURN.strip())


class Chromium:
    """Where the two sides run: `persistent`, a Chromium of its own per side with a normal profile
    (two browser processes, `roots`); `shared`, one Chromium with a normal profile, the two sides
    on two sites of the server (`origin`); or `incognito`, two incognito contexts of one Chromium.
    Pages come from `contexts()`, one context per side, new ones per phase for incognito."""

    def __init__(self, playwright: Playwright, profile: str, folder: Path) -> None:
        self.profile = profile
        self.browser = None
        self.persistent: dict[str, BrowserContext] = {}
        if profile == "incognito":
            self.browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", MARK, *CHROMIUM_ARGS])
            root = benchlib.find_process(MARK)
            assert root is not None, "cannot find the Chromium browser process"
            self.roots = {"browser process": root}
        elif profile == "shared":
            context = playwright.chromium.launch_persistent_context(
                str(folder / "profile-shared"), executable_path=CHROMIUM, args=["--no-sandbox", MARK, *CHROMIUM_ARGS],
                accept_downloads=True)
            root = benchlib.find_process(MARK)
            assert root is not None, "cannot find the Chromium browser process"
            self.roots = {"browser process": root}
            self.persistent = {"sender": context, "receiver": context}
        else:
            self.roots = {}
            for side in ("sender", "receiver"):
                mark = f"{MARK}-{side}"
                self.persistent[side] = playwright.chromium.launch_persistent_context(
                    str(folder / f"profile-{side}"), executable_path=CHROMIUM, args=["--no-sandbox", mark, *CHROMIUM_ARGS],
                    accept_downloads=True)
                root = benchlib.find_process(mark)
                assert root is not None, f"cannot find the {side}'s Chromium browser process"
                self.roots[f"{side} browser process"] = root

    def contexts(self) -> tuple[BrowserContext, BrowserContext, list]:
        """(sender's context, receiver's context, what to close after the phase)."""
        if self.browser is not None:
            a, b = self.browser.new_context(accept_downloads=True), self.browser.new_context(accept_downloads=True)
            return a, b, [a, b]
        return self.persistent["sender"], self.persistent["receiver"], []

    def origin(self, side: str, url: str) -> str:
        """The origin a side's pages use: in `shared`, the receiver's is the server's under the
        name localhost, another site than 127.0.0.1 (its own cookies, storage and renderer)."""
        return url.replace("//127.0.0.1:", "//localhost:") if self.profile == "shared" and side == "receiver" else url

    def close(self) -> None:
        for context in set(self.persistent.values()):
            context.close()
        if self.browser is not None:
            self.browser.close()

    def tree_cpu(self) -> float:
        return sum(benchlib.tree_cpu_seconds(root) for root in self.roots.values())

    def cpu_by_pid(self) -> dict[int, tuple[str, float]]:
        out: dict[int, tuple[str, float]] = {}
        for root in self.roots.values():
            out.update(benchlib.cpu_by_pid(root))
        return out

    def renderers(self, side: str | None = None) -> set[int]:
        """Renderer pids, of one side's Chromium if asked (persistent only)."""
        roots = [self.roots[f"{side} browser process"]] if side else list(self.roots.values())
        return {pid for root in roots for pid, kind in benchlib.chromium_processes(root).items() if kind == "renderer"}


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy (/proc/stat: all but idle and iowait), kernel
    threads, interrupts and every other process included."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / benchlib.CLOCK_TICKS


def sched(chromium: Chromium) -> dict[str, list[int]]:
    """{"kind thread-name": [on-CPU ns, run-queue wait ns, times scheduled]} summed over both
    Chromiums (/proc/PID/task/TID/schedstat): the wait is how long runnable threads waited for a
    core (contention), the count how often they were put on a core (a wake-up, or a return after
    being preempted)."""
    out: dict[str, list[int]] = {}
    for root in chromium.roots.values():
        for pid, kind in benchlib.chromium_processes(root).items():
            kind = "network" if "NetworkService" in kind else kind
            names = {task: name for task, (name, _) in benchlib.task_stats(pid).items()}
            for task, text in benchlib.task_files(pid, "schedstat").items():
                key = f"{kind} {names.get(task, '?')}"
                values = [int(v) for v in text.split()[:3]]
                out[key] = [a + b for a, b in zip(out.get(key, [0, 0, 0]), values)]
    return out


def sched_delta(before: dict[str, list[int]], after: dict[str, list[int]]) -> dict[str, list[int]]:
    """after − before per key; keys that ran less than 50 ms left out."""
    out = {k: [a - b for a, b in zip(v, before.get(k, [0, 0, 0]))] for k, v in after.items()}
    return {k: v for k, v in sorted(out.items(), key=lambda kv: -kv[1][0]) if v[0] >= 50_000_000}


def close_all(things: list) -> None:
    for thing in things:
        thing.close()


def parse_burn(spec: str) -> dict | None:
    """`MS[@MIB][r]` (see BURN) → the page's burn options, None for ""."""
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(?:@(\d+))?(r?)", spec)
    if not spec or not match:
        return None
    return {"budget": float(match[1]), "pieceMiB": int(match[2] or 4), "alu": bool(match[3])}


def burn_label(spec: str) -> str:
    burn = parse_burn(spec)
    return (f"a worker a side burning {burn['budget']:g} ms per GiB in {burn['pieceMiB']} MiB pieces"
            + (", in registers" if burn["alu"] else "")) if burn else ""


def bare(chromium: Chromium, total: int, size: int, pace: float = 0, burn: str = "") -> dict:
    """One bare data channel between the two sides: MiB/s at the receiver. Diagnostics: `pace`
    MiB/s (the sender sleeps to keep to it), `burn` ms of a worker's CPU per GiB in each page."""
    a, b, owned = chromium.contexts()
    pages: list[Page] = []
    try:
        family: dict[str, set[int]] = {}
        for side, context in (("sender", a), ("receiver", b)):
            known = chromium.renderers()
            page = context.new_page()
            pages.append(page)
            if chromium.profile == "shared":
                # Two sites, as in the Ferry phases (a renderer each); the page answers itself.
                url = chromium.origin(side, BARE_SITE) + "/"
                page.route(url, lambda route: route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>bare</title>"))
                page.goto(url)
                family[side] = chromium.renderers() - known
        sender, receiver = pages
        offer = sender.evaluate(BARE_OFFER)
        answer = receiver.evaluate(BARE_ANSWER, {"offer": offer, "total": total, "burn": parse_burn(burn)})
        cpu = chromium.tree_cpu()
        kinds = chromium.cpu_by_pid()
        pids = chromium.renderers()
        threads = {pid: benchlib.threads_cpu(pid) for pid in pids}
        browsers = {name: benchlib.threads_cpu(pid) for name, pid in chromium.roots.items()}
        udp = benchlib.udp_counters()
        scheduled = sched(chromium)
        busy = machine_busy()
        sent = sender.evaluate(BARE_SEND, {"answer": answer, "total": total, "size": size, "low": LOW_WATER, "high": HIGH_WATER,
                                                "pace": pace * (1 << 20) / 1000, "burn": parse_burn(burn)})
        receiver.wait_for_function("window.__end > 0", polling=100, timeout=timeout_ms(total))
        end = receiver.evaluate("window.__end")
        cpu = chromium.tree_cpu() - cpu
        busy = machine_busy() - busy
        scheduled = sched_delta(scheduled, sched(chromium))
        udp = {name: value - udp[name] for name, value in benchlib.udp_counters().items() if value != udp[name]}
        kinds = benchlib.cpu_delta_by_kind(kinds, chromium.cpu_by_pid())
        threads = {pid: benchlib.delta(before, benchlib.threads_cpu(pid)) for pid, before in threads.items()}
        if chromium.profile != "incognito":
            # Each side's busiest renderer is its page's: name them as the Ferry phases do.
            for side in ("sender", "receiver"):
                own = family.get(side) or (chromium.renderers(side) if chromium.profile == "persistent" else set())
                mine = [pid for pid in own if threads.get(pid)]
                if mine:
                    threads[side] = threads.pop(max(mine, key=lambda pid: sum(threads[pid].values())))
        browsers = {name: benchlib.delta(before, benchlib.threads_cpu(chromium.roots[name])) for name, before in browsers.items()}
        seconds = (end - sent["started"]) / 1000
        return {"bytes": total, "message_bytes": size, "pace_mib_per_s": pace, "burn": burn,
                "seconds": seconds, "mib_per_s": total / seconds / (1 << 20),
                "max_message_size": sent["maxMessageSize"], "chromium_cpu_s": cpu, "chromium_cpu_by_kind": kinds,
                "renderer_threads_cpu_s": {str(pid): t for pid, t in threads.items() if t}, "browser_threads_cpu_s": browsers,
                "udp": udp, "sched": scheduled, "machine_busy_s": busy}
    finally:
        close_all(pages)
        close_all(owned)


BARE_SITE = "http://127.0.0.1:9"
"""Where the bare channel's pages are (never fetched: the page answers itself) in `shared`."""


def timeout_ms(total: int) -> int:
    """Room for 2 MiB/s on a loaded machine, plus a minute."""
    return 60_000 + total * 1000 // (2 << 20)


def random_file(path: Path, mib: int) -> str:
    digest = hashlib.sha256()
    with open(path, "wb") as out:
        for _ in range(mib):
            block = os.urandom(1 << 20)
            digest.update(block)
            out.write(block)
    return digest.hexdigest()


def sha256_file(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Team:
    """A release `ferry serve` on SQLite with Ann and Bob in one team."""

    def __init__(self, folder: Path, public: str = "Public") -> None:
        self.server = benchlib.ferry_server.Server(folder, None, log_level="error", public=public)
        self.server.cli("admin", "create", "--email", "ann@example.org", "--name", "Ann", "--team", "Design", password=PASSWORD)
        self.server.cli("user", "add", "--email", "bob@example.org", "--name", "Bob", password=PASSWORD)
        self.server.cli("team", "add-member", "Design", "bob@example.org")

    @property
    def url(self) -> str:
        assert self.server.url
        return self.server.url

    def member(self, context: BrowserContext, email: str, *scripts: str, origin: str | None = None) -> Page:
        """A page of `origin` (default: the server's URL) signed in as `email`."""
        url = origin or self.url
        answer = context.request.post(url + "/api/v1/session", data={"email": email, "password": PASSWORD},
                                      headers={"Origin": url})
        assert answer.ok, answer.text()
        page = context.new_page()
        # On the page, not the context: a persistent context lives on to the next phases.
        for script in scripts:
            page.add_init_script(script)
        page.set_default_timeout(30_000)
        page.goto(url + "/")
        expect(page.locator("#sharing")).to_have_attribute("data-connection", "ready")
        return page


COUNTERS = ("ferry_network_received_bytes_total", "ferry_network_sent_bytes_total")


def server_bytes(team: Team) -> tuple[int, str]:
    """Bytes through the server so far (received + sent), and where the figure comes from: the
    server's socket counters if it has them, else its read and write system calls (/proc io)."""
    try:
        values = benchlib.metrics(team.url)
        if all(name in values for name in COUNTERS):
            return int(sum(values[name] for name in COUNTERS)), "metrics"
    except OSError:
        pass
    rchar, wchar = benchlib.io_bytes(team.server.process.pid)
    return rchar + wchar, "/proc io"


def scrape_cost(team: Team) -> int:
    """What one reading of `server_bytes` itself adds to the counters (a scrape counts its own
    request, and the previous scrape's response): measured by two readings back to back."""
    first, how = server_bytes(team)
    second, _ = server_bytes(team)
    return second - first if how == "metrics" else 0


def start_js_profiles(pages: dict[str, Page]) -> dict:
    """CDP sampling profiles of the pages' main threads (1 ms interval; workers not included)."""
    sessions = {}
    for side, page in pages.items():
        cdp = page.context.new_cdp_session(page)
        cdp.send("Profiler.enable")
        cdp.send("Profiler.setSamplingInterval", {"interval": 1000})
        cdp.send("Profiler.start")
        sessions[side] = cdp
    return sessions


def stop_js_profiles(sessions: dict, folder: str | None) -> dict:
    """Stops the profiles; returns each side's top functions by self time (ms), writes the
    `.cpuprofile` files (Chrome DevTools can open them) to `folder`."""
    summary = {}
    for side, cdp in sessions.items():
        profile = cdp.send("Profiler.stop")["profile"]
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            (Path(folder) / f"{side}-{time.strftime('%H%M%S')}.cpuprofile").write_text(json.dumps(profile))
        by_node = {node["id"]: node for node in profile["nodes"]}
        self_ms: dict[str, float] = {}
        for node_id, delta in zip(profile.get("samples", []), profile.get("timeDeltas", [])):
            frame = by_node[node_id]["callFrame"]
            name = frame["functionName"] or "(anonymous)"
            where = frame["url"].rsplit("/", 1)[-1]
            key = f"{name} {where}:{frame['lineNumber'] + 1}" if where else name
            self_ms[key] = self_ms.get(key, 0) + delta / 1000
        summary[side] = dict(sorted(((k, round(v)) for k, v in self_ms.items() if k != "(idle)"),
                                    key=lambda kv: -kv[1])[:25])
    return summary


def ferry(chromium: Chromium, team: Team, source: Path, expected: str, relay: bool,  # noqa: C901
          send_probe: bool = False, js_profile: str | None = None) -> dict:
    """One file from Ann to Bob through the page; measured at Bob from Accept to verified."""
    scripts = (NO_ICE,) if relay else ()
    a, b, owned = chromium.contexts()
    pages: list[Page] = []
    before = chromium.renderers()
    ann = team.member(a, "ann@example.org", *scripts, *((SEND_PROBE,) if send_probe else ()),
                      origin=chromium.origin("sender", team.url))
    pages.append(ann)
    mid = chromium.renderers()
    bob = team.member(b, "bob@example.org", *scripts, CHUNK_CLOCK, origin=chromium.origin("receiver", team.url))
    pages.append(bob)
    after = chromium.renderers()
    try:
        # Each context may start more than one renderer (the page's and a helper's); all are
        # sampled, and the one that worked hardest over the transfer is the page's. With a
        # Chromium per side, a side's renderers are its Chromium's.
        if chromium.profile != "persistent":
            family = {"sender": sorted(mid - before), "receiver": sorted(after - mid)}
        else:
            family = {side: sorted(chromium.renderers(side)) for side in ("sender", "receiver")}
        if not family["sender"] or not family["receiver"]:
            raise SystemExit(f"cannot tell the renderers apart: {before} → {mid} → {after}")
        size = source.stat().st_size
        row = ann.locator("#rooms section[data-kind=team] li.peer").filter(has_text="Bob")
        expect(row).to_have_count(1)
        row.locator("button.peer-select").click()
        ann.set_input_files("#pick-files", str(source))
        expect(bob.locator("#offer-dialog")).to_be_visible()
        # The prompt's buttons take clicks only after a moment (against answering by accident):
        # that wait is not the transfer's.
        expect(bob.locator("#offer-accept")).to_be_enabled()
        # Metrics are read before the clock starts and after it stops, so reading them costs
        # the server a request on each side of the window, not inside it.
        overhead = scrape_cost(team)
        bytes_before, bytes_how = server_bytes(team)
        watched = {f"{side} {pid}": pid for side, pids in family.items() for pid in pids}
        rss = benchlib.RssSampler({**watched, **chromium.roots, "server": team.server.process.pid})
        cpu_before = {name: benchlib.cpu_seconds(pid) for name, pid in watched.items()}
        chromium_cpu = chromium.tree_cpu()
        kinds = chromium.cpu_by_pid()
        sampled = {**watched, **chromium.roots}
        threads = {name: benchlib.threads_cpu(pid) for name, pid in sampled.items()}
        udp = benchlib.udp_counters()
        scheduled = sched(chromium)
        busy = machine_busy()
        profiles = start_js_profiles({"sender": ann, "receiver": bob}) if js_profile is not None else None
        accepted = time.time()
        with rss, benchlib.Stopwatch(team.server.process.pid) as watch, bob.expect_download(timeout=timeout_ms(size)) as download:
            bob.click("#offer-accept")
            if relay:
                expect(bob.locator("#transfers li.transfer .transfer-path").first).to_have_text("relayed, encrypted",
                                                                                                 timeout=60_000)
                path_at = time.monotonic()
            # A selector, not a function: the page's CSP forbids evaluating strings.
            bob.wait_for_selector("#transfers li.transfer[data-state=done]", state="attached", timeout=timeout_ms(size))
        busy = machine_busy() - busy
        scheduled = sched_delta(scheduled, sched(chromium))
        bytes_after, _ = server_bytes(team)
        udp = {name: value - udp[name] for name, value in benchlib.udp_counters().items() if value != udp[name]}
        first_chunk, last_chunk = bob.evaluate("[window.__firstChunk, window.__lastChunk]")
        probe = ann.evaluate("window.__sendProbe") if send_probe else None
        js = stop_js_profiles(profiles, js_profile or None) if profiles is not None else None
        cpu = {name: benchlib.cpu_seconds(pid) - cpu_before[name] for name, pid in watched.items()}
        cpu["chromium"] = chromium.tree_cpu() - chromium_cpu
        kinds = benchlib.cpu_delta_by_kind(kinds, chromium.cpu_by_pid())
        threads = {name: benchlib.delta(before, benchlib.threads_cpu(sampled[name])) for name, before in threads.items()}
        for side in family:
            busiest = max((name for name in watched if name.startswith(side)), key=lambda name: cpu[name])
            rss.peak[f"{side} renderer"] = rss.peak[busiest]
            rss.first[f"{side} renderer"] = rss.first[busiest]
            cpu[f"{side} renderer"] = cpu[busiest]
            threads[f"{side} renderer"] = threads[busiest]
        seconds = watch.wall
        ok = sha256_file(download.value.path()) == expected
        result = {"bytes": size, "seconds": seconds, "mib_per_s": size / seconds / (1 << 20), "intact": ok,
                  "server_cpu_s": watch.cpu, "server_bytes": bytes_after - bytes_before - overhead, "server_bytes_from": bytes_how,
                  "peak_rss": rss.peak, "start_rss": rss.first, "cpu_s": cpu, "chromium_cpu_by_kind": kinds,
                  "renderer_threads_cpu_s": {side: threads[f"{side} renderer"] for side in family},
                  "browser_threads_cpu_s": {name: threads[name] for name in chromium.roots}, "udp": udp,
                  "sched": scheduled, "machine_busy_s": busy}
        if first_chunk and not relay:
            # Setup: Accept → first chunk; data: first → last chunk; the rest: the final check.
            result["setup_seconds"] = first_chunk / 1000 - accepted
            result["data_seconds"] = (last_chunk - first_chunk) / 1000
            result["data_mib_per_s"] = size / result["data_seconds"] / (1 << 20)
        if js:
            result["js_profile_self_ms"] = js
        if probe:
            result["send_probe"] = {k: round(v, 1) for k, v in probe.items()}
        if relay:
            relayed = time.monotonic() - path_at  # noqa: F821 (set above when relay)
            result["relayed_seconds"] = relayed
            result["relayed_mib_per_s"] = size / relayed / (1 << 20)
        if not ok:
            raise SystemExit(f"the download differs from the file sent ({'relay' if relay else 'direct'})")
        return result
    finally:
        if not owned:
            # A persistent profile outlives the phase: the next one starts as a fresh incognito
            # context would (no device keys, resume book or part files left to resume from).
            for page, side in zip(pages, ("sender", "receiver")):
                try:
                    origin = chromium.origin(side, team.url)
                    page.context.new_cdp_session(page).send("Storage.clearDataForOrigin",
                                                            {"origin": origin, "storageTypes": "all"})
                except Exception as error:  # noqa: BLE001 (a cleanup; the next phase would show it)
                    benchlib.log("transfer", "could not clear the profile:", error)
        close_all(pages)
        close_all(owned)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mib", type=int, default=int(os.environ.get("MIB", "1024")), help="bare and direct size (MiB)")
    parser.add_argument("--relay-mib", type=int, default=int(os.environ.get("RELAY_MIB", "256")), help="relayed size (MiB)")
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("ROUNDS", "1")))
    parser.add_argument("--phases", default=os.environ.get("PHASES", "bare,direct,relay"))
    parser.add_argument("--message-sizes", default=os.environ.get("BARE_MESSAGE_SIZES", "262144,65536"),
                        help="bare channel message sizes (bytes); the best is the baseline")
    parser.add_argument("--profile", choices=("persistent", "shared", "incognito"), default=os.environ.get("PROFILE", "shared"),
                        help="a Chromium with a normal profile per side; one Chromium with a normal profile, the sides "
                             "on two sites; or two incognito contexts of one Chromium")
    parser.add_argument("--no-write", action="store_true", help="print, do not write results")
    parser.add_argument("--send-probe", action="store_true", default=bool(os.environ.get("SEND_PROBE")),
                        help="count the sender's pauses between chunks and what ended them (a wrapper around send)")
    parser.add_argument("--js-profile", nargs="?", const="", default=None, metavar="FOLDER",
                        help="profile both pages' main threads (CDP, 1 ms samples) in Ferry phases; print the top "
                             "functions by self time, and write the .cpuprofile files to FOLDER if given")
    parser.add_argument("--bare-pace", type=float, default=float(os.environ.get("BARE_PACE", "0")), metavar="MIBPS",
                        help="diagnostics: after each bare run, one more with the sender paced to MIBPS MiB/s "
                             "(not a baseline)")
    parser.add_argument("--bare-burn", default=os.environ.get("BARE_BURN", ""), metavar="MS[@MIB][r],…",
                        help="diagnostics: after each bare run, one more per entry with a worker in each page burning "
                             "about MS ms per GiB moved, in pieces per MIB MiB (default 4), copying memory or (r) in "
                             "registers (not a baseline)")
    parser.add_argument("--before", default=os.environ.get("BEFORE_PUBLIC"),
                        help="a Public/ folder of an earlier client: adds the phase `before`, Ferry direct with it")
    options = parser.parse_args()
    phases = options.phases.split(",")
    if options.before and "before" not in phases:
        phases.insert(phases.index("direct") + 1 if "direct" in phases else len(phases), "before")
    sizes = [int(s) for s in options.message_sizes.split(",")]
    bad = [spec for spec in options.bare_burn.split(",") if spec and not parse_burn(spec)]
    if bad:
        parser.error(f"--bare-burn: cannot read {bad} (MS[@MIB][r])")
    binary = benchlib.ferry_release() if {"direct", "relay", "before"} & set(phases) else None
    load = benchlib.machine()
    runs: dict[str, list[dict]] = {"bare": [], "direct": [], "before": [], "relay": []}
    with tempfile.TemporaryDirectory(prefix="ferry-bench-transfer-") as tmp:
        folder = Path(tmp)
        total = options.mib << 20
        files = {}
        if "direct" in phases or "before" in phases:
            files["direct"] = (folder / "random.bin", random_file(folder / "random.bin", options.mib))
        if "relay" in phases:
            files["relay"] = (folder / "relayed.bin", random_file(folder / "relayed.bin", options.relay_mib))
        team = Team(folder / "data") if binary else None
        before = Team(folder / "data-before", str(Path(options.before).resolve())) if options.before else None
        try:
            with sync_playwright() as playwright:
                chromium = Chromium(playwright, options.profile, folder)
                try:
                    for round_ in range(options.rounds):
                        for phase in phases:
                            if phase == "bare":
                                variants = [(0.0, "")] + [(options.bare_pace, "")] * (options.bare_pace > 0) \
                                    + [(0.0, spec) for spec in options.bare_burn.split(",") if parse_burn(spec)]
                                for size, (pace, burn) in ((size, v) for size in sizes for v in variants):
                                    result = bare(chromium, total, size, pace, burn)
                                    benchlib.log("transfer", f"round {round_ + 1} bare {size // 1024} KiB messages"
                                                 + (f", paced to {pace:g} MiB/s" if pace else "")
                                                 + (f", {burn_label(burn)}" if burn else "") + ":",
                                                 f"{result['mib_per_s']:.1f} MiB/s, Chromium CPU",
                                                 f"{result['chromium_cpu_s'] / result['seconds']:.2f} cores,",
                                                 channel_summary(result))
                                    benchlib.log("transfer", "  details:",
                                                 {k: round(v, 1) for k, v in result["chromium_cpu_by_kind"].items()},
                                                 result["renderer_threads_cpu_s"], result.get("browser_threads_cpu_s", ""),
                                                 "UDP", result["udp"])
                                    result["round"] = round_ + 1
                                    runs["bare"].append(result)
                            elif phase in ("direct", "relay", "before"):
                                assert team
                                path, digest = files["direct" if phase == "before" else phase]
                                result = ferry(chromium, before if phase == "before" else team, path, digest,
                                               relay=phase == "relay", send_probe=options.send_probe,
                                               js_profile=options.js_profile)
                                benchlib.log("transfer", f"round {round_ + 1} {phase}:", f"{result['mib_per_s']:.1f} MiB/s,",
                                             f"server {result['server_cpu_s'] * 1000:.0f} ms CPU, {result['server_bytes']} bytes,",
                                             f"Chromium CPU {result['cpu_s']['chromium'] / result['seconds']:.2f} cores",
                                             f"(sender renderer {result['cpu_s']['sender renderer']:.1f} s,",
                                             f"receiver renderer {result['cpu_s']['receiver renderer']:.1f} s)",
                                             {k: round(v, 1) for k, v in result["chromium_cpu_by_kind"].items()},
                                             result["renderer_threads_cpu_s"], result.get("browser_threads_cpu_s", ""),
                                             "UDP", result["udp"], "setup / data / data MiB/s:",
                                             [round(result.get(k, 0), 1) for k in ("setup_seconds", "data_seconds", "data_mib_per_s")],
                                             *(("send probe:", result["send_probe"]) if "send_probe" in result else ()),
                                             *(("JS self ms:", result["js_profile_self_ms"]) if "js_profile_self_ms" in result else ()))
                                benchlib.log("transfer", f"round {round_ + 1} {phase}:", channel_summary(result))
                                result["round"] = round_ + 1
                                runs[phase].append(result)
                finally:
                    chromium.close()
        finally:
            for one in (team, before):
                if one:
                    one.server.stop()
    markdown = report(options, runs, load, binary)
    data = {"machine": load, "options": vars(options), "binary": str(binary), "runs": runs}
    if options.no_write:
        print(markdown)
    else:
        benchlib.write_results("transfer", markdown, data)
    return 0


def datagrams_per_gib(run: dict) -> str:
    sent = run.get("udp", {}).get("OutDatagrams")
    return f"{sent * (1 << 30) / run['bytes'] / 1e6:.2f} M" if sent else ""


def diagnostic(run: dict) -> bool:
    """A bare run paced or burning CPU (`--bare-pace`, `--bare-burn`): never the baseline."""
    return bool(run.get("pace_mib_per_s") or run.get("burn"))


def best(runs: list[dict]) -> dict | None:
    runs = [r for r in runs if not diagnostic(r)]
    return max(runs, key=lambda r: r["mib_per_s"]) if runs else None


def channel_summary(run: dict) -> str:
    """Per GiB: Chromium's CPU, the network services', the channel's threads and the pages' own
    (sender / receiver), and the UDP receive-buffer drops — what the diagnostics compare."""
    gib = run["bytes"] / (1 << 30)
    total = run["chromium_cpu_s"] if "chromium_cpu_s" in run else run["cpu_s"]["chromium"]
    threads = run["renderer_threads_cpu_s"]

    def pair(name: str) -> str:
        return " / ".join(f"{threads.get(side, {}).get(name, 0.0) / gib:.1f}" for side in ("sender", "receiver"))
    network = sum(v for k, v in run["chromium_cpu_by_kind"].items() if "NetworkService" in k)
    return (f"per GiB: Chromium {total / gib:.1f} s, network services {network / gib:.1f}, WebRTC_W_and_N {pair('WebRTC_W_and_N')}, "
            f"Chrome_ChildIOT {pair('Chrome_ChildIOT')}, main {pair('chromium')}, DedicatedWorker {pair('DedicatedWorker')}; "
            f"RcvbufErrors {run['udp'].get('RcvbufErrors', 0) / gib:,.0f}"
            + (f"; the machine outside Chromium {(run['machine_busy_s'] - total) / gib:.1f} s" if "machine_busy_s" in run else "")
            + sched_summary(run))


def sched_summary(run: dict) -> str:
    """Per GiB, the channel's threads (both renderers' WebRTC_W_and_N and Chrome_ChildIOT, the
    network services' threads): times put on a core (wake-ups, and returns after preemption) and
    seconds spent runnable but waiting for a core."""
    gib = run["bytes"] / (1 << 30)
    groups = {"WebRTC": lambda k: k.endswith("WebRTC_W_and_N"), "ChildIOT": lambda k: k == "renderer Chrome_ChildIOT",
              "renderer main": lambda k: k == "renderer chromium", "network": lambda k: k.startswith("network ")}
    parts = []
    for label, test in groups.items():
        rows = [v for k, v in run.get("sched", {}).items() if test(k)]
        if rows:
            parts.append(f"{label} scheduled {sum(r[2] for r in rows) / gib / 1000:.0f} k times, "
                         f"{sum(r[1] for r in rows) / gib / 1e9:.1f} s waiting")
    return ("; " + ", ".join(parts)) if parts else ""


def median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


def round_ratios(runs: dict[str, list[dict]], phase: str) -> str:
    """Besides the ratio to the best bare run of the file (the strict figure: the best of several
    noisy runs): each round's Ferry run against the best bare run of its own round, and the
    median Ferry run against the median of the rounds' best bare runs. The channel's own speed
    moves by ±10 % between rounds of one run, so with several rounds the best of all bare runs
    is an outlier on the high side; these two say where the middle lies."""
    by_round: dict[int, float] = {}
    for r in runs["bare"]:
        if not diagnostic(r) and "round" in r:
            by_round[r["round"]] = max(by_round.get(r["round"], 0.0), r["mib_per_s"])
    paired = [(r["round"], r["mib_per_s"] / by_round[r["round"]]) for r in runs[phase] if by_round.get(r.get("round", 0))]
    if len(by_round) < 2 or not paired:
        return ""
    ferry = statistics.median(r["mib_per_s"] for r in runs[phase])
    bare = statistics.median(by_round.values())
    return (f"{phase}: to the best bare run of its own round " + ", ".join(f"{ratio:.2f}× (round {n})" for n, ratio in paired)
            + f"; median {ferry:.1f} MiB/s against the rounds' best bare runs' median {bare:.1f}: {ferry / bare:.2f}×")


def report(options: argparse.Namespace, runs: dict[str, list[dict]], load: str, binary: Path | None) -> str:
    lines = [f"# Transfer benchmark, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", "",
             f"Machine: {load}. Chromium: {CHROMIUM}, headless, "
             + {"incognito": "two incognito contexts of one Chromium",
                "shared": "one Chromium with a persistent profile, the two sides on two sites (127.0.0.1, localhost)"}.get(
                    options.profile, "one Chromium with a persistent profile per side") + ", loopback. "
             f"Ferry: {binary}. Rounds: {options.rounds}.", ""]
    baseline = best(runs["bare"])
    rows: list[list[object]] = []
    kinds = {(r["message_bytes"], r.get("pace_mib_per_s", 0), r.get("burn", "")) for r in runs["bare"]}
    for size, pace, burn in sorted(kinds, key=lambda k: (-k[0], k[1], k[2])):
        same = [r for r in runs["bare"] if (r["message_bytes"], r.get("pace_mib_per_s", 0), r.get("burn", "")) == (size, pace, burn)]
        speeds = [r["mib_per_s"] for r in same]
        rows.append([f"bare data channel, {size // 1024} KiB messages" + (f", paced to {pace:g} MiB/s" if pace else "")
                     + (f", {burn_label(burn)}" if burn else ""), f"{same[0]['bytes'] >> 20}",
                     " / ".join(f"{s:.1f}" for s in speeds), "1.00×" if baseline and baseline in same else "",
                     " / ".join(datagrams_per_gib(r) for r in same), "", "", "", ""])
    for phase, label in (("direct", "Ferry direct"), ("before", f"Ferry direct, client of {options.before}"),
                         ("relay", "Ferry relayed, encrypted")):
        for r in runs[phase]:
            speed = r.get("relayed_mib_per_s", r["mib_per_s"]) if phase == "relay" else r["mib_per_s"]
            rss = r["peak_rss"]
            rows.append([label, f"{r['bytes'] >> 20}", f"{r['mib_per_s']:.1f}" + (f" ({speed:.1f} once relayed)" if phase == "relay" else "")
                         + (f" ({r['data_mib_per_s']:.1f} first to last chunk)" if "data_mib_per_s" in r else ""),
                         benchlib.ratio(r["mib_per_s"], baseline["mib_per_s"]) if baseline else "n/a",
                         datagrams_per_gib(r) if phase != "relay" else "",
                         f"{r['server_bytes']:,} ({r['server_bytes_from']})",
                         f"{r['server_cpu_s'] * 1000:.0f} ms",
                         f"{benchlib.mib(rss['sender renderer'])} / {benchlib.mib(rss['receiver renderer'])}",
                         " / ".join(benchlib.mib(v) for k, v in rss.items() if k.endswith("browser process"))])
    lines.append(benchlib.markdown_table(
        ["what", "MiB", "MiB/s", "ratio to the bare channel", "UDP datagrams per GiB", "server bytes during", "server CPU during",
         "peak RSS sender / receiver renderer, MiB", "peak RSS browser process(es), MiB"], rows))
    summaries = [line for line in (round_ratios(runs, phase) for phase in ("direct", "before")) if line]
    if summaries:
        lines += ["", "By round (the strict ratio above is to the best bare run of the whole file): " + "; ".join(summaries) + "."]
    lines += ["", "Ferry figures are measured at the receiver from the click on Accept until the item is verified "
              "(hashes compared) and delivered, so they include the offer's answer, ICE (for the relay: the failed "
              "gathering, and until 2026-12-06 20:50 the 10 s ICE timeout, before the relay takes over; see the "
              "`once relayed` figure) and the final hash check. The "
              "bare channel is timed from its first `send` to the last byte at the receiver; its best message size "
              "is the baseline. Server figures cover the same window as Ferry's time. UDP datagrams are the "
              "machine's (`/proc/net/snmp`, both directions, both sides) over the same window: on loopback, the "
              "data channel's packets, whose count drives most of its CPU."]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
