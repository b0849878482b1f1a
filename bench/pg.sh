#!/usr/bin/env bash
# Throughput of a trivial prepared SELECT through our pool against pgbench -S -M prepared,
# at 1 and 8 connections, on the same cluster in the same run, in alternating rounds. Target: the
# median ratio of the rounds >= 0.9.
# Beside each figure, CPU per query of the client process and of the database (postmaster and its
# backends), and the client's context switches per query: on a shared machine the rates swing,
# the CPU per query much less.
source "$(dirname "$0")/lib.sh"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-6}"
pgbench -i -s 10 -q >/dev/null 2>&1
# pgbench's tables belong to the superuser it ran as; the program connects as the application role.
psql -q -c "GRANT SELECT ON pgbench_accounts, pgbench_branches TO tuition_app"
PERF_OUT=$(mktemp) RUN_OUT=$(mktemp)
trap 'rm -f "$PERF_OUT" "$RUN_OUT"; bench_cleanup' EXIT
# Runs a command under perf stat (when perf may count), its stdout into $RUN_OUT; sets CLIENT_MS
# (task-clock) and CLIENT_SWITCHES, empty without perf.
counted() {
    CLIENT_MS="" CLIENT_SWITCHES=""
    if perf stat -x, -e task-clock -o /dev/null -- true >/dev/null 2>&1; then
        perf stat -x, -e task-clock,context-switches -o "$PERF_OUT" -- "$@" >"$RUN_OUT"
        CLIENT_MS=$(awk -F, '$3 == "task-clock" { print $1 }' "$PERF_OUT")
        CLIENT_SWITCHES=$(awk -F, '$3 == "context-switches" { print $1 }' "$PERF_OUT")
    else
        "$@" >"$RUN_OUT"
    fi
}
# Microseconds per query from milliseconds of CPU; "-" without a figure.
us_per() { [ -n "$1" ] && python3 -c 'import sys; print(f"{float(sys.argv[1]) * 1000 / max(1, int(sys.argv[2])):.1f}")' "$1" "$2" || echo -; }
switches_per() { [ -n "$1" ] && per_request "$1" "$2" || echo -; }
# Five rounds: a round is half a minute, and with three the median still followed one slow moment of the
# machine (docs/ledger.md, "Five rounds").
ROUNDS="${ROUNDS:-5}"
echo "bench/pg.sh: SELECT abalance FROM pgbench_accounts WHERE aid = \$1 (scale 10), ${SECONDS_PER_RUN}s per run, $ROUNDS rounds"
echo "CPU µs per query: client process (ours | pgbench), database (ours | pgbench); client switches per query"
# Each row: connections, then the threads that drive them. pgbench -c C -j J: J threads, each sending on
# its C/J connections and handling whichever answers (at 8: two threads of four, its shape on two cores).
# Ours at 8 twice: the same shape (2 threads, each sending on its four connections, then reading them:
# PostgresConnection.start / waitForAnswer / finishIfReady), and one blocking thread per connection, as the server's workers run.
# The machine's phases move every rate by tens of percent within a minute: the rounds alternate ours and
# pgbench, each ratio is against the peer run right beside it, and the verdict is the median of the rounds.
printf '%-6s %-22s %12s %12s %6s %14s %14s %12s\n' round "connections (threads)" "tuition q/s" "pgbench tps" ratio "client µs" "database µs" "switches"
SHAPES=("1 1 1" "8 2 4" "8 8 1")
# pgbench -S at CONNECTIONS connections (its own shape: at most 2 threads), into PEER_RUN[CONNECTIONS].
peer_select() {
    local db_before peer_out theirs_db theirs theirs_count
    db_before=$(db_cpu_ticks)
    counted pgbench -S -M prepared -n -c "$1" -j "$(( $1 > 2 ? 2 : $1 ))" -T "$SECONDS_PER_RUN" 2>/dev/null
    peer_out=$(cat "$RUN_OUT")
    theirs_db=$(( $(db_cpu_ticks) - db_before ))
    theirs=$(echo "$peer_out" | pgbench_tps)
    theirs_count=$(echo "$peer_out" | pgbench_count)
    PEER_RUN[$1]="$theirs $(us_per "$CLIENT_MS" "$theirs_count") $(cpu_us_per "$theirs_db" "$theirs_count") $(switches_per "$CLIENT_SWITCHES" "$theirs_count")"
}
declare -A RATIOS
for round in $(seq "$ROUNDS"); do
    declare -A PEER_RUN=()
    for shape in "${SHAPES[@]}"; do
        read -r connections threads per_thread <<<"$shape"
        # pgbench once per connection count and round, beside our first run at that count: after it in odd
        # rounds, before it in even ones, so that a phase of the machine drifting within a round does not
        # always fall on the same side.
        if [ -z "${PEER_RUN[$connections]:-}" ] && (( round % 2 == 0 )); then peer_select "$connections"; fi
        db_before=$(db_cpu_ticks)
        counted "$BIN" bench pg --threads "$threads" --connections-per-thread "$per_thread" --seconds "$SECONDS_PER_RUN"
        ours_json=$(cat "$RUN_OUT")
        ours_db=$(( $(db_cpu_ticks) - db_before ))
        ours=$(json_field "$ours_json" per_second)
        ours_count=$(json_field "$ours_json" operations)
        ours_us=$(us_per "$CLIENT_MS" "$ours_count") ours_sw=$(switches_per "$CLIENT_SWITCHES" "$ours_count")
        if [ -z "${PEER_RUN[$connections]:-}" ]; then peer_select "$connections"; fi
        read -r theirs theirs_us theirs_db_us theirs_sw <<<"${PEER_RUN[$connections]}"
        this_ratio=$(ratio "$ours" "$theirs")
        RATIOS[$shape]="${RATIOS[$shape]:-} $this_ratio"
        printf '%-6s %-22s %12s %12s %6s %14s %14s %12s\n' "$round" "$connections ($threads)" "$ours" "$theirs" "$this_ratio" \
            "$ours_us | $theirs_us" "$(cpu_us_per "$ours_db" "$ours_count") | $theirs_db_us" "$ours_sw | $theirs_sw"
    done
    unset PEER_RUN
