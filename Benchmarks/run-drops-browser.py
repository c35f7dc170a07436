#!/usr/bin/env python3
"""What the encryption of drops costs in the browser: headless Chromium (Debian's
/usr/bin/chromium, driven by Playwright, a persistent profile so the origin private file system is
on disk) against a release `ferry serve` (SQLite), for a random file of SIZE_MIB (default 1024):

- upload:   tus create + uploads.js's uploadStream in a module worker, of the real drop stream
            (encode-source.js: File.slice, AES-128-GCM per 64 KiB record on WebCrypto) against
            the same upload of the plain bytes (same worker, same chunk size, the same SHA-256
            Upload-Checksum per chunk);
- download: one drop file's ranges (decode-stream.js's RANGE_RECORDS each) written into an OPFS
            file with a sync access handle, through decode-stream.js (each record opened)
            against the same pipeline without the opening (bench-worker.js's plainDownload: the
            same ranges, as many read ahead, the same writes); both read the ranges through
            range-reader.js (answers of up to 64 MiB read into reused memory), as the download
            worker does. ENC_VARIANTS (diagnostics, JSON) adds pipelines with other
            rangeRecords / pipelineRanges to the same rounds.

The worker is Benchmarks/drops-browser/bench-worker.js, started from a blob: URL with its imports
pointed at the server, so it runs the client's own modules; nothing benchmark-only is in the
server's files. ROUNDS rounds (default 3), the order of encrypted and plain alternating;
medians, ratios (plain time / encrypted time: 1.00× means the encryption costs nothing), the
renderer's CPU seconds per GiB, and each pipeline's time split (read+seal, SHA-256, network,
write), and the renderer's CPU per thread name (worker threads in the order started), and how
idle the machine was; each job starts after an os.sync() (the dirty
pages of the job before are not written during it) and records the load average. SKIP_BUILD=1 and FERRY_BIN are honoured
(benchlib.ferry_release). PHASES=download (default "upload,download") measures the download
alone: one upload of each file, untimed, makes the drop. One untimed download of each (encrypted,
then plain) comes before the timed ones (since 2026-12-06 14:30: the first download job of a run
is slow whichever pipeline it is, and it was always the encrypted one). Every wait is bounded.
Results: Benchmarks/results/drops-browser-*.md/.json. See Benchmarks/README.md."""

from __future__ import annotations

import base64
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))
import benchlib  # noqa: E402

from playwright.sync_api import Page, sync_playwright  # noqa: E402

