#!/usr/bin/env python3
"""`ferry send` and `ferry get` of one large file on 127.0.0.1 (issue 10): throughput, the CLI's
CPU (user + system) and peak RSS (from /usr/bin/time -v), and the server's CPU, for ROUNDS rounds
against a release `ferry serve` (SQLite). Reported, not compared: no other tool speaks the format.

Environment knobs: SIZE_MIB (1024), ROUNDS (3), SKIP_BUILD=1, FERRY_BIN, MAX_SECONDS (1200).
Results: Benchmarks/results/cli-<UTC>.md and .json.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))
import benchlib  # noqa: E402

SIZE_MIB = int(os.environ.get("SIZE_MIB", "1024"))
ROUNDS = int(os.environ.get("ROUNDS", "3"))
MAX_SECONDS = int(os.environ.get("MAX_SECONDS", "1200"))
TAG = "cli"
PASSWORD = "correct horse battery staple"


def timed(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float, int, str]:
    """Wall seconds, CPU seconds (user + system) and peak RSS in bytes of `command`, and its stdout."""
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-v", *command], env=env, cwd=cwd, capture_output=True, text=True,
                          check=True)
    wall = time.perf_counter() - started
    field = lambda name: float(re.search(rf"{name}: ([0-9.]+)", done.stderr).group(1))  # noqa: E731
    cpu = field(r"User time \(seconds\)") + field(r"System time \(seconds\)")
    return wall, cpu, int(field(r"Maximum resident set size \(kbytes\)")) * 1024, done.stdout


def main() -> None:
    binary = benchlib.ferry_release()
    work = Path(tempfile.mkdtemp(prefix="ferry-bench-cli-"))
    server = benchlib.ferry_server.Server(work / "data", extra=["--max-drop-size", str(1 << 40),
                                                                "--user-quota", str(1 << 42),
                                                                "--team-quota", str(1 << 42)])
    try:
        server.cli("admin", "create", "--email", "ann@example.org", "--name", "Ann", "--team", "Bench",
                   password=PASSWORD)
        token = server.cli("token", "create", "--user", "ann@example.org", "--name", "bench",
                           "--scopes", "write").split()[-1]
        env = dict(os.environ, FERRY_SERVER=server.url, FERRY_TOKEN=token, XDG_CACHE_HOME=str(work / "cache"))
        source = work / "source.bin"
        with open(source, "wb") as out:
            block = os.urandom(64 << 20)
            for _ in range(SIZE_MIB // 64):
                out.write(block)
        samples: dict[str, list[dict[str, float]]] = {"send": [], "get": []}
        for round_ in range(ROUNDS):
            server_cpu = benchlib.cpu_seconds(server.process.pid)
            wall, cpu, rss, out = timed([str(binary), "send", str(source)], env, work)
            samples["send"].append({"seconds": wall, "cpu": cpu, "rss": rss,
                                    "server_cpu": benchlib.cpu_seconds(server.process.pid) - server_cpu})
            link = out.strip().split()[-1]
            target = work / f"out-{round_}"
            target.mkdir()
            server_cpu = benchlib.cpu_seconds(server.process.pid)
            wall, cpu, rss, _ = timed([str(binary), "get", link, "-o", str(target)], env, work)
            samples["get"].append({"seconds": wall, "cpu": cpu, "rss": rss,
                                   "server_cpu": benchlib.cpu_seconds(server.process.pid) - server_cpu})
            assert (target / "source.bin").stat().st_size == source.stat().st_size
            shutil.rmtree(target)
            for name, sample in samples.items():
                benchlib.log(TAG, f"round {round_ + 1} {name}: {SIZE_MIB / sample[-1]['seconds']:.0f} MiB/s, "
                                  f"cpu {sample[-1]['cpu']:.2f} s, rss {benchlib.mib(sample[-1]['rss'])} MiB")
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    gib = SIZE_MIB / 1024
    rows = [[name, f"{statistics.median(SIZE_MIB / s['seconds'] for s in runs):.0f}",
             f"{statistics.median(s['cpu'] for s in runs) / gib:.2f}",
             benchlib.mib(max(s["rss"] for s in runs)),
             f"{statistics.median(s['server_cpu'] for s in runs) / gib:.2f}"] for name, runs in samples.items()]
    table = benchlib.markdown_table(["command", "MiB/s", "CLI CPU s per GiB", "CLI peak RSS, MiB",
                                     "server CPU s per GiB"], rows)
    markdown = (f"# ferry send / ferry get, {SIZE_MIB} MiB, {ROUNDS} rounds (medians), release\n\n"
                f"{benchlib.machine()}\n\n{table}\n")
    benchlib.write_results(TAG, markdown, {"size_mib": SIZE_MIB, "rounds": ROUNDS, "samples": samples})


if __name__ == "__main__":
    benchlib.run_bounded(TAG, main, MAX_SECONDS)
