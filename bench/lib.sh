# Shared by the bench scripts: a release build and a private embedded cluster for this run.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BIN="${BIN:-$ROOT/.build/release/tuition}"
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ]; then
    swift build -c release --product tuition >/dev/null
fi
# Always a private home of this run: an inherited TUITION_HOME may hold someone's real cluster, and
# the cleanup removes the home it stops.
BENCH_HOME=$(mktemp -d /tmp/tuition-bench.XXXXXX)
# mktemp makes the directory 0700; the cluster's user must be able to enter it.
chmod 755 "$BENCH_HOME"
export TUITION_HOME="$BENCH_HOME"
unset DATABASE_URL
bench_cleanup() { "$BIN" db stop >/dev/null 2>&1 || true; rm -rf "$BENCH_HOME" 2>/dev/null || true; }
trap bench_cleanup EXIT
"$BIN" db start >/dev/null
eval "$("$BIN" db env)"
command -v pgbench >/dev/null || { echo "pgbench is missing: apt-get install -y postgresql-contrib" >&2; exit 1; }

# Prints the value of a key in a one-line JSON object.
json_field() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$1" "$2"; }
# Prints the tps figure of a pgbench run (excluding connection time).
pgbench_tps() { awk '/^tps = / { print int($3); exit }'; }
ratio() { python3 -c 'import sys; print(f"{int(sys.argv[1]) / max(1, int(sys.argv[2])):.2f}")' "$1" "$2"; }
# The median of the numbers given (rounds' ratios), two decimals.
median() { python3 -c 'import statistics, sys; print(f"{statistics.median(float(x) for x in sys.argv[1:]):.2f}")' "$@"; }

