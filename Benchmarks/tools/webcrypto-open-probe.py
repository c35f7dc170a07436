#!/usr/bin/env python3
"""WebCrypto open probe: what AES-128-GCM decryption on WebCrypto costs in this Chromium, per GiB,
by how it is called, with nothing else running (no network, no disk). A dedicated worker in
headless Chromium seals one 16 MiB range of records (record size RS: 65,553 is the drop format's,
others only to see what the format's choice costs), then opens that range again and again until
1 GiB is opened, each variant REPS times. Printed per variant: wall s/GiB, the renderer's and the
browser's CPU s/GiB, each renderer thread's, and the renderer's minor page faults per GiB (from
/proc). Not a benchmark (no results file); measured 2026-12-06, see Benchmarks/README.md ("Drops
in the browser", the opening's cost).

A variant is a JSON object: `rs` the record size; `batch` decrypt calls given to WebCrypto before
awaiting them all (`mode: "window"`: that many kept in flight, each replaced as it settles);
`copy` each plaintext copied to the range's front as open-records.js does; `free` each result
detached at once (`ArrayBuffer.prototype.transfer(0)`); `gc` "minor" or "major": a `gc()` after
each batch (Chromium started with --expose-gc, a probe-only switch); `mode: "copyonly"` just the
16 MiB copy of the ciphertext into the working buffer that every variant also pays.

Usage: flock /tmp/ferry-bench.lock Benchmarks/tools/webcrypto-open-probe.py ['[{"rs":65553,"batch":32,"copy":true}]']
(REPS=2; FERRY_CHROMIUM=/usr/bin/chromium)."""

from __future__ import annotations

import functools
import http.server
import json
import os
import socketserver
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
import benchlib  # noqa: E402

from playwright.sync_api import sync_playwright  # noqa: E402

CHROMIUM = os.environ.get("FERRY_CHROMIUM", "/usr/bin/chromium")
MARK = f"--ferry-webcrypto-probe={os.getpid()}"
REPS = int(os.environ.get("REPS", "2"))
GIB = 1 << 30
DEFAULT = [
    {"rs": 65553, "batch": 32, "copy": True},
    {"rs": 65553, "batch": 1, "copy": True},
    {"rs": 65553, "batch": 256, "copy": True},
    {"rs": 65553, "batch": 32, "copy": True, "mode": "window"},
    {"rs": 65553, "batch": 32, "copy": True, "free": True},
    {"rs": 262161, "batch": 8, "copy": True},
    {"rs": 1048593, "batch": 2, "copy": True},
    {"rs": 65553, "batch": 1, "copy": True, "mode": "copyonly"},
]

