#!/usr/bin/env bash
# Benchmarks/run-h2.sh — HTTP/2 side by side: Ferry (nghttp2), nginx (`listen … http2`) and
# Hummingbird 2 (swift-nio-http2), over cleartext (prior knowledge) and TLS, with h2load.
#
# The load generator shares the machine's 2 cores with the servers: compare the ratios of one run,
# not req/s across runs. Never run in CI. See Benchmarks/README.md.
#
# Environment:
#   DURATION=10   seconds per measured h2load run (-D)      WARMUP=2   seconds of warm-up per run
#   CLIENTS=16    h2load -c (connections)                    STREAMS=32 h2load -m (streams per connection)
#   SERVERS="ferry nginx hummingbird"   MODES="h2c tls"      PORT_BASE=18180
#   SKIP_BUILD=1  use existing release builds                KEEP_TMP=1 keep the temp folder
#   RESULTS_DIR   where h2-<UTC timestamp>.md/.json go (default Benchmarks/results)
set -euo pipefail

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-2}"
CLIENTS="${CLIENTS:-16}"
STREAMS="${STREAMS:-32}"
SERVERS="${SERVERS:-ferry nginx hummingbird}"
MODES="${MODES:-h2c tls}"
PORT_BASE="${PORT_BASE:-18180}"
CASES=(static-1k static-1m json)
BENCH_TAG=h2-bench
# shellcheck source=lib/common.sh
source "$BENCH_DIR/lib/common.sh"

require_whole_numbers DURATION WARMUP CLIENTS STREAMS PORT_BASE
require_tools h2load:nghttp2-client curl:curl python3:python3
NGINX_BIN="$(command -v nginx || echo /usr/sbin/nginx)"
read -r -a SERVER_LIST <<<"$SERVERS"
read -r -a MODE_LIST <<<"$MODES"

port_of() { # server mode
    local offset=0
    case "$1" in ferry) offset=0 ;; nginx) offset=1 ;; hummingbird) offset=2 ;; *) die "unknown server $1" ;; esac
    [[ "$2" == tls ]] && offset=$((offset + 10))
    echo $((PORT_BASE + offset))
}

bench_workdir ferry-h2-bench
mkdir -p "$WORK/raw" "$WORK/public" "$WORK/tls" "$WORK/nginx"

# --- build -------------------------------------------------------------------------------------
build_release "$ROOT" ferry ferry
[[ " ${SERVER_LIST[*]} " == *" hummingbird "* ]] &&
    build_release "$BENCH_DIR/peers/hummingbird-h2-bench" hummingbird
FERRY="$(release_bin "$ROOT" ferry)"
HUMMINGBIRD="$(cd "$BENCH_DIR/peers/hummingbird-h2-bench" && swift build -c release --show-bin-path)/HummingbirdH2Bench"

# --- fixtures ----------------------------------------------------------------------------------
PUBLIC="$WORK/public"
make_static_fixtures "$PUBLIC"
"$FERRY" tls self-signed --host 127.0.0.1 localhost --out "$WORK/tls" >/dev/null
CERT="$WORK/tls/cert.pem"
KEY="$WORK/tls/key.pem"
chmod 644 "$KEY"  # nginx workers may run as another user; this key is throw-away

# --- servers -----------------------------------------------------------------------------------
url_of() { # server mode path
    local scheme=http
    [[ "$2" == tls ]] && scheme=https
    echo "$scheme://127.0.0.1:$(port_of "$1" "$2")$3"
}

wait_up() { # server mode
    local url i
    url="$(url_of "$1" "$2" /bench-1k.bin)"
    for ((i = 0; i < 300; i++)); do
        if [[ "$2" == tls ]]; then
            curl -fsSk --http2 -o /dev/null --max-time 1 "$url" 2>/dev/null && return 0
        else
            curl -fsS --http2-prior-knowledge -o /dev/null --max-time 1 "$url" 2>/dev/null && return 0
        fi
        sleep 0.1
    done
    die "$1 ($2) did not answer $url"
}

has_mode() { [[ " ${MODE_LIST[*]} " == *" $1 "* ]]; }
# Every server answers the small JSON case at Ferry's route, with Ferry's exact bytes.
JSON_PATH=/api/v1/version
for s in "${SERVER_LIST[@]}"; do
    case "$s" in
        ferry)
            for m in "${MODE_LIST[@]}"; do
                args=(serve --host 127.0.0.1 --port "$(port_of ferry "$m")" --public "$PUBLIC" --log-level error
                    --access-log off --data "$WORK/ferry-data-$m" --templates "$ROOT/Templates")
                [[ "$m" == tls ]] && args+=(--tls-cert "$CERT" --tls-key "$KEY")
                "$FERRY" "${args[@]}" >"$WORK/logs/ferry-$m.log" 2>&1 &
                track_pid $!
                wait_up ferry "$m"
            done
            ;;
    esac
done

# The JSON every server returns: Ferry's own bytes.
if [[ " ${SERVER_LIST[*]} " == *" ferry "* ]]; then
    m="${MODE_LIST[0]}"
    curl -fsSk --http2-prior-knowledge -o "$WORK/expected.json" "$(url_of ferry h2c "$JSON_PATH")" 2>/dev/null ||
        curl -fsSk --http2 -o "$WORK/expected.json" "$(url_of ferry "$m" "$JSON_PATH")"
else
    printf '%s' '{"name":"ferry","version":"0.1.0"}' >"$WORK/expected.json"
fi
JSON_BODY="$(cat "$WORK/expected.json")"

