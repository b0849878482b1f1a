#!/usr/bin/env bash
# Stays available under floods (issue 19). A stream of signed callbacks at 100/s from 127.0.0.2 (each on a new
# connection) and /health probes at 10/s from 127.0.0.3 run for STREAM_SECONDS, first with no attack, then during
# (a) SLOW_CONNECTIONS slowloris connections from 127.0.0.4 (one header line per second, reopened when closed),
# (b) a wrk flood of unauthenticated requests (wrk -t2 -c64, from 127.0.0.1), (c) both at once, and (d) the same
# slow connections from a crowd of 15 addresses (127.0.1.1-15), which fills the connection cap so eviction acts.
# Targets in every scenario: callbacks 0 failures and p99 < 100 ms, every probe answered 2xx; each figure is
# printed beside the same stream without the attack. The server runs with its default limits. Loopback only,
# every client bounded in time.
source "$(dirname "$0")/lib.sh"
PORT="${PORT:-18580}"
STREAM_SECONDS="${STREAM_SECONDS:-10}"
SLOW_CONNECTIONS="${SLOW_CONNECTIONS:-1500}"
RAMP_SECONDS="${RAMP_SECONDS:-4}"
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 1; }
# The attacker's connections, the server's cap (1,024) and the streams all need descriptors.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" -ge $((SLOW_CONNECTIONS + 2048)) ] || { echo "ulimit -n is $(ulimit -n); need $((SLOW_CONNECTIONS + 2048))" >&2; exit 1; }
WORK=$(mktemp -d /tmp/tuition-flood.XXXXXX)
"$BIN" migrate >/dev/null
SETUP=$("$BIN" bench callbacks-setup --students 500 --codes-out "$WORK/codes")
SCHOOL=$(json_field "$SETUP" school); SECRET=$(json_field "$SETUP" secret); ACCOUNT=$(json_field "$SETUP" account)
ADMIN=$("$BIN" token create --role admin 2>/dev/null | awk '{print $NF}')
"$BIN" serve --port "$PORT" --workers 8 >/dev/null 2>"$WORK/server.log" & SERVER=$!
trap 'set +e; kill $(jobs -p) 2>/dev/null; kill $SERVER 2>/dev/null; wait 2>/dev/null; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"; bench_cleanup' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break; sleep 0.1; done
TOOL="python3 bench/tools/flood_clients.py --port $PORT"
RUN=$RANDOM

# The callback stream and the probes, concurrently; results in $WORK/<scenario>.callbacks and .probes.
stream() {
    $TOOL callbacks --source 127.0.0.2 --seconds "$STREAM_SECONDS" --rate 100 --secret "$SECRET" --account "$ACCOUNT" \
        --codes "$WORK/codes" --prefix "FLOOD-$RUN-$1" >"$WORK/$1.callbacks" & local callbacks=$!
    $TOOL probes --source 127.0.0.3 --seconds "$STREAM_SECONDS" --rate 10 >"$WORK/$1.probes" & local probes=$!
    wait $callbacks $probes
}
slow_attack() { timeout $((STREAM_SECONDS + RAMP_SECONDS + 30)) $TOOL slow --source "${2:-127.0.0.4}" --spread "${3:-1}" \
    --connections "$SLOW_CONNECTIONS" --seconds $((STREAM_SECONDS + RAMP_SECONDS + 2)) >"$WORK/$1.slow"; }
wrk_flood() {
    local TIMEFORMAT='wrk_cpu_s %U %S'
    { time wrk -t2 -c64 -d$((STREAM_SECONDS + RAMP_SECONDS + 2))s "http://127.0.0.1:$PORT/v1/schools/$SCHOOL/invoices" >"$WORK/$1.wrk" 2>&1; } 2>>"$WORK/$1.wrk"
}
settle() { sleep 3; }
# Server CPU seconds (user + system) so far, to read a noisy run: what the attack cost the server itself.
server_cpu() { awk '{ printf "%.1f", ($14 + $15) / 100 }' "/proc/$SERVER/stat"; }
measured() { local before; before=$(server_cpu); stream "$1"; echo "$before $(server_cpu)" >"$WORK/$1.cpu"; }

measured none; settle
slow_attack a & ATTACK=$!; sleep "$RAMP_SECONDS"; measured a; wait $ATTACK; settle
wrk_flood b & ATTACK=$!; sleep "$RAMP_SECONDS"; measured b; wait $ATTACK; settle
slow_attack c & SLOW=$!; wrk_flood c & FLOOD=$!; sleep "$RAMP_SECONDS"; measured c; wait $SLOW $FLOOD; settle
slow_attack d 127.0.1.1 15 & ATTACK=$!; sleep "$RAMP_SECONDS"; measured d; wait $ATTACK; settle

