#!/usr/bin/env bash
# Statement import benchmark: seeds one school (students and September invoices, through
# `tuition bench invoices`), writes an MT940 statement of LINES lines for its bank account — CODED
# lines paying real invoices with their payment codes, the rest money in without a code, about 5%
# money out and 0.5% bank charges, 1,000 lines per statement, each opening at the previous closing —
# then times `tuition import` of it (lines/s and peak RSS of the importing process), and an import
# of the same file again (all duplicates). Target: >= 20,000 lines/s.
#
#   bench/import.sh                       # LINES=100000 STUDENTS=2000 CODED=2000
#   LINES=200000 BENCH_SKIP_BUILD=1 bench/import.sh
#
# Needs: python3, psql and /usr/bin/time (Debian packages python3, postgresql-client, time).
source "$(dirname "$0")/lib.sh"
LINES="${LINES:-100000}"
STUDENTS="${STUDENTS:-2000}"
CODED="${CODED:-2000}"
OUT="${OUT:-$TUITION_HOME/out}"
mkdir -p "$OUT"
"$BIN" migrate >/dev/null
echo "bench/import.sh: $LINES statement lines ($CODED paying invoices by code) into one school of $STUDENTS students"
"$BIN" bench invoices --schools 1 --students "$STUDENTS" --threads 1 --period 2026-09 >/dev/null
read -r SCHOOL ACCOUNT < <(psql -Atc "SELECT s.code || ' ' || b.account_number FROM schools s JOIN bank_accounts b USING (school_id) LIMIT 1" | tr '|' ' ')
psql -Atc "SELECT payment_code, total FROM invoices ORDER BY invoice_id" >"$OUT/invoices.txt"

python3 - "$OUT/invoices.txt" "$OUT/statement.sta" "$ACCOUNT" "$LINES" "$CODED" <<'PY'
import random, sys
invoices_path, out_path, account, lines, coded = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
invoices = [row.split("|") for row in open(invoices_path).read().split()]
rng = random.Random(20260901)
words = ["CHUYEN", "TIEN", "HOC", "PHI", "THANG", "NGUYEN", "VAN", "TRAN", "THI", "LE", "ANH", "MINH", "LOP"]
per_statement, balance, index, statement = 1000, 500_000_000, 0, 0
with open(out_path, "w") as out:
    while index < lines:
        statement += 1
        day = 1 + (statement - 1) * 29 // max(1, (lines + per_statement - 1) // per_statement)
        date = f"2609{day:02d}"
        out.write(f":20:BENCH{statement:06d}\n:25:{account}\n:28C:{statement}/1\n:60F:C{date}VND{balance},00\n")
        for _ in range(min(per_statement, lines - index)):
            index += 1
            roll = rng.random()
            kind, mark = "NTRF", "C"
            if index <= coded and index <= len(invoices):
                code, total = invoices[index - 1]
                amount, memo = int(total), f"MBVCB.{3278900000 + index}.{code} " + " ".join(rng.choice(words) for _ in range(4))
            elif roll < 0.05:
                amount, mark, memo = rng.choice([150000, 820000, 2500000]), "D", "CHI TRA NHA CUNG CAP " + str(index)
            elif roll < 0.055:
                amount, mark, kind, memo = 11000, "D", "NCHG", "PHI SMS BANKING"
            else:
                amount = rng.choice([250000, 280000, 500000, 600000, 850000]) * rng.randint(1, 3)
                memo = f"IBFT {3278900000 + index} " + " ".join(rng.choice(words) for _ in range(rng.randint(3, 7)))
            balance += amount if mark == "C" else -amount
            out.write(f":61:{date}{date[2:]}{mark}{amount},00{kind}NONREF//FT26{index:010d}\n:86:{memo}\n")
        out.write(f":62F:C{date}VND{balance},00\n")
PY

# backend_cpu PID: CPU seconds (user + system) used so far by process PID, or nothing once it is gone.
backend_cpu() { awk -v tick="$(getconf CLK_TCK)" '{ printf "%.1f", ($14 + $15) / tick }' "/proc/$1/stat" 2>/dev/null || true; }

# run LABEL: imports the file under /usr/bin/time -v while sampling the CPU time of its database
# backend (the machine is shared: wall time includes waiting for a core, CPU time does not); prints
# wall time, lines/s, peak RSS, and the CPU seconds of the importer and of its backend.
run() {
    local label=$1 log="$OUT/time.log" backend="" pid cpu_db=0 sample
    /usr/bin/time -v "$BIN" import "$OUT/statement.sta" --school "$SCHOOL" --account "$ACCOUNT" --progress-every 50000 \
        >"$OUT/import.log" 2>"$log" &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        [ -n "$backend" ] || backend=$(psql -Atc "SELECT pid FROM pg_stat_activity WHERE application_name = 'tuition' AND pid <> pg_backend_pid() LIMIT 1")
        # The migration check's connection comes and goes first; follow whichever backend is alive.
        if [ -n "$backend" ]; then sample=$(backend_cpu "$backend"); if [ -n "$sample" ]; then cpu_db=$sample; else backend=""; fi; fi
        sleep 0.2
    done
    if ! wait "$pid"; then echo "FAILED: $label" >&2; cat "$OUT/import.log" "$log" >&2; exit 1; fi
    local wall rss seconds cpu
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
    cpu=$(awk -F': ' '/User time|System time/ {sum += $2} END {printf "%.1f", sum}' "$log")
    seconds=$(python3 -c "import sys; p=sys.argv[1].split(':'); print(sum(float(x)*60**i for i,x in enumerate(reversed(p))))" "$wall")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    printf '%-22s %8s lines %7.2f s %7.0f lines/s %6.1f MiB peak RSS   CPU: importer %5s s, database %5s s = %6.0f lines per CPU-second\n' \
        "$label" "$LINES" "$seconds" "$(python3 -c "print($LINES / max($seconds, 0.001))")" "$(python3 -c "print($rss / 1024)")" \
        "$cpu" "$cpu_db" "$(python3 -c "print($LINES / max($cpu + $cpu_db, 0.001))")"
    sed -n '2,3p' "$OUT/import.log"
}
printf 'file: %s (%s MiB)\n' "$OUT/statement.sta" "$(python3 -c "import os; print(round(os.path.getsize('$OUT/statement.sta') / 2**20, 1))")"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
run "import (new lines)"
run "import again (known)"
psql -Atc "SELECT 'written: ' || (SELECT count(*) FROM statement_lines) || ' statement lines, ' || (SELECT count(*) FROM bank_transactions)
           || ' bank transactions, ' || (SELECT count(*) FROM payment_applications) || ' applications, '
           || (SELECT count(*) FROM postings) || ' postings'"
"$BIN" ledger verify | tail -1
