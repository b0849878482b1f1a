#!/usr/bin/env bash
# Where the DATABASE's CPU per callback goes (docs/callbacks.md §6, fifth round): the load of
# bench/callbacks.sh, and per callback: CPU of each kind of postgres process (the server's
# connections, autovacuum, WAL writer, checkpointer, ...), transactions and commits, WAL records,
# full-page images and bytes, WAL flushes, batch sizes (deliveries committed together share an
# xmin), and — when perf is installed — a whole-system profile of the postgres backends.
# LOAD=notices measures collection payment notices instead (the load of bench/collection.sh). MONTHS=9: callbacks
# that nearly all pay an invoice (bench/callbacks.sh, MONTHS).
source "$(dirname "$0")/lib.sh"
DURATION="${DURATION:-10}"
PORT="${PORT:-18382}"
LOAD="${LOAD:-callbacks}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
# Planning counted too: a prepared statement whose generic plan looks dearer than its custom plans is
# planned again on every call (plan_cache_mode = auto), which the execution times do not show.
profile_enable_statements
psql -qc "ALTER SYSTEM SET pg_stat_statements.track_planning = on" -c "SELECT pg_reload_conf()" >/dev/null
# TRACK=all: the statements run inside functions and triggers listed too (the ledger's balance
# upserts and checks); their time is then counted twice in the sums, once inside their caller.
if [ "${TRACK:-top}" = all ]; then
    psql -qc "ALTER SYSTEM SET pg_stat_statements.track = 'all'" -c "SELECT pg_reload_conf()" >/dev/null
fi
# EXPLAIN_MS=N: the plans (with row counts and times) of statements slower than N ms, triggers'
# statements included, with the triggers' times, from the cluster's log (auto_explain; slows the run: read its plans, not
# its rates).
if [ -n "${EXPLAIN_MS:-}" ]; then
    psql -qc "LOAD 'auto_explain'" -c "ALTER SYSTEM SET session_preload_libraries = 'auto_explain'" -c "ALTER SYSTEM SET auto_explain.log_min_duration = '${EXPLAIN_MS}ms'" \
         -c "ALTER SYSTEM SET auto_explain.log_analyze = on" -c "ALTER SYSTEM SET auto_explain.log_nested_statements = on" \
         -c "ALTER SYSTEM SET auto_explain.log_triggers = on" \
         -c "SELECT pg_reload_conf()" >/dev/null
fi
bench_autovacuum_as_live
# Every autovacuum and autoanalyze run logged with its CPU, to split "postmaster+exited" by table.
psql -qc "ALTER SYSTEM SET log_autovacuum_min_duration = 0" -c "SELECT pg_reload_conf()" >/dev/null
"$BIN" migrate >/dev/null
LUA=$(mktemp /tmp/tuition-where.XXXXXX.lua)
PERFDATA="${PERFDATA:-/tmp/tuition-where.perf}"   # kept for a closer look (perf report -i)
"$BIN" serve --port "$PORT" --workers 8 >/dev/null 2>/tmp/tuition-where.log & SERVER=$!
trap 'set +e; kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -f "$LUA" "$LUA.inquiries" "$LUA.waits"; bench_cleanup' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
# Notices are refused when signed before the server started (docs/collection.md).
sleep 1
if [ "$LOAD" = notices ]; then
    "$BIN" bench collection-setup --students 2000 --requests 150000 --inquiries-out "$LUA.inquiries" --payments-out "$LUA" >/dev/null
    TABLE=collection_payments
else
    "$BIN" bench callbacks-setup --students 2000 --requests 40000 --months "${MONTHS:-1}" --out "$LUA" >/dev/null
    TABLE=callback_deliveries
fi
ADMIN=$("$BIN" token create --role admin 2>/dev/null | awk '{print $NF}')
# The server's database round trips (a pipeline of statements is one) and pipelined statements so far.
round_trips() {
    curl -fs -H "Authorization: Bearer $ADMIN" "http://127.0.0.1:$PORT/metrics" \
        | awk '/^tuition_db_round_trips_total / {r=$2} /^tuition_db_pipelined_statements_total / {p=$2} END {printf "%d %d\n", r, p}'
}

