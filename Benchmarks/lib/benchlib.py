"""Shared helpers of the Python benchmarks (Benchmarks/*.py): release builds, the one server
launcher (Tests/support/ferry_server.py), process memory and CPU from /proc, and results written
as Markdown and JSON under Benchmarks/results. Benchmarks are never run in CI.

A benchmark imports it with:
    sys.path.insert(0, str(Path(__file__).resolve().parent / "lib")); import benchlib
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parents[1]
ROOT = BENCH_DIR.parent
RESULTS_DIR = Path(os.environ.get("RESULTS_DIR", BENCH_DIR / "results"))
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

sys.path.insert(0, str(ROOT / "Tests" / "support"))
import ferry_server  # noqa: E402  (the one launcher, shared with the tests)


def log(tag: str, *parts: object) -> None:
    print(f"[{tag}]", *parts, file=sys.stderr, flush=True)


def swift_release(package: Path, product: str | None = None) -> Path:
    """Builds `package` in release (niced, output to a log in .build) unless SKIP_BUILD=1, and
    returns the folder of its release binaries."""
    if os.environ.get("SKIP_BUILD") != "1":
        command = ["nice", "-n", "19", "swift", "build", "-c", "release", *(["--product", product] if product else [])]
        build_log = package / ".build" / "bench-build.log"
        build_log.parent.mkdir(parents=True, exist_ok=True)
        with open(build_log, "w") as out:
            if subprocess.run(command, cwd=package, stdout=out, stderr=subprocess.STDOUT).returncode != 0:
                raise SystemExit(f"release build of {package} failed; see {build_log}")
    return Path(subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=package,
                               capture_output=True, text=True, check=True).stdout.strip())


def ferry_release() -> Path:
    """The release `ferry` (FERRY_BIN if set), and FERRY_BIN pointed at it for the launcher."""
    if os.environ.get("FERRY_BIN"):
        return Path(os.environ["FERRY_BIN"])
    path = swift_release(ROOT, "ferry") / "ferry"
    os.environ["FERRY_BIN"] = str(path)
    return path


def rss_bytes(pid: int, descendants: bool = False) -> int:
    """VmRSS of `pid` (and, if asked, of all its descendants), in bytes; 0 for a process gone."""
    pids = [pid] + (descendants_of(pid) if descendants else [])
    total = 0
    for one in pids:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
    return total


def descendants_of(pid: int) -> list[int]:
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                parents[int(entry)] = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                pass
    family, grew = {pid}, True
    while grew:
        grew = False
        for child, parent in parents.items():
            if parent in family and child not in family:
                family.add(child)
                grew = True
    family.discard(pid)
    return sorted(family)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time `pid` has used so far (all its threads), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def tree_cpu_seconds(pid: int) -> float:
    """CPU time used so far by `pid` and its live descendants (children that already exited are
    not counted: take both readings while the processes of interest live)."""
    total = 0.0
    for one in [pid, *descendants_of(pid)]:
        try:
            total += cpu_seconds(one)
        except (OSError, IndexError):
            pass
    return total


class Stopwatch:
    """Wall time and a process's CPU time over a block: `with Stopwatch(pid) as s: …; s.cpu, s.wall`."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.cpu = 0.0
        self.wall = 0.0

    def __enter__(self) -> "Stopwatch":
        self._cpu, self._wall = cpu_seconds(self.pid), time.monotonic()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cpu = cpu_seconds(self.pid) - self._cpu
        self.wall = time.monotonic() - self._wall


def metrics(url: str) -> dict[str, float]:
    """The server's Prometheus exposition (GET /metrics) as {"name{labels}": value}."""
    import urllib.request

    values: dict[str, float] = {}
    with urllib.request.urlopen(url.rstrip("/") + "/metrics", timeout=10) as answer:
        for line in answer.read().decode().splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                try:
                    values[name] = float(value)
                except ValueError:
                    pass
    return values


