#!/usr/bin/env bash
source "$(dirname "$0")/lib.sh"
DURATION="${DURATION:-8}"
PORT="${PORT:-18391}"
bench_autovacuum_as_live
"$BIN" migrate >/dev/null
INQ=$(mktemp /tmp/tuition-bench-inquiry.XXXXXX.lua)
PAY=$(mktemp /tmp/tuition-bench-notice.XXXXXX.lua)
"$BIN" serve --port "$PORT" --workers 8 >/dev/null 2>/tmp/tuition-bench-collection.log & SERVER=$!
trap 'set +e; kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -f "$INQ" "$PAY"; bench_cleanup' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
sleep 1
"$BIN" bench collection-setup --students 2000 --requests 150000 --inquiries-out "$INQ" --payments-out "$PAY" >/dev/null
server0=$(cpu_ticks "$SERVER"); db0=$(db_cpu_ticks); machine0=$(machine_ticks)
if [ -n "${PERF:-}" ]; then perf record -F 1999 -g -p "$SERVER" -o /tmp/exp/inq.perf -- sleep "$DURATION" >/tmp/exp/perf.log 2>&1 & PERFPID=$!; fi
out=$(wrk -t2 -c8 -d"${DURATION}s" --latency -s "$INQ" "http://127.0.0.1:$PORT")
server1=$(cpu_ticks "$SERVER"); db1=$(db_cpu_ticks); machine1=$(machine_ticks)
requests=$(awk '/requests in/ {print $1}' <<<"$out")
echo "inquiries $(awk '/Requests\/sec/ {print int($2)}' <<<"$out")/s server $(cpu_us_per $(( server1 - server0 )) "$requests") us db $(cpu_us_per $(( db1 - db0 )) "$requests") us idle $(idle_share "$machine0" "$machine1")"
[ -n "${PERFPID:-}" ] && wait $PERFPID
