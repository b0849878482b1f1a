#!/usr/bin/env bash
# Requests/s of GET /health with keep-alive over TLS 1.3 against plain HTTP, same binary, same run:
# wrk -t2 -c32, rounds alternating plain and TLS so both see the same machine load; the ratio is that of the
# medians. wrk does its own TLS work on the same cores. Target: TLS/plain >= 0.7.
source "$(dirname "$0")/lib.sh"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-10}"
ROUNDS="${ROUNDS:-3}"
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

"$BIN" serve --port "$PLAIN_PORT" >/dev/null 2>"$CERTS/plain.log" & PIDS+=($!)
"$BIN" serve --port "$TLS_PORT" --tls-cert "$CERTS/cert.pem" --tls-key "$CERTS/key.pem" >/dev/null 2>"$CERTS/tls.log" & PIDS+=($!)
for url in "http://127.0.0.1:$PLAIN_PORT/health" "https://127.0.0.1:$TLS_PORT/health"; do
    for _ in $(seq 100); do curl -fsk "$url" >/dev/null 2>&1 && continue 2; sleep 0.1; done
    echo "no answer from $url; server log:" >&2; cat "$CERTS"/*.log >&2; exit 1
done

requests_per_second() { wrk -t2 -c32 -d"${SECONDS_PER_RUN}s" "$1" | awk '/^Requests\/sec:/ { print int($2) }'; }
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo "bench/tls.sh: GET /health, wrk -t2 -c32 keep-alive, ${SECONDS_PER_RUN}s per run, $ROUNDS rounds"
printf '%-6s %12s %12s %8s\n' round "plain req/s" "TLS req/s" ratio
plain_all=(); tls_all=()
for round in $(seq "$ROUNDS"); do
    plain=$(requests_per_second "http://127.0.0.1:$PLAIN_PORT/health")
    tls=$(requests_per_second "https://127.0.0.1:$TLS_PORT/health")
    plain_all+=("$plain"); tls_all+=("$tls")
    printf '%-6s %12s %12s %8s\n' "$round" "$plain" "$tls" "$(ratio "$tls" "$plain")"
done
plain_median=$(printf '%s\n' "${plain_all[@]}" | median)
tls_median=$(printf '%s\n' "${tls_all[@]}" | median)
printf '%-6s %12s %12s %8s\n' median "$plain_median" "$tls_median" "$(ratio "$tls_median" "$plain_median")"
