#!/usr/bin/env bash
# Issues one month for 100,000 students across 50 schools (2,000 each, one transaction per school,
# two schools at a time) and prints invoices per second and the peak resident memory of the
# issuing process. Students are seeded first through the roster import (timed separately).
# Then the same again with --new-regime (public schools billing 2026-27 from the province catalogue:
# meals by the school day with random absences credited, water, BHYT, two opt-in clubs), October
# measured after September is issued; its figures are printed beside the first run's.
# Target: >= 5,000 invoices/s for both.
source "$(dirname "$0")/lib.sh"
SCHOOLS="${SCHOOLS:-50}"
STUDENTS="${STUDENTS:-100000}"
THREADS="${THREADS:-2}"
"$BIN" migrate >/dev/null
echo "bench/invoices.sh: $STUDENTS students in $SCHOOLS schools, $THREADS schools at a time"
result=$("$BIN" bench invoices --schools "$SCHOOLS" --students "$STUDENTS" --threads "$THREADS" --period 2026-09)
echo "$result"
printf 'seeding (roster import): %ss\n' "$(json_field "$result" seed_seconds)"
printf 'issuing: %s invoices in %ss = %s invoices/s (target >= 5000)\n' \
    "$(json_field "$result" invoices)" "$(json_field "$result" issue_seconds)" "$(json_field "$result" per_second)"
printf 'peak RSS of the process: %s MiB\n' "$(json_field "$result" peak_rss_mb)"
psql -Atc "SELECT 'written: ' || (SELECT count(*) FROM invoices) || ' invoices, ' || (SELECT count(*) FROM invoice_lines)
           || ' lines, ' || (SELECT count(*) FROM postings) || ' postings'"
"$BIN" ledger verify | tail -1

echo
echo "new regime: meals by the day with absences, water, BHYT with a 30 % state share, two opt-in clubs (October after September)"
fresh=$("$BIN" bench invoices --schools "$SCHOOLS" --students "$STUDENTS" --threads "$THREADS" --new-regime)
echo "$fresh"
printf 'issuing (new regime): %s invoices in %ss = %s invoices/s (target >= 5000; first run %s/s, ratio %s)\n' \
    "$(json_field "$fresh" invoices)" "$(json_field "$fresh" issue_seconds)" "$(json_field "$fresh" per_second)" \
    "$(json_field "$result" per_second)" "$(ratio "$(json_field "$fresh" per_second)" "$(json_field "$result" per_second)")"
printf 'peak RSS of the process (new regime): %s MiB\n' "$(json_field "$fresh" peak_rss_mb)"
psql -Atc "SELECT 'October lines: ' || count(*) || ', per-day ' || count(quantity) || ', absent days credited ' || coalesce(sum(credited_days), 0)
           FROM invoice_lines l JOIN invoices i USING (school_id, invoice_id) WHERE i.period = '2026-10-01'"
"$BIN" ledger verify | tail -1
