#!/usr/bin/env bash
# The bank collection service through the whole stack with wrk at 8 connections: signed inquiries
# (signature, nonce, pupil lookup, open items; no write) and durable payment notices (signature,
# nonce, exactly-once insert, booking, application to the named items, receipt, commit before the
# reply), each request signed once with a unique nonce; beside pgbench's TPC-B-like script at 8
# clients against the same cluster, right after. ROUNDS rounds (default 3), each with its own
# service school and pgbench run; the verdicts are the medians (the machine's phases move every rate
# by tens of percent within a minute).
# Targets: inquiries >= 10,000/s; notices / pgbench >= 0.8.
source "$(dirname "$0")/lib.sh"
DURATION="${DURATION:-8}"
ROUNDS="${ROUNDS:-3}"
PORT="${PORT:-18390}"
REQUESTS="${REQUESTS:-150000}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
bench_autovacuum_as_live
"$BIN" migrate >/dev/null
pgbench -i -s 1 -q >/dev/null 2>&1
INQ=$(mktemp /tmp/tuition-bench-inquiry.XXXXXX.lua)
PAY=$(mktemp /tmp/tuition-bench-notice.XXXXXX.lua)
WRK_OUT=$(mktemp /tmp/tuition-bench-collection.XXXXXX.wrk)
SERVER=""
trap 'set +e; [ -n "$SERVER" ] && { kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; }; rm -f "$INQ" "$PAY" "$WRK_OUT"; bench_cleanup' EXIT
# measure SCRIPT OPERATION: wrk on SCRIPT and, once all its threads run, the window of lib.sh's measure_window
# on the operation's route (its WINDOW_* figures); sets P99, NON2XX and WRK_RATE from wrk's whole run.
measure() {
    local out
    wrk_start "$WRK_OUT" -t2 -c8 -d"$(( DURATION + 2 ))s" --latency -s "$1" "http://127.0.0.1:$PORT"
    measure_window "$ADMIN" "$PORT" "/v1/collect/{provider}/$2" "$DURATION"
    wait "$WRK_PID"
    out=$(cat "$WRK_OUT")
    P99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    NON2XX=$(awk '/Non-2xx/ {print $NF}' <<<"$out")
    WRK_RATE=$(awk '/Requests\/sec/ {print int($2)}' <<<"$out")
}
echo "bench/collection.sh: ${DURATION}s each, 8 connections / 8 clients, $(nproc) cores, $ROUNDS rounds (inquiries, notices: rates over a window at steady state)"
INQUIRY_RATES="" NOTICE_RATIOS=""
for round in $(seq "$ROUNDS"); do
    "$BIN" serve --port "$PORT" --workers 8 >/dev/null 2>/tmp/tuition-bench-collection.log & SERVER=$!
    for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
    # Signed after the server started (it refuses requests signed before its start: docs/collection.md).
    sleep 1
    "$BIN" bench collection-setup --students 2000 --requests "$REQUESTS" --inquiries-out "$INQ" --payments-out "$PAY" >/dev/null
    ADMIN=$("$BIN" token create --role admin 2>/dev/null | awk '{print $NF}')
    # The HTTP stack's own ceiling on this machine in this run: /health (no database, answered on the event loop, no script).
    health=$(wrk -t2 -c8 -d"${DURATION}s" "http://127.0.0.1:$PORT/health" | awk '/Requests\/sec/ {print int($2)}')
    measure "$INQ" inquiry
    inq=$WINDOW_RATE inq_wrk=$WRK_RATE inq_p99=$P99 inq_bad=$NON2XX inq_count=$WINDOW_COUNT inq_server=$WINDOW_SERVER inq_db=$WINDOW_DB
    inq_wrk_ticks=$WINDOW_WRK imachine0=$WINDOW_MACHINE0 imachine1=$WINDOW_MACHINE1
    measure "$PAY" payments
    pay=$WINDOW_RATE pay_wrk=$WRK_RATE pay_p99=$P99 pay_bad=$NON2XX pay_count=$WINDOW_COUNT pay_server=$WINDOW_SERVER pay_db=$WINDOW_DB
    pay_wrk_ticks=$WINDOW_WRK pay_switches=$WINDOW_SWITCHES machine0=$WINDOW_MACHINE0 machine1=$WINDOW_MACHINE1
    stop_server
    peer_tpcb "$DURATION"
    notice_ratio=$(ratio "$pay" "$PEER_TPS")
    INQUIRY_RATES="$INQUIRY_RATES $inq" NOTICE_RATIOS="$NOTICE_RATIOS $notice_ratio"
    echo "round $round"
    printf '  %-26s %10s/s\n' "GET /health" "$health"
    printf '  %-26s %10s/s   p99 %s   non-2xx %s   (target >= 10000/s)   CPU/inquiry: server %s us, database %s us, wrk %s us\n' "signed inquiries" \
        "$inq" "$inq_p99" "${inq_bad:-0}" "$(cpu_us_per "$inq_server" "$inq_count")" "$(cpu_us_per "$inq_db" "$inq_count")" \
        "$(cpu_us_per "$inq_wrk_ticks" "$inq_count")"
    printf '  %-26s %10s/s   p99 %s   non-2xx %s   CPU/notice: server %s us, database %s us, wrk %s us\n' "durable payment notices" "$pay" \
        "$pay_p99" "${pay_bad:-0}" "$(cpu_us_per "$pay_server" "$pay_count")" "$(cpu_us_per "$pay_db" "$pay_count")" \
        "$(cpu_us_per "$pay_wrk_ticks" "$pay_count")"
    printf '  %-26s %10s/s   CPU/transaction: database %s us\n' "pgbench TPC-B-like" "$PEER_TPS" "$PEER_DB_US"
    echo "  ratio inquiries/health: $(ratio "$inq" "$health")"
    echo "  ratio notices/pgbench: $notice_ratio (target >= 0.80)"
    echo "  wrk's own figures (its start-up counted, not timed): inquiries $inq_wrk/s, notices $pay_wrk/s"
    echo "  server context switches per notice: $(per_request "$pay_switches" "$pay_count")"
    echo "  machine idle: $(idle_share "$imachine0" "$imachine1") during the inquiries, $(idle_share "$machine0" "$machine1") during the notices, $(idle_share "$PEER_MACHINE0" "$PEER_MACHINE1") during pgbench"
done
echo "median over $ROUNDS rounds: inquiries $(median $INQUIRY_RATES | cut -d. -f1)/s (rounds:$INQUIRY_RATES; target >= 10000/s), notices/pgbench $(median $NOTICE_RATIOS) (rounds:$NOTICE_RATIOS; target >= 0.80)"
"$BIN" ledger verify | tail -1
