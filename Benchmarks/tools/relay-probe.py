#!/usr/bin/env python3
"""Relay probe: run-transfer.py's relay phase once, with timestamps in both pages: each binary
WebSocket send (with its bufferedAmount), each binary message received, each WebSocket close
(code, reason), each large WebCrypto encrypt/decrypt. Prints per-frame gaps and closes; the raw
log goes to /tmp/relayprobe/logs.json. Not a benchmark (no results file): a tool to see where a
relay waits. Usage: FERRY_BIN=… RELAY_MIB=64 [PROFILE=incognito] flock /tmp/ferry-bench.lock Benchmarks/tools/relay-probe.py"""
import importlib.util, os, sys, json, tempfile
import statistics  # noqa: F401
from pathlib import Path
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "Benchmarks/lib"))
spec = importlib.util.spec_from_file_location("rt", ROOT / "Benchmarks/run-transfer.py")
rt = importlib.util.module_from_spec(spec); spec.loader.exec_module(rt)
import benchlib
from playwright.sync_api import sync_playwright

PROBE = r"""
{
  const log = [];
  window.__relaylog = log;
  const t0 = performance.now();
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    if (typeof data !== "string") log.push(["s", performance.now(), data.byteLength ?? data.length, this.bufferedAmount]);
    return send.call(this, data);
  };
  const add = WebSocket.prototype.addEventListener;
  WebSocket.prototype.addEventListener = function (type, fn, opts) {
    if (type === "message") {
      const inner = fn;
      fn = function (event) { if (typeof event.data !== "string") log.push(["r", performance.now(), event.data.byteLength]); return inner.call(this, event); };
    }
    if (type === "close") { const inner2 = fn; fn = function (event) { log.push(["c", performance.now(), event.code, event.reason]); console.log("RELAYLOG " + JSON.stringify(log.splice(0))); return inner2.call(this, event); }; }
    return add.call(this, type, fn, opts);
  };
  const realSubtle = crypto.subtle;
  const enc = realSubtle.encrypt.bind(realSubtle), dec = realSubtle.decrypt.bind(realSubtle);
  SubtleCrypto.prototype.encrypt = function (...a) { const t = performance.now(); return enc(...a).then((r) => { if (r.byteLength > 4096) log.push(["E", t, performance.now()]); return r; }); };
  SubtleCrypto.prototype.decrypt = function (...a) { const t = performance.now(); return dec(...a).then((r) => { if (r.byteLength > 4096) log.push(["D", t, performance.now()]); return r; }); };
  setInterval(() => { if (log.length) console.log("RELAYLOG " + JSON.stringify(log.splice(0))); }, 200);
}
"""
logs = {"ann": [], "bob": []}
orig_member = rt.Team.member
def member(self, browser, email, *scripts):
    page = orig_member(self, browser, email, *scripts, PROBE)
    who = email.split("@")[0]
    page.on("console", lambda m: logs[who].extend(json.loads(m.text[9:])) if m.text.startswith("RELAYLOG ") else None)
    return page
rt.Team.member = member
mib = int(os.environ.get("RELAY_MIB", "32"))
binary = benchlib.ferry_release()
with tempfile.TemporaryDirectory(prefix="ferry-relay-probe-") as tmp:
    folder = Path(tmp)
    path = folder / "relayed.bin"; digest = rt.random_file(path, mib)
    team = rt.Team(folder / "data")
    print("server pid", team.server.process.pid, flush=True)
    try:
        with sync_playwright() as p:
            chromium = rt.Chromium(p, os.environ.get("PROFILE", "persistent"), folder)
            try:
                result = rt.ferry(chromium, team, path, digest, relay=True)
            finally:
                chromium.close()
    finally:
        team.server.stop()
print(json.dumps({k: result[k] for k in ("mib_per_s", "relayed_mib_per_s", "server_cpu_s", "server_bytes", "seconds")}))
Path("/tmp/relayprobe").mkdir(exist_ok=True)
Path("/tmp/relayprobe/logs.json").write_text(json.dumps(logs))
def summary(name, xs):
    if not xs: return f"{name}: none"
    xs = sorted(xs); n = len(xs)
    return f"{name}: n={n} median={xs[n//2]:.2f} p90={xs[int(n*.9)]:.2f} max={xs[-1]:.2f} sum={sum(xs):.0f}"
for who in ("ann", "bob"):
    L = logs[who]
    s = [e for e in L if e[0] == "s" and e[2] > 100000]
    r = [e for e in L if e[0] == "r" and e[2] > 100000]
    E = [e for e in L if e[0] == "E"]; D = [e for e in L if e[0] == "D"]
    print(who, "big sends", len(s), "big recvs", len(r), "enc", len(E), "dec", len(D))
    if s:
        print(" ", summary("send gaps ms", [b[1]-a[1] for a, b in zip(s, s[1:])]))
        print(" ", summary("bufferedAmount at send KiB", [e[3]/1024 for e in s]))
        print("  span", (s[-1][1]-s[0][1])/1000, "s")
    if r:
        print(" ", summary("recv gaps ms", [b[1]-a[1] for a, b in zip(r, r[1:])]))
        print("  span", (r[-1][1]-r[0][1])/1000, "s")
    if E: print(" ", summary("encrypt ms", [e[2]-e[1] for e in E]))
    if D: print(" ", summary("decrypt ms", [e[2]-e[1] for e in D]))
for who in logs:
    print(who, "closes", [e for e in logs[who] if e[0] == "c"])
