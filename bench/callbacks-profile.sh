#!/usr/bin/env bash
# Where a callback's time goes (docs/callbacks.md, "Profile"): the same load as bench/callbacks.sh,
# with pg_stat_statements counting every statement the server sends (round trips and database time
# per callback) and, when perf is installed, a CPU profile of the server process (top symbols).
source "$(dirname "$0")/lib.sh"
DURATION="${DURATION:-10}"
PORT="${PORT:-18381}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
psql -qc "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'" >/dev/null
"$BIN" db stop >/dev/null && "$BIN" db start >/dev/null
psql -qc "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
"$BIN" migrate >/dev/null
LUA=$(mktemp /tmp/tuition-profile-callbacks.XXXXXX.lua)
PERFDATA=$(mktemp /tmp/tuition-profile-callbacks.XXXXXX.perf)
"$BIN" bench callbacks-setup --students 2000 --requests 40000 --out "$LUA" >/dev/null
"$BIN" serve --port "$PORT" --workers 8 >/dev/null 2>/tmp/tuition-profile-callbacks.log & SERVER=$!
trap 'set +e; kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -f "$LUA" "$PERFDATA"; bench_cleanup' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
psql -qAtc "SELECT pg_stat_statements_reset()" >/dev/null
before=$(psql -Atc "SELECT count(*) FROM callback_deliveries")
PERF=""
if command -v perf >/dev/null; then
    perf record -F 499 -g -p "$SERVER" -o "$PERFDATA" -- sleep "$DURATION" >/dev/null 2>&1 & PERF=$!
fi
wrk -t2 -c8 -d"${DURATION}s" -s "$LUA" "http://127.0.0.1:$PORT" | awk '/Requests\/sec/ {print "signed callbacks/s: " int($2)}'
[ -n "$PERF" ] && wait "$PERF" || true
callbacks=$(( $(psql -Atc "SELECT count(*) FROM callback_deliveries") - before ))
echo "callbacks recorded: $callbacks"
psql -P pager=off -c "
    WITH s AS (SELECT calls, total_exec_time, rows, regexp_replace(left(query, 90), '\s+', ' ', 'g') AS statement
               FROM pg_stat_statements WHERE query NOT ILIKE '%pg_stat_statements%' AND query NOT ILIKE '%callback_deliveries%count%')
    SELECT round(sum(calls)::numeric / $callbacks, 2) AS \"statements per callback\",
           round((sum(total_exec_time) / $callbacks)::numeric, 3) AS \"database ms per callback\" FROM s"
psql -P pager=off -c "
    SELECT round(calls::numeric / $callbacks, 2) AS per_callback, round((total_exec_time / $callbacks)::numeric, 3) AS ms_per_callback,
           round((total_exec_time / greatest(calls, 1))::numeric, 3) AS ms_per_call, regexp_replace(left(query, 100), '\s+', ' ', 'g') AS statement
    FROM pg_stat_statements WHERE query NOT ILIKE '%pg_stat_statements%'
    ORDER BY total_exec_time DESC LIMIT 25"
if [ -n "$PERF" ]; then
    echo "server CPU, top symbols (self):"
    perf report -i "$PERFDATA" --no-children --sort symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -30
fi
