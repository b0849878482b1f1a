#!/usr/bin/env bash
# Entries per second for a four-posting entry (bank/suspense/suspense/receivable) at 1 and 8
# concurrent writers, against pgbench's default TPC-B-like script (5 statements per commit) at
# 1 and 8 clients, on the same cluster in the same run. Target: ratio >= 0.8 at 8.
source "$(dirname "$0")/lib.sh"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-10}"
pgbench -i -s 1 -q >/dev/null 2>&1
"$BIN" migrate >/dev/null
echo "bench/ledger.sh: ${SECONDS_PER_RUN}s per run"
printf '%-8s %14s %14s %8s\n' writers "entries/s" "pgbench tps" ratio
for writers in 1 8; do
    ours=$(json_field "$("$BIN" bench ledger --threads "$writers" --seconds "$SECONDS_PER_RUN")" per_second)
    theirs=$(pgbench -M prepared -n -c "$writers" -j "$(( writers > 2 ? 2 : writers ))" -T "$SECONDS_PER_RUN" 2>/dev/null | pgbench_tps)
    printf '%-8s %14s %14s %8s\n' "$writers" "$ours" "$theirs" "$(ratio "$ours" "$theirs")"
done
"$BIN" ledger verify | tail -1
