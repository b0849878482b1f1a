#!/usr/bin/env bash
# The .xlsx readers under bad input: 1,000,000 seeded random mutations each of whole workbook archives
# (ZIP directory, local headers, DEFLATE data: target xlsx-zip) and of sheet and shared-string markup
# stored in a valid archive (SpreadsheetML scanner and renderer: target xlsx-xml). No crash (the
# process would die), no hang (a timeout per target; the slowest input is printed), memory bounded
# (peak RSS printed: it must not grow with the number of inputs).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BIN:-$PWD/.build/release/tuition}"
[ "${BENCH_SKIP_BUILD:-0}" = 1 ] || swift build -c release --product tuition >/dev/null
COUNT="${COUNT:-1000000}"
status=0
for target in xlsx-zip xlsx-xml; do
    if out=$(/usr/bin/time -f 'peak_rss_kib=%M' -o /tmp/fuzz-xlsx-$$.time timeout "${TIMEOUT:-3600}" "$BIN" bench fuzz --target "$target" --count "$COUNT" --seed "${SEED:-2026}"); then
        echo "$out $(cat /tmp/fuzz-xlsx-$$.time)"
    else
        echo "{\"target\":\"$target\",\"result\":\"FAILED (exit $?): crash or hang\"}"; status=1
    fi
    rm -f /tmp/fuzz-xlsx-$$.time
done
[ "$status" = 0 ] && echo "RESULT: pass" || { echo "RESULT: FAIL"; exit 1; }