CHROMIUM = os.environ.get("FERRY_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "correct horse battery staple"
MARK = f"--ferry-bench-drops={os.getpid()}"
SIZE_MIB = int(os.environ.get("SIZE_MIB", "1024"))
ROUNDS = int(os.environ.get("ROUNDS", "3"))
WORKER = Path(__file__).resolve().parent / "drops-browser" / "bench-worker.js"
PHASES = [p for p in os.environ.get("PHASES", "upload,download").split(",") if p]
# Diagnostics: more download pipelines, each with decodeStream options of its own
# ({"name": {"rangeRecords": 64, "pipelineRanges": 6}}; a name starting with "plain" is the plain
# pipeline with that range size), run in the same rounds as the others.
VARIANTS: dict[str, dict] = json.loads(os.environ.get("ENC_VARIANTS", "{}"))
JOB_MS = 60_000 + SIZE_MIB * 1_000  # at least 1 MiB/s, on a loaded machine

SETUP = """
async (source) => {
  const keysModule = await import("/js/drops/keys.js");
  const { toBase64Url } = await import("/js/trust/encoding.js");
  const { createDropsApi } = await import("/js/drops/drops-api.js");
  const secret = keysModule.newSecret();
  const keys = await keysModule.deriveDropKeys(secret);
  const salt = crypto.getRandomValues(new Uint8Array(16));
  const worker = new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })), { type: "module" });
  const run = (job) => new Promise((resolve, reject) => {
    worker.onmessage = ({ data }) => (data.ok ? resolve(data) : reject(new Error(data.message)));
    worker.onerror = (event) => reject(new Error(event.message || "worker error"));
    worker.postMessage(job);
  });
  window.__bench = { keys, salt, run, api: createDropsApi(), toBase64Url, file: document.getElementById("bench-file").files[0] };
  return true;
}
"""
UPLOAD = """
async (mode) => {
  const { keys, salt, run, file } = window.__bench;
  const result = await run({ op: "upload", mode, file, ikm: keys.contentIKM, salt });
  return result;
}
"""
MAKE_DROP = """
async ({ enc, plain }) => {
  const { keys, api, toBase64Url } = window.__bench;
  const id = (path) => path.split("/").at(-1);
  const drop = await api.create({
    verifier: toBase64Url(keys.proofVerifier),
    metadata: toBase64Url(crypto.getRandomValues(new Uint8Array(64))),
    files: [id(enc), id(plain)],
  });
  const proof = toBase64Url(keys.proofToken);
  const opened = await api.open(drop.id, proof, null);
  window.__bench.drop = { id: drop.id, proof, ticket: opened.ticket, files: opened.files };
  return opened.files;
}
"""
DOWNLOAD = """
async ({ mode, decode }) => {
  const { keys, salt, run, drop, file } = window.__bench;
  const index = mode.startsWith("plain") ? 1 : 0;
  const length = drop.files[index].length ?? drop.files[index].size;
  return run({ op: "download", mode, decode, id: drop.id, index, proof: drop.proof, ticket: drop.ticket, length,
               size: file.size, salt, ikm: keys.contentIKM });
}
"""
REMOVE = """
async (path) => {
  const { createTus } = await import("/js/drops/tus.js");
  const { createHttp } = await import("/js/http.js");
  await createTus(createHttp()).remove(path);
}
"""


def worker_source(url: str) -> str:
    """The worker's text with its imports made absolute (it runs from a blob: URL, which the
    pages' worker-src allows), so it loads the client's modules from the server."""
    return (WORKER.read_text().replace('from "./', f'from "{url}/js/drops/')
            .replace('from "../', f'from "{url}/js/').replace("__ORIGIN__", url))


def random_file(path: Path, mib: int) -> None:
    block = bytearray(os.urandom(64 << 20))
    with open(path, "wb") as out:
        for index in range((mib + 63) // 64):
            block[:8] = index.to_bytes(8, "big")
            out.write(memoryview(block)[: min(64, mib - index * 64) << 20])


def cpu_times() -> list[int]:
    """The machine's CPU times so far (/proc/stat's "cpu" line: user, nice, system, idle, iowait, …)."""
    return [int(field) for field in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]


def timed_job(page: Page, root: int, server: int, script: str, mode: str | dict) -> dict:
    # Dirty pages of the job before (the server's blobs after an upload, the OPFS file after a
    # download) go to disk now, not during this job: each job starts from the same state.
    os.sync()
    load = os.getloadavg()[0]
    before = benchlib.cpu_by_pid(root)
    renderers = [pid for pid, (kind, _) in before.items() if kind == "renderer"]
    # Per thread, not per name: two threads are called DedicatedWorker (the download worker and its opener).
    threads_before = {pid: benchlib.task_cpu(pid) for pid in renderers}
    server_before = benchlib.cpu_seconds(server)
    stat_before = cpu_times()
    result = page.evaluate(script, mode)
    stat_after = cpu_times()
    spent = [after - before for before, after in zip(stat_before, stat_after)]
    # How much of the machine's CPU time was idle, waiting for the disk, or taken by the host (steal).
    total = max(1, sum(spent[:8]))
    result["idle"] = {"idle": round(spent[3] / total, 2), "iowait": round(spent[4] / total, 2), "steal": round(spent[7] / total, 2)}
    kinds = benchlib.cpu_delta_by_kind(before, benchlib.cpu_by_pid(root))
    # Per thread name, each thread's CPU seconds (at least 0.05), in the order the threads were
    # started (thread ids grow): the download worker's DedicatedWorker comes before its opener's.
    threads: dict[str, list[tuple[int, float]]] = {}
    for pid in renderers:
        for tid, (name, cpu) in benchlib.task_cpu(pid).items():
            used = cpu - threads_before[pid].get(tid, (name, 0.0))[1]
            if used >= 0.05:
                threads.setdefault(name, []).append((tid, round(used, 2)))
    result["load"] = round(load, 2)
    result["renderer_threads"] = {name: [cpu for _, cpu in sorted(cpus)] for name, cpus in
                                  sorted(threads.items(), key=lambda kv: -sum(cpu for _, cpu in kv[1]))}
    kinds["server"] = benchlib.cpu_seconds(server) - server_before
    result["cpu_by_kind"] = {k: round(v, 2) for k, v in kinds.items() if v >= 0.05}
    result["seconds"] = result["ms"] / 1000
    result["mib_per_s"] = SIZE_MIB / result["seconds"]
    result["parts"] = {k: round(v / 1000, 2) for k, v in result["parts"].items()}
    return result


def main() -> int:
    benchlib.ferry_release()
    load = benchlib.machine()
    runs: dict[str, list[dict]] = {"upload-enc": [], "upload-plain": [], "download-enc": [], "download-plain": [],
                                   **{f"download-{name}": [] for name in VARIANTS}}
    warmup: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="ferry-bench-drops-") as tmp:
        folder = Path(tmp)
        source = folder / "random.bin"
        random_file(source, SIZE_MIB)
        server = benchlib.ferry_server.Server(folder / "data", None, log_level="error")
        try:
            server.cli("admin", "create", "--email", "ann@example.org", "--name", "Ann", "--team", "Design",
                       password=PASSWORD)
            url = server.url
            assert url
            with sync_playwright() as playwright:
                context = playwright.chromium.launch_persistent_context(
                    str(folder / "profile"), executable_path=CHROMIUM, args=["--no-sandbox", MARK])
                try:
                    root = benchlib.find_process(MARK)
                    assert root is not None, "cannot find the Chromium browser process"
                    answer = context.request.post(url + "/api/v1/session", data={"email": "ann@example.org", "password": PASSWORD},
                                                  headers={"Origin": url})
                    assert answer.ok, answer.text()
                    page = context.pages[0] if context.pages else context.new_page()
                    page.set_default_timeout(JOB_MS)
                    # Any page of the origin will do (the worker needs only its modules and the
                    # session): /drops where the binary serves it, else its 404 page.
                    page.goto(url + "/drops")
                    page.wait_for_load_state("load")
                    page.evaluate("""() => { const input = document.createElement("input"); input.type = "file";
                                     input.id = "bench-file"; document.body.append(input); }""")
                    page.set_input_files("#bench-file", str(source))
                    page.evaluate(SETUP, worker_source(url))
                    kept: dict[str, str] = {}
                    upload_rounds = ROUNDS if "upload" in PHASES else 1
                    for round_ in range(upload_rounds):
                        order = ["enc", "plain"] if round_ % 2 == 0 else ["plain", "enc"]
                        for mode in order:
                            result = timed_job(page, root, server.process.pid, UPLOAD, mode)
                            benchlib.log("drops-browser", f"round {round_ + 1} upload {mode}: {result['mib_per_s']:.1f} MiB/s, idle {result['idle']}",
                                         result["parts"], result["cpu_by_kind"])
                            if "upload" in PHASES:
                                runs[f"upload-{mode}"].append(result)
                            if mode not in kept:
                                kept[mode] = result["path"]
                            else:
                                page.evaluate(REMOVE, result["path"])
                    files = page.evaluate(MAKE_DROP, kept)
                    benchlib.log("drops-browser", "drop files:", files)
                    # One untimed download of each first: the first download job of a run costs
                    # its download worker about twice the CPU of later ones whichever pipeline it
                    # is (2026-12-06: plain first 198 MiB/s, 3.3 worker CPU s/GiB, against 311–345
                    # and 1.4–1.6 after), and the encrypted one always went first.
                    for mode in ("enc", "plain"):
                        result = timed_job(page, root, server.process.pid, DOWNLOAD, {"mode": mode})
                        assert result["size"] == SIZE_MIB << 20, result
                        benchlib.log("drops-browser", f"warm-up download {mode} (not counted): {result['mib_per_s']:.1f} MiB/s",
                                     result["cpu_by_kind"], result["renderer_threads"])
                        warmup.append({"mode": mode, **result})
                    for round_ in range(ROUNDS):
                        order = ["enc", *VARIANTS, "plain"]
                        if round_ % 2:
                            order.reverse()
                        for mode in order:
                            result = timed_job(page, root, server.process.pid, DOWNLOAD, {"mode": mode, "decode": VARIANTS.get(mode)})
                            assert result["size"] == SIZE_MIB << 20, result
                            benchlib.log("drops-browser", f"round {round_ + 1} download {mode}: {result['mib_per_s']:.1f} MiB/s, idle {result['idle']}",
                                         result["parts"], result["cpu_by_kind"], result["renderer_threads"])
                            runs[f"download-{mode}"].append(result)
                finally:
                    context.close()
        finally:
            server.stop()

    def median(key: str, field: str) -> float:
        return statistics.median(run[field] for run in runs[key])

    def renderer_per_gib(key: str) -> float:
        return statistics.median(run["cpu_by_kind"].get("renderer", 0.0) for run in runs[key]) / (SIZE_MIB / 1024)

    def worker_threads(key: str) -> str:
        """The worker threads' CPU s/GiB (medians by rank, in the order started: the download worker,
        then its opener): where the pipeline's
        work sits (one thread, or the download worker and its opener)."""
        lists = [run.get("renderer_threads", {}).get("DedicatedWorker", []) for run in runs[key]]
        ranks = max((len(cpus) for cpus in lists), default=0)
        return " + ".join(f"{statistics.median(cpus[rank] if rank < len(cpus) else 0.0 for cpus in lists) / (SIZE_MIB / 1024):.1f}"
                          for rank in range(ranks))

    rows = []
    summary = {}
    for phase in [p for p in ("upload", "download") if p in PHASES]:
        enc, plain = median(f"{phase}-enc", "seconds"), median(f"{phase}-plain", "seconds")
        ratio = plain / enc
        summary[phase] = {"enc_s": enc, "plain_s": plain, "ratio": ratio}
        for mode in ("enc", *(VARIANTS if phase == "download" else ()), "plain"):
            key = f"{phase}-{mode}"
            parts = {k: round(statistics.median(run["parts"][k] for run in runs[key]), 2) for k in runs[key][0]["parts"]}
            is_plain = mode.startswith("plain")
            label = {"enc": "encrypted", "plain": "plain"}.get(
                mode, f"{'plain' if is_plain else 'encrypted'}, {mode} {json.dumps(VARIANTS.get(mode))}")
            # A variant is compared with the plain variant of the same options where there is one.
            twin = next((name for name in VARIANTS if name.startswith("plain") and VARIANTS[name] == VARIANTS.get(mode)), None)
            against = median(f"{phase}-{twin}", "seconds") if twin and not is_plain else plain
            ratio_text = f"{against / median(key, 'seconds'):.2f}×" + (f" (against {twin})" if twin and not is_plain else "")
            rows.append([phase, label, f"{median(key, 'seconds'):.1f}",
                         f"{SIZE_MIB / median(key, 'seconds'):.0f}", f"{renderer_per_gib(key):.1f}", worker_threads(key),
                         ", ".join(f"{k} {v}" for k, v in parts.items() if v), "" if is_plain else ratio_text])
    markdown = "\n".join([
        f"# Drops in the browser: encryption's cost ({SIZE_MIB} MiB, {ROUNDS} rounds, medians)",
        "",
        f"Machine: {load}, {os.getloadavg()[0]:.2f} at the end. Chromium {CHROMIUM}, headless, persistent profile; release ferry, SQLite, loopback."
        + (" One untimed download of each pipeline before the rounds." if "download" in PHASES else ""),
        "",
        benchlib.markdown_table(["phase", "pipeline", "s", "MiB/s", "renderer CPU s/GiB", "of it worker threads", "time split (s, overlapping)",
                                 "plain ÷ encrypted (target ≥ 0.8×)"], rows),
        "",
    ])
    benchlib.write_results("drops-browser", markdown, {"size_mib": SIZE_MIB, "rounds": ROUNDS, "machine": load,
                                                       "runs": runs, "warmup": warmup, "summary": summary})
    return 0


if __name__ == "__main__":
    sys.exit(main())
