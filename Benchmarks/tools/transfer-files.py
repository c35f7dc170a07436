#!/usr/bin/env python3
"""The transfer client's file work without a data channel: CPU per GiB per process and thread.

What the app adds to a direct transfer (Benchmarks/README.md, "Browser-to-browser transfers") is
small against the data channel's own cost and hidden by its noise; this measures it alone, in a
headless Chromium with a normal (persistent) profile, the client's own modules served from a
`Public/js` folder by a local static server:

- `send`: the sender's path — a random file of MIB MiB picked in an `<input>`, read and hashed by
  `transfer/read-worker.js` through `workerSource` (browser-files.js) in 4 MiB blocks, each block
  copied into a 256 KiB message buffer on the page as the sender does, then given back.
- `recv`: the receiver's path — MIB MiB in fresh 256 KiB buffers (a data channel message is one)
  appended to an OPFS sink of `createBrowserFiles` (the writing worker writes and hashes), then
  finished and removed.
- `download`: `recv`, then the verified item delivered as a download, as the page does; also
  prints what the browser process spent in the first `--window` seconds after the click.

Reported: CPU seconds per GiB of the browser process and each renderer, by thread, and per thread the minor page faults and the system (kernel) part (the workers are
`DedicatedWorker`; they are alive when measured). Judge by CPU, not by the milliseconds printed.
Not a results-file benchmark: a quick, repeatable look while working on the client. `--js` points
at another client's `Public/js` to compare (e.g. a copy of main's).

Usage: flock /tmp/ferry-bench.lock Benchmarks/tools/transfer-files.py send|recv|download [--mib 1024] [--js Public/js]
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "Benchmarks/lib"))

import benchlib  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

PAGE = '<!doctype html><html><body><input type="file" id="f"></body></html>'

SEND = """
async (reads) => {
  const file = document.querySelector('#f').files[0];
  const { workerSource } = await import('/js/transfer/browser-files.js');
  const source = workerSource([file], () => new Worker('/js/transfer/read-worker.js', { type: 'module' }));
  const reader = await source.open(0, 0);
  const frame = new Uint8Array(262144 + 13);
  const started = performance.now();
  let bytes = 0;
  for (let block; (block = await reader.read(reads)) !== null; ) {
    for (let at = 0; at < block.length; at += 262144 - 13) frame.set(block.subarray(at, at + 262144 - 13), 13);
    reader.release?.(block);
    bytes += block.length;
  }
  await reader.sha256();
  return { bytes, ms: performance.now() - started };
}
"""

RECV = """
async ([total, deliver]) => {
  const { createBrowserFiles } = await import('/js/transfer/browser-files.js');
  const files = createBrowserFiles({ makeReadWorker: null, makeWriteWorker: () => new Worker('/js/transfer/opfs-worker.js', { type: 'module' }) });
  const sinks = files.sinksFor({ fromDevice: 'bench' + Math.random(), fromName: 'bench', target: { kind: 'download' } });
  const item = { i: 0, path: 'bench.bin', size: total, modified: 1 };
  const sink = await sinks.open(item);
  const started = performance.now();
  let pending = 0;
  let wake = null;
  for (let at = 0; at < total; at += 262144 - 13) {
    const message = new ArrayBuffer(262144);
    new Uint32Array(message).fill(at);
    pending++;
    sink.write(new Uint8Array(message, 13, Math.min(262144 - 13, total - at))).then(() => { pending--; wake?.(); });
    if (pending > 64) await new Promise((resolve) => (wake = resolve));
  }
  sink.flush?.();
  while (pending > 0) await new Promise((resolve) => (wake = resolve));
  await sink.finish();
  const ms = performance.now() - started;
  if (deliver) await sinks.deliver(item);
  else await sink.discard();
  return { bytes: total, ms };
}
"""


def process_cpu(pid: int) -> float:
    """User + system seconds of a whole process, exited threads included."""
    try:
        return benchlib.cpu_seconds(pid)
    except OSError:
        return 0.0  # it exited


def thread_faults(pid: int) -> dict[str, tuple[int, float]]:
    """(minor page faults, system CPU seconds) so far per thread name of `pid`
    (/proc/PID/task/*/stat): a fault is fresh memory touched (a zeroed page per 4 KiB); system
    time is the kernel's work for the thread (file writes, flushes, faults)."""
    out: dict[str, tuple[int, float]] = {}
    for name, fields in benchlib.task_stats(pid).values():
        faults, system = out.get(name, (0, 0.0))
        out[name] = (faults + int(fields[7]), system + int(fields[12]) / benchlib.CLOCK_TICKS)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["send", "recv", "download"])
    parser.add_argument("--mib", type=int, default=1024)
    parser.add_argument("--js", default=str(ROOT / "Public/js"), help="the client's Public/js folder")
    parser.add_argument("--window", type=float, default=0.2, help="download: seconds after the click to report")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp_name, sync_playwright() as playwright:
        tmp = Path(tmp_name)
        www = tmp / "www"
        www.mkdir()
        (www / "index.html").write_text(PAGE)
        (www / "js").symlink_to(Path(options.js).resolve())

        class Quiet(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(www)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        source = tmp / "file.bin"
        if options.what == "send":
            with source.open("wb") as out:
                block = os.urandom(1 << 20)
                for _ in range(options.mib):
                    out.write(block)
        mark = f"--ferry-bench-files={os.getpid()}"
        context = playwright.chromium.launch_persistent_context(
            str(tmp / "profile"), executable_path=os.environ.get("FERRY_CHROMIUM", "/usr/bin/chromium"),
            accept_downloads=True, args=["--no-sandbox", mark, "--disable-features=SpareRendererForSitePerProcess"])
        try:
            root = benchlib.find_process(mark)
            assert root is not None, "cannot find the Chromium browser process"
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
            if options.what == "send":
                page.set_input_files("#f", str(source))
            time.sleep(1)
            kinds = {**benchlib.chromium_processes(root), root: "browser"}

            def sample() -> dict[int, tuple[float, dict[str, float]]]:
                return {pid: (process_cpu(pid), benchlib.threads_cpu(pid), thread_faults(pid)) for pid in kinds}

            before = sample()
            if options.what == "send":
                result = page.evaluate(SEND, 4 << 20)
            elif options.what == "recv":
                result = page.evaluate(RECV, [options.mib << 20, False])
            else:
                with page.expect_download() as download:
                    result = page.evaluate(RECV, [options.mib << 20, True])
                    clicked = sample()
                    time.sleep(options.window)
                    early = sample()
                print(f"browser process in the first {options.window} s of the download:",
                      benchlib.delta(clicked[root][1], early[root][1], 0.01))
                download.value.path()  # waits until it is complete
            after = sample()
            gib = options.mib / 1024
            print(json.dumps(result))
            total = 0.0
            for pid, kind in kinds.items():
                seconds = (after[pid][0] - before[pid][0]) / gib
                total += seconds
                if seconds < 0.05:
                    continue
                threads = benchlib.delta(before[pid][1], after[pid][1], 0.02)
                print(f"  {kind:10} {pid}: {seconds:.2f} s/GiB  " + ", ".join(f"{name} {value / gib:.2f}" for name, value in threads.items()))
                kernel = {name: [(a - b) / gib for a, b in zip(value, before[pid][2].get(name, (0, 0.0)))]
                          for name, value in after[pid][2].items()}
                print("    per GiB, minor page faults / system CPU: " + ", ".join(
                    f"{name} {faults / 1000:.0f} k / {system:.2f} s" for name, (faults, system) in
                    sorted(kernel.items(), key=lambda kv: -kv[1][1]) if faults >= 1000 or system >= 0.02))
            print(f"  all: {total:.2f} s/GiB")
        finally:
            context.close()
            server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