# CPU per request, so a run on a busy machine can still be read: clock ticks (user + system) of a
# process and its reaped children; for the database, the postmaster and its live backends.
cpu_ticks() { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
db_postmaster() {
    local data
    data=$(psql -Atc 'SHOW data_directory' 2>/dev/null || echo "$BENCH_HOME/pg/data")
    head -1 "$data/postmaster.pid"
}
db_cpu_ticks() {
    local pm total child
    pm=$(db_postmaster)
    total=$(cpu_ticks "$pm")
    for child in $(ps --ppid "$pm" -o pid=); do total=$(( total + $(cpu_ticks "$child") )); done
    echo "$total"
}
# Microseconds of CPU per request: cpu_us_per TICKS REQUESTS.
cpu_us_per() { python3 -c 'import os,sys; print(int(int(sys.argv[1]) / os.sysconf("SC_CLK_TCK") * 1e6 / max(1, int(sys.argv[2]))))' "$1" "$2"; }
# The whole machine's idle and total clock ticks so far (/proc/stat: idle + iowait, all columns), and the
# idle share of the window between two of them: idle_share "BEFORE" "AFTER" -> "17 %". A load whose
# CPU per request is low can still be slow when the cores wait (locks, commits' flushes, wake-ups).
machine_ticks() { awk '$1 == "cpu" { total = 0; for (i = 2; i <= NF; i++) total += $i; print $5 + $6, total; exit }' /proc/stat; }
idle_share() {
    python3 -c 'import sys; i0, t0 = map(int, sys.argv[1].split()); i1, t1 = map(int, sys.argv[2].split()); print(f"{100 * (i1 - i0) / max(1, t1 - t0):.0f} %")' "$1" "$2"
}
# Signed loads at steady state (bench/callbacks.sh, bench/collection.sh). wrk's own Requests/sec counts what
# its first thread answered while the next one was still loading the script (half a second or more for
# 150,000 signed requests) but not that time, so these benches take their rate and CPU per request over a
# window of their own, from the server's count of answers (docs/callbacks.md §6, fourteenth round).
# wrk_start OUT ARGS...: wrk in the background (WRK_PID), output in OUT; returns once all its threads run
# (wrk prints "Running" after starting the last one) and their connections have had half a second to fill.
wrk_start() {
    local out=$1
    shift
    # Line-buffered: written to a file, wrk's "Running" line would wait in its stdio buffer until it exits.
    stdbuf -oL wrk "$@" >"$out" 2>&1 &
    WRK_PID=$!
    until grep -q '^Running' "$out" 2>/dev/null; do
        kill -0 "$WRK_PID" 2>/dev/null || { cat "$out" >&2; return 1; }
        sleep 0.05
    done
    sleep 0.5
}
# answered TOKEN PORT ROUTE: the 200 answers to ROUTE (a route template) the server on PORT has counted (/metrics).
answered() {
    curl -fs -H "Authorization: Bearer $1" "http://127.0.0.1:$2/metrics" \
        | awk -v route="route=\"$3\"" '/^(tuition_)?http_requests_total\{/ && index($0, route) && index($0, "status=\"200\"") { n += $NF }
                                        END { printf "%d\n", n }'
}
now_seconds() { date +%s.%N; }
# measure_window TOKEN PORT ROUTE SECONDS: while wrk runs (wrk_start), a window of SECONDS: the server's 200
# answers to ROUTE and the CPU ticks of the server ($SERVER), the database, wrk ($WRK_PID) and the machine.
# Sets WINDOW_COUNT, WINDOW_RATE (per second), WINDOW_SERVER, WINDOW_DB, WINDOW_WRK (ticks), WINDOW_SWITCHES
# (the server's context switches) and WINDOW_MACHINE0/WINDOW_MACHINE1 (machine_ticks at its ends).
measure_window() {
    local count0 time0 server0 db0 switches0 wrk0 count1 time1
    count0=$(answered "$1" "$2" "$3"); time0=$(now_seconds)
    server0=$(cpu_ticks "$SERVER"); db0=$(db_cpu_ticks); switches0=$(ctx_switches "$SERVER"); wrk0=$(cpu_ticks "$WRK_PID")
    WINDOW_MACHINE0=$(machine_ticks)
    sleep "$4"
    count1=$(answered "$1" "$2" "$3"); time1=$(now_seconds)
    WINDOW_SERVER=$(( $(cpu_ticks "$SERVER") - server0 )); WINDOW_DB=$(( $(db_cpu_ticks) - db0 ))
    WINDOW_SWITCHES=$(( $(ctx_switches "$SERVER") - switches0 )); WINDOW_WRK=$(( $(cpu_ticks "$WRK_PID") - wrk0 ))
    WINDOW_MACHINE1=$(machine_ticks)
    WINDOW_COUNT=$(( count1 - count0 ))
    WINDOW_RATE=$(per_second "$WINDOW_COUNT" "$time0" "$time1")
}
# per_second COUNT START END: a rate over a window, as an integer.
per_second() { python3 -c 'import sys; print(int(int(sys.argv[1]) / max(1e-9, float(sys.argv[3]) - float(sys.argv[2]))))' "$1" "$2" "$3"; }
# Transactions a pgbench run processed.
pgbench_count() { awk '/number of transactions actually processed/ { split($NF, a, "/"); print a[1]; exit }'; }
# Stops the server the bench started ($SERVER), so that the peer runs alone.
stop_server() {
    kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null || true
    SERVER=""
}
# The signed-load benches' peer (bench/callbacks.sh, bench/collection.sh): pgbench's TPC-B-like script at 8
# clients for SECONDS against the bench cluster. Sets PEER_TPS, PEER_DB_US (the database's CPU per
# transaction) and PEER_MACHINE0/PEER_MACHINE1 (machine_ticks at its ends).
peer_tpcb() {
    local out db0
    db0=$(db_cpu_ticks); PEER_MACHINE0=$(machine_ticks)
    out=$(pgbench -M prepared -n -c 8 -j 2 -T "$1" 2>/dev/null)
    PEER_DB_US=$(cpu_us_per $(( $(db_cpu_ticks) - db0 )) "$(pgbench_count <<<"$out")"); PEER_MACHINE1=$(machine_ticks)
    PEER_TPS=$(pgbench_tps <<<"$out")
}

# The profile scripts (callbacks-profile.sh, collection-profile.sh): pg_stat_statements loaded into
# the bench cluster, the server's samples recorded while the load runs, and per-request tables.
profile_enable_statements() {
    psql -qc "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'" >/dev/null
    "$BIN" db stop >/dev/null && "$BIN" db start >/dev/null
    psql -qc "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
}
# profile_perf_start PID SECONDS FILE: sets PERF to the recorder's pid, empty without perf.
PERF_HZ="${PERF_HZ:-499}"
profile_perf_start() {
    PERF=""
    if command -v perf >/dev/null; then
        perf record -F "$PERF_HZ" -g -p "$1" -o "$3" -- sleep "$2" >/dev/null 2>&1 & PERF=$!
    fi
}
# profile_report UNIT COUNT EXCLUDED PERFFILE: statements and database time per UNIT (COUNT of them),
# leaving out the script's own statements (a query text matching EXCLUDED), then the top statements
# and, when perf ran, the server's top symbols.
profile_report() {
    local unit=$1 count=$2 excluded=$3 perfdata=$4
    [ -n "$PERF" ] && wait "$PERF" || true
    psql -P pager=off -c "
        WITH s AS (SELECT calls, total_exec_time FROM pg_stat_statements
                   WHERE query NOT ILIKE '%pg_stat_statements%' AND query NOT ILIKE '$excluded')
        SELECT round(sum(calls)::numeric / $count, 2) AS \"statements per $unit\",
               round((sum(total_exec_time) / $count)::numeric, 3) AS \"database ms per $unit\" FROM s"
    psql -P pager=off -c "
        SELECT round(calls::numeric / $count, 2) AS per_$unit, round((total_exec_time / $count)::numeric, 3) AS ms_per_$unit,
               round((total_exec_time / greatest(calls, 1))::numeric, 3) AS ms_per_call, regexp_replace(left(query, 100), '\s+', ' ', 'g') AS statement
        FROM pg_stat_statements WHERE query NOT ILIKE '%pg_stat_statements%'
        ORDER BY total_exec_time DESC LIMIT 25"
    if [ -n "$PERF" ]; then
        echo "server CPU, top symbols (self):"
        # (head closes the pipe early: perf's SIGPIPE must not end the script under pipefail)
        perf report -i "$perfdata" --no-children --sort symbol --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -30 || true
        echo "server CPU by phase (bench/tools/server_phases.py, per $unit):"
        perf script -i "$perfdata" -F comm,ip,sym 2>/dev/null > "$perfdata.script" || true
        python3 "$ROOT/bench/tools/server_phases.py" "$perfdata.script" "$PERF_HZ" "$count" || true
        rm -f "$perfdata.script"
    fi
}

# Statistics kept current as in a database that has been running (bench/callbacks.sh, collection.sh):
# autovacuum looks every second instead of every minute, so a table the run fills from empty (bank
# transactions, notices) is analyzed within the run, as it long would have been in production, and
# the plans cached meanwhile are made again. Without it, the foreign-key checks' cached plans made
# on the empty table read every transaction of the school for each row inserted (docs/callbacks.md
# §6, fifth round). pgbench's tables are analyzed by `pgbench -i`.
bench_autovacuum_as_live() {
    psql -qc "ALTER SYSTEM SET autovacuum_naptime = '1s'" -c "SELECT pg_reload_conf()" >/dev/null
}

# Context switches of a process's live threads (voluntary + involuntary, /proc/PID/task/*/status):
# each voluntary one is a thread going to sleep, i.e. a hand-off or a wait for the database.
ctx_switches() {
    cat /proc/"$1"/task/*/status 2>/dev/null | awk '/^(voluntary|nonvoluntary)_ctxt_switches/ { n += $2 } END { print n + 0 }'
}
# Context switches per request, one decimal: per_request SWITCHES REQUESTS.
per_request() { python3 -c 'import sys; print(f"{int(sys.argv[1]) / max(1, int(sys.argv[2])):.1f}")' "$1" "$2"; }
