#!/usr/bin/env bash
# The API contract as a new client reads it: schemathesis (from PyPI, into a venv of its own) runs every
# phase — examples, coverage, fuzzing and stateful (the `links` between operations) — with every check
# against /openapi.json of a demo server seeded like scripts/demo, and prints the failures by kind.
# Target: none. A failure is the server doing something its document does not say (a 5xx, a response
# outside its schema, a refused request the schema allows, an accepted one it forbids).
# MAX_EXAMPLES (default 25) bounds the generated cases per operation; CONTRACT_SEED fixes the run.
# CONTRACT_EXPENSIVE_PER_MINUTE (default 100000) is the per-token rate and burst of `.expensive` routes in the
# run, so their handlers are exercised: at the server's own limits (`server`: 60 a minute, bursts of 20) the
# statement and roster uploads and reconciliation runs mostly answer 429 and schemathesis warns "Rate limited".
# The rate limits themselves are tested in FloodProtectionTests and RouteClassTests.
source "$(dirname "$0")/lib.sh"
PORT="${PORT:-18290}"
MAX_EXAMPLES="${MAX_EXAMPLES:-25}"
SEED="${CONTRACT_SEED:-14}"
VENV="${CONTRACT_VENV:-$HOME/.cache/tuition-contract/venv}"
SCHEMATHESIS_VERSION="${SCHEMATHESIS_VERSION:-4.32.5}"
if [ ! -x "$VENV/bin/st" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi
OUT=$(mktemp -d /tmp/tuition-contract.XXXXXX)
"$BIN" migrate >/dev/null
trap 'bench_cleanup; rm -rf "$OUT"' EXIT
# The demo seeds the province and prints an admin token; the server then serves what it seeded.
"$BIN" demo --no-serve >"$OUT/demo.log" 2>&1
TOKEN=$(awk '/admin token \(shown once\)/ { print $NF }' "$OUT/demo.log")
[ -n "$TOKEN" ] || { echo "the demo printed no admin token" >&2; cat "$OUT/demo.log" >&2; exit 1; }
EXPENSIVE="${CONTRACT_EXPENSIVE_PER_MINUTE:-100000}"
SERVE_ARGS=()
LIMITS="the server's own limits"
if [ "$EXPENSIVE" != server ]; then
    printf '{"http_limits": {"expensive_requests_per_minute_per_token": %d, "expensive_requests_burst": %d}}\n' \
        "$EXPENSIVE" "$EXPENSIVE" >"$OUT/limits.json"
    SERVE_ARGS=(--config "$OUT/limits.json")
    LIMITS="$EXPENSIVE per token per minute"
fi
# CONTRACT_ACCESS_LOG=FILE keeps the server's access log (a JSON line per request: route, status) to count answers.
"$BIN" serve "${SERVE_ARGS[@]}" --port "$PORT" >"${CONTRACT_ACCESS_LOG:-/dev/null}" 2>"$OUT/serve.log" & SERVER=$!
trap 'set +e; kill $SERVER 2>/dev/null; wait $SERVER 2>/dev/null; bench_cleanup; rm -rf "$OUT"' EXIT
for _ in $(seq 600); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
echo "bench/contract.sh: schemathesis $("$VENV/bin/st" --version | awk '{print $NF}'), all phases and checks," \
     "$MAX_EXAMPLES examples per operation, seed $SEED, against the demo province," \
     "expensive routes at $LIMITS"
set +e
# From the run's own folder: schemathesis keeps a cache of what it found in the working directory.
(cd "$OUT" && "$VENV/bin/st" run "http://127.0.0.1:$PORT/openapi.json" --header "Authorization: Bearer $TOKEN" \
    --phases examples,coverage,fuzzing,stateful --checks all --max-examples "$MAX_EXAMPLES" --seed "$SEED" \
    --workers 1 --no-color --generation-database none --report junit --report-junit-path "$OUT/junit.xml" \
    >"$OUT/st.log" 2>&1)
STATUS=$?
set -e
if [ -n "${CONTRACT_LOG:-}" ]; then cp "$OUT/st.log" "$CONTRACT_LOG"; fi
python3 "$ROOT/bench/tools/contract_failures.py" "$OUT/junit.xml" "$OUT/st.log"
# The run's summary: operations tested, each phase's outcome (Examples is skipped: the document has no
# examples), cases generated, and schemathesis's closing line.
sed -n '/^API Operations:/,/^$/p; /^Test Phases:/,/^$/p; /^Test cases:/,/^$/p' "$OUT/st.log"
tail -n 1 "$OUT/st.log"
exit $STATUS
