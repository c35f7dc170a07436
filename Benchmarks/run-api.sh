#!/usr/bin/env bash
# Benchmarks/run-api.sh — authenticated JSON GETs, Ferry side by side with the same routes written
# with Hummingbird 2 over the same store (Benchmarks/peers/hummingbird-api-bench), in one run.
#
# Cases: GET /api/v1/me and GET /api/v1/teams/{id}/members (a team of MEMBERS people), each with a
# session cookie and with a bearer token, on SQLite and on PostgreSQL (a throw-away cluster).
# Both servers open the same store; servers are interleaved per case; ratios are what count.
# Never run in CI. See Benchmarks/README.md.
#
# Environment:
#   DURATION=10  WARMUP=3  CONNECTIONS=32  THREADS=2   wrk settings
#   BACKENDS="sqlite postgres"   MEMBERS=20   PORT_BASE=18090 (ferry +0, hummingbird +1)
#   SKIP_BUILD=1 use existing release builds   RESULTS_DIR (default Benchmarks/results)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-3}"
CONNECTIONS="${CONNECTIONS:-32}"
THREADS="${THREADS:-2}"
BACKENDS="${BACKENDS:-sqlite postgres}"
MEMBERS="${MEMBERS:-20}"
PORT_BASE="${PORT_BASE:-18090}"
PASSWORD="benchmark passphrase"
FERRY="$ROOT/.build/release/ferry"
PEER_DIR="$BENCH_DIR/peers/hummingbird-api-bench"
PEER="$PEER_DIR/.build/release/HummingbirdAPIBench"

BENCH_TAG=bench-api
# shellcheck source=lib/common.sh
source "$BENCH_DIR/lib/common.sh"
require_tools wrk:wrk curl:curl
bench_workdir ferry-bench-api
PG_DIR="$WORK/postgres"
# Called by the exit trap after the servers are stopped.
bench_after_cleanup() { "$ROOT/scripts/postgres-cluster" stop "$PG_DIR" 2>/dev/null || true; }

build_release "$ROOT" ferry ferry
build_release "$PEER_DIR" hummingbird-api

measure() { # name url header → prints "reqs p99ms"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -H "$3" "$2" >/dev/null
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -H "$3" "$2" | python3 -c '
import re, sys
text = sys.stdin.read()
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
value, unit = re.search(r"\s99%\s+([\d.]+)(us|ms|s)", text).groups()
p99 = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
if errors: sys.exit(f"{errors.group(1)} error responses")
print(f"{rate:.0f} {p99:.2f}")'
}

ROWS=()
for backend in $BACKENDS; do
    data="$WORK/data-$backend"
    mkdir -p "$data"
    store=(--data "$data")
    if [[ "$backend" == postgres ]]; then
        base="$("$ROOT/scripts/postgres-cluster" start "$PG_DIR")"
        psql "$base" -q -c "CREATE DATABASE ferry_bench"
        store+=(--database "${base%/*}/ferry_bench")
    fi
    log "$backend: seeding a team of $MEMBERS"
    echo "$PASSWORD" | "$FERRY" admin create --email root@bench.example --name Root --team Bench \
        --password-stdin "${store[@]}" >/dev/null
    for i in $(seq 1 "$MEMBERS"); do
        echo "$PASSWORD" | "$FERRY" user add --email "u$i@bench.example" --name "User $i" --password-stdin \
            "${store[@]}" >/dev/null
        "$FERRY" team add-member Bench "u$i@bench.example" "${store[@]}" >/dev/null
    done
    token="$("$FERRY" token create --user u1@bench.example --name bench --scopes read "${store[@]}")"

    "$FERRY" serve --port "$PORT_BASE" --access-log off --log-level error "${store[@]}" >"$WORK/ferry.log" 2>&1 &
    ferry_pid=$!
    track_pid $ferry_pid
    "$PEER" --port $((PORT_BASE + 1)) "${store[@]}" >"$WORK/peer.log" 2>&1 &
    peer_pid=$!
    track_pid $peer_pid
    wait_http "http://127.0.0.1:$PORT_BASE/api/v1/health"
    sleep 1
    cookie="$(curl -fs -D - -o /dev/null -X POST -H 'Content-Type: application/json' \
        -d "{\"email\":\"u1@bench.example\",\"password\":\"$PASSWORD\"}" \
        "http://127.0.0.1:$PORT_BASE/api/v1/session" | grep -io 'ferry_session=[^;]*')"
    team="$(curl -fs -H "Authorization: Bearer $token" "http://127.0.0.1:$PORT_BASE/api/v1/me" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["teams"][0]["id"])')"
    for case in me-cookie me-token members-cookie members-token; do
        path=/api/v1/me
        [[ "$case" == members-* ]] && path="/api/v1/teams/$team/members"
        header="Cookie: $cookie"
        [[ "$case" == *-token ]] && header="Authorization: Bearer $token"
        # Both answer the same document (the peer is checked, not trusted).
        curl -fs -H "$header" "http://127.0.0.1:$((PORT_BASE + 1))$path" | grep -q '"email"' ||
            { log "the peer does not answer $path"; exit 1; }
        read -r ferry_rate ferry_p99 < <(measure ferry "http://127.0.0.1:$PORT_BASE$path" "$header")
        read -r peer_rate peer_p99 < <(measure hummingbird "http://127.0.0.1:$((PORT_BASE + 1))$path" "$header")
        ratio="$(python3 -c "print(f'{$ferry_rate / $peer_rate:.2f}')")"
        log "$backend $case: ferry $ferry_rate req/s (p99 $ferry_p99 ms), hummingbird $peer_rate req/s (p99 $peer_p99 ms): ${ratio}x"
        ROWS+=("| $backend | $case | $ferry_rate | $ferry_p99 | $peer_rate | $peer_p99 | ${ratio}× |")
    done
    stop_pids "$ferry_pid" "$peer_pid"
    [[ "$backend" == postgres ]] && "$ROOT/scripts/postgres-cluster" stop "$PG_DIR"
done

mkdir -p "$RESULTS_DIR"
out="$RESULTS_DIR/api-$(utc_stamp).md"
{
    echo "# Authenticated JSON GETs: Ferry vs Hummingbird 2 over the same store"
    echo
    echo "$(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s" \
        "(warm-up ${WARMUP}s), team of $((MEMBERS + 1)), caller is a member; p99 in ms."
    echo
    echo "| store | case | Ferry req/s | Ferry p99 | Hummingbird req/s | Hummingbird p99 | Ferry/Hummingbird |"
    echo "|---|---|---:|---:|---:|---:|---:|"
    printf '%s\n' "${ROWS[@]}"
} >"$out"
cat "$out"
log "written $out"