for s in "${SERVER_LIST[@]}"; do
    case "$s" in
        nginx)
            user=""
            [[ $(id -u) -eq 0 ]] && user="user root;"
            listens=""
            has_mode h2c && listens+="listen 127.0.0.1:$(port_of nginx h2c) http2; "
            has_mode tls && listens+="listen 127.0.0.1:$(port_of nginx tls) ssl http2; "
            escaped_json="${JSON_BODY//\'/\\\'}"
            cat >"$WORK/nginx/nginx.conf" <<EOF
$user
daemon off; master_process on; worker_processes 2;
pid $WORK/nginx/nginx.pid; error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
    include /etc/nginx/mime.types; default_type application/octet-stream;
    access_log off; sendfile on; tcp_nopush on; tcp_nodelay on; server_tokens off;
    keepalive_requests 1000000; keepalive_timeout 65s;
    client_body_temp_path $WORK/nginx/cb; proxy_temp_path $WORK/nginx/p; fastcgi_temp_path $WORK/nginx/f;
    uwsgi_temp_path $WORK/nginx/u; scgi_temp_path $WORK/nginx/s;
    ssl_certificate $CERT; ssl_certificate_key $KEY; ssl_protocols TLSv1.2 TLSv1.3;
    server {
        $listens
        root $PUBLIC;
        location = $JSON_PATH { default_type application/json; return 200 '$escaped_json'; }
        location / { try_files \$uri =404; }
    }
}
EOF
            "$NGINX_BIN" -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" >"$WORK/logs/nginx.log" 2>&1 &
            track_pid $!
            for m in "${MODE_LIST[@]}"; do wait_up nginx "$m"; done
            ;;
        hummingbird)
            [[ -x "$HUMMINGBIRD" ]] || die "no $HUMMINGBIRD (run without SKIP_BUILD=1)"
            for m in "${MODE_LIST[@]}"; do
                args=(--port "$(port_of hummingbird "$m")" --public "$PUBLIC" --json-body "$JSON_BODY" --json-path "$JSON_PATH")
                [[ "$m" == tls ]] && args+=(--tls-cert "$CERT" --tls-key "$KEY")
                "$HUMMINGBIRD" "${args[@]}" >"$WORK/logs/hummingbird-$m.log" 2>&1 &
                track_pid $!
                wait_up hummingbird "$m"
            done
            ;;
    esac
done

# --- verify identical bytes over HTTP/2 ----------------------------------------------------------
for s in "${SERVER_LIST[@]}"; do
    for m in "${MODE_LIST[@]}"; do
        flag=--http2-prior-knowledge
        [[ "$m" == tls ]] && flag=--http2
        for f in bench-1k.bin bench-1m.bin; do
            got="$(curl -fsSk "$flag" -o "$WORK/verify" -w '%{http_version}' "$(url_of "$s" "$m" "/$f")")" ||
                die "$s ($m): GET /$f failed"
            [[ "$got" == 2 ]] || die "$s ($m): /$f came over HTTP/$got, not HTTP/2"
            cmp -s "$WORK/verify" "$PUBLIC/$f" || die "$s ($m): /$f differs from the fixture"
        done
        curl -fsSk "$flag" -o "$WORK/verify" "$(url_of "$s" "$m" "$JSON_PATH")" || die "$s ($m): JSON failed"
        cmp -s "$WORK/verify" "$WORK/expected.json" || die "$s ($m): JSON body differs: $(head -c 200 "$WORK/verify")"
    done
done
log "all servers return identical bytes over HTTP/2"

# --- run ---------------------------------------------------------------------------------------
case_path() { case "$1" in static-1k) echo /bench-1k.bin ;; static-1m) echo /bench-1m.bin ;; json) echo "$JSON_PATH" ;; esac; }
total=$((${#MODE_LIST[@]} * ${#CASES[@]} * ${#SERVER_LIST[@]}))
n=0
log "running $total measurements: h2load -c$CLIENTS -m$STREAMS -D$DURATION (warm-up ${WARMUP}s), servers interleaved"
for m in "${MODE_LIST[@]}"; do
    for c in "${CASES[@]}"; do
        for s in "${SERVER_LIST[@]}"; do
            n=$((n + 1))
            url="$(url_of "$s" "$m" "$(case_path "$c" "$s")")"
            ((WARMUP > 0)) && h2load -c"$CLIENTS" -m"$STREAMS" -D"$WARMUP" "$url" >/dev/null 2>&1
            h2load -c"$CLIENTS" -m"$STREAMS" -D"$DURATION" "$url" >"$WORK/raw/${m}__${c}__${s}.txt" 2>&1 ||
                { cat "$WORK/raw/${m}__${c}__${s}.txt" >&2; die "h2load failed for $url"; }
            log "[$n/$total] $m $c $s: $(grep -Eo '[0-9.]+ req/s' "$WORK/raw/${m}__${c}__${s}.txt" | head -n1)"
        done
    done
done

# --- report ------------------------------------------------------------------------------------
mkdir -p "$RESULTS_DIR"
out="$RESULTS_DIR/h2-$(utc_stamp)"
rev="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
git -C "$ROOT" diff --quiet HEAD -- Sources Package.swift 2>/dev/null || rev="$rev (uncommitted changes)"
python3 "$BENCH_DIR/report_h2.py" "$WORK/raw" "$out" \
    --param "h2load -c$CLIENTS -m$STREAMS -D$DURATION (warm-up ${WARMUP}s)" \
    --env "cpus=$(nproc)" --env "kernel=$(uname -sr)" --env "h2load=$(h2load --version 2>&1 | head -n1)" \
    --env "nginx=$("$NGINX_BIN" -v 2>&1 | sed 's/^nginx version: //')" \
    --env "nghttp2=$(pkg-config --modversion libnghttp2 2>/dev/null || echo '?')" --env "ferry=$rev"
log "wrote $out.md and $out.json"