def percentile(values: list[float], fraction: float) -> float:
    """The value below which `fraction` (0–1) of `values` lie (nearest rank); nan for none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(fraction * len(ordered) + 0.5)) - 1))]


def raise_open_files(needed: int) -> int:
    """Raises this process's soft RLIMIT_NOFILE (inherited by what it starts, servers and load
    generators alike) to `needed`, within the hard limit; returns the new soft limit. Fails when
    the hard limit is lower than `needed`."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < needed:
        raise SystemExit(f"ulimit -Hn is {hard}, below the {needed} open files this benchmark needs")
    if soft == resource.RLIM_INFINITY or soft < needed:
        resource.setrlimit(resource.RLIMIT_NOFILE, (needed, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (for peers that need a fixed port)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30) -> None:
    """Waits until something accepts connections on 127.0.0.1:`port`."""
    import socket

    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise SystemExit(f"nothing listens on 127.0.0.1:{port} after {timeout} s")
            time.sleep(0.05)


def ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}×" if theirs else "n/a"


def markdown_table(header: list[str], rows: list[list[object]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + " --- |" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def machine() -> str:
    cpus = os.cpu_count()
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "unknown CPU")
    return f"{cpus} × {model}, load {os.getloadavg()[0]:.2f} at start"


def write_results(name: str, markdown: str, data: dict) -> Path:
    """Writes results/<name>-<UTC timestamp>.md and .json, prints the Markdown, returns the .md path."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    base = RESULTS_DIR / f"{name}-{stamp}"
    base.with_suffix(".md").write_text(markdown.rstrip() + "\n")
    base.with_suffix(".json").write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    print(markdown)
    log(name, "results in", base.with_suffix(".md"))
    return base.with_suffix(".md")


def io_bytes(pid: int) -> tuple[int, int]:
    """(rchar, wchar) of `pid` from /proc/PID/io: every byte it read or wrote through a system
    call, sockets and files alike. A stop-gap where the server has no byte counters."""
    values = dict(line.split(": ") for line in Path(f"/proc/{pid}/io").read_text().splitlines())
    return int(values["rchar"]), int(values["wchar"])


def udp_counters() -> dict[str, int]:
    """The machine's UDP counters from /proc/net/snmp and /proc/net/snmp6 summed (InDatagrams,
    OutDatagrams, RcvbufErrors, SndbufErrors, …): on loopback, every WebRTC packet of both sides."""
    out: dict[str, int] = {}
    lines = Path("/proc/net/snmp").read_text().splitlines()
    for names, values in zip(lines, lines[1:]):
        if names.startswith("Udp:") and values.startswith("Udp:") and not names.split()[1].isdigit():
            for name, value in zip(names.split()[1:], values.split()[1:]):
                out[name] = out.get(name, 0) + int(value)
    for line in Path("/proc/net/snmp6").read_text().splitlines():
        name, value = line.split()
        if name.startswith("Udp6"):
            out[name[4:]] = out.get(name[4:], 0) + int(value)
    return out


def find_process(mark: str) -> int | None:
    """The lowest pid whose command line contains `mark` (a unique argument given at launch, so
    other programs of the same name on the machine are not confused with ours)."""
    for entry in sorted((e for e in os.listdir("/proc") if e.isdigit()), key=int):
        try:
            if mark.encode() in Path(f"/proc/{entry}/cmdline").read_bytes():
                return int(entry)
        except OSError:
            pass
    return None


def chromium_processes(root: int) -> dict[int, str]:
    """Chromium's browser process `root` and its descendants: {pid: "browser" | "renderer" | "gpu-process" | utility sub-type…}."""
    kinds: dict[int, str] = {}
    for pid in [root, *descendants_of(root)]:
        try:
            # Zygote children rewrite their command line into one space-separated string.
            args = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").split()
        except OSError:
            continue
        kind = "browser" if pid == root else "other"
        for arg in args:
            if arg.startswith(b"--type="):
                kind = arg[7:].decode()
            if arg.startswith(b"--utility-sub-type="):
                kind = arg[19:].decode()
        kinds[pid] = kind
    return kinds


def cpu_by_pid(root: int) -> dict[int, tuple[str, float]]:
    """{pid: (kind, CPU seconds so far)} for Chromium's browser process `root` and its descendants."""
    out = {}
    for pid, kind in chromium_processes(root).items():
        try:
            out[pid] = (kind, cpu_seconds(pid))
        except (OSError, IndexError):
            pass
    return out


def task_files(pid: int, name: str) -> dict[int, str]:
    """{thread id: text of /proc/PID/task/TID/NAME} of `pid`'s threads (those that vanish while
    read are left out)."""
    out: dict[int, str] = {}
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for task in tasks:
        try:
            out[int(task)] = Path(f"/proc/{pid}/task/{task}/{name}").read_text()
        except OSError:
            continue
    return out


