#!/usr/bin/env bash
# Soak: mixed load for SOAK_SECONDS (default 600) — signed callbacks, authenticated queries, and a
# statement import every minute — while the server's resident memory and open descriptors are
# sampled every 30 s. They must stay flat: the script compares the last sample with the first
# after warm-up and fails on growth beyond a margin.
source "$(dirname "$0")/lib.sh"
PORT="${PORT:-18880}"
SOAK_SECONDS="${SOAK_SECONDS:-600}"
SAMPLE_SECONDS="${SAMPLE_SECONDS:-30}"
WORK=$(mktemp -d /tmp/tuition-soak.XXXXXX)
"$BIN" migrate >/dev/null
SETUP=$("$BIN" bench callbacks-setup --students 1000 --codes-out "$WORK/codes")
SCHOOL=$(json_field "$SETUP" school); SECRET=$(json_field "$SETUP" secret); ACCOUNT=$(json_field "$SETUP" account)
TOKEN=$("$BIN" token create --role accountant --school "$SCHOOL" 2>/dev/null | awk '{print $NF}')
"$BIN" serve --port "$PORT" >/dev/null 2>"$WORK/server.log" & SERVER=$!
trap 'set +e; kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; kill $(jobs -p) 2>/dev/null; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"; bench_cleanup' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
printf 'wrk.headers["Authorization"] = "Bearer %s"\n' "$TOKEN" > "$WORK/auth.lua"
python3 bench/tools/callback_load.py --port "$PORT" --secret "$SECRET" --account "$ACCOUNT" --codes "$WORK/codes" \
    --prefix SOAK --threads 2 --seconds "$SOAK_SECONDS" --out "$WORK/outcomes" & LOAD=$!
wrk -t1 -c4 -d"${SOAK_SECONDS}s" -s "$WORK/auth.lua" "http://127.0.0.1:$PORT/v1/schools/$SCHOOL/invoices?limit=20" >"$WORK/wrk.txt" 2>&1 &
(
    balance=0; n=0
    while sleep 60; do
        n=$((n + 1))
        balance=$(python3 bench/tools/mt940_lines.py "$WORK/statement.sta" "$ACCOUNT" 2000 --start-balance "$balance" --tag "SOAK$n" --codes "$WORK/codes")
        "$BIN" import "$WORK/statement.sta" --school "$SCHOOL" --account "$ACCOUNT" --format mt940 >>"$WORK/imports.log" 2>&1 || echo "import $n failed" >>"$WORK/imports.log"
    done
) & IMPORTS=$!
echo "bench/soak.sh: ${SOAK_SECONDS}s of callbacks (2 threads), queries (wrk -c4) and a 2,000-line import every minute"
printf '%8s %10s %6s %8s\n' seconds rss_kib fds threads
samples=()
for elapsed in $(seq "$SAMPLE_SECONDS" "$SAMPLE_SECONDS" "$SOAK_SECONDS"); do
    sleep "$SAMPLE_SECONDS"
    rss=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status"); fds=$(ls "/proc/$SERVER/fd" | wc -l); threads=$(ls "/proc/$SERVER/task" | wc -l)
    printf '%8s %10s %6s %8s\n' "$elapsed" "$rss" "$fds" "$threads"
    samples+=("$rss $fds")
done
wait "$LOAD" || true
kill "$IMPORTS" 2>/dev/null || true
acked=$(awk '$2 ~ /^2/' "$WORK/outcomes" | wc -l); failed=$(awk '$2 !~ /^2/' "$WORK/outcomes" | wc -l)
[ "$failed" = 0 ] || echo "not acknowledged, by status: $(awk '$2 !~ /^2/ {print $2}' "$WORK/outcomes" | sort | uniq -c | tr -s ' ' | tr '\n' ';')"
echo "callbacks acknowledged: $acked, not acknowledged: $failed; imports: $(grep -c 'new' "$WORK/imports.log" || true), failed: $(grep -c failed "$WORK/imports.log" || true)"
grep -E "Requests/sec|Non-2xx" "$WORK/wrk.txt" | sed 's/^/queries: /'
"$BIN" ledger verify | tail -1
first=(${samples[1]:-${samples[0]}}); last=(${samples[-1]})
echo "after warm-up: rss ${first[0]} -> ${last[0]} KiB, fds ${first[1]} -> ${last[1]}"
# Flat: resident memory within 25% (allocator noise) and descriptors within 8 of the first warm sample.
if [ "${last[0]}" -le $(( first[0] * 125 / 100 )) ] && [ "${last[1]}" -le $(( first[1] + 8 )) ] && [ "$failed" = 0 ]; then
    echo "RESULT: pass"
else
    echo "RESULT: FAIL"; exit 1
fi
