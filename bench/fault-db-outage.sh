#!/usr/bin/env bash
# Database outage under load: PostgreSQL is stopped for a few seconds while signed callbacks
# keep coming. The server answers 503 while the database is down and recovers by itself; the
# retried callbacks post once; threads and open descriptors of the server are the same before
# and after (no leak).
source "$(dirname "$0")/lib.sh"
PORT="${PORT:-18680}"
SECONDS_LOAD="${SECONDS_LOAD:-30}"
OUTAGE="${OUTAGE:-6}"
WORK=$(mktemp -d /tmp/tuition-fault-db.XXXXXX)
"$BIN" migrate >/dev/null
SETUP=$("$BIN" bench callbacks-setup --students 500 --codes-out "$WORK/codes")
SECRET=$(json_field "$SETUP" secret); ACCOUNT=$(json_field "$SETUP" account)
"$BIN" serve --port "$PORT" >/dev/null 2>"$WORK/server.log" & SERVER=$!
trap 'set +e; kill $SERVER 2>/dev/null; kill $(jobs -p) 2>/dev/null; rm -rf "$WORK"; bench_cleanup' EXIT
for _ in $(seq 200); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.05; done
counts() { echo "threads=$(ls /proc/$SERVER/task | wc -l) fds=$(ls /proc/$SERVER/fd | wc -l) db_connections=$(psql -qAt -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tuition'" 2>/dev/null)"; }
python3 bench/tools/callback_load.py --port "$PORT" --secret "$SECRET" --account "$ACCOUNT" --codes "$WORK/codes" \
    --prefix OUTAGE --threads 4 --seconds "$SECONDS_LOAD" --out "$WORK/outcomes" & LOAD=$!
sleep 3
BEFORE=$(counts)
sleep $(( SECONDS_LOAD / 3 - 3 ))
echo "stopping PostgreSQL for ${OUTAGE}s at $(date +%T)"
"$BIN" db stop >/dev/null
sleep "$OUTAGE"
"$BIN" db start >/dev/null
echo "PostgreSQL back at $(date +%T)"
wait "$LOAD"
sleep 1
AFTER=$(counts)
python3 bench/tools/callback_load.py --port "$PORT" --secret "$SECRET" --account "$ACCOUNT" --codes "$WORK/codes" \
    --out "$WORK/outcomes" --retry "$WORK/outcomes"
unavailable=$(grep -c " 503$" "$WORK/outcomes" || true)
other=$(awk '$2 !~ /^(2|503)/' "$WORK/outcomes" | wc -l)
awk '$2 ~ /^2/ {print $1}' "$WORK/outcomes" | sort -u > "$WORK/acked"
total=$(awk '{print $1}' "$WORK/outcomes" | sort -u | wc -l)
acked=$(wc -l < "$WORK/acked")
not_once=$(psql -qAt -v ON_ERROR_STOP=1 -c "CREATE TEMP TABLE acked (id text)" -c "\\copy acked FROM '$WORK/acked'" \
    -c "SELECT count(*) FROM acked a LEFT JOIN (SELECT provider_transaction_id AS id, count(*) AS n FROM bank_transactions WHERE provider_transaction_id LIKE 'OUTAGE-%' GROUP BY 1) b USING (id) WHERE coalesce(b.n, 0) <> 1")
recorded=$(psql -qAt -c "SELECT count(*) FROM bank_transactions WHERE provider_transaction_id LIKE 'OUTAGE-%'")
echo "bench/fault-db-outage.sh: PostgreSQL stopped ${OUTAGE}s during ${SECONDS_LOAD}s of callbacks"
echo "  replies 503 while the database was down: $unavailable; other non-2xx: $other"
echo "  callbacks: $total distinct, acknowledged after one retry of the unacknowledged: $acked, recorded: $recorded"
echo "  acknowledged but not exactly once: $not_once"
echo "  server before: $BEFORE"
echo "  server after:  $AFTER"
"$BIN" ledger verify | tail -1
[ "$not_once" = 0 ] && [ "$recorded" = "$acked" ] && [ "$acked" = "$total" ] && [ "$unavailable" -gt 0 ] && echo "RESULT: pass" || { echo "RESULT: FAIL"; exit 1; }
