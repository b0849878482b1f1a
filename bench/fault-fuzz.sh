#!/usr/bin/env bash
# Bad input at scale: 1,000,000 seeded random mutations of valid inputs through the HTTP request
# decoder and each statement parser (MT940, camt.053, bank CSV). No crash (the process would die),
# no hang (each target is bounded by a timeout; the slowest single input is printed), every
# refusal a clean error.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BIN:-$PWD/.build/release/tuition}"
[ "${BENCH_SKIP_BUILD:-0}" = 1 ] || swift build -c release --product tuition >/dev/null
COUNT="${COUNT:-1000000}"
status=0
for target in http mt940 camt053 csv; do
    if out=$(timeout "${TIMEOUT:-1800}" "$BIN" bench fuzz --target "$target" --count "$COUNT" --seed "${SEED:-2026}"); then
        echo "$out"
    else
        echo "{\"target\":\"$target\",\"result\":\"FAILED (exit $?): crash or hang\"}"; status=1
    fi
done
[ "$status" = 0 ] && echo "RESULT: pass" || { echo "RESULT: FAIL"; exit 1; }
