#!/usr/bin/env python3
"""The server's sampled CPU split into the phases of a request (docs/callbacks.md section 6, eleventh round).

Reads `perf script -F comm,ip,sym` output of a call-graph profile of `tuition serve` (bench/callbacks-profile.sh
and bench/collection-profile.sh record one) and prints, per side (the event loop; the lane leaders and workers),
the share of samples and the microseconds per request of each phase: a sample belongs to the first frame, leaf to
root, that a phase's pattern matches (so a libpq call made while building the ledger rows counts as libpq).

    python3 bench/tools/server_phases.py SCRIPT_OUTPUT SAMPLES_PER_SECOND REQUESTS
"""
import collections
import re
import sys

# Phases of the server's samples: thread (loop / lane leaders and workers), then the first frame (leaf to root) matching a marker.
LOOP = [
 ("kernel: switches, wake-ups", r"finish_task_switch|_raw_spin_unlock_irq|__schedule|schedule_hrtimeout|try_to_wake_up"),
 ("door: signature (HMAC, SHA-256)", r"SignatureScheme|HMAC|SHA256|EVP_|OPENSSL|CollectionAuthenticator"),
 ("door: audit row", r"DeliveryAudit|CollectionAudit|Audit"),
 ("door: body, normalise, admit", r"CallbackIngest|CallbackDoor|CallbackBody|CallbackNormalizer|CallbackFields|StrictJSONParser|JSONString|Collection|RouteCache|CallbackCatalog|BankFormats|Payments"),
 ("lane hand-off (queue, wake leader)", r"GroupCommitter|WorkerPool|WorkerJobs"),
 ("reply write + access log", r"ResponseSerializer|queueResponse|drainMailbox|AccessLog|BufferedLineWriter|writeQueued|ResponseCompletion|__send|sendmsg"),
 ("HTTP read, parse, route", r"HTTPRequestDecoder|HeadProgress|HeadLines|RequestTarget|Router|decodeNext|beginRequest|readMore|recv|EventLoop|HTTP"),
]
LEAD = [
 ("kernel: switches, wake-ups", r"finish_task_switch|_raw_spin_unlock_irq|__schedule|schedule_hrtimeout|try_to_wake_up"),
 ("libpq + socket I/O", r"^PQ|^pq|__send$|__libc_recv|__poll|^\$s8Postgres.*(flushQueued|readResult|runPipeline|Pending|sendCommit)"),
 ("parameter encoding", r"^\$s8Postgres.*(encodeParameters|withEncodedParameters|WireWriter|encodePostgres|Encodable)"),
 ("row decoding", r"^\$s8Postgres0A3Row|^\$s8Postgres0A4Rows|^\$s8Postgres.*[Dd]ecod"),
 ("statement building (SQL text, prepared lookup)", r"^\$s8Postgres0A5Query|^\$s8Postgres.*(preparedName|PreparedStatement)"),
 ("PostgreSQL client, other (pipeline, pool, results)", r"^\$s8Postgres"),
 ("matching (decide, decision JSON)", r"^\$s14Reconciliation|^\$s4Core17PaymentCodeFinder|^\$s8Payments15SchoolMatchDataO7context"),
 ("ledger rows, receipts, applications", r"^\$s6Ledger|^\$s7Billing"),
 ("lane own code + replies", r"^\$s8Payments|^\$s4HTTP"),
]
def cls(rules, frames):
    for f in frames:
        for n, c in rules:
            if c.search(f): return n
    return "allocation/other (caller not recorded)"
R = {k: [(n, re.compile(p)) for n, p in v] for k, v in (("loop", LOOP), ("lead", LEAD))}
tot = collections.Counter(); cur = None; frames = []
def flush():
    if cur is None or not frames: return
    side = "loop" if "loop" in cur else "lead"
    tot[(side, cls(R[side], frames))] += 1
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    if not line.strip(): flush(); cur = None; frames = []; continue
    if not line.startswith(("\t", " ")): cur = line.split()[0]; frames = []; continue
    parts = line.split(None, 1); frames.append(parts[1] if len(parts) > 1 else "?")
flush()
n = sum(tot.values())
# Microseconds of sampled CPU per request: samples / rate / requests.
per = n / float(sys.argv[2]) / max(1, int(sys.argv[3])) * 1e6
print(f"sampled server CPU per request: {per:.0f} us ({n} samples)")
for side in ("loop", "lead"):
    s = sum(v for (sd, _), v in tot.items() if sd == side)
    print(f"{side}: {100*s/n:.1f} %  {per*s/n:.0f} us")
    for (sd, ph), v in sorted(tot.items(), key=lambda x: -x[1]):
        if sd == side: print(f"   {ph:48s} {100*v/n:5.1f} %  {per*v/n:5.1f} us")
