#!/usr/bin/env bash
# Benchmarks/run.sh — Ferry side by side with nginx, Hummingbird 2 and Vapor 4, in one run.
#
# The load generator (wrk) shares the machine's cores with the servers, so absolute numbers mean
# little: every server is measured in the same run, interleaved per case, and reported as ratios.
# Never run in CI. See Benchmarks/README.md.
#
# Environment:
#   DURATION=10        seconds per measured wrk run          WARMUP=3   seconds of warm-up per run
#   CONNECTIONS=64     wrk connections                        THREADS=2  wrk threads
#   SERVERS="ferry nginx hummingbird vapor"                   (any subset, in this order or another)
#   PORT_BASE=18080    ferry +0, nginx +1, hummingbird +2, vapor +3 (all on 127.0.0.1)
#   SOAK_REQUESTS=1000000  requests sent to SOAK_SERVER (default ferry, else the first server)
#                      on 1 KiB static before its RSS is read again; SOAK_SLICE=10 s per wrk run,
#                      SOAK_MAX_SLICES=12 (bounds the soak in time)
#   FERRY_JSON_PATH    Ferry's JSON route (default: /api/v1/bench/json if it answers 200, else
#                      /api/v1/version). The peers and nginx are given Ferry's exact body.
#   FERRY_ARGS         extra arguments for `ferry serve` (word-split)
#   FERRY_BIN          a ferry binary to use instead of building .build/release/ferry
#   SKIP_BUILD=1       use the existing release builds        KEEP_TMP=1 keep the temp folder
#   RESULTS_DIR        where <UTC timestamp>.md/.json go (default Benchmarks/results)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"

DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-3}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-2}"
SERVERS="${SERVERS:-ferry nginx hummingbird vapor}"
PORT_BASE="${PORT_BASE:-18080}"
SOAK_REQUESTS="${SOAK_REQUESTS:-1000000}"
SOAK_SLICE="${SOAK_SLICE:-10}"
SOAK_MAX_SLICES="${SOAK_MAX_SLICES:-12}"
SOAK_SERVER="${SOAK_SERVER:-}"
FERRY_JSON_PATH="${FERRY_JSON_PATH:-}"
FERRY_ARGS="${FERRY_ARGS:-}"
FERRY_BIN="${FERRY_BIN:-}"
BENCH_TAG=bench
# shellcheck source=lib/common.sh
source "$BENCH_DIR/lib/common.sh"

DEFAULT_JSON='{"status":"ok","service":"ferry","version":"0.1.0"}'
PEER_JSON_PATH=/api/v1/bench/json
CASES=(static-1k static-1m revalidate-304 json)

require_whole_numbers DURATION WARMUP CONNECTIONS THREADS PORT_BASE SOAK_REQUESTS SOAK_SLICE SOAK_MAX_SLICES
((DURATION > 0 && THREADS > 0 && CONNECTIONS >= THREADS)) || die "need DURATION>0 and CONNECTIONS>=THREADS>0"

read -r -a SERVER_LIST <<<"$SERVERS"
((${#SERVER_LIST[@]} > 0)) || die "SERVERS is empty"
declare -A PORT=()
for s in "${SERVER_LIST[@]}"; do
    case "$s" in
        ferry) PORT[$s]=$((PORT_BASE + 0)) ;;
        nginx) PORT[$s]=$((PORT_BASE + 1)) ;;
        hummingbird) PORT[$s]=$((PORT_BASE + 2)) ;;
        vapor) PORT[$s]=$((PORT_BASE + 3)) ;;
        *) die "unknown server '$s' (known: ferry nginx hummingbird vapor)" ;;
    esac
done
has_server() { [[ " ${SERVER_LIST[*]} " == *" $1 "* ]]; }
if [[ -z "$SOAK_SERVER" ]]; then
    if has_server ferry; then SOAK_SERVER=ferry; else SOAK_SERVER="${SERVER_LIST[0]}"; fi
fi
has_server "$SOAK_SERVER" || die "SOAK_SERVER=$SOAK_SERVER is not in SERVERS"

# --- tools -------------------------------------------------------------------------------------
tools=(wrk:wrk curl:curl)
if has_server nginx && [[ ! -x /usr/sbin/nginx ]]; then tools+=(nginx:nginx-light); fi
require_tools "${tools[@]}"
command -v python3 >/dev/null || die "python3 is needed for report.py"
NGINX_BIN="$(command -v nginx || echo /usr/sbin/nginx)"

