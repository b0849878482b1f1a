#!/usr/bin/env bash
# Bad input at scale: 1,000,000 seeded random mutations of valid inputs through the HTTP request
# decoder and each statement parser (MT940, camt.053, bank CSV, and the provisional-money readers:
# camt.054 notifications and MT942 interim reports). No crash (the process would die), no hang (each
# target is bounded by a timeout; the slowest single input is printed), every refusal a clean error,
# memory bounded (peak RSS printed: it must not grow with the number of inputs).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BIN:-$PWD/.build/release/tuition}"
[ "${BENCH_SKIP_BUILD:-0}" = 1 ] || swift build -c release --product tuition >/dev/null
COUNT="${COUNT:-1000000}"
status=0
for target in ${TARGETS:-http mt940 camt053 csv camt054 mt942}; do
    if out=$(/usr/bin/time -f 'peak_rss_kib=%M' -o /tmp/fault-fuzz-$$.time timeout "${TIMEOUT:-1800}" "$BIN" bench fuzz --target "$target" --count "$COUNT" --seed "${SEED:-2026}"); then
        echo "$out $(cat /tmp/fault-fuzz-$$.time)"
    else
        echo "{\"target\":\"$target\",\"result\":\"FAILED (exit $?): crash or hang\"}"; status=1
    fi
    rm -f /tmp/fault-fuzz-$$.time
done
[ "$status" = 0 ] && echo "RESULT: pass" || { echo "RESULT: FAIL"; exit 1; }
