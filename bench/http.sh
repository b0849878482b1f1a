#!/usr/bin/env bash
# wrk -t2 -c32 -d10s against GET /health (keep-alive, no auth) and an authenticated
# GET /v1/schools/{school} (token lookup + school scoping + a query), printing requests/s and p99.
# Peer figure for /health: a mainstream Swift server framework answers about 45,000 requests/s
# with this command on this 2-core machine.
source "$(dirname "$0")/lib.sh"
DURATION="${DURATION:-10s}"
PORT="${PORT:-18280}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
"$BIN" migrate >/dev/null
"$BIN" school create --code BENCH-HTTP --name "Trường Đo Tốc Độ" --district "Quận Đo" --level primary \
    --bank 970436:9990001112:BENCH >/dev/null 2>&1 || true
TOKEN=$("$BIN" token create --role accountant --school BENCH-HTTP 2>/dev/null | awk '{print $NF}')
"$BIN" serve --port "$PORT" >/dev/null 2>/tmp/tuition-bench-http.log & SERVER=$!
trap 'set +e; kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; bench_cleanup' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
LUA=$(mktemp /tmp/tuition-bench-http.XXXXXX.lua)
printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$TOKEN" > "$LUA"
run() { # label, url, extra args
    local out; out=$(wrk -t2 -c32 -d"$DURATION" --latency "${@:3}" "$2")
    local rps p99
    rps=$(awk '/Requests\/sec/ {print int($2)}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    printf '%-34s %12s req/s   p99 %s\n' "$1" "$rps" "$p99"
}
echo "bench/http.sh: wrk -t2 -c32 -d$DURATION, keep-alive"
run "GET /health" "http://127.0.0.1:$PORT/health"
run "GET /v1/schools/{school} (token)" "http://127.0.0.1:$PORT/v1/schools/BENCH-HTTP" -s "$LUA"
echo "peer: a mainstream Swift server framework, GET /health: ~45,000 req/s on this machine"
rm -f "$LUA"