# --- temp folder and cleanup -------------------------------------------------------------------
bench_workdir ferry-bench
mkdir -p "$WORK/raw" "$WORK/verify" "$WORK/soak"
declare -A PID=()
NOTES=()
FERRY_CMD_ARGS=""

# --- build -------------------------------------------------------------------------------------
declare -A BIN=()
if has_server ferry; then
    if [[ -n "$FERRY_BIN" ]]; then
        BIN[ferry]="$FERRY_BIN"
    else
        build_release "$ROOT" ferry ferry
        BIN[ferry]="$(release_bin "$ROOT" ferry)"
    fi
fi
for peer in hummingbird vapor; do
    has_server "$peer" || continue
    dir="$BENCH_DIR/peers/$peer-bench"
    build_release "$dir" "$peer"
    exe=HummingbirdBench
    [[ "$peer" == vapor ]] && exe=VaporBench
    BIN[$peer]="$(release_bin "$dir" "$exe")"
done

# --- fixtures ----------------------------------------------------------------------------------
PUBLIC="$WORK/public"
make_static_fixtures "$PUBLIC"

# --- helpers -----------------------------------------------------------------------------------
alive_or_die() { # server
    local s="$1"
    if ! kill -0 "${PID[$s]}" 2>/dev/null; then
        tail -n 30 "$WORK/logs/$s.log" >&2 || true
        die "$s (pid ${PID[$s]}) is no longer running (its log above)"
    fi
}

wait_ready() { # server
    local s="$1" url="http://127.0.0.1:${PORT[$1]}/bench-1k.bin" i
    for ((i = 0; i < 600; i++)); do
        alive_or_die "$s"
        if curl -fsS -o /dev/null --max-time 1 "$url" 2>/dev/null; then
            log "$s is up on 127.0.0.1:${PORT[$s]} (pid ${PID[$s]})"
            return 0
        fi
        sleep 0.1
    done
    tail -n 30 "$WORK/logs/$s.log" >&2 || true
    die "$s did not answer $url within 60 s"
}

declare -A RSS_IDLE=()
start_server() { # server
    local s="$1" port="${PORT[$1]}" args=() help
    port_busy "$port" && die "port $port (for $s) is already in use; set PORT_BASE"
    case "$s" in
        ferry)
            help="$("${BIN[ferry]}" serve --help 2>&1)" ||
                die "'ferry serve --help' failed — is 'serve' implemented? Run with SERVERS=\"nginx hummingbird vapor\" meanwhile. Output: $help"
            args=(serve --host 127.0.0.1 --port "$port" --public "$PUBLIC")
            if grep -q -- '--log-level' <<<"$help"; then args+=(--log-level error); else NOTES+=("ferry serve has no --log-level; not passed"); fi
            if grep -q -- '--access-log' <<<"$help"; then args+=(--access-log off); else NOTES+=("ferry serve has no --access-log; not passed"); fi
            if grep -Eq -- '--data([^a-zA-Z-]|$)' <<<"$help"; then args+=(--data "$WORK/ferry-data"); fi
            if grep -q -- '--templates' <<<"$help" && [[ -d "$ROOT/Templates" ]]; then args+=(--templates "$ROOT/Templates"); fi
            # shellcheck disable=SC2206 # word-splitting FERRY_ARGS is intended
            [[ -n "$FERRY_ARGS" ]] && args+=($FERRY_ARGS)
            FERRY_CMD_ARGS="${args[*]}"
            log "starting ferry $FERRY_CMD_ARGS"
            "${BIN[ferry]}" "${args[@]}" >"$WORK/logs/ferry.log" 2>&1 &
            ;;
        nginx)
            mkdir -p "$WORK/nginx"
            python3 "$BENCH_DIR/report.py" nginx-conf "$BENCH_DIR/nginx.conf.template" "$WORK/nginx/nginx.conf" \
                --tmp "$WORK/nginx" --port "$port" --public "$PUBLIC" \
                --json-file "$EXPECTED_JSON" --content-type "$JSON_CTYPE"
            "$NGINX_BIN" -t -q -p "$WORK/nginx" -e "$WORK/nginx/error.log" -c "$WORK/nginx/nginx.conf" \
                >"$WORK/logs/nginx-t.log" 2>&1 || { cat "$WORK/logs/nginx-t.log" >&2; die "nginx -t failed"; }
            "$NGINX_BIN" -p "$WORK/nginx" -e "$WORK/nginx/error.log" -c "$WORK/nginx/nginx.conf" \
                >"$WORK/logs/nginx.log" 2>&1 &
            ;;
        hummingbird | vapor)
            "${BIN[$s]}" --host 127.0.0.1 --port "$port" --public "$PUBLIC" \
                --json-body "$JSON_BODY" --json-content-type "$JSON_CTYPE" >"$WORK/logs/$s.log" 2>&1 &
            ;;
    esac
    PID[$s]=$!
    track_pid "${PID[$s]}"
    wait_ready "$s"
    sleep 1
    RSS_IDLE[$s]=$(rss_kib "${PID[$s]}")
}