# Ticks of every live postgres process by kind (its process title without addresses), and the
# postmaster's own plus its reaped children's under "exited".
db_ticks_by_kind() {
    local pm child title ticks
    pm=$(db_postmaster)
    echo "postmaster+exited $(cpu_ticks "$pm")"
    for child in $(ps --ppid "$pm" -o pid=); do
        # A child may exit between ps and here (autovacuum workers start every second): skip it.
        title=$( { tr '\0' ' ' <"/proc/$child/cmdline"; } 2>/dev/null | sed -E 's/^postgres: //; s/\[local\]|[0-9.]+\([0-9]+\)//; s/ (idle|active|idle in transaction|[A-Z]+)( .*)?$//; s/ +$//') || continue
        ticks=$(cpu_ticks "$child" 2>/dev/null) || continue
        echo "${title:-unknown} $ticks"
    done
}
snapshot() {
    psql -Atc "SELECT (SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()),
                      (SELECT sessions FROM pg_stat_database WHERE datname = current_database()),
                      wal_records, wal_fpi, wal_bytes, wal_write, wal_sync FROM pg_stat_wal" | tr '|' ' '
}
# The tables' and indexes' own counters (docs/callbacks.md §6, seventh round: the database's CPU per
# request): rows inserted, updated (HOT or not), dead rows left, autovacuum and autoanalyze runs, and
# index scans, copied into a table of the bench cluster before and after the window.
table_counters_snapshot() {
    psql -qc "CREATE TABLE $1 AS
        SELECT 'table' AS kind, relname AS name, n_tup_ins AS inserted, n_tup_upd AS updated, n_tup_hot_upd AS hot,
               n_tup_del AS deleted, n_dead_tup AS dead, autovacuum_count AS vacuums, autoanalyze_count AS analyzes
        FROM pg_stat_user_tables
        UNION ALL
        SELECT 'index', indexrelname, idx_scan, idx_tup_read, 0, 0, 0, 0, 0 FROM pg_stat_user_indexes" >/dev/null
}
# Per request as the rows of $TABLE counted by the same counters (one per request): backends flush
# their counters a second or more after their last statement, so the snapshot after the window
# misses the last moment's counts of every table alike.
table_counters_report() {
    psql -P pager=off -c "
        WITH d AS (SELECT greatest(b.inserted - a.inserted, 1)::numeric AS requests FROM $2 b JOIN $1 a USING (kind, name)
                   WHERE kind = 'table' AND name = '$TABLE')
        SELECT b.name AS table, round((b.inserted - a.inserted) / d.requests, 2) AS ins_per_req,
               round((b.updated - a.updated) / d.requests, 2) AS upd_per_req,
               round((b.hot - a.hot) / d.requests, 2) AS hot_per_req, b.dead AS dead_now,
               b.vacuums - a.vacuums AS autovacuums, b.analyzes - a.analyzes AS autoanalyzes
        FROM $2 b JOIN $1 a USING (kind, name), d
        WHERE kind = 'table' AND (b.inserted, b.updated, b.vacuums, b.analyzes) <> (a.inserted, a.updated, a.vacuums, a.analyzes)
        ORDER BY b.inserted - a.inserted + b.updated - a.updated DESC"
    psql -P pager=off -c "
        WITH d AS (SELECT greatest(b.inserted - a.inserted, 1)::numeric AS requests FROM $2 b JOIN $1 a USING (kind, name)
                   WHERE kind = 'table' AND name = '$TABLE')
        SELECT i.indexrelid::regclass AS index, i.indrelid::regclass AS table,
               round((b.inserted - a.inserted) / d.requests, 2) AS scans_per_req
        FROM $2 b JOIN $1 a USING (kind, name) JOIN pg_index i ON i.indexrelid::regclass::text = b.name
        JOIN $2 t ON t.kind = 'table' AND t.name = i.indrelid::regclass::text
        JOIN $1 t0 ON t0.kind = 'table' AND t0.name = t.name, d
        WHERE b.kind = 'index' AND t.inserted - t0.inserted + t.updated - t0.updated > 0
        ORDER BY i.indrelid::regclass::text, b.inserted - a.inserted DESC"
}
sleep 2   # let the setup's own autovacuum work start before the window, as it would in a live database
before=$(psql -Atc "SELECT count(*) FROM $TABLE")
xid0=$(psql -Atc "SELECT txid_current()")
psql -qAtc "SELECT pg_stat_statements_reset()" >/dev/null
table_counters_snapshot where_tables0
read -r x0 c0 r0 f0 b0 w0 s0 <<<"$(snapshot)"
read -r rt0 pl0 <<<"$(round_trips)"
db_ticks_by_kind | sort >/tmp/tuition-where.ticks0
lsn0=$(psql -Atc "SELECT pg_current_wal_lsn()")
PGLOG=$(ls "$BENCH_HOME"/postgres.log "$BENCH_HOME"/*/postgres.log 2>/dev/null | head -1 || true)
log0=$(stat -c %s "$PGLOG" 2>/dev/null || echo 0)
if command -v perf >/dev/null; then perf record -a -F 499 -g -o "$PERFDATA" -- sleep "$DURATION" >/dev/null 2>&1 & PERF=$!; else PERF=""; fi
# What the application's sessions wait for meanwhile (the WAL flush, row locks, the server), sampled
# inside the window and printed after the rest.
python3 bench/tools/pg_wait_states.py "$(( DURATION > 3 ? DURATION - 2 : 1 ))" tuition_app >"$LUA.waits" 2>&1 & WAITS=$!
wrk -t2 -c8 -d"${DURATION}s" -s "$LUA" "http://127.0.0.1:$PORT" | awk '/Requests\/sec/ {print "requests/s: " int($2)}'
wait "$WAITS" || true
db_ticks_by_kind | sort >/tmp/tuition-where.ticks1
lsn1=$(psql -Atc "SELECT pg_current_wal_lsn()")
log1=$(stat -c %s "$PGLOG" 2>/dev/null || echo 0)
PIDS=$( (db_postmaster; ps --ppid "$(db_postmaster)" -o pid=) | tr -d ' ' | paste -sd,)
echo "$PIDS" >"$PERFDATA.pids"
read -r x1 c1 r1 f1 b1 w1 s1 <<<"$(snapshot)"
read -r rt1 pl1 <<<"$(round_trips)"
table_counters_snapshot where_tables1
n=$(( $(psql -Atc "SELECT count(*) FROM $TABLE") - before ))
echo "$LOAD recorded: $n"
python3 -c "import sys; n=max(1,int(sys.argv[1])); print(f'server round trips per request           {(int(sys.argv[3])-int(sys.argv[2]))/n:10.2f}'); print(f'pipelined statements per request         {(int(sys.argv[5])-int(sys.argv[4]))/n:10.2f}')" "$n" "$rt0" "$rt1" "$pl0" "$pl1"
python3 - "$n" "$x0" "$x1" "$c0" "$c1" "$r0" "$r1" "$f0" "$f1" "$b0" "$b1" "$w0" "$w1" "$s0" "$s1" <<'EOF'
import os, sys
n = max(1, int(sys.argv[1])); v = [float(a) for a in sys.argv[2:]]
names = ["transactions", "new database sessions", "WAL records", "WAL full-page images", "WAL bytes", "WAL writes", "WAL flushes (fsync)"]
for i, name in enumerate(names):
    print(f"{name + ' per request':34s} {(v[2*i+1] - v[2*i]) / n:10.2f}")
tick = 1e6 / os.sysconf("SC_CLK_TCK")
def load(path):
    d = {}
    for line in open(path):
        kind, t = line.rsplit(" ", 1); d[kind] = d.get(kind, 0) + int(t)
    return d
a, b = load("/tmp/tuition-where.ticks0"), load("/tmp/tuition-where.ticks1")
print("database CPU per request, by process kind (µs):")
total = 0
for kind in sorted(set(a) | set(b)):
    d = b.get(kind, 0) - a.get(kind, 0); total += d
    if d: print(f"  {kind:40s} {d * tick / n:8.0f}")
print(f"  {'total':40s} {total * tick / n:8.0f}")
EOF
psql -P pager=off -c "SELECT count(*) AS committed, count(DISTINCT xmin::text) AS batches,
    round(count(*)::numeric / greatest(count(DISTINCT xmin::text), 1), 2) AS per_batch
    FROM $TABLE WHERE xmin::text::bigint > $xid0"
psql -P pager=off -c "
    SELECT round(sum(calls)::numeric / $n, 2) AS statements, round(sum(plans)::numeric / $n, 2) AS plans,
           round((sum(total_plan_time) / $n)::numeric, 3) AS plan_ms, round((sum(total_exec_time) / $n)::numeric, 3) AS exec_ms
    FROM pg_stat_statements WHERE query NOT ILIKE '%pg_stat%' AND query NOT ILIKE '%AS committed%' AND query NOT ILIKE 'SELECT count(*) FROM%'"
psql -P pager=off -c "
    SELECT round(calls::numeric / $n, 2) AS per_request, plans, round((total_plan_time / $n)::numeric, 3) AS plan_ms,
           round((total_exec_time / $n)::numeric, 3) AS exec_ms, regexp_replace(left(query, 70), '\s+', ' ', 'g') AS statement
    FROM pg_stat_statements WHERE query NOT ILIKE '%pg_stat%' ORDER BY total_plan_time + total_exec_time DESC LIMIT 30"
table_counters_report where_tables0 where_tables1
# Autovacuum's CPU by table and kind of run, from its log lines (10 ms resolution per run).
if [ -n "$PGLOG" ]; then
    echo "autovacuum runs in the window: CPU per request (µs) by table and kind:"
    tail -c +"$((log0 + 1))" "$PGLOG" | head -c "$((log1 - log0))" | python3 bench/tools/autovacuum_cpu.py "$n" || true
fi
# What the window's WAL holds, by kind of record (the largest first): its bytes per request.
WALDUMP=$(ls /usr/lib/postgresql/*/bin/pg_waldump 2>/dev/null | tail -1 || true)
if [ -n "$WALDUMP" ]; then
    echo "WAL of the window by record kind (bytes per request, with full-page images):"
    "$WALDUMP" --stats=record -s "$lsn0" -e "$lsn1" -p "$(psql -Atc 'SHOW data_directory')/pg_wal" 2>/tmp/tuition-where.waldump.err \
        | python3 bench/tools/wal_by_record.py "$n" || true
    head -3 /tmp/tuition-where.waldump.err || true
    echo "the widest columns of the rows the window wrote (average bytes, as JSON values):"
    for table in bank_transactions "$TABLE"; do
        psql -P pager=off -Atc "
            SELECT '  $table.' || key, round(avg(pg_column_size(value))) FROM $table t, jsonb_each(to_jsonb(t))
            WHERE t.xmin::text::bigint > $xid0 GROUP BY key ORDER BY 2 DESC LIMIT 4" | tr '|' ' '
    done
    echo "WAL of the window by table or index (bytes per request):"
    psql -Atc "SELECT relfilenode, relname FROM pg_class WHERE relfilenode <> 0" >/tmp/tuition-where.relnames
    "$WALDUMP" -s "$lsn0" -e "$lsn1" -p "$(psql -Atc 'SHOW data_directory')/pg_wal" 2>/dev/null \
        | python3 bench/tools/wal_by_relation.py "$n" /tmp/tuition-where.relnames || true
fi
cat "$LUA.waits"
if [ -n "$PERF" ]; then
    wait "$PERF" || true
    echo "whole system, by command and object (share of samples):"
    perf report -i "$PERFDATA" --no-children --sort comm,dso --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | head -15 || true
    echo "postgres processes, top symbols (self):"
    echo "this cluster's processes, top symbols (self):"
    perf report -i "$PERFDATA" --no-children --pid "$PIDS" --sort sym --stdio -g none 2>/dev/null | grep -E '^ +[0-9]' | head -25 || true
    echo "this cluster's processes, by phase:"
    python3 bench/tools/pg_cpu_split.py "$PERFDATA" "$PIDS"
fi
if [ -n "${EXPLAIN_MS:-}" ]; then
    cp "$BENCH_HOME/postgres.log" /tmp/tuition-where.explain.log 2>/dev/null || cp "$BENCH_HOME"/*/postgres.log /tmp/tuition-where.explain.log 2>/dev/null || true
    echo "plans of statements slower than ${EXPLAIN_MS} ms: /tmp/tuition-where.explain.log"
fi
