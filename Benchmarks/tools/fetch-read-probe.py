#!/usr/bin/env python3
"""Fetch read probe: what reading one long HTTP answer costs the reading thread of a dedicated
worker in this Chromium, per GiB, by how it is read, with nothing else running (no decryption, no
disk writes). A local server (sendfile from a 64 MiB file of random bytes, again and again) answers
`GET /big?bytes=N`; the worker fetches 1 GiB in one answer and reads it into one reused 16 MiB
buffer. Printed per variant: wall s/GiB, CPU s/GiB of the renderer, the network service and the
browser, each renderer thread's, the renderer's minor page faults per GiB, and how many reads
returned (with their median size). Not a benchmark (no results file); see Benchmarks/README.md
("Drops in the browser").

A variant is a JSON object: `mode` "byob" (a BYOB reader; `min` bytes each read waits for, 0 for
the whole rest of the buffer as range-reader.js asks), or "default" (the default reader, its
chunks copied into the buffer); `pause` ms to wait (setTimeout) after a read that returned less
than `gulp` bytes, so the answer collects in Chromium's data pipe meanwhile; `busy` ms to keep the
thread busy (a loop) after every `busyEvery` bytes read, as writes to disk do.

Usage: flock /tmp/ferry-bench.lock Benchmarks/tools/fetch-read-probe.py ['[{"mode":"byob","min":0}]']
(REPS=2; FERRY_CHROMIUM=/usr/bin/chromium)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
import worker_probe  # noqa: E402

MARK = f"--ferry-fetch-read-probe={os.getpid()}"
BLOCK = 64 << 20
DEFAULT = [
    {"mode": "byob", "min": 0},
    {"mode": "byob", "min": 1},
    {"mode": "default"},
    {"mode": "byob", "min": 1, "pause": 1, "gulp": 1 << 20},
    {"mode": "byob", "min": 1, "pause": 2, "gulp": 2 << 20},
    {"mode": "byob", "min": 0, "busy": 8, "busyEvery": 2 << 20},
]

WORKER = r"""
self.onmessage = async ({ data }) => {
  const { mode = "byob", min = 0, pause = 0, gulp = 0, busy = 0, busyEvery = 0, total } = data;
  const buffer0 = new ArrayBuffer(16 << 20);
  const t0 = performance.now();
  const response = await fetch(`/big?bytes=${total}`);
  let buffer = buffer0;
  let done = 0, reads = 0, sinceBusy = 0;
  const sizes = [];
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const spin = (ms) => { const end = performance.now() + ms; while (performance.now() < end); };
  const note = async (n) => {
    reads++; sizes.push(n); done += n; sinceBusy += n;
    if (busy && sinceBusy >= busyEvery) { spin(busy); sinceBusy = 0; }
    if (pause && n < gulp) await sleep(pause);
  };
  if (mode === "default") {
    const reader = response.body.getReader();
    let at = 0;
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) break;
      for (let put = 0; put < value.length; ) {
        const take = Math.min(value.length - put, buffer.byteLength - at);
        new Uint8Array(buffer, at, take).set(value.subarray(put, put + take));
        put += take; at = (at + take) % buffer.byteLength;
      }
      await note(value.length);
    }
  } else {
    const reader = response.body.getReader({ mode: "byob" });
    let at = 0;
    while (done < total) {
      const want = Math.min(buffer.byteLength - at, total - done);
      const { value, done: end } = await reader.read(new Uint8Array(buffer, at, want), { min: min === 0 ? want : Math.min(min, want) });
      if (value) buffer = value.buffer;
      if (end && !value?.byteLength) break;
      at = (at + value.byteLength) % buffer.byteLength;
      await note(value.byteLength);
    }
  }
  sizes.sort((a, b) => a - b);
  postMessage({ ms: performance.now() - t0, bytes: done, reads, median: sizes[sizes.length >> 1] ?? 0 });
};
"""
def main() -> int:
    variants = json.loads(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    with tempfile.TemporaryDirectory(prefix="ferry-fetch-probe-") as tmp:
        Path(tmp, "index.html").write_text(worker_probe.worker_page("fetch read probe"))
        Path(tmp, "worker.js").write_text(WORKER)
        block = Path(tmp, "block.bin")
        block.write_bytes(os.urandom(BLOCK))

        class Handler(worker_probe.QuietHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - the handler's name
                url = urlparse(self.path)
                if url.path != "/big":
                    super().do_GET()
                    return
                total = int(parse_qs(url.query)["bytes"][0])
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(total))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.flush()
                with open(block, "rb") as source:
                    sent = 0
                    while sent < total:
                        sent += os.sendfile(self.connection.fileno(), source.fileno(), sent % BLOCK, min(BLOCK - sent % BLOCK, total - sent))

        with worker_probe.probe_page(tmp, MARK, handler=Handler) as (page, root):
            page.evaluate("(job) => run(job)", {"mode": "byob", "min": 0, "total": 256 << 20})  # warm-up
            worker_probe.run_variants(page, root, variants, worker_probe.REPS, {"total": worker_probe.GIB},
                                      lambda result: f"reads {result['reads']} (median {result['median'] / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
