# Benchmarks/lib/common.sh — shared helpers of the shell benchmarks (run.sh, run-h2.sh,
# run-api.sh). Source it after setting BENCH_TAG (the log prefix):
#     BENCH_TAG=h2-bench; source "$BENCH_DIR/lib/common.sh"
# It defines BENCH_DIR/ROOT if unset, logging, tool installation, a temp folder whose servers are
# stopped at exit, release builds, process memory, fixtures and readiness polling. The Python
# benchmarks have the same helpers in lib/benchlib.py.

BENCH_DIR="${BENCH_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
ROOT="${ROOT:-$(cd "$BENCH_DIR/.." && pwd)}"
BENCH_TAG="${BENCH_TAG:-bench}"
SKIP_BUILD="${SKIP_BUILD:-0}"
KEEP_TMP="${KEEP_TMP:-0}"
RESULTS_DIR="${RESULTS_DIR:-$BENCH_DIR/results}"

log() { printf '[%s] %s\n' "$BENCH_TAG" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "$BENCH_TAG" "$*" >&2; exit 1; }

require_whole_numbers() { # VAR… — each must hold a whole number
    local v
    for v in "$@"; do [[ "${!v}" =~ ^[0-9]+$ ]] || die "$v must be a whole number (got '${!v}')"; done
}

require_tools() { # command:debian-package… — installs what is missing (as root), else fails
    local pair need=()
    for pair in "$@"; do command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}"); done
    ((${#need[@]})) || return 0
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
        log "installing ${need[*]} (Debian packages)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
    else
        die "missing ${need[*]}: apt-get install ${need[*]}"
    fi
}

# --- temp folder; every tracked process is stopped at exit (TERM, then KILL after 5 s) ----------
BENCH_PIDS=()
bench_workdir() { # name → sets WORK (with logs/), installs the exit trap
    WORK="$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX")"
    chmod 755 "$WORK"
    mkdir -p "$WORK/logs"
    trap bench_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

track_pid() { BENCH_PIDS+=("$1"); }

stop_pids() { # pid… — TERM, wait up to 5 s each, then KILL
    local pid i
    for pid in "$@"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "$@"; do
        for ((i = 0; i < 50; i++)); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            log "pid $pid did not stop on TERM; sending KILL"
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    done
}

bench_cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    ((${#BENCH_PIDS[@]})) && stop_pids "${BENCH_PIDS[@]}"
    declare -F bench_after_cleanup >/dev/null && bench_after_cleanup
    if [[ "$KEEP_TMP" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
    exit "$rc"
}

# --- release builds ----------------------------------------------------------------------------
build_release() { # dir label [product] — niced, logged to $WORK/logs/build-LABEL.log; SKIP_BUILD=1 skips
    local dir="$1" label="$2" blog="$WORK/logs/build-$2.log"
    [[ "$SKIP_BUILD" == 1 ]] && return 0
    log "building $label (release) in ${dir#"$ROOT"/} — a first build of a peer can take 10+ minutes"
    if ! (cd "$dir" && nice -n 19 swift build -c release ${3:+--product "$3"}) >"$blog" 2>&1; then
        tail -n 40 "$blog" >&2
        die "build of $label failed (log above)"
    fi
}

release_bin() { # dir executable → path of the release binary (must exist)
    local path
    path="$(cd "$1" && swift build -c release --show-bin-path)/$2"
    [[ -x "$path" ]] || die "no release binary at $path (run without SKIP_BUILD=1)"
    echo "$path"
}

# --- measuring ---------------------------------------------------------------------------------
rss_kib() { # pid → VmRSS in KiB of the process and its direct children (nginx workers)
    local pid="$1" total=0 c v
    local pids=("$pid")
    for c in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do pids+=("$c"); done
    for c in "${pids[@]}"; do
        v=$(awk '/^VmRSS:/ {print $2}' /proc/"$c"/status 2>/dev/null || true)
        total=$((total + ${v:-0}))
    done
    echo "$total"
}

utc_stamp() { date -u +%Y%m%dT%H%M%SZ; }

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_http() { # url [curl options…] — polls for a 2xx for up to 30 s
    local url="$1" i
    shift
    for ((i = 0; i < 300; i++)); do
        curl -fsS -o /dev/null --max-time 1 "$@" "$url" 2>/dev/null && return 0
        sleep 0.1
    done
    die "no answer from $url within 30 s"
}

make_static_fixtures() { # dir — bench-1k.bin and bench-1m.bin (random), dated in the past
    mkdir -p "$1"
    head -c 1024 /dev/urandom >"$1/bench-1k.bin"
    head -c 1048576 /dev/urandom >"$1/bench-1m.bin"
    # An mtime in the past, so that no server treats the files as "just changed".
    touch -d '@1767225600' "$1/bench-1k.bin" "$1/bench-1m.bin"
    chmod 755 "$1"
    chmod 644 "$1"/*.bin
    [[ $(stat -c %s "$1/bench-1k.bin") -eq 1024 && $(stat -c %s "$1/bench-1m.bin") -eq 1048576 ]] ||
        die "fixture sizes are wrong"
}
