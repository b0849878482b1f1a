#!/usr/bin/env bash
# The monthly reconciliation of a generated province month, at 10 % and 100 % of the province:
# 700 schools, 300,000 students, ~300,000 invoices and ~330,000 bank lines at 100 %.
# Stages timed separately: seeding (schools and rosters), issuing the invoices, importing the bank
# lines (bulk booking, then the automatic application an import does), and reconciling (every
# school: re-match what is unapplied, build and record the report, close when the bank agrees;
# then the province report). The reconcile stage runs in its own process, two schools at a time,
# so its peak resident memory is its own. Target: reconcile <= 60 s with <= 2 GiB at 100 %.
# The KPI report (per managing authority, trend from September) is timed beside the province report,
# its peer in the same run: both read the same month's money set-based.
source "$(dirname "$0")/lib.sh"
PERCENTS="${PERCENTS:-10 100}"
THREADS="${THREADS:-2}"
MONTH=2026-10

run_scale() {
    local percent=$1
    # A fresh database per scale, so the two runs do not see each other's schools.
    psql -q -d postgres -c "DROP DATABASE IF EXISTS tuition WITH (FORCE)" -c "CREATE DATABASE tuition"
    "$BIN" migrate >/dev/null
    echo "== $percent % of the province"
    local seed
    seed=$("$BIN" reconcile bench --percent "$percent" --threads "$THREADS")
    echo "$seed"
    # Statistics as autovacuum would have them a few minutes after such a load.
    psql -q -c "ANALYZE"
    local reconcile
    reconcile=$("$BIN" reconcile --all --month "$MONTH" --close --threads "$THREADS" 2>&1 >/dev/null | sed -n 's/^reconcile: //p')
    echo "$reconcile"
    local province_start province_end
    province_start=$(date +%s.%N)
    "$BIN" report province --month "$MONTH" --format json --out "$TUITION_HOME/province-$percent.json" 2>/dev/null
    "$BIN" report province --month "$MONTH" --format csv --out "$TUITION_HOME/province-$percent.csv" 2>/dev/null
    "$BIN" report province --month "$MONTH" --format html --out "$TUITION_HOME/province-$percent.html" 2>/dev/null
    province_end=$(date +%s.%N)
    local kpi_start kpi_end
    kpi_start=$(date +%s.%N)
    "$BIN" report kpi --month "$MONTH" --format json --out "$TUITION_HOME/kpi-$percent.json" 2>/dev/null
    "$BIN" report kpi --month "$MONTH" --format csv --out "$TUITION_HOME/kpi-$percent.csv" 2>/dev/null
    "$BIN" report kpi --month "$MONTH" --format html --out "$TUITION_HOME/kpi-$percent.html" 2>/dev/null
    kpi_end=$(date +%s.%N)
    python3 - "$seed" "$reconcile" "$province_start" "$province_end" "$kpi_start" "$kpi_end" <<'EOF'
import json, sys
seed, rec = json.loads(sys.argv[1]), json.loads(sys.argv[2])
province = (float(sys.argv[4]) - float(sys.argv[3])) / 3
kpi = (float(sys.argv[6]) - float(sys.argv[5])) / 3
print(f"  data:      {seed['schools']} schools, {seed['students']} students, {seed['invoices']} invoices, {seed['lines']} bank lines "
      f"({seed['applied_on_import']} applied on import)")
print(f"  seed:      {seed['seed_seconds']} s (schools, families, students)")
print(f"  issue:     {seed['issue_seconds']} s")
print(f"  import:    {float(seed['booking_seconds']) + float(seed['apply_seconds']):.2f} s "
      f"(booking {seed['booking_seconds']} s, automatic application {seed['apply_seconds']} s); seeding process peak RSS {seed['peak_rss_mb']} MiB")
print(f"  reconcile: {rec['seconds']} s for {rec['schools']} schools on {rec['threads']} connections, "
      f"{rec['unapplied']} unapplied re-matched, {rec['applied']} applied; peak RSS {rec['peak_rss_mb']} MiB; states {rec['states']}")
print(f"  province:  {province:.2f} s per report (JSON, CSV, HTML, each its own process)")
print(f"  kpi:       {kpi:.2f} s per report (JSON, CSV, HTML), {kpi / max(province, 1e-9):.2f}x the province report")
print(f"  per line:  reconcile {1e6 * float(rec['seconds']) / max(1, seed['lines']):.1f} µs per bank line")
EOF
    psql -Atc "SELECT 'runs recorded: ' || count(*) || ', months closed: ' || count(*) FILTER (WHERE closed) FROM reconciliation_runs"
}

for percent in $PERCENTS; do run_scale "$percent"; done
"$BIN" ledger verify | tail -1