header_value() { # file name -> first value of that header (CR stripped)
    awk -v n="$(tr '[:upper:]' '[:lower:]' <<<"$2")" '
        { line = $0; sub(/\r$/, "", line) }
        tolower(substr(line, 1, length(n) + 1)) == n ":" { v = substr(line, length(n) + 2); sub(/^[ \t]+/, "", v); print v; exit }
    ' "$1"
}

declare -A JSON_URL=()
json_url() { # server
    if [[ "$1" == ferry ]]; then echo "http://127.0.0.1:${PORT[ferry]}$FERRY_JSON_PATH"; else echo "http://127.0.0.1:${PORT[$1]}$PEER_JSON_PATH"; fi
}

NOTES+=("fixtures: bench-1k.bin (1024 random bytes), bench-1m.bin (1048576 random bytes), made for this run")

# --- start the servers -------------------------------------------------------------------------
EXPECTED_JSON="$WORK/expected.json"
JSON_CTYPE=application/json
if has_server ferry; then
    start_server ferry
    candidates=(/api/v1/bench/json /api/v1/version)
    [[ -n "$FERRY_JSON_PATH" ]] && candidates=("$FERRY_JSON_PATH")
    FERRY_JSON_PATH=""
    for p in "${candidates[@]}"; do
        code=$(curl -sS -o "$EXPECTED_JSON" -D "$WORK/ferry-json.headers" -w '%{http_code}' \
            "http://127.0.0.1:${PORT[ferry]}$p" || true)
        if [[ "$code" == 200 ]]; then FERRY_JSON_PATH="$p"; break; fi
    done
    [[ -n "$FERRY_JSON_PATH" ]] ||
        die "Ferry answers none of ${candidates[*]} with 200; set FERRY_JSON_PATH to its small JSON route"
    ct="$(header_value "$WORK/ferry-json.headers" content-type)"
    [[ -n "$ct" ]] && JSON_CTYPE="$ct"
    log "Ferry's JSON route $FERRY_JSON_PATH: $(head -c 200 "$EXPECTED_JSON") ($JSON_CTYPE)"
    NOTES+=("JSON case: Ferry $FERRY_JSON_PATH, others $PEER_JSON_PATH, all returning Ferry's exact body ($(stat -c %s "$EXPECTED_JSON") bytes, $JSON_CTYPE)")
else
    printf '%s' "$DEFAULT_JSON" >"$EXPECTED_JSON"
    NOTES+=("JSON case: $PEER_JSON_PATH returning the default body ($(stat -c %s "$EXPECTED_JSON") bytes, $JSON_CTYPE); Ferry not in this run")
fi
IFS= read -r -d '' JSON_BODY <"$EXPECTED_JSON" || true

for s in "${SERVER_LIST[@]}"; do
    [[ "$s" == ferry ]] && continue
    start_server "$s"
done

