#!/usr/bin/env bash
# Where a callback's time goes (docs/callbacks.md, "Profile"): the same load as bench/callbacks.sh,
# with pg_stat_statements counting every statement the server sends (round trips and database time
# per callback) and, when perf is installed, a CPU profile of the server process (top symbols).
source "$(dirname "$0")/lib.sh"
DURATION="${DURATION:-10}"
PORT="${PORT:-18381}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
profile_enable_statements
bench_autovacuum_as_live
"$BIN" migrate >/dev/null
LUA=$(mktemp /tmp/tuition-profile-callbacks.XXXXXX.lua)
PERFDATA=$(mktemp /tmp/tuition-profile-callbacks.XXXXXX.perf)
"$BIN" bench callbacks-setup --students 2000 --requests 40000 --months "${MONTHS:-1}" --out "$LUA" >/dev/null
"$BIN" serve --port "$PORT" --workers 8 >/dev/null 2>/tmp/tuition-profile-callbacks.log & SERVER=$!
trap 'set +e; kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -f "$LUA" "$PERFDATA"; bench_cleanup' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
psql -qAtc "SELECT pg_stat_statements_reset()" >/dev/null
before=$(psql -Atc "SELECT count(*) FROM callback_deliveries")
profile_perf_start "$SERVER" "$DURATION" "$PERFDATA"
wrk -t2 -c8 -d"${DURATION}s" -s "$LUA" "http://127.0.0.1:$PORT" | awk '/Requests\/sec/ {print "signed callbacks/s: " int($2)}'
callbacks=$(( $(psql -Atc "SELECT count(*) FROM callback_deliveries") - before ))
echo "callbacks recorded: $callbacks"
profile_report callback "$callbacks" '%callback_deliveries%count%' "$PERFDATA"
