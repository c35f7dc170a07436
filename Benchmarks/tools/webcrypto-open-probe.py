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

import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "lib"))
import worker_probe  # noqa: E402

MARK = f"--ferry-webcrypto-probe={os.getpid()}"
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
def main() -> int:
    variants = json.loads(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    with tempfile.TemporaryDirectory(prefix="ferry-webcrypto-probe-") as tmp:
        Path(tmp, "index.html").write_text(worker_probe.worker_page("webcrypto open probe"))
        Path(tmp, "worker.js").write_text(WORKER)

        with worker_probe.probe_page(tmp, MARK, ["--js-flags=--expose-gc"]) as (page, root):
            for rs in sorted({v["rs"] for v in variants}):
                page.evaluate("(job) => run(job)", {"rs": rs})
            worker_probe.run_variants(page, root, variants, worker_probe.REPS, {"total": worker_probe.GIB})
    return 0


if __name__ == "__main__":
    sys.exit(main())