def task_stats(pid: int) -> dict[int, tuple[str, list[str]]]:
    """{thread id: (name, the fields after the name)} of `pid`'s /proc/PID/task/TID/stat (the name
    may hold spaces and parentheses, so it is cut at the first "(" and the last ")"): field 7 is
    the minor page faults, 11 and 12 the user and system ticks."""
    return {task: (stat[stat.index("(") + 1:stat.rindex(")")], stat.rsplit(")", 1)[1].split())
            for task, stat in task_files(pid, "stat").items()}


def task_cpu(pid: int) -> dict[int, tuple[str, float]]:
    """{thread id: (name, CPU seconds so far)} of `pid`, from /proc/PID/task."""
    return {task: (name, (int(fields[11]) + int(fields[12])) / CLOCK_TICKS)
            for task, (name, fields) in task_stats(pid).items()}


def run_ns(pid: int) -> dict[int, int]:
    """{thread id: nanoseconds on a CPU so far} of `pid` (/proc/PID/task/*/schedstat): exact where
    the tick-based figures round to 10 ms. A thread that exits takes its time with it, so compare
    with `run_ns_since`."""
    return {task: int(text.split()[0]) for task, text in task_files(pid, "schedstat").items()}


def run_ns_since(before: dict[int, int], pid: int) -> int:
    """CPU nanoseconds of `pid`'s threads since `before` (a `run_ns` reading), counting threads
    alive now (all of the time of those started since; threads that exited in between are missed)."""
    return sum(value - before.get(task, 0) for task, value in run_ns(pid).items())


def threads_cpu(pid: int) -> dict[str, float]:
    """CPU seconds so far per thread name of `pid` (threads of one name summed): where a
    multi-threaded process (a Chromium renderer) spends its time."""
    out: dict[str, float] = {}
    for name, seconds in task_cpu(pid).values():
        out[name] = out.get(name, 0.0) + seconds
    return out


def delta(before: dict[str, float], after: dict[str, float], floor: float = 0.05) -> dict[str, float]:
    """after − before per key, keys below `floor` left out, largest first."""
    out = {key: round(value - before.get(key, 0.0), 2) for key, value in after.items()}
    return dict(sorted(((k, v) for k, v in out.items() if v >= floor), key=lambda kv: -kv[1]))


def cpu_delta_by_kind(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]]) -> dict[str, float]:
    """CPU seconds used between two `cpu_by_pid` readings, summed per process kind."""
    kinds: dict[str, float] = {}
    for pid, (kind, cpu) in after.items():
        kinds[kind] = kinds.get(kind, 0.0) + cpu - before.get(pid, (kind, 0.0))[1]
    return kinds


class RssSampler:
    """Samples the RSS of some processes every `interval` s in a thread, between start() and
    stop(): peak and first sample per pid (with `descendants`, of each process tree). `with RssSampler({"name": pid, …}) as s: …; s.peak["name"]`."""

    def __init__(self, pids: dict[str, int], interval: float = 0.2, descendants: bool = False) -> None:
        import threading

        self.pids = pids
        self.interval = interval
        self.descendants = descendants
        self.first: dict[str, int] = {}
        self.peak: dict[str, int] = {name: 0 for name in pids}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        for name, pid in self.pids.items():
            rss = rss_bytes(pid, self.descendants)
            self.first.setdefault(name, rss)
            self.peak[name] = max(self.peak[name], rss)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self) -> "RssSampler":
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def mib(value: float) -> str:
    return f"{value / (1 << 20):.1f}"


def run_bounded(tag: str, work, max_seconds: int) -> None:
    """Runs `work()` as a benchmark's main: it ends by itself after `max_seconds` (SIGALRM), and
    Ctrl-C exits with 130 once the `finally` blocks inside `work` stopped what it started."""
    import signal

    def deadline(*_: object) -> None:
        raise SystemExit(f"the run passed MAX_SECONDS={max_seconds}")

    signal.signal(signal.SIGALRM, deadline)
    signal.alarm(max_seconds)
    try:
        work()
    except KeyboardInterrupt:
        log(tag, "interrupted; everything started was stopped")
        sys.exit(130)