done
# The target (>= 0.9) is read on 1 connection and on 8 in pgbench's own shape (2 threads of 4): the same
# program structure as the peer, so the ratio compares the clients' code. 8 blocking threads is the
# server's workers' shape, printed for what the threading model costs.
echo "median ratio over $ROUNDS rounds (target >= 0.90 at 1 (1) and 8 (2)):"
for shape in "${SHAPES[@]}"; do
    read -r connections threads _ <<<"$shape"
    printf '  %-22s %6s   (rounds:%s)\n' "$connections ($threads)" "$(median ${RATIOS[$shape]})" "${RATIOS[$shape]}"
done
# The parameters' format alone: one statement with a batch statement's eight array parameters
# (`tuition bench pg-arrays`), its values in binary (as the client sends them) against the same
# values in their text form (as it sent them before), one after the other in this run. The database's
# CPU per query is the figure to read: it is what array_in and one input call per element cost.
ELEMENTS="${ELEMENTS:-4}"
echo "parameter format: SELECT count(*) FROM unnest(8 arrays of $ELEMENTS elements), 1 thread, ${SECONDS_PER_RUN}s per run"
printf '%-8s %12s %14s %14s\n' format "q/s" "client µs" "database µs"
declare -A FORMAT_QPS
for format in text binary; do
    db_before=$(db_cpu_ticks)
    counted "$BIN" bench pg-arrays --format "$format" --elements "$ELEMENTS" --threads 1 --seconds "$SECONDS_PER_RUN"
    json=$(cat "$RUN_OUT")
    db_ticks=$(( $(db_cpu_ticks) - db_before ))
    count=$(json_field "$json" operations)
    FORMAT_QPS[$format]=$(json_field "$json" per_second)
    printf '%-8s %12s %14s %14s\n' "$format" "${FORMAT_QPS[$format]}" "$(us_per "$CLIENT_MS" "$count")" "$(cpu_us_per "$db_ticks" "$count")"
done
echo "ratio binary/text (q/s): $(ratio "${FORMAT_QPS[binary]}" "${FORMAT_QPS[text]}")"
