#!/usr/bin/env python3
"""Helpers for Benchmarks/run.sh (stdlib only).

  report.py nginx-conf TEMPLATE OUT --tmp DIR --port N --public DIR --json-file F --content-type T
      Renders nginx.conf.template with the JSON body escaped for an nginx quoted string.

  report.py wrk FILE
      Prints one wrk output parsed as JSON (for a quick look / debugging).

  report.py report RAWDIR META OUT_BASENAME
      Parses every RAWDIR/<case>__<server>.txt (wrk --latency output), prints a table, and writes
      OUT_BASENAME.md and OUT_BASENAME.json. META holds `key=value` lines written by run.sh:
        timestamp=…  servers=a b c  cases=x y  param.NAME=…  env.NAME=…  url.CASE.SERVER=…
        rss.SERVER.FIELD=<int>  note=… (repeatable)
"""

from __future__ import annotations

import json
import os
import re
import sys

SERVER_LABELS = {
    "ferry": "Ferry",
    "nginx": "nginx",
    "hummingbird": "Hummingbird",
    "vapor": "Vapor",
}

CASE_LABELS = {
    "static-1k": "1 KiB static",
    "static-1m": "1 MiB static",
    "revalidate-304": "304 revalidation (1 KiB)",
    "json": "small JSON GET",
}

_TIME_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}
_SIZE_UNITS = {"B": 1.0, "KB": 1024.0, "MB": 1024.0**2, "GB": 1024.0**3, "TB": 1024.0**4}
_COUNT_UNITS = {"": 1.0, "k": 1e3, "M": 1e6, "G": 1e9}


def _time_ms(text: str) -> float | None:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not m:
        return None
    return float(m.group(1)) * _TIME_UNITS[m.group(2)]


def _size_bytes(text: str) -> float | None:
    m = re.fullmatch(r"([\d.]+)(B|KB|MB|GB|TB)", text.strip())
    if not m:
        return None
    return float(m.group(1)) * _SIZE_UNITS[m.group(2)]


def parse_wrk(text: str) -> dict:
    """Parse the output of `wrk --latency`. Missing values are None."""
    out: dict = {
        "requests": None,
        "duration_s": None,
        "bytes_read": None,
        "req_per_s": None,
        "transfer_bytes_per_s": None,
        "mb_per_s": None,
        "latency_avg_ms": None,
        "latency_max_ms": None,
        "p50_ms": None,
        "p75_ms": None,
        "p90_ms": None,
        "p99_ms": None,
        "errors": {"connect": 0, "read": 0, "write": 0, "timeout": 0, "non_2xx_3xx": 0},
    }
    for line in text.splitlines():
        s = line.strip()
        m = re.match(r"Requests/sec:\s+([\d.]+)", s)
        if m:
            out["req_per_s"] = float(m.group(1))
            continue
        m = re.match(r"Transfer/sec:\s+(\S+)", s)
        if m:
            b = _size_bytes(m.group(1))
            out["transfer_bytes_per_s"] = b
            out["mb_per_s"] = None if b is None else b / 1024.0**2
            continue
        m = re.match(r"(\d+) requests in ([\d.]+)(us|ms|s|m|h), (\S+) read", s)
        if m:
            out["requests"] = int(m.group(1))
            out["duration_s"] = float(m.group(2)) * _TIME_UNITS[m.group(3)] / 1000.0
            out["bytes_read"] = _size_bytes(m.group(4))
            continue
        m = re.match(r"Latency\s+(\S+)\s+(\S+)\s+(\S+)", s)
        if m and out["latency_avg_ms"] is None:
            out["latency_avg_ms"] = _time_ms(m.group(1))
            out["latency_max_ms"] = _time_ms(m.group(3))
            continue
        m = re.match(r"(50|75|90|99)(?:\.0+)?%\s+(\S+)", s)
        if m:
            out[f"p{m.group(1)}_ms"] = _time_ms(m.group(2))
            continue
        m = re.match(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", s)
        if m:
            for k, v in zip(("connect", "read", "write", "timeout"), m.groups()):
                out["errors"][k] = int(v)
            continue
        m = re.match(r"Non-2xx or 3xx responses: (\d+)", s)
        if m:
            out["errors"]["non_2xx_3xx"] = int(m.group(1))
    return out


def _fmt_rate(v: float | None) -> str:
    if v is None:
        return "–"
    if v >= 100:
        return f"{v:,.0f}"
    return f"{v:,.1f}"


def _fmt_mb(v: float | None) -> str:
    return "–" if v is None else f"{v:,.2f}"


def _fmt_ms(v: float | None) -> str:
    if v is None:
        return "–"
    if v < 1:
        return f"{v * 1000:.0f} µs"
    if v < 100:
        return f"{v:.2f} ms"
    return f"{v:,.0f} ms"


def _fmt_ratio(v: float | None) -> str:
    if v is None:
        return "–"
    if v >= 0.1:
        return f"{v:.2f}×"
    return f"{v:.3f}×"


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return a / b


def _fmt_kib(v: int | None) -> str:
    return "–" if v is None else f"{v / 1024:,.1f} MiB"


def _table(headers: list[str], rows: list[list[str]], align: list[str]) -> tuple[str, str]:
    """Return (markdown, plain text) renderings."""
    md = ["| " + " | ".join(headers) + " |"]
    md.append("| " + " | ".join("---:" if a == "r" else "---" for a in align) + " |")
    for r in rows:
        md.append("| " + " | ".join(r) + " |")
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if a == "r" else c.ljust(w) for c, w, a in zip(cells, widths, align))
    txt = [line(headers), "  ".join("-" * w for w in widths)]
    txt += [line(r) for r in rows]
    return "\n".join(md), "\n".join(txt)


