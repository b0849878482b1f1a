#!/usr/bin/env bash
# Where a ledger entry's time goes (docs/ledger.md): the load of bench/ledger.sh at THREADS writers,
# with pg_stat_statements counting every statement, including those run inside triggers
# (track = all), per entry: client round trips, database execution time by statement; and, when
# perf is installed, a CPU profile of the cluster's backends (top symbols, and the share of
# samples under each trigger function and under commit).
source "$(dirname "$0")/lib.sh"
DURATION="${DURATION:-10}"
THREADS="${THREADS:-1}"
psql -qc "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'" >/dev/null
psql -qc "ALTER SYSTEM SET pg_stat_statements.track = 'all'" >/dev/null 2>&1 || true
"$BIN" db stop >/dev/null && "$BIN" db start >/dev/null
psql -qc "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
psql -qc "ALTER SYSTEM SET pg_stat_statements.track = 'all'" -c "ALTER SYSTEM SET pg_stat_statements.track_planning = on" -c "SELECT pg_reload_conf()" >/dev/null
"$BIN" migrate >/dev/null
PERFDATA=$(mktemp /tmp/tuition-profile-ledger.XXXXXX.perf)
trap 'rm -f "$PERFDATA" "$PERFDATA.json"; bench_cleanup' EXIT
psql -qAtc "SELECT pg_stat_statements_reset()" >/dev/null
"$BIN" bench ledger --threads "$THREADS" --seconds "$DURATION" > "$PERFDATA.json" & BENCH=$!
if command -v perf >/dev/null; then
    # The cluster's backends once the bench's connections are open (perf follows these processes only).
    sleep 2
    pids=$(ps --ppid "$(db_postmaster)" -o pid= | tr -d ' ' | paste -sd,)
    perf record -F 999 -g -p "$pids" -o "$PERFDATA" -- sleep $(( DURATION > 4 ? DURATION - 3 : 1 )) >/dev/null 2>&1 || true
fi
wait "$BENCH"
result=$(cat "$PERFDATA.json")
entries=$(json_field "$result" operations)
echo "ledger entries: $entries at $THREADS writer(s), $(json_field "$result" per_second)/s"
psql -P pager=off -c "
    SELECT round(sum(calls) FILTER (WHERE toplevel)::numeric / $entries, 2) AS \"client statements per entry\",
           round(sum(calls) FILTER (WHERE NOT toplevel)::numeric / $entries, 2) AS \"statements in triggers per entry\",
           round((sum(total_exec_time + total_plan_time) FILTER (WHERE toplevel) / $entries)::numeric, 3) AS \"database ms per entry (planning included)\"
    FROM pg_stat_statements WHERE query NOT ILIKE '%pg_stat_statements%' AND calls >= $entries / 2"
psql -P pager=off -c "
    SELECT CASE WHEN toplevel THEN 'client' ELSE 'trigger' END AS sent_by, round(calls::numeric / $entries, 2) AS per_entry,
           round((total_exec_time / $entries)::numeric, 3) AS ms_per_entry, round(plans::numeric / $entries, 2) AS plans_per_entry,
           round((total_plan_time / $entries)::numeric, 3) AS planning_ms_per_entry,
           regexp_replace(left(query, 90), '\s+', ' ', 'g') AS statement
    FROM pg_stat_statements WHERE query NOT ILIKE '%pg_stat_statements%' AND calls >= $entries / 2
    ORDER BY toplevel DESC, total_exec_time DESC LIMIT 25"
if [ -s "$PERFDATA" ]; then
    echo "backends' CPU, share of samples under (children included):"
    perf report -i "$PERFDATA" --percentage relative --children --sort symbol --stdio -g none 2>/dev/null \
        | awk '$4 ~ /^(PostgresMain|exec_bind_message|exec_execute_message|exec_simple_query|AfterTriggerEndQuery|AfterTriggerFireDeferred|plpgsql_exec_trigger|ExecConstraints|RI_FKey_check_ins|ExecInsertIndexTuples|CommitTransactionCommand|XLogFlush|GetCachedPlan|standard_ExecutorStart|stringToNode|secure_read|secure_write)$/ { printf "  %7s  %s\n", $1, $4 }'
    echo "backends' CPU, top symbols (self):"
    perf report -i "$PERFDATA" --percentage relative --no-children --sort symbol --stdio -g none 2>/dev/null | awk '/^ +[0-9]/ { printf "  %7s  %s\n", $1, $3 }' | head -25
fi
