#!/usr/bin/env python3
"""Turns the h2load outputs of Benchmarks/run-h2.sh into a Markdown table and JSON, with ratios."""
import argparse
import json
import os
import re

NAMES = {"ferry": "Ferry", "nginx": "nginx", "hummingbird": "Hummingbird"}
CASES = {"static-1k": "1 KiB static", "static-1m": "1 MiB static", "json": "small JSON GET"}
MODES = {"h2c": "h2c (prior knowledge)", "tls": "TLS (ALPN h2)"}


def parse(path):
    text = open(path).read()
    finished = re.search(r"finished in ([\d.]+)s, ([\d.]+) req/s, ([\d.]+)([KMG]?B)/s", text)
    requests = re.search(r"requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded, (\d+) failed, (\d+) errored",
                         text)
    mean = re.search(r"time for request:\s+\S+\s+\S+\s+(\S+)", text)
    unit = {"B": 1 / 2**20, "KB": 1 / 1024, "MB": 1, "GB": 1024}[finished.group(4)]
    return {
        "rps": float(finished.group(2)),
        "mib_s": float(finished.group(3)) * unit,
        "succeeded": int(requests.group(3)),
        "failed": int(requests.group(4)) + int(requests.group(5)),
        "mean_request_time": mean.group(1) if mean else "?",
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("raw")
    parser.add_argument("out")
    parser.add_argument("--param", default="")
    parser.add_argument("--env", action="append", default=[])
    args = parser.parse_args()
    results = {}
    for name in sorted(os.listdir(args.raw)):
        mode, case, server = name[:-4].split("__")
        results.setdefault(mode, {}).setdefault(case, {})[server] = parse(os.path.join(args.raw, name))

    lines = ["# Ferry HTTP/2 benchmark", "", f"{args.param}, servers interleaved per case. One machine, 2 cores "
             "shared with the load generator: compare ratios, not absolute numbers.", "", "## Results", "",
             "| mode | case | server | req/s | MiB/s | mean request time | failed | req/s ÷ nginx |",
             "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: |"]
    ratios = []
    for mode in [m for m in MODES if m in results]:
        for case in [c for c in CASES if c in results[mode]]:
            row = results[mode][case]
            nginx = row.get("nginx", {}).get("rps")
            for server in [s for s in NAMES if s in row]:
                r = row[server]
                ratio = f"{r['rps'] / nginx:.2f}×" if nginx else "–"
                lines.append(f"| {MODES[mode]} | {CASES[case]} | {NAMES[server]} | {r['rps']:,.0f} | "
                             f"{r['mib_s']:,.1f} | {r['mean_request_time']} | {r['failed']} | {ratio} |")
            if "ferry" in row:
                ferry = row["ferry"]["rps"]
                ratios.append((MODES[mode], CASES[case],
                               f"{ferry / nginx:.2f}×" if nginx else "–",
                               f"{ferry / row['hummingbird']['rps']:.2f}×" if row.get("hummingbird", {}).get("rps") else "–"))
    lines += ["", "## Ferry ratios", "", "| mode | case | Ferry/nginx | Ferry/Hummingbird |", "| --- | --- | ---: | ---: |"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in ratios]
    lines += ["", "## Environment", ""] + [f"- {e}" for e in args.env]
    text = "\n".join(lines) + "\n"
    open(args.out + ".md", "w").write(text)
    json.dump({"param": args.param, "env": args.env, "results": results}, open(args.out + ".json", "w"), indent=2)
    print(text)


if __name__ == "__main__":
    main()
