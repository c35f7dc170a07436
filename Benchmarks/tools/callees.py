#!/usr/bin/env python3
"""Where a function's time goes, from `perf record -g` data.

    perf record -g -p PID -o perf.data -- sleep 5
    Benchmarks/tools/callees.py perf.data 'HTTP1ConnectionHandler.send' [depth] [--callers]

For every sample whose stack contains a frame matching the pattern (demangled, substring), it
counts the frame directly below the matching one, then (depth > 1) below that, and prints the
share of all samples. The quick way to read an inclusive profile of Swift code without
flame-graph tooling. With --callers it counts the frames above the match instead: who calls it.
"""
import collections
import subprocess
import sys


def load(path):
    text = subprocess.run(["perf", "script", "-i", path, "-F", "ip,sym"], capture_output=True, text=True).stdout
    stacks, current = [], []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            if current:
                stacks.append(current)
                current = []
            continue
        parts = line.split(None, 1)
        current.append(parts[1] if len(parts) > 1 else "?")
    if current:
        stacks.append(current)
    mangled = sorted({frame for stack in stacks for frame in stack if frame.startswith("$s")})
    demangled = subprocess.run(
        ["swift-demangle", "--simplified", "--compact"], input="\n".join(mangled), capture_output=True, text=True
    ).stdout.splitlines()
    names = dict(zip(mangled, demangled))
    return [[names.get(frame, frame) for frame in stack] for stack in stacks]


def main():
    callers = "--callers" in sys.argv
    arguments = [a for a in sys.argv[1:] if a != "--callers"]
    path, pattern = arguments[0], arguments[1]
    depth = int(arguments[2]) if len(arguments) > 2 else 1
    stacks = load(path)
    if callers:
        # Outermost-first stacks, so "below" the match are its callers.
        stacks = [stack[::-1] for stack in stacks]
    total = len(stacks)
    tree = collections.Counter()
    inside = 0
    for stack in stacks:
        # outermost match: the stack is leaf-first
        hits = [i for i, frame in enumerate(stack) if pattern in frame]
        if not hits:
            continue
        inside += 1
        i = hits[0] if callers else hits[-1]
        path_ = tuple(stack[max(i - depth, 0) : i][::-1]) or ("(self)",)
        for d in range(1, len(path_) + 1):
            tree[path_[:d]] += 1
    print(f"{100 * inside / total:5.1f}%  {pattern}  ({inside} of {total} samples)")
    def show(prefix):
        children = [key for key in tree if len(key) == len(prefix) + 1 and key[: len(prefix)] == prefix]
        for key in sorted(children, key=lambda k: -tree[k]):
            if 100 * tree[key] / total < 0.3:
                continue
            print(f"{100 * tree[key] / total:5.1f}%  {'  ' * len(key)}{key[-1][:120]}")
            show(key)

    show(())

if __name__ == "__main__":
    main()
