#!/usr/bin/env python3
"""Drops on the server (issue 10): a large encrypted upload through tus and its download, Ferry
against nginx, in one run on 127.0.0.1.

What the server does with a drop's bytes is what nginx does with a file: write a request body to
disk, and serve a file. So the references are nginx's WebDAV `PUT` with `client_body_in_file_only`
(the body is written to a temporary file, then renamed into place) and nginx serving the same file
as a static file, over HTTP/1.1 (sendfile) and cleartext HTTP/2 (prior knowledge). The client is
curl for both servers, streaming from and to files (`-T FILE`, `-o /dev/null`).

Measured, ROUNDS rounds with the servers' order alternating, medians reported:
- upload: one tus `PATCH` of the whole file (after `POST /api/v1/uploads`), and the same file in
  CHUNK_MIB chunks (a browser's way), against one nginx `PUT`, and against one nginx `PUT`
  followed by an fsync of the file it wrote ("nginx + fsync": the same durability as Ferry's
  acknowledged offset): MiB/s, server CPU seconds per GiB stored, and the server's peak RSS over
  its RSS before (flat means a few MiB);
- download: the file of a drop (`GET /api/v1/drops/ID/files/0` with the proof and ticket headers)
  against nginx's static file, HTTP/1.1 and HTTP/2: MiB/s, CPU seconds per GiB served, peak RSS.
Ferry fsyncs every chunk before acknowledging it (tus's promise); nginx does not fsync a PUT. The
file's bytes are random (the server never looks at them).

Environment knobs: SIZE_MIB (4096), CHUNK_MIB (64), ROUNDS (3), MAX_SECONDS (3600), SKIP_BUILD=1,
FERRY_BIN (a ferry binary; default: a release build), WORK (a folder on the disk to measure;
default a temporary folder). Results: Benchmarks/results/drops-<UTC>.md and .json.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "lib"))
import benchlib  # noqa: E402

SIZE_MIB = int(os.environ.get("SIZE_MIB", "4096"))
CHUNK_MIB = int(os.environ.get("CHUNK_MIB", "64"))
ROUNDS = int(os.environ.get("ROUNDS", "3"))
MAX_SECONDS = int(os.environ.get("MAX_SECONDS", "3600"))
TAG = "drops"
PASSWORD = "correct horse battery staple"
NGINX_CONF = """
daemon off;
master_process on;
worker_processes 2;
{user}
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    server {{
        listen 127.0.0.1:{port};
        listen 127.0.0.1:{h2port} http2;
        root {tmp}/www;
        location /upload/ {{
            dav_methods PUT;
            create_full_put_path on;
            client_max_body_size 0;
            client_body_in_file_only on;
            client_body_buffer_size 1m;
        }}
    }}
}}
"""


def curl(*args: str) -> float:
    """Runs curl; returns the seconds it took."""
    started = time.perf_counter()
    subprocess.run(["curl", "-sS", "--fail", "--max-time", "1200", *args], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


class Nginx:
    """nginx; with `durable`, an upload's time includes an fsync of the file nginx wrote, which
    Ferry does before it acknowledges a chunk and nginx never does."""

    def __init__(self, root: Path, durable: bool = False) -> None:
        self.durable = durable
        self.tmp = root / "nginx"
        (self.tmp / "www" / "upload").mkdir(parents=True)
        self.port, self.h2port = benchlib.free_port(), benchlib.free_port()
        user = "user root;" if os.geteuid() == 0 else ""
        (self.tmp / "nginx.conf").write_text(
            NGINX_CONF.format(user=user, tmp=self.tmp, port=self.port, h2port=self.h2port))
        self.process = subprocess.Popen(["nginx", "-p", str(self.tmp), "-e", str(self.tmp / "error.log"), "-c",
                                         str(self.tmp / "nginx.conf")], start_new_session=True)
        benchlib.wait_for_port(self.port)
        self.pid = self.process.pid

    def upload(self, source: Path, _: int) -> float:
        target = self.tmp / "www" / "upload" / "file"
        target.unlink(missing_ok=True)
        started = time.perf_counter()
        curl("-T", str(source), f"http://127.0.0.1:{self.port}/upload/file")
        if self.durable:
            descriptor = os.open(target, os.O_RDONLY)
            os.fsync(descriptor)
            os.close(descriptor)
        assert target.stat().st_size == source.stat().st_size
        return time.perf_counter() - started

    def download(self, http2: bool) -> float:
        url = f"http://127.0.0.1:{self.h2port if http2 else self.port}/upload/file"
        return curl(*(["--http2-prior-knowledge"] if http2 else ["--http1.1"]), "-o", "/dev/null", url)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(20)


class Ferry:
    def __init__(self, root: Path) -> None:
        self.server = benchlib.ferry_server.Server(root / "ferry", extra=["--max-drop-size", str(1 << 40),
                                                                          "--user-quota", str(1 << 42),
                                                                          "--team-quota", str(1 << 42)])
        self.server.cli("admin", "create", "--email", "ann@example.org", "--name", "Ann", "--team", "Bench",
                        password=PASSWORD)
        self.token = self.server.cli("token", "create", "--user", "ann@example.org", "--name", "bench",
                                     "--scopes", "write").split()[-1]
        self.pid = self.server.process.pid
        self.url = self.server.url
        self.drop: tuple[str, str, str] | None = None  # id, proof, ticket
        self.upload_id: str | None = None

    def api(self, method: str, path: str, headers: dict[str, str] | None = None,
            body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
        request = urllib.request.Request(self.url + path, method=method, data=body,
                                         headers={"Authorization": f"Bearer {self.token}", **(headers or {})})
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()

    def create_upload(self, length: int) -> str:
        _, headers, _ = self.api("POST", "/api/v1/uploads",
                                 {"Tus-Resumable": "1.0.0", "Upload-Length": str(length)})
        return headers["Location"]

    def patch(self, location: str, source: Path, offset: int, length: int) -> None:
        tus = ["-H", "Tus-Resumable: 1.0.0", "-H", "Content-Type: application/offset+octet-stream",
               "-H", f"Authorization: Bearer {self.token}"]
        if offset == 0 and length == source.stat().st_size:
            curl("-X", "PATCH", *tus, "-H", "Upload-Offset: 0", "-T", str(source), self.url + location)
            return
        # A chunk: curl reads it from a pipe fed by dd (no copy of the file on disk).
        feeder = subprocess.Popen(["dd", f"if={source}", "bs=1M", f"skip={offset >> 20}", f"count={length >> 20}",
                                   "status=none"], stdout=subprocess.PIPE)
        subprocess.run(["curl", "-sS", "--fail", "-X", "PATCH", *tus, "-H", f"Upload-Offset: {offset}",
                        "-H", f"Content-Length: {length}", "-H", "Transfer-Encoding:", "-T", "-",
                        self.url + location],
                       stdin=feeder.stdout, check=True, stdout=subprocess.DEVNULL)
        feeder.wait()

    def upload(self, source: Path, chunk: int) -> float:
        size = source.stat().st_size
        started = time.perf_counter()
        location = self.create_upload(size)
        offset = 0
        while offset < size:
            length = min(chunk or size, size - offset)
            self.patch(location, source, offset, length)
            offset += length
        seconds = time.perf_counter() - started
        self.make_drop(location.rsplit("/", 1)[1])
        return seconds

    def make_drop(self, upload_id: str) -> None:
        """The drop of the uploaded file, replacing the last one (its bytes are deleted)."""
        if self.drop:
            self.api("DELETE", f"/api/v1/drops/{self.drop[0]}")
        token = secrets.token_bytes(32)
        b64 = lambda data: base64.urlsafe_b64encode(data).rstrip(b"=").decode()  # noqa: E731
        body = json.dumps({"verifier": b64(hashlib.sha256(token).digest()), "metadata": b64(os.urandom(1052)),
                           "files": [upload_id]}).encode()
        _, _, answer = self.api("POST", "/api/v1/drops", {"Content-Type": "application/json"}, body)
        drop_id = json.loads(answer)["id"]
        _, _, opened = self.api("POST", f"/api/v1/drops/{drop_id}/open", {"Ferry-Drop-Proof": b64(token)})
        self.drop = (drop_id, b64(token), json.loads(opened)["ticket"])

    def download(self, http2: bool) -> float:
        assert self.drop
        drop_id, proof, ticket = self.drop
        return curl(*(["--http2-prior-knowledge"] if http2 else ["--http1.1"]), "-H", f"Ferry-Drop-Proof: {proof}",
                    "-H", f"Ferry-Drop-Ticket: {ticket}", "-o", "/dev/null",
                    f"{self.url}/api/v1/drops/{drop_id}/files/0")

    def stop(self) -> None:
        self.server.stop()


def measure(server, work) -> dict[str, float]:
    """Runs `work()` (returns seconds) while sampling the server's RSS; CPU seconds of the server's
    process tree."""
    cpu_before = benchlib.tree_cpu_seconds(server.pid)
    # nginx's memory is in its workers: the sampler sums the whole process tree.
    with benchlib.RssSampler({"server": server.pid}, interval=0.1, descendants=True) as sampler:
        seconds = work()
    return {"seconds": seconds, "cpu": benchlib.tree_cpu_seconds(server.pid) - cpu_before,
            "rss_before": sampler.first["server"], "rss_peak": sampler.peak["server"]}


def main() -> None:
    benchlib.ferry_release()
    work = Path(os.environ.get("WORK") or tempfile.mkdtemp(prefix="ferry-bench-drops-"))
    work.mkdir(parents=True, exist_ok=True)
    size = SIZE_MIB << 20
    source = work / "source.bin"
    benchlib.log(TAG, f"writing {SIZE_MIB} MiB of random bytes to {source}")
    with open(source, "wb") as out:
        block = os.urandom(64 << 20)
        for _ in range(size // len(block)):
            out.write(block)
        out.write(block[: size % len(block)])
    servers = {"ferry": Ferry(work), "nginx": Nginx(work)}
    durable_nginx = Nginx(work / "durable", durable=True)
    results: dict[str, dict[str, list[dict[str, float]]]] = {}
    scenarios = [("upload, one request", lambda s: s.upload(source, 0))]
    if CHUNK_MIB:
        scenarios.append((f"upload, {CHUNK_MIB} MiB chunks", lambda s: s.upload(source, CHUNK_MIB << 20)))
    scenarios += [("download HTTP/1.1", lambda s: s.download(False)), ("download HTTP/2", lambda s: s.download(True))]
    try:
        for round_ in range(ROUNDS):
            order = list(servers) if round_ % 2 == 0 else list(reversed(servers))
            for name, work_of in scenarios:
                names = order + (["nginx + fsync"] if name == "upload, one request" else [])
                for server_name in names:
                    if server_name == "nginx" and "chunks" in name:
                        continue  # nginx takes a body in one request
                    server = durable_nginx if server_name == "nginx + fsync" else servers[server_name]
                    sample = measure(server, lambda: work_of(server))
                    results.setdefault(name, {}).setdefault(server_name, []).append(sample)
                    benchlib.log(TAG, f"round {round_ + 1} {name} {server_name}: "
                                      f"{SIZE_MIB / sample['seconds']:.0f} MiB/s, cpu {sample['cpu']:.2f} s, "
                                      f"rss +{benchlib.mib(sample['rss_peak'] - sample['rss_before'])} MiB")
    finally:
        for server in [*servers.values(), durable_nginx]:
            server.stop()
    gib = size / (1 << 30)
    rate_of = lambda samples: statistics.median(SIZE_MIB / s["seconds"] for s in samples)  # noqa: E731
    uploads = results.get("upload, one request", {})
    rows = []
    for name, by_server in results.items():
        nginx = by_server.get("nginx") or uploads.get("nginx")
        durable = uploads.get("nginx + fsync") if name.startswith("upload") else None
        for server_name, samples in by_server.items():
            rate = rate_of(samples)
            cpu = statistics.median(s["cpu"] for s in samples) / gib
            growth = max(s["rss_peak"] - s["rss_before"] for s in samples)
            rows.append([name, server_name, f"{rate:.0f}", benchlib.ratio(rate, rate_of(nginx)) if nginx else "",
                         benchlib.ratio(rate, rate_of(durable)) if durable else "", f"{cpu:.2f}",
                         benchlib.mib(growth)])
    table = benchlib.markdown_table(
        ["scenario", "server", "MiB/s", "vs nginx", "vs nginx + fsync", "CPU s per GiB", "peak RSS growth, MiB"],
        rows)
    markdown = (f"# Drops: tus upload and download, {SIZE_MIB} MiB, {ROUNDS} rounds (medians)\n\n"
                f"{benchlib.machine()}\n\n{table}\n")
    benchlib.write_results(TAG, markdown, {"size_mib": SIZE_MIB, "rounds": ROUNDS, "results": results})
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    benchlib.run_bounded(TAG, main, MAX_SECONDS)
