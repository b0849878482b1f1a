#!/usr/bin/env bash
# The bank collection service through the whole stack with wrk at 8 connections: signed inquiries
# (signature, nonce, pupil lookup, open items; no write) and durable payment notices (signature,
# nonce, exactly-once insert, booking, application to the named items, receipt, commit before the
# reply), each request signed once with a unique nonce; beside pgbench's TPC-B-like script at 8
# clients against the same cluster in the same run.
# Targets: inquiries >= 10,000/s; notices / pgbench >= 0.8.
source "$(dirname "$0")/lib.sh"
DURATION="${DURATION:-8}"
PORT="${PORT:-18390}"
REQUESTS="${REQUESTS:-150000}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
bench_autovacuum_as_live
"$BIN" migrate >/dev/null
pgbench -i -s 1 -q >/dev/null 2>&1
INQ=$(mktemp /tmp/tuition-bench-inquiry.XXXXXX.lua)
PAY=$(mktemp /tmp/tuition-bench-notice.XXXXXX.lua)
"$BIN" serve --port "$PORT" --workers 8 >/dev/null 2>/tmp/tuition-bench-collection.log & SERVER=$!
trap 'set +e; kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -f "$INQ" "$PAY"; bench_cleanup' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
# Signed after the server started (it refuses requests signed before its start: docs/collection.md).
sleep 1
"$BIN" bench collection-setup --students 2000 --requests "$REQUESTS" --inquiries-out "$INQ" --payments-out "$PAY" >/dev/null
measure() {
    local out
    out=$(wrk -t2 -c8 -d"${DURATION}s" --latency -s "$1" "http://127.0.0.1:$PORT")
    echo "$(awk '/Requests\/sec/ {print int($2)}' <<<"$out") $(awk '$1 == "99%" {print $2}' <<<"$out") $(awk '/Non-2xx/ {print $NF}' <<<"$out")"
}
# The HTTP stack's own ceiling on this machine in this run: /health (no database, answered on the event loop).
health=$(wrk -t2 -c8 -d"${DURATION}s" "http://127.0.0.1:$PORT/health" | awk '/Requests\/sec/ {print int($2)}')
iserver0=$(cpu_ticks "$SERVER"); idb0=$(db_cpu_ticks); imachine0=$(machine_ticks)
read -r inq inq_p99 inq_bad <<<"$(measure "$INQ")"
iserver1=$(cpu_ticks "$SERVER"); idb1=$(db_cpu_ticks); imachine1=$(machine_ticks)
# wrk's own count is not kept by measure(): CPU per inquiry from its rate over the run.
inq_count=$(( inq * DURATION ))
server0=$(cpu_ticks "$SERVER"); db0=$(db_cpu_ticks); switches0=$(ctx_switches "$SERVER"); paid0=$(psql -Atc "SELECT count(*) FROM collection_payments"); machine0=$(machine_ticks)
read -r pay pay_p99 pay_bad <<<"$(measure "$PAY")"
machine1=$(machine_ticks)
server1=$(cpu_ticks "$SERVER"); db1=$(db_cpu_ticks); switches1=$(ctx_switches "$SERVER"); paid1=$(psql -Atc "SELECT count(*) FROM collection_payments")
kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null || true
db2=$(db_cpu_ticks); machine2=$(machine_ticks)
pgout=$(pgbench -M prepared -n -c 8 -j 2 -T "$DURATION" 2>/dev/null)
db3=$(db_cpu_ticks); machine3=$(machine_ticks)
tps=$(pgbench_tps <<<"$pgout")
echo "bench/collection.sh: ${DURATION}s each, 8 connections / 8 clients, $(nproc) cores"
printf '%-28s %10s/s\n' "GET /health" "$health"
printf '%-28s %10s/s   p99 %s   non-2xx %s   (target >= 10000/s)   CPU/inquiry: server %s us, database %s us\n' "signed inquiries" "$inq" \
    "$inq_p99" "${inq_bad:-0}" "$(cpu_us_per $(( iserver1 - iserver0 )) "$inq_count")" "$(cpu_us_per $(( idb1 - idb0 )) "$inq_count")"
printf '%-28s %10s/s   p99 %s   non-2xx %s   CPU/notice: server %s us, database %s us\n' "durable payment notices" "$pay" "$pay_p99" \
    "${pay_bad:-0}" "$(cpu_us_per $(( server1 - server0 )) $(( paid1 - paid0 )))" "$(cpu_us_per $(( db1 - db0 )) $(( paid1 - paid0 )))"
printf '%-28s %10s/s   CPU/transaction: database %s us\n' "pgbench TPC-B-like" "$tps" \
    "$(cpu_us_per $(( db3 - db2 )) "$(pgbench_count <<<"$pgout")")"
echo "ratio inquiries/health: $(ratio "$inq" "$health")"
echo "ratio notices/pgbench: $(ratio "$pay" "$tps") (target >= 0.80)"
echo "server context switches per notice: $(per_request $(( switches1 - switches0 )) $(( paid1 - paid0 )))"
echo "machine idle: $(idle_share "$imachine0" "$imachine1") during the inquiries, $(idle_share "$machine0" "$machine1") during the notices, $(idle_share "$machine2" "$machine3") during pgbench"
"$BIN" ledger verify | tail -1
