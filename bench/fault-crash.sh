#!/usr/bin/env bash
# Crash safety under load: a steady stream of signed callbacks while the server is killed with
# SIGKILL several times and restarted. Afterwards every callback that got a success reply is in
# the ledger exactly once, nothing unacknowledged is half-posted (every bank transaction has its
# booking entry), the retried unacknowledged callbacks post once, and `tuition ledger verify` passes.
source "$(dirname "$0")/lib.sh"
PORT="${PORT:-18580}"
SECONDS_LOAD="${SECONDS_LOAD:-40}"
KILLS="${KILLS:-4}"
WORK=$(mktemp -d /tmp/tuition-fault-crash.XXXXXX)
"$BIN" migrate >/dev/null
SETUP=$("$BIN" bench callbacks-setup --students 500 --codes-out "$WORK/codes")
SECRET=$(json_field "$SETUP" secret); ACCOUNT=$(json_field "$SETUP" account)
start_server() { "$BIN" serve --port "$PORT" >/dev/null 2>>"$WORK/server.log" & SERVER=$!
    for _ in $(seq 200); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && return; sleep 0.05; done; }
trap 'set +e; kill -9 $SERVER 2>/dev/null; kill $(jobs -p) 2>/dev/null; rm -rf "$WORK"; bench_cleanup' EXIT
start_server
python3 bench/tools/callback_load.py --port "$PORT" --secret "$SECRET" --account "$ACCOUNT" --codes "$WORK/codes" \
    --prefix CRASH --threads 6 --seconds "$SECONDS_LOAD" --out "$WORK/outcomes" & LOAD=$!
for kill in $(seq "$KILLS"); do
    sleep $(( SECONDS_LOAD / (KILLS + 1) ))
    kill -9 "$SERVER"; wait "$SERVER" 2>/dev/null || true
    echo "kill -9 #$kill at $(date +%T); restarting"
    start_server
done
wait "$LOAD"
python3 bench/tools/callback_load.py --port "$PORT" --secret "$SECRET" --account "$ACCOUNT" --codes "$WORK/codes" \
    --out "$WORK/outcomes" --retry "$WORK/outcomes"
kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
python3 - "$WORK/outcomes" > "$WORK/acked" <<'PY'
import sys
acked = {}
for line in open(sys.argv[1]):
    tid, status = line.split()
    if status.startswith("2"): acked[tid] = True
print("\n".join(sorted(acked)))
PY
total=$(awk '{print $1}' "$WORK/outcomes" | sort -u | wc -l)
acked=$(wc -l < "$WORK/acked")
errors=$(grep -c " error$" "$WORK/outcomes" || true)
psql -qAt -v ON_ERROR_STOP=1 -c "CREATE TEMP TABLE acked (id text)" -c "\copy acked FROM '$WORK/acked'" \
     -c "SELECT count(*) FROM acked a LEFT JOIN (SELECT provider_transaction_id AS id, count(*) AS n FROM bank_transactions WHERE provider_transaction_id LIKE 'CRASH-%' GROUP BY 1) b USING (id) WHERE coalesce(b.n, 0) <> 1" \
     -c "SELECT count(*) FROM bank_transactions WHERE provider_transaction_id LIKE 'CRASH-%'" \
     -c "SELECT count(*) FROM bank_transactions b WHERE provider_transaction_id LIKE 'CRASH-%' AND (entry_id IS NULL OR NOT EXISTS (SELECT 1 FROM journal_entries e WHERE e.school_id = b.school_id AND e.entry_id = b.entry_id))" \
     > "$WORK/db"
not_once=$(sed -n 1p "$WORK/db"); recorded=$(sed -n 2p "$WORK/db"); half=$(sed -n 3p "$WORK/db")
echo "bench/fault-crash.sh: $KILLS x kill -9 during ${SECONDS_LOAD}s of callbacks"
echo "  callbacks sent: $total distinct ids, connection errors seen: $errors"
echo "  acknowledged (2xx, after re-sending each unacknowledged id until it got an HTTP answer): $acked"
echo "  acknowledged but not exactly once in the ledger: $not_once"
echo "  bank transactions recorded: $recorded (must equal the acknowledged: every id was retried until acknowledged)"
echo "  half-posted (no booking entry): $half"
"$BIN" ledger verify | tail -1
[ "$not_once" = 0 ] && [ "$half" = 0 ] && [ "$recorded" = "$acked" ] && echo "RESULT: pass" || { echo "RESULT: FAIL"; exit 1; }