WORKER = r"""
let key, base;
const nonce = (seq) => { const n = base.slice(); let r = seq; for (let i = 11; i >= 0 && r > 0; i--) { n[i] ^= r % 256; r = Math.floor(r / 256); } return n; };
const ranges = new Map();
async function range(rs) {
  if (ranges.has(rs)) return ranges.get(rs);
  const per = rs - 16; // plaintext and delimiter
  const count = Math.floor((16 << 20) / per);
  const bytes = new Uint8Array(count * rs);
  const plain = new Uint8Array(per);
  for (let i = 0; i < count; i++) {
    crypto.getRandomValues(plain.subarray(0, 65536));
    plain[per - 1] = 1;
    bytes.set(new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv: nonce(i) }, key, plain)), i * rs);
  }
  ranges.set(rs, { count, bytes });
  return ranges.get(rs);
}
self.onmessage = async ({ data }) => {
  key ??= await crypto.subtle.importKey("raw", crypto.getRandomValues(new Uint8Array(16)), "AES-GCM", false, ["encrypt", "decrypt"]);
  base ??= crypto.getRandomValues(new Uint8Array(12));
  const { rs, batch = 32, copy = true, free = false, gc = null, mode = "batch", total = 0 } = data;
  const r = await range(rs);
  if (total === 0) { postMessage({ ready: true }); return; }
  const work = new Uint8Array(r.bytes.length);
  const decrypt = (i) => crypto.subtle.decrypt({ name: "AES-GCM", iv: nonce(i) }, key, work.subarray(i * rs, (i + 1) * rs));
  const t0 = performance.now();
  let done = 0;
  while (done < total) {
    work.set(r.bytes);
    if (mode === "copyonly") { done += r.count * (rs - 17); continue; }
    let put = 0;
    const take = (buffer) => {
      const plaintext = new Uint8Array(buffer, 0, buffer.byteLength - 1);
      if (copy) work.set(plaintext, put);
      put += plaintext.length;
      if (free) buffer.transfer(0);
    };
    if (mode === "window") {
      const pending = [];
      let next = 0;
      while (next < r.count && pending.length < batch) pending.push(decrypt(next++));
      while (pending.length) {
        take(await pending.shift());
        if (next < r.count) pending.push(decrypt(next++));
        if (gc) globalThis.gc({ type: gc });
      }
    } else {
      for (let at = 0; at < r.count; at += batch) {
        const calls = [];
        for (let i = at; i < Math.min(r.count, at + batch); i++) calls.push(decrypt(i));
        for (const buffer of await Promise.all(calls)) take(buffer);
        if (gc) globalThis.gc({ type: gc });
      }
    }
    done += put;
  }
  postMessage({ ms: performance.now() - t0, bytes: done });
};
"""
PAGE = """<!doctype html><title>webcrypto open probe</title><script>
window.worker = new Worker("worker.js");
window.run = (job) => new Promise((resolve, reject) => {
  worker.onmessage = ({ data }) => resolve(data);
  worker.onerror = (event) => reject(new Error(event.message || "worker error"));
  worker.postMessage(job);
});
</script>"""


def minor_faults(pids: list[int]) -> int:
    """Minor page faults so far of every thread of `pids` (field 10 of /proc/PID/task/TID/stat)."""
    total = 0
    for pid in pids:
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                total += int(Path(f"/proc/{pid}/task/{task}/stat").read_text().rsplit(")", 1)[1].split()[7])
            except OSError:
                continue
    return total


def main() -> int:
    variants = json.loads(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    with tempfile.TemporaryDirectory(prefix="ferry-webcrypto-probe-") as tmp:
        Path(tmp, "index.html").write_text(PAGE)
        Path(tmp, "worker.js").write_text(WORKER)

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=tmp))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", MARK, "--js-flags=--expose-gc"])
                page = browser.new_page()
                page.set_default_timeout(600_000)
                page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
                for rs in sorted({v["rs"] for v in variants}):
                    page.evaluate("(job) => run(job)", {"rs": rs})
                root = benchlib.find_process(MARK)
                assert root is not None, "cannot find the Chromium browser process"
                for _ in range(REPS):
                    for variant in variants:
                        before = benchlib.cpu_by_pid(root)
                        renderers = [pid for pid, (kind, _) in before.items() if kind == "renderer"]
                        threads_before = {pid: benchlib.task_cpu(pid) for pid in renderers}
                        faults = minor_faults(renderers)
                        result = page.evaluate("(job) => run(job)", {**variant, "total": GIB})
                        gib = result["bytes"] / GIB
                        kinds = benchlib.cpu_delta_by_kind(before, benchlib.cpu_by_pid(root))
                        threads: dict[str, float] = {}
                        for pid in renderers:
                            for tid, (name, cpu) in benchlib.task_cpu(pid).items():
                                threads[name] = threads.get(name, 0.0) + cpu - threads_before[pid].get(tid, (name, 0.0))[1]
                        print(json.dumps(variant), f"wall {result['ms'] / 1000 / gib:.2f} s/GiB;",
                              "CPU s/GiB", {k: round(v / gib, 2) for k, v in kinds.items() if v / gib >= 0.03},
                              "threads", {k: round(v / gib, 2) for k, v in threads.items() if v / gib >= 0.03},
                              f"faults/GiB {(minor_faults(renderers) - faults) / gib:.0f}", flush=True)
                browser.close()
        finally:
            server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