curl -fs -H "Authorization: Bearer $ADMIN" "http://127.0.0.1:$PORT/metrics" >"$WORK/metrics" || true
echo "bench/flood.sh: callbacks 100/s from 127.0.0.2 (new connection each), /health 10/s from 127.0.0.3, ${STREAM_SECONDS}s per scenario"
echo "(figures from a shared 2-core machine: other builds ran at the same time; load average $(cut -d' ' -f1-3 /proc/loadavg))"
python3 - "$WORK" <<'PY'
import json, sys, os
work = sys.argv[1]
def load(name):
    path = os.path.join(work, name)
    return json.loads(open(path).read().strip().splitlines()[-1]) if os.path.exists(path) and open(path).read().strip() else None
def wrk_rate(name):
    path = os.path.join(work, name)
    if not os.path.exists(path): return ""
    rate, cpu = "", ""
    for line in open(path):
        if line.startswith("Requests/sec:"): rate = f"wrk {int(float(line.split()[1])):,} req/s"
        if line.startswith("wrk_cpu_s"): cpu = f" ({float(line.split()[1]) + float(line.split()[2]):.1f} s CPU)"
    return rate + cpu if rate else ""
def cpu_seconds(key):
    path = os.path.join(work, f"{key}.cpu")
    if not os.path.exists(path): return None
    before, after = map(float, open(path).read().split())
    return after - before
def server_cpu(key):
    seconds = cpu_seconds(key)
    return "" if seconds is None else f"server {seconds:.1f} s CPU"
def wrk_requests(name):
    path = os.path.join(work, name)
    if not os.path.exists(path): return None
    for line in open(path):
        if " requests in " in line: return int(line.split()[0])
    return None
def cpu_per_refusal(key):
    """Server CPU the flood added (over the unattacked run of the same stream), per request wrk sent."""
    requests, attacked, calm = wrk_requests(f"{key}.wrk"), cpu_seconds(key), cpu_seconds("none")
    if not requests or attacked is None or calm is None: return ""
    return f"{max(attacked - calm, 0) * 1e6 / requests:.0f} us server CPU per flood request ({requests:,} sent)"
labels = {"none": "no attack", "a": "(a) slow conns, 1 address", "b": "(b) wrk flood, no token", "c": "(c) both",
          "d": "(d) slow conns, 15 addresses"}
base = load("none.callbacks")
print(f"{'scenario':26} {'callbacks ok/sent':>17} {'failed':>6} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'health ok/sent':>14}  attack")
verdict = True
for key in ["none", "a", "b", "c", "d"]:
    cb, pr = load(f"{key}.callbacks"), load(f"{key}.probes")
    if cb is None or pr is None:
        print(f"{labels[key]:26} (no result)"); verdict = False; continue
    slow = load(f"{key}.slow")
    attack = [server_cpu(key)]
    if slow: attack.append(f"slow: {slow['opened']} opened, {slow['refused_429']} refused 429, {slow['refused_503']} 503, "
                           f"{slow['timed_out_408']} 408, {slow['closed']} closed (evicted), {slow['cpu_s']} s CPU")
    if wrk_rate(f"{key}.wrk"): attack.append(wrk_rate(f"{key}.wrk"))
    if key == "b" and cpu_per_refusal(key): attack.append(cpu_per_refusal(key))
    print(f"{labels[key]:26} {cb['ok']:>8}/{cb['sent']:<8} {cb['failed']:>6} {cb['p50_ms']:>7} {cb['p99_ms']:>7} {cb['max_ms']:>7} {pr['ok']:>7}/{pr['sent']:<6}  {'; '.join(attack)}")
    if cb["failures"] or pr["failures"]: print(f"{'':26} failures: callbacks {cb['failures']} health {pr['failures']}")
    if key != "none":
        ratio = cb["p99_ms"] / max(base["p99_ms"], 0.1) if base else float("nan")
        print(f"{'':26} p99 {cb['p99_ms']} ms against {base['p99_ms']} ms without the attack ({ratio:.1f}x)")
    ok = cb["failed"] == 0 and cb["p99_ms"] is not None and cb["p99_ms"] < 100 and pr["failed"] == 0
    verdict = verdict and ok
print("RESULT:", "pass (0 failures, p99 < 100 ms, every probe answered, in every scenario)" if verdict else "FAIL")
PY
echo "server counters:"
grep -E '^http_(connections_(refused_per_address|evicted|rejected|held)|requests_shed|requests_rate_limited|body_budget_refused)' "$WORK/metrics" | sed 's/^/  /'
"$BIN" ledger verify | tail -1
