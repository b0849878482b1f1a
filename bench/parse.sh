#!/usr/bin/env bash
# Statement parser benchmark: generates MT940, camt.053 and CSV (BIDV layout) files of 100,000 and
# 1,000,000 lines, times `tuition parse FILE --format F --summary` on each (lines/s, peak RSS), and
# parses the same MT940 files with the Python `mt-940` package from PyPI for comparison. Then the CSV
# of XLSX_SIZES rows is written as an .xlsx workbook by openpyxl and read by `tuition parse` and by
# openpyxl itself (read-only mode) for comparison.
#
#   bench/parse.sh                      # BIN defaults to .build/release/tuition
#   BIN=/path/to/tuition SIZES="100000" XLSX_SIZES="100000" bench/parse.sh
#
# Needs: python3, /usr/bin/time (Debian package `time`), and pip for `mt-940` and `openpyxl`
# (installed when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${BIN:-.build/release/tuition}
OUT=${OUT:-bench/out}
SIZES=${SIZES:-"100000 1000000"}
XLSX_SIZES=${XLSX_SIZES:-"100000"}
mkdir -p "$OUT"

if [ ! -x "$BIN" ]; then
  echo "no executable at $BIN: run 'swift build -c release' first (or set BIN)" >&2
  exit 1
fi
if ! python3 -c 'import mt940' 2>/dev/null; then
  python3 -m pip install --quiet mt-940
fi
if ! python3 -c 'import openpyxl' 2>/dev/null; then
  python3 -m pip install --quiet openpyxl
fi

# measure LABEL LINES COMMAND...: runs the command under /usr/bin/time -v, prints one result row,
# and leaves the elapsed seconds in $ELAPSED.
measure() {
  local label=$1 lines=$2
  shift 2
  local log="$OUT/time.log"
  if ! /usr/bin/time -v "$@" >"$OUT/stdout.log" 2>"$log"; then
    echo "FAILED: $label" >&2
    cat "$log" "$OUT/stdout.log" >&2
    exit 1
  fi
  local wall rss
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
  ELAPSED=$(python3 -c "import sys; p=sys.argv[1].split(':'); print(sum(float(x)*60**i for i,x in enumerate(reversed(p))))" "$wall")
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
  # CPU seconds (user + system): on a shared machine wall time includes waiting for a core, CPU time does not.
  CPU=$(awk -F': ' '/User time|System time/ {sum += $2} END {printf "%.2f", sum}' "$log")
  printf '%-28s %9s lines %8.2f s %6.2f s CPU %12.0f lines/s %8.1f MiB peak RSS   %s\n' \
    "$label" "$lines" "$ELAPSED" "$CPU" "$(python3 -c "print($lines / max($ELAPSED, 0.001))")" "$(python3 -c "print($rss / 1024)")" \
    "$(head -c 160 "$OUT/stdout.log")"
}

for size in $SIZES; do
  for format in mt940 camt053 csv; do
    file="$OUT/$format-$size.txt"
    [ -f "$file" ] || python3 bench/gen/statements.py "$format" "$size" "$file"
  done
done

echo "tuition parse ($BIN)"
for size in $SIZES; do
  for format in mt940 camt053 csv; do
    file="$OUT/$format-$size.txt"
    lines=$(wc -l <"$file")
    argument=$format
    [ "$format" = csv ] && argument=bidv
    measure "$format ($size)" "$lines" "$BIN" parse "$file" --format "$argument" --summary
    [ "$format" = mt940 ] && eval "OURS_$size=$ELAPSED"
  done
done

echo
echo "Python mt-940 $(python3 -c 'import mt940; print(mt940.__version__)') on the same MT940 files"
for size in $SIZES; do
  file="$OUT/mt940-$size.txt"
  lines=$(wc -l <"$file")
  measure "python mt-940 ($size)" "$lines" python3 bench/gen/mt940_python.py "$file"
  ours=$(eval "echo \$OURS_$size")
  printf '%-28s %.1fx faster than mt-940\n' "ratio ($size)" "$(python3 -c "print($ELAPSED / max($ours, 0.001))")"
done

echo
echo "xlsx: tuition parse against openpyxl $(python3 -c 'import openpyxl; print(openpyxl.__version__)') on the same workbook"
for size in $XLSX_SIZES; do
  csv="$OUT/csv-$size.txt"
  [ -f "$csv" ] || python3 bench/gen/statements.py csv "$size" "$csv"
  file="$OUT/xlsx-$size.xlsx"
  [ -f "$file" ] || python3 scripts/xlsx-samples.py "$csv" bidv "$file"
  rows=$(wc -l <"$csv")
  measure "xlsx ($size)" "$rows" "$BIN" parse "$file" --format xlsx:bidv --summary
  ours=$ELAPSED ours_cpu=$CPU
  measure "python openpyxl ($size)" "$rows" python3 bench/gen/xlsx_python.py "$file"
  printf '%-28s %.1fx faster than openpyxl (target 10x); CPU time %.1fx less\n' "ratio ($size)" \
    "$(python3 -c "print($ELAPSED / max($ours, 0.001))")" "$(python3 -c "print($CPU / max($ours_cpu, 0.001))")"
done