# --- verify identical bytes and find each server's validator -----------------------------------
declare -A REVALIDATE=()
for s in "${SERVER_LIST[@]}"; do
    base="http://127.0.0.1:${PORT[$s]}"
    for f in bench-1k.bin bench-1m.bin; do
        code=$(curl -sS -o "$WORK/verify/$s-$f" -w '%{http_code}' "$base/$f") || die "$s: GET /$f failed"
        [[ "$code" == 200 ]] || die "$s: GET /$f returned $code, expected 200"
        cmp -s "$PUBLIC/$f" "$WORK/verify/$s-$f" || die "$s: /$f body differs from the fixture ($(stat -c %s "$WORK/verify/$s-$f") bytes)"
    done
    JSON_URL[$s]="$(json_url "$s")"
    code=$(curl -sS -o "$WORK/verify/$s.json" -D "$WORK/verify/$s.json.headers" -w '%{http_code}' "${JSON_URL[$s]}") ||
        die "$s: GET ${JSON_URL[$s]} failed"
    [[ "$code" == 200 ]] || die "$s: GET ${JSON_URL[$s]} returned $code, expected 200"
    cmp -s "$EXPECTED_JSON" "$WORK/verify/$s.json" ||
        die "$s: JSON body differs: got '$(head -c 300 "$WORK/verify/$s.json")', expected '$(head -c 300 "$EXPECTED_JSON")'"
    ct="$(header_value "$WORK/verify/$s.json.headers" content-type)"
    [[ "$ct" == "$JSON_CTYPE" ]] || NOTES+=("$s: JSON Content-Type is '$ct' (expected '$JSON_CTYPE')")

    curl -sS -D "$WORK/verify/$s-1k.headers" -o /dev/null "$base/bench-1k.bin" || die "$s: GET /bench-1k.bin failed"
    etag="$(header_value "$WORK/verify/$s-1k.headers" etag)"
    lm="$(header_value "$WORK/verify/$s-1k.headers" last-modified)"
    if [[ -n "$etag" ]]; then
        REVALIDATE[$s]="If-None-Match: $etag"
    elif [[ -n "$lm" ]]; then
        REVALIDATE[$s]="If-Modified-Since: $lm"
        NOTES+=("$s returns no ETag; its 304 case uses If-Modified-Since")
    else
        die "$s returns neither ETag nor Last-Modified for /bench-1k.bin"
    fi
    code=$(curl -sS -o /dev/null -w '%{http_code}' -H "${REVALIDATE[$s]}" "$base/bench-1k.bin") || die "$s: conditional GET failed"
    [[ "$code" == 304 ]] || die "$s: GET /bench-1k.bin with '${REVALIDATE[$s]}' returned $code, expected 304"
    log "$s verified: identical bytes for bench-1k.bin, bench-1m.bin, JSON; 304 with '${REVALIDATE[$s]}'"
done

# --- run ---------------------------------------------------------------------------------------
TIMESTAMP="$(utc_stamp)"
META="$WORK/meta.txt"

wrk_run() { # out duration url [header]
    local out="$1" d="$2" url="$3"
    local args=(-t"$THREADS" -c"$CONNECTIONS" -d"${d}s" --latency)
    [[ $# -ge 4 && -n "$4" ]] && args+=(-H "$4")
    wrk "${args[@]}" "$url" >"$out" 2>&1 || { cat "$out" >&2; die "wrk failed for $url"; }
}

case_url() { # case server
    local base="http://127.0.0.1:${PORT[$2]}"
    case "$1" in
        static-1k | revalidate-304) echo "$base/bench-1k.bin" ;;
        static-1m) echo "$base/bench-1m.bin" ;;
        json) echo "${JSON_URL[$2]}" ;;
    esac
}

