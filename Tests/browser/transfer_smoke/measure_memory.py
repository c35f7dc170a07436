"""Sends a disk-backed file of SIZE MiB (default 1024) between two peer clients in one Chromium
page (see smoke.js) and samples the resident memory of that Chromium's processes meanwhile.
Prints the baseline, the peak and the throughput; exits non-zero when the peak grew by more
than LIMIT MiB (default 256) or the download differs. Usage: measure_memory.py [SIZE] [direct|relay]"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_transfer_smoke import CHROMIUM, Handler  # noqa: E402

import http.server  # noqa: E402
import mimetypes  # noqa: E402

from playwright.sync_api import sync_playwright  # noqa: E402


MARK = f"--ferry-measure={os.getpid()}"


def chromium_rss() -> int:
    """RSS of the Chromium launched here (found by MARK) and all its descendants; other
    Chromium instances on the machine (other test runs) are not counted."""
    return sum(rss(pid) for pid in family(MARK))


def renderer_rss(mark: str) -> int:
    """RSS of the renderer processes (the tabs, with their dedicated workers) of the Chromium
    whose command line carries `mark`."""
    return sum(rss(pid) for pid in family(mark) if b"--type=renderer" in cmdline(pid))


def cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def rss(pid: int) -> int:
    """A process's resident memory in bytes (0 once it has gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def family(mark: str) -> set[int]:
    """The Chromium browser process whose command line carries `mark`, and all its descendants
    (found through /proc's parent links); empty when there is none."""
    parents: dict[int, int] = {}
    marked: set[int] = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
            if mark.encode() in Path(f"/proc/{entry}/cmdline").read_bytes():
                marked.add(int(entry))
        except (OSError, ValueError):
            pass
    # The browser process: marked, with a parent that is not (children may inherit the switch).
    root = next((pid for pid in sorted(marked) if parents.get(pid) not in marked), None)
    if root is None:
        return set()
    members = {root}
    grew = True
    while grew:
        grew = False
        for pid, parent in parents.items():
            if parent in members and pid not in members:
                members.add(pid)
                grew = True
    return members


def dump(label: str) -> None:
    """Prints each process of this Chromium with its type and RSS (for finding what grows)."""
    for pid in sorted(os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"chromium" not in cmd:
                continue
            kind = b" ".join(re.findall(rb"--(?:type|utility-sub-type)=\S+", cmd.replace(b"\0", b" "))) or b"browser"
            rss = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if line.startswith("VmRSS:"))
            print(label, pid, kind.decode(), rss // 1024, "MiB")
        except (OSError, StopIteration):
            pass


def main() -> int:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 1024
    direct = (sys.argv[2] if len(sys.argv) > 2 else "direct") == "direct"
    limit = int(os.environ.get("LIMIT", "256")) * 1024 * 1024
    mimetypes.add_type("text/javascript", ".js")
    mimetypes.add_type("text/javascript", ".mjs")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "big file.bin"
        digest = hashlib.sha256()
        with source.open("wb") as out:
            for _ in range(size):
                block = os.urandom(1024 * 1024)
                digest.update(block)
                out.write(block)
        expected = digest.hexdigest()
        with sync_playwright() as playwright:
            # A persistent profile, not Playwright's default incognito context: an incognito
            # profile keeps the origin private file system in the browser process's memory.
            browser = playwright.chromium.launch_persistent_context(
                str(Path(tmp) / "profile"), executable_path=CHROMIUM, args=["--no-sandbox", MARK], accept_downloads=True
            )
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/page.html?pick=1&direct={int(direct)}")
            page.wait_for_function("window.__ready", timeout=30_000)
            time.sleep(1)
            baseline = chromium_rss()
            if os.environ.get("SERIES"):
                dump("start")
            peak = baseline
            stop = threading.Event()

            series: list[int] = []

            def sample() -> None:
                nonlocal peak
                while not stop.is_set():
                    rss = chromium_rss()
                    series.append(rss)
                    peak = max(peak, rss)
                    time.sleep(0.2)

            sampler = threading.Thread(target=sample, daemon=True)
            sampler.start()
            with page.expect_download(timeout=1_800_000) as info:
                page.set_input_files("#pick", str(source))
            download = info.value
            if os.environ.get("SERIES"):
                dump("end")
            stop.set()
            sampler.join()
            got = hashlib.sha256()
            with open(download.path(), "rb") as f:
                for block in iter(lambda: f.read(1 << 20), b""):
                    got.update(block)
            page.wait_for_function("window.__result || window.__error", timeout=60_000)
            result = page.evaluate("window.__result || window.__error")
            browser.close()
    mib = 1024 * 1024
    if os.environ.get("SERIES"):
        print("RSS every 2 s, MiB:", [round(v / mib) for v in series[::10]])
    print(f"{size} MiB {result['mode'] if isinstance(result, dict) else result}: "
          f"{size / result['secs']:.1f} MiB/s, Chromium RSS baseline {baseline / mib:.0f} MiB, peak {peak / mib:.0f} MiB "
          f"(+{(peak - baseline) / mib:.0f} MiB), download {'matches' if got.hexdigest() == expected else 'DIFFERS'}")
    return 0 if got.hexdigest() == expected and peak - baseline <= limit else 1


if __name__ == "__main__":
    sys.exit(main())
