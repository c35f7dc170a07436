"""Shared body of the worker probes in Benchmarks/tools (webcrypto-open-probe.py,
fetch-read-probe.py): a page that runs jobs on one dedicated worker, and the loop that runs each
variant of a probe in headless Chromium and prints what it cost per GiB (wall time, CPU by
Chromium process kind and by renderer thread name, the renderer's minor page faults). Probes, not
benchmarks: nothing is written to results/."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import socketserver
import threading
from pathlib import Path
from typing import Any, Callable, Iterator

import benchlib
from playwright.sync_api import Page, sync_playwright

GIB = 1 << 30
CHROMIUM = os.environ.get("FERRY_CHROMIUM", "/usr/bin/chromium")
REPS = int(os.environ.get("REPS", "2"))


def worker_page(title: str) -> str:
    """A page whose `run(job)` posts `job` to worker.js (served beside it) and resolves with the
    worker's answer."""
    return f"""<!doctype html><title>{title}</title><script>
window.worker = new Worker("worker.js");
window.run = (job) => new Promise((resolve, reject) => {{
  worker.onmessage = ({{ data }}) => resolve(data);
  worker.onerror = (event) => reject(new Error(event.message || "worker error"));
  worker.postMessage(job);
}});
</script>"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the probe's directory without logging each request."""

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def probe_page(directory: str, mark: str, args: list[str] = (),
               handler: type[http.server.SimpleHTTPRequestHandler] = QuietHandler) -> Iterator[tuple[Page, int]]:
    """Serves `directory` (index.html = `worker_page`, worker.js) on 127.0.0.1 with `handler`,
    opens its index in a headless Chromium started with `mark` (a unique argument) and `args`,
    and yields the page and Chromium's browser process; everything stops on the way out."""
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), functools.partial(handler, directory=directory))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", mark, *args])
            try:
                page = browser.new_page()
                page.set_default_timeout(600_000)
                page.goto(f"http://127.0.0.1:{server.server_address[1]}/index.html")
                root = benchlib.find_process(mark)
                assert root is not None, "cannot find the Chromium browser process"
                yield page, root
            finally:
                browser.close()
    finally:
        server.shutdown()


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


def run_variants(page: Page, root: int, variants: list[dict], reps: int, job: dict[str, Any],
                 more: Callable[[dict], str] = lambda result: "") -> None:
    """Runs each variant `reps` times (variants in turn) as `run({...variant, ...job})` on the
    page, whose answer has `ms` and `bytes`; prints one line per run with its cost per GiB and
    `more(answer)`. `root` is Chromium's browser process."""
    for _ in range(reps):
        for variant in variants:
            before = benchlib.cpu_by_pid(root)
            renderers = [pid for pid, (kind, _) in before.items() if kind == "renderer"]
            threads_before = {pid: benchlib.task_cpu(pid) for pid in renderers}
            faults = minor_faults(renderers)
            result = page.evaluate("(job) => run(job)", {**variant, **job})
            gib = result["bytes"] / GIB
            kinds = benchlib.cpu_delta_by_kind(before, benchlib.cpu_by_pid(root))
            threads: dict[str, float] = {}
            for pid in renderers:
                for tid, (name, cpu) in benchlib.task_cpu(pid).items():
                    threads[name] = threads.get(name, 0.0) + cpu - threads_before[pid].get(tid, (name, 0.0))[1]
            print(json.dumps(variant), f"wall {result['ms'] / 1000 / gib:.2f} s/GiB;",
                  "CPU s/GiB", {k: round(v / gib, 2) for k, v in kinds.items() if v / gib >= 0.03},
                  "threads", {k: round(v / gib, 2) for k, v in threads.items() if v / gib >= 0.03},
                  f"faults/GiB {(minor_faults(renderers) - faults) / gib:.0f}", more(result), flush=True)
