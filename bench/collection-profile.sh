#!/usr/bin/env bash
# Where a payment notice's time goes (docs/callbacks.md §6): the notices load of bench/collection.sh,
# with pg_stat_statements counting every statement the server sends (round trips and database time
# per notice) and, when perf is installed, the server's top symbols.
source "$(dirname "$0")/lib.sh"
DURATION="${DURATION:-10}"
PORT="${PORT:-18391}"
REQUESTS="${REQUESTS:-60000}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
profile_enable_statements
bench_autovacuum_as_live
"$BIN" migrate >/dev/null
INQ=$(mktemp /tmp/tuition-profile-inquiry.XXXXXX.lua)
PAY=$(mktemp /tmp/tuition-profile-notice.XXXXXX.lua)
PERFDATA=$(mktemp /tmp/tuition-profile-notices.XXXXXX.perf)
"$BIN" serve --port "$PORT" --workers 8 >/dev/null 2>/tmp/tuition-profile-collection.log & SERVER=$!
trap 'set +e; kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; rm -f "$INQ" "$PAY" "$PERFDATA"; bench_cleanup' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
# Signed after the server started (it refuses requests signed before its start: docs/collection.md).
sleep 1
"$BIN" bench collection-setup --students 2000 --requests "$REQUESTS" --inquiries-out "$INQ" --payments-out "$PAY" >/dev/null
psql -qAtc "SELECT pg_stat_statements_reset()" >/dev/null
before=$(psql -Atc "SELECT count(*) FROM collection_payments")
profile_perf_start "$SERVER" "$DURATION" "$PERFDATA"
wrk -t2 -c8 -d"${DURATION}s" -s "$PAY" "http://127.0.0.1:$PORT" | awk '/Requests\/sec/ {print "durable payment notices/s: " int($2)}'
notices=$(( $(psql -Atc "SELECT count(*) FROM collection_payments") - before ))
echo "notices recorded: $notices"
profile_report notice "$notices" '%collection_payments%count%' "$PERFDATA"
