"""Helpers shared by the browser tests that move large files (test_transfers.py,
test_drops_large.py): a large random file written and hashed quickly, a file's SHA-256, Chromium
with a persistent profile found again by a mark on its command line, and a sampler of its
renderers' resident memory."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path

from playwright.sync_api import Browser, BrowserContext

from transfer_smoke.measure_memory import renderer_rss

CHROMIUM = os.environ.get("FERRY_CHROMIUM", "/usr/bin/chromium")
MIB = 1024 * 1024
# What a renderer may grow by over its baseline while a large file goes through it: the clients
# hold bounded windows (chunks, ranges, flush buffers), so what remains is garbage-collection
# churn; a client that kept the file in memory would grow by the file's size, eight times this
# for 2 GiB.
RENDERER_GROWTH_BOUND = 256 * MIB


def sha256_file(path: Path | str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def random_file_hashed(path: Path, mib: int, block_mib: int = 64) -> str:
    """Writes `mib` MiB of random bytes quickly: one random block of `block_mib` MiB, repeated
    with a per-block counter in its first 8 bytes so no two blocks are equal (a client that
    mixed blocks up would be caught). Returns the SHA-256, computed while writing."""
    block = bytearray(os.urandom(block_mib * MIB))
    digest = hashlib.sha256()
    left = mib
    index = 0
    with open(path, "wb") as handle:
        while left > 0:
            block[:8] = index.to_bytes(8, "big")
            piece = memoryview(block)[: min(left, block_mib) * MIB]
            digest.update(piece)
            handle.write(piece)
            left -= block_mib
            index += 1
    return digest.hexdigest()


def persistent_chromium(browser: Browser, profile: Path, mark: str) -> BrowserContext:
    """A Chromium of its own with a persistent profile (an incognito context keeps the origin
    private file system in the browser process's memory), `mark` on its command line so its
    renderers can be found (transfer_smoke.measure_memory.renderer_rss)."""
    return browser.browser_type.launch_persistent_context(
        str(profile), executable_path=CHROMIUM, args=["--no-sandbox", mark], accept_downloads=True)


def memory_mark(who: str) -> str:
    return f"--ferry-memory-test={who}-{os.getpid()}-{time.monotonic_ns()}"


class RendererSampler:
    """Samples the renderer RSS of each marked Chromium every `interval` seconds on a thread:
    `samples[who]` is a list of (seconds since start, bytes)."""

    def __init__(self, marks: dict[str, str], interval: float = 0.5) -> None:
        self.marks = marks
        self.interval = interval
        self.samples: dict[str, list[tuple[float, int]]] = {who: [] for who in marks}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._started = 0.0

    def _run(self) -> None:
        while not self._stop.is_set():
            for who, mark in self.marks.items():
                self.samples[who].append((time.monotonic() - self._started, renderer_rss(mark)))
            self._stop.wait(self.interval)

    def __enter__(self) -> "RendererSampler":
        self._started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def now(self) -> float:
        """Seconds since sampling began (the clock of `samples`)."""
        return time.monotonic() - self._started

    def between(self, who: str, start: float, end: float) -> list[tuple[float, int]]:
        return [(t, v) for t, v in self.samples[who] if start <= t <= end]


def trend(series: list[tuple[float, int]]) -> float:
    """The least-squares growth over the whole series, in bytes (slope × duration): a client
    that kept what it moved grows linearly, garbage-collection churn goes up and down."""
    if len(series) < 2:
        return 0.0
    n = len(series)
    mean_t = sum(t for t, _ in series) / n
    mean_v = sum(v for _, v in series) / n
    var = sum((t - mean_t) ** 2 for t, _ in series)
    if var == 0:
        return 0.0
    slope = sum((t - mean_t) * (v - mean_v) for t, v in series) / var
    return slope * (series[-1][0] - series[0][0])