total=$((${#CASES[@]} * ${#SERVER_LIST[@]}))
n=0
est=$((total * (DURATION + WARMUP) + SOAK_SLICE * 3))
log "running $total measurements (~${est}s or more): wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s, warm-up ${WARMUP}s"
{
    echo "timestamp=$TIMESTAMP"
    echo "servers=${SERVER_LIST[*]}"
    echo "cases=${CASES[*]}"
} >"$META"
for c in "${CASES[@]}"; do
    for s in "${SERVER_LIST[@]}"; do
        n=$((n + 1))
        url="$(case_url "$c" "$s")"
        hdr=""
        [[ "$c" == revalidate-304 ]] && hdr="${REVALIDATE[$s]}"
        echo "url.$c.$s=$url${hdr:+ ($hdr)}" >>"$META"
        if ((WARMUP > 0)); then
            wrk_run "$WORK/raw/warmup-$c-$s.txt" "$WARMUP" "$url" "$hdr"
            alive_or_die "$s"
        fi
        wrk_run "$WORK/raw/${c}__${s}.txt" "$DURATION" "$url" "$hdr"
        alive_or_die "$s"
        rps=$(awk '/^Requests\/sec:/ {print $2}' "$WORK/raw/${c}__${s}.txt")
        p99=$(awk '$1 == "99%" {print $2}' "$WORK/raw/${c}__${s}.txt")
        log "[$n/$total] $c $s: ${rps:-?} req/s, p99 ${p99:-?}"
    done
done

declare -A RSS_AFTER=()
for s in "${SERVER_LIST[@]}"; do RSS_AFTER[$s]=$(rss_kib "${PID[$s]}"); done

# --- soak: ≥ SOAK_REQUESTS requests on 1 KiB static, then RSS again ------------------------------
soak_total=0
slices=0
soak_url="http://127.0.0.1:${PORT[$SOAK_SERVER]}/bench-1k.bin"
log "soak: $SOAK_SERVER until ≥$SOAK_REQUESTS requests (${SOAK_SLICE}s slices, at most $SOAK_MAX_SLICES)"
while ((soak_total < SOAK_REQUESTS && slices < SOAK_MAX_SLICES)); do
    slices=$((slices + 1))
    wrk_run "$WORK/soak/$slices.txt" "$SOAK_SLICE" "$soak_url"
    alive_or_die "$SOAK_SERVER"
    got=$(awk '/requests in/ {print $1; exit}' "$WORK/soak/$slices.txt")
    soak_total=$((soak_total + ${got:-0}))
done
RSS_SOAK=$(rss_kib "${PID[$SOAK_SERVER]}")
log "soak: $soak_total requests in $slices slice(s); $SOAK_SERVER RSS ${RSS_IDLE[$SOAK_SERVER]} KiB idle -> $RSS_SOAK KiB"
((soak_total >= SOAK_REQUESTS)) || NOTES+=("soak stopped at SOAK_MAX_SLICES with $soak_total requests (< $SOAK_REQUESTS)")

# --- report ------------------------------------------------------------------------------------
peer_version() { # dir package
    local f="$1/Package.resolved"
    [[ -f "$f" ]] || { echo "?"; return; }
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(next((p["state"].get("version") or p["state"].get("revision","?")[:12] for p in d.get("pins",[]) if p["identity"]==sys.argv[2]),"?"))' "$f" "$2"
}
{
    echo "param.duration=$DURATION"
    echo "param.warmup=$WARMUP"
    echo "param.connections=$CONNECTIONS"
    echo "param.threads=$THREADS"
    echo "param.soak_requests=$SOAK_REQUESTS"
    echo "env.cpus=$(nproc)"
    echo "env.cpu=$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
    echo "env.kernel=$(uname -sr)"
    echo "env.wrk=$(wrk -v 2>&1 | head -n1 | awk '{print $2}')"
    has_server nginx && echo "env.nginx=$("$NGINX_BIN" -v 2>&1 | sed 's/^nginx version: //')"
    echo "env.swift=$(swift --version 2>/dev/null | head -n1)"
    has_server hummingbird && echo "env.hummingbird=$(peer_version "$BENCH_DIR/peers/hummingbird-bench" hummingbird)"
    has_server vapor && echo "env.vapor=$(peer_version "$BENCH_DIR/peers/vapor-bench" vapor)"
    if has_server ferry; then
        if rev=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null); then
            git -C "$ROOT" diff --quiet HEAD -- Sources Package.swift 2>/dev/null || rev="$rev (uncommitted changes)"
        else
            rev="no commit"
        fi
        echo "env.ferry=$rev"
        echo "env.ferry_bin=${BIN[ferry]}"
        echo "env.ferry_args=${FERRY_CMD_ARGS:-}"
    fi
    for s in "${SERVER_LIST[@]}"; do
        echo "rss.$s.idle_kib=${RSS_IDLE[$s]}"
        echo "rss.$s.after_cases_kib=${RSS_AFTER[$s]}"
    done
    echo "rss.$SOAK_SERVER.after_soak_kib=$RSS_SOAK"
    echo "rss.$SOAK_SERVER.soak_requests=$soak_total"
    for note in "${NOTES[@]}"; do echo "note=$note"; done
} >>"$META"

mkdir -p "$RESULTS_DIR"
out="$RESULTS_DIR/$TIMESTAMP"
echo
python3 "$BENCH_DIR/report.py" report "$WORK/raw" "$META" "$out"
echo
log "wrote ${out}.md and ${out}.json"