def build_report(rawdir: str, meta: dict) -> tuple[dict, str, str]:
    servers: list[str] = meta["servers"]
    cases: list[str] = meta["cases"]
    results: dict = {}
    for case in cases:
        results[case] = {}
        for server in servers:
            path = os.path.join(rawdir, f"{case}__{server}.txt")
            if not os.path.exists(path):
                continue
            with open(path, encoding="utf-8", errors="replace") as f:
                raw = f.read()
            parsed = parse_wrk(raw)
            parsed["url"] = (meta.get("urls", {}).get(case, {}) or {}).get(server)
            results[case][server] = parsed

    # Main table: one row per case and server.
    rows = []
    for case in cases:
        base = results[case].get("nginx", {}).get("req_per_s")
        for server in servers:
            r = results[case].get(server)
            if r is None:
                continue
            errs = r["errors"]
            nerr = sum(errs.values())
            err_txt = "0" if nerr == 0 else ", ".join(f"{k} {v}" for k, v in errs.items() if v)
            rows.append([
                CASE_LABELS.get(case, case),
                SERVER_LABELS.get(server, server),
                _fmt_rate(r["req_per_s"]),
                _fmt_mb(r["mb_per_s"]),
                _fmt_ms(r["p99_ms"]),
                err_txt,
                _fmt_ratio(_ratio(r["req_per_s"], base)),
            ])
    main_md, main_txt = _table(
        ["case", "server", "req/s", "MB/s", "p99", "errors", "req/s ÷ nginx"],
        rows, ["l", "l", "r", "r", "r", "l", "r"],
    )

    # Ferry ratios.
    ratios: dict = {}
    peers = [p for p in ("nginx", "hummingbird", "vapor") if p in servers]
    ratio_md = ratio_txt = ""
    if "ferry" in servers and peers:
        rrows = []
        for case in cases:
            ferry = results[case].get("ferry")
            ratios[case] = {}
            cells = [CASE_LABELS.get(case, case)]
            for p in peers:
                peer = results[case].get(p)
                rq = _ratio(ferry and ferry["req_per_s"], peer and peer["req_per_s"])
                # For latency, lower is better: report peer p99 / Ferry p99 so that >1 means Ferry wins.
                lat = _ratio(peer and peer["p99_ms"], ferry and ferry["p99_ms"])
                ratios[case][p] = {"req_per_s": rq, "p99_inverse": lat}
                cells.append(f"{_fmt_ratio(rq)} (p99 {_fmt_ratio(lat)})")
            rrows.append(cells)
        ratio_md, ratio_txt = _table(
            ["case"] + [f"Ferry/{SERVER_LABELS[p]}" for p in peers],
            rrows, ["l"] + ["r"] * len(peers),
        )

    # RSS.
    rss = meta.get("rss", {})
    rss_rows = []
    for server in servers:
        s = rss.get(server, {})
        if not s:
            continue
        rss_rows.append([
            SERVER_LABELS.get(server, server),
            _fmt_kib(s.get("idle_kib")),
            _fmt_kib(s.get("after_cases_kib")),
            _fmt_kib(s.get("after_soak_kib")) if "after_soak_kib" in s else "–",
            f"{s['soak_requests']:,}" if s.get("soak_requests") is not None else "–",
        ])
    rss_md, rss_txt = _table(
        ["server", "RSS idle", "RSS after cases", "RSS after soak", "soak requests"],
        rss_rows, ["l", "r", "r", "r", "r"],
    ) if rss_rows else ("", "")

    p = meta.get("params", {})
    header = (
        f"wrk -t{p.get('threads')} -c{p.get('connections')} -d{p.get('duration')}s --latency "
        f"(warm-up {p.get('warmup')}s per server and case), servers interleaved per case. "
        f"MB/s is wrk's Transfer/sec in MiB. One machine, {meta.get('env', {}).get('cpus', '?')} cores "
        f"shared with the load generator: compare ratios, not absolute numbers."
    )

    md = [f"# Ferry benchmark — {meta.get('timestamp', '')}", "", header, ""]
    md += ["## Results", "", main_md, ""]
    if ratio_md:
        md += ["## Ferry ratios", "",
               "req/s of Ferry divided by the peer's (>1 means Ferry is faster); in brackets the "
               "peer's p99 divided by Ferry's (>1 means Ferry's tail latency is lower).", "",
               ratio_md, ""]
    if rss_md:
        md += ["## Memory (VmRSS; nginx: master + workers)", "", rss_md, ""]
    env = meta.get("env", {})
    if env:
        md += ["## Environment", ""]
        for k, v in env.items():
            md.append(f"- {k}: {v}")
        md.append("")
    if meta.get("notes"):
        md += ["## Notes", ""] + [f"- {n}" for n in meta["notes"]] + [""]

    txt = [header, "", main_txt]
    if ratio_txt:
        txt += ["", "Ferry ratios (req/s; in brackets peer p99 ÷ Ferry p99):", ratio_txt]
    if rss_txt:
        txt += ["", "Memory (VmRSS):", rss_txt]

    data = {
        "timestamp": meta.get("timestamp"),
        "params": p,
        "env": env,
        "servers": servers,
        "cases": cases,
        "results": results,
        "ferry_ratios": ratios,
        "rss": rss,
        "notes": meta.get("notes", []),
    }
    return data, "\n".join(md), "\n".join(txt)


