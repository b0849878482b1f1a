#!/usr/bin/env bash
# Throughput of a trivial prepared SELECT through our pool against pgbench -S -M prepared,
# at 1 and 8 threads/clients, on the same cluster in the same run. Target: ratio >= 0.9.
source "$(dirname "$0")/lib.sh"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-10}"
pgbench -i -s 10 -q >/dev/null 2>&1
# pgbench's tables belong to the superuser it ran as; the program connects as the application role.
psql -q -c "GRANT SELECT ON pgbench_accounts TO tuition_app"
echo "bench/pg.sh: SELECT abalance FROM pgbench_accounts WHERE aid = \$1 (scale 10), ${SECONDS_PER_RUN}s per run"
printf '%-8s %14s %14s %8s\n' threads "tuition q/s" "pgbench tps" ratio
for threads in 1 8; do
    ours=$(json_field "$("$BIN" bench pg --threads "$threads" --seconds "$SECONDS_PER_RUN")" per_second)
    theirs=$(pgbench -S -M prepared -n -c "$threads" -j "$(( threads > 2 ? 2 : threads ))" -T "$SECONDS_PER_RUN" 2>/dev/null | pgbench_tps)
    printf '%-8s %14s %14s %8s\n' "$threads" "$ours" "$theirs" "$(ratio "$ours" "$theirs")"
done
