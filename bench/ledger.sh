#!/usr/bin/env bash
# Entries per second for a four-posting entry (bank/suspense/suspense/receivable) at 1 and 8
# concurrent writers, against pgbench's default TPC-B-like script (5 statements per commit) at
# 1 and 8 clients, on the same cluster in the same run. Target: ratio >= 0.8 at 1 and at 8.
# CPU per request (µs: the client process, the database's processes; pgbench's database CPU per
# TPC-B transaction) is printed so a run on a busy machine can still be read.
source "$(dirname "$0")/lib.sh"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-10}"
pgbench -i -s 1 -q >/dev/null 2>&1
"$BIN" migrate >/dev/null
echo "bench/ledger.sh: ${SECONDS_PER_RUN}s per run"
printf '%-8s %14s %14s %8s %12s %12s %14s\n' writers "entries/s" "pgbench tps" ratio "client µs" "database µs" "pgbench db µs"
TIMEFORMAT='%U %S'
for writers in 1 8; do
    db0=$(db_cpu_ticks)
    { time "$BIN" bench ledger --threads "$writers" --seconds "$SECONDS_PER_RUN" >"$BENCH_HOME/ledger.json"; } 2>"$BENCH_HOME/ledger.time"
    db1=$(db_cpu_ticks)
    ours=$(json_field "$(cat "$BENCH_HOME/ledger.json")" per_second)
    entries=$(json_field "$(cat "$BENCH_HOME/ledger.json")" operations)
    client_ticks=$(awk -v hz="$(getconf CLK_TCK)" '{ print int(($1 + $2) * hz) }' "$BENCH_HOME/ledger.time")
    pgout=$(pgbench -M prepared -n -c "$writers" -j "$(( writers > 2 ? 2 : writers ))" -T "$SECONDS_PER_RUN" 2>/dev/null)
    db2=$(db_cpu_ticks)
    theirs=$(pgbench_tps <<<"$pgout")
    printf '%-8s %14s %14s %8s %12s %12s %14s\n' "$writers" "$ours" "$theirs" "$(ratio "$ours" "$theirs")" \
        "$(cpu_us_per "$client_ticks" "$entries")" "$(cpu_us_per $(( db1 - db0 )) "$entries")" \
        "$(cpu_us_per $(( db2 - db1 )) "$(pgbench_count <<<"$pgout")")"
done
"$BIN" ledger verify | tail -1
