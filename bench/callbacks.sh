#!/usr/bin/env bash
# Signed `tuition`-scheme callbacks through the whole stack (HTTP, signature, dedup, booking,
# matching, application, audit, commit before the reply) with wrk at 8 connections, cycling
# pre-signed requests (unique ids, codes of real open invoices); and pgbench's TPC-B-like script at 8
# clients against the same cluster, right after. ROUNDS rounds (default 3), each its own school and
# its own pgbench run: the machine's phases move every rate by tens of percent within a minute, so each
# ratio is against the peer run beside it and the verdict is the median. Target: ratio >= 0.8.
source "$(dirname "$0")/lib.sh"
DURATION="${DURATION:-10}"
ROUNDS="${ROUNDS:-3}"
# Months of invoices per round's school (callbacks-setup --months): 1 as the earlier rounds measured (most of the
# window's callbacks end in suspense), 9 for a window where nearly every callback pays an invoice.
MONTHS="${MONTHS:-1}"
PORT="${PORT:-18380}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
bench_autovacuum_as_live
"$BIN" migrate >/dev/null
pgbench -i -s 1 -q >/dev/null 2>&1
LUA=$(mktemp /tmp/tuition-bench-callbacks.XXXXXX.lua)
WRK_OUT=$(mktemp /tmp/tuition-bench-callbacks.XXXXXX.wrk)
SERVER=""
trap 'set +e; [ -n "$SERVER" ] && { kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; }; rm -f "$LUA" "$WRK_OUT"; bench_cleanup' EXIT
echo "bench/callbacks.sh: ${DURATION}s, 8 connections / 8 clients, $ROUNDS rounds, $MONTHS month(s) of invoices (callbacks: rate over a window at steady state)"
# The school's bank transactions and those applied to an invoice so far. Each invoice (500,000 đồng) is paid by
# five callbacks of 100,000; the callbacks that name it afterwards wait in suspense (no receipt, no application):
# with one month of invoices the window's mix, printed with each round, shifts toward suspense as it runs.
recorded_and_applied() {
    psql -Atc "SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM payment_applications a
                                                             WHERE a.school_id = t.school_id AND a.bank_transaction_id = t.bank_transaction_id))
               FROM bank_transactions t JOIN schools s USING (school_id) WHERE s.code = '$1'" | tr '|' ' '
}
RATIOS=""
for round in $(seq "$ROUNDS"); do
    # A school of its own per round: the pre-signed callbacks of another round would all be duplicates.
    SCHOOL_CODE=$(json_field "$("$BIN" bench callbacks-setup --students 2000 --requests 40000 --months "$MONTHS" --out "$LUA")" school)
    "$BIN" serve --port "$PORT" --workers 8 >/dev/null 2>/tmp/tuition-bench-callbacks.log & SERVER=$!
    for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
    ADMIN=$("$BIN" token create --role admin 2>/dev/null | awk '{print $NF}')
    # wrk runs two seconds past the window (the window starts once all its threads run: lib.sh, wrk_start).
    wrk_start "$WRK_OUT" -t2 -c8 -d"$(( DURATION + 2 ))s" --latency -s "$LUA" "http://127.0.0.1:$PORT"
    read -r recorded0 applied0 <<<"$(recorded_and_applied "$SCHOOL_CODE")"
    measure_window "$ADMIN" "$PORT" "/v1/callbacks/{provider}" "$DURATION"
    read -r recorded1 applied1 <<<"$(recorded_and_applied "$SCHOOL_CODE")"
    wait "$WRK_PID"
    out=$(cat "$WRK_OUT")
    requests=$WINDOW_COUNT rps=$WINDOW_RATE
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    wrk_rps=$(awk '/Requests\/sec/ {print int($2)}' <<<"$out")
    stop_server
    peer_tpcb "$DURATION"
    this_ratio=$(ratio "$rps" "$PEER_TPS")
    RATIOS="$RATIOS $this_ratio"
    echo "round $round"
    printf '  %-26s %10s/s   p50 %s   p99 %s   non-2xx %s   CPU/request: server %s us, database %s us, wrk %s us\n' "signed callbacks" "$rps" \
        "$p50" "$p99" "${non2xx:-0}" "$(cpu_us_per "$WINDOW_SERVER" "$requests")" "$(cpu_us_per "$WINDOW_DB" "$requests")" \
        "$(cpu_us_per "$WINDOW_WRK" "$requests")"
    printf '  %-26s %10s/s   CPU/transaction: database %s us\n' "pgbench TPC-B-like" "$PEER_TPS" "$PEER_DB_US"
    echo "  ratio callbacks/pgbench: $this_ratio"
    echo "  wrk's own figure (its start-up counted, not timed): $wrk_rps/s"
    echo "  applied to invoices: $(( 100 * (applied1 - applied0) / ((recorded1 - recorded0) > 0 ? recorded1 - recorded0 : 1) )) % of the window's callbacks (the rest in suspense: their invoices were paid)"
    echo "  server context switches per callback: $(per_request "$WINDOW_SWITCHES" "$requests")"
    echo "  machine idle: $(idle_share "$WINDOW_MACHINE0" "$WINDOW_MACHINE1") during the callbacks, $(idle_share "$PEER_MACHINE0" "$PEER_MACHINE1") during pgbench"
done
echo "median ratio callbacks/pgbench over $ROUNDS rounds: $(median $RATIOS)   (rounds:$RATIOS; target >= 0.80)"
"$BIN" ledger verify | tail -1
