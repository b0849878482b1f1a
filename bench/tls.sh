#!/usr/bin/env bash
# Requests/s of GET /health with keep-alive over TLS 1.3 against plain HTTP, same binary, same run:
# wrk -t2 -c32, rounds alternating plain and TLS so both see the same machine load; the ratio is that of the
# medians. Target: TLS/plain >= 0.7. wrk does its own TLS work on the same cores, and on a shared machine the
# rounds swing, so each run also reports the server's CPU time per request (user + system, from /proc), which
# load from other processes hardly moves.
source "$(dirname "$0")/lib.sh"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-6}"
ROUNDS="${ROUNDS:-5}"
PLAIN_PORT="${PLAIN_PORT:-18480}"
TLS_PORT="${TLS_PORT:-18443}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
"$BIN" migrate >/dev/null

CERTS="$(mktemp -d /tmp/tuition-bench-tls.XXXXXX)"
PIDS=()
tls_cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$CERTS"; bench_cleanup; }
trap tls_cleanup EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=localhost \
    -addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout "$CERTS/key.pem" -out "$CERTS/cert.pem" 2>/dev/null

"$BIN" serve --port "$PLAIN_PORT" >/dev/null 2>"$CERTS/plain.log" & PLAIN_PID=$!
"$BIN" serve --port "$TLS_PORT" --tls-cert "$CERTS/cert.pem" --tls-key "$CERTS/key.pem" >/dev/null 2>"$CERTS/tls.log" & TLS_PID=$!
PIDS=("$PLAIN_PID" "$TLS_PID")
for url in "http://127.0.0.1:$PLAIN_PORT/health" "https://127.0.0.1:$TLS_PORT/health"; do
    for _ in $(seq 100); do curl -fsk "$url" >/dev/null 2>&1 && continue 2; sleep 0.1; done
    echo "no answer from $url; server log:" >&2; cat "$CERTS"/*.log >&2; exit 1
done

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
# Prints "requests/s server-CPU-microseconds-per-request" for one wrk run against `url` served by `pid`.
measure() {
    local url=$1 pid=$2 before after rps
    before=$(cpu_ticks "$pid")
    rps=$(wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" "$url" | awk '/^Requests\/sec:/ { print int($2) }')
    after=$(cpu_ticks "$pid")
    python3 -c 'import sys
rps, ticks, hertz, seconds = (int(value) for value in sys.argv[1:])
print(rps, f"{ticks / hertz * 1e6 / max(1, rps * seconds):.1f}")' "$rps" "$((after - before))" "$(getconf CLK_TCK)" "$SECONDS_PER_RUN"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "bench/tls.sh: GET /health, wrk -t2 -c32 keep-alive, ${SECONDS_PER_RUN}s per run, $ROUNDS rounds"
printf '%-6s %12s %12s %8s %14s %14s\n' round "plain req/s" "TLS req/s" ratio "plain µs/req" "TLS µs/req"
plain_all=(); tls_all=(); plain_cpu_all=(); tls_cpu_all=()
for round in $(seq "$ROUNDS"); do
    read -r plain plain_cpu < <(measure "http://127.0.0.1:$PLAIN_PORT/health" "$PLAIN_PID")
    read -r tls tls_cpu < <(measure "https://127.0.0.1:$TLS_PORT/health" "$TLS_PID")
    plain_all+=("$plain"); tls_all+=("$tls"); plain_cpu_all+=("$plain_cpu"); tls_cpu_all+=("$tls_cpu")
    printf '%-6s %12s %12s %8s %14s %14s\n' "$round" "$plain" "$tls" "$(ratio "$tls" "$plain")" "$plain_cpu" "$tls_cpu"
done
plain_median=$(printf '%s\n' "${plain_all[@]}" | median)
tls_median=$(printf '%s\n' "${tls_all[@]}" | median)
printf '%-6s %12s %12s %8s %14s %14s\n' median "$plain_median" "$tls_median" "$(ratio "$tls_median" "$plain_median")" \
    "$(printf '%s\n' "${plain_cpu_all[@]}" | median)" "$(printf '%s\n' "${tls_cpu_all[@]}" | median)"