def load_meta(path: str) -> dict:
    meta: dict = {"params": {}, "env": {}, "urls": {}, "rss": {}, "notes": []}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line or line.startswith("#") or "=" not in line:
                continue
            key, value = line.split("=", 1)
            if key in ("servers", "cases"):
                meta[key] = value.split()
            elif key == "timestamp":
                meta[key] = value
            elif key == "note":
                meta["notes"].append(value)
            elif key.startswith("param."):
                v: object = value
                try:
                    v = int(value)
                except ValueError:
                    pass
                meta["params"][key[6:]] = v
            elif key.startswith("env."):
                meta["env"][key[4:]] = value
            elif key.startswith("url."):
                _, case, server = key.split(".", 2)
                meta["urls"].setdefault(case, {})[server] = value
            elif key.startswith("rss."):
                _, server, field = key.split(".", 2)
                meta["rss"].setdefault(server, {})[field] = int(value)
    return meta


def nginx_conf(argv: list[str]) -> None:
    template, out = argv[0], argv[1]
    opts = dict(zip(argv[2::2], argv[3::2]))
    with open(opts["--json-file"], "rb") as f:
        body = f.read().decode("utf-8")
    if "$" in body:
        sys.exit("report.py: the JSON body contains '$', which nginx's `return` would expand")
    if "\n" in body or "\r" in body:
        sys.exit("report.py: the JSON body contains a newline; nginx would not return it byte for byte")
    esc = body.replace("\\", "\\\\").replace("'", "\\'")
    ctype = opts["--content-type"].replace("\\", "\\\\").replace('"', '\\"')
    user = "user root;" if os.geteuid() == 0 else ""
    with open(template, encoding="utf-8") as f:
        conf = f.read()
    for k, v in {
        "@USER_DIRECTIVE@": user,
        "@TMP@": opts["--tmp"],
        "@PORT@": opts["--port"],
        "@PUBLIC@": opts["--public"],
        "@JSON_CONTENT_TYPE@": ctype,
        "@JSON_BODY@": esc,
    }.items():
        conf = conf.replace(k, v)
    with open(out, "w", encoding="utf-8") as f:
        f.write(conf)


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    cmd, rest = sys.argv[1], sys.argv[2:]
    if cmd == "nginx-conf":
        nginx_conf(rest)
    elif cmd == "wrk":
        with open(rest[0], encoding="utf-8", errors="replace") as f:
            print(json.dumps(parse_wrk(f.read()), indent=2))
    elif cmd == "report":
        rawdir, meta_path, out_base = rest
        meta = load_meta(meta_path)
        data, md, txt = build_report(rawdir, meta)
        with open(out_base + ".md", "w", encoding="utf-8") as f:
            f.write(md)
        with open(out_base + ".json", "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2, ensure_ascii=False)
            f.write("\n")
        print(txt)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
