#!/usr/bin/env bash
# Accuracy of the matcher on a generated, labelled month (several seeds): precision and recall of
# automatic application and of proposals. Targets: automatic precision 100%; recall >= 95% of
# payments with a valid code or virtual account; >= 80% of the rest covered by a correct top proposal.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${BIN:-$PWD/.build/release/tuition}"
[ "${BENCH_SKIP_BUILD:-0}" = 1 ] || swift build -c release --product tuition >/dev/null
for seed in ${SEEDS:-2026 7 42}; do
    echo "== seed $seed"
    "$BIN" bench accuracy --seed "$seed"
done
